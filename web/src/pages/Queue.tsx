import { App as AntApp, Button, Card, Checkbox, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, LEVEL_COLORS } from '../api';
import { useT } from '../i18n';
import { useErrorText } from '../errors';
import { useLive } from '../live';
import { titleIn, useReference } from '../reference';
import type { IncidentSummary } from '../situation';
import { RegulatoryClock } from './NationalGrading';
import { NewIncidentButton } from './IncidentEdit';
import { useTime } from '../time';

/** a row of the queue: an incident as the list API gives it */
type Row = IncidentSummary;

export function LevelTag({ level }: { level: number }) {
  const t = useT();
  return <Tag color={LEVEL_COLORS[level]} data-testid="level">{t('levelN', { n: level })}</Tag>;
}

type Filter = { level?: number[]; phase?: string[]; type?: string; orgUnit?: string; owner?: number; overdue?: boolean; tag?: string; q?: string };

/** The queue's filter as the address gives it: level, phase (comma-separated), type, orgUnit, owner, overdue, tag, q (text). */
function filterFromHash(): Filter {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const list = (k: string) => (q.get(k) ? q.get(k)!.split(',').filter(Boolean) : undefined);
  const f: Filter = {};
  const levels = list('level')?.map(Number).filter((n) => n >= 1 && n <= 4);
  if (levels?.length) f.level = levels;
  const phases = list('phase');
  if (phases?.length) f.phase = phases;
  if (q.get('type')) f.type = q.get('type')!;
  if (q.get('orgUnit')) f.orgUnit = q.get('orgUnit')!;
  if (Number(q.get('owner')) > 0) f.owner = Number(q.get('owner'));
  if (q.get('overdue') === '1' || q.get('overdue') === 'true') f.overdue = true;
  if (q.get('tag')) f.tag = q.get('tag')!;
  if (q.get('q')) f.q = q.get('q')!;
  return f;
}

/** One's saved filters (kept on the server, GET/PUT /api/me/filters): applied from a list, the current one saved under a name, one removed. */
function SavedFilters({ filter, onApply }: { filter: Filter; onApply: (f: Filter) => void }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const errText = useErrorText();
  const [saved, setSaved] = useState<Array<{ name: string; filter: Filter }>>([]);
  const [naming, setNaming] = useState<string>();
  useEffect(() => void api('GET', '/api/me/filters').then((r) => setSaved(r as Array<{ name: string; filter: Filter }>), () => undefined), []);
  const store = (next: Array<{ name: string; filter: Filter }>) =>
    api('PUT', '/api/me/filters', next as never).then(
      (r) => {
        setSaved(r as Array<{ name: string; filter: Filter }>);
        void message.success(t('saved'));
      },
      (e: unknown) => void message.error(errText(e)),
    );
  return (
    <Space.Compact>
      <Select
        allowClear
        placeholder={t('savedFilters')}
        style={{ width: 170 }}
        options={saved.map((x) => ({ value: x.name, label: x.name }))}
        onChange={(name?: string) => onApply(saved.find((x) => x.name === name)?.filter ?? {})}
        data-testid="saved-filters"
        optionRender={(o) => (
          <Space style={{ width: '100%', justifyContent: 'space-between' }}>
            {o.label}
            <Button size="small" type="text" danger onClick={(e) => { e.stopPropagation(); void store(saved.filter((x) => x.name !== o.value)); }}>×</Button>
          </Space>
        )}
      />
      {naming === undefined ? (
        <Button onClick={() => setNaming('')} data-testid="save-filter">{t('saveFilter')}</Button>
      ) : (
        <Input
          autoFocus
          style={{ width: 150 }}
          maxLength={50}
          placeholder={t('filterName')}
          value={naming}
          onChange={(e) => setNaming(e.target.value)}
          onBlur={() => naming.trim() === '' && setNaming(undefined)}
          onPressEnter={() => {
            const name = naming.trim();
            if (!name) return;
            void store([...saved.filter((x) => x.name !== name), { name, filter }]).then(() => setNaming(undefined));
          }}
          data-testid="filter-name"
        />
      )}
    </Space.Compact>
  );
}

