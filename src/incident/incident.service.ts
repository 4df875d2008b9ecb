/**
 * The incident service: every operation on an incident, each on one transaction that also
 * writes its audit row (and timeline entry where a person would look for one). A failed
 * operation writes nothing.
 */
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import type { Readable } from 'node:stream';
import { type Kysely, sql } from 'kysely';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { type GradingTable, type Level, gradeOf, isLevel } from '../domain/grading/grading.js';
import { type ObservableType, OBSERVABLE_PAP, OBSERVABLE_TLP, OBSERVABLE_TYPES, dayInZone, formatIncidentId, normalizeObservable, normalizeTags } from '../domain/incident/incident.js';
import {
  type Phase,
  type Resolution,
  type TaskStatus,
  PHASES,
  RESOLUTIONS,
  TASK_STATUSES,
  WORKING_PHASES,
  isPhase,
  isTaskOpen,
  judgeMove,
} from '../domain/incident/phase.js';
import { planTasks } from '../domain/incident/playbook.js';
import { type Deadlines, dueAtFor, planDeadlines } from '../domain/incident/sla.js';
import { FALLBACK_STEPS } from '../domain/plans/plan.js';
import type { BlockFacts } from '../domain/incident/phase.js';
import type { PlanStart } from '../plans/plan.service.js';
import { instant, optionalText, pastInstant, requiredText } from '../domain/text.js';
import type { EvidenceStore } from '../evidence/evidence.store.js';
import { requireOrgUnit } from '../settings/settings.repository.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { DB, IncidentRow } from '../store/schema.js';
import * as repo from './incident.repository.js';
import type { IncidentDetail, IncidentListQuery, Task } from './incident.repository.js';

export type IncidentView = IncidentDetail & { typeName: { zh: string; en: string } };

export interface AssetInput {
  ip?: string | null;
  hostname?: string | null;
  businessSystem?: string | null;
  orgUnit?: string | null;
  note?: string | null;
}

export interface ObservableInput {
  type: string;
  value: string;
  firstSeen?: string;
  lastSeen?: string;
  note?: string | null;
  /** TLP 2.0 level; null unmarks; absent: left as it is */
  tlp?: string | null;
  pap?: string | null;
  /** replaces the tags when given */
  tags?: string[];
}

/** What an analyst edits on an observable already there. */
export type ObservableEdit = Pick<ObservableInput, 'note' | 'tlp' | 'pap' | 'tags'>;

export interface CreateIncidentInput {
  title: string;
  /** the English wording of a title the product made (not offered over HTTP) */
  titleEn?: string;
  description?: string;
  type: string;
  level?: number;
  levelReason?: string;
  orgUnit?: string;
  ownerId?: number | null;
  team?: string | null;
  detectedAt?: string;
  assets?: AssetInput[];
  observables?: ObservableInput[];
  tags?: string[];
  /** an exercise (演练) incident: kept out of the real figures */
  exercise?: boolean;
  /** the drill (a campaign) that opens it: an exercise */
  campaignId?: number;
}

/** the emergency plan that covers a new incident (PlanService.startFor) */
export type PlanLookup = (db: Kysely<DB>, incident: { type: string; level: number; orgUnit: string }) => Promise<PlanStart>;

export interface UpdateIncidentInput {
  title?: string;
  description?: string;
  ownerId?: number | null;
  team?: string | null;
  orgUnit?: string;
  detectedAt?: string;
  resolution?: string | null;
  conclusion?: string | null;
  recommendations?: string | null;
  /** replaces the tags when given */
  tags?: string[];
  exercise?: boolean;
}

export interface DetectionInput {
  /** the open incident the match joins; absent: create one from `create` */
  incidentId?: string;
  /**
   * the incident this match would open. Joining an incident whose matches all came from alerts
   * stored after this one's (`firstAlertId`: several detection workers file in no fixed order),
   * the incident takes its title, description and detection time from this match, unless a person
   * edited it: an incident is named by the match of its earliest-stored alert, as one process names it.
   */
  create?: CreateIncidentInput;
  /** the earliest-stored alert of this match */
  firstAlertId?: number;
  /** the incident type the match means (the level follows from the grading table) */
  type: string;
  /** why the level rises, when it does */
  levelReason: string;
  levelReasonEn?: string;
  /** the timeline entry of the match (`source` manual when a person filed alerts by hand; default detection) */
  timeline?: { occurredAt: string; text: string; data?: unknown; source?: 'detection' | 'manual' };
  assets: AssetInput[];
  observables: ObservableInput[];
  /** the caller's own rows, on the same transaction */
  write?: (trx: Kysely<DB>, incidentId: string, at: string) => Promise<void>;
  /** the grading table the caller already read on this transaction (else it is read again) */
  grading?: GradingTable;
}

export interface DetectionOutcome {
  incidentId: string;
  created: boolean;
  addedHosts: string[];
  regraded?: { from: Level; to: Level; type: string };
}

export interface MoveInput {
  to: string;
  reason?: string;
  override?: boolean;
}

const LIMITS = { title: 200, description: 20_000, team: 100, reason: 2_000, longText: 20_000, note: 2_000, timeline: 5_000, recipients: 1_000 };
const PHASE_ZH: Record<Phase, string> = { discovery: '发现', report: '上报', analysis: '分析', handling: '处置', summary: '总结', closed: '关闭' };

interface TimelineInput {
  occurredAt: string;
  source: string;
  kind: string;
  text: string;
  data?: unknown;
}

export class IncidentService {
  /** finds the emergency plan that covers a new incident (the plans' service) */
  plans?: PlanLookup;
  /** the incident's block-list entries in force and how many are still seen (the handling gate shows it) */
  blockFacts?: (db: Kysely<DB>, incidentId: string) => Promise<BlockFacts | null>;

