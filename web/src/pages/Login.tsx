import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useContext, useState } from 'react';
import { api, ApiError } from '../api';
import type { Me } from '../App';
import { LangContext, useT } from '../i18n';
import { useErrorText } from '../errors';

export function Login({ onIn }: { onIn: (me: Me) => void }) {
  const errText = useErrorText();
  const t = useT();
  const { lang, setLang } = useContext(LangContext);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // the account has one-time codes: the server asked for one after the password
  const [needCode, setNeedCode] = useState(false);
  const submit = async (v: { username: string; password: string; code?: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/api/auth/login', { username: v.username, password: v.password, ...(v.code ? { code: v.code.trim() } : {}) });
      onIn(await api('GET', '/api/auth/me'));
    } catch (e) {
      const asked = e instanceof ApiError && (e.body.details as { totpRequired?: boolean } | undefined)?.totpRequired === true;
      if (asked && !needCode) setNeedCode(true);
      else setError(errText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ display: 'grid', placeItems: 'center', minHeight: '100vh', background: '#0b1e35' }}>
      <Card style={{ width: 360 }} extra={<Button type="link" size="small" data-testid="login-language" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>{lang === 'zh' ? 'English' : '中文'}</Button>}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('appName')} <Typography.Text type="secondary">{t('tagline')}</Typography.Text>
        </Typography.Title>
        {error && <Alert type="error" message={t('signInFailed')} description={error} style={{ marginBottom: 12 }} />}
        <Form layout="vertical" onFinish={(v) => void submit(v)} size="middle">
          <Form.Item name="username" label={t('username')} rules={[{ required: true }]}>
            <Input autoFocus autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" label={t('password')} rules={[{ required: true }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {needCode && (
            <Form.Item name="code" label={t('totpCode')} extra={t('totpAsk')} rules={[{ required: true, pattern: /^\s*\d{6}\s*$/ }]}>
              <Input autoFocus autoComplete="one-time-code" inputMode="numeric" maxLength={8} data-testid="totp-code" />
            </Form.Item>
          )}
          <Button type="primary" htmlType="submit" loading={busy} block data-testid="sign-in">
            {t('signIn')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
