/**
 * The analyst's edits of a case, in the console (issue 14: no API-only work): a new incident by
 * hand, affected assets and observables added, edited and removed, a regrade with a reason, a
 * phase moved back or a closed incident reopened with a reason, a task skipped with a reason.
 * Each is a small form; the page around it reloads and shows what a refusing gate says.
 */
import { App as AntApp, Button, DatePicker, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, PHASES } from '../api';
import { useT } from '../i18n';
import { useErrorText } from '../errors';
import { useReference } from '../reference';

type Json = Record<string, any>;
/** runs an edit: reloads the page after it, shows a refusal or an error */
export type Act = (f: () => Promise<unknown>) => Promise<void>;

export const OBSERVABLE_TYPES = ['ip', 'domain', 'url', 'hash', 'account', 'file_path', 'process', 'email'] as const;
export const TLP = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export const PAP = ['clear', 'green', 'amber', 'red'] as const;
/** the colours FIRST gives TLP 2.0 (clear is white on black) */
const TLP_COLORS: Record<string, string> = { clear: 'default', green: 'green', amber: 'orange', 'amber+strict': 'orange', red: 'red' };

export function TlpTag({ tlp, kind = 'TLP' }: { tlp: string | null; kind?: 'TLP' | 'PAP' }) {
  if (!tlp) return null;
  return <Tag color={TLP_COLORS[tlp]} data-testid={kind === 'TLP' ? 'obs-tlp' : 'obs-pap'}>{`${kind}:${tlp.toUpperCase()}`}</Tag>;
}

/** A form in a modal behind a button; `onSubmit` runs on the page's `act` and the modal closes when it went through. */
function ModalForm({ label, title, testId, danger, initialValues, onSubmit, children, disabled, size = 'small' }: {
  label: string;
  title: string;
  testId: string;
  danger?: boolean;
  initialValues?: Json;
  onSubmit: (v: Json) => Promise<boolean>;
  children: React.ReactNode;
  disabled?: boolean;
  size?: 'small' | 'middle';
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  return (
    <>
      <Button size={size} danger={danger} disabled={disabled} data-testid={testId} onClick={() => setOpen(true)}>{label}</Button>
      <Modal
        open={open}
        title={title}
        destroyOnHidden
        confirmLoading={busy}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okButtonProps={{ 'data-testid': `${testId}-ok` } as never}
      >
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={initialValues}
          onFinish={async (v: Json) => {
            setBusy(true);
            try {
              if (await onSubmit(v)) setOpen(false);
            } finally {
              setBusy(false);
            }
          }}
        >
          {children}
        </Form>
      </Modal>
    </>
  );
}

/** "新建事件": an incident by hand, graded from the grading table (or a level given with its reason), with its first asset and indicator. */
export function NewIncidentButton() {
  const t = useT();
  const ref = useReference();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  return (
    <ModalForm
      label={`+ ${t('newIncident')}`}
      title={t('newIncident')}
      testId="new-incident"
      size="middle"
      initialValues={{ detectedAt: dayjs() }}
      onSubmit={async (v) => {
        try {
          const created = await api('POST', '/api/incidents', {
            title: v.title,
            type: v.type,
            ...(v.description ? { description: v.description } : {}),
            ...(v.orgUnit ? { orgUnit: v.orgUnit } : {}),
            detectedAt: (v.detectedAt as Dayjs).toISOString(),
            ...(v.level ? { level: v.level, levelReason: v.levelReason } : {}),
            ...(v.ip || v.hostname ? { assets: [{ ip: v.ip || null, hostname: v.hostname || null, orgUnit: v.orgUnit || null }] } : {}),
          });
          location.hash = `#/incidents/${encodeURIComponent(created.id)}`;
          return true;
        } catch (e) {
          void message.error(errText(e));
          return false;
        }
      }}
    >
      <Form.Item name="title" label={t('title')} rules={[{ required: true }, { max: 200 }]}>
        <Input maxLength={200} data-testid="new-title" />
      </Form.Item>
      <Space.Compact block>
        <Form.Item name="type" label={t('type')} rules={[{ required: true }]} style={{ flex: 1 }}>
          <Select showSearch optionFilterProp="label" data-testid="new-type" options={ref.types.map((x) => ({ value: x.type, label: ref.typeName(x.type) }))} />
        </Form.Item>
        <Form.Item name="orgUnit" label={t('orgUnit')} style={{ flex: 1 }}>
          <Select allowClear data-testid="new-org" options={ref.orgUnits.map((u) => ({ value: u.code, label: ref.unitName(u.code) }))} />
        </Form.Item>
      </Space.Compact>
      <Form.Item name="detectedAt" label={t('detectedAt')} rules={[{ required: true }]}>
        <DatePicker showTime format="YYYY-MM-DD HH:mm" disabledDate={(d) => d.isAfter(dayjs())} />
      </Form.Item>
      <Form.Item name="description" label={t('description')}>
        <Input.TextArea rows={3} maxLength={20000} />
      </Form.Item>
      <Space.Compact block>
        <Form.Item name="ip" label={t('firstAssetIp')} style={{ flex: 1 }}>
          <Input maxLength={64} placeholder="10.164.1.8" data-testid="new-ip" />
        </Form.Item>
        <Form.Item name="hostname" label={t('hostname')} style={{ flex: 1 }}>
          <Input maxLength={255} />
        </Form.Item>
      </Space.Compact>
      <Space.Compact block>
        <Form.Item name="level" label={t('levelOverride')} style={{ width: 160 }}>
          <InputNumber min={1} max={4} precision={0} />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a, b) => a.level !== b.level}>
          {({ getFieldValue }) => (
            <Form.Item name="levelReason" label={t('reason')} style={{ flex: 1 }} rules={[{ required: !!getFieldValue('level') }]}>
              <Input maxLength={2000} disabled={!getFieldValue('level')} />
            </Form.Item>
          )}
        </Form.Item>
      </Space.Compact>
    </ModalForm>
  );
}

