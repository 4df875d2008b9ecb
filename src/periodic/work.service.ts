/**
 * Recurring work (issue 15, 周期性任务): work items with a schedule, their occurrences laid out from
 * it (a quarter back for a new schedule, a month ahead), each ended by a person — done with a
 * result and evidence (a file, or the scan imported for it), or skipped with a reason — and
 * those past due escalated once through the notification rules (event `work_overdue`). The quarter
 * view and its report read the same tables.
 */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { BACKFILL_DAYS, HORIZON_DAYS, quarterBounds, quarterOf, type OccurrenceResult, type OccurrenceStatus, OCCURRENCE_STATUSES, type WorkKind, WORK_KINDS, checkOccurrenceChange, nextOccurrence, occurrenceDue, occurrencesBetween, parseSchedule } from '../domain/periodic/schedule.js';
import { OPEN_STATUSES } from '../domain/findings/finding.js';
import type { Severity } from '../domain/findings/scan.js';
import { quarterFigures } from '../domain/periodic/quarter.js';
import { quarterReport } from '../domain/periodic/reports.js';
import type { ReportDocument } from '../domain/report/document.js';
import type { ReportLocale } from '../domain/report/forms.js';
import type { EvidenceStore } from '../evidence/evidence.store.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import type { DB, WorkItemRow, WorkOccurrenceRow } from '../store/schema.js';

export interface WorkItemInput {
  title: string;
  kind: WorkKind;
  rrule: string;
  /** the first occurrence, a local wall-clock time yyyy-MM-ddTHH:mm in the organisation's zone */
  start: string;
  dueDays: number;
  owner: string;
  orgUnit: string;
  description?: string | null;
  enabled?: boolean;
}

export interface WorkItem {
  id: number;
  title: string;
  kind: WorkKind;
  rrule: string;
  start: string;
  dueDays: number;
  owner: string;
  orgUnit: string;
  description: string | null;
  enabled: boolean;
  next: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Occurrence {
  id: number;
  itemId: number;
  title: string;
  kind: WorkKind;
  owner: string;
  orgUnit: string;
  scheduledAt: string;
  dueAt: string;
  status: OccurrenceStatus;
  overdue: boolean;
  result: OccurrenceResult | null;
  note: string | null;
  scanId: number | null;
  evidence: { filename: string; size: number; sha256: string } | null;
  doneAt: string | null;
  doneBy: string | null;
  escalatedAt: string | null;
}

export interface OccurrenceQuery {
  item?: number;
  status?: OccurrenceStatus[];
  overdue?: boolean;
  orgUnit?: string;
  owner?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

type OccurrenceJoined = WorkOccurrenceRow & Pick<WorkItemRow, 'title' | 'kind' | 'owner' | 'org_unit'>;

export class WorkService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    private readonly zones: OrgTimeZone,
    private readonly evidence: EvidenceStore,
    private readonly notify: NotifyService,
  ) {}

  private async checkInput(db: Kysely<DB>, input: WorkItemInput) {
    const title = input.title.trim();
    if (!title) throw validationError('title', 'is required', 'blank');
    if (!(WORK_KINDS as readonly string[]).includes(input.kind)) throw validationError('kind', `must be one of ${WORK_KINDS.join(', ')}`, 'enum', { values: WORK_KINDS.join(', ') });
    const schedule = parseSchedule(input.rrule, input.start);
    if (!Number.isInteger(input.dueDays) || input.dueDays < 1 || input.dueDays > 366) throw validationError('dueDays', 'must be 1 to 366 days', 'maximum', { limit: 366 });
    const owner = await db.selectFrom('users').select(['username', 'disabled']).where('username', '=', input.owner).executeTakeFirst();
    if (!owner || owner.disabled) throw validationError('owner', `no active user "${input.owner.slice(0, 64)}"`, 'unknownUser', { username: input.owner.slice(0, 64) });
    if (!(await db.selectFrom('org_units').select('code').where('code', '=', input.orgUnit).executeTakeFirst())) throw validationError('orgUnit', `org unit "${input.orgUnit.slice(0, 32)}" does not exist`, 'unknownOrgUnit', { code: input.orgUnit.slice(0, 32) });
    return { title: title.slice(0, 200), kind: input.kind, rrule: schedule.rrule, start_local: schedule.start, due_days: input.dueDays, owner: input.owner, org_unit: input.orgUnit, description: input.description?.trim().slice(0, 4000) || null, enabled: input.enabled === false ? 0 : 1 };
  }

