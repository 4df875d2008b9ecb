/**
 * The regulator's clock (issue 16): the organisation's operator type and its table of national
 * categories (settings); for each incident the national level and category Bihuan proposes and a
 * person confirms, the report deadline that follows (III and graver: 1/2/4 hours from discovery),
 * the report to the regulator recorded as sent, and the deadline escalated like an internal SLA.
 */
import type { Kysely } from 'kysely';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import {
  DEFAULT_CATEGORIES,
  NATIONAL_LEVEL_NAMES,
  type NationalCategory,
  type NationalLevel,
  type NationalProposal,
  OPERATOR_TYPES,
  type OperatorType,
  REGULATORY_DUE_SOON_MS,
  REPORT_HOURS,
  REPORT_TO,
  checkCategories,
  proposeNational,
  reportDueAt,
} from '../domain/regulatory/national.js';
import * as settingsRepo from '../settings/settings.repository.js';
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import type { DB } from '../store/schema.js';

export interface RegulatorySettings {
  operatorType: OperatorType;
  categories: NationalCategory[];
}

const KEY = 'regulatory';

export class RegulatoryService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    private readonly zones?: OrgTimeZone,
  ) {}

  /** a time as the timeline's text says it: local to the organisation, to the minute */
  private local(db: Kysely<DB>, iso: string): Promise<string> {
    return this.zones ? this.zones.localMinute(db, iso) : Promise.resolve(iso);
  }

  async settings(db: Kysely<DB> = this.db): Promise<RegulatorySettings & { reportHours: number; reportTo: { zh: string; en: string } }> {
    const saved = await settingsRepo.getSetting<Partial<RegulatorySettings>>(db, KEY);
    const operatorType = saved?.operatorType ?? 'other';
    return { operatorType, categories: saved?.categories ?? [...DEFAULT_CATEGORIES], reportHours: REPORT_HOURS[operatorType], reportTo: REPORT_TO[operatorType] };
  }

  /** Changes the operator type (deadlines not yet met are set again from it) or the category table. */
  async setSettings(actor: Actor, input: { operatorType?: string; categories?: NationalCategory[] }) {
    requirePermission(actor, 'settings.write', 'change the regulatory settings');
    if (input.operatorType !== undefined && !(OPERATOR_TYPES as readonly string[]).includes(input.operatorType)) throw validationError('operatorType', `must be one of ${OPERATOR_TYPES.join(', ')}`, 'enum', { values: OPERATOR_TYPES.join(', ') });
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const before = await this.settings(trx);
      const after: RegulatorySettings = { operatorType: (input.operatorType as OperatorType | undefined) ?? before.operatorType, categories: input.categories ? checkCategories(input.categories) : before.categories };
      await writeAudit(trx, { actor, action: 'regulatory.settings', entityType: 'settings', entityId: KEY, before: { operatorType: before.operatorType }, after: { operatorType: after.operatorType, categories: after.categories.length }, at });
      await settingsRepo.putSetting(trx, KEY, after, at, actorLabel(actor));
      if (after.operatorType !== before.operatorType) {
        // the open incidents' deadlines follow the operator type; one already reported keeps its record
        const open = await trx.selectFrom('incidents').select(['id', 'detected_at', 'national_level']).where('national_level', 'is not', null).where('regulatory_reported_at', 'is', null).where('phase', '!=', 'closed').execute();
        for (const r of open) await trx.updateTable('incidents').set({ regulatory_due_at: reportDueAt(r.detected_at, Number(r.national_level) as NationalLevel, after.operatorType) }).where('id', '=', r.id).execute();
      }
    });
    return this.settings();
  }

  /** What Bihuan proposes for an incident, from its level and the importance of the hosts it touches. */
  async proposal(id: string): Promise<NationalProposal & { categoryName: { zh: string; en: string } }> {
    const inc = await this.db.selectFrom('incidents').select(['id', 'type', 'level']).where('id', '=', id).executeTakeFirst();
    if (!inc) throw notFound('incident', id);
    const hosts = await this.db.selectFrom('affected_assets').leftJoin('assets', 'assets.ip', 'affected_assets.ip').select('assets.criticality').where('affected_assets.incident_id', '=', id).limit(5000).execute();
    const { categories } = await this.settings();
    const p = proposeNational(inc, hosts.map((h) => h.criticality ?? null), categories);
    const c = categories.find((x) => x.code === p.category)!;
    return { ...p, categoryName: { zh: c.zh, en: c.en } };
  }

  /** A person confirms (or sets) the national level and category, with the reason when it differs from the proposal; the deadline follows. */
  async confirm(actor: Actor, id: string, input: { level: number; category: string; reason?: string }): Promise<void> {
    requirePermission(actor, 'incident.grade', 'grade incidents');
    if (!Number.isInteger(input.level) || input.level < 1 || input.level > 4) throw validationError('level', 'must be 1 (I) to 4 (IV)', 'enum', { values: '1, 2, 3, 4' });
    const level = input.level as NationalLevel;
    const { categories, operatorType } = await this.settings();
    const category = categories.find((c) => c.code === input.category);
    if (!category) throw validationError('category', `"${input.category.slice(0, 20)}" is not a category of the table`, 'nationalCategory', { category: input.category.slice(0, 20) });
    const proposal = await this.proposal(id);
    const reason = input.reason?.trim() || null;
    if (!reason && (level !== proposal.level || category.code !== proposal.category)) throw validationError('reason', `the proposal is ${NATIONAL_LEVEL_NAMES[proposal.level].roman} / ${proposal.category}: say why it is graded otherwise`, 'blank');
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const inc = await trx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
      if (!inc) throw notFound('incident', id);
      if (inc.phase === 'closed') throw new DomainError('conflict', `${id} is closed: reopen it to act on it`, { reason: 'incidentClosed', id });
      const dueAt = inc.regulatory_reported_at ? inc.regulatory_due_at : reportDueAt(inc.detected_at, level, operatorType);
      await trx.updateTable('incidents').set({ national_level: level, national_category: category.code, national_reason: reason ?? proposal.reason.zh, national_by: actorLabel(actor), national_at: at, regulatory_due_at: dueAt, updated_at: at }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'incident.national', entityType: 'incident', entityId: id, before: { level: inc.national_level, category: inc.national_category }, after: { level, category: category.code, dueAt }, at });
      const n = NATIONAL_LEVEL_NAMES[level];
      const clock = dueAt && !inc.regulatory_reported_at ? `，须于 ${await this.local(trx, dueAt)} 前向${REPORT_TO[operatorType].zh}报告（发现后 ${REPORT_HOURS[operatorType]} 小时）` : '';
      await trx
        .insertInto('timeline_entries')
        .values({ incident_id: id, occurred_at: at, recorded_at: at, source: 'manual', actor: actorLabel(actor), kind: 'national_graded', text: `国家分级：${n.roman} 级（${n.zh}），${category.code} ${category.zh}${clock}${reason ? `。原因：${reason}` : ''}`, data: JSON.stringify({ level, roman: n.roman, category: category.code, categoryEn: category.en, dueAt, hours: REPORT_HOURS[operatorType], reason }) })
        .execute();
    });
  }

  /** The report to the regulator (initial, a follow-up, the summary) recorded as sent; the first one stops the clock. */
  async reportSent(actor: Actor, id: string, input: { kind: 'initial' | 'followup' | 'summary'; to: string; sentAt?: string }): Promise<void> {
    requirePermission(actor, 'incident.update', 'record reports');
    const to = input.to.trim();
    if (!to) throw validationError('to', 'say whom it went to', 'blank');
    const at = this.now().toISOString();
    const sentAt = input.sentAt ? new Date(input.sentAt).toISOString() : at;
    if (Number.isNaN(Date.parse(sentAt))) throw validationError('sentAt', 'is not a date and time', 'instant');
    await this.db.transaction().execute(async (trx) => {
      const inc = await trx.selectFrom('incidents').select(['id', 'national_level', 'regulatory_due_at', 'regulatory_reported_at']).where('id', '=', id).executeTakeFirst();
      if (!inc) throw notFound('incident', id);
      if (inc.national_level === null) throw new DomainError('conflict', `${id} has no national level yet: confirm it first`, { reason: 'nationalMissing' });
      if (input.kind === 'initial' && !inc.regulatory_reported_at) await trx.updateTable('incidents').set({ regulatory_reported_at: sentAt, regulatory_reported_to: to.slice(0, 500), updated_at: at }).where('id', '=', id).execute();
      const late = input.kind === 'initial' && inc.regulatory_due_at && sentAt > inc.regulatory_due_at;
      const words = { initial: '首次报告', followup: '续报', summary: '总结报告' }[input.kind];
      await writeAudit(trx, { actor, action: 'incident.regulatory_report', entityType: 'incident', entityId: id, after: { kind: input.kind, to, sentAt }, at });
      await trx.insertInto('timeline_entries').values({ incident_id: id, occurred_at: sentAt, recorded_at: at, source: 'manual', actor: actorLabel(actor), kind: 'regulatory_report', text: `已向${to}报送${words}${late ? `（晚于期限 ${await this.local(trx, inc.regulatory_due_at!)}）` : ''}`, data: JSON.stringify({ kind: input.kind, to, late: Boolean(late), dueAt: inc.regulatory_due_at }) }).execute();
    });
  }

  /** An incident's national grading worded for the regulatory forms (none before it is confirmed). */
  async worded(incident: { national: { level: number; category: string } | null }) {
    if (!incident.national) return undefined;
    const s = await this.settings();
    const c = s.categories.find((x) => x.code === incident.national!.category);
    const n = NATIONAL_LEVEL_NAMES[incident.national.level as NationalLevel];
    return { level: incident.national.level, roman: n.roman, levelName: { zh: n.zh, en: n.en }, category: incident.national.category, categoryName: { zh: c?.zh ?? incident.national.category, en: c?.en ?? incident.national.category }, reportTo: s.reportTo };
  }

  /** The incidents whose report to the regulator is due soon or overdue and not yet told so: for the SLA loop. */
  async dueForEscalation(db: Kysely<DB>): Promise<Array<{ id: string; title: string; type: string; level: number; org_unit: string; national_level: number; regulatory_due_at: string; overdue: boolean }>> {
    const now = this.now();
    const horizon = new Date(now.getTime() + REGULATORY_DUE_SOON_MS).toISOString();
    const rows = await db
      .selectFrom('incidents')
      .select(['id', 'title', 'type', 'level', 'org_unit', 'national_level', 'regulatory_due_at'])
      .where('regulatory_due_at', 'is not', null)
      .where('regulatory_due_at', '<=', horizon)
      .where('regulatory_reported_at', 'is', null)
      .where('phase', '!=', 'closed')
      .limit(500)
      .execute();
    return rows.map((r) => ({ ...r, national_level: Number(r.national_level), regulatory_due_at: r.regulatory_due_at!, overdue: r.regulatory_due_at! <= now.toISOString() }));
  }
}