/** "重新定级": type and/or level with the reason (deadlines and tasks are re-planned by the server). */
export function RegradeButton({ inc, act }: { inc: Json; act: Act }) {
  const t = useT();
  const ref = useReference();
  let ok = false;
  return (
    <ModalForm
      label={t('regrade')}
      title={t('regrade')}
      testId="regrade"
      initialValues={{ type: inc.type, level: inc.level }}
      onSubmit={async (v) => {
        ok = false;
        await act(async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(inc.id)}/grade`, { type: v.type, level: v.level, reason: v.reason });
          ok = true;
        });
        return ok;
      }}
    >
      <Form.Item name="type" label={t('type')} rules={[{ required: true }]}>
        <Select showSearch optionFilterProp="label" options={ref.types.map((x) => ({ value: x.type, label: ref.typeName(x.type) }))} />
      </Form.Item>
      <Form.Item name="level" label={t('level')} rules={[{ required: true }]}>
        <Select data-testid="regrade-level" options={[1, 2, 3, 4].map((n) => ({ value: n, label: t('levelN', { n }) }))} />
      </Form.Item>
      <Form.Item name="reason" label={t('reason')} rules={[{ required: true }]}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="regrade-reason" />
      </Form.Item>
    </ModalForm>
  );
}

/** "回退阶段" (to an earlier phase) or, once closed, "重新打开": the phase to go to and the reason. */
export function MoveBackButton({ inc, act }: { inc: Json; act: Act }) {
  const t = useT();
  const current = PHASES.indexOf(inc.phase);
  if (current <= 0) return null;
  const reopen = inc.phase === 'closed';
  const earlier = PHASES.slice(0, current).filter((p) => p !== 'closed');
  let ok = false;
  return (
    <ModalForm
      label={reopen ? t('reopen') : t('moveBack')}
      title={reopen ? t('reopen') : t('moveBack')}
      testId={reopen ? 'reopen' : 'move-back'}
      danger={!reopen}
      initialValues={{ to: earlier[earlier.length - 1] }}
      onSubmit={async (v) => {
        ok = false;
        await act(async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(inc.id)}/phase`, { to: v.to, reason: v.reason });
          ok = true;
        });
        return ok;
      }}
    >
      <Form.Item name="to" label={t('toPhase')} rules={[{ required: true }]}>
        <Select options={earlier.map((p) => ({ value: p, label: t(`phase_${p}` as 'phase_discovery') }))} />
      </Form.Item>
      <Form.Item name="reason" label={t('reason')} rules={[{ required: true }]}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="move-reason" />
      </Form.Item>
    </ModalForm>
  );
}