  private readonly gradingCache = new Map<number, GradingTable>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly settings: SettingsService,
    private readonly evidence: EvidenceStore,
    private readonly now: () => Date,
    /** the organisation's zone in force (the settings'): the day in an incident's id */
    private readonly timeZones: OrgTimeZone,
    /** PostgreSQL: lock the incident row for the transaction (SQLite transactions are already serial) */
    private readonly lockRows: boolean,
  ) {}

  // ---------------------------------------------------------------- reading

  async list(q: IncidentListQuery) {
    return repo.listIncidents(this.db, q, this.now().toISOString());
  }

  /** Indicators across incidents whose value holds the text (the pivot and the global search). */
  async searchObservables(q: { text?: string; type?: string; orgUnit?: string; branch?: string; limit: number }) {
    const text = q.text === undefined ? undefined : requiredText('q', q.text, 200);
    return repo.searchObservables(this.db, { ...q, text });
  }

  async get(id: string): Promise<IncidentView> {
    const detail = await repo.loadDetail(this.db, id, this.now().toISOString());
    const entry = (await this.gradingVersion(detail.gradingVersion)).entries.find((e) => e.type === detail.type);
    return { ...detail, typeName: { zh: entry?.nameZh ?? detail.type, en: entry?.nameEn ?? detail.type } };
  }

  /** Grading versions never change once written, so they are cached. */
  private async gradingVersion(v: number): Promise<GradingTable> {
    let t = this.gradingCache.get(v);
    if (!t) {
      t = await this.settings.gradingAt(v);
      this.gradingCache.set(v, t);
    }
    return t;
  }

  // ---------------------------------------------------------------- creating

  async create(actor: Actor, input: CreateIncidentInput): Promise<IncidentView> {
    requirePermission(actor, 'incident.create', 'create incidents');
    const now = this.now();
    const at = now.toISOString();
    const title = requiredText('title', input.title, LIMITS.title);
    const description = optionalText('description', input.description, LIMITS.description) ?? '';
    const team = optionalText('team', input.team, LIMITS.team);
    const detectedAt = input.detectedAt === undefined ? at : pastInstant('detectedAt', input.detectedAt, now);
    if (input.level !== undefined && !isLevel(input.level)) throw validationError('level', `must be 1, 2, 3 or 4 (1 is the most severe), got ${input.level}`);
    const assets = (input.assets ?? []).map((a, i) => this.checkAsset(a, `assets/${i}`));
    const observables = (input.observables ?? []).map((o, i) => this.checkObservable(o, `observables/${i}`, detectedAt));
    if (assets.length > 1000) throw validationError('assets', 'at most 1000 assets at creation');
    if (observables.length > 1000) throw validationError('observables', 'at most 1000 observables at creation');

    const id = await this.db.transaction().execute((trx) => this.insertIncident(trx, actor, input, { now, title, description, team, detectedAt, assets, observables }));
    return this.get(id);
  }


  /** Inserts a checked new incident with its assets, observables, level history, tasks and first timeline entry, on `trx`. */
  private async insertIncident(
    trx: Kysely<DB>,
    actor: Actor,
    input: CreateIncidentInput,
    c: { now: Date; title: string; description: string; team: string | null; detectedAt: string; assets: ReturnType<IncidentService['checkAsset']>[]; observables: ReturnType<IncidentService['checkObservable']>[] },
  ): Promise<string> {
    const { now, title, description, team, detectedAt, assets, observables } = c;
    const at = now.toISOString();
    const grading = await this.settings.grading(trx);
    const entry = gradeOf(grading, input.type);
    const level = (input.level ?? entry.level) as Level;
    let levelReason = `按定级表（第 ${grading.version} 版）：${entry.nameZh} → ${level} 级`;
    let levelReasonEn: string | null = `By the grading table (version ${grading.version}): ${entry.nameEn} → level ${level}`;
    if (level !== entry.level) {
      const why = optionalText('levelReason', input.levelReason, LIMITS.reason);
      if (!why) throw validationError('levelReason', `the grading table gives ${entry.type} level ${entry.level}; say why this incident is level ${level}`);
      levelReason = why;
      levelReasonEn = null;
    }
    const orgUnit = input.orgUnit ?? (await this.defaultOrgUnit(trx));
    await requireOrgUnit(trx, orgUnit, 'orgUnit');
    for (const [i, a] of assets.entries()) if (a.org_unit) await requireOrgUnit(trx, a.org_unit, `assets/${i}/orgUnit`);
    if (input.ownerId != null) await this.checkUser(trx, input.ownerId, 'ownerId');
    if (input.campaignId !== undefined) {
      const drill = await trx.selectFrom('campaigns').select(['kind', 'closed_at']).where('id', '=', input.campaignId).executeTakeFirst();
      if (!drill) throw validationError('campaignId', `no campaign ${input.campaignId}`, 'unknownCampaign', { id: input.campaignId });
      if (drill.kind !== 'drill') throw validationError('campaignId', `campaign ${input.campaignId} is not a drill: only a drill opens exercise incidents`, 'notDrill', { id: input.campaignId });
      if (drill.closed_at) throw new DomainError('conflict', `campaign ${input.campaignId} is closed`, { reason: 'campaignClosed', id: input.campaignId });
    }

    await this.timeZones.refresh(trx);
    const zone = this.timeZones.zone;
    const seq = await repo.nextSequence(trx, dayInZone(now, zone));
    const id = formatIncidentId(dayInZone(now, zone), seq);
    const sla = await this.settings.sla(trx);
    const { tier, deadlines } = planDeadlines(sla, level, detectedAt);
    const row: IncidentRow = {
      id,
      title,
      title_en: input.titleEn?.slice(0, LIMITS.title) ?? null,
      description,
      type: entry.type,
      level,
      grading_version: grading.version,
      priority_tier: tier,
      phase: 'discovery',
      phase_entered_at: at,
      phase_due_at: dueAtFor(deadlines, 'discovery'),
      deadlines: JSON.stringify(deadlines),
      owner_id: input.ownerId ?? null,
      team,
      org_unit: orgUnit,
      detected_at: detectedAt,
      created_at: at,
      created_by: actorLabel(actor),
      updated_at: at,
      closed_at: null,
      report_sent_at: null,
      report_sent_to: null,
      report_channel: null,
      resolution: null,
      conclusion: null,
      recommendations: null,
      tags: JSON.stringify(normalizeTags(input.tags ?? [])),
      exercise: input.exercise || input.campaignId !== undefined ? 1 : 0,
      campaign_id: input.campaignId ?? null,
      plan_id: null,
      national_level: null,
      national_category: null,
      national_reason: null,
      national_by: null,
      national_at: null,
      regulatory_due_at: null,
      regulatory_reported_at: null,
      regulatory_reported_to: null,
    };
    await trx.insertInto('incidents').values(row).execute();
    for (const a of assets) await trx.insertInto('affected_assets').values({ ...a, incident_id: id, created_at: at }).execute();
    for (const o of observables) await this.upsertObservable(trx, id, o, at);
    await trx
      .insertInto('level_changes')
      .values({ incident_id: id, from_type: null, to_type: entry.type, from_level: null, to_level: level, grading_version: grading.version, at, actor: actorLabel(actor), reason: levelReason, reason_en: levelReasonEn })
      .execute();
    await this.planTasks(trx, id, level, deadlines, at);
    const started = await this.plans?.(trx, { type: entry.type, level, orgUnit });
    await this.timeline(trx, id, actor, {
      occurredAt: detectedAt,
      source: 'system',
      kind: 'created',
      text: `${input.exercise ? '【演练】' : ''}发现事件：${title}（${entry.nameZh}，${level} 级，${tierZh(tier)}）`,
      data: { type: entry.type, level, tier, exercise: input.exercise ? true : undefined },
    });
    if (started) await this.startPlan(trx, id, actor, started, deadlines, at);
    await writeAudit(trx, { actor, action: 'incident.create', entityType: 'incident', entityId: id, after: { ...row, assets, observables }, at });
    return id;
  }

  /**
   * The emergency plan that covers a new incident starts: its steps become tasks (beside the
   * playbook's; no regrade cancels them), its contacts are told (the timeline entry the
   * notifications read); when plans exist and none covers the incident, it says so and the
   * minimum for a team without a plan becomes its tasks.
   */
  private async startPlan(trx: Kysely<DB>, id: string, actor: Actor, started: PlanStart, deadlines: Deadlines, at: string) {
    const steps = started.plan ? started.plan.steps.map((s) => ({ ...s, titleEn: null as string | null })) : started.fallback ? FALLBACK_STEPS : [];
    if (!steps.length && !started.plan) return;
    const note = started.plan ? `应急预案「${started.plan.title}」第 ${started.plan.version} 版` : '无预案时的最低处置流程';
    if (steps.length) {
      await trx
        .insertInto('tasks')
        .values(steps.map((s) => ({ incident_id: id, phase: s.phase, title: s.title, title_en: s.titleEn, mandatory: 0, status: 'open', assignee_id: null, due_at: deadlines[s.phase], playbook_key: null, note, created_at: at, updated_at: at, done_at: null, done_by: null })))
        .execute();
    }
    if (started.plan) {
      await trx.updateTable('incidents').set({ plan_id: started.plan.id }).where('id', '=', id).execute();
      const emails = started.plan.contacts.map((c) => c.email).filter((e): e is string => !!e);
      await this.timeline(trx, id, actor, { occurredAt: at, source: 'system', kind: 'plan_started', text: `启动${note}：${steps.length} 项响应步骤已列为任务${started.plan.contacts.length ? `，通知 ${started.plan.contacts.map((c) => c.name).join('、')}` : ''}`, data: { planId: started.plan.id, title: started.plan.title, version: started.plan.version, steps: steps.length, contacts: started.plan.contacts.map((c) => c.name), emails } });
    } else {
      await this.timeline(trx, id, actor, { occurredAt: at, source: 'system', kind: 'plan_missing', text: `没有应急预案覆盖本事件（类型、级别、机构）：按${note}处置，${steps.length} 项已列为任务`, data: { steps: steps.length } });
    }
  }

  // ---------------------------------------------------------------- editing

  async update(actor: Actor, id: string, patch: UpdateIncidentInput): Promise<IncidentView> {
    requirePermission(actor, 'incident.update', 'edit incidents');
    const now = this.now();
    const changes: Partial<IncidentRow> = {};
    if (patch.title !== undefined) {
      changes.title = requiredText('title', patch.title, LIMITS.title);
      changes.title_en = null; // a person's title replaces the product's wording in both languages
    }
    if (patch.description !== undefined) changes.description = optionalText('description', patch.description, LIMITS.description) ?? '';
    if (patch.team !== undefined) changes.team = optionalText('team', patch.team, LIMITS.team);
    if (patch.ownerId !== undefined) changes.owner_id = patch.ownerId;
    if (patch.orgUnit !== undefined) changes.org_unit = requiredText('orgUnit', patch.orgUnit, 32);
    if (patch.detectedAt !== undefined) changes.detected_at = pastInstant('detectedAt', patch.detectedAt, now);
    if (patch.resolution !== undefined) {
      if (patch.resolution !== null && !(RESOLUTIONS as readonly string[]).includes(patch.resolution)) {
        throw validationError('resolution', `must be one of ${RESOLUTIONS.join(', ')}`);
      }
      changes.resolution = patch.resolution;
    }
    if (patch.conclusion !== undefined) changes.conclusion = optionalText('conclusion', patch.conclusion, LIMITS.longText);
    if (patch.recommendations !== undefined) changes.recommendations = optionalText('recommendations', patch.recommendations, LIMITS.longText);
    if (patch.tags !== undefined) changes.tags = JSON.stringify(normalizeTags(patch.tags));
    if (patch.exercise !== undefined) changes.exercise = patch.exercise ? 1 : 0;
    if (Object.keys(changes).length === 0) throw validationError('body', 'nothing to change: give at least one field');

    await this.mutate(actor, id, 'incident.update', async (trx, row, at) => {
      if (changes.owner_id != null) await this.checkUser(trx, changes.owner_id, 'ownerId');
      if (changes.org_unit) await requireOrgUnit(trx, changes.org_unit, 'orgUnit');
      if (changes.detected_at && changes.detected_at !== row.detected_at) {
        // detection time anchors every deadline: re-plan them
        const sla = await this.settings.sla(trx);
        const { deadlines } = planDeadlines(sla, row.level as Level, changes.detected_at);
        changes.deadlines = JSON.stringify(deadlines);
        changes.phase_due_at = dueAtFor(deadlines, row.phase as Phase);
        await this.redateTasks(trx, id, deadlines, at);
      }
      const after = { ...row, ...changes, updated_at: at };
      await trx.updateTable('incidents').set({ ...changes, updated_at: at }).where('id', '=', id).execute();
      return { before: pick(row, Object.keys(changes)), after: pick(after, Object.keys(changes)) };
    });
    return this.get(id);
  }

  /** Re-grade: a new type and/or level. Re-plans deadlines and playbook tasks; always explained. */
  async grade(actor: Actor, id: string, input: { type?: string; level?: number; reason: string }): Promise<IncidentView> {
    requirePermission(actor, 'incident.grade', 'change the type or level of incidents');
    const reason = requiredText('reason', input.reason, LIMITS.reason);
    if (input.type === undefined && input.level === undefined) throw validationError('level', 'give a new level, a new type, or both');
    if (input.level !== undefined && !isLevel(input.level)) throw validationError('level', `must be 1, 2, 3 or 4, got ${input.level}`);
    await this.mutate(actor, id, 'incident.grade', (trx, row, at) => this.regrade(trx, row, actor, { type: input.type, level: input.level, reason }, at));
    return this.get(id);
  }


  /** Changes type and/or level on `trx`: deadlines, playbook tasks, level history and a timeline entry saying why. */
  private async regrade(trx: Kysely<DB>, row: IncidentRow, actor: Actor, input: { type?: string; level?: number; reason: string; reasonEn?: string }, at: string) {
    const reason = input.reason;
    const reasonEn = input.reasonEn ?? null;
    const grading = await this.settings.grading(trx);
    const entry = gradeOf(grading, input.type ?? row.type);
    const level = (input.level ?? (input.type !== undefined ? entry.level : row.level)) as Level;
    if (level === row.level && entry.type === row.type) throw new DomainError('conflict', `incident ${row.id} is already ${entry.type} at level ${level}`, { reason: 'alreadyGraded', level });
    const sla = await this.settings.sla(trx);
    const { tier, deadlines } = planDeadlines(sla, level, row.detected_at);
    const changes = {
      type: entry.type,
      level,
      grading_version: grading.version,
      priority_tier: tier,
      deadlines: JSON.stringify(deadlines),
      phase_due_at: dueAtFor(deadlines, row.phase as Phase),
      updated_at: at,
    };
    await trx.updateTable('incidents').set(changes).where('id', '=', row.id).execute();
    const taskPlan = level !== row.level ? await this.planTasks(trx, row.id, level, deadlines, at) : await this.redateTasks(trx, row.id, deadlines, at);
    await trx
      .insertInto('level_changes')
      .values({ incident_id: row.id, from_type: row.type, to_type: entry.type, from_level: row.level, to_level: level, grading_version: grading.version, at, actor: actorLabel(actor), reason, reason_en: reasonEn })
      .execute();
    const direction = level < row.level ? '升级' : level > row.level ? '降级' : '调整';
    await this.timeline(trx, row.id, actor, {
      occurredAt: at,
      source: 'system',
      kind: 'level_changed',
      text: `事件定级${direction}：${row.level} 级 → ${level} 级（${entry.nameZh}，${tierZh(tier)}）。原因：${reason}`,
      data: { fromLevel: row.level, toLevel: level, fromType: row.type, toType: entry.type, tier, reason, ...(reasonEn ? { reasonEn } : {}), tasks: taskPlan },
    });
    return {
      before: { type: row.type, level: row.level, priority_tier: row.priority_tier, deadlines: JSON.parse(row.deadlines) },
      after: { type: entry.type, level, priority_tier: tier, deadlines, reason, tasks: taskPlan },
    };
  }


  /**
   * What detection does to an incident, on one transaction: create it or join an open one,
   * add the hosts and observables a match brings (hosts already listed are not repeated), put
   * the match on the timeline at the device's time, raise the level when the match is more
   * severe (never lower it), and let the caller write its own rows (`write`) on the same
   * transaction. Returns the incident id and what changed.
   */
  async recordDetection(actor: Actor, input: DetectionInput): Promise<DetectionOutcome> {
    return this.db.transaction().execute((trx) => this.recordDetectionIn(trx, actor, input));
  }

  /** recordDetection on the caller's transaction (detection files a whole batch of alerts on one). */
  async recordDetectionIn(trx: Kysely<DB>, actor: Actor, input: DetectionInput): Promise<DetectionOutcome> {
    requirePermission(actor, 'incident.update', 'record detections on incidents');
    const now = this.now();
    const assets = input.assets.map((a, i) => this.checkAsset(a, `assets/${i}`));
    const observables = input.observables.map((o, i) => this.checkObservable(o, `observables/${i}`, now.toISOString()));
    {
      const at = now.toISOString();
      let id = input.incidentId;
      let created = false;
      let row: IncidentRow | undefined;
      if (id) {
        if (this.lockRows) await trx.selectFrom('incidents').select('id').where('id', '=', id).forUpdate().execute();
        row = await repo.requireIncident(trx, id);
        if (row.phase === 'closed') throw new DomainError('conflict', `incident ${id} is closed`, { phase: 'closed', reason: 'incidentClosed', id });
      } else {
        if (!input.create) throw validationError('create', 'a new incident needs its details');
        const c = input.create;
        const detectedAt = c.detectedAt && Date.parse(c.detectedAt) < now.getTime() ? new Date(c.detectedAt).toISOString() : at;
        id = await this.insertIncident(trx, actor, c, {
          now,
          title: requiredText('title', c.title, LIMITS.title),
          description: optionalText('description', c.description, LIMITS.description) ?? '',
          team: null,
          detectedAt,
          assets: [],
          observables: [],
        });
        created = true;
      }
      row ??= await repo.requireIncident(trx, id);
      const c = input.create;
      if (!created && c && input.firstAlertId !== undefined) {
        // an incident is named (and dated) by its earliest-stored alert's match, whatever order
        // matches are filed in (several detection workers): unless a person edited it
        const named = await trx.selectFrom('detection_signals').select((eb) => eb.fn.min('first_alert_id').as('id')).where('incident_id', '=', id).executeTakeFirst();
        if (named?.id !== null && named?.id !== undefined && input.firstAlertId < Number(named.id)) {
          const edited = await trx.selectFrom('audit_log').select('id').where('entity_type', '=', 'incident').where('entity_id', '=', id).where('action', '=', 'incident.update').executeTakeFirst();
          if (!edited) {
            await trx
              .updateTable('incidents')
              .set({
                title: requiredText('title', c.title, LIMITS.title),
                title_en: c.titleEn?.slice(0, LIMITS.title) ?? null,
                description: optionalText('description', c.description, LIMITS.description) ?? '',
                ...(c.detectedAt && Date.parse(c.detectedAt) < now.getTime() ? { detected_at: new Date(c.detectedAt).toISOString() } : {}),
              })
              .where('id', '=', id)
              .execute();
            row = await repo.requireIncident(trx, id);
          }
        }
      }
      const addedHosts: string[] = [];
      for (const a of assets) {
        const name = a.ip ?? a.hostname?.toLowerCase();
        if (!name) continue;
        // a host already listed (by address, or by name when that is all we know) is not repeated
        const listed = await trx
          .selectFrom('affected_assets')
          .select('id')
          .where('incident_id', '=', id)
          .where((eb) => (a.ip ? eb('ip', '=', a.ip) : eb.and([eb('ip', 'is', null), eb('hostname', '=', a.hostname!)])))
          .executeTakeFirst();
        if (listed) continue;
        if (a.org_unit && !(await trx.selectFrom('org_units').select('code').where('code', '=', a.org_unit).executeTakeFirst())) a.org_unit = null;
        await trx.insertInto('affected_assets').values({ ...a, incident_id: id, created_at: at }).execute();
        addedHosts.push(name);
      }
      for (const o of observables) await this.touchObservable(trx, id, o, at);
      if (input.timeline) {
        const occurredAt = Date.parse(input.timeline.occurredAt) < now.getTime() ? new Date(input.timeline.occurredAt).toISOString() : at;
        await this.timeline(trx, id, actor, { occurredAt, source: input.timeline.source ?? 'detection', kind: 'alert', text: input.timeline.text.slice(0, LIMITS.timeline), data: input.timeline.data });
      }
      let regraded: DetectionOutcome['regraded'];
      if (!created) {
        const grading = input.grading ?? (await this.settings.grading(trx));
        const entry = gradeOf(grading, input.type);
        if (entry.level < row.level) {
          await this.regrade(trx, row, actor, { type: entry.type, reason: input.levelReason, reasonEn: input.levelReasonEn }, at);
          regraded = { from: row.level as Level, to: entry.level, type: entry.type };
        }
      }
      await input.write?.(trx, id, at);
      await trx.updateTable('incidents').set({ updated_at: at }).where('id', '=', id).execute();
      // a repeat that changed nothing a person reads (no host, no grade, no timeline entry: only the
      // signal's count and last seen, kept on its row) is not an audited change
      if (created || addedHosts.length || regraded || input.timeline) {
        await writeAudit(trx, { actor, action: created ? 'incident.create' : 'incident.detection', entityType: 'incident', entityId: id, after: { created, addedHosts, observables: observables.length, regraded, timeline: input.timeline?.text }, at });
      }
      return { incidentId: id, created, addedHosts, regraded };
    }
  }


  /**
   * Merges incidents into one by hand: the others' hosts, observables and timeline join the
   * target (hosts and observables not repeated), `move` carries the caller's own rows (detection
   * signals), the target takes the most severe level, and each merged incident is closed as a
   * duplicate pointing at the target. One transaction.
   */
  async merge(actor: Actor, targetId: string, sourceIds: string[], reasonText: string, move?: (trx: Kysely<DB>, from: string, to: string) => Promise<void>): Promise<IncidentView> {
    requirePermission(actor, 'incident.merge', 'merge incidents');
    const reason = requiredText('reason', reasonText, LIMITS.reason);
    const sources = [...new Set(sourceIds)];
    if (sources.length === 0) throw validationError('from', 'name at least one incident to merge');
    if (sources.includes(targetId)) throw validationError('from', `${targetId} cannot be merged into itself`);
    await this.db.transaction().execute(async (trx) => {
      const at = this.now().toISOString();
      for (const id of [targetId, ...sources].sort()) if (this.lockRows) await trx.selectFrom('incidents').select('id').where('id', '=', id).forUpdate().execute();
      let target = await repo.requireIncident(trx, targetId);
      if (target.phase === 'closed') throw new DomainError('conflict', `incident ${targetId} is closed; reopen it to merge into it`, { reason: 'incidentClosed', id: targetId });
      for (const id of sources) {
        const src = await repo.requireIncident(trx, id);
        if (src.phase === 'closed') throw new DomainError('conflict', `incident ${id} is closed already`, { reason: 'incidentClosed', id });
        const listed = await trx.selectFrom('affected_assets').select(['ip', 'hostname']).where('incident_id', '=', targetId).execute();
        const have = new Set(listed.flatMap((a) => [a.ip, a.hostname?.toLowerCase()]).filter(Boolean));
        for (const a of await trx.selectFrom('affected_assets').selectAll().where('incident_id', '=', id).execute()) {
          if ((a.ip && have.has(a.ip)) || (!a.ip && a.hostname && have.has(a.hostname.toLowerCase()))) continue;
          await trx.insertInto('affected_assets').values({ incident_id: targetId, ip: a.ip, hostname: a.hostname, business_system: a.business_system, org_unit: a.org_unit, note: a.note, created_at: at }).execute();
        }
        for (const o of await trx.selectFrom('observables').selectAll().where('incident_id', '=', id).execute()) {
          await this.upsertObservable(trx, targetId, { type: o.type as ObservableType, value: o.value, first_seen: o.first_seen, last_seen: o.last_seen, note: o.note, tlp: o.tlp ?? undefined, pap: o.pap ?? undefined, tags: o.tags === '[]' ? undefined : o.tags }, at);
        }
        for (const t of await trx.selectFrom('timeline_entries').selectAll().where('incident_id', '=', id).where('kind', 'in', ['alert', 'note']).orderBy('id').execute()) {
          await trx.insertInto('timeline_entries').values({ incident_id: targetId, occurred_at: t.occurred_at, recorded_at: at, source: t.source, actor: t.actor, kind: t.kind, text: `[${id}] ${t.text}`, data: t.data }).execute();
        }
        await move?.(trx, id, targetId);
        if (src.level < target.level) {
          await this.regrade(trx, target, actor, { type: src.type, level: src.level, reason: `合并 ${id}（${src.level} 级）：${reason}`, reasonEn: `Merged ${id} (level ${src.level}): ${reason}` }, at);
          target = await repo.requireIncident(trx, targetId);
        }
        await trx
          .updateTable('tasks')
          .set({ status: 'cancelled', note: `事件已合并到 ${targetId}，任务取消 (cancelled: merged into ${targetId})`, updated_at: at })
          .where('incident_id', '=', id)
          .where('status', 'in', ['open', 'in_progress'])
          .execute();
        await trx.updateTable('incidents').set({ phase: 'closed', phase_entered_at: at, phase_due_at: null, closed_at: at, resolution: 'duplicate', conclusion: `已合并到 ${targetId}。${reason}`, updated_at: at }).where('id', '=', id).execute();
        await trx.insertInto('phase_changes').values({ incident_id: id, from_phase: src.phase, to_phase: 'closed', at, actor: actorLabel(actor), reason: `merged into ${targetId}: ${reason}`, override: 0, bypassed: null }).execute();
        await this.timeline(trx, id, actor, { occurredAt: at, source: 'system', kind: 'merged', text: `事件已合并到 ${targetId}，作为重复事件关闭。原因：${reason}`, data: { into: targetId } });
        await writeAudit(trx, { actor, action: 'incident.merged_into', entityType: 'incident', entityId: id, before: { phase: src.phase }, after: { phase: 'closed', resolution: 'duplicate', into: targetId, reason }, at });
      }
      await this.timeline(trx, targetId, actor, { occurredAt: at, source: 'system', kind: 'merged', text: `合并事件 ${sources.join('、')}。原因：${reason}`, data: { from: sources } });
      await trx.updateTable('incidents').set({ updated_at: at }).where('id', '=', targetId).execute();
      await writeAudit(trx, { actor, action: 'incident.merge', entityType: 'incident', entityId: targetId, after: { from: sources, reason }, at });
    });
    return this.get(targetId);
  }

  // ---------------------------------------------------------------- the phase machine

  async move(actor: Actor, id: string, input: MoveInput): Promise<IncidentView> {
    requirePermission(actor, 'incident.advance', 'move incidents between phases');
    if (!isPhase(input.to)) throw validationError('to', `must be one of ${PHASES.join(', ')}`);
    const to: Phase = input.to;
    const reason = optionalText('reason', input.reason, LIMITS.reason);
    await this.mutate(
      actor,
      id,
      'incident.phase',
      async (trx, row, at) => {
        const from = row.phase as Phase;
        const tasks = await repo.tasksOf(trx, id);
        const judgement = judgeMove(
          {
            phase: from,
            affectedAssetCount: await repo.countAssets(trx, id),
            reportSentAt: row.report_sent_at,
            resolution: row.resolution as Resolution | null,
            conclusion: row.conclusion,
            tasks: tasks.map((t) => ({ id: t.id, phase: t.phase as Phase, title: t.title, mandatory: t.mandatory === 1, status: t.status as TaskStatus })),
            blocks: from === 'handling' && to === 'summary' && this.blockFacts ? ((await this.blockFacts(trx, id)) ?? undefined) : undefined,
          },
          to,
        );
        if (!judgement.ok) throw new DomainError('conflict', `cannot move ${id} from ${from} to ${to}: ${judgement.invalid}`, { from, to, reason: 'invalidMove' });
        if (to === 'closed' || judgement.kind === 'reopen') requirePermission(actor, 'incident.close', judgement.kind === 'reopen' ? 'reopen incidents' : 'close incidents');
        if ((judgement.kind === 'back' || judgement.kind === 'reopen') && !reason) {
          throw validationError('reason', `going back from ${from} to ${to} needs a reason`);
        }
        const refusals = judgement.refusals;
        if (refusals.length > 0) {
          if (!input.override) {
            throw new DomainError('gate_refused', `${id} cannot leave ${from} for ${to}: ${refusals.map((r) => r.message).join(' | ')}`, { from, to, gates: refusals });
          }
          requirePermission(actor, 'incident.override', 'override phase gates');
          if (!reason) throw validationError('reason', 'an override needs a reason');
        }
        const deadlines = JSON.parse(row.deadlines) as Deadlines;
        await trx
          .updateTable('incidents')
          .set({
            phase: to,
            phase_entered_at: at,
            phase_due_at: dueAtFor(deadlines, to),
            closed_at: to === 'closed' ? at : null,
            updated_at: at,
          })
          .where('id', '=', id)
          .execute();
        if (to === 'closed') {
          const open = tasks.filter((t) => isTaskOpen(t.status as TaskStatus));
          if (open.length) {
            await trx
              .updateTable('tasks')
              .set({ status: 'cancelled', note: '随事件关闭而取消 (cancelled when the incident closed)', updated_at: at })
              .where('id', 'in', open.map((t) => t.id))
              .execute();
          }
        }
        const overridden = refusals.length > 0;
        await trx
          .insertInto('phase_changes')
          .values({ incident_id: id, from_phase: from, to_phase: to, at, actor: actorLabel(actor), reason, override: overridden ? 1 : 0, bypassed: overridden ? JSON.stringify(refusals) : null })
          .execute();
        const verb = judgement.kind === 'reopen' ? '重新打开' : judgement.kind === 'back' ? '退回' : '进入';
        await this.timeline(trx, id, actor, {
          occurredAt: at,
          source: 'system',
          kind: overridden ? 'phase_override' : 'phase_changed',
          text:
            `${PHASE_ZH[from]} → ${PHASE_ZH[to]}：${verb}${PHASE_ZH[to]}阶段` +
            (reason ? `。原因：${reason}` : '') +
            (overridden ? `。管理员越过关卡：${refusals.map((r) => r.gate).join(', ')}` : ''),
          data: { from, to, kind: judgement.kind, reason, override: overridden, bypassed: overridden ? refusals : undefined },
        });
        return { before: { phase: from }, after: { phase: to, reason, override: overridden, bypassed: overridden ? refusals : undefined } };
      },
      { allowClosed: true },
    );
    return this.get(id);
  }

  async recordReportSent(actor: Actor, id: string, input: { recipients: string; channel?: string; sentAt?: string; note?: string }): Promise<IncidentView> {
    requirePermission(actor, 'incident.update', 'record reports');
    const recipients = requiredText('recipients', input.recipients, LIMITS.recipients);
    const channel = optionalText('channel', input.channel, 50) ?? 'other';
    const note = optionalText('note', input.note, LIMITS.note);
    const sentAt = input.sentAt === undefined ? this.now().toISOString() : pastInstant('sentAt', input.sentAt, this.now());
    await this.mutate(actor, id, 'incident.report_sent', async (trx, row, at) => {
      await trx.updateTable('incidents').set({ report_sent_at: sentAt, report_sent_to: recipients, report_channel: channel, updated_at: at }).where('id', '=', id).execute();
      await this.timeline(trx, id, actor, {
        occurredAt: sentAt,
        source: 'manual',
        kind: 'report_sent',
        text: `事件上报表已报送：${recipients}（${REPORT_CHANNEL_ZH[channel] ?? channel}）${note ? `。${note}` : ''}`,
        data: { recipients, channel, note },
      });
      return { before: { report_sent_at: row.report_sent_at, report_sent_to: row.report_sent_to }, after: { report_sent_at: sentAt, report_sent_to: recipients, report_channel: channel, note } };
    });
    return this.get(id);
  }

  // ---------------------------------------------------------------- parts of an incident

  async addAsset(actor: Actor, id: string, input: AssetInput) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    const asset = this.checkAsset(input, '');
    return this.mutate(actor, id, 'incident.asset.add', async (trx, _row, at) => {
      if (asset.org_unit) await requireOrgUnit(trx, asset.org_unit, 'orgUnit');
      const r = await trx.insertInto('affected_assets').values({ ...asset, incident_id: id, created_at: at }).returning('id').executeTakeFirstOrThrow();
      return { after: { id: r.id, ...asset }, result: { id: r.id } };
    });
  }

  async removeAsset(actor: Actor, id: string, assetId: number) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    return this.mutate(actor, id, 'incident.asset.remove', async (trx) => {
      const a = await trx.selectFrom('affected_assets').selectAll().where('id', '=', assetId).where('incident_id', '=', id).executeTakeFirst();
      if (!a) throw notFound('affected asset', assetId);
      await trx.deleteFrom('affected_assets').where('id', '=', assetId).execute();
      return { before: a };
    });
  }

  async addObservable(actor: Actor, id: string, input: ObservableInput) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    const o = this.checkObservable(input, '', this.now().toISOString());
    return this.mutate(actor, id, 'incident.observable.add', async (trx, _row, at) => {
      const { before, after } = await this.upsertObservable(trx, id, o, at);
      return { before, after, result: { id: after.id } };
    });
  }

  /** Edits an observable's note, TLP, PAP or tags (what is absent stays). */
  async editObservable(actor: Actor, id: string, observableId: number, input: ObservableEdit) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    const marking = this.checkMarking(input, '');
    const note = input.note === undefined ? undefined : optionalText('note', input.note, LIMITS.note);
    return this.mutate(actor, id, 'incident.observable.edit', async (trx) => {
      const before = await trx.selectFrom('observables').selectAll().where('id', '=', observableId).where('incident_id', '=', id).executeTakeFirst();
      if (!before) throw notFound('observable', observableId);
      const after = await trx
        .updateTable('observables')
        .set({ ...marking, ...(note !== undefined && { note }) })
        .where('id', '=', observableId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { before, after, result: { id: observableId } };
    });
  }

  /** Edits an affected asset's hostname, business system, org unit or note (its address stays: remove and add another). */
  async editAsset(actor: Actor, id: string, assetId: number, input: Omit<AssetInput, 'ip'>) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    return this.mutate(actor, id, 'incident.asset.edit', async (trx) => {
      const before = await trx.selectFrom('affected_assets').selectAll().where('id', '=', assetId).where('incident_id', '=', id).executeTakeFirst();
      if (!before) throw notFound('affected asset', assetId);
      const merged = this.checkAsset(
        {
          ip: before.ip,
          hostname: input.hostname === undefined ? before.hostname : input.hostname,
          businessSystem: input.businessSystem === undefined ? before.business_system : input.businessSystem,
          orgUnit: input.orgUnit === undefined ? before.org_unit : input.orgUnit,
          note: input.note === undefined ? before.note : input.note,
        },
        '',
      );
      if (merged.org_unit) await requireOrgUnit(trx, merged.org_unit, 'orgUnit');
      const after = await trx.updateTable('affected_assets').set({ hostname: merged.hostname, business_system: merged.business_system, org_unit: merged.org_unit, note: merged.note }).where('id', '=', assetId).returningAll().executeTakeFirstOrThrow();
      return { before, after, result: { id: assetId } };
    });
  }

  async removeObservable(actor: Actor, id: string, observableId: number) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    return this.mutate(actor, id, 'incident.observable.remove', async (trx) => {
      const o = await trx.selectFrom('observables').selectAll().where('id', '=', observableId).where('incident_id', '=', id).executeTakeFirst();
      if (!o) throw notFound('observable', observableId);
      await trx.deleteFrom('observables').where('id', '=', observableId).execute();
      return { before: o };
    });
  }

  async addTimelineEntry(actor: Actor, id: string, input: { occurredAt: string; text: string; source?: string }) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    const occurredAt = pastInstant('occurredAt', input.occurredAt, this.now());
    const text = requiredText('text', input.text, LIMITS.timeline);
    const source = optionalText('source', input.source, 100) ?? 'manual';
    return this.mutate(actor, id, 'incident.timeline.add', async (trx) => {
      const entryId = await this.timeline(trx, id, actor, { occurredAt, source, kind: 'note', text });
      return { after: { id: entryId, occurredAt, source, text }, result: { id: entryId } };
    });
  }

  async addComment(actor: Actor, id: string, text: string) {
    requirePermission(actor, 'incident.update', 'comment on incidents');
    const body = requiredText('text', text, LIMITS.longText);
    return this.mutate(
      actor,
      id,
      'incident.comment.add',
      async (trx, _row, at) => {
        const r = await trx
          .insertInto('comments')
          .values({ incident_id: id, author: actorLabel(actor), author_id: actor.kind === 'user' ? actor.userId : null, text: body, created_at: at })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { after: { id: r.id, text: body }, result: { id: r.id } };
      },
      { allowClosed: true },
    );
  }

  async addTask(actor: Actor, id: string, input: { phase: string; title: string; mandatory?: boolean; assigneeId?: number | null; dueAt?: string | null }) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    if (!(WORKING_PHASES as readonly string[]).includes(input.phase)) throw validationError('phase', `must be one of ${WORKING_PHASES.join(', ')}`);
    const title = requiredText('title', input.title, 300);
    const dueAt = input.dueAt ? instant('dueAt', input.dueAt) : null;
    return this.mutate(actor, id, 'incident.task.add', async (trx, row, at) => {
      if (input.assigneeId != null) await this.checkUser(trx, input.assigneeId, 'assigneeId');
      const deadlines = JSON.parse(row.deadlines) as Deadlines;
      const values = {
        incident_id: id,
        phase: input.phase,
        title,
        title_en: null,
        mandatory: input.mandatory ? 1 : 0,
        status: 'open',
        assignee_id: input.assigneeId ?? null,
        due_at: dueAt ?? dueAtFor(deadlines, input.phase as Phase),
        playbook_key: null,
        note: null,
        created_at: at,
        updated_at: at,
        done_at: null,
        done_by: null,
      };
      const r = await trx.insertInto('tasks').values(values).returning('id').executeTakeFirstOrThrow();
      return { after: { id: r.id, ...values }, result: { id: r.id } };
    });
  }

  /**
   * Eradication and recovery (处置 · 根除/恢复): a handling task to patch a finding of periodic work on
   * one of the incident's hosts (done → the finding is fixed), or to reset an account's password.
   */
  async addRecoveryTask(actor: Actor, id: string, input: { kind: 'patch'; findingId: number } | { kind: 'password_reset'; account: string }) {
    requirePermission(actor, 'incident.update', 'edit incidents');
    return this.mutate(actor, id, 'incident.task.add', async (trx, row, at) => {
      let title: string;
      let titleEn: string;
      let findingId: number | null = null;
      if (input.kind === 'patch') {
        const f = await trx.selectFrom('findings').select(['id', 'title', 'ip', 'port', 'status', 'org_unit']).where('id', '=', input.findingId).executeTakeFirst();
        if (!f) throw notFound('finding', input.findingId);
        const hosts = await trx.selectFrom('affected_assets').select('ip').where('incident_id', '=', id).where('ip', '=', f.ip).executeTakeFirst();
        if (!hosts) throw validationError('findingId', `finding #${f.id} is on ${f.ip}, which is not a host of ${id}`, 'findingNotOnIncident', { ip: f.ip });
        const open = await trx.selectFrom('tasks').select('id').where('incident_id', '=', id).where('finding_id', '=', f.id).where('status', 'in', ['open', 'in_progress']).executeTakeFirst();
        if (open) throw new DomainError('conflict', `task #${open.id} already patches finding #${f.id}`, { reason: 'taskExists', taskId: Number(open.id) });
        const where = `${f.ip}${f.port ? `:${f.port}` : ''}`;
        title = `修补漏洞：${f.title}（${where}）`;
        titleEn = `Patch: ${f.title} (${where})`;
        findingId = Number(f.id);
      } else {
        const account = requiredText('account', input.account, 200);
        title = `重置账户口令：${account}`;
        titleEn = `Reset the password of ${account}`;
      }
      const deadlines = JSON.parse(row.deadlines) as Deadlines;
      const values = { incident_id: id, phase: 'handling', title, title_en: titleEn, mandatory: 1, status: 'open', assignee_id: null, due_at: dueAtFor(deadlines, 'handling'), playbook_key: null, note: null, created_at: at, updated_at: at, done_at: null, done_by: null, finding_id: findingId };
      const r = await trx.insertInto('tasks').values(values).returning('id').executeTakeFirstOrThrow();
      if (findingId !== null) await trx.updateTable('findings').set({ incident_id: id }).where('id', '=', findingId).where('incident_id', 'is', null).execute();
      return { after: { id: r.id, ...values }, result: { id: r.id } };
    });
  }

  async updateTask(actor: Actor, id: string, taskId: number, input: { status?: string; assigneeId?: number | null; note?: string | null; dueAt?: string | null }): Promise<Task> {
    requirePermission(actor, 'incident.update', 'edit incidents');
    if (input.status !== undefined && !(TASK_STATUSES as readonly string[]).includes(input.status)) {
      throw validationError('status', `must be one of ${TASK_STATUSES.join(', ')}`);
    }
    const note = input.note === undefined ? undefined : optionalText('note', input.note, LIMITS.note);
    const dueAt = input.dueAt === undefined ? undefined : input.dueAt === null ? null : instant('dueAt', input.dueAt);
    const result = await this.mutate(actor, id, 'incident.task.update', async (trx, _row, at) => {
      const t = await trx.selectFrom('tasks').selectAll().where('id', '=', taskId).where('incident_id', '=', id).executeTakeFirst();
      if (!t) throw notFound('task', taskId);
      const status = input.status as TaskStatus | undefined;
      if (status === 'skipped' && !(note ?? t.note)) throw validationError('note', 'skipping a task needs a note saying why');
      if (status === 'cancelled' && t.playbook_key) throw new DomainError('conflict', 'playbook tasks are cancelled only by re-planning; skip it with a note instead', { field: 'status', reason: 'playbookTaskCancel' });
      if (input.assigneeId != null) await this.checkUser(trx, input.assigneeId, 'assigneeId');
      const finished = status === 'done' || status === 'skipped';
      const set = {
        ...(status !== undefined ? { status, done_at: finished ? at : null, done_by: finished ? actorLabel(actor) : null } : {}),
        ...(input.assigneeId !== undefined ? { assignee_id: input.assigneeId } : {}),
        ...(note !== undefined ? { note } : {}),
        ...(dueAt !== undefined ? { due_at: dueAt } : {}),
        updated_at: at,
      };
      const updated = await trx.updateTable('tasks').set(set).where('id', '=', taskId).returningAll().executeTakeFirstOrThrow();
      // a patch task done: its finding is fixed (a rescan then verifies it, or reopens it)
      if (status === 'done' && t.finding_id !== null && t.finding_id !== undefined) {
        await trx.updateTable('findings').set({ status: 'fixed', status_note: `${id} 任务 #${taskId} 已完成`, status_by: actorLabel(actor), status_at: at }).where('id', '=', Number(t.finding_id)).where('status', 'in', ['open', 'fixing']).execute();
      }
      return { before: repo.presentTask(t), after: repo.presentTask(updated), result: repo.presentTask(updated) };
    });
    return result;
  }

  async addEvidence(actor: Actor, id: string, file: { filename: string; contentType?: string; stream: Readable; note?: string; isTruncated?: () => boolean }) {
    requirePermission(actor, 'incident.update', 'upload evidence');
    const filename = requiredText('filename', file.filename.replace(/[\\/\u0000-\u001f]/g, '_'), 255);
    const note = optionalText('note', file.note, LIMITS.note);
    await repo.requireIncident(this.db, id); // before streaming a large body into the store
    const stored = await this.evidence.put(file.stream, file.isTruncated);
    return this.mutate(actor, id, 'incident.evidence.add', async (trx, _row, at) => {
      const values = {
        incident_id: id,
        filename,
        content_type: (file.contentType ?? 'application/octet-stream').slice(0, 200),
        size: stored.size,
        sha256: stored.sha256,
        note,
        uploaded_by: actorLabel(actor),
        uploaded_at: at,
      };
      const r = await trx.insertInto('evidence').values(values).returning('id').executeTakeFirstOrThrow();
      await this.timeline(trx, id, actor, {
        occurredAt: at,
        source: 'manual',
        kind: 'evidence_added',
        text: `上传证据：${filename}（${stored.size} 字节，SHA-256 ${stored.sha256}）`,
        data: { evidenceId: r.id, filename, size: stored.size, sha256: stored.sha256 },
      });
      return { after: { id: r.id, ...values }, result: { id: r.id, ...stored, filename } };
    }, { allowClosed: true });
  }

  async openEvidence(id: string, evidenceId: number) {
    const e = await this.db.selectFrom('evidence').selectAll().where('id', '=', evidenceId).where('incident_id', '=', id).executeTakeFirst();
    if (!e) throw notFound('evidence', evidenceId);
    return { filename: e.filename, contentType: e.content_type, size: e.size, sha256: e.sha256, stream: this.evidence.open(e.sha256) };
  }

  // ---------------------------------------------------------------- internals

  /**
   * Runs one change to an incident on a transaction: loads it (404 if missing), refuses closed
   * incidents unless allowed, stamps updated_at, and writes the audit row with what `fn` says
   * changed.
   */
  private async mutate<R = undefined>(
    actor: Actor,
    id: string,
    action: string,
    fn: (trx: Kysely<DB>, row: IncidentRow, at: string) => Promise<{ before?: unknown; after?: unknown; result?: R }>,
    opts: { allowClosed?: boolean } = {},
  ): Promise<R> {
    return this.db.transaction().execute(async (trx) => {
      // concurrent changes to one incident queue here, so each judges the state the last one left
      if (this.lockRows) await trx.selectFrom('incidents').select('id').where('id', '=', id).forUpdate().execute();
      const row = await repo.requireIncident(trx, id);
      if (row.phase === 'closed' && !opts.allowClosed) {
        throw new DomainError('conflict', `incident ${id} is closed; reopen it (move it back to a working phase) to change it`, { phase: 'closed', reason: 'incidentClosed', id });
      }
      const at = this.now().toISOString();
      const { before, after, result } = await fn(trx, row, at);
      await trx.updateTable('incidents').set({ updated_at: at }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action, entityType: 'incident', entityId: id, before, after, at });
      return result as R;
    });
  }

  private async timeline(trx: Kysely<DB>, id: string, actor: Actor, e: TimelineInput): Promise<number> {
    const r = await trx
      .insertInto('timeline_entries')
      .values({
        incident_id: id,
        occurred_at: e.occurredAt,
        recorded_at: this.now().toISOString(),
        source: e.source,
        actor: actorLabel(actor),
        kind: e.kind,
        text: e.text,
        data: e.data === undefined ? null : JSON.stringify(e.data),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  /** Applies the level's playbook to the incident's tasks (add, update, cancel), dated by its deadlines. */
  private async planTasks(trx: Kysely<DB>, id: string, level: Level, deadlines: Deadlines, at: string) {
    const playbook = await this.settings.playbook(level, trx);
    const existing = await repo.tasksOf(trx, id);
    const plan = planTasks(
      playbook,
      existing.map((t) => ({ id: t.id, playbookKey: t.playbook_key, status: t.status as TaskStatus })),
    );
    if (plan.add.length) {
      await trx
        .insertInto('tasks')
        .values(
          plan.add.map((t) => ({
            incident_id: id,
            phase: t.phase,
            title: t.title,
            title_en: t.titleEn,
            mandatory: t.mandatory ? 1 : 0,
            status: 'open',
            assignee_id: null,
            due_at: deadlines[t.phase],
            playbook_key: t.key,
            note: null,
            created_at: at,
            updated_at: at,
            done_at: null,
            done_by: null,
          })),
        )
        .execute();
    }
    for (const u of plan.update) {
      await trx
        .updateTable('tasks')
        .set({
          title: u.task.title,
          title_en: u.task.titleEn,
          mandatory: u.task.mandatory ? 1 : 0,
          phase: u.task.phase,
          due_at: deadlines[u.task.phase],
          updated_at: at,
          ...(u.revive ? { status: 'open', note: null } : {}),
        })
        .where('id', '=', u.id)
        .execute();
    }
    if (plan.cancel.length) {
      await trx
        .updateTable('tasks')
        .set({ status: 'cancelled', note: `不在 ${level} 级预案中，已取消 (not in the level-${level} playbook)`, updated_at: at })
        .where('id', 'in', plan.cancel)
        .execute();
    }
    return { playbook: playbook.name, added: plan.add.map((t) => t.key), revived: plan.update.filter((u) => u.revive).map((u) => u.id), cancelled: plan.cancel };
  }

  /** New deadlines, same level: open playbook tasks follow their phase's deadline. */
  private async redateTasks(trx: Kysely<DB>, id: string, deadlines: Deadlines, at: string) {
    const tasks = await repo.tasksOf(trx, id);
    for (const t of tasks) {
      if (t.playbook_key && isTaskOpen(t.status as TaskStatus) && t.phase !== 'closed') {
        await trx.updateTable('tasks').set({ due_at: deadlines[t.phase as keyof Deadlines], updated_at: at }).where('id', '=', t.id).execute();
      }
    }
    return { redated: true };
  }

  private async upsertObservable(trx: Kysely<DB>, id: string, o: { type: ObservableType; value: string; first_seen: string; last_seen: string; note: string | null; tlp?: string | null; pap?: string | null; tags?: string }, at: string) {
    const existing = await trx.selectFrom('observables').selectAll().where('incident_id', '=', id).where('type', '=', o.type).where('value', '=', o.value).executeTakeFirst();
    if (existing) {
      const first_seen = o.first_seen < existing.first_seen ? o.first_seen : existing.first_seen;
      const last_seen = o.last_seen > existing.last_seen ? o.last_seen : existing.last_seen;
      const after = await trx
        .updateTable('observables')
        .set({ first_seen, last_seen, note: o.note ?? existing.note, ...(o.tlp !== undefined && { tlp: o.tlp }), ...(o.pap !== undefined && { pap: o.pap }), ...(o.tags !== undefined && { tags: o.tags }) })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { before: existing, after };
    }
    const after = await trx.insertInto('observables').values({ ...o, incident_id: id, created_at: at }).returningAll().executeTakeFirstOrThrow();
    return { before: undefined, after };
  }

  /** An observable seen again by detection, in one statement: added, or its first/last seen widened. */
  private async touchObservable(trx: Kysely<DB>, id: string, o: { type: ObservableType; value: string; first_seen: string; last_seen: string; note: string | null }, at: string): Promise<void> {
    await trx
      .insertInto('observables')
      .values({ ...o, incident_id: id, created_at: at })
      .onConflict((oc) =>
        oc.columns(['incident_id', 'type', 'value']).doUpdateSet({
          first_seen: sql<string>`case when excluded.first_seen < observables.first_seen then excluded.first_seen else observables.first_seen end`,
          last_seen: sql<string>`case when excluded.last_seen > observables.last_seen then excluded.last_seen else observables.last_seen end`,
          note: sql<string | null>`coalesce(excluded.note, observables.note)`,
        }),
      )
      .execute();
  }

  private checkAsset(a: AssetInput, at: string) {
    const p = at ? `${at}/` : '';
    const ip = a.ip ? normalizeObservable('ip', a.ip, `${p}ip`) : null;
    const hostname = optionalText(`${p}hostname`, a.hostname, 255);
    const business_system = optionalText(`${p}businessSystem`, a.businessSystem, 200);
    if (!ip && !hostname && !business_system) throw validationError(at || 'asset', 'an affected asset needs an IP, a hostname or a business system');
    return { ip, hostname, business_system, org_unit: optionalText(`${p}orgUnit`, a.orgUnit, 32), note: optionalText(`${p}note`, a.note, LIMITS.note) };
  }

  private checkObservable(o: ObservableInput, at: string, defaultSeen: string) {
    const p = at ? `${at}/` : '';
    if (!(OBSERVABLE_TYPES as readonly string[]).includes(o.type)) throw validationError(`${p}type`, `must be one of ${OBSERVABLE_TYPES.join(', ')}`);
    const type = o.type as ObservableType;
    const value = normalizeObservable(type, String(o.value ?? ''), `${p}value`);
    const given = { first: o.firstSeen ? instant(`${p}firstSeen`, o.firstSeen) : null, last: o.lastSeen ? instant(`${p}lastSeen`, o.lastSeen) : null };
    const first_seen = given.first ?? given.last ?? defaultSeen;
    const last_seen = given.last ?? first_seen;
    if (last_seen < first_seen) throw validationError(`${p}lastSeen`, 'is before firstSeen');
    return { type, value, first_seen, last_seen, note: optionalText(`${p}note`, o.note, LIMITS.note), ...this.checkMarking(o, p) };
  }

  /** An observable's TLP, PAP and tags as given (absent stays absent: left as stored). */
  private checkMarking(o: ObservableEdit, p: string): { tlp?: string | null; pap?: string | null; tags?: string } {
    const out: { tlp?: string | null; pap?: string | null; tags?: string } = {};
    if (o.tlp !== undefined) {
      if (o.tlp !== null && !(OBSERVABLE_TLP as readonly string[]).includes(o.tlp)) throw validationError(`${p}tlp`, `must be one of ${OBSERVABLE_TLP.join(', ')}`);
      out.tlp = o.tlp;
    }
    if (o.pap !== undefined) {
      if (o.pap !== null && !(OBSERVABLE_PAP as readonly string[]).includes(o.pap)) throw validationError(`${p}pap`, `must be one of ${OBSERVABLE_PAP.join(', ')}`);
      out.pap = o.pap;
    }
    if (o.tags !== undefined) out.tags = JSON.stringify(normalizeTags(o.tags, `${p}tags`));
    return out;
  }

  private async checkUser(trx: Kysely<DB>, userId: number, field: string) {
    const u = await trx.selectFrom('users').select(['id', 'disabled']).where('id', '=', userId).executeTakeFirst();
    if (!u) throw validationError(field, `user ${userId} does not exist`);
    if (u.disabled) throw validationError(field, `user ${userId} is disabled`);
  }

  private async defaultOrgUnit(trx: Kysely<DB>): Promise<string> {
    const hq = await trx.selectFrom('org_units').select('code').where('kind', '=', 'hq').orderBy('code').executeTakeFirst();
    if (!hq) throw validationError('orgUnit', 'no headquarters org unit is configured; name the org unit');
    return hq.code;
  }
}

/** how a report was sent, as the zh timeline says it (the console offers these; any other is kept as typed) */
const REPORT_CHANNEL_ZH: Record<string, string> = { email: '邮件', phone: '电话', im: '即时通讯', paper: '纸质', meeting: '会议', other: '其他方式' };

function tierZh(tier: string): string {
  return ({ hour: '小时级', day: '日级', week: '周级', month: '月级' } as Record<string, string>)[tier] ?? tier;
}

function pick(o: object, keys: string[]): Record<string, unknown> {
  const src = o as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, src[k]]));
}
