import { App as AntApp, Button, Card, Checkbox, Form, Input, InputNumber, Popconfirm, Select, Space, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { useContext, useEffect, useState } from 'react';
import { type Answer, type BodyOf, api, uploadFile } from '../api';
import type { Me } from '../App';
import { LangContext, type WordKey, useT } from '../i18n';
import { SEVERITY_COLORS, SEVERITY_ORDER } from './SeverityTag';
import { fieldName, rowProblemText, useErrorText } from '../errors';
import { Notifications } from './Notifications';
import { reloadReference } from '../reference';
import { TotpSetup } from './TotpSetup';

type Json = Record<string, any>;

function useLoad<const U extends `/api/${string}`>(url: U): [Answer<'GET', U> | undefined, () => void] {
  const [data, setData] = useState<Answer<'GET', U>>();
  // the URL is a type parameter here: the route is checked where useLoad is called
  const load = () => void (api as unknown as (m: 'GET', u: string) => Promise<Answer<'GET', U>>)('GET', url).then(setData, () => setData(undefined));
  useEffect(load, [url]);
  return [data, load];
}

/** Uploads a file's text to an import endpoint. */
function Grading({ canWrite }: { canWrite: boolean }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [table, reload] = useLoad('/api/grading');
  const [entries, setEntries] = useState<Array<{ level: number; nameEn: string; nameZh: string; type: string }>>();
  useEffect(() => setEntries(table?.entries), [table]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('version')} {table?.version} · {table?.note}</Typography.Text>
      <Table
        rowKey="type"
        size="small"
        pagination={false}
        dataSource={entries}
        data-testid="grading"
        columns={[
          { title: t('type'), dataIndex: 'type' },
          { title: t('nameZh'), dataIndex: 'nameZh' },
          { title: t('nameEn'), dataIndex: 'nameEn' },
          {
            title: t('level'),
            dataIndex: 'level',
            render: (level: number, e: Json) => (
              <Select value={level} disabled={!canWrite} style={{ width: 90 }} onChange={(v) => setEntries((xs) => xs!.map((x) => (x.type === e.type ? { ...x, level: v } : x)))} options={[1, 2, 3, 4].map((n) => ({ value: n, label: t('levelN', { n }) }))} />
            ),
          },
        ]}
      />
      {canWrite && (
        <Button type="primary" disabled={!entries} onClick={() => entries && void api('PUT', '/api/grading', { entries }).then(() => { void message.success(t('saved')); reload(); reloadReference(); }, (e: unknown) => void message.error(errText(e)))}>
          {t('save')}
        </Button>
      )}
    </Space>
  );
}

const WORKING = ['discovery', 'report', 'analysis', 'handling', 'summary'] as const;

