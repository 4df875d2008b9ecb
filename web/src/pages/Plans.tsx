/**
 * 应急预案 Emergency plans (issue 15): every version with what it covers, its state and review date
 * (overdue in red) and its document; a plan written or revised (a new draft version) with its steps
 * and contacts; a draft approved; the document attached.
 */
import { App as AntApp, Button, Card, DatePicker, Form, Input, Modal, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { type Answer, api, uploadFile } from '../api';
import { useErrorText } from '../errors';
import { type WordKey, useT } from '../i18n';
import { useReference } from '../reference';

type Plan = Answer<'GET', '/api/plans'>[number];
const PHASES = ['discovery', 'report', 'analysis', 'handling', 'summary'] as const;
const STATUS_COLORS: Record<string, string> = { draft: 'default', approved: 'green', retired: 'red' };

export function Plans({ canManage }: { canManage: boolean }) {
  const t = useT();
  const ref = useReference();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [plans, setPlans] = useState<Plan[]>();
  const [editing, setEditing] = useState<Plan | 'new'>();
  const [form] = Form.useForm();
  const load = () => void api('GET', '/api/plans').then(setPlans, (e: unknown) => void message.error(errText(e)));
  useEffect(load, []);
  const open = (p: Plan | 'new') => {
    setEditing(p);
    form.setFieldsValue(p === 'new' ? { incidentTypes: [], levels: [1, 2], orgUnits: [], steps: [{ phase: 'discovery' }], contacts: [{}], reviewDue: dayjs().add(1, 'year') } : { ...p, reviewDue: dayjs(p.reviewDue) });
  };
  const save = async (v: Record<string, any>) => {
    const body = {
      title: v.title,
      scope: v.scope || null,
      incidentTypes: v.incidentTypes ?? [],
      levels: v.levels ?? [],
      orgUnits: v.orgUnits ?? [],
      organisation: v.organisation || null,
      steps: ((v.steps ?? []) as Array<{ phase: 'discovery'; title: string }>).filter((s) => s?.title),
      resources: v.resources || null,
      contacts: ((v.contacts ?? []) as Array<Record<string, string>>).filter((c) => c?.name).map((c) => ({ name: c.name!, role: c.role || null, phone: c.phone || null, email: c.email || null })),
      reviewDue: (v.reviewDue as Dayjs).format('YYYY-MM-DD'),
    };
    try {
      if (editing === 'new') await api('POST', '/api/plans', body);
      else if (editing) await api('POST', `/api/plans/${editing.id}/versions`, body);
      setEditing(undefined);
      load();
    } catch (e) {
      void message.error(errText(e));
    }
  };
  const act = (p: Promise<unknown>) => void p.then(load, (e: unknown) => void message.error(errText(e)));
  const covers = (p: Plan) =>
    [p.incidentTypes.length ? p.incidentTypes.map((x) => ref.typeName(x)).join('、') : t('allTypes'), p.levels.length ? p.levels.map((n) => t('levelN', { n })).join('/') : t('allLevels'), p.orgUnits.map((u) => ref.unitName(u)).join('、')].filter(Boolean).join(' · ');
  return (
    <Card title={t('plans')} extra={canManage && <Button onClick={() => open('new')} data-testid="new-plan">{t('newPlan')}</Button>}>
      <Table<Plan>
        rowKey="id"
        size="small"
        data-testid="plans"
        loading={!plans}
        dataSource={plans}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        columns={[
          { title: t('title'), dataIndex: 'title', ellipsis: true, render: (v: string, p) => <span>{v} <Typography.Text type="secondary">{t('planVersion', { n: p.version })}</Typography.Text></span> },
          { title: t('status'), dataIndex: 'status', width: 90, render: (s: string) => <Tag color={STATUS_COLORS[s]} data-testid="plan-status">{t(`plan_${s}` as WordKey)}</Tag> },
          { title: t('covers'), key: 'covers', width: 260, render: (_: unknown, p) => covers(p) },
          { title: t('reviewDue'), dataIndex: 'reviewDue', width: 150, render: (d: string, p) => (p.reviewOverdue ? <Typography.Text type="danger" data-testid="plan-review-overdue">{`${d} ${t('reviewOverdue')}`}</Typography.Text> : d) },
          { title: '', key: 'file', width: 140, render: (_: unknown, p) => (p.file ? <a href={`/api/plans/${p.id}/file`}>{p.file.name}</a> : '') },
          ...(canManage
            ? [{
                title: '',
                key: 'act',
                width: 260,
                render: (_: unknown, p: Plan) => (
                  <Space size={4} wrap>
                    {p.status === 'draft' && <Button size="small" type="primary" onClick={() => act(api('POST', `/api/plans/${p.id}/approve`))} data-testid="plan-approve">{t('approve')}</Button>}
                    {p.status !== 'retired' && <Button size="small" onClick={() => open(p)}>{t('newVersion')}</Button>}
                    <Upload accept=".docx,.pdf,.doc" showUploadList={false} beforeUpload={(file) => { act(uploadFile(`/api/plans/${p.id}/file`, file)); return false; }}>
                      <Button size="small">{t('attachDocument')}</Button>
                    </Upload>
                  </Space>
                ),
              }]
            : []),
        ]}
      />
      <Modal open={!!editing} title={editing === 'new' ? t('newPlan') : t('newVersion')} onCancel={() => setEditing(undefined)} onOk={() => form.submit()} width={820} destroyOnHidden forceRender okButtonProps={{ 'data-testid': 'plan-ok' } as never}>
        <Form form={form} layout="vertical" onFinish={(v) => void save(v)}>
          <Form.Item name="title" label={t('title')} rules={[{ required: true, whitespace: true }]}><Input maxLength={200} data-testid="plan-title" /></Form.Item>
          <Space wrap>
            <Form.Item name="incidentTypes" label={t('type')}><Select mode="multiple" allowClear style={{ minWidth: 240 }} placeholder={t('allTypes')} optionFilterProp="label" options={ref.types.map((x) => ({ value: x.type, label: ref.typeName(x.type) }))} data-testid="plan-types" /></Form.Item>
            <Form.Item name="levels" label={t('level')}><Select mode="multiple" allowClear style={{ minWidth: 160 }} placeholder={t('allLevels')} options={[1, 2, 3, 4].map((l) => ({ value: l, label: t('levelN', { n: l }) }))} /></Form.Item>
            <Form.Item name="orgUnits" label={t('orgUnit')}><Select mode="multiple" allowClear style={{ minWidth: 160 }} options={ref.orgUnits.map((u) => ({ value: u.code, label: ref.unitName(u.code) }))} /></Form.Item>
            <Form.Item name="reviewDue" label={t('reviewDue')} rules={[{ required: true }]}><DatePicker /></Form.Item>
          </Space>
          <Form.Item label={t('planSteps')}>
            <Form.List name="steps">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline">
                      <Form.Item name={[f.name, 'phase']} initialValue="handling"><Select style={{ width: 100 }} options={PHASES.map((p) => ({ value: p, label: t(`phase_${p}` as WordKey) }))} /></Form.Item>
                      <Form.Item name={[f.name, 'title']}><Input style={{ width: 520 }} maxLength={300} data-testid="plan-step" /></Form.Item>
                      <Button size="small" onClick={() => remove(f.name)}>×</Button>
                    </Space>
                  ))}
                  <Button size="small" onClick={() => add({ phase: 'handling' })}>{t('addStep')}</Button>
                </>
              )}
            </Form.List>
          </Form.Item>
          <Form.Item label={t('planContacts')}>
            <Form.List name="contacts">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline" wrap>
                      <Form.Item name={[f.name, 'name']}><Input placeholder={t('personName')} style={{ width: 120 }} maxLength={100} /></Form.Item>
                      <Form.Item name={[f.name, 'role']}><Input placeholder={t('position')} style={{ width: 140 }} maxLength={100} /></Form.Item>
                      <Form.Item name={[f.name, 'phone']}><Input placeholder={t('phone')} style={{ width: 140 }} maxLength={50} /></Form.Item>
                      <Form.Item name={[f.name, 'email']}><Input placeholder={t('email')} style={{ width: 200 }} maxLength={254} /></Form.Item>
                      <Button size="small" onClick={() => remove(f.name)}>×</Button>
                    </Space>
                  ))}
                  <Button size="small" onClick={() => add({})}>{t('addContact')}</Button>
                </>
              )}
            </Form.List>
          </Form.Item>
          <Form.Item name="organisation" label={t('organisationDuties')}><Input.TextArea rows={2} maxLength={20000} /></Form.Item>
          <Form.Item name="resources" label={t('resources')}><Input.TextArea rows={2} maxLength={20000} /></Form.Item>
          <Form.Item name="scope" label={t('planScope')}><Input.TextArea rows={2} maxLength={20000} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
