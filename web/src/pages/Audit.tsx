/**
 * The audit trail for admins and the command group: who did what and when, filtered by user,
 * action, incident and time, with the before/after of each change and whether the hash chain
 * holds (a row changed, removed or slipped in afterwards breaks it).
 */
import { Alert, Button, Card, DatePicker, Form, Input, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { useTime } from '../time';

type Json = Record<string, any>;
const PAGE = 100;

export function Audit() {
  const fmt = useTime();
  const t = useT();
  const [filters, setFilters] = useState<Json>({});
  const [rows, setRows] = useState<Json[]>();
  const [more, setMore] = useState(false);
  const [chain, setChain] = useState<{ ok: boolean; rows: number; broken?: { id: number; reason: string } }>();
  const load = (f: Json, before?: number) => {
    const p = new URLSearchParams({ limit: String(PAGE) });
    for (const [k, v] of Object.entries(f)) {
      if (k === 'period') {
        const [from, to] = (v ?? []) as [Dayjs | null, Dayjs | null];
        if (from) p.set('from', from.toISOString());
        if (to) p.set('to', to.toISOString());
      } else if (k === 'incident' && v) {
        p.set('entityType', 'incident');
        p.set('entityId', String(v).trim());
      } else if (v) p.set(k, String(v).trim());
    }
    if (before) p.set('before', String(before));
    void api('GET', `/api/audit?${p.toString()}`).then((r) => {
      setRows((old) => (before ? [...(old ?? []), ...r] : r));
      setMore(r.length === PAGE);
    });
  };
  useEffect(() => {
    load({});
    void api('GET', '/api/audit/verify').then(setChain);
  }, []);
  return (
    <Card title={t('auditTrail')} data-testid="audit">
      {chain && (
        <Alert
          style={{ marginBottom: 12 }}
          type={chain.ok ? 'success' : 'error'}
          data-testid="audit-chain"
          message={chain.ok ? t('auditChainIntact', { n: chain.rows }) : t('auditChainBroken', { id: chain.broken?.id ?? 0 })}
          description={chain.broken?.reason}
        />
      )}
      <Form
        layout="inline"
        style={{ marginBottom: 12, rowGap: 8 }}
        onFinish={(v: Json) => {
          setFilters(v);
          load(v);
        }}
      >
        <Form.Item name="actor"><Input placeholder={t('auditActor')} allowClear style={{ width: 140 }} data-testid="audit-actor" /></Form.Item>
        <Form.Item name="action"><Input placeholder={t('auditAction')} allowClear style={{ width: 180 }} /></Form.Item>
        <Form.Item name="incident"><Input placeholder={t('auditIncident')} allowClear style={{ width: 190 }} /></Form.Item>
        <Form.Item name="period"><DatePicker.RangePicker showTime /></Form.Item>
        <Button type="primary" htmlType="submit" data-testid="audit-search">{t('search')}</Button>
      </Form>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={rows}
        expandable={{ expandedRowRender: (r: Json) => <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0, fontSize: 12 }}>{JSON.stringify({ before: r.before, after: r.after }, null, 2)}</pre> }}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          { title: t('time'), dataIndex: 'at', width: 190, render: (v: string) => fmt(v) },
          { title: t('auditActor'), dataIndex: 'actor', width: 150, ellipsis: true },
          { title: t('auditAction'), dataIndex: 'action', width: 200, render: (v: string) => <Tag>{v}</Tag> },
          { title: t('auditEntity'), key: 'entity', ellipsis: true, render: (_: unknown, r: Json) => (r.entityType === 'incident' ? <a href={`#/incidents/${encodeURIComponent(r.entityId)}`}>{r.entityId}</a> : `${r.entityType} ${r.entityId}`) },
        ]}
      />
      {more && (
        <Button style={{ marginTop: 8 }} onClick={() => load(filters, rows?.at(-1)?.id as number)}>
          {t('loadMore')}
        </Button>
      )}
    </Card>
  );
}
