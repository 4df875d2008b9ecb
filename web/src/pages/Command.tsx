/**
 * The command group's screen (指挥): the organisation-wide warning level with its reason,
 * indicators and each branch's acknowledgement (a branch acknowledges here; the command group
 * raises or lowers the level, lowering with a reason), the history of the level, and the
 * orders sent to branches with each host's state (the branch reports it here).
 */
import { App as AntApp, Button, Card, Col, Descriptions, Form, Input, Progress, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useContext, useEffect, useState } from 'react';
import { type BodyOf, api } from '../api';
import type { Me } from '../App';
import { LangContext, useT } from '../i18n';
import { useErrorText } from '../errors';
import { useLive } from '../live';
import { pagedOver, reasonIn, titleIn, useReference } from '../reference';
import { WARNING_COLORS } from '../situation';
import { useTime } from '../time';

type Json = Record<string, any>;
const LEVELS = ['normal', 'elevated', 'high', 'critical'] as const;
const HOST_STATES = ['pending', 'found', 'isolated', 'cleaned', 'rebuilt'] as const;


export function OrderHosts({ order, me, onChange }: { order: Json; me: Me; onChange: () => void }) {
  const fmt = useTime();
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const mayReport = me.permissions.includes('incident.update') && (!me.user.orgUnit || me.user.orgUnit === order.orgUnit || me.permissions.includes('orders.issue'));
  const set = async (host: string, state: BodyOf<'PUT', `/api/orders/${number}/hosts/${string}`>['state']) => {
    try {
      await api('PUT', `/api/orders/${order.id}/hosts/${encodeURIComponent(host)}`, { state });
      onChange();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  return (
    <Table
      size="small"
      rowKey="host"
      pagination={pagedOver((order.hosts as Json[]).length)}
      dataSource={order.hosts as Json[]}
      data-testid="order-hosts"
      columns={[
        { title: t('host'), dataIndex: 'host', width: 150 },
        { title: t('hostname'), dataIndex: 'hostname', render: (h: string | null) => h ?? '' },
        {
          title: t('hostState'),
          dataIndex: 'state',
          width: 150,
          render: (s: (typeof HOST_STATES)[number], h: Json) =>
            mayReport ? (
              <Select size="small" value={s} style={{ width: 130 }} onChange={(v: (typeof HOST_STATES)[number]) => void set(h.host, v)} options={HOST_STATES.map((x) => ({ value: x, label: t(`host_${x}`) }))} data-testid="host-state" />
            ) : (
              <Tag>{t(`host_${s as 'pending'}`)}</Tag>
            ),
        },
        { title: t('updatedBy'), key: 'by', render: (_: unknown, h: Json) => (h.updatedBy ? `${h.updatedBy} · ${fmt(h.updatedAt)}` : '') },
      ]}
    />
  );
}

export function OrderList({ orders, me, onChange, showIncident }: { orders: Json[]; me: Me; onChange: () => void; showIncident?: boolean }) {
  const fmt = useTime();
  const t = useT();
  const { lang } = useContext(LangContext);
  const ref = useReference();
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={orders}
      data-testid="orders"
      locale={{ emptyText: t('none') }}
      expandable={{ expandedRowRender: (o: Json) => <OrderHosts order={o} me={me} onChange={onChange} /> }}
      columns={[
        { title: '#', dataIndex: 'id', width: 50 },
        ...(showIncident ? [{ title: t('incident'), dataIndex: 'incidentId', width: 170, render: (x: string) => <a href={`#/incidents/${encodeURIComponent(x)}`}>{x}</a> }] : []),
        { title: t('orgUnit'), dataIndex: 'orgUnit', width: 100, render: (x: string) => ref.unitName(x) },
        { title: t('title'), key: 'title', render: (_: unknown, o: Json) => <span title={o.instructions}>{titleIn(lang, o as { title: string; titleEn: string | null })}</span> },
        {
          title: t('progress'),
          key: 'progress',
          width: 150,
          render: (_: unknown, o: Json) => <Progress size="small" percent={Math.round((o.progress.done / Math.max(1, o.progress.total)) * 100)} format={() => `${o.progress.done}/${o.progress.total}`} status={o.completedAt ? 'success' : 'active'} />,
        },
        { title: t('issuedAt'), dataIndex: 'createdAt', width: 150, render: (d: string) => fmt(d) },
      ]}
    />
  );
}

export function Command({ me }: { me: Me }) {
  const fmt = useTime();
  const t = useT();
  const { lang } = useContext(LangContext);
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const ref = useReference();
  const [warning, setWarning] = useState<Json>();
  const [history, setHistory] = useState<Json[]>([]);
  const [orders, setOrders] = useState<Json[]>([]);
  const [openOnly, setOpenOnly] = useState(true);
  const [incidents, setIncidents] = useState<Json[]>([]);
  const load = useCallback(() => {
    void api('GET', '/api/warning').then(setWarning);
    void api('GET', '/api/warning/history').then(setHistory);
    void api('GET', `/api/orders${openOnly ? '?open=true' : ''}`).then(setOrders);
  }, [openOnly]);
  useEffect(load, [load]);
  useEffect(() => void api('GET', '/api/incidents?limit=100&phase=discovery,report,analysis,handling,summary').then((r) => setIncidents(r.items)), []);
  useLive(load);
  const act = async (f: () => Promise<unknown>, done?: string) => {
    try {
      await f();
      if (done) void message.success(done);
      load();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  const manage = me.permissions.includes('warning.manage');
  const mayAck = (unit: string) => me.permissions.includes('incident.update') && (manage || me.user.orgUnit === unit);
  if (!warning) return <Card loading />;
  return (
    <Row gutter={[12, 12]}>
      <Col xs={24} lg={14}>
        <Card title={t('warningLevel')} data-testid="warning-card">
          <Space align="center" style={{ marginBottom: 12 }}>
            <Tag color={WARNING_COLORS[warning.level]} style={{ fontSize: 20, padding: '6px 14px' }} data-testid="command-warning-level">
              {t(`warning_${warning.level}` as 'warning_normal')}
            </Tag>
            {warning.raisedAt && (
              <Typography.Text type="secondary">
                {String(warning.raisedBy).startsWith('system:') ? t('systemActor') : warning.raisedBy} · {fmt(warning.raisedAt)}
                {warning.incidentId && (
                  <>
                    {' · '}
                    <a href={`#/incidents/${encodeURIComponent(warning.incidentId)}`}>{warning.incidentId}</a>
                  </>
                )}
              </Typography.Text>
            )}
          </Space>
          {warning.reason && <Typography.Paragraph data-testid="warning-reason">{reasonIn(lang, warning)}</Typography.Paragraph>}
          {(warning.indicators as Json[]).length > 0 && (
            <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
              <Descriptions.Item label={t('huntFor')}>
                <Space wrap>{(warning.indicators as Json[]).map((i) => <Tag key={i.value}>{i.value}</Tag>)}</Space>
              </Descriptions.Item>
            </Descriptions>
          )}
          <Table
            size="small"
            rowKey="orgUnit"
            pagination={false}
            dataSource={warning.branches as Json[]}
            data-testid="branch-acks"
            columns={[
              { title: t('orgUnit'), key: 'unit', render: (_: unknown, b: Json) => `${b.name} (${b.orgUnit})` },
              {
                title: t('acknowledgement'),
                key: 'ack',
                render: (_: unknown, b: Json) =>
                  warning.level === 'normal' ? (
                    '—'
                  ) : b.acknowledged ? (
                    <Tag color="green">{t('acknowledgedBy', { who: b.acknowledged.by, at: fmt(b.acknowledged.at) })}</Tag>
                  ) : mayAck(b.orgUnit) ? (
                    <Button size="small" type="primary" data-testid="ack" onClick={() => void act(() => api('POST', '/api/warning/ack', { orgUnit: b.orgUnit }))}>
                      {t('acknowledge')}
                    </Button>
                  ) : (
                    <Tag color="orange">{t('waiting')}</Tag>
                  ),
              },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        {manage && (
          <Card title={t('setWarning')}>
            <Form layout="vertical" onFinish={(v: Json) => void act(() => api('PUT', '/api/warning', { level: v.level, ...(v.reason ? { reason: v.reason } : {}), ...(v.incidentId ? { incidentId: v.incidentId } : {}) }), t('saved'))}>
              <Form.Item name="level" label={t('level')} rules={[{ required: true }]}>
                <Select options={LEVELS.filter((l) => l !== warning.level).map((l) => ({ value: l, label: t(`warning_${l}`) }))} data-testid="warning-select" />
              </Form.Item>
              <Form.Item name="reason" label={t('reasonLowering')}>
                <Input.TextArea rows={2} maxLength={2000} data-testid="warning-reason-input" />
              </Form.Item>
              <Form.Item name="incidentId" label={t('incidentOptional')}>
                <Select allowClear showSearch options={incidents.map((i) => ({ value: i.id, label: `${i.id} ${titleIn(lang, i as { title: string; titleEn: string | null })}` }))} />
              </Form.Item>
              <Button htmlType="submit" type="primary" data-testid="set-warning">{t('save')}</Button>
            </Form>
          </Card>
        )}
        <Card title={t('warningHistory')} style={{ marginTop: manage ? 12 : 0 }}>
          <Table
            size="small"
            rowKey="id"
            pagination={{ pageSize: 5 }}
            dataSource={history}
            columns={[
              { title: t('time'), dataIndex: 'raisedAt', width: 150, render: (d: string) => fmt(d) },
              { title: t('level'), key: 'lv', width: 130, render: (_: unknown, w: Json) => `${t(`warning_${w.previousLevel}` as 'warning_normal')} → ${t(`warning_${w.level}` as 'warning_normal')}` },
              { title: t('reason'), key: 'reason', render: (_: unknown, w: Json) => reasonIn(lang, w) },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24}>
        <Card
          title={t('orders')}
          extra={
            <Select size="small" value={openOnly} onChange={setOpenOnly} style={{ width: 120 }} options={[{ value: true, label: t('openOrders') }, { value: false, label: t('allOrders') }]} />
          }
        >
          <OrderList orders={orders} me={me} onChange={load} showIncident />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{ref.orgUnits.length ? t('ordersHint') : ''}</Typography.Text>
        </Card>
      </Col>
    </Row>
  );
}
