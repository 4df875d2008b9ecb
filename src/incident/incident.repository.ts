/**
 * Incident storage: queries and row → API shape presenters. Functions take the database or
 * a transaction; the caller (the service) owns the transaction.
 */
import { type Expression, type ExpressionBuilder, type Kysely, PostgresAdapter, type SqlBool, sql } from 'kysely';
import { DomainError } from '../domain/errors.js';
import type { Level } from '../domain/grading/grading.js';
import type { Phase, Resolution, TaskStatus } from '../domain/incident/phase.js';
import type { Deadlines, Tier } from '../domain/incident/sla.js';
import { containsText, escapeLike } from '../store/like.js';
import { PG_INCIDENT_TEXT } from '../store/migrations/20261129T2000_incident_text.js';
import { incidentTouches } from '../store/scope.js';
import type { DB, IncidentRow, TaskRow } from '../store/schema.js';

export interface IncidentSummary {
  id: string;
  title: string;
  /** the title in English where the product wrote it; null: as `title` */
  titleEn: string | null;
  type: string;
  level: Level;
  priorityTier: Tier;
  phase: Phase;
  phaseEnteredAt: string;
  phaseDueAt: string | null;
  overdue: boolean;
  ownerId: number | null;
  owner: string | null;
  team: string | null;
  orgUnit: string;
  detectedAt: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  tags: string[];
  /** an exercise (演练): walked through the real loop, kept out of the real figures */
  exercise: boolean;
  /** the drill (campaign) that opened it */
  campaignId: number | null;
  /** the emergency plan started on it */
  planId: number | null;
  /** the national grading (GB/T 20986-2023) a person confirmed, with the regulator's clock; null: not graded */
  national: { level: number; category: string; reason: string | null; confirmedBy: string; confirmedAt: string; dueAt: string | null; reportedAt: string | null; reportedTo: string | null; overdue: boolean } | null;
}

export interface Task {
  id: number;
  phase: Phase;
  title: string;
  titleEn: string | null;
  mandatory: boolean;
  status: TaskStatus;
  assigneeId: number | null;
  dueAt: string | null;
  playbookKey: string | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
  doneAt: string | null;
  doneBy: string | null;
  /** a patch task: the finding it fixes */
  findingId: number | null;
}

export interface IncidentDetail extends IncidentSummary {
  description: string;
  gradingVersion: number;
  createdBy: string;
  deadlines: Deadlines;
  report: { sentAt: string | null; sentTo: string | null; channel: string | null };
  closure: { resolution: Resolution | null; conclusion: string | null; recommendations: string | null };
  assets: Array<{ id: number; ip: string | null; hostname: string | null; businessSystem: string | null; orgUnit: string | null; note: string | null; createdAt: string }>;
  observables: Array<{ id: number; type: string; value: string; firstSeen: string; lastSeen: string; note: string | null; tlp: string | null; pap: string | null; tags: string[] }>;
  timeline: Array<{ id: number; occurredAt: string; recordedAt: string; source: string; actor: string; kind: string; text: string; data: unknown }>;
  tasks: Task[];
  comments: Array<{ id: number; author: string; text: string; createdAt: string }>;
  evidence: Array<{ id: number; filename: string; contentType: string; size: number; sha256: string; note: string | null; uploadedBy: string; uploadedAt: string }>;
  phaseHistory: Array<{ from: string; to: string; at: string; actor: string; reason: string | null; override: boolean; bypassed: unknown }>;
  levelHistory: Array<{ fromType: string | null; toType: string; fromLevel: number | null; toLevel: number; gradingVersion: number; at: string; actor: string; reason: string; reasonEn: string | null }>;
}

export function presentSummary(r: IncidentRow & { owner_name?: string | null }, now: string): IncidentSummary {
  return {
    id: r.id,
    title: r.title,
    titleEn: r.title_en,
    type: r.type,
    level: r.level as Level,
    priorityTier: r.priority_tier as Tier,
    phase: r.phase as Phase,
    phaseEnteredAt: r.phase_entered_at,
    phaseDueAt: r.phase_due_at,
    overdue: r.phase !== 'closed' && r.phase_due_at !== null && r.phase_due_at < now,
    ownerId: r.owner_id,
    owner: r.owner_name ?? null,
    team: r.team,
    orgUnit: r.org_unit,
    detectedAt: r.detected_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    tags: JSON.parse(r.tags) as string[],
    exercise: r.exercise === 1,
    campaignId: r.campaign_id === null || r.campaign_id === undefined ? null : Number(r.campaign_id),
    planId: r.plan_id === null || r.plan_id === undefined ? null : Number(r.plan_id),
    national:
      r.national_level === null || r.national_level === undefined
        ? null
        : {
            level: Number(r.national_level),
            category: r.national_category ?? '',
            reason: r.national_reason,
            confirmedBy: r.national_by ?? '',
            confirmedAt: r.national_at ?? '',
            dueAt: r.regulatory_due_at ?? null,
            reportedAt: r.regulatory_reported_at ?? null,
            reportedTo: r.regulatory_reported_to ?? null,
            overdue: !!r.regulatory_due_at && !r.regulatory_reported_at && r.regulatory_due_at < now,
          },
  };
}

