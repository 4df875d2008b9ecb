import { App as AntApp, Button, Card, Checkbox, DatePicker, Form, Input, Modal, Radio, Segmented, Select, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useContext, useEffect, useState } from 'react';
import { type BodyOf, api } from '../api';
import { categoryName, LangContext, ruleNameIn, useT } from '../i18n';
import { useErrorText } from '../errors';
import { useReference } from '../reference';
import { useTime } from '../time';
import { BlockAlertsButton } from './Countermeasures';
import { AddAlertsButton, NewIncidentButton } from './IncidentEdit';

const CATEGORIES = ['network', 'intrusion_detection', 'threat', 'authentication', 'malware', 'process', 'web', 'email', 'file', 'iam'];
const VERDICT_COLORS: Record<string, string> = { true_positive: 'red', false_positive: 'default', ignored: 'default' };

type Json = Record<string, any>;

/** Alert search with the raw record one click away, and triage with a reason; events (context records) beside them. */
export function Alerts({ may = { create: false, update: false, block: false } }: { may?: { create: boolean; update: boolean; block: boolean } }) {
  const fmt = useTime();
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [kind, setKind] = useState<'alert' | 'event'>('alert');
  const [filters, setFilters] = useState<Json>({});
  const [rows, setRows] = useState<Json[]>();
  const [next, setNext] = useState<string | null>(null);
  const [raw, setRaw] = useState<Record<number, string>>({});
  const [triaging, setTriaging] = useState<Json>();
  // alerts picked for an incident (kept across pages of the list)
  const [picked, setPicked] = useState<Json[]>([]);
  const [form] = Form.useForm();
  const ref = useReference();
  const { lang } = useContext(LangContext);
  const query = (f: Json, cursor?: string, k = kind): `/api/alerts?${string}` => {
    const p = new URLSearchParams({ limit: '100' });
    if (k === 'event') p.set('kind', 'event');
    for (const [k, v] of Object.entries(f)) {
      if (k === 'period') {
        const [from, to] = (v ?? []) as [Dayjs | null, Dayjs | null];
        if (from) p.set('from', from.toISOString());
        if (to) p.set('to', to.toISOString());
      } else if (v) p.set(k, v === true ? '*' : String(v));
    }
    if (cursor) p.set('cursor', cursor);
    return `/api/alerts?${p.toString()}`;
  };
  const load = (f: Json, cursor?: string, k = kind) =>
    api('GET', query(f, cursor, k)).then(
      (r) => {
        setRows((old) => (cursor ? [...(old ?? []), ...r.items] : r.items));
        setNext(r.nextCursor);
      },
      (e: unknown) => void message.error(errText(e)),
    );
  useEffect(() => void load({}), []);
  const triage = async (v: BodyOf<'POST', `/api/alerts/${number}/triage`>) => {
    try {
      await api('POST', `/api/alerts/${triaging!.id}/triage`, v);
      void message.success(t('triaged'));
      setTriaging(undefined);
      form.resetFields();
      void load(filters);
    } catch (e) {
      void message.error(errText(e));
    }
  };
  return (
    <Card
      title={t('alerts')}
      extra={
        <Segmented
          data-testid="record-kind"
          value={kind}
          title={kind === 'event' ? t('eventsHint') : undefined}
          options={[
            { value: 'alert', label: t('recordKindAlerts') },
            { value: 'event', label: t('recordKindEvents') },
          ]}
          onChange={(k) => {
            const next = k as 'alert' | 'event';
            setKind(next);
            setRows(undefined);
            void load(filters, undefined, next);
          }}
        />
      }
    >
      <Form layout="inline" onFinish={(v: Json) => { setFilters(v); void load(v); }} style={{ marginBottom: 12, rowGap: 8 }}>
        <Form.Item name="q"><Input placeholder={t('freeText')} title={kind === 'event' ? t('eventsHint') : t('freeTextHint')} allowClear style={{ width: 200 }} data-testid="alert-q" /></Form.Item>
        <Form.Item name="ip"><Input placeholder={t('addressOrCidr')} allowClear style={{ width: 160 }} /></Form.Item>
        {kind === 'event' ? (
          <Form.Item name="host"><Input placeholder={t('host')} allowClear style={{ width: 160 }} data-testid="event-host" /></Form.Item>
        ) : (
          <Form.Item name="rule"><Input placeholder={t('rule')} allowClear style={{ width: 180 }} /></Form.Item>
        )}
        <Form.Item name="category"><Select placeholder={t('category')} allowClear style={{ width: 160 }} options={CATEGORIES.map((c) => ({ value: c, label: categoryName(c, lang) }))} /></Form.Item>
        <Form.Item name="orgUnit"><Select placeholder={t('orgUnit')} allowClear style={{ width: 130 }} options={ref.orgUnits.map((u) => ({ value: u.code, label: u.name }))} /></Form.Item>
        <Form.Item name="period"><DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]} /></Form.Item>
        {kind === 'alert' && <Form.Item name="indicator" valuePropName="checked"><Checkbox>{t('onlyIndicators')}</Checkbox></Form.Item>}
        <Button type="primary" htmlType="submit" data-testid="alert-search">{t('search')}</Button>
      </Form>
      {(may.create || may.update || may.block) && (
        <div style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap', marginBottom: 8 }} data-testid="alert-selection">
          <Typography.Text type="secondary">{t('selectedAlerts', { n: picked.length })}</Typography.Text>
          {may.create && <NewIncidentButton key={picked.map((a) => a.id).join(',')} alerts={picked} />}
          {may.update && <AddAlertsButton alerts={picked} done={() => { setPicked([]); void load(filters); }} />}
          {may.block && <BlockAlertsButton alerts={picked} done={() => setPicked([])} />}
        </div>
      )}
      <Table
        rowKey="id"
        size="small"
        loading={!rows}
        dataSource={rows}
        pagination={false}
        data-testid="alerts"
        rowSelection={{
          selectedRowKeys: picked.map((a) => a.id),
          preserveSelectedRowKeys: true,
          onChange: (_keys, chosen) => setPicked(chosen.filter(Boolean) as Json[]),
          getCheckboxProps: (r: Json) => ({ 'data-testid': `pick-${r.id}` }) as never,
        }}
        expandable={{
          expandedRowRender: (r: Json) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 }} data-testid="raw">{r.original ?? raw[r.id] ?? t('loading')}</pre>,
          onExpand: (open, r: Json) => {
            if (open && r.original === undefined && raw[r.id] === undefined) void api('GET', `/api/alerts/${r.id}`).then((a: Json) => setRaw((m) => ({ ...m, [r.id]: a.original })));
          },
        }}
        columns={[
          { title: t('time'), dataIndex: 'timestamp', width: 150, render: (v: string) => fmt(v) },
          { title: t('device'), dataIndex: 'format', width: 90 },
          { title: t('category'), key: 'cat', width: 140, render: (_: unknown, r: Json) => ((r.alert.event?.category ?? []) as string[]).map((c) => categoryName(c, lang)).join(lang === 'zh' ? '、' : ', ') },
          { title: t('rule'), key: 'rule', ellipsis: true, render: (_: unknown, r: Json) => (r.alert.rule?.name ? ruleNameIn(r.alert.rule.name, lang) : undefined) ?? r.alert.message ?? '' },
          ...(kind === 'event' ? [{ title: t('host'), key: 'host', width: 140, render: (_: unknown, r: Json) => r.alert.host?.name ?? '' }] : []),
          { title: t('sourceToDestination'), key: 'sd', width: 230, render: (_: unknown, r: Json) => [r.alert.source?.ip, r.alert.destination?.ip ?? r.alert.dns?.question?.name].filter(Boolean).join(' → ') },
          { title: t('indicator'), key: 'ind', width: 130, render: (_: unknown, r: Json) => (r.alert.threat?.indicator ? <Tag color="red">{r.alert.threat.indicator.value}</Tag> : null) },
          { title: t('incident'), dataIndex: 'incidents', width: 170, render: (ids: string[]) => ids.map((x) => <a key={x} href={`#/incidents/${encodeURIComponent(x)}`} style={{ marginRight: 6 }} data-testid="alert-incident">{x}</a>) },
          {
            title: t('triage'),
            key: 'tri',
            width: 110,
            render: (_: unknown, r: Json) =>
              kind === 'event' ? null : r.triage ? (
                <Tag color={VERDICT_COLORS[r.triage.verdict]} title={`${r.triage.actor}: ${r.triage.reason}`} data-testid="verdict">{t(r.triage.verdict === 'ignored' ? 'ignored' : (r.triage.verdict as 'true_positive'))}</Tag>
              ) : (
                <Button size="small" onClick={() => setTriaging(r)} data-testid="triage">{t('triage')}</Button>
              ),
          },
        ]}
      />
      {next && (
        <Button style={{ marginTop: 8 }} onClick={() => void load(filters, next)}>
          {t('more')}
        </Button>
      )}
      <Modal open={!!triaging} title={`${t('triage')} #${triaging?.id ?? ''}`} onCancel={() => setTriaging(undefined)} onOk={() => form.submit()}>
        <Typography.Paragraph type="secondary">{triaging?.alert?.rule?.name ? ruleNameIn(triaging.alert.rule.name, lang) : triaging?.alert?.message}</Typography.Paragraph>
        <Form form={form} layout="vertical" initialValues={{ verdict: 'false_positive' }} onFinish={(v) => void triage(v)}>
          <Form.Item name="verdict">
            <Radio.Group>
              <Radio value="true_positive">{t('true_positive')}</Radio>
              <Radio value="false_positive">{t('false_positive')}</Radio>
              <Radio value="ignored">{t('ignored')}</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="reason" label={t('reason')} rules={[{ required: true }]}>
            <Input.TextArea rows={2} data-testid="triage-reason" />
          </Form.Item>
          <Form.Item name="suppress" valuePropName="checked">
            <Checkbox>{t('suppress')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