/** One level's playbook, editable: tasks per phase in order, mandatory or not, in both languages. */
function PlaybookEditor({ level, book, canWrite, onSaved }: { level: string; book: Json; canWrite: boolean; onSaved: () => void }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [name, setName] = useState<string>(book.name);
  const [tasks, setTasks] = useState<Json[]>(book.tasks ?? []);
  useEffect(() => {
    setName(book.name);
    setTasks(book.tasks ?? []);
  }, [book]);
  const edit = (i: number, patch: Json) => setTasks((xs) => xs.map((x, n) => (n === i ? { ...x, ...patch } : x)));
  const move = (i: number, by: number) =>
    setTasks((xs) => {
      const ys = [...xs];
      const [x] = ys.splice(i, 1);
      ys.splice(Math.max(0, Math.min(ys.length, i + by)), 0, x!);
      return ys;
    });
  const save = () =>
    void api('PUT', `/api/playbooks/${level}`, { name, tasks: tasks.map(({ key, phase, title, titleEn, mandatory }) => ({ key, phase, title, ...(titleEn ? { titleEn } : {}), mandatory: !!mandatory })) }).then(
      () => {
        void message.success(t('saved'));
        onSaved();
      },
      (e: unknown) => void message.error(errText(e)),
    );
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Input value={name} disabled={!canWrite} onChange={(e) => setName(e.target.value)} addonBefore={t('name')} maxLength={200} />
      <Table
        rowKey={(r: Json) => r.key}
        size="small"
        pagination={false}
        dataSource={tasks}
        data-testid={`playbook-${level}`}
        columns={[
          { title: t('phase'), dataIndex: 'phase', width: 110, render: (p: string, _r: Json, i: number) => <Select size="small" value={p} disabled={!canWrite} style={{ width: 100 }} onChange={(v: string) => edit(i, { phase: v })} options={WORKING.map((x) => ({ value: x, label: t(`phase_${x}`) }))} /> },
          { title: t('nameZh'), dataIndex: 'title', render: (v: string, _r: Json, i: number) => <Input size="small" value={v} disabled={!canWrite} maxLength={300} onChange={(e) => edit(i, { title: e.target.value })} data-testid="task-title" /> },
          { title: t('nameEn'), dataIndex: 'titleEn', render: (v: string, _r: Json, i: number) => <Input size="small" value={v} disabled={!canWrite} maxLength={300} onChange={(e) => edit(i, { titleEn: e.target.value })} /> },
          { title: t('mandatory'), dataIndex: 'mandatory', width: 70, render: (m: boolean, _r: Json, i: number) => <Checkbox checked={!!m} disabled={!canWrite} onChange={(e) => edit(i, { mandatory: e.target.checked })} /> },
          ...(canWrite
            ? [
                {
                  title: '',
                  key: 'act',
                  width: 110,
                  render: (_: unknown, _r: Json, i: number) => (
                    <Space size={2}>
                      <Button size="small" onClick={() => move(i, -1)} aria-label="up">↑</Button>
                      <Button size="small" onClick={() => move(i, 1)} aria-label="down">↓</Button>
                      <Button size="small" danger onClick={() => setTasks((xs) => xs.filter((_x, n) => n !== i))} aria-label="remove">×</Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {canWrite && (
        <Space>
          <Button onClick={() => setTasks((xs) => [...xs, { key: `custom.${Date.now().toString(36)}`, phase: 'handling', title: '', titleEn: '', mandatory: false }])} data-testid="add-task">
            {t('addTask')}
          </Button>
          <Button type="primary" onClick={save} data-testid="save-playbook">{t('save')}</Button>
          <Typography.Text type="secondary">{t('playbookApplies')}</Typography.Text>
        </Space>
      )}
    </Space>
  );
}

function Playbooks({ canWrite }: { canWrite: boolean }) {
  const t = useT();
  const [books, reload] = useLoad('/api/playbooks');
  return (
    <Tabs
      size="small"
      destroyOnHidden
      items={Object.entries(books ?? {}).map(([level, book]) => ({
        key: level,
        label: t('levelN', { n: level }),
        children: <PlaybookEditor level={level} book={book} canWrite={canWrite} onSaved={reload} />,
      }))}
    />
  );
}

function OrgUnits({ canWrite }: { canWrite: boolean }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [units, reload] = useLoad('/api/org-units');
  const [zones, reloadZones] = useLoad('/api/network');
  const [text, setText] = useState('');
  useEffect(() => setText(zones ? JSON.stringify(zones, null, 2) : ''), [zones]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table rowKey="code" size="small" pagination={false} dataSource={units} columns={[{ title: t('code'), dataIndex: 'code' }, { title: t('name'), dataIndex: 'name' }, { title: t('kind'), dataIndex: 'kind', render: (k: string) => (k === 'hq' ? t('kindHq') : k === 'branch' ? t('kindBranch') : k) }]} />
      {canWrite && (
        <Form layout="inline" onFinish={(v: Json) => void api('PUT', `/api/org-units/${encodeURIComponent(v.code)}`, { name: v.name, kind: v.kind }).then(() => { reload(); reloadReference(); }, (e: unknown) => void message.error(errText(e)))}>
          <Form.Item name="code" rules={[{ required: true }]}><Input placeholder={t('code')} style={{ width: 100 }} /></Form.Item>
          <Form.Item name="name" rules={[{ required: true }]}><Input placeholder={t('name')} /></Form.Item>
          <Form.Item name="kind" initialValue="branch"><Select style={{ width: 100 }} options={[{ value: 'branch', label: t('kindBranch') }, { value: 'hq', label: t('kindHq') }]} /></Form.Item>
          <Button htmlType="submit">{t('add')}</Button>
        </Form>
      )}
      <Typography.Text strong>{t('networkZones')}</Typography.Text>
      <Input.TextArea rows={8} value={text} onChange={(e) => setText(e.target.value)} disabled={!canWrite} style={{ fontFamily: 'monospace' }} />
      {canWrite && (
        <Button onClick={() => { let body: unknown; try { body = JSON.parse(text); } catch (e) { void message.error(errText(e)); return; } void api('PUT', '/api/network', body as BodyOf<'PUT', '/api/network'>).then(() => { void message.success(t('saved')); reloadZones(); }, (e: unknown) => void message.error(errText(e))); }}>
          {t('save')}
        </Button>
      )}
    </Space>
  );
}

/** The organisation's zone (device times without an offset, incident ids, forms) and the sources that keep their own. */
/** The header of every report (unit name, reporter, contact, the information systems and their use): an export needs the unit name. */
function ReportHeader({ canWrite }: { canWrite: boolean }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [header, reload] = useLoad('/api/report-header');
  const [form] = Form.useForm();
  useEffect(() => form.setFieldsValue({ systems: [], ...(header as Json | undefined) }), [header, form]);
  return (
    <Form
      form={form}
      layout="vertical"
      style={{ maxWidth: 720 }}
      disabled={!canWrite}
      data-testid="report-header"
      onFinish={(v: Json) =>
        void api('PUT', '/api/report-header', { unitName: v.unitName, reporter: v.reporter ?? '', contact: v.contact ?? '', systems: ((v.systems ?? []) as Json[]).filter((x) => x?.name).map((x) => ({ name: String(x.name), use: String(x.use ?? '') })) }).then(
          () => {
            void message.success(t('saved'));
            reload();
          },
          (e: unknown) => void message.error(errText(e)),
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('reportHeaderHelp')}</Typography.Paragraph>
      <Form.Item name="unitName" label={t('unitName')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
        <Input maxLength={200} data-testid="header-unit" />
      </Form.Item>
      <Space.Compact block>
        <Form.Item name="reporter" label={t('reporter')} style={{ flex: 1 }}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="contact" label={t('contact')} style={{ flex: 1 }}>
          <Input maxLength={200} data-testid="header-contact" />
        </Form.Item>
      </Space.Compact>
      <Typography.Text strong>{t('infoSystems')}</Typography.Text>
      <Form.List name="systems">
        {(fields, { add, remove }) => (
          <>
            {fields.map((f) => (
              <Space key={f.key} style={{ display: 'flex', marginTop: 8 }} align="baseline">
                <Form.Item name={[f.name, 'name']} rules={[{ required: true, whitespace: true }]} style={{ marginBottom: 0 }}>
                  <Input placeholder={t('name')} maxLength={200} style={{ width: 220 }} />
                </Form.Item>
                <Form.Item name={[f.name, 'use']} style={{ marginBottom: 0 }}>
                  <Input placeholder={t('systemUse')} maxLength={1000} style={{ width: 360 }} />
                </Form.Item>
                <Button size="small" danger onClick={() => remove(f.name)}>×</Button>
              </Space>
            ))}
            <Button size="small" style={{ marginTop: 8, display: 'block' }} onClick={() => add({ name: '', use: '' })}>+ {t('add')}</Button>
          </>
        )}
      </Form.List>
      <Button type="primary" htmlType="submit" style={{ marginTop: 16 }} data-testid="header-save">{t('save')}</Button>
    </Form>
  );
}

function TimeZone({ canWrite }: { canWrite: boolean }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [setting, reload] = useLoad('/api/settings/time-zone');
  const [zone, setZone] = useState<string>();
  const [sources, setSources] = useState<Json[]>([]);
  useEffect(() => {
    setZone(setting?.zone as string | undefined);
    setSources(((setting?.sources as Json[] | undefined) ?? []).map((x) => ({ who: x.host ? 'host' : 'product', name: x.host ?? x.product, zone: x.zone })));
  }, [setting]);
  const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['Asia/Shanghai', 'UTC'];
  const options = [...new Set(['Asia/Shanghai', 'UTC', ...zones])].map((z) => ({ value: z, label: z }));
  const edit = (i: number, patch: Json) => setSources((xs) => xs.map((x, k) => (k === i ? { ...x, ...patch } : x)));
  const save = () =>
    zone &&
    void api('PUT', '/api/settings/time-zone', { zone, sources: sources.map((x) => ({ [x.who as string]: x.name, zone: x.zone })) }).then(
      () => {
        void message.success(t('saved'));
        reload();
      },
      (e: unknown) => void message.error(errText(e)),
    );
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="time-zone">
      <Typography.Paragraph type="secondary">{t('timeZoneHelp')}</Typography.Paragraph>
      {setting?.from === 'machine' && <Typography.Text type="warning" data-testid="time-zone-unchosen">{t('timeZoneUnchosen')}</Typography.Text>}
      <Space>
        <Typography.Text strong>{t('timeZoneOrg')}</Typography.Text>
        <Select showSearch value={zone} disabled={!canWrite} style={{ width: 260 }} onChange={setZone} options={options} data-testid="time-zone-select" />
      </Space>
      <Typography.Text strong>{t('timeZoneSources')}</Typography.Text>
      <Table
        rowKey={(_r, i) => String(i)}
        size="small"
        pagination={false}
        dataSource={sources}
        columns={[
          { title: t('timeZoneBy'), dataIndex: 'who', width: 140, render: (v: string, _r: Json, i: number) => <Select size="small" value={v} disabled={!canWrite} style={{ width: 120 }} onChange={(w: string) => edit(i, { who: w })} options={[{ value: 'host', label: t('timeZoneHost') }, { value: 'product', label: t('timeZoneProduct') }]} /> },
          { title: t('name'), dataIndex: 'name', render: (v: string, _r: Json, i: number) => <Input size="small" value={v} disabled={!canWrite} maxLength={255} onChange={(e) => edit(i, { name: e.target.value })} data-testid="time-zone-source" /> },
          { title: t('timeZoneOrg'), dataIndex: 'zone', width: 260, render: (v: string, _r: Json, i: number) => <Select size="small" showSearch value={v} disabled={!canWrite} style={{ width: 240 }} onChange={(z: string) => edit(i, { zone: z })} options={options} /> },
          ...(canWrite ? [{ title: '', width: 60, render: (_v: unknown, _r: Json, i: number) => <Button size="small" danger onClick={() => setSources((xs) => xs.filter((_x, k) => k !== i))}>×</Button> }] : []),
        ]}
      />
      {canWrite && (
        <Space>
          <Button onClick={() => setSources((xs) => [...xs, { who: 'host', name: '', zone: zone ?? 'UTC' }])}>{t('add')}</Button>
          <Button type="primary" onClick={save} data-testid="save-time-zone">{t('save')}</Button>
        </Space>
      )}
    </Space>
  );
}

type ImportProblem = { row: number; field: string; reason: string; rule?: string; params?: Record<string, string | number> };
const ASSET_PAGE = 50;

function Assets({ canWrite, mayReadFindings }: { canWrite: boolean; mayReadFindings: boolean }) {
  const t = useT();
  const { lang } = useContext(LangContext);
  const { message, modal } = AntApp.useApp();
  const errText = useErrorText();
  // every row that did not go in, with its line and reason, beside the count of those that did
  const imported = (r: Json) => {
    const problems = (r.problems ?? []) as ImportProblem[];
    if (!problems.length) return void message.success(t('imported', { n: r.imported ?? 0 }));
    modal.warning({
      title: t('importedWithProblems', { n: r.imported ?? 0, m: problems.length }),
      width: 720,
      content: <Table<ImportProblem> data-testid="import-problems" rowKey={(p) => `${p.row}:${p.field}`} size="small" pagination={{ pageSize: 10 }} dataSource={problems} columns={[{ title: t('line'), dataIndex: 'row', width: 70 }, { title: t('field'), dataIndex: 'field', width: 110, render: (f: string) => fieldName(f, lang) }, { title: t('reason'), key: 'reason', render: (_: unknown, p) => rowProblemText(p, lang) }]} />,
    });
  };
  // a page at a time in address order, searched by address, CIDR or text on the server
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const filter = query.trim() ? `&q=${encodeURIComponent(query.trim())}` : '';
  const [assets, reloadPage] = useLoad(`/api/assets?limit=${ASSET_PAGE}&offset=${(page - 1) * ASSET_PAGE}${filter}`);
  const [count, reloadCount] = useLoad(`/api/assets/count?${filter.slice(1)}`);
  const reload = () => {
    reloadPage();
    reloadCount();
  };
  const items = assets ?? [];
  // the open findings of the hosts on this page (vulnerability scans and baseline checks), a link to them each
  const ipKey = items.map((a) => a.ip).join(',');
  const [findings, setFindings] = useState<Record<string, Answer<'GET', '/api/findings/hosts'>[number]>>({});
  useEffect(() => {
    if (!ipKey || !mayReadFindings) return setFindings({});
    void api('GET', `/api/findings/hosts?ip=${encodeURIComponent(ipKey)}`).then((r) => setFindings(Object.fromEntries(r.map((h) => [h.ip, h]))), () => setFindings({}));
  }, [ipKey, mayReadFindings]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {canWrite && (
        <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={(file) => { void uploadFile('/api/assets/import', file, 'text/csv').then((r) => { imported(r); reload(); }, (e: unknown) => void message.error(errText(e))); return false; }}>
          <Button>{t('importCsv')}</Button>
        </Upload>
      )}
      <Input.Search data-testid="asset-search" allowClear placeholder={t('assetSearch')} style={{ maxWidth: 360 }} onSearch={(v) => { setQuery(v); setPage(1); }} />
      <Table
        rowKey="ip"
        size="small"
        data-testid="asset-table"
        dataSource={items}
        pagination={{ current: page, pageSize: ASSET_PAGE, total: count?.total ?? 0, showSizeChanger: false, showTotal: (n) => t('assetTotal', { n }), onChange: setPage }}
        columns={[
          { title: 'IP', dataIndex: 'ip' },
          { title: t('hostname'), dataIndex: 'hostname' },
          { title: t('orgUnit'), dataIndex: 'orgUnit' },
          { title: t('businessSystem'), dataIndex: 'businessSystem' },
          ...(mayReadFindings
            ? [{
                title: t('openFindings'),
                key: 'findings',
                render: (_: unknown, a: { ip: string }) => {
                  const h = findings[a.ip];
                  if (!h) return null;
                  return (
                    <a href={`#/periodic/findings?q=${encodeURIComponent(a.ip)}`} data-testid="asset-findings">
                      <Space size={2} wrap>
                        {SEVERITY_ORDER.filter((x) => h.bySeverity[x]).map((x) => <Tag key={x} color={SEVERITY_COLORS[x]}>{`${t(`severity_${x}` as WordKey)} ${h.bySeverity[x]}`}</Tag>)}
                        {h.overdue > 0 && <Typography.Text type="danger" style={{ fontSize: 12 }}>{t('overdueN', { n: h.overdue })}</Typography.Text>}
                      </Space>
                    </a>
                  );
                },
              }]
            : []),
        ]}
      />
    </Space>
  );
}

function Intel({ canWrite }: { canWrite: boolean }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [sources, reload] = useLoad('/api/intel/sources');
  const [form] = Form.useForm();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {canWrite && (
        <Form form={form} layout="inline" initialValues={{ source: 'manual', confidence: 80 }}>
          <Form.Item name="source" label={t('source')}><Input style={{ width: 140 }} /></Form.Item>
          <Form.Item name="confidence" label={t('confidence')}><InputNumber min={0} max={100} /></Form.Item>
          <Upload showUploadList={false} beforeUpload={(file) => { const v = form.getFieldsValue() as Json; void uploadFile(`/api/intel/import?source=${encodeURIComponent(v.source)}&confidence=${v.confidence}`, file, 'text/plain').then((r) => { void message.success(t('imported', { n: r.indicators ?? 0 })); reload(); }, (e: unknown) => void message.error(errText(e))); return false; }}>
            <Button>{t('importFile')}</Button>
          </Upload>
        </Form>
      )}
      <Table rowKey="source" size="small" pagination={false} dataSource={sources} columns={[{ title: t('source'), dataIndex: 'source' }, { title: t('indicators'), dataIndex: 'indicators' }]} />
    </Space>
  );
}

function Users() {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [users, reload] = useLoad('/api/users');
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table rowKey="id" size="small" pagination={false} dataSource={users} columns={[{ title: t('username'), dataIndex: 'username' }, { title: t('name'), dataIndex: 'displayName' }, { title: t('role'), dataIndex: 'role', render: (r: string) => t(`role_${r}` as 'role_admin') }, { title: t('orgUnit'), dataIndex: 'orgUnit' }, { title: t('email'), dataIndex: 'email' }, {
        title: t('security'),
        key: 'security',
        render: (_: unknown, u: Json) => (
          <Space size={4}>
            <Button size="small" onClick={() => void api('PATCH', `/api/users/${u.id}`, { unlock: true }).then(() => void message.success(t('userUnlocked')), (e: unknown) => void message.error(errText(e)))}>{t('unlock')}</Button>
            <Popconfirm title={t('resetTotpConfirm')} onConfirm={() => void api('PATCH', `/api/users/${u.id}`, { resetTotp: true }).then(() => void message.success(t('totpReset')), (e: unknown) => void message.error(errText(e)))}>
              <Button size="small">{t('resetTotp')}</Button>
            </Popconfirm>
          </Space>
        ),
      }]} />
      <Form layout="inline" onFinish={(v: BodyOf<'POST', '/api/users'>) => void api('POST', '/api/users', { ...v, email: v.email || undefined, orgUnit: v.orgUnit || undefined }).then(reload, (e: unknown) => void message.error(errText(e)))}>
        <Form.Item name="username" rules={[{ required: true }]}><Input placeholder={t('username')} style={{ width: 120 }} /></Form.Item>
        <Form.Item name="role" initialValue="handler"><Select style={{ width: 110 }} options={(['admin', 'commander', 'handler', 'monitor', 'viewer', 'ingest'] as const).map((r) => ({ value: r, label: t(`role_${r}`) }))} /></Form.Item>
        <Form.Item name="password" rules={[{ required: true, min: 12 }]}><Input.Password placeholder={t('password')} style={{ width: 140 }} /></Form.Item>
        <Form.Item name="orgUnit"><Input placeholder={t('orgUnit')} style={{ width: 80 }} /></Form.Item>
        <Form.Item name="email"><Input placeholder={t('email')} style={{ width: 180 }} /></Form.Item>
        <Button htmlType="submit">{t('add')}</Button>
      </Form>
    </Space>
  );
}

function Tokens() {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [tokens, reload] = useLoad('/api/tokens');
  const [shown, setShown] = useState<string>();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Form layout="inline" onFinish={(v: Json) => void api('POST', '/api/tokens', { name: v.name }).then((r) => { setShown(r.token as string); reload(); }, (e: unknown) => void message.error(errText(e)))}>
        <Form.Item name="name" rules={[{ required: true }]}><Input placeholder={t('name')} /></Form.Item>
        <Button htmlType="submit">{t('newToken')}</Button>
      </Form>
      {shown && <Typography.Paragraph copyable={{ text: shown }}>{t('tokenOnce')} <code>{shown}</code></Typography.Paragraph>}
      <Table rowKey="id" size="small" pagination={false} dataSource={tokens} columns={[{ title: t('name'), dataIndex: 'name' }, { title: 'prefix', dataIndex: 'prefix' }, { title: t('time'), dataIndex: 'createdAt' }]} />
    </Space>
  );
}

/**
 * 监管报告 The regulator (issue 16): the operator type that sets the reporting deadline, and the
 * GB/T 20986-2023 category table as lines "code | 中文 | English | parent" an organisation corrects.
 */
function Regulatory({ canWrite }: { canWrite: boolean }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [settings, reload] = useLoad('/api/regulatory');
  const [text, setText] = useState<string>();
  const lines = text ?? (settings?.categories ?? []).map((c) => [c.code, c.zh, c.en, c.parent ?? ''].join(' | ')).join('\n');
  const save = (body: BodyOf<'PUT', '/api/regulatory'>) => void api('PUT', '/api/regulatory', body).then(() => { setText(undefined); reload(); void message.success(t('saved')); }, (e: unknown) => void message.error(errText(e)));
  const categories = () => lines.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [code, zh, en, parent] = l.split('|').map((x) => x.trim());
    return { code: code ?? '', zh: zh ?? '', en: en ?? '', ...(parent ? { parent } : {}) };
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Form layout="inline">
        <Form.Item label={t('operatorType')}>
          <Select style={{ width: 420 }} disabled={!canWrite} value={settings?.operatorType} onChange={(v) => save({ operatorType: v })} options={(['cii', 'state_organ', 'other'] as const).map((k) => ({ value: k, label: t(`operator_${k}`) }))} data-testid="operator-type" />
        </Form.Item>
      </Form>
      <div>
        <Typography.Title level={5}>{t('nationalCategories')}</Typography.Title>
        <Input.TextArea rows={12} value={lines} disabled={!canWrite} onChange={(e) => setText(e.target.value)} style={{ fontFamily: 'monospace', maxWidth: 760 }} data-testid="national-categories" />
        {canWrite && <div style={{ marginTop: 8 }}><Button type="primary" onClick={() => save({ categories: categories() })}>{t('save')}</Button></div>}
      </div>
    </Space>
  );
}

/**
 * 封禁列表 Block lists (issue 16): the allow-list (never blocked without a second person: DNS
 * servers, gateways, own domains — one a line, a note after a space) and the read-only tokens the
 * firewalls pull the lists with, each shown once, with the addresses a firewall is given.
 */
function BlockLists({ canWrite }: { canWrite: boolean }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [allow, reloadAllow] = useLoad('/api/block-allowlist');
  const [text, setText] = useState<string>();
  const lines = text ?? (allow ?? []).map((a) => (a.note ? `${a.value} ${a.note}` : a.value)).join('\n');
  const save = () => {
    const entries = lines.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [value, ...note] = l.split(/\s+/);
      return { value: value!, note: note.join(' ') || null };
    });
    void api('PUT', '/api/block-allowlist', entries).then(() => { setText(undefined); reloadAllow(); void message.success(t('saved')); }, (e: unknown) => void message.error(errText(e)));
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <div>
        <Typography.Title level={5}>{t('allowList')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('allowListHelp')}</Typography.Paragraph>
        <Input.TextArea rows={6} value={lines} disabled={!canWrite} onChange={(e) => setText(e.target.value)} placeholder={'10.1.1.53 核心 DNS\n10.1.2.0/24 核心网关\nexample.cn 本单位域名'} data-testid="allowlist-text" style={{ maxWidth: 640 }} />
        {canWrite && <div style={{ marginTop: 8 }}><Button type="primary" onClick={save} data-testid="allowlist-save">{t('save')}</Button></div>}
      </div>
      {canWrite && <ListTokens />}
    </Space>
  );
}

