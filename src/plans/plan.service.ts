/**
 * Emergency plans (issue 15, 应急预案): versioned (a change is a new draft version of the same plan),
 * approved (the approved version retires the one before it), looked at again by a review date
 * (overdue reviews shown), with the document it came as (.docx/.pdf, stored with its SHA-256).
 * When an incident opens, the approved plan that covers it is found here (IncidentService starts
 * it: its steps become tasks, its contacts are told); when plans exist but none covers the incident,
 * the fallback minimum is asked for.
 */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { DomainError, notFound } from '../domain/errors.js';
import { type PlanContact, type PlanInput, type PlanStatus, type PlanStep, bestCover, checkPlan, reviewOverdue } from '../domain/plans/plan.js';
import type { EvidenceStore } from '../evidence/evidence.store.js';
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { DB, PlanRow } from '../store/schema.js';

export interface Plan {
  id: number;
  planKey: number;
  version: number;
  title: string;
  status: PlanStatus;
  scope: string | null;
  incidentTypes: string[];
  levels: number[];
  orgUnits: string[];
  organisation: string | null;
  steps: PlanStep[];
  resources: string | null;
  contacts: PlanContact[];
  reviewDue: string;
  reviewOverdue: boolean;
  file: { name: string; size: number; sha256: string } | null;
  approvedBy: string | null;
  approvedAt: string | null;
  createdBy: string;
  createdAt: string;
}

/** what starts on a new incident: the plan that covers it, or the fallback when plans exist and none does */
export interface PlanStart {
  plan: Pick<Plan, 'id' | 'title' | 'version' | 'steps' | 'contacts'> | null;
  fallback: boolean;
}