  async items(q: { orgUnit?: string } = {}): Promise<WorkItem[]> {
    await this.zones.refresh(this.db);
    let query = this.db.selectFrom('work_items').selectAll().orderBy('id');
    if (q.orgUnit) query = query.where('org_unit', '=', q.orgUnit);
    return (await query.execute()).map((r) => this.presentItem(r));
  }

  async item(id: number): Promise<WorkItem> {
    await this.zones.refresh(this.db);
    const r = await this.db.selectFrom('work_items').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('work item', id);
    return this.presentItem(r);
  }

  private presentItem(r: WorkItemRow): WorkItem {
    const next = r.enabled ? nextOccurrence({ rrule: r.rrule, start: r.start_local }, this.zones.zone, this.now()) : undefined;
    return {
      id: Number(r.id),
      title: r.title,
      kind: r.kind as WorkKind,
      rrule: r.rrule,
      start: r.start_local,
      dueDays: r.due_days,
      owner: r.owner,
      orgUnit: r.org_unit,
      description: r.description,
      enabled: r.enabled === 1,
      next: next?.toISOString() ?? null,
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  /** A new work item, its occurrences laid out at once. */
  async createItem(actor: Actor, input: WorkItemInput): Promise<WorkItem> {
    requirePermission(actor, 'findings.manage', 'plan periodic work');
    const at = this.now().toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const values = await this.checkInput(trx, input);
      const r = await trx.insertInto('work_items').values({ ...values, created_by: actorLabel(actor), created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow();
      await writeAudit(trx, { actor, action: 'work_item.create', entityType: 'work_item', entityId: String(r.id), after: values, at });
      await this.layOut(trx, Number(r.id));
      return Number(r.id);
    });
    return this.item(id);
  }

  /** A changed work item: occurrences not yet ended and not yet due that the new schedule no longer has are removed, then laid out again. */
  async updateItem(actor: Actor, id: number, input: WorkItemInput): Promise<WorkItem> {
    requirePermission(actor, 'findings.manage', 'plan periodic work');
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('work_items').selectAll().where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound('work item', id);
      const values = await this.checkInput(trx, input);
      await trx.updateTable('work_items').set({ ...values, updated_at: at }).where('id', '=', id).execute();
      await trx.deleteFrom('work_occurrences').where('item_id', '=', id).where('status', '=', 'pending').where('scheduled_at', '>', at).execute();
      if (values.due_days !== before.due_days) {
        // the due dates of occurrences still open follow the new allowance
        for (const o of await trx.selectFrom('work_occurrences').select(['id', 'scheduled_at']).where('item_id', '=', id).where('status', '=', 'pending').execute()) {
          await trx.updateTable('work_occurrences').set({ due_at: occurrenceDue(new Date(o.scheduled_at), values.due_days).toISOString() }).where('id', '=', o.id).execute();
        }
      }
      await writeAudit(trx, { actor, action: 'work_item.update', entityType: 'work_item', entityId: String(id), before: { rrule: before.rrule, start: before.start_local, owner: before.owner, enabled: before.enabled }, after: values, at });
      await this.layOut(trx, id);
    });
    return this.item(id);
  }