export function presentTask(t: TaskRow): Task {
  return {
    id: t.id,
    phase: t.phase as Phase,
    title: t.title,
    titleEn: t.title_en,
    mandatory: t.mandatory === 1,
    status: t.status as TaskStatus,
    assigneeId: t.assignee_id,
    dueAt: t.due_at,
    playbookKey: t.playbook_key,
    note: t.note,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
    doneAt: t.done_at,
    doneBy: t.done_by,
    findingId: t.finding_id === null || t.finding_id === undefined ? null : Number(t.finding_id),
  };
}

function withOwner(db: Kysely<DB>) {
  return db
    .selectFrom('incidents')
    .leftJoin('users', 'users.id', 'incidents.owner_id')
    .selectAll('incidents')
    .select('users.username as owner_name');
}

export async function findIncident(db: Kysely<DB>, id: string): Promise<(IncidentRow & { owner_name: string | null }) | undefined> {
  return withOwner(db).where('incidents.id', '=', id).executeTakeFirst();
}

export async function requireIncident(db: Kysely<DB>, id: string) {
  const row = await findIncident(db, id);
  if (!row) throw new DomainError('not_found', `incident ${id} does not exist`, { entity: 'incident', id });
  return row;
}

export async function tasksOf(db: Kysely<DB>, id: string): Promise<TaskRow[]> {
  return db.selectFrom('tasks').selectAll().where('incident_id', '=', id).orderBy('id').execute();
}