/** The devices' read-only tokens for the block lists, each shown once with the addresses a firewall is given (admins). */
function ListTokens() {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [tokens, reloadTokens] = useLoad('/api/list-tokens');
  const [shown, setShown] = useState<string>();
  const base = `${location.origin}/edl/default`;
  return (
    <div>
      <Typography.Title level={5}>{t('listTokens')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('listTokensHelp', { url: `${base}/ip.txt` })}</Typography.Paragraph>
      <Form layout="inline" onFinish={(v: Json) => void api('POST', '/api/list-tokens', { name: v.name }).then((r) => { setShown(r.token); reloadTokens(); }, (e: unknown) => void message.error(errText(e)))}>
        <Form.Item name="name" rules={[{ required: true }]}><Input placeholder={t('listTokenName')} maxLength={100} data-testid="list-token-name" /></Form.Item>
        <Button htmlType="submit" data-testid="list-token-create">{t('newToken')}</Button>
      </Form>
      {shown && (
        <Typography.Paragraph copyable={{ text: shown }} data-testid="list-token-shown" style={{ marginTop: 8 }}>
          {t('tokenOnce')} <code>{shown}</code>
          <br />
          {(['ip', 'domain', 'url', 'hash'] as const).map((k) => <code key={k} style={{ display: 'block' }}>{`${base}/${k}.txt`}</code>)}
        </Typography.Paragraph>
      )}
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={(tokens ?? []) as Json[]}
        columns={[
          { title: t('name'), dataIndex: 'name' },
          { title: 'prefix', dataIndex: 'prefix' },
          { title: t('lastUsed'), dataIndex: 'lastUsedAt' },
          { title: '', key: 'x', render: (_: unknown, r: Json) => (r.revokedAt ? <Tag>{t('revoked')}</Tag> : <Popconfirm title={t('revokeConfirm')} onConfirm={() => void api('DELETE', `/api/list-tokens/${Number(r.id)}`).then(reloadTokens, (e: unknown) => void message.error(errText(e)))}><Button size="small" danger>{t('revoke')}</Button></Popconfirm>) },
        ]}
      />
    </div>
  );
}

