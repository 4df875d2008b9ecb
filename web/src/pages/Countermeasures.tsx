/**
 * 封禁 Countermeasures on the incident page (issue 16): block an address, a domain, a URL or a
 * hash (from the incident or from one of its indicators) with a reason and an expiry; the entries
 * with their state — waiting for a second person, in force until …, lifted, expired — and how the
 * alerts after each went (quiet for 30 minutes, or still seen by a device); renewed, lifted with a
 * reason, approved by a second person.
 */
import { App as AntApp, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useContext, useEffect, useState } from 'react';
import { type Answer, ApiError, api } from '../api';
import { useErrorText } from '../errors';
import { LangContext, type WordKey, useT } from '../i18n';
import { useTime } from '../time';
import { type Act, ModalForm, OpenIncidentSelect, went } from './IncidentEdit';

type Block = Answer<'GET', '/api/blocks'>['items'][number];
const KINDS = ['ip', 'domain', 'url', 'hash'] as const;
const STATUS_COLORS: Record<string, string> = { pending: 'gold', active: 'red', lifted: 'default', expired: 'default', rejected: 'default' };
/** an indicator's type → the block kind that blocks it */
export const BLOCKABLE: Record<string, (typeof KINDS)[number]> = { ip: 'ip', domain: 'domain', url: 'url', hash: 'hash' };