export async function countAssets(db: Kysely<DB>, id: string): Promise<number> {
  const r = await db.selectFrom('affected_assets').select((eb) => eb.fn.countAll<number>().as('n')).where('incident_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function loadDetail(db: Kysely<DB>, id: string, now: string): Promise<IncidentDetail> {
  const r = await requireIncident(db, id);
  const [assets, observables, timeline, tasks, comments, evidence, phases, levels] = await Promise.all([
    db.selectFrom('affected_assets').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
    db.selectFrom('observables').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
    db.selectFrom('timeline_entries').selectAll().where('incident_id', '=', id).orderBy('occurred_at').orderBy('id').execute(),
    tasksOf(db, id),
    db.selectFrom('comments').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
    db.selectFrom('evidence').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
    db.selectFrom('phase_changes').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
    db.selectFrom('level_changes').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
  ]);
  return {
    ...presentSummary(r, now),
    description: r.description,
    gradingVersion: r.grading_version,
    createdBy: r.created_by,
    deadlines: JSON.parse(r.deadlines) as Deadlines,
    report: { sentAt: r.report_sent_at, sentTo: r.report_sent_to, channel: r.report_channel },
    closure: { resolution: r.resolution as Resolution | null, conclusion: r.conclusion, recommendations: r.recommendations },
    assets: assets.map((a) => ({ id: a.id, ip: a.ip, hostname: a.hostname, businessSystem: a.business_system, orgUnit: a.org_unit, note: a.note, createdAt: a.created_at })),
    observables: observables.map((o) => ({ id: o.id, type: o.type, value: o.value, firstSeen: o.first_seen, lastSeen: o.last_seen, note: o.note, tlp: o.tlp, pap: o.pap, tags: JSON.parse(o.tags) as string[] })),
    timeline: timeline.map((t) => ({
      id: t.id,
      occurredAt: t.occurred_at,
      recordedAt: t.recorded_at,
      source: t.source,
      actor: t.actor,
      kind: t.kind,
      text: t.text,
      data: t.data === null ? null : JSON.parse(t.data),
    })),
    tasks: tasks.map(presentTask),
    comments: comments.map((c) => ({ id: c.id, author: c.author, text: c.text, createdAt: c.created_at })),
    evidence: evidence.map((e) => ({ id: e.id, filename: e.filename, contentType: e.content_type, size: e.size, sha256: e.sha256, note: e.note, uploadedBy: e.uploaded_by, uploadedAt: e.uploaded_at })),
    phaseHistory: phases.map((p) => ({ from: p.from_phase, to: p.to_phase, at: p.at, actor: p.actor, reason: p.reason, override: p.override === 1, bypassed: p.bypassed === null ? null : JSON.parse(p.bypassed) })),
    levelHistory: levels.map((l) => ({ fromType: l.from_type, toType: l.to_type, fromLevel: l.from_level, toLevel: l.to_level, gradingVersion: l.grading_version, at: l.at, actor: l.actor, reason: l.reason, reasonEn: l.reason_en })),
  };
}

/** Next number of the day, atomically (an upsert that both dialects run as one statement). */
export async function nextSequence(db: Kysely<DB>, day: string): Promise<number> {
  const r = await db
    .insertInto('incident_counters')
    .values({ day, last: 1 })
    .onConflict((oc) => oc.column('day').doUpdateSet({ last: sql`incident_counters.last + 1` }))
    .returning('last')
    .executeTakeFirstOrThrow();
  return Number(r.last);
}

export const SORTS = ['due', 'created', '-created', 'updated', '-updated', 'level', '-level'] as const;
export type IncidentSort = (typeof SORTS)[number];

export interface IncidentListQuery {
  levels?: Level[];
  phases?: Phase[];
  type?: string;
  ownerId?: number;
  orgUnit?: string;
  /** a branch user's list: only incidents that touch the branch */
  branch?: string;
  overdue?: boolean;
  /** only incidents carrying this tag */
  tag?: string;
  /** true: only exercises; false: only real incidents; absent: both */
  exercise?: boolean;
  q?: string;
  sort: IncidentSort;
  limit: number;
  cursor?: string;
}

const FAR_FUTURE = '9999-12-31T23:59:59.999Z';

function sortExpr(sort: IncidentSort) {
  switch (sort) {
    case 'due':
      // the literal (not a parameter) matches the expression of incidents_queue_idx
      return { expr: sql<string>`coalesce(incidents.phase_due_at, ${sql.lit(FAR_FUTURE)})`, key: (r: IncidentRow) => r.phase_due_at ?? FAR_FUTURE, desc: false };
    case 'created':
    case '-created':
      return { expr: sql<string>`incidents.created_at`, key: (r: IncidentRow) => r.created_at, desc: sort === '-created' };
    case 'updated':
    case '-updated':
      return { expr: sql<string>`incidents.updated_at`, key: (r: IncidentRow) => r.updated_at, desc: sort === '-updated' };
    case 'level':
    case '-level':
      return { expr: sql<number>`incidents.level`, key: (r: IncidentRow) => r.level, desc: sort === '-level' };
  }
}

export function encodeCursor(value: string | number, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string | number, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'string') {
      return [v[0], v[1]];
    }
  } catch {
    /* fall through */
  }
  throw new DomainError('validation', 'cursor: not a cursor returned by this list', [{ field: 'cursor', message: 'invalid cursor' }]);
}

/**
 * Free text in an incident's id, titles, description, observables or affected assets, as a
 * case-insensitive substring: on SQLite through the trigram FTS5 tables (three characters or
 * more; shorter text scans), on PostgreSQL as ILIKE over the expressions the pg_trgm indexes are
 * built on (migration 20261129T2000). Assets are few per incident: read through the incident.
 */
function incidentTextMatch(db: Kysely<DB>, text: string): Expression<SqlBool> {
  const like = `%${escapeLike(text)}%`;
  const lower = like.toLowerCase();
  // one set of incident ids, each part read through its own index (an OR of the parts would scan)
  const assets = sql`select incident_id from affected_assets where lower(coalesce(ip, '') || ' ' || coalesce(hostname, '') || ' ' || coalesce(business_system, '')) like ${lower} escape '\\'`;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    return sql<boolean>`incidents.id in (select id from incidents where ${sql.raw(PG_INCIDENT_TEXT)} ilike ${like} escape '\\' union all select incident_id from observables where value ilike ${like} escape '\\' union all ${assets})`;
  }
  if ([...text].length >= 3) {
    const phrase = `"${text.replaceAll('"', '""')}"`;
    return sql<boolean>`incidents.id in (select id from incidents where rowid in (select rowid from incidents_text where incidents_text match ${phrase}) union all select incident_id from observables where id in (select rowid from observables_text where observables_text match ${phrase}) union all ${assets})`;
  }
  return sql<boolean>`incidents.id in (select id from incidents where lower(id || ' ' || title || ' ' || coalesce(title_en, '') || ' ' || description) like ${lower} escape '\\' union all select incident_id from observables where lower(value) like ${lower} escape '\\' union all ${assets})`;
}

