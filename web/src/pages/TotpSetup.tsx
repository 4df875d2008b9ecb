/**
 * One-time codes (two-factor sign-in) for one's own account: a key for the authenticator app,
 * confirmed with a first code. Required of admins when the server's setting says so.
 */
import { Alert, App as AntApp, Button, Form, Input, Space, Typography } from 'antd';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { useErrorText } from '../errors';

export function TotpSetup({ onDone }: { onDone?: () => void }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [enabled, setEnabled] = useState<boolean>();
  const [pending, setPending] = useState<{ secret: string; uri: string }>();
  const [qr, setQr] = useState<string>();
  useEffect(() => {
    if (pending) void QRCode.toDataURL(pending.uri, { margin: 1, width: 180 }).then(setQr, () => setQr(undefined));
  }, [pending]);
  useEffect(() => {
    api('GET', '/api/auth/me').then((m) => setEnabled(m.totp.enabled), () => setEnabled(false));
  }, []);
  const start = () => void api('POST', '/api/auth/totp').then(setPending, (e: unknown) => void message.error(errText(e)));
  const confirm = (v: { code: string }) =>
    void api('POST', '/api/auth/totp/confirm', { code: v.code.trim() }).then(
      () => {
        setPending(undefined);
        setEnabled(true);
        void message.success(t('totpEnabled'));
        onDone?.();
      },
      (e: unknown) => void message.error(errText(e)),
    );
  if (enabled === undefined) return null;
  return (
    <Space direction="vertical" style={{ width: '100%', maxWidth: 640 }} data-testid="totp">
      <Typography.Text strong>{enabled ? t('totpOn') : t('totpOff')}</Typography.Text>
      {!enabled && !pending && (
        <Button onClick={start} data-testid="totp-start">
          {t('totpStart')}
        </Button>
      )}
      {pending && (
        <>
          <Alert type="info" message={t('totpScan')} description={<Typography.Paragraph copyable={{ text: pending.secret }} style={{ margin: 0 }}><code data-testid="totp-secret">{pending.secret}</code></Typography.Paragraph>} />
          {qr && <img src={qr} width={180} height={180} alt="otpauth QR" data-testid="totp-qr" />}
          <Typography.Paragraph copyable={{ text: pending.uri }} type="secondary" style={{ fontSize: 12, wordBreak: 'break-all' }}>
            {pending.uri}
          </Typography.Paragraph>
          <Form layout="inline" onFinish={confirm}>
            <Form.Item name="code" rules={[{ required: true, pattern: /^\s*\d{6}\s*$/ }]}>
              <Input placeholder={t('totpCode')} autoComplete="one-time-code" inputMode="numeric" maxLength={8} data-testid="totp-confirm-code" />
            </Form.Item>
            <Button type="primary" htmlType="submit" data-testid="totp-confirm">
              {t('totpConfirm')}
            </Button>
          </Form>
        </>
      )}
    </Space>
  );
}
