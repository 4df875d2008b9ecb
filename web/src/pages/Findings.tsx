/**
 * 周期工作 Periodic work — findings (issue 15): scans imported as the tools wrote them (Nmap,
 * OpenVAS/GVM, Nessus, the baseline CSV), each finding worked to closure (fixing, fixed, verified)
 * or accepted as a risk with its reason and a date, the counts per severity, the nearest due first.
 */
import { App as AntApp, Button, Card, Col, DatePicker, Form, Input, Modal, Row, Select, Space, Statistic, Table, Tag, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { type Answer, api, uploadFile } from '../api';
import { useErrorText } from '../errors';
import { type WordKey, useT } from '../i18n';
import { useReference } from '../reference';
import { useTime } from '../time';
import { SeverityTag } from './SeverityTag';

type Finding = Answer<'GET', '/api/findings'>['items'][number];
type Status = Finding['status'];
const STATUSES: Status[] = ['open', 'fixing', 'fixed', 'verified', 'accepted'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
const STATUS_COLORS: Record<string, string> = { open: 'red', fixing: 'orange', fixed: 'blue', verified: 'green', accepted: 'purple' };
const PAGE = 50;

/** `q`: the search the address asks for (the asset list links a host's findings as #/periodic/findings?q=ip) */
export function Findings({ canManage, q }: { canManage: boolean; q?: string }) {
  const t = useT();
  const fmt = useTime();
  const ref = useReference();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [filter, setFilter] = useState<{ status: Status[]; severity: string[]; q?: string; orgUnit?: string }>({ status: ['open', 'fixing', 'fixed'], severity: [], q });
  const [page, setPage] = useState(1);
  const [list, setList] = useState<{ items: Finding[]; total: number }>();
  const [summary, setSummary] = useState<Answer<'GET', '/api/findings/summary'>>();
  const [moving, setMoving] = useState<{ finding: Finding; to: Status }>();
  const [form] = Form.useForm();
  const load = () => {
    const p = new URLSearchParams({ limit: String(PAGE), offset: String((page - 1) * PAGE) });
    if (filter.status.length) p.set('status', filter.status.join(','));
    if (filter.severity.length) p.set('severity', filter.severity.join(','));
    if (filter.q) p.set('q', filter.q);
    if (filter.orgUnit) p.set('orgUnit', filter.orgUnit);
    void api('GET', `/api/findings?${p.toString()}`).then(setList, (e: unknown) => void message.error(errText(e)));
    void api('GET', filter.orgUnit ? `/api/findings/summary?orgUnit=${encodeURIComponent(filter.orgUnit)}` : '/api/findings/summary').then(setSummary, () => undefined);
  };
  useEffect(load, [filter, page]);
  const imported = (r: Record<string, any>) => {
    const problems = (r.problems ?? []) as Array<{ at: string; reason: string }>;
    const text = t('scanImported', { format: r.format, hosts: r.hosts, found: r.found, new: r.new, reopened: r.reopened, closed: r.closed });
    if (!problems.length) void message.success(text);
    else Modal.warning({ title: text, width: 640, content: <ul data-testid="scan-problems">{problems.slice(0, 50).map((p, i) => <li key={i}>{`${p.at}: ${p.reason}`}</li>)}</ul> });
    load();
  };
  const move = async (v: { note?: string; until?: Dayjs }) => {
    if (!moving) return;
    try {
      await api('PATCH', `/api/findings/${moving.finding.id}`, { status: moving.to, ...(v.note ? { note: v.note } : {}), ...(v.until ? { acceptedUntil: v.until.toISOString() } : {}) });
      setMoving(undefined);
      form.resetFields();
      load();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  const needsNote = moving && (moving.to === 'accepted' || moving.to === 'verified' || moving.finding.status === 'verified');
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Row gutter={12}>
        {SEVERITIES.filter((s) => s !== 'info').map((s) => (
          <Col key={s} xs={12} md={6}>
            <Card size="small" data-testid={`summary-${s}`}>
              <Statistic title={<SeverityTag severity={s} />} value={summary?.bySeverity[s]?.open ?? 0} suffix={summary?.bySeverity[s]?.overdue ? <Typography.Text type="danger" style={{ fontSize: 13 }}>{t('overdueN', { n: summary.bySeverity[s]!.overdue })}</Typography.Text> : undefined} />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('closedN', { n: summary?.bySeverity[s]?.closed ?? 0 })}
                {summary?.bySeverity[s]?.meanDaysToFix != null ? ` · ${t('meanDaysToFix', { n: summary.bySeverity[s]!.meanDaysToFix! })}` : ''}
              </Typography.Text>
            </Card>
          </Col>
        ))}
      </Row>
      <Card
        title={t('findings')}
        extra={
          canManage && (
            <Upload accept=".xml,.nessus,.csv" showUploadList={false} beforeUpload={(file) => { void uploadFile(`/api/scans?filename=${encodeURIComponent(file.name)}`, file, 'application/octet-stream').then(imported, (e: unknown) => void message.error(errText(e))); return false; }}>
              <Button type="primary" data-testid="import-scan">{t('importScan')}</Button>
            </Upload>
          )
        }
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>{t('importScanHint')}</Typography.Paragraph>
        <Space wrap style={{ marginBottom: 12 }}>
          <Select mode="multiple" allowClear style={{ minWidth: 220 }} placeholder={t('status')} value={filter.status} onChange={(v: Status[]) => { setFilter((f) => ({ ...f, status: v })); setPage(1); }} options={STATUSES.map((s) => ({ value: s, label: t(`finding_${s}` as WordKey) }))} data-testid="finding-status" />
          <Select mode="multiple" allowClear style={{ minWidth: 160 }} placeholder={t('severity')} value={filter.severity} onChange={(v: string[]) => { setFilter((f) => ({ ...f, severity: v })); setPage(1); }} options={SEVERITIES.map((s) => ({ value: s, label: t(`severity_${s}` as WordKey) }))} />
          <Select allowClear style={{ width: 150 }} placeholder={t('orgUnit')} value={filter.orgUnit} onChange={(v?: string) => { setFilter((f) => ({ ...f, orgUnit: v })); setPage(1); }} options={ref.orgUnits.map((u) => ({ value: u.code, label: ref.unitName(u.code) }))} />
          <Input.Search allowClear style={{ width: 260 }} placeholder={t('findingSearch')} maxLength={200} defaultValue={q} onSearch={(v) => { setFilter((f) => ({ ...f, q: v.trim() || undefined })); setPage(1); }} data-testid="finding-q" />
        </Space>
        <Table<Finding>
          rowKey="id"
          size="small"
          data-testid="findings"
          loading={!list}
          dataSource={list?.items}
          scroll={{ x: 1000 }}
          pagination={{ current: page, pageSize: PAGE, total: list?.total ?? 0, showSizeChanger: false, onChange: setPage, showTotal: (n) => t('findingTotal', { n }) }}
          expandable={{
            expandedRowRender: (f) => (
              <div style={{ fontSize: 13, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {f.description && <p>{f.description}</p>}
                {f.solution && <p><b>{t('solution')}：</b>{f.solution}</p>}
                {f.evidence && <p><b>{t('evidence')}：</b>{f.evidence.slice(0, 2000)}</p>}
                {f.cves.length > 0 && <p>{f.cves.join(', ')}</p>}
                {f.statusNote && <p><b>{t('note')}：</b>{f.statusNote}{f.statusBy ? ` — ${f.statusBy}` : ''}</p>}
              </div>
            ),
          }}
          columns={[
            { title: t('severity'), dataIndex: 'severity', width: 90, render: (s: string) => <SeverityTag severity={s} /> },
            { title: t('host'), key: 'host', width: 190, render: (_: unknown, f) => <span>{f.ip}{f.port ? `:${f.port}` : ''}{f.hostname ? <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>{f.hostname}</Typography.Text> : null}</span> },
            { title: t('finding'), dataIndex: 'title', ellipsis: true },
            { title: t('orgUnit'), dataIndex: 'orgUnit', width: 110, render: (u: string | null) => (u ? ref.unitName(u) : '') },
            { title: t('status'), dataIndex: 'status', width: 100, render: (s: string, f) => <Tag color={STATUS_COLORS[s]} data-testid="finding-state">{t(`finding_${s}` as WordKey)}{f.reopened ? ` ×${f.reopened + 1}` : ''}</Tag> },
            { title: t('dueAt'), dataIndex: 'dueAt', width: 130, render: (d: string | null, f) => (d ? <Typography.Text type={f.overdue ? 'danger' : undefined}>{fmt(d).slice(0, 10)}</Typography.Text> : '—') },
            ...(canManage
              ? [{
                  title: '',
                  key: 'move',
                  width: 150,
                  render: (_: unknown, f: Finding) => (
                    <Select size="small" style={{ width: 140 }} placeholder={t('moveTo')} value={null} onChange={(to: Status) => setMoving({ finding: f, to })} options={f.moves.map((s) => ({ value: s, label: t(`finding_${s}` as WordKey) }))} data-testid="finding-move" />
                  ),
                }]
              : []),
          ]}
        />
      </Card>
      <Modal open={!!moving} title={moving ? `${t(`finding_${moving.to}` as WordKey)} — ${moving.finding.title}` : ''} onCancel={() => setMoving(undefined)} onOk={() => form.submit()} okButtonProps={{ 'data-testid': 'finding-move-ok' } as never} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void move(v)} preserve={false}>
          <Form.Item name="note" label={moving?.to === 'accepted' ? t('acceptReason') : t('note')} rules={[{ required: !!needsNote }]}>
            <Input.TextArea rows={2} maxLength={2000} data-testid="finding-note" />
          </Form.Item>
          {moving?.to === 'accepted' && (
            <Form.Item name="until" label={t('acceptedUntil')} rules={[{ required: true }]} initialValue={dayjs().add(90, 'day')}>
              <DatePicker disabledDate={(d) => d.isBefore(dayjs()) || d.isAfter(dayjs().add(366, 'day'))} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Space>
  );
}