/** "封禁": a block of this incident, of an indicator's value when one is given. */
export function BlockButton({ incidentId, act, preset, label }: { incidentId: string; act: Act; preset?: { kind: string; value: string }; label?: string }) {
  const t = useT();
  return (
    <ModalForm
      label={label ?? `+ ${t('block')}`}
      title={preset ? `${t('block')}: ${preset.value}` : t('block')}
      testId={preset ? 'obs-block' : 'block-add'}
      danger={Boolean(preset)}
      initialValues={{ kind: preset?.kind ?? 'ip', value: preset?.value, list: 'default' }}
      onSubmit={(v) =>
        went(act, async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(incidentId)}/blocks`, { kind: v.kind, value: v.value, list: v.list || undefined, reason: v.reason, ...(v.expiresAt ? { expiresAt: (v.expiresAt as Dayjs).toISOString() } : {}) });
        })
      }
    >
      <Space.Compact style={{ width: '100%' }}>
        <Form.Item name="kind" label={t('type')} rules={[{ required: true }]} style={{ width: 130 }}>
          <Select disabled={Boolean(preset)} options={KINDS.map((k) => ({ value: k, label: t(`blockKind_${k}` as WordKey) }))} data-testid="block-kind" />
        </Form.Item>
        <Form.Item name="value" label={t('blockValue')} rules={[{ required: true }]} style={{ flex: 1 }}>
          <Input maxLength={2048} disabled={Boolean(preset)} placeholder="203.0.113.7 · 198.51.100.0/24 · evil.example · *.evil.example · https://… · sha256" data-testid="block-value" />
        </Form.Item>
      </Space.Compact>
      <Form.Item name="reason" label={t('reason')} rules={[{ required: true }]}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="block-reason" />
      </Form.Item>
      <Space>
        <Form.Item name="list" label={t('blockList')}>
          <Input maxLength={40} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="expiresAt" label={t('blockExpires')} extra={t('blockExpiresDefault')}>
          <DatePicker showTime />
        </Form.Item>
      </Space>
    </ModalForm>
  );
}

/** how the alerts after a block went, in a few words */
function VerificationTag({ b }: { b: Block }) {
  const t = useT();
  const v = b.verification;
  if (!v) return null;
  if (v.state === 'seen') return <Tooltip title={v.lastSeen ?? ''}><Tag color="red" data-testid="block-verification">{t('blockSeen', { n: v.seenAfter, by: v.seenBy.join(', ') || '—' })}</Tag></Tooltip>;
  if (v.state === 'quiet') return <Tag color="green" data-testid="block-verification">{t('blockQuiet', { n: v.quietMinutes })}</Tag>;
  return <Tag data-testid="block-verification">{t('blockWaiting', { n: v.quietMinutes })}</Tag>;
}

export function IncidentBlocks({ incidentId, reloadKey, act, may }: { incidentId: string; reloadKey: string; act: Act; may: { manage: boolean; approve: boolean; open: boolean } }) {
  const t = useT();
  const fmt = useTime();
  const { lang } = useContext(LangContext);
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [list, setList] = useState<{ items: Block[]; total: number }>();
  const load = () => void api('GET', `/api/blocks?incident=${encodeURIComponent(incidentId)}&limit=200`).then(setList, (e: unknown) => void message.error(errText(e)));
  useEffect(load, [incidentId, reloadKey]);
  // the verification ages by the minute: read again while the page is open
  useEffect(() => {
    const timer = setInterval(load, 60_000);
    return () => clearInterval(timer);
  }, [incidentId]);
  const items = list?.items ?? [];
  const inForce = items.filter((b) => b.status === 'active');
  return (
    <Card
      title={`${t('countermeasures')} (${inForce.length})`}
      style={{ marginTop: 12 }}
      data-testid="blocks"
      extra={may.manage && may.open && <BlockButton incidentId={incidentId} act={act} />}
    >
      <Table<Block>
        size="small"
        rowKey="id"
        pagination={items.length > 10 ? { pageSize: 10 } : false}
        dataSource={items}
        columns={[
          {
            title: t('blockValue'),
            dataIndex: 'value',
            render: (v: string, b) => (
              <Space direction="vertical" size={0}>
                <span>
                  <Tag>{t(`blockKind_${b.kind}` as WordKey)}</Tag>
                  <Typography.Text code style={{ wordBreak: 'break-all' }} data-testid="block-value-text">{v}</Typography.Text>
                  {b.list !== 'default' && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{` · ${t('blockList')} ${b.list}`}</Typography.Text>}
                </span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{b.reason}</Typography.Text>
                {b.status === 'pending' && b.approvalReason && <Typography.Text type="warning" style={{ fontSize: 12 }} data-testid="block-approval-reason">{lang === 'en' ? b.approvalReason.en : b.approvalReason.zh}</Typography.Text>}
                {b.endReason && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{`${t('reason')}: ${b.endReason}`}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t('status'),
            key: 'status',
            width: 170,
            render: (_: unknown, b) => (
              <Space direction="vertical" size={2}>
                <Tag color={STATUS_COLORS[b.status]} data-testid="block-status">{t(`blockStatus_${b.status}` as WordKey)}</Tag>
                {b.status === 'active' && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('blockUntil', { at: fmt(b.expiresAt) })}</Typography.Text>}
                <VerificationTag b={b} />
              </Space>
            ),
          },
          {
            title: '',
            key: 'actions',
            width: 130,
            render: (_: unknown, b) => (
              <Space size={4} wrap>
                {b.status === 'pending' && may.approve && (
                  <Button size="small" type="primary" data-testid="block-approve" onClick={() => void act(() => api('POST', `/api/blocks/${b.id}/approve`))}>{t('approve')}</Button>
                )}
                {b.status === 'active' && may.manage && (
                  <ModalForm label={t('renew')} title={`${t('renew')}: ${b.value}`} testId="block-renew" onSubmit={(v) => went(act, () => api('POST', `/api/blocks/${b.id}/renew`, v.expiresAt ? { expiresAt: (v.expiresAt as Dayjs).toISOString() } : {}))}>
                    <Form.Item name="expiresAt" label={t('blockExpires')} extra={t('blockExpiresDefault')}>
                      <DatePicker showTime />
                    </Form.Item>
                  </ModalForm>
                )}
                {(b.status === 'active' || b.status === 'pending') && (may.manage || may.approve) && (
                  <ModalForm label={b.status === 'pending' && may.approve ? t('reject') : t('lift')} title={`${t('lift')}: ${b.value}`} testId="block-lift" danger onSubmit={(v) => went(act, () => api('POST', `/api/blocks/${b.id}/lift`, { reason: v.reason }))}>
                    <Form.Item name="reason" label={t('reason')} rules={[{ required: true }]}>
                      <Input.TextArea rows={2} maxLength={2000} data-testid="block-lift-reason" />
                    </Form.Item>
                  </ModalForm>
                )}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}

/** "封禁来源": the outside addresses the picked alerts came from, blocked for an incident (those refused are named). */
export function BlockAlertsButton({ alerts, done }: { alerts: Array<Record<string, unknown>>; done: () => void }) {
  const t = useT();
  const { message, modal } = AntApp.useApp();
  const errText = useErrorText();
  return (
    <ModalForm
      label={t('blockSources', { n: alerts.length })}
      title={t('blockSources', { n: alerts.length })}
      testId="block-alerts"
      danger
      disabled={alerts.length === 0}
      onSubmit={async (v) => {
        try {
          const r = await api('POST', `/api/incidents/${encodeURIComponent(String(v.incident))}/blocks/from-alerts`, { alerts: alerts.map((a) => Number(a.id)), reason: v.reason });
          if (r.skipped.length) modal.warning({ title: t('blockedN', { n: r.blocked.length }), content: <ul data-testid="block-skipped">{r.skipped.map((x) => <li key={x.value}>{`${x.value}: ${errText(new ApiError(x.error.code === 'validation' ? 400 : 409, { code: x.error.code, message: x.reason, details: x.error.details }))}`}</li>)}</ul> });
          else void message.success(t('blockedN', { n: r.blocked.length }));
          done();
          return true;
        } catch (e) {
          void message.error(errText(e));
          return false;
        }
      }}
    >
      <Form.Item name="incident" label={t('incident')} rules={[{ required: true }]}>
        <OpenIncidentSelect testId="block-alerts-incident" />
      </Form.Item>
      <Form.Item name="reason" label={t('reason')} rules={[{ required: true }]}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="block-alerts-reason" />
      </Form.Item>
    </ModalForm>
  );
}
