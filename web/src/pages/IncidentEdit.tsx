/**
 * The analyst's edits of a case, in the console (issue 14: no API-only work): a new incident by
 * hand, affected assets and observables added, edited and removed, a regrade with a reason, a
 * phase moved back or a closed incident reopened with a reason, a task skipped with a reason.
 * Each is a small form; the page around it reloads and shows what a refusing gate says.
 */
import { App as AntApp, Button, Checkbox, DatePicker, Drawer, Form, Input, InputNumber, List, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useContext, useEffect, useState } from 'react';
import { api, PHASES } from '../api';
import { LangContext, ruleNameIn, useT } from '../i18n';
import { useTime } from '../time';
import { useErrorText } from '../errors';
import { useReference } from '../reference';

type Json = Record<string, any>;
/** runs an edit: reloads the page after it, shows a refusal or an error */
export type Act = (f: () => Promise<unknown>) => Promise<void>;

/** an edit run on the page's `act`: whether it went through (a dialog then closes) */
export async function went(act: Act, f: () => Promise<unknown>): Promise<boolean> {
  let ok = false;
  await act(async () => {
    await f();
    ok = true;
  });
  return ok;
}

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
export function ModalForm({ label, title, testId, danger, initialValues, onSubmit, children, disabled, size = 'small' }: {
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

/**
 * "新建事件": an incident by hand, graded from the grading table (or a level given with its reason),
 * with its first asset; or, given `alerts` (picked on the alert list), an incident made of those
 * alerts: detected at the earliest, titled by the first one's rule, their hosts its assets.
 */
export function NewIncidentButton({ alerts }: { alerts?: Json[] } = {}) {
  const t = useT();
  const ref = useReference();
  const { lang } = useContext(LangContext);
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const picked = alerts ?? [];
  const fromAlerts = alerts !== undefined;
  const earliest = picked.map((a) => String(a.timestamp)).sort()[0];
  const first = picked[0]?.alert as Json | undefined;
  const named = first ? (first.rule?.name ? ruleNameIn(first.rule.name, lang) : (first.message ?? '')) : '';
  return (
    <ModalForm
      label={fromAlerts ? t('newIncidentFromAlerts', { n: picked.length }) : `+ ${t('newIncident')}`}
      title={fromAlerts ? t('newIncidentFromAlerts', { n: picked.length }) : t('newIncident')}
      testId={fromAlerts ? 'new-incident-from-alerts' : 'new-incident'}
      size={fromAlerts ? 'small' : 'middle'}
      disabled={fromAlerts && picked.length === 0}
      initialValues={{ detectedAt: earliest ? dayjs(earliest) : dayjs(), title: String(named).slice(0, 200) || undefined }}
      onSubmit={async (v) => {
        const common = {
          title: v.title,
          type: v.type,
          ...(v.description ? { description: v.description } : {}),
          ...(v.orgUnit ? { orgUnit: v.orgUnit } : {}),
          detectedAt: (v.detectedAt as Dayjs).toISOString(),
          ...(v.level ? { level: v.level, levelReason: v.levelReason } : {}),
        };
        try {
          const id = fromAlerts
            ? (await api('POST', '/api/incidents/from-alerts', { ...common, alerts: picked.map((a) => Number(a.id)) })).incidentId
            : (await api('POST', '/api/incidents', { ...common, ...(v.exercise ? { exercise: true } : {}), ...(v.ip || v.hostname ? { assets: [{ ip: v.ip || null, hostname: v.hostname || null, orgUnit: v.orgUnit || null }] } : {}) })).id;
          location.hash = `#/incidents/${encodeURIComponent(id)}`;
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
      {!fromAlerts && (
        <Form.Item name="exercise" valuePropName="checked">
          <Checkbox data-testid="new-exercise">{t('exerciseCheckbox')}</Checkbox>
        </Form.Item>
      )}
      {fromAlerts ? (
        <Typography.Paragraph type="secondary" data-testid="from-alerts-hint">{t('fromAlertsHint', { n: picked.length })}</Typography.Paragraph>
      ) : (
        <Space.Compact block>
          <Form.Item name="ip" label={t('firstAssetIp')} style={{ flex: 1 }}>
            <Input maxLength={64} placeholder="10.164.1.8" data-testid="new-ip" />
          </Form.Item>
          <Form.Item name="hostname" label={t('hostname')} style={{ flex: 1 }}>
            <Input maxLength={255} />
          </Form.Item>
        </Space.Compact>
      )}
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

/** "加入事件": alerts picked on the alert list filed onto an open incident, found by id or text. */
/** An open incident, found by id or text as one types (a form field's control). */
export function OpenIncidentSelect({ testId, ...field }: { testId: string; value?: string; onChange?: (v: string) => void }) {
  const { lang } = useContext(LangContext);
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [options, setOptions] = useState<Array<{ value: string; label: string }>>([]);
  const find = (q: string) =>
    void api('GET', `/api/incidents?limit=20&phase=discovery,report,analysis,handling,summary${q.trim() ? `&q=${encodeURIComponent(q.trim())}` : ''}`).then(
      (r) => setOptions(r.items.map((x) => ({ value: x.id, label: `${x.id} ${lang === 'en' ? (x.titleEn ?? x.title) : x.title}` }))),
      (e: unknown) => void message.error(errText(e)),
    );
  return <Select {...field} showSearch filterOption={false} onSearch={find} onFocus={() => find('')} options={options} data-testid={testId} />;
}

export function AddAlertsButton({ alerts, done }: { alerts: Json[]; done: () => void }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  return (
    <ModalForm
      label={t('addAlertsToIncident', { n: alerts.length })}
      title={t('addAlertsToIncident', { n: alerts.length })}
      testId="add-alerts"
      disabled={alerts.length === 0}
      onSubmit={async (v) => {
        try {
          const r = await api('POST', `/api/incidents/${encodeURIComponent(String(v.incident))}/alerts`, { alerts: alerts.map((a) => Number(a.id)), ...(v.note ? { note: v.note } : {}) });
          void message.success(t('alertsFiled', { n: r.added, id: r.incidentId }));
          done();
          return true;
        } catch (e) {
          void message.error(errText(e));
          return false;
        }
      }}
    >
      <Form.Item name="incident" label={t('incident')} rules={[{ required: true }]}>
        <OpenIncidentSelect testId="add-alerts-incident" />
      </Form.Item>
      <Form.Item name="note" label={t('note')}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="add-alerts-note" />
      </Form.Item>
    </ModalForm>
  );
}

/** "重新定级": type and/or level with the reason (deadlines and tasks are re-planned by the server). */
export function RegradeButton({ inc, act }: { inc: Json; act: Act }) {
  const t = useT();
  const ref = useReference();
  return (
    <ModalForm
      label={t('regrade')}
      title={t('regrade')}
      testId="regrade"
      initialValues={{ type: inc.type, level: inc.level }}
      onSubmit={(v) =>
        went(act, async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(inc.id)}/grade`, { type: v.type, level: v.level, reason: v.reason });
        })
      }
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
  return (
    <ModalForm
      label={reopen ? t('reopen') : t('moveBack')}
      title={reopen ? t('reopen') : t('moveBack')}
      testId={reopen ? 'reopen' : 'move-back'}
      danger={!reopen}
      initialValues={{ to: earlier[earlier.length - 1] }}
      onSubmit={(v) =>
        went(act, async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(inc.id)}/phase`, { to: v.to, reason: v.reason });
        })
      }
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
  return (
    <ModalForm
      label={t('skip')}
      title={`${t('skip')}: ${task.title}`}
      testId="task-skip"
      onSubmit={(v) =>
        went(act, async () => {
          await api('PATCH', `/api/incidents/${encodeURIComponent(incidentId)}/tasks/${task.id}`, { status: 'skipped', note: v.note });
        })
      }
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
  return (
    <ModalForm
      label={`+ ${t('addAsset')}`}
      title={t('addAsset')}
      testId="asset-add"
      onSubmit={(v) =>
        went(act, async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(incidentId)}/assets`, { ip: orNull(v.ip) as string | null, hostname: orNull(v.hostname) as string | null, businessSystem: orNull(v.businessSystem) as string | null, orgUnit: orNull(v.orgUnit) as string | null, note: orNull(v.note) as string | null });
        })
      }
    >
      <AssetFields />
    </ModalForm>
  );
}

export function AssetActions({ incidentId, asset, act }: { incidentId: string; asset: Json; act: Act }) {
  const t = useT();
  return (
    <Space size={4}>
      <ModalForm
        label={t('edit')}
        title={`${t('edit')}: ${asset.ip ?? asset.hostname ?? asset.businessSystem}`}
        testId="asset-edit"
        initialValues={{ ip: asset.ip, hostname: asset.hostname, businessSystem: asset.businessSystem, orgUnit: asset.orgUnit ?? undefined, note: asset.note }}
        onSubmit={(v) =>
          went(act, async () => {
            await api('PATCH', `/api/incidents/${encodeURIComponent(incidentId)}/assets/${asset.id}`, { hostname: orNull(v.hostname) as string | null, businessSystem: orNull(v.businessSystem) as string | null, orgUnit: orNull(v.orgUnit) as string | null, note: orNull(v.note) as string | null });
          })
        }
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
  return (
    <ModalForm
      label={`+ ${t('addObservable')}`}
      title={t('addObservable')}
      testId="obs-add"
      initialValues={{ type: 'ip' }}
      onSubmit={(v) =>
        went(act, async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(incidentId)}/observables`, { type: v.type, value: v.value, note: orNull(v.note) as string | null, tlp: orNull(v.tlp) as never, pap: orNull(v.pap) as never, tags: v.tags ?? [] });
        })
      }
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
  return (
    <Space size={4}>
      <ModalForm
        label={t('edit')}
        title={`${t('edit')}: ${observable.value}`}
        testId="obs-edit"
        initialValues={{ note: observable.note, tlp: observable.tlp ?? undefined, pap: observable.pap ?? undefined, tags: observable.tags }}
        onSubmit={(v) =>
          went(act, async () => {
            await api('PATCH', `/api/incidents/${encodeURIComponent(incidentId)}/observables/${observable.id}`, { note: orNull(v.note) as string | null, tlp: orNull(v.tlp) as never, pap: orNull(v.pap) as never, tags: v.tags ?? [] });
          })
        }
      >
        <MarkingFields />
      </ModalForm>
      <Popconfirm title={t('removeConfirm')} onConfirm={() => act(() => api('DELETE', `/api/incidents/${encodeURIComponent(incidentId)}/observables/${observable.id}`))} okButtonProps={{ 'data-testid': 'obs-remove-ok' } as never}>
        <Button size="small" danger data-testid="obs-remove">{t('remove')}</Button>
      </Popconfirm>
    </Space>
  );
}

/** "合并": other incidents (duplicates of this one) merged into it, with the reason; each is closed as a duplicate. */
export function MergeButton({ inc, act }: { inc: Json; act: Act }) {
  const t = useT();
  const { lang } = useContext(LangContext);
  const [options, setOptions] = useState<Array<{ value: string; label: string }>>([]);
  // the open incidents, searched by id or text as one types
  const find = (q: string) =>
    void api('GET', `/api/incidents?limit=20&phase=discovery,report,analysis,handling,summary${q.trim() ? `&q=${encodeURIComponent(q.trim())}` : ''}`).then((r) =>
      setOptions(r.items.filter((x) => x.id !== inc.id).map((x) => ({ value: x.id, label: `${x.id} ${lang === 'en' ? (x.titleEn ?? x.title) : x.title}` }))),
    );
  return (
    <ModalForm
      label={t('merge')}
      title={t('mergeInto', { id: inc.id })}
      testId="merge"
      onSubmit={(v) =>
        went(act, async () => {
          await api('POST', `/api/incidents/${encodeURIComponent(inc.id)}/merge`, { from: v.from, reason: v.reason });
        })
      }
    >
      <Form.Item name="from" label={t('mergeFrom')} rules={[{ required: true }]}>
        <Select mode="multiple" showSearch filterOption={false} onSearch={find} onFocus={() => find('')} options={options} data-testid="merge-from" />
      </Form.Item>
      <Form.Item name="reason" label={t('reason')} rules={[{ required: true }]}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="merge-reason" />
      </Form.Item>
    </ModalForm>
  );
}

/** "拆分": detection signals (what matched, where) split off into a new incident, with the reason. */
export function SplitButton({ inc, signals, act }: { inc: Json; signals: Json[]; act: Act }) {
  const t = useT();
  const { lang } = useContext(LangContext);
  if (signals.length < 2) return null;
  return (
    <ModalForm
      label={t('split')}
      title={t('split')}
      testId="split"
      onSubmit={(v) =>
        went(act, async () => {
          const created = (await api('POST', `/api/incidents/${encodeURIComponent(inc.id)}/split`, { signals: v.signals, reason: v.reason })) as Json;
          if (typeof created.id === 'string') location.hash = `#/incidents/${encodeURIComponent(created.id)}`;
        })
      }
    >
      <Form.Item name="signals" label={t('splitSignals')} rules={[{ required: true }]}>
        <Select
          mode="multiple"
          data-testid="split-signals"
          options={signals.map((x) => ({ value: x.id, label: `${ruleNameIn(x.rule.title, lang)} — ${[x.sourceIp, x.destinationIp ?? x.indicator ?? x.host].filter(Boolean).join(' → ')} ×${x.count}` }))}
        />
      </Form.Item>
      <Form.Item name="reason" label={t('reason')} rules={[{ required: true }]}>
        <Input.TextArea rows={2} maxLength={2000} data-testid="split-reason" />
      </Form.Item>
    </ModalForm>
  );
}

/**
 * The pivot from an indicator, beside it: the other incidents that name it, the alerts that
 * carry it, the host behind an address in the inventory, and what threat intelligence says —
 * enrichment from what the product holds (no outside service).
 */
export function ObservablePivot({ observable, incidentId, canReadAlerts, onClose }: { observable: Json | undefined; incidentId: string; canReadAlerts: boolean; onClose: () => void }) {
  const t = useT();
  const fmt = useTime();
  const ref = useReference();
  const { lang } = useContext(LangContext);
  const [data, setData] = useState<{ incidents?: Json[]; alerts?: Json[]; assets?: Json[]; intel?: Json[] }>({});
  const value = observable?.value as string | undefined;
  useEffect(() => {
    setData({});
    if (!value) return;
    const enc = encodeURIComponent(value);
    const ip = observable!.type === 'ip';
    void api('GET', `/api/observables?q=${enc}&limit=50`).then((r) => setData((d) => ({ ...d, incidents: (r as Json[]).filter((x) => x.value === value && x.incident.id !== incidentId) })), () => setData((d) => ({ ...d, incidents: [] })));
    if (!canReadAlerts) return;
    void api('GET', `/api/alerts?${ip ? `ip=${enc}` : `q=${enc}`}&limit=20`).then((r) => setData((d) => ({ ...d, alerts: r.items as Json[] })), () => setData((d) => ({ ...d, alerts: [] })));
    void api('GET', `/api/intel/indicators?value=${enc}&limit=20`).then((r) => setData((d) => ({ ...d, intel: r as Json[] })), () => setData((d) => ({ ...d, intel: [] })));
    if (ip) void api('GET', `/api/assets?q=${enc}&limit=5`).then((r) => setData((d) => ({ ...d, assets: (r as Json[]).filter((a) => a.ip === value) })), () => setData((d) => ({ ...d, assets: [] })));
  }, [value, incidentId, canReadAlerts]);
  const section = (title: string, testId: string, items: Json[] | undefined, render: (x: Json) => React.ReactNode) => (
    <div data-testid={testId} style={{ marginBottom: 16 }}>
      <Typography.Text strong>{title}</Typography.Text>
      <List size="small" loading={!items} dataSource={items ?? []} locale={{ emptyText: t('none') }} renderItem={(x) => <List.Item style={{ wordBreak: 'break-all' }}>{render(x)}</List.Item>} />
    </div>
  );
  return (
    <Drawer open={!!observable} onClose={onClose} width={560} title={<Space wrap>{t('pivot')}: {value}<TlpTag tlp={observable?.tlp ?? null} /></Space>} data-testid="pivot" destroyOnHidden>
      {observable && (
        <Typography.Paragraph type="secondary">
          {t('firstSeen')} {fmt(observable.firstSeen)} · {t('lastSeen')} {fmt(observable.lastSeen)}
        </Typography.Paragraph>
      )}
      {section(t('otherIncidents'), 'pivot-incidents', data.incidents, (x) => (
        <Space wrap>
          <a href={`#/incidents/${encodeURIComponent(x.incident.id)}`}>{x.incident.id}</a>
          <span>{lang === 'en' ? (x.incident.titleEn ?? x.incident.title) : x.incident.title}</span>
          <Tag>{t(`phase_${x.incident.phase}` as 'phase_discovery')}</Tag>
        </Space>
      ))}
      {canReadAlerts && (
        <>
          {observable?.type === 'ip' &&
            section(t('inventory'), 'pivot-assets', data.assets, (a) => (
              <Space wrap>
                <Typography.Text strong>{a.ip}</Typography.Text>
                <span>{a.hostname ?? ''}</span>
                {a.orgUnit && <Tag>{ref.unitName(a.orgUnit)}</Tag>}
                <span>{a.businessSystem ?? ''}</span>
                {a.owner && <span>{a.owner}</span>}
              </Space>
            ))}
          {section(t('intel'), 'pivot-intel', data.intel, (x) => (
            <Space wrap>
              <Tag color="red">{x.source}</Tag>
              <span>{x.description ?? ''}</span>
              {x.confidence !== null && <span>{t('confidence')} {x.confidence}</span>}
            </Space>
          ))}
          {section(t('alertHistory'), 'pivot-alerts', data.alerts, (a) => (
            <Space wrap>
              <Typography.Text type="secondary">{fmt(a.timestamp)}</Typography.Text>
              <span>{a.alert?.source?.ip ?? '—'} → {a.alert?.destination?.ip ?? a.alert?.dns?.question?.name ?? '—'}</span>
              <span>{a.alert?.rule?.name ? ruleNameIn(a.alert.rule.name, lang) : (a.alert?.message ?? '')}</span>
            </Space>
          ))}
        </>
      )}
    </Drawer>
  );
}