/** Settings, as far as the role reaches: the grading table, playbooks, zones and org units, assets, intelligence, users, tokens. */
/** `tab` comes from the address (#/settings/notifications), so a settings page can be linked to. */
export function Settings({ me, tab }: { me: Me; tab?: string }) {
  const t = useT();
  const can = (p: string) => me.permissions.includes(p);
  const write = can('settings.write');
  const items = [
    { key: 'grading', label: t('grading'), children: <Grading canWrite={write} /> },
    { key: 'playbooks', label: t('playbooks'), children: <Playbooks canWrite={write} /> },
    { key: 'units', label: t('orgUnitsAndZones'), children: <OrgUnits canWrite={write} /> },
    { key: 'timezone', label: t('timeZone'), children: <TimeZone canWrite={write} /> },
    { key: 'report', label: t('reportHeader'), children: <ReportHeader canWrite={write} /> },
    { key: 'assets', label: t('assets'), children: <Assets canWrite={write} mayReadFindings={me.permissions.includes('findings.read')} /> },
    ...(can('alerts.read') ? [{ key: 'intel', label: t('intel'), children: <Intel canWrite={can('intel.write')} /> }] : []),
    { key: 'notifications', label: t('notifications'), children: <Notifications canWrite={write} /> },
    { key: 'blocks', label: t('blockLists'), children: <BlockLists canWrite={write} /> },
    { key: 'regulatory', label: t('regulatorySettings'), children: <Regulatory canWrite={write} /> },
    ...(can('users.manage') ? [{ key: 'users', label: t('users'), children: <Users /> }] : []),
    ...(can('tokens.own') ? [{ key: 'tokens', label: t('tokens'), children: <Tokens /> }] : []),
    { key: 'security', label: t('security'), children: <TotpSetup /> },
  ];
  return (
    <Card title={t('settings')}>
      <Tabs items={items} activeKey={items.some((i) => i.key === tab) ? tab : 'grading'} onChange={(k) => (location.hash = `#/settings/${k}`)} destroyOnHidden data-testid="settings" />
    </Card>
  );
}
