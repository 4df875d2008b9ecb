import { Alert, App as AntApp, Button, Card, Col, DatePicker, Descriptions, Form, Input, List, Row, Segmented, Select, Space, Steps, Table, Tag, Timeline, Typography, Upload } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useContext, useEffect, useRef, useState } from 'react';
import { api, ApiError, PHASES } from '../api';
import type { Me } from '../App';
import { LangContext, noteIn, useT } from '../i18n';
import { useErrorText } from '../errors';
import { timelineText } from '../timeline';
import { useLive } from '../live';
import { LevelTag } from './Queue';
import { pagedOver, reasonIn, titleIn, useReference } from '../reference';
import { OrderList } from './Command';
import { SpreadChart } from '../SpreadChart';
import { countdown, useNow } from '../situation';
import { AddAssetButton, AddObservableButton, AssetActions, MergeButton, MoveBackButton, ObservableActions, ObservablePivot, RegradeButton, SkipTaskButton, SplitButton, TlpTag } from './IncidentEdit';
import { IncidentFindings } from './IncidentFindings';
import { BLOCKABLE, BlockButton, IncidentBlocks } from './Countermeasures';
import { NationalGrading, RegulatoryClock } from './NationalGrading';
import { useTime } from '../time';

type Json = Record<string, any>;
/** timeline entries and spread points shown at once */
const TIMELINE_SHOWN = 300;
const SPREAD_SHOWN = 40;

/** The current phase's deadline, ticking by the second (alone, so the page does not re-render each second). */
function PhaseCountdown({ dueAt }: { dueAt: string }) {
  const t = useT();
  const c = countdown(dueAt, useNow());
  return (
    <Tag color={c.overdue ? 'red' : 'green'} data-testid="phase-countdown">
      {c.overdue ? t('phaseOverdue') : t('phaseDue')} {c.text.replace(/^-/, '')}
    </Tag>
  );
}