/** "跳过": a task set aside, with the reason kept as its note. */
export function SkipTaskButton({ incidentId, task, act }: { incidentId: string; task: Json; act: Act }) {
  const t = useT();
  let ok = false;
  return (
    <ModalForm
      label={t('skip')}
      title={`${t('skip')}: ${task.title}`}
      testId="task-skip"
      onSubmit={async (v) => {
        ok = false;
        await act(async () => {
          await api('PATCH', `/api/incidents/${encodeURIComponent(incidentId)}/tasks/${task.id}`, { status: 'skipped', note: v.note });
          ok = true;
        });
        return ok;
      }}
    >
      <Form.Item name="note" label={t('reason')} rules={[{ required: true }]}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="skip-reason" />
      </Form.Item>
    </ModalForm>
  );
}

/** The asset form (add, or edit one: its address then stays). */
function AssetFields({ editing }: { editing?: boolean }) {
  const t = useT();
  const ref = useReference();
  return (
    <>
      <Form.Item name="ip" label="IP">
        <Input maxLength={64} disabled={editing} data-testid="asset-ip" />
      </Form.Item>
      <Form.Item name="hostname" label={t('hostname')}>
        <Input maxLength={255} data-testid="asset-hostname" />
      </Form.Item>
      <Form.Item name="businessSystem" label={t('businessSystem')}>
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="orgUnit" label={t('orgUnit')}>
        <Select allowClear options={ref.orgUnits.map((u) => ({ value: u.code, label: ref.unitName(u.code) }))} />
      </Form.Item>
      <Form.Item name="note" label={t('note')}>
        <Input maxLength={2000} data-testid="asset-note" />
      </Form.Item>
    </>
  );
}

const orNull = (v: unknown) => (v === undefined || v === '' ? null : v);