  /** Lays out the occurrences of one item (or of every enabled item) from a quarter back to a month ahead; those there already are kept. */
  async layOut(db: Kysely<DB> = this.db, only?: number): Promise<number> {
    await this.zones.refresh(db);
    const now = this.now();
    let query = db.selectFrom('work_items').selectAll().where('enabled', '=', 1);
    if (only !== undefined) query = query.where('id', '=', only);
    let added = 0;
    for (const item of await query.execute()) {
      const since = new Date(Math.max(now.getTime() - BACKFILL_DAYS * 86_400_000, Date.parse(item.created_at) - BACKFILL_DAYS * 86_400_000));
      const until = new Date(now.getTime() + HORIZON_DAYS * 86_400_000);
      const times = occurrencesBetween({ rrule: item.rrule, start: item.start_local }, this.zones.zone, since, until);
      if (!times.length) continue;
      const values = times.map((t) => ({ item_id: Number(item.id), scheduled_at: t.toISOString(), due_at: occurrenceDue(t, item.due_days).toISOString(), status: 'pending' }));
      const r = await db
        .insertInto('work_occurrences')
        .values(values)
        .onConflict((oc) => oc.columns(['item_id', 'scheduled_at']).doNothing())
        .executeTakeFirst();
      added += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  }

  private occurrenceQuery() {
    return this.db
      .selectFrom('work_occurrences as o')
      .innerJoin('work_items as i', 'i.id', 'o.item_id')
      .selectAll('o')
      .select(['i.title', 'i.kind', 'i.owner', 'i.org_unit']);
  }

  async occurrences(q: OccurrenceQuery): Promise<{ items: Occurrence[]; total: number }> {
    const at = this.now().toISOString();
    let query = this.db.selectFrom('work_occurrences as o').innerJoin('work_items as i', 'i.id', 'o.item_id');
    if (q.item !== undefined) query = query.where('o.item_id', '=', q.item);
    if (q.status?.length) query = query.where('o.status', 'in', q.status);
    if (q.overdue) query = query.where('o.status', '=', 'pending').where('o.due_at', '<', at);
    if (q.orgUnit) query = query.where('i.org_unit', '=', q.orgUnit);
    if (q.owner) query = query.where('i.owner', '=', q.owner);
    if (q.from) query = query.where('o.scheduled_at', '>=', q.from);
    if (q.to) query = query.where('o.scheduled_at', '<', q.to);
    const total = Number((await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await query
      .selectAll('o')
      .select(['i.title', 'i.kind', 'i.owner', 'i.org_unit'])
      .orderBy('o.due_at')
      .orderBy('o.id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { items: rows.map((r) => presentOccurrence(r, at)), total };
  }

  async occurrence(id: number): Promise<Occurrence> {
    const r = await this.occurrenceQuery().where('o.id', '=', id).executeTakeFirst();
    if (!r) throw notFound('occurrence', id);
    return presentOccurrence(r, this.now().toISOString());
  }

  /** Ends an occurrence (done with a result, skipped with a reason) or opens it again; a scan imported for it may be named. */
  async updateOccurrence(actor: Actor, id: number, input: { status: OccurrenceStatus; result?: OccurrenceResult | null; note?: string | null; scanId?: number | null }): Promise<Occurrence> {
    requirePermission(actor, 'findings.manage', 'record periodic work');
    if (!(OCCURRENCE_STATUSES as readonly string[]).includes(input.status)) throw validationError('status', `must be one of ${OCCURRENCE_STATUSES.join(', ')}`, 'enum', { values: OCCURRENCE_STATUSES.join(', ') });
    checkOccurrenceChange(input);
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('work_occurrences').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('occurrence', id);
      if (input.status === 'pending' && row.status === 'pending') throw new DomainError('conflict', `occurrence ${id} is not ended`, { reason: 'occurrenceOpen', id });
      if (input.scanId !== undefined && input.scanId !== null && !(await trx.selectFrom('scans').select('id').where('id', '=', input.scanId).executeTakeFirst())) throw validationError('scanId', `no scan ${input.scanId}`, 'unknownScanId', { id: input.scanId });
      const ended = input.status !== 'pending';
      const changes = {
        status: input.status,
        result: input.status === 'done' ? input.result! : null,
        note: input.note?.trim().slice(0, 4000) || null,
        done_at: ended ? at : null,
        done_by: ended ? actorLabel(actor) : null,
        ...(input.scanId !== undefined ? { scan_id: input.scanId } : {}),
      };
      await trx.updateTable('work_occurrences').set(changes).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'occurrence.update', entityType: 'occurrence', entityId: String(id), before: { status: row.status, result: row.result }, after: changes, at });
    });
    return this.occurrence(id);
  }