export function IncidentPage({ id, me }: { id: string; me: Me }) {
  const fmt = useTime();
  const t = useT();
  const { lang } = useContext(LangContext);
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [inc, setInc] = useState<Json>();
  const [why, setWhy] = useState<Json>();
  const [refusal, setRefusal] = useState<Json>();
  const [exports, setExports] = useState<Json[]>([]);
  const [orders, setOrders] = useState<Json[]>([]);
  const [users, setUsers] = useState<Json[]>([]);
  const [entryKind, setEntryKind] = useState('comment');
  // a form is exported in the console's language unless another is chosen
  const [reportLocale, setReportLocale] = useState<'zh-CN' | 'en'>(lang === 'en' ? 'en' : 'zh-CN');
  const [headerMissing, setHeaderMissing] = useState(false);
  // the indicator whose pivot is open beside the page
  const [pivot, setPivot] = useState<Json>();
  const [timelineFilter, setTimelineFilter] = useState('all');
  const [timelineAll, setTimelineAll] = useState(false);
  const timelineBox = useRef<HTMLDivElement>(null);
  // a long timeline scrolls in its box, kept at the newest entry as entries arrive
  const entryCount = (inc?.timeline?.length ?? 0) + (inc?.comments?.length ?? 0);
  useEffect(() => {
    const box = timelineBox.current;
    if (box && box.scrollHeight > box.clientHeight) box.scrollTop = box.scrollHeight;
  }, [entryCount]);
  const [entryForm] = Form.useForm();
  const mayEdit = me.permissions.includes('incident.update');
  const mayBlock = me.permissions.includes('blocks.manage');
  useEffect(() => void api('GET', '/api/users').then(setUsers, () => undefined), []);
  const [seen, setSeen] = useState<Record<string, string[]>>({});
  const ref = useReference();
  // reloads overlap (an edit's own and the live events'): only the newest one's answers are shown,
  // so an older answer arriving late never puts back what the page showed before the edit
  const loads = useRef(0);
  const load = useCallback(async () => {
    const mine = ++loads.current;
    const id_ = encodeURIComponent(id);
    const [incident, detection, reports, orderList] = await Promise.all([
      api('GET', `/api/incidents/${id_}`),
      api('GET', `/api/incidents/${id_}/detection`),
      api('GET', `/api/incidents/${id_}/reports`),
      api('GET', `/api/orders?incident=${id_}`),
    ]);
    if (mine !== loads.current) return;
    setInc(incident);
    setWhy(detection);
    setExports(reports);
    setOrders(orderList);
  }, [id]);
  useEffect(() => void load(), [load]);
  // where else each indicator turned up: the incidents that name it too
  const observableKey = ((inc?.observables ?? []) as Json[]).map((o) => o.value).join('|');
  useEffect(() => {
    const values = ((inc?.observables ?? []) as Json[]).slice(0, 20).map((o) => String(o.value));
    void Promise.all(values.map(async (v) => [v, ((await api('GET', `/api/incidents?q=${encodeURIComponent(v)}&limit=20`)).items.map((x) => String(x.id)).filter((x) => x !== id))] as const)).then((pairs) => setSeen(Object.fromEntries(pairs)));
  }, [observableKey, id]);
  useLive((ids) => {
    if (!ids || ids.includes(id)) void load();
  });
  if (!inc) return <Card loading />;

  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      setRefusal(undefined);
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.body.code === 'gate_refused') setRefusal(e.body.details as Json);
      else void message.error(errText(e));
    }
  };
  /** exports a form; an organisation without a report header is told where to set it */
  const exportForm = (form: 'closing' | 'incident_report' | 'support_request' | 'regulatory_initial' | 'regulatory_followup' | 'regulatory_summary') =>
    act(async () => {
      try {
        await api('POST', `/api/incidents/${encodeURIComponent(id)}/reports/${form}`, { format: 'docx', locale: reportLocale });
        setHeaderMissing(false);
      } catch (e) {
        const fields = e instanceof ApiError && Array.isArray(e.body.details) ? (e.body.details as Json[]).map((d) => String(d.field)) : [];
        if (!fields.includes('fields/unitName')) throw e;
        setHeaderMissing(true);
      }
    });
  // the timeline with comments, newest last; in an outbreak of thousands of hosts, filtered and the latest shown first
  const timelineEntries = [
    ...(inc.timeline as Json[]).filter((e) => timelineFilter === 'all' || (timelineFilter === 'alerts') === (e.kind === 'alert')).map((e) => ({ at: e.occurredAt as string, e, c: undefined as Json | undefined })),
    ...(timelineFilter === 'alerts' ? [] : (inc.comments as Json[])).map((c) => ({ at: c.createdAt as string, e: undefined as Json | undefined, c })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  /** a refusing gate in the console's language, the tasks that hold it named as the checklist names them */
  const gateText = (g: Json): string => {
    if (g.gate === 'blocked_still_seen') return t('gate_blocked_still_seen', { summary: lang === 'en' ? g.summary?.en : g.summary?.zh });
    if (g.gate !== 'mandatory_tasks_open') return t(`gate_${g.gate}` as 'gate_scope_missing');
    const names = ((g.tasks ?? []) as Json[]).map((x) => {
      const task = (inc.tasks as Json[]).find((y) => y.id === x.id);
      return `#${x.id} ${lang === 'en' ? (task?.titleEn ?? x.title) : x.title}`;
    });
    return t('gate_mandatory_tasks_open', { n: names.length, tasks: names.join('；') });
  };
  const current = PHASES.indexOf(inc.phase);
  const next = PHASES[current + 1];
  const tasks = (inc.tasks as Json[]).filter((x) => x.phase === inc.phase);
  const firstHost = why?.spread?.firstHost?.host;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <ObservablePivot observable={pivot} incidentId={id} canReadAlerts={me.permissions.includes('alerts.read')} onClose={() => setPivot(undefined)} />
      <Card>
        <Space align="center" wrap>
          <LevelTag level={inc.level} />
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="incident-title">
            {inc.id} {titleIn(lang, inc as { title: string; titleEn: string | null })}
          </Typography.Title>
          {inc.exercise && <Tag color="purple" data-testid="incident-exercise">{t('exerciseLong')}</Tag>}
          {inc.planId && <PlanTag id={inc.planId} />}
          <Tag>{lang === 'en' ? inc.typeName?.en : inc.typeName?.zh}</Tag>
          <Tag>{ref.unitName(inc.orgUnit)} ({inc.orgUnit})</Tag>
          {inc.phase !== 'closed' && inc.phaseDueAt && <PhaseCountdown dueAt={inc.phaseDueAt} />}
          {inc.phase !== 'closed' && <RegulatoryClock national={inc.national ?? null} />}
          <Select
            size="small"
            style={{ width: 170 }}
            placeholder={t('owner')}
            value={inc.ownerId ?? undefined}
            disabled={!mayEdit}
            allowClear
            onChange={(v?: number) => void act(() => api('PATCH', `/api/incidents/${encodeURIComponent(id)}`, { ownerId: v ?? null }))}
            options={users.filter((u) => !u.disabled).map((u) => ({ value: u.id, label: `${t('owner')}: ${u.displayName}` }))}
            data-testid="owner"
          />
          <Select
            mode="tags"
            size="small"
            style={{ minWidth: 160, maxWidth: 360 }}
            placeholder={t('tags')}
            value={inc.tags as string[]}
            disabled={!mayEdit || inc.phase === 'closed'}
            maxCount={20}
            tokenSeparators={[',', '，']}
            onChange={(v: string[]) => void act(() => api('PATCH', `/api/incidents/${encodeURIComponent(id)}`, { tags: v.map((x) => x.trim()).filter(Boolean).map((x) => x.slice(0, 50)) }))}
            options={[]}
            notFoundContent={null}
            data-testid="incident-tags"
          />
          {me.permissions.includes('incident.grade') && inc.phase !== 'closed' && <RegradeButton inc={inc} act={act} />}
          {me.permissions.includes('incident.advance') && <MoveBackButton inc={inc} act={act} />}
          {me.permissions.includes('incident.merge') && inc.phase !== 'closed' && <MergeButton inc={inc} act={act} />}
          {me.permissions.includes('incident.merge') && inc.phase !== 'closed' && <SplitButton inc={inc} signals={(why?.signals ?? []) as Json[]} act={act} />}
        </Space>
        <Steps
          style={{ marginTop: 16 }}
          size="small"
          current={current}
          data-testid="phases"
          items={PHASES.map((p) => ({ title: t(`phase_${p}` as 'phase_discovery') }))}
        />
      </Card>
      {refusal && (
        <Alert
          type="warning"
          showIcon
          data-testid="refusal"
          message={t('refused')}
          description={<ul style={{ margin: 0 }}>{(refusal.gates as Json[]).map((g) => <li key={g.gate}>{gateText(g)}</li>)}</ul>}
        />
      )}
      <Row gutter={12}>
        <Col xs={24} lg={12}>
          <Card
            title={t('tasks')}
            extra={
              next && (
                <Button type="primary" data-testid="next-phase" onClick={() => void act(() => api('POST', `/api/incidents/${encodeURIComponent(id)}/phase`, { to: next }))}>
                  {t('nextPhase')} → {t(`phase_${next}` as 'phase_discovery')}
                </Button>
              )
            }
          >
            <List
              size="small"
              rowKey="id"
              data-testid="tasks"
              data-phase={inc.phase}
              dataSource={tasks}
              locale={{ emptyText: t('none') }}
              renderItem={(task: Json) => {
                const open = task.status === 'open' || task.status === 'in_progress';
                return (
                  <List.Item
                    data-testid="task"
                    actions={
                      open && mayEdit
                        ? [
                            <Select
                              key="who"
                              size="small"
                              style={{ width: 120 }}
                              placeholder={t('assignee')}
                              allowClear
                              value={task.assigneeId ?? undefined}
                              onChange={(v?: number) => void act(() => api('PATCH', `/api/incidents/${encodeURIComponent(id)}/tasks/${task.id}`, { assigneeId: v ?? null }))}
                              options={users.filter((u) => !u.disabled).map((u) => ({ value: u.id, label: u.displayName }))}
                              data-testid="task-assignee"
                            />,
                            <Button key="done" size="small" data-testid="task-done" onClick={() => void act(() => api('PATCH', `/api/incidents/${encodeURIComponent(id)}/tasks/${task.id}`, { status: 'done' }))}>{t('markDone')}</Button>,
                            <SkipTaskButton key="skip" incidentId={id} task={{ ...task, title: lang === 'en' ? (task.titleEn ?? task.title) : task.title }} act={act} />,
                          ]
                        : [<Tag key="s" color={task.status === 'done' ? 'green' : undefined}>{t(`status_${task.status}` as 'status_done')}</Tag>]
                    }
                  >
                    <List.Item.Meta
                      title={
                        <span style={{ fontWeight: 'normal' }}>
                          {task.mandatory && <Tag color="red">*</Tag>}
                          {lang === 'en' ? (task.titleEn ?? task.title) : task.title}
                        </span>
                      }
                      description={
                        (task.note || (!open && task.doneBy)) && (
                          <span data-testid="task-note">
                            {task.note}
                            {!open && task.doneBy ? `${task.note ? ' — ' : ''}${task.doneBy}` : ''}
                          </span>
                        )
                      }
                    />
                  </List.Item>
                );
              }}
            />
            {inc.phase === 'report' && !inc.report.sentAt && (
              <Form
                layout="inline"
                style={{ marginTop: 8, rowGap: 8 }}
                initialValues={{ recipients: t('defaultRecipients'), channel: 'email' }}
                onFinish={(v: Json) => void act(() => api('POST', `/api/incidents/${encodeURIComponent(id)}/report`, { recipients: v.recipients, channel: v.channel }))}
              >
                <Form.Item name="recipients" rules={[{ required: true }]} style={{ flex: 1, minWidth: 180 }}>
                  <Input placeholder={t('recipients')} maxLength={1000} data-testid="report-recipients" />
                </Form.Item>
                <Form.Item name="channel">
                  <Select style={{ width: 110 }} options={['email', 'phone', 'im', 'paper', 'meeting'].map((c) => ({ value: c, label: t(`via_${c}` as 'via_email') }))} />
                </Form.Item>
                <Button htmlType="submit" data-testid="report-sent">{t('recordReportSent')}</Button>
              </Form>
            )}
            {inc.phase === 'summary' && (
              <Form
                layout="vertical"
                style={{ marginTop: 8 }}
                // nothing pre-chosen: what the form shows is what is saved (a pre-selected 真实事件 that was never saved let the close be refused)
                initialValues={{ resolution: inc.closure.resolution ?? undefined, conclusion: inc.closure.conclusion, recommendations: inc.closure.recommendations }}
                onFinish={(v) => void act(() => api('PATCH', `/api/incidents/${encodeURIComponent(id)}`, v))}
              >
                <Form.Item name="resolution" label={t('resolution')} rules={[{ required: true }]}>
                  <Select data-testid="resolution" placeholder={t('chooseResolution')} options={(['true_positive', 'false_positive', 'duplicate', 'drill'] as const).map((r) => ({ value: r, label: t(r) }))} />
                </Form.Item>
                <Form.Item name="conclusion" label={t('conclusion')} rules={[{ required: true }]}>
                  <Input.TextArea rows={2} data-testid="conclusion" />
                </Form.Item>
                <Form.Item name="recommendations" label={t('recommendations')}>
                  <Input.TextArea rows={2} />
                </Form.Item>
                <Button htmlType="submit" data-testid="save-closure">{t('save')}</Button>
              </Form>
            )}
          </Card>
          {inc.phase === 'closed' && (
            <Card title={t('closure')} style={{ marginTop: 12 }} data-testid="closure">
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t('resolution')}>{inc.closure.resolution ? t(inc.closure.resolution) : '—'}</Descriptions.Item>
                <Descriptions.Item label={t('conclusion')}>{inc.closure.conclusion ?? '—'}</Descriptions.Item>
                {inc.closure.recommendations && <Descriptions.Item label={t('recommendations')}>{inc.closure.recommendations}</Descriptions.Item>}
              </Descriptions>
            </Card>
          )}
          <NationalGrading inc={inc as never} act={act} may={{ grade: me.permissions.includes('incident.grade'), update: mayEdit }} exportForm={(f) => void exportForm(f)} />
          <Card title={t('reports')} style={{ marginTop: 12 }}>
            <Space wrap>
              <Segmented size="small" value={reportLocale} onChange={(v) => setReportLocale(v as 'zh-CN' | 'en')} options={[{ value: 'zh-CN', label: '中文' }, { value: 'en', label: 'English' }]} data-testid="report-locale" />
              <Button data-testid="export-closing" onClick={() => void exportForm('closing')}>{t('exportClosing')}</Button>
              <Button onClick={() => void exportForm('incident_report')}>{t('exportIncidentReport')}</Button>
              <Button onClick={() => void exportForm('support_request')}>{t('exportSupportRequest')}</Button>
            </Space>
            {headerMissing && (
              <Alert type="warning" showIcon style={{ marginTop: 8 }} data-testid="header-missing" message={<>{t('headerMissing')} {me.permissions.includes('settings.write') && <a href="#/settings/report">{t('reportHeader')}</a>}</>} />
            )}
            <List
              size="small"
              dataSource={exports}
              renderItem={(e: Json) => (
                <List.Item>
                  <a href={`/api/reports/${e.id}/download`} data-testid="report-download">{e.filename}</a>
                  <Typography.Text type="secondary" style={{ fontSize: 11 }}>SHA-256 {String(e.sha256).slice(0, 16)}…</Typography.Text>
                </List.Item>
              )}
            />
          </Card>
          <Card title={t('timeline')} style={{ marginTop: 12 }}>
            {mayEdit && (
              <Form
                form={entryForm}
                layout="inline"
                style={{ marginBottom: 12, rowGap: 8 }}
                initialValues={{ kind: 'comment' }}
                onFinish={(v: Json) =>
                  void act(async () => {
                    if (v.kind === 'comment') await api('POST', `/api/incidents/${encodeURIComponent(id)}/comments`, { text: v.text });
                    else await api('POST', `/api/incidents/${encodeURIComponent(id)}/timeline`, { text: v.text, occurredAt: (v.at ?? dayjs()).toISOString() });
                    entryForm.resetFields(['text', 'at']);
                  })
                }
              >
                <Form.Item name="kind">
                  <Segmented size="small" options={[{ value: 'comment', label: t('comment') }, { value: 'action', label: t('handlingStep') }]} onChange={(v) => setEntryKind(String(v))} data-testid="entry-kind" />
                </Form.Item>
                {entryKind === 'action' && (
                  <Form.Item name="at">
                    <DatePicker showTime format="YYYY-MM-DD HH:mm" placeholder={t('whenItHappened')} disabledDate={(d) => d.isAfter(dayjs())} />
                  </Form.Item>
                )}
                <Form.Item name="text" rules={[{ required: true }]} style={{ flex: 1, minWidth: 200 }}>
                  <Input placeholder={entryKind === 'comment' ? t('commentPlaceholder') : t('stepPlaceholder')} maxLength={5000} data-testid="entry-text" />
                </Form.Item>
                <Button htmlType="submit" type="primary" data-testid="entry-add">{t('add')}</Button>
              </Form>
            )}
            {(inc.timeline.length > TIMELINE_SHOWN || timelineFilter !== 'all') && (
              <Space style={{ marginBottom: 8 }}>
                <Segmented size="small" value={timelineFilter} onChange={(v) => setTimelineFilter(String(v))} options={[{ value: 'all', label: t('all') }, { value: 'alerts', label: t('alerts') }, { value: 'people', label: t('actionsAndComments') }]} data-testid="timeline-filter" />
                {timelineEntries.length > TIMELINE_SHOWN && !timelineAll && (
                  <Button size="small" onClick={() => setTimelineAll(true)}>{t('showEarlier', { n: timelineEntries.length - TIMELINE_SHOWN })}</Button>
                )}
              </Space>
            )}
            <div style={timelineEntries.length > 40 ? { maxHeight: '70vh', overflowY: 'auto', paddingTop: 8 } : undefined} ref={timelineBox}>
            <Timeline
              data-testid="timeline"
              items={(timelineAll ? timelineEntries : timelineEntries.slice(-TIMELINE_SHOWN)).map(({ at, e, c }: { at: string; e?: Json; c?: Json }) =>
                  c
                    ? {
                        color: 'green',
                        children: (
                          <span data-testid="comment">
                            <Typography.Text type="secondary">{fmt(at)}</Typography.Text> <Typography.Text strong>{c.author}</Typography.Text>
                            {lang === 'zh' ? '：' : ': '}
                            {c.text}
                          </span>
                        ),
                      }
                    : {
                        color: e!.kind === 'alert' ? 'red' : e!.kind.startsWith('phase') ? 'blue' : e!.source === 'system' ? 'gray' : 'purple',
                        children: (
                          <span>
                            <Typography.Text type="secondary">{fmt(at)}</Typography.Text> {timelineText(e as { kind: string; text: string; data: unknown }, lang, titleIn(lang, inc as { title: string; titleEn: string | null }), ref.typeName, (iso) => fmt(iso))}
                            {/* who did it: every person's action (phase moves, regrades, merges too); the product's own entries name no one */}
                            {(e!.kind !== 'alert' || e!.source === 'manual') && !String(e!.actor).startsWith('system:') && <Typography.Text type="secondary" data-testid="timeline-actor"> — {e!.actor}</Typography.Text>}
                          </span>
                        ),
                      },
                )}
            />
            </div>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={`${t('hosts')} (${inc.assets.length})`} extra={mayEdit && inc.phase !== 'closed' && <AddAssetButton incidentId={id} act={act} />}>
            <Table
              size="small"
              rowKey="id"
              pagination={pagedOver(inc.assets.length)}
              dataSource={inc.assets}
              data-testid="hosts"
              columns={[
                { title: 'IP', dataIndex: 'ip', render: (ip: string) => (ip === firstHost ? <Space wrap size={[4, 2]}>{ip}<Tag color="red">{t('firstHost')}</Tag></Space> : ip) },
                { title: t('hostname'), dataIndex: 'hostname', render: (h: string | null) => h ?? '' },
                { title: t('orgUnit'), dataIndex: 'orgUnit', render: (u: string | null) => ref.unitName(u) },
                { title: '#', key: 'order', render: (_: unknown, a: Json) => why?.spread?.hosts?.find((h: Json) => h.host === a.ip)?.order ?? '' },
                { title: t('note'), dataIndex: 'note', ellipsis: true, render: (n: string | null) => noteIn(n, lang) },
                ...(mayEdit && inc.phase !== 'closed' ? [{ title: '', key: 'edit', width: 130, render: (_: unknown, a: Json) => <AssetActions incidentId={id} asset={a} act={act} /> }] : []),
              ]}
            />
            {(why?.spread?.hosts?.length ?? 0) > 1 && (
              <>
                <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>{t('infectionOrder')}</Typography.Text>
                <SpreadChart hosts={(why!.spread.hosts as Json[]).slice(0, SPREAD_SHOWN) as never} height={Math.min(320, 60 + 26 * Math.min(SPREAD_SHOWN, why!.spread.hosts.length))} testId="spread-chart" />
                {why!.spread.hosts.length > SPREAD_SHOWN && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('firstNOfM', { n: SPREAD_SHOWN, m: why!.spread.hosts.length })}</Typography.Text>}
              </>
            )}
            {(why?.spread?.branches?.length ?? 0) > 0 && (
              <Descriptions size="small" column={1} style={{ marginTop: 8 }} title={t('spreadShare')}>
                {(why!.spread.branches as Json[]).map((b) => (
                  <Descriptions.Item key={b.orgUnit} label={ref.unitName(b.orgUnit)}>
                    {b.affected} / {b.inventory} ({Math.round(b.share * 1000) / 10}%)
                  </Descriptions.Item>
                ))}
              </Descriptions>
            )}
          </Card>
          <Card title={t('orders')} style={{ marginTop: 12 }} data-testid="incident-orders">
            {me.permissions.includes('orders.issue') && inc.phase !== 'closed' && (
              <Form
                layout="inline"
                style={{ marginBottom: 8, rowGap: 8 }}
                initialValues={{ orgUnit: (inc.assets as Json[]).find((a) => a.orgUnit)?.orgUnit }}
                onFinish={(v: Json) => void act(async () => {
                  const hosts = String(v.hosts ?? '').split(/[\s,，、]+/).filter(Boolean);
                  await api('POST', `/api/incidents/${encodeURIComponent(id)}/orders`, { orgUnit: v.orgUnit, instructions: v.instructions, ...(hosts.length ? { hosts } : {}) });
                  void message.success(t('orderSent'));
                })}
              >
                <Form.Item name="orgUnit" rules={[{ required: true }]}>
                  <Select style={{ width: 150 }} placeholder={t('orgUnit')} options={ref.orgUnits.map((u) => ({ value: u.code, label: `${u.name} (${u.code})` }))} data-testid="order-unit" />
                </Form.Item>
                <Form.Item name="instructions" rules={[{ required: true }]} style={{ flex: 1, minWidth: 220 }}>
                  <Input placeholder={t('instructions')} maxLength={5000} data-testid="order-instructions" />
                </Form.Item>
                <Form.Item name="hosts" style={{ width: '100%' }}>
                  <Input placeholder={t('hostsDefault')} />
                </Form.Item>
                <Button htmlType="submit" type="primary" data-testid="issue-order">{t('issueOrder')}</Button>
              </Form>
            )}
            <OrderList orders={orders} me={me} onChange={() => void load()} />
          </Card>
          <Card title={t('observables')} style={{ marginTop: 12 }} extra={mayEdit && inc.phase !== 'closed' && <AddObservableButton incidentId={id} act={act} />}>
            <Table
              size="small"
              rowKey="id"
              pagination={pagedOver(inc.observables.length)}
              dataSource={inc.observables}
              data-testid="observables"
              columns={[
                { title: t('type'), dataIndex: 'type', width: 80, render: (x: string) => t(`obs_${x}` as 'obs_ip') },
                {
                  title: t('indicator'),
                  dataIndex: 'value',
                  render: (v: string, o: Json) => (
                    <Space size={2} wrap>
                      <Typography.Link style={{ wordBreak: 'break-all' }} onClick={() => setPivot(o)} data-testid="obs-pivot">{v}</Typography.Link>
                      <TlpTag tlp={o.tlp} />
                      <TlpTag tlp={o.pap} kind="PAP" />
                      {(o.tags as string[]).map((x) => <Tag key={x} data-testid="obs-tag">{x}</Tag>)}
                      {o.note && <Typography.Text type="secondary" data-testid="obs-note-text">{noteIn(o.note, lang)}</Typography.Text>}
                    </Space>
                  ),
                },
                { title: t('seenIn'), key: 'seen', render: (_: unknown, o: Json) => (seen[o.value] ?? []).map((x) => <a key={x} href={`#/incidents/${encodeURIComponent(x)}`} style={{ marginRight: 6 }}>{x}</a>) },
                ...(mayEdit && inc.phase !== 'closed' ? [{ title: '', key: 'edit', width: 170, render: (_: unknown, o: Json) => <Space size={4}><ObservableActions incidentId={id} observable={o} act={act} />{mayBlock && BLOCKABLE[o.type] && <BlockButton incidentId={id} act={act} preset={{ kind: BLOCKABLE[o.type]!, value: String(o.value) }} label={t('block')} />}{o.type === 'account' && <Button size="small" data-testid="obs-password-reset" onClick={() => void act(() => api('POST', `/api/incidents/${encodeURIComponent(id)}/recovery-tasks`, { kind: 'password_reset', account: String(o.value) }))}>{t('passwordResetTask')}</Button>}</Space> }] : []),
              ]}
            />
          </Card>
          <IncidentBlocks incidentId={id} reloadKey={`${String(inc.updatedAt)}:${entryCount}`} act={act} may={{ manage: mayBlock, approve: me.permissions.includes('blocks.approve'), open: inc.phase !== 'closed' }} />
          {me.permissions.includes('findings.read') && <IncidentFindings incidentId={id} reloadKey={`${String(inc.updatedAt)}:${entryCount}`} canManage={me.permissions.includes('findings.manage')} patch={mayEdit && inc.phase !== 'closed' ? (findingId) => void act(() => api('POST', `/api/incidents/${encodeURIComponent(id)}/recovery-tasks`, { kind: 'patch', findingId })) : undefined} />}
          <Card title={t('levelHistory')} style={{ marginTop: 12 }}>
            <List
              size="small"
              dataSource={inc.levelHistory as Json[]}
              data-testid="level-history"
              renderItem={(l: Json) => (
                <List.Item>
                  <Typography.Text type="secondary">{fmt(l.at)}</Typography.Text>&nbsp;
                  {l.fromLevel ? `${t('levelN', { n: l.fromLevel })} → ` : ''}
                  {t('levelN', { n: l.toLevel })} {lang === 'en' ? `(${ref.typeName(l.toType)})` : `（${ref.typeName(l.toType)}）`} — {reasonIn(lang, l)}
                </List.Item>
              )}
            />
          </Card>
          <Card title={t('evidence')} style={{ marginTop: 12 }} extra={<Upload action={`/api/incidents/${encodeURIComponent(id)}/evidence`} withCredentials showUploadList={false} onChange={(i) => { if (i.file.status === 'done') void load(); if (i.file.status === 'error') void message.error(i.file.response ? errText(new ApiError((i.file.error as { status?: number } | undefined)?.status ?? 400, i.file.response as ApiError['body'])) : String(i.file.error)); }}><Button size="small" data-testid="evidence-upload">{t('upload')}</Button></Upload>}>
            <List
              size="small"
              dataSource={inc.evidence as Json[]}
              locale={{ emptyText: t('none') }}
              renderItem={(e: Json) => (
                <List.Item>
                  <a href={`/api/incidents/${encodeURIComponent(id)}/evidence/${e.id}`}>{e.filename}</a>
                  <Typography.Text type="secondary" style={{ fontSize: 11 }}>{e.size} B · SHA-256 {String(e.sha256).slice(0, 16)}…</Typography.Text>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

/** The emergency plan started on the incident: its title and version, a link to the plans. */
function PlanTag({ id }: { id: number }) {
  const t = useT();
  const [plan, setPlan] = useState<{ title: string; version: number }>();
  useEffect(() => void api('GET', `/api/plans/${id}`).then(setPlan, () => undefined), [id]);
  return plan ? <a href="#/roster"><Tag color="geekblue" data-testid="incident-plan">{t('planOf', { title: plan.title, version: plan.version })}</Tag></a> : null;
}