export function AddAssetButton({ incidentId, act }: { incidentId: string; act: Act }) {
  const t = useT();
  let ok = false;
  return (
    <ModalForm
      label={`+ ${t('addAsset')}`}
      title={t('addAsset')}
      testId="asset-add"
      onSubmit={async (v) => {
        ok = false;
        await act(async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(incidentId)}/assets`, { ip: orNull(v.ip) as string | null, hostname: orNull(v.hostname) as string | null, businessSystem: orNull(v.businessSystem) as string | null, orgUnit: orNull(v.orgUnit) as string | null, note: orNull(v.note) as string | null });
          ok = true;
        });
        return ok;
      }}
    >
      <AssetFields />
    </ModalForm>
  );
}

export function AssetActions({ incidentId, asset, act }: { incidentId: string; asset: Json; act: Act }) {
  const t = useT();
  let ok = false;
  return (
    <Space size={4}>
      <ModalForm
        label={t('edit')}
        title={`${t('edit')}: ${asset.ip ?? asset.hostname ?? asset.businessSystem}`}
        testId="asset-edit"
        initialValues={{ ip: asset.ip, hostname: asset.hostname, businessSystem: asset.businessSystem, orgUnit: asset.orgUnit ?? undefined, note: asset.note }}
        onSubmit={async (v) => {
          ok = false;
          await act(async () => {
            await api('PATCH', `/api/incidents/${encodeURIComponent(incidentId)}/assets/${asset.id}`, { hostname: orNull(v.hostname) as string | null, businessSystem: orNull(v.businessSystem) as string | null, orgUnit: orNull(v.orgUnit) as string | null, note: orNull(v.note) as string | null });
            ok = true;
          });
          return ok;
        }}
      >
        <AssetFields editing />
      </ModalForm>
      <Popconfirm title={t('removeConfirm')} onConfirm={() => act(() => api('DELETE', `/api/incidents/${encodeURIComponent(incidentId)}/assets/${asset.id}`))} okButtonProps={{ 'data-testid': 'asset-remove-ok' } as never}>
        <Button size="small" danger data-testid="asset-remove">{t('remove')}</Button>
      </Popconfirm>
    </Space>
  );
}

/** note, TLP, PAP and tags: the part of an observable an analyst marks */
function MarkingFields() {
  const t = useT();
  return (
    <>
      <Form.Item name="note" label={t('note')}>
        <Input maxLength={2000} data-testid="obs-note" />
      </Form.Item>
      <Space.Compact block>
        <Form.Item name="tlp" label="TLP" style={{ flex: 1 }}>
          <Select allowClear data-testid="obs-tlp-select" options={TLP.map((x) => ({ value: x, label: `TLP:${x.toUpperCase()}` }))} />
        </Form.Item>
        <Form.Item name="pap" label="PAP" style={{ flex: 1 }}>
          <Select allowClear options={PAP.map((x) => ({ value: x, label: `PAP:${x.toUpperCase()}` }))} />
        </Form.Item>
      </Space.Compact>
      <Form.Item name="tags" label={t('tags')} rules={[{ type: 'array', max: 20 }]}>
        <Select mode="tags" maxCount={20} tokenSeparators={[',', '，']} data-testid="obs-tags" open={false} />
      </Form.Item>
    </>
  );
}

export function AddObservableButton({ incidentId, act }: { incidentId: string; act: Act }) {
  const t = useT();
  let ok = false;
  return (
    <ModalForm
      label={`+ ${t('addObservable')}`}
      title={t('addObservable')}
      testId="obs-add"
      initialValues={{ type: 'ip' }}
      onSubmit={async (v) => {
        ok = false;
        await act(async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(incidentId)}/observables`, { type: v.type, value: v.value, note: orNull(v.note) as string | null, tlp: orNull(v.tlp) as never, pap: orNull(v.pap) as never, tags: v.tags ?? [] });
          ok = true;
        });
        return ok;
      }}
    >
      <Space.Compact block>
        <Form.Item name="type" label={t('type')} rules={[{ required: true }]} style={{ width: 140 }}>
          <Select data-testid="obs-type" options={OBSERVABLE_TYPES.map((x) => ({ value: x, label: t(`obs_${x}`) }))} />
        </Form.Item>
        <Form.Item name="value" label={t('indicator')} rules={[{ required: true }, { max: 2048 }]} style={{ flex: 1 }}>
          <Input maxLength={2048} data-testid="obs-value" />
        </Form.Item>
      </Space.Compact>
      <MarkingFields />
    </ModalForm>
  );
}

export function ObservableActions({ incidentId, observable, act }: { incidentId: string; observable: Json; act: Act }) {
  const t = useT();
  let ok = false;
  return (
    <Space size={4}>
      <ModalForm
        label={t('edit')}
        title={`${t('edit')}: ${observable.value}`}
        testId="obs-edit"
        initialValues={{ note: observable.note, tlp: observable.tlp ?? undefined, pap: observable.pap ?? undefined, tags: observable.tags }}
        onSubmit={async (v) => {
          ok = false;
          await act(async () => {
            await api('PATCH', `/api/incidents/${encodeURIComponent(incidentId)}/observables/${observable.id}`, { note: orNull(v.note) as string | null, tlp: orNull(v.tlp) as never, pap: orNull(v.pap) as never, tags: v.tags ?? [] });
            ok = true;
          });
          return ok;
        }}
      >
        <MarkingFields />
      </ModalForm>
      <Popconfirm title={t('removeConfirm')} onConfirm={() => act(() => api('DELETE', `/api/incidents/${encodeURIComponent(incidentId)}/observables/${observable.id}`))} okButtonProps={{ 'data-testid': 'obs-remove-ok' } as never}>
        <Button size="small" danger data-testid="obs-remove">{t('remove')}</Button>
      </Popconfirm>
    </Space>
  );
}