/** The queue: least SLA time left first; j/k move, o (or Enter) opens, as analysts expect. */
export function Queue({ mayCreate = false }: { mayCreate?: boolean }) {
  const fmt = useTime();
  const t = useT();
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<Row[]>();
  const [cursor, setCursor] = useState(0);
  const ref = useReference();
  const [filter, setFilter] = useState<Filter>(filterFromHash);
  // the dashboard drills down with a filter in the address (#/incidents?overdue=1, ?level=1, ?phase=…)
  useEffect(() => {
    const on = () => setFilter(filterFromHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const [selected, setSelected] = useState<string[]>([]);
  const [users, setUsers] = useState<Array<{ id: number; displayName: string; username: string }>>([]);
  useEffect(() => void api('GET', '/api/users').then(setUsers, () => undefined), []);
  const load = () => {
    const p = new URLSearchParams({ limit: '200', sort: 'due' });
    if (filter.level?.length) p.set('level', filter.level.join(','));
    if (filter.phase?.length) p.set('phase', filter.phase.join(','));
    if (filter.type) p.set('type', filter.type);
    if (filter.orgUnit) p.set('orgUnit', filter.orgUnit);
    if (filter.owner) p.set('owner', String(filter.owner));
    if (filter.overdue) p.set('overdue', 'true');
    if (filter.tag) p.set('tag', filter.tag);
    if (filter.q) p.set('q', filter.q);
    void api('GET', `/api/incidents?${p.toString()}`).then((r) => setRows(r.items));
  };
  useEffect(load, [filter]);
  const assign = async (ownerId: number) => {
    for (const id of selected) await api('PATCH', `/api/incidents/${encodeURIComponent(id)}`, { ownerId });
    void message.success(t('assigned', { n: selected.length }));
    setSelected([]);
    load();
  };
  useLive(load);
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      // typing in a field or a dialog (the new-incident form) is not a command
      if (!rows?.length || (e.target as HTMLElement).closest?.('input, textarea, [contenteditable="true"], .ant-modal')) return;
      if (e.key === 'j') setCursor((c) => Math.min(rows.length - 1, c + 1));
      if (e.key === 'k') setCursor((c) => Math.max(0, c - 1));
      if (e.key === 'o' || e.key === 'Enter') location.hash = `#/incidents/${encodeURIComponent(rows[cursor]!.id)}`;
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [rows, cursor]);
  const left = (r: Row) => {
    if (!r.phaseDueAt || r.phase === 'closed') return '—';
    const min = Math.round((Date.parse(r.phaseDueAt) - Date.now()) / 60_000);
    const text = Math.abs(min) >= 120 ? `${Math.round(Math.abs(min) / 60)} h` : t('minutes', { n: Math.abs(min) });
    return min < 0 ? <Typography.Text type="danger">{t('overdueBy', { t: text })}</Typography.Text> : text;
  };
  return (
    <Card title={t('incidents')} extra={<Space><Typography.Text type="secondary">{t('keyboardHint')}</Typography.Text>{mayCreate && <NewIncidentButton />}</Space>}>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select mode="multiple" allowClear placeholder={t('allLevels')} style={{ minWidth: 140 }} value={filter.level} onChange={(v: number[]) => setFilter((f) => ({ ...f, level: v }))} options={[1, 2, 3, 4].map((n) => ({ value: n, label: t('levelN', { n }) }))} data-testid="filter-level" />
        <Select mode="multiple" allowClear placeholder={t('allPhases')} style={{ minWidth: 160 }} value={filter.phase} onChange={(v: string[]) => setFilter((f) => ({ ...f, phase: v }))} options={['discovery', 'report', 'analysis', 'handling', 'summary', 'closed'].map((p) => ({ value: p, label: t(`phase_${p}` as 'phase_discovery') }))} />
        <Select allowClear placeholder={t('type')} style={{ width: 150 }} value={filter.type} onChange={(v?: string) => setFilter((f) => ({ ...f, type: v }))} options={ref.types.map((x) => ({ value: x.type, label: ref.typeName(x.type) }))} data-testid="filter-type" />
        <Select allowClear placeholder={t('orgUnit')} style={{ width: 130 }} value={filter.orgUnit} onChange={(v?: string) => setFilter((f) => ({ ...f, orgUnit: v }))} options={ref.orgUnits.map((u) => ({ value: u.code, label: `${u.name} (${u.code})` }))} />
        <Select allowClear placeholder={t('owner')} style={{ width: 130 }} value={filter.owner} onChange={(v?: number) => setFilter((f) => ({ ...f, owner: v }))} options={users.map((u) => ({ value: u.id, label: u.displayName }))} />
        <Checkbox checked={!!filter.overdue} onChange={(e) => setFilter((f) => ({ ...f, overdue: e.target.checked }))}>{t('onlyOverdue')}</Checkbox>
        <Input.Search
          allowClear
          placeholder={t('queueText')}
          style={{ width: 200 }}
          defaultValue={filter.q}
          key={`q:${filter.q ?? ''}`}
          maxLength={200}
          onSearch={(v) => setFilter((f) => ({ ...f, q: v.trim() || undefined }))}
          data-testid="filter-q"
        />
        <Input.Search
          allowClear
          placeholder={t('tag')}
          style={{ width: 130 }}
          defaultValue={filter.tag}
          key={`tag:${filter.tag ?? ''}`}
          maxLength={50}
          onSearch={(v) => setFilter((f) => ({ ...f, tag: v.trim() || undefined }))}
          data-testid="filter-tag"
        />
        <SavedFilters filter={filter} onApply={setFilter} />
        {selected.length > 0 && (
          <Select placeholder={t('assignTo')} style={{ width: 180 }} onChange={(v: number) => void assign(v)} options={users.map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))} data-testid="bulk-assign" />
        )}
      </Space>
      <Table<Row>
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
        rowKey="id"
        loading={!rows}
        dataSource={rows}
        pagination={false}
        size="small"
        data-testid="queue"
        onRow={(r, i) => ({ onClick: () => (location.hash = `#/incidents/${encodeURIComponent(r.id)}`), style: { cursor: 'pointer', background: i === cursor ? '#e6f4ff' : undefined } })}
        columns={[
          { title: t('level'), dataIndex: 'level', width: 80, render: (l: number) => <LevelTag level={l} /> },
          { title: t('id'), dataIndex: 'id', width: 170 },
          {
            title: t('title'),
            key: 'title',
            ellipsis: true,
            render: (_: unknown, r) => (
              <>
                {r.exercise && <Tag color="purple" data-testid="queue-exercise">{t('exercise')}</Tag>}
                {r.tags.map((x) => (
                  <Tag key={x} color="blue" style={{ marginInlineEnd: 4 }} data-testid="queue-tag" onClick={(e) => { e.stopPropagation(); setFilter((f) => ({ ...f, tag: x })); }}>{x}</Tag>
                ))}
                {titleIn(ref.lang, r)}
              </>
            ),
          },
          { title: t('type'), dataIndex: 'type', width: 110, render: (x: string) => ref.typeName(x) },
          { title: t('phase'), dataIndex: 'phase', width: 90, render: (p: string) => t(`phase_${p}` as 'phase_discovery') },
          { title: t('slaLeft'), key: 'sla', width: 150, render: (_: unknown, r) => <Space direction="vertical" size={0}>{left(r)}{r.phase !== 'closed' && <RegulatoryClock national={r.national ?? null} size="small" />}</Space> },
          { title: t('orgUnit'), dataIndex: 'orgUnit', width: 100, render: (u: string) => ref.unitName(u) },
          { title: t('owner'), dataIndex: 'owner', width: 100, render: (o: string | null) => o ?? '—' },
          { title: t('detectedAt'), dataIndex: 'detectedAt', width: 160, render: (d: string) => fmt(d) },
        ]}
      />
    </Card>
  );
}
