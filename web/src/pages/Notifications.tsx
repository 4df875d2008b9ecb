/**
 * Settings → notifications: the channels messages go out through (secrets are written, never
 * shown back), a test message per channel, the rules saying who is told what and when, and the
 * delivery log with each message's attempts.
 */
import { App as AntApp, Button, Card, Form, Input, InputNumber, Popconfirm, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { useErrorText } from '../errors';
import { useReference } from '../reference';
import { useTime } from '../time';

type Json = Record<string, any>;
const KINDS = ['email', 'dingtalk', 'wecom', 'feishu', 'slack', 'webhook'] as const;
const EVENTS = ['incident_created', 'level_raised', 'phase_changed', 'report_sent', 'sla_due_soon', 'sla_overdue', 'warning_changed', 'order_issued', 'work_overdue', 'plan_started', 'countermeasure'] as const;
const ROLES = ['admin', 'commander', 'handler', 'monitor', 'viewer'] as const;
/** the kinds whose messages are signed with a secret */
const SIGNED = new Set(['dingtalk', 'feishu', 'webhook']);

export function Notifications({ canWrite }: { canWrite: boolean }) {
  const fmt = useTime();
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const ref = useReference();
  const [channels, setChannels] = useState<Json[]>([]);
  const [rules, setRules] = useState<Json[]>([]);
  const [log, setLog] = useState<Json[]>([]);
  const [kind, setKind] = useState<string>('dingtalk');
  const [channelForm] = Form.useForm();
  const [ruleForm] = Form.useForm();
  const load = useCallback(() => {
    void api('GET', '/api/channels').then(setChannels);
    void api('GET', '/api/notification-rules').then(setRules);
    void api('GET', '/api/notifications?limit=50').then(setLog);
  }, []);
  useEffect(load, [load]);
  const act = async (f: () => Promise<unknown>, done = t('saved')) => {
    try {
      await f();
      void message.success(done);
      load();
      return true;
    } catch (e) {
      void message.error(errText(e));
      return false;
    }
  };
  const addChannel = async (v: Json) => {
    const config =
      v.kind === 'email'
        ? { host: v.host, port: v.port ?? 25, secure: !!v.secure, from: v.from, to: String(v.to ?? '').split(/[\s,;，；]+/).filter(Boolean), ...(v.user ? { user: v.user } : {}) }
        : { url: v.url };
    if (await act(() => api('POST', '/api/channels', { name: v.name, kind: v.kind, config, ...(v.secret ? { secret: v.secret } : {}) }))) channelForm.resetFields();
  };
  const addRule = async (v: Json) => {
    const quietHours = v.quietFrom && v.quietTo ? { from: v.quietFrom, to: v.quietTo } : null;
    const body = { name: v.name, events: v.events, maxLevel: v.maxLevel, channelId: v.channelId, orgUnits: v.orgUnits?.length ? v.orgUnits : null, roles: v.roles?.length ? v.roles : null, onDuty: v.onDuty?.length ? v.onDuty : null, quietHours, batchSeconds: v.batchSeconds ?? 60 };
    if (await act(() => api('POST', '/api/notification-rules', body))) ruleForm.resetFields();
  };
  const channelName = (id: number) => channels.find((c) => c.id === id)?.name ?? `#${id}`;
  const target = (c: Json) => (c.kind === 'email' ? `${c.config.host}:${c.config.port} → ${(c.config.to ?? []).join(', ')}` : (() => { try { return new URL(String(c.config.url)).host; } catch { return String(c.config.url ?? ''); } })());
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Card title={t('channels')} size="small">
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={channels}
          data-testid="channels"
          locale={{ emptyText: t('none') }}
          columns={[
            { title: t('name'), dataIndex: 'name' },
            { title: t('kind'), dataIndex: 'kind', width: 100, render: (k: string) => t(`channel_${k as 'email'}`) },
            { title: t('target'), key: 'target', render: (_: unknown, c: Json) => <Typography.Text code>{target(c)}</Typography.Text> },
            { title: t('secret'), dataIndex: 'hasSecret', width: 90, render: (x: boolean) => (x ? <Tag color="green">{t('secretSet')}</Tag> : '—') },
            { title: t('enabled'), dataIndex: 'enabled', width: 80, render: (x: boolean, c: Json) => <Switch size="small" checked={x} disabled={!canWrite} onChange={(on) => void act(() => api('PUT', `/api/channels/${c.id}`, { name: c.name, kind: c.kind, config: c.config, enabled: on }))} /> },
            ...(canWrite
              ? [
                  {
                    title: '',
                    key: 'act',
                    width: 170,
                    render: (_: unknown, c: Json) => (
                      <Space size={4}>
                        <Button size="small" data-testid="channel-test" onClick={() => void act(() => api('POST', `/api/channels/${c.id}/test`), t('testSent'))}>{t('sendTest')}</Button>
                        <Popconfirm title={t('confirmRemove')} onConfirm={() => void act(() => api('DELETE', `/api/channels/${c.id}`))}>
                          <Button size="small" danger>{t('remove')}</Button>
                        </Popconfirm>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
        {canWrite && (
          <Form form={channelForm} layout="inline" style={{ marginTop: 12, rowGap: 8 }} initialValues={{ kind: 'dingtalk', port: 25 }} onFinish={(v: Json) => void addChannel(v)} data-testid="channel-form">
            <Form.Item name="name" rules={[{ required: true }]}><Input placeholder={t('name')} style={{ width: 150 }} maxLength={100} /></Form.Item>
            <Form.Item name="kind"><Select style={{ width: 120 }} onChange={setKind} options={KINDS.map((k) => ({ value: k, label: t(`channel_${k}`) }))} /></Form.Item>
            {kind === 'email' ? (
              <>
                <Form.Item name="host" rules={[{ required: true }]}><Input placeholder={t('smtpHost')} style={{ width: 150 }} /></Form.Item>
                <Form.Item name="port"><InputNumber min={1} max={65535} style={{ width: 80 }} /></Form.Item>
                <Form.Item name="from" rules={[{ required: true }]}><Input placeholder={t('mailFrom')} style={{ width: 180 }} /></Form.Item>
                <Form.Item name="to"><Input placeholder={t('mailTo')} style={{ width: 220 }} /></Form.Item>
                <Form.Item name="user"><Input placeholder={t('smtpUser')} style={{ width: 120 }} autoComplete="off" /></Form.Item>
              </>
            ) : (
              <Form.Item name="url" rules={[{ required: true, type: 'url' }]}><Input placeholder={t('webhookUrl')} style={{ width: 360 }} data-testid="channel-url" /></Form.Item>
            )}
            {(kind === 'email' || SIGNED.has(kind)) && (
              <Form.Item name="secret"><Input.Password placeholder={kind === 'email' ? t('smtpPassword') : t('signingSecret')} style={{ width: 180 }} autoComplete="new-password" /></Form.Item>
            )}
            <Button htmlType="submit" type="primary" data-testid="add-channel">{t('add')}</Button>
          </Form>
        )}
      </Card>

      <Card title={t('notificationRules')} size="small">
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={rules}
          data-testid="rules"
          locale={{ emptyText: t('none') }}
          columns={[
            { title: t('name'), dataIndex: 'name', width: 140 },
            { title: t('events'), dataIndex: 'events', render: (es: string[]) => es.map((e) => <Tag key={e}>{t(`event_${e as 'order_issued'}`)}</Tag>) },
            { title: t('level'), dataIndex: 'maxLevel', width: 90, render: (n: number) => t('levelUpTo', { n }) },
            { title: t('orgUnit'), dataIndex: 'orgUnits', width: 110, render: (u: string[] | null) => (u ? u.map((x) => ref.unitName(x)).join(', ') : t('all')) },
            { title: t('channel'), dataIndex: 'channelId', width: 120, render: (id: number) => channelName(id) },
            { title: t('quietHours'), dataIndex: 'quietHours', width: 110, render: (q: Json | null) => (q ? `${q.from}–${q.to}` : '—') },
            ...(canWrite
              ? [{ title: '', key: 'act', width: 70, render: (_: unknown, r: Json) => <Popconfirm title={t('confirmRemove')} onConfirm={() => void act(() => api('DELETE', `/api/notification-rules/${r.id}`))}><Button size="small" danger>{t('remove')}</Button></Popconfirm> }]
              : []),
          ]}
        />
        {canWrite && (
          <Form form={ruleForm} layout="inline" style={{ marginTop: 12, rowGap: 8 }} initialValues={{ maxLevel: 2, events: ['incident_created', 'level_raised'], batchSeconds: 60 }} onFinish={(v: Json) => void addRule(v)} data-testid="rule-form">
            <Form.Item name="name" rules={[{ required: true }]}><Input placeholder={t('name')} style={{ width: 140 }} maxLength={100} /></Form.Item>
            <Form.Item name="events" rules={[{ required: true }]}><Select mode="multiple" style={{ minWidth: 260 }} placeholder={t('events')} options={EVENTS.map((e) => ({ value: e, label: t(`event_${e}`) }))} /></Form.Item>
            <Form.Item name="maxLevel"><Select style={{ width: 110 }} options={[1, 2, 3, 4].map((n) => ({ value: n, label: t('levelUpTo', { n }) }))} /></Form.Item>
            <Form.Item name="channelId" rules={[{ required: true }]}><Select style={{ width: 150 }} placeholder={t('channel')} options={channels.map((c) => ({ value: c.id, label: c.name }))} data-testid="rule-channel" /></Form.Item>
            <Form.Item name="orgUnits"><Select mode="multiple" allowClear style={{ minWidth: 140 }} placeholder={t('allOrgUnits')} options={ref.orgUnits.map((u) => ({ value: u.code, label: u.name }))} /></Form.Item>
            <Form.Item name="roles"><Select mode="multiple" allowClear style={{ minWidth: 140 }} placeholder={t('alsoRoles')} options={ROLES.map((r) => ({ value: r, label: t(`role_${r}`) }))} /></Form.Item>
            <Form.Item name="onDuty"><Select mode="multiple" allowClear style={{ minWidth: 160 }} placeholder={t('alsoOnDuty')} options={(['command', 'monitor', 'analysis', 'handling', 'expert'] as const).map((r) => ({ value: r, label: t(`duty_${r}`) }))} data-testid="rule-on-duty" /></Form.Item>
            <Form.Item name="quietFrom"><Input placeholder={t('quietFrom')} style={{ width: 90 }} maxLength={5} /></Form.Item>
            <Form.Item name="quietTo"><Input placeholder={t('quietTo')} style={{ width: 90 }} maxLength={5} /></Form.Item>
            <Form.Item name="batchSeconds" label={t('digestSeconds')}><InputNumber min={0} max={86400} style={{ width: 90 }} /></Form.Item>
            <Button htmlType="submit" type="primary" data-testid="add-rule">{t('add')}</Button>
          </Form>
        )}
      </Card>

      <Card title={t('deliveryLog')} size="small" extra={<Button size="small" onClick={load}>{t('refresh')}</Button>}>
        <Table
          rowKey="id"
          size="small"
          pagination={{ pageSize: 10 }}
          dataSource={log}
          data-testid="delivery-log"
          columns={[
            { title: t('time'), dataIndex: 'createdAt', width: 160, render: (d: string) => fmt(d) },
            { title: t('channel'), dataIndex: 'channelId', width: 120, render: (id: number) => channelName(id) },
            { title: t('subject'), dataIndex: 'subject', ellipsis: true },
            { title: t('incident'), dataIndex: 'incidentId', width: 170, render: (x: string | null) => (x ? <a href={`#/incidents/${encodeURIComponent(x)}`}>{x}</a> : '') },
            { title: t('delivery'), dataIndex: 'status', width: 100, render: (s: string) => <Tag color={s === 'sent' ? 'green' : s === 'dead' ? 'red' : 'orange'}>{t(`delivery_${s as 'sent'}`)}</Tag> },
            { title: t('attempts'), dataIndex: 'attempts', width: 70 },
            { title: t('lastError'), dataIndex: 'lastError', ellipsis: true, render: (e: string | null) => e ?? '' },
          ]}
        />
      </Card>
    </Space>
  );
}
