/**
 * 周期任务 Recurring work (issue 15): the work items with their repeat rule, owner and next time;
 * a new one from a common repeat (weekly, monthly, quarterly, yearly) or an RRULE of one's own;
 * and the occurrences, the nearest due first — each ended done with a result and evidence (a file,
 * or the scan imported for it), or skipped with a reason, or opened again.
 */
import { App as AntApp, Button, Card, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tag, Typography, Upload } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { type Answer, api, uploadFile } from '../api';
import { useErrorText } from '../errors';
import { type WordKey, useT } from '../i18n';
import { useReference } from '../reference';
import { useTime } from '../time';

type Item = Answer<'GET', '/api/periodic/items'>[number];
type Occurrence = Answer<'GET', '/api/periodic/occurrences'>['items'][number];
const KINDS = ['vulnerability_scan', 'baseline_check', 'security_update', 'plan_review', 'drill', 'other'] as const;
const REPEATS: Record<string, string> = { repeatWeekly: 'FREQ=WEEKLY;BYDAY=MO', repeatMonthly: 'FREQ=MONTHLY;BYMONTHDAY=1', repeatQuarterly: 'FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1', repeatYearly: 'FREQ=YEARLY' };
const STATE_COLORS: Record<string, string> = { pending: 'blue', done: 'green', skipped: 'default' };
const PAGE = 50;