  /** A scan imported for an occurrence: named as its evidence, and the occurrence done — issues if it found anything open, else passed. */
  async recordScan(actor: Actor, id: number, scan: { id: number; new: number; reopened: number; seen: number }): Promise<Occurrence> {
    const row = await this.occurrence(id);
    if (row.status !== 'pending') return this.updateOccurrence(actor, id, { status: row.status, result: row.result, note: row.note, scanId: scan.id });
    const issues = scan.new + scan.reopened + scan.seen > 0;
    return this.updateOccurrence(actor, id, { status: 'done', result: issues ? 'issues' : 'passed', note: row.note ?? `scan #${scan.id}`, scanId: scan.id });
  }

  async addEvidence(actor: Actor, id: number, file: { filename: string; stream: Readable; isTruncated?: () => boolean }): Promise<Occurrence> {
    requirePermission(actor, 'findings.manage', 'record periodic work');
    const filename = file.filename.replace(/[\\/\u0000-\u001f]/g, '_').slice(0, 255) || 'evidence.bin';
    await this.occurrence(id); // before streaming a large body into the store
    const stored = await this.evidence.put(file.stream, file.isTruncated);
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('work_occurrences').set({ evidence_sha256: stored.sha256, evidence_filename: filename, evidence_size: stored.size }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'occurrence.evidence', entityType: 'occurrence', entityId: String(id), after: { filename, ...stored }, at });
    });
    return this.occurrence(id);
  }

  async openEvidence(id: number) {
    const o = await this.occurrence(id);
    if (!o.evidence) throw notFound('evidence of occurrence', id);
    return { filename: o.evidence.filename, contentType: 'application/octet-stream', size: o.evidence.size, sha256: o.evidence.sha256, stream: this.evidence.open(o.evidence.sha256) };
  }

  /** The quarter view (`2026Q4`; the current quarter when absent): per org unit, recurring work and findings. */
  async quarter(quarter: string | undefined, orgUnit?: string) {
    await this.zones.refresh(this.db);
    const zone = this.zones.zone;
    const now = this.now();
    const b = quarterBounds(quarter ?? quarterOf(now, zone), zone);
    const from = b.from.toISOString();
    const to = b.to.toISOString();
    let occ = this.occurrenceQuery().where('o.scheduled_at', '>=', from).where('o.scheduled_at', '<', to);
    if (orgUnit) occ = occ.where('i.org_unit', '=', orgUnit);
    const occurrences = await occ.orderBy('o.due_at').execute();
    let fq = this.db
      .selectFrom('findings')
      .select(['ip', 'hostname', 'title', 'org_unit', 'severity', 'status', 'first_seen', 'closed_at', 'due_at'])
      .where('first_seen', '<', to)
      .where((eb) => eb.or([eb('closed_at', 'is', null), eb('closed_at', '>=', from)]));
    if (orgUnit) fq = fq.where('org_unit', '=', orgUnit);
    const findings = await fq.execute();
    const units = await this.db.selectFrom('org_units').select(['code', 'name']).orderBy('code').execute();
    const figures = quarterFigures(
      from,
      to,
      now.toISOString(),
      orgUnit ? [orgUnit] : units.map((u) => u.code),
      occurrences.map((o) => ({ orgUnit: o.org_unit, scheduledAt: o.scheduled_at, dueAt: o.due_at, status: o.status, doneAt: o.done_at })),
      findings.map((f) => ({ orgUnit: f.org_unit, severity: f.severity, status: f.status, firstSeen: f.first_seen, closedAt: f.closed_at, dueAt: f.due_at })),
    );
    const end = to < now.toISOString() ? to : now.toISOString();
    return {
      quarter: b.quarter,
      from,
      to,
      zone,
      unitNames: Object.fromEntries(units.map((u) => [u.code, u.name])),
      ...figures,
      overdueWork: occurrences.filter((o) => o.status === 'pending' && o.due_at < end).map((o) => presentOccurrence(o, now.toISOString())),
      overdueFindings: findings
        .filter((f) => (f.severity === 'critical' || f.severity === 'high') && (OPEN_STATUSES as readonly string[]).includes(f.status) && f.due_at !== null && f.due_at < end)
        .slice(0, 200)
        .map((f) => ({ ip: f.ip, hostname: f.hostname, title: f.title, severity: f.severity as Severity, dueAt: f.due_at, status: f.status })),
    };
  }

  /** The quarterly report, as a document to write out as Word or Markdown. */
  async quarterReport(quarter: string | undefined, orgUnit: string | undefined, locale: ReportLocale): Promise<{ document: ReportDocument; quarter: string }> {
    const q = await this.quarter(quarter, orgUnit);
    const [year, n] = q.quarter.split('Q');
    const document = quarterReport({
      locale,
      zone: q.zone,
      generatedAt: this.now().toISOString(),
      label: locale === 'zh-CN' ? `${year} 年第 ${n} 季度` : `${year} Q${n}`,
      orgUnit,
      unitNames: q.unitNames,
      units: q.units,
      total: q.total,
      overdueWork: q.overdueWork,
      overdueFindings: q.overdueFindings,
    });
    return { document, quarter: q.quarter };
  }

  /** Lays out what is coming and escalates each occurrence past its due date once, through the notification rules. */
  async checkOverdue(): Promise<number> {
    await this.layOut();
    const now = this.now();
    const at = now.toISOString();
    const due = await this.occurrenceQuery().where('o.status', '=', 'pending').where('o.due_at', '<', at).where('o.escalated_at', 'is', null).orderBy('o.due_at').limit(200).execute();
    let queued = 0;
    for (const o of due) {
      queued += await this.db.transaction().execute(async (trx) => {
        const taken = await trx.updateTable('work_occurrences').set({ escalated_at: at }).where('id', '=', o.id).where('escalated_at', 'is', null).executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 0) return 0;
        const days = Math.max(1, Math.round((now.getTime() - Date.parse(o.due_at)) / 86_400_000));
        return this.notify.enqueue(trx, { kind: 'work_overdue', incidentId: '', level: 0, title: `周期工作逾期：${o.title}`, typeName: '周期工作', orgUnit: o.org_unit, at, text: `「${o.title}」（负责人 ${o.owner}）计划于 ${o.scheduled_at.slice(0, 10)}，应于 ${o.due_at.slice(0, 10)} 前完成，已逾期约 ${days} 天` }, now);
      });
    }
    return queued;
  }
}

function presentOccurrence(r: OccurrenceJoined, now: string): Occurrence {
  const status = r.status as OccurrenceStatus;
  return {
    id: Number(r.id),
    itemId: Number(r.item_id),
    title: r.title,
    kind: r.kind as WorkKind,
    owner: r.owner,
    orgUnit: r.org_unit,
    scheduledAt: r.scheduled_at,
    dueAt: r.due_at,
    status,
    overdue: status === 'pending' && r.due_at < now,
    result: r.result as OccurrenceResult | null,
    note: r.note,
    scanId: r.scan_id === null ? null : Number(r.scan_id),
    evidence: r.evidence_sha256 ? { filename: r.evidence_filename ?? 'evidence.bin', size: Number(r.evidence_size ?? 0), sha256: r.evidence_sha256 } : null,
    doneAt: r.done_at,
    doneBy: r.done_by,
    escalatedAt: r.escalated_at,
  };
}