export class PlanService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    private readonly zones: OrgTimeZone,
    private readonly settings: SettingsService,
    private readonly files: EvidenceStore,
  ) {}

  private async today(): Promise<string> {
    await this.zones.refresh(this.db);
    return DateTime.fromJSDate(this.now(), { zone: this.zones.zone }).toISODate()!;
  }

  private present(r: PlanRow, today: string): Plan {
    const status = r.status as PlanStatus;
    return {
      id: Number(r.id),
      planKey: Number(r.plan_key ?? r.id),
      version: r.version,
      title: r.title,
      status,
      scope: r.scope,
      incidentTypes: JSON.parse(r.incident_types) as string[],
      levels: JSON.parse(r.levels) as number[],
      orgUnits: JSON.parse(r.org_units) as string[],
      organisation: r.organisation,
      steps: JSON.parse(r.steps) as PlanStep[],
      resources: r.resources,
      contacts: JSON.parse(r.contacts) as PlanContact[],
      reviewDue: r.review_due,
      reviewOverdue: status === 'approved' && reviewOverdue(r.review_due, today),
      file: r.file_sha256 ? { name: r.file_name ?? 'plan', size: Number(r.file_size ?? 0), sha256: r.file_sha256 } : null,
      approvedBy: r.approved_by,
      approvedAt: r.approved_at,
      createdBy: r.created_by,
      createdAt: r.created_at,
    };
  }

  /** Every plan's versions, the newest plan first and its latest version first. */
  async list(): Promise<Plan[]> {
    const today = await this.today();
    const rows = await this.db.selectFrom('plans').selectAll().orderBy('plan_key', 'desc').orderBy('version', 'desc').limit(2000).execute();
    return rows.map((r) => this.present(r, today));
  }

  async get(id: number): Promise<Plan> {
    const r = await this.db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('plan', id);
    return this.present(r, await this.today());
  }

  private async check(db: Kysely<DB>, input: PlanInput): Promise<PlanInput> {
    const types = new Set((await this.settings.grading(db)).entries.map((e) => e.type));
    const units = new Set((await db.selectFrom('org_units').select('code').execute()).map((u) => u.code));
    return checkPlan(input, types, units);
  }

  private values(p: PlanInput) {
    return {
      title: p.title,
      scope: p.scope ?? null,
      incident_types: JSON.stringify(p.incidentTypes),
      levels: JSON.stringify(p.levels),
      org_units: JSON.stringify(p.orgUnits),
      organisation: p.organisation ?? null,
      steps: JSON.stringify(p.steps),
      resources: p.resources ?? null,
      contacts: JSON.stringify(p.contacts),
      review_due: p.reviewDue,
    };
  }

  /** A new plan: version 1, a draft. */
  async create(actor: Actor, input: PlanInput): Promise<Plan> {
    requirePermission(actor, 'roster.manage', 'write emergency plans');
    const at = this.now().toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const checked = await this.check(trx, input);
      const r = await trx.insertInto('plans').values({ ...this.values(checked), plan_key: null, version: 1, status: 'draft', created_by: actorLabel(actor), created_at: at }).returning('id').executeTakeFirstOrThrow();
      await trx.updateTable('plans').set({ plan_key: Number(r.id) }).where('id', '=', Number(r.id)).execute();
      await writeAudit(trx, { actor, action: 'plan.create', entityType: 'plan', entityId: String(r.id), after: { title: checked.title, version: 1 }, at });
      return Number(r.id);
    });
    return this.get(id);
  }

  /** A change to a plan: a new draft version of it (the versions before are kept as they were). */
  async revise(actor: Actor, id: number, input: PlanInput): Promise<Plan> {
    requirePermission(actor, 'roster.manage', 'write emergency plans');
    const at = this.now().toISOString();
    const newId = await this.db.transaction().execute(async (trx) => {
      const base = await trx.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
      if (!base) throw notFound('plan', id);
      const key = Number(base.plan_key ?? base.id);
      const checked = await this.check(trx, input);
      const last = await trx.selectFrom('plans').select((eb) => eb.fn.max('version').as('v')).where('plan_key', '=', key).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      // the document stays with the plan until a new one is attached
      const r = await trx
        .insertInto('plans')
        .values({ ...this.values(checked), plan_key: key, version, status: 'draft', file_sha256: base.file_sha256, file_name: base.file_name, file_size: base.file_size, created_by: actorLabel(actor), created_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      await writeAudit(trx, { actor, action: 'plan.revise', entityType: 'plan', entityId: String(r.id), after: { plan: key, version }, at });
      return Number(r.id);
    });
    return this.get(newId);
  }

  /** Approves a draft version; the version approved before it is retired. */
  async approve(actor: Actor, id: number): Promise<Plan> {
    requirePermission(actor, 'roster.manage', 'approve emergency plans');
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('plan', id);
      if (row.status !== 'draft') throw new DomainError('conflict', `plan ${id} (version ${row.version}) is ${row.status}: only a draft is approved`, { reason: 'planNotDraft', id, status: row.status });
      await trx.updateTable('plans').set({ status: 'retired' }).where('plan_key', '=', Number(row.plan_key ?? row.id)).where('status', '=', 'approved').execute();
      await trx.updateTable('plans').set({ status: 'approved', approved_by: actorLabel(actor), approved_at: at }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'plan.approve', entityType: 'plan', entityId: String(id), after: { version: row.version }, at });
    });
    return this.get(id);
  }

  /** The plan's document (.docx, .pdf…) as it was written, kept with its SHA-256. */
  async attach(actor: Actor, id: number, file: { filename: string; stream: Readable; isTruncated?: () => boolean }): Promise<Plan> {
    requirePermission(actor, 'roster.manage', 'write emergency plans');
    await this.get(id);
    const stored = await this.files.put(file.stream, file.isTruncated);
    const name = file.filename.replace(/[\\/\u0000-\u001f]/g, '_').slice(0, 255) || 'plan';
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('plans').set({ file_sha256: stored.sha256, file_name: name, file_size: stored.size }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'plan.file', entityType: 'plan', entityId: String(id), after: { name, ...stored }, at });
    });
    return this.get(id);
  }

  async openFile(id: number) {
    const p = await this.get(id);
    if (!p.file) throw notFound('document of plan', id);
    const type = p.file.name.toLowerCase().endsWith('.pdf') ? 'application/pdf' : p.file.name.toLowerCase().endsWith('.docx') ? 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' : 'application/octet-stream';
    return { filename: p.file.name, contentType: type, size: p.file.size, sha256: p.file.sha256, stream: this.files.open(p.file.sha256) };
  }

  /** The approved plan that covers a new incident (the most specific), or, when approved plans exist and none does, the fallback. */
  async startFor(db: Kysely<DB>, incident: { type: string; level: number; orgUnit: string }): Promise<PlanStart> {
    const rows = await db.selectFrom('plans').selectAll().where('status', '=', 'approved').execute();
    if (!rows.length) return { plan: null, fallback: false };
    const plans = rows.map((r) => this.present(r, ''));
    const best = bestCover(plans, incident);
    return best ? { plan: best, fallback: false } : { plan: null, fallback: true };
  }
}