export function WorkPlan({ canManage }: { canManage: boolean }) {
  const t = useT();
  const fmt = useTime();
  const ref = useReference();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [items, setItems] = useState<Item[]>();
  const [occ, setOcc] = useState<{ items: Occurrence[]; total: number }>();
  const [page, setPage] = useState(1);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [users, setUsers] = useState<Array<{ username: string; displayName: string }>>([]);
  const [editing, setEditing] = useState<Item | 'new'>();
  const [ending, setEnding] = useState<{ o: Occurrence; status: 'done' | 'skipped' }>();
  const [itemForm] = Form.useForm();
  const [endForm] = Form.useForm();
  const load = () => {
    void api('GET', '/api/periodic/items').then(setItems, (e: unknown) => void message.error(errText(e)));
    const p = new URLSearchParams({ limit: String(PAGE), offset: String((page - 1) * PAGE) });
    if (overdueOnly) p.set('overdue', 'true');
    void api('GET', `/api/periodic/occurrences?${p.toString()}`).then(setOcc, (e: unknown) => void message.error(errText(e)));
  };
  useEffect(load, [page, overdueOnly]);
  useEffect(() => void api('GET', '/api/users').then(setUsers, () => undefined), []);

  const openEditor = (item: Item | 'new') => {
    setEditing(item);
    const preset = item === 'new' ? 'repeatMonthly' : (Object.entries(REPEATS).find(([, r]) => r === item.rrule)?.[0] ?? 'repeatCustom');
    itemForm.setFieldsValue(
      item === 'new'
        ? { kind: 'vulnerability_scan', preset, start: dayjs().add(1, 'day').hour(9).minute(0), dueDays: 7, orgUnit: ref.orgUnits[0]?.code, enabled: true }
        : { ...item, preset, rrule: item.rrule, start: dayjs(item.start) },
    );
  };
  const saveItem = async (v: Record<string, any>) => {
    const body = { title: v.title, kind: v.kind, rrule: v.preset === 'repeatCustom' ? v.rrule : REPEATS[v.preset]!, start: (v.start as dayjs.Dayjs).format('YYYY-MM-DDTHH:mm'), dueDays: v.dueDays, owner: v.owner, orgUnit: v.orgUnit, description: v.description || null, enabled: v.enabled !== false };
    try {
      if (editing === 'new') await api('POST', '/api/periodic/items', body);
      else if (editing) await api('PUT', `/api/periodic/items/${editing.id}`, body);
      setEditing(undefined);
      void message.success(t('saved'));
      load();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  const end = async (v: { result?: string; note?: string; file?: Array<{ originFileObj?: File }> }) => {
    if (!ending) return;
    try {
      const file = v.file?.[0]?.originFileObj;
      await api('PATCH', `/api/periodic/occurrences/${ending.o.id}`, { status: ending.status, ...(ending.status === 'done' ? { result: v.result as 'passed' } : {}), note: v.note || null });
      if (file) await uploadFile(`/api/periodic/occurrences/${ending.o.id}/evidence`, file);
      setEnding(undefined);
      load();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  const reopen = (o: Occurrence) => void api('PATCH', `/api/periodic/occurrences/${o.id}`, { status: 'pending' }).then(load, (e: unknown) => void message.error(errText(e)));
  const scanned = (r: Record<string, any>) => {
    void message.success(t('scanImported', { format: r.format, hosts: r.hosts, found: r.found, new: r.new, reopened: r.reopened, closed: r.closed }));
    load();
  };
  const userName = (u: string) => users.find((x) => x.username === u)?.displayName ?? u;
  const preset = Form.useWatch('preset', itemForm) as string | undefined;

  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Card title={t('workItems')} extra={canManage && <Button type="primary" onClick={() => openEditor('new')} data-testid="new-work-item">{t('newWorkItem')}</Button>}>
        <Table<Item>
          rowKey="id"
          size="small"
          data-testid="work-items"
          loading={!items}
          dataSource={items}
          pagination={false}
          scroll={{ x: 900 }}
          columns={[
            { title: t('title'), dataIndex: 'title', ellipsis: true, render: (v: string, i) => (canManage ? <a onClick={() => openEditor(i)}>{v}</a> : v) },
            { title: t('workKind'), dataIndex: 'kind', width: 110, render: (k: string) => t(`work_${k}` as WordKey) },
            { title: t('repeat'), dataIndex: 'rrule', width: 200, render: (r: string) => { const p = Object.entries(REPEATS).find(([, x]) => x === r)?.[0]; return p ? t(p as WordKey) : <Typography.Text code>{r}</Typography.Text>; } },
            { title: t('owner'), dataIndex: 'owner', width: 110, render: userName },
            { title: t('orgUnit'), dataIndex: 'orgUnit', width: 110, render: (u: string) => ref.unitName(u) },
            { title: t('nextOccurrence'), dataIndex: 'next', width: 170, render: (n: string | null, i) => (i.enabled ? fmt(n) : <Tag>{t('paused')}</Tag>) },
          ]}
        />
      </Card>
      <Card title={t('occurrences')} extra={<Checkbox checked={overdueOnly} onChange={(e) => { setOverdueOnly(e.target.checked); setPage(1); }} data-testid="overdue-only">{t('overdueOnly')}</Checkbox>}>
        <Table<Occurrence>
          rowKey="id"
          size="small"
          data-testid="occurrences"
          loading={!occ}
          dataSource={occ?.items}
          scroll={{ x: 1000 }}
          pagination={{ current: page, pageSize: PAGE, total: occ?.total ?? 0, showSizeChanger: false, onChange: setPage }}
          columns={[
            { title: t('title'), dataIndex: 'title', ellipsis: true },
            { title: t('orgUnit'), dataIndex: 'orgUnit', width: 100, render: (u: string) => ref.unitName(u) },
            { title: t('owner'), dataIndex: 'owner', width: 100, render: userName },
            { title: t('scheduledAt'), dataIndex: 'scheduledAt', width: 165, render: (d: string) => fmt(d) },
            { title: t('workDue'), dataIndex: 'dueAt', width: 165, render: (d: string, o) => <Typography.Text type={o.overdue ? 'danger' : undefined}>{fmt(d)}</Typography.Text> },
            {
              title: t('status'),
              dataIndex: 'status',
              width: 170,
              render: (s: string, o) => (
                <Space size={4} wrap>
                  <Tag color={o.overdue ? 'red' : STATE_COLORS[s]} data-testid="occurrence-state">{t(`occ_${s}` as WordKey)}</Tag>
                  {o.result && <Tag>{t(`result_${o.result}` as WordKey)}</Tag>}
                  {o.escalatedAt && o.status === 'pending' && <Tag color="volcano">{t('escalated')}</Tag>}
                </Space>
              ),
            },
            {
              title: t('evidence'),
              key: 'evidence',
              width: 150,
              render: (_: unknown, o) => (
                <Space direction="vertical" size={0}>
                  {o.evidence && <a href={`/api/periodic/occurrences/${o.id}/evidence`} data-testid="occurrence-evidence">{o.evidence.filename}</a>}
                  {o.scanId && <span>{`#${o.scanId}`}</span>}
                  {o.note && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{o.note}</Typography.Text>}
                </Space>
              ),
            },
            ...(canManage
              ? [{
                  title: '',
                  key: 'act',
                  width: 230,
                  render: (_: unknown, o: Occurrence) =>
                    o.status === 'pending' ? (
                      <Space size={4} wrap>
                        <Button size="small" type="primary" onClick={() => { endForm.resetFields(); setEnding({ o, status: 'done' }); }} data-testid="occurrence-done">{t('markDone')}</Button>
                        <Button size="small" onClick={() => { endForm.resetFields(); setEnding({ o, status: 'skipped' }); }}>{t('skip')}</Button>
                        {(o.kind === 'vulnerability_scan' || o.kind === 'baseline_check') && (
                          <Upload accept=".xml,.nessus,.csv" showUploadList={false} beforeUpload={(file) => { void uploadFile(`/api/scans?occurrence=${o.id}&filename=${encodeURIComponent(file.name)}`, file, 'application/octet-stream').then(scanned, (e: unknown) => void message.error(errText(e))); return false; }}>
                            <Button size="small" data-testid="occurrence-scan">{t('scanForOccurrence')}</Button>
                          </Upload>
                        )}
                      </Space>
                    ) : (
                      <Button size="small" onClick={() => reopen(o)}>{t('reopenOccurrence')}</Button>
                    ),
                }]
              : []),
          ]}
        />
      </Card>
      <Modal open={!!editing} title={editing === 'new' ? t('newWorkItem') : t('editWorkItem')} onCancel={() => setEditing(undefined)} onOk={() => itemForm.submit()} okButtonProps={{ 'data-testid': 'work-item-ok' } as never} width={640} destroyOnHidden forceRender>
        <Form form={itemForm} layout="vertical" onFinish={(v) => void saveItem(v)}>
          <Form.Item name="title" label={t('title')} rules={[{ required: true, whitespace: true }]}><Input maxLength={200} data-testid="work-title" /></Form.Item>
          <Space wrap>
            <Form.Item name="kind" label={t('workKind')} rules={[{ required: true }]}><Select style={{ width: 160 }} options={KINDS.map((k) => ({ value: k, label: t(`work_${k}` as WordKey) }))} data-testid="work-kind" /></Form.Item>
            <Form.Item name="preset" label={t('repeat')} rules={[{ required: true }]}><Select style={{ width: 220 }} options={[...Object.keys(REPEATS), 'repeatCustom'].map((k) => ({ value: k, label: t(k as WordKey) }))} data-testid="work-repeat" /></Form.Item>
          </Space>
          {preset === 'repeatCustom' && (
            <Form.Item name="rrule" label="RRULE" extra={t('rruleHelp')} rules={[{ required: true, whitespace: true }]}><Input maxLength={500} data-testid="work-rrule" /></Form.Item>
          )}
          <Space wrap>
            <Form.Item name="start" label={t('firstTime')} rules={[{ required: true }]}><DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" data-testid="work-start" /></Form.Item>
            <Form.Item name="dueDays" label={t('dueDays')} rules={[{ required: true }]}><InputNumber min={1} max={366} data-testid="work-due-days" /></Form.Item>
          </Space>
          <Space wrap>
            <Form.Item name="owner" label={t('owner')} rules={[{ required: true }]}><Select showSearch style={{ width: 200 }} options={users.map((u) => ({ value: u.username, label: `${u.displayName} (${u.username})` }))} data-testid="work-owner" /></Form.Item>
            <Form.Item name="orgUnit" label={t('orgUnit')} rules={[{ required: true }]}><Select style={{ width: 160 }} options={ref.orgUnits.map((u) => ({ value: u.code, label: ref.unitName(u.code) }))} /></Form.Item>
            <Form.Item name="enabled" label={t('enabled')} valuePropName="checked"><Switch /></Form.Item>
          </Space>
          <Form.Item name="description" label={t('description')}><Input.TextArea rows={2} maxLength={4000} /></Form.Item>
        </Form>
      </Modal>
      <Modal open={!!ending} title={ending ? `${t(ending.status === 'done' ? 'markDone' : 'skip')} — ${ending.o.title}` : ''} onCancel={() => setEnding(undefined)} onOk={() => endForm.submit()} okButtonProps={{ 'data-testid': 'occurrence-ok' } as never} destroyOnHidden forceRender>
        <Form form={endForm} layout="vertical" onFinish={(v) => void end(v)}>
          {ending?.status === 'done' && (
            <Form.Item name="result" label={t('result')} rules={[{ required: true }]}><Select options={(['passed', 'issues', 'failed'] as const).map((r) => ({ value: r, label: t(`result_${r}`) }))} data-testid="occurrence-result" /></Form.Item>
          )}
          <Form.Item name="note" label={ending?.status === 'skipped' ? t('skipReason') : t('note')} rules={[{ required: ending?.status === 'skipped', whitespace: true }]}><Input.TextArea rows={2} maxLength={4000} data-testid="occurrence-note" /></Form.Item>
          {ending?.status === 'done' && (
            <Form.Item name="file" label={t('evidenceFile')} valuePropName="fileList" getValueFromEvent={(e: { fileList: unknown[] }) => e.fileList.slice(-1)}>
              <Upload beforeUpload={() => false} maxCount={1}><Button data-testid="occurrence-file">{t('attachEvidence')}</Button></Upload>
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Space>
  );
}
