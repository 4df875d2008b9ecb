/**
 * 专项行动 Campaigns (issue 15): password reviews, endpoint sweeps, penetration and phishing tests,
 * drills — each with its scope, period and lead; its findings (recorded by hand or imported from a
 * scan) tracked to closure; a drill's exercise incidents opened from it and reviewed against the
 * SLA; closed with a conclusion; the summary report exported as Word or Markdown.
 */
import { App as AntApp, Button, Card, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import type { Dayjs } from 'dayjs';
import { useContext, useEffect, useState } from 'react';
import { type Answer, api, uploadFile } from '../api';
import { useErrorText } from '../errors';
import { LangContext, type WordKey, useT } from '../i18n';
import { useReference } from '../reference';
import { useTime } from '../time';
import { SeverityTag } from './SeverityTag';

type Campaign = Answer<'GET', '/api/campaigns'>[number];
type Review = Answer<'GET', '/api/campaigns/{id}/review'>;
type Finding = Answer<'GET', '/api/findings'>['items'][number];
const KINDS = ['password_review', 'endpoint_sweep', 'penetration_test', 'phishing_test', 'drill', 'other'] as const;
const STATE_COLORS: Record<string, string> = { planned: 'default', running: 'processing', ended: 'warning', closed: 'success' };
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export function Campaigns({ canManage, canCreateIncident }: { canManage: boolean; canCreateIncident: boolean }) {
  const t = useT();
  const fmt = useTime();
  const ref = useReference();
  const { lang } = useContext(LangContext);
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [list, setList] = useState<Campaign[]>();
  const [users, setUsers] = useState<Array<{ username: string; displayName: string }>>([]);
  const [open, setOpen] = useState<Campaign>();
  const [findings, setFindings] = useState<Finding[]>([]);
  const [review, setReview] = useState<Review>();
  const [dialog, setDialog] = useState<'new' | 'finding' | 'close' | 'exercise'>();
  const [form] = Form.useForm();
  const load = () => void api('GET', '/api/campaigns').then(setList, (e: unknown) => void message.error(errText(e)));
  useEffect(load, []);
  useEffect(() => void api('GET', '/api/users').then(setUsers, () => undefined), []);
  const loadOne = async (id: number) => {
    const c = await api('GET', `/api/campaigns/${id}`);
    setOpen(c);
    setFindings((await api('GET', `/api/findings?campaign=${id}&limit=500`)).items);
    setReview(c.kind === 'drill' || c.incidents > 0 ? await api('GET', `/api/campaigns/${id}/review`) : undefined);
  };
  const show = (c: Campaign) => void loadOne(c.id).catch((e: unknown) => void message.error(errText(e)));
  const ask = (d: typeof dialog) => {
    form.resetFields();
    setDialog(d);
  };
  const submit = async (v: Record<string, any>) => {
    try {
      if (dialog === 'new') {
        const [from, to] = v.period as [Dayjs, Dayjs];
        const scopeAssets = String(v.scopeAssets ?? '').split(/[\s,，]+/).filter(Boolean);
        const c = await api('POST', '/api/campaigns', { title: v.title, kind: v.kind, scopeOrgUnits: v.scopeOrgUnits ?? [], scopeAssets, startsOn: from.format('YYYY-MM-DD'), endsOn: to.format('YYYY-MM-DD'), lead: v.lead, description: v.description || null });
        load();
        show(c);
      } else if (open && dialog === 'finding') {
        await api('POST', `/api/campaigns/${open.id}/findings`, { findings: [{ ip: v.ip, port: v.port ?? null, title: v.title, severity: v.severity, description: v.description || null, solution: v.solution || null }] });
        void message.success(t('recorded'));
      } else if (open && dialog === 'close') {
        await api('POST', `/api/campaigns/${open.id}/close`, { conclusion: v.conclusion });
        load();
      } else if (open && dialog === 'exercise') {
        const incident = await api('POST', '/api/incidents', { title: v.title, type: v.type, campaignId: open.id });
        location.hash = `#/incidents/${encodeURIComponent(incident.id)}`;
        return;
      }
      setDialog(undefined);
      if (open) await loadOne(open.id);
    } catch (e) {
      void message.error(errText(e));
    }
  };
  const report = (format: 'docx' | 'md') => `/api/campaigns/${open?.id}/report?format=${format}&locale=${lang === 'zh' ? 'zh-CN' : 'en'}`;
  const closed = open?.state === 'closed';
  const userName = (u: string) => users.find((x) => x.username === u)?.displayName ?? u;

  return (
    <Card title={t('campaigns')} extra={canManage && <Button type="primary" onClick={() => ask('new')} data-testid="new-campaign">{t('newCampaign')}</Button>}>
      <Table<Campaign>
        rowKey="id"
        size="small"
        data-testid="campaigns"
        loading={!list}
        dataSource={list}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        onRow={(c) => ({ onClick: () => show(c), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('title'), dataIndex: 'title', ellipsis: true },
          { title: t('campaignKind'), dataIndex: 'kind', width: 120, render: (k: string) => t(`campaign_${k}` as WordKey) },
          { title: t('status'), dataIndex: 'state', width: 120, render: (s: string) => <Tag color={STATE_COLORS[s]} data-testid="campaign-state">{t(`state_${s}` as WordKey)}</Tag> },
          { title: t('period'), key: 'period', width: 200, render: (_: unknown, c) => `${c.startsOn} — ${c.endsOn}` },
          { title: t('lead'), dataIndex: 'lead', width: 110, render: userName },
          { title: t('findings'), key: 'f', width: 220, render: (_: unknown, c) => t('campaignFindings', c.findings) },
        ]}
      />
      <Drawer open={!!open} width={Math.min(960, window.innerWidth - 40)} title={open?.title} onClose={() => setOpen(undefined)} destroyOnHidden data-testid="campaign-drawer"
        extra={
          <Space wrap>
            <Button href={report('docx')} data-testid="campaign-docx">{t('exportWord')}</Button>
            <Button href={report('md')}>{t('exportMarkdown')}</Button>
          </Space>
        }
      >
        {open && (
          <Space direction="vertical" style={{ width: '100%' }} size={12}>
            <Descriptions size="small" column={2} bordered items={[
              { label: t('campaignKind'), children: t(`campaign_${open.kind}` as WordKey) },
              { label: t('status'), children: <Tag color={STATE_COLORS[open.state]}>{t(`state_${open.state}` as WordKey)}</Tag> },
              { label: t('period'), children: `${open.startsOn} — ${open.endsOn}` },
              { label: t('lead'), children: userName(open.lead) },
              { label: t('scopeUnits'), children: open.scopeOrgUnits.map((u) => ref.unitName(u)).join('、') || '—' },
              { label: t('scopeAssets'), children: open.scopeAssets.join(', ') || '—' },
              ...(open.description ? [{ label: t('description'), children: open.description, span: 2 }] : []),
              ...(open.conclusion ? [{ label: t('conclusion'), children: <span data-testid="campaign-conclusion">{open.conclusion}</span>, span: 2 }] : []),
            ]} />
            {canManage && !closed && (
              <Space wrap>
                <Button onClick={() => ask('finding')} data-testid="record-finding">{t('recordFinding')}</Button>
                <Upload accept=".xml,.nessus,.csv" showUploadList={false} beforeUpload={(file) => { void uploadFile(`/api/scans?campaign=${open.id}&filename=${encodeURIComponent(file.name)}`, file, 'application/octet-stream').then(() => loadOne(open.id), (e: unknown) => void message.error(errText(e))); return false; }}>
                  <Button>{t('importScan')}</Button>
                </Upload>
                {open.kind === 'drill' && canCreateIncident && <Button onClick={() => ask('exercise')} data-testid="new-exercise">{t('newExercise')}</Button>}
                <Button danger onClick={() => ask('close')} data-testid="close-campaign">{t('closeCampaign')}</Button>
              </Space>
            )}
            <Typography.Text strong>{t('campaignFindings', open.findings)}</Typography.Text>
            <Table<Finding>
              rowKey="id"
              size="small"
              data-testid="campaign-findings"
              dataSource={findings}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              columns={[
                { title: t('severity'), dataIndex: 'severity', width: 90, render: (s: string) => <SeverityTag severity={s} /> },
                { title: t('host'), key: 'host', width: 160, render: (_: unknown, f) => `${f.ip}${f.port ? `:${f.port}` : ''}` },
                { title: t('finding'), dataIndex: 'title', ellipsis: true },
                { title: t('status'), dataIndex: 'status', width: 110, render: (s: string) => t(`finding_${s}` as WordKey) },
                { title: t('dueAt'), dataIndex: 'dueAt', width: 120, render: (d: string | null, f) => (d ? <Typography.Text type={f.overdue ? 'danger' : undefined}>{fmt(d).slice(0, 10)}</Typography.Text> : '—') },
              ]}
            />
            {review && (
              <Card size="small" title={t('drillReview')} data-testid="drill-review">
                <Table
                  rowKey={(r) => `${r.id}-${r.phase}`}
                  size="small"
                  pagination={false}
                  dataSource={review.incidents.flatMap((i) => i.phases.map((p) => ({ ...p, id: i.id, title: i.title })))}
                  columns={[
                    { title: t('incident'), dataIndex: 'id', render: (id: string, r) => <a href={`#/incidents/${encodeURIComponent(id)}`}>{`${id} ${r.title}`}</a> },
                    { title: t('phase'), dataIndex: 'phase', width: 90, render: (p: string) => t(`phase_${p}` as WordKey) },
                    { title: t('deadline'), dataIndex: 'deadline', width: 170, render: (d: string) => fmt(d) },
                    { title: t('finishedAt'), dataIndex: 'finishedAt', width: 170, render: (d: string | null) => fmt(d) },
                    { title: '', dataIndex: 'met', width: 90, render: (m: boolean | null) => (m === true ? <Tag color="green">{t('phaseMet')}</Tag> : m === false ? <Tag color="red">{t('phaseMissed')}</Tag> : <Tag>{t('phaseUnderway')}</Tag>) },
                  ]}
                />
              </Card>
            )}
          </Space>
        )}
      </Drawer>
      <Modal open={!!dialog} title={dialog === 'new' ? t('newCampaign') : dialog === 'finding' ? t('recordFinding') : dialog === 'close' ? t('closeCampaign') : t('newExercise')} onCancel={() => setDialog(undefined)} onOk={() => form.submit()} okButtonProps={{ 'data-testid': 'campaign-ok' } as never} width={640} zIndex={1100} destroyOnHidden forceRender>
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          {dialog === 'new' && (
            <>
              <Form.Item name="title" label={t('title')} rules={[{ required: true, whitespace: true }]}><Input maxLength={200} data-testid="campaign-title" /></Form.Item>
              <Space wrap>
                <Form.Item name="kind" label={t('campaignKind')} rules={[{ required: true }]}><Select style={{ width: 170 }} options={KINDS.map((k) => ({ value: k, label: t(`campaign_${k}`) }))} data-testid="campaign-kind" /></Form.Item>
                <Form.Item name="period" label={t('period')} rules={[{ required: true }]}><DatePicker.RangePicker data-testid="campaign-period" /></Form.Item>
                <Form.Item name="lead" label={t('lead')} rules={[{ required: true }]}><Select showSearch style={{ width: 180 }} options={users.map((u) => ({ value: u.username, label: `${u.displayName} (${u.username})` }))} data-testid="campaign-lead" /></Form.Item>
              </Space>
              <Form.Item name="scopeOrgUnits" label={t('scopeUnits')}><Select mode="multiple" options={ref.orgUnits.map((u) => ({ value: u.code, label: ref.unitName(u.code) }))} /></Form.Item>
              <Form.Item name="scopeAssets" label={t('scopeAssets')}><Input.TextArea rows={2} placeholder="10.164.0.0/16" data-testid="campaign-assets" /></Form.Item>
              <Form.Item name="description" label={t('description')}><Input.TextArea rows={2} maxLength={4000} /></Form.Item>
            </>
          )}
          {dialog === 'finding' && (
            <>
              <Space wrap>
                <Form.Item name="ip" label="IP" rules={[{ required: true, whitespace: true }]}><Input style={{ width: 180 }} maxLength={64} data-testid="finding-ip" /></Form.Item>
                <Form.Item name="port" label={t('port')}><InputNumber min={1} max={65535} /></Form.Item>
                <Form.Item name="severity" label={t('severity')} rules={[{ required: true }]}><Select style={{ width: 120 }} options={SEVERITIES.map((s) => ({ value: s, label: t(`severity_${s}`) }))} data-testid="finding-severity" /></Form.Item>
              </Space>
              <Form.Item name="title" label={t('finding')} rules={[{ required: true, whitespace: true }]}><Input maxLength={500} data-testid="finding-title" /></Form.Item>
              <Form.Item name="description" label={t('description')}><Input.TextArea rows={2} maxLength={20000} /></Form.Item>
              <Form.Item name="solution" label={t('solution')}><Input.TextArea rows={2} maxLength={20000} /></Form.Item>
            </>
          )}
          {dialog === 'close' && (
            <Form.Item name="conclusion" label={t('conclusion')} rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={4} maxLength={20000} data-testid="campaign-conclusion-input" /></Form.Item>
          )}
          {dialog === 'exercise' && (
            <>
              <Form.Item name="title" label={t('title')} rules={[{ required: true, whitespace: true }]}><Input maxLength={200} data-testid="exercise-title" /></Form.Item>
              <Form.Item name="type" label={t('type')} rules={[{ required: true }]}><Select showSearch optionFilterProp="label" options={ref.types.map((x) => ({ value: x.type, label: ref.typeName(x.type) }))} data-testid="exercise-type" /></Form.Item>
            </>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