/** Observables whose value holds the text, in the indexes the queue's text search reads (see incidentTextMatch). */
function observableTextMatch(db: Kysely<DB>, text: string): Expression<SqlBool> {
  const like = `%${escapeLike(text)}%`;
  if (db.getExecutor().adapter instanceof PostgresAdapter) return sql<boolean>`observables.value ilike ${like} escape '\\'`;
  if ([...text].length >= 3) return sql<boolean>`observables.id in (select rowid from observables_text where observables_text match ${`"${text.replaceAll('"', '""')}"`})`;
  return sql<boolean>`lower(observables.value) like ${like.toLowerCase()} escape '\\'`;
}

export interface ObservableHit {
  id: number;
  type: string;
  value: string;
  note: string | null;
  tlp: string | null;
  tags: string[];
  firstSeen: string;
  lastSeen: string;
  incident: { id: string; title: string; titleEn: string | null; level: number; phase: string; orgUnit: string };
}

/**
 * The pivot from an indicator: every incident's observable whose value holds the text (an
 * address, a domain, a hash…), newest sighting first, with the incident it belongs to; a branch
 * user sees those of the incidents that touch the branch.
 */
export async function searchObservables(db: Kysely<DB>, q: { text?: string; type?: string; orgUnit?: string; branch?: string; limit: number }): Promise<ObservableHit[]> {
  let query = db
    .selectFrom('observables')
    .innerJoin('incidents', 'incidents.id', 'observables.incident_id')
    .select(['observables.id', 'observables.type', 'observables.value', 'observables.note', 'observables.tlp', 'observables.tags', 'observables.first_seen', 'observables.last_seen', 'incidents.id as incident_id', 'incidents.title', 'incidents.title_en', 'incidents.level', 'incidents.phase', 'incidents.org_unit'])
    .$if(q.text !== undefined, (qb) => qb.where(observableTextMatch(db, q.text!)));
  if (q.type) query = query.where('observables.type', '=', q.type);
  if (q.orgUnit) query = query.where('incidents.org_unit', '=', q.orgUnit);
  if (q.branch) query = query.where((eb) => incidentTouches(eb as unknown as ExpressionBuilder<DB, 'incidents'>, q.branch!));
  const rows = await query.orderBy('observables.last_seen', 'desc').orderBy('observables.id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    type: r.type,
    value: r.value,
    note: r.note,
    tlp: r.tlp,
    tags: JSON.parse(r.tags) as string[],
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    incident: { id: r.incident_id, title: r.title, titleEn: r.title_en, level: r.level, phase: r.phase, orgUnit: r.org_unit },
  }));
}

export async function listIncidents(db: Kysely<DB>, q: IncidentListQuery, now: string): Promise<{ items: IncidentSummary[]; nextCursor: string | null }> {
  const s = sortExpr(q.sort);
  let query = withOwner(db);
  if (q.levels?.length) query = query.where('incidents.level', 'in', q.levels);
  if (q.phases?.length) query = query.where('incidents.phase', 'in', q.phases);
  if (q.type) query = query.where('incidents.type', '=', q.type);
  if (q.ownerId !== undefined) query = query.where('incidents.owner_id', '=', q.ownerId);
  if (q.orgUnit) query = query.where('incidents.org_unit', '=', q.orgUnit);
  if (q.branch) query = query.where((eb) => incidentTouches(eb, q.branch!));
  if (q.overdue === true) query = query.where('incidents.phase', '!=', 'closed').where('incidents.phase_due_at', '<', now);
  if (q.overdue === false) query = query.where((eb) => eb.or([eb('incidents.phase', '=', 'closed'), eb('incidents.phase_due_at', '>=', now)]));
  // tags are a JSON array of strings: the tag JSON-quoted is one whole element
  if (q.tag) query = query.where(containsText('incidents.tags', JSON.stringify(q.tag.trim())));
  if (q.exercise !== undefined) query = query.where('incidents.exercise', '=', q.exercise ? 1 : 0);
  if (q.q) query = query.where(incidentTextMatch(db, q.q));
  if (q.cursor) {
    const [v, id] = decodeCursor(q.cursor);
    const op = s.desc ? '<' : '>';
    query = query.where((eb) =>
      eb.or([
        sql<boolean>`${s.expr} ${sql.raw(op)} ${v}`,
        eb.and([sql<boolean>`${s.expr} = ${v}`, eb('incidents.id', op, id)]),
      ]),
    );
  }
  const dir = s.desc ? 'desc' : 'asc';
  const rows = await query.orderBy(s.expr, dir).orderBy('incidents.id', dir).limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => presentSummary(r, now)),
    nextCursor: rows.length > q.limit && last ? encodeCursor(s.key(last), last.id) : null,
  };
}
