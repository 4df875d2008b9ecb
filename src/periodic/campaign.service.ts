/**
 * Special campaigns (issue 15, 专项行动): planned over a scope and a period with a lead; the scans
 * and hand-recorded findings they produce tracked to closure like periodic findings; a drill's
 * exercise incidents opened from it and reviewed phase by phase against their SLA; closed with a
 * conclusion; summarised in a report (.docx and Markdown).
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { containsText } from '../store/like.js';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { type WorkingPhase } from '../domain/incident/phase.js';
import { CAMPAIGN_KINDS, type CampaignKind, type CampaignState, type PhaseReview, campaignState, checkPeriod, checkScopeAssets, reviewPhases } from '../domain/periodic/campaign.js';
import { campaignReport } from '../domain/periodic/reports.js';
import type { ReportDocument } from '../domain/report/document.js';
import type { ReportLocale } from '../domain/report/forms.js';
import type { FindingService, HandFinding } from '../findings/finding.service.js';
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import type { CampaignRow, DB } from '../store/schema.js';

export interface CampaignInput {
  title: string;
  kind: CampaignKind;
  scopeOrgUnits: string[];
  scopeAssets: string[];
  startsOn: string;
  endsOn: string;
  lead: string;
  description?: string | null;
}

export interface Campaign {
  id: number;
  title: string;
  kind: CampaignKind;
  state: CampaignState;
  scopeOrgUnits: string[];
  scopeAssets: string[];
  startsOn: string;
  endsOn: string;
  lead: string;
  description: string | null;
  conclusion: string | null;
  closedAt: string | null;
  closedBy: string | null;
  createdBy: string;
  createdAt: string;
  /** findings it produced: all, still open (open/fixing/fixed), closed (verified), accepted */
  findings: { total: number; open: number; closed: number; accepted: number };
  /** exercise incidents it opened (a drill) */
  incidents: number;
}

export interface DrillReview {
  incidents: Array<{ id: string; title: string; level: number; phase: string; closedAt: string | null; phases: PhaseReview[] }>;
  /** phases finished within their deadline, of those finished or missed */
  met: number;
  missed: number;
}

export class CampaignService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    private readonly zones: OrgTimeZone,
    private readonly findings: FindingService,
  ) {}

  private async today(): Promise<string> {
    await this.zones.refresh(this.db);
    return DateTime.fromJSDate(this.now(), { zone: this.zones.zone }).toISODate()!;
  }

  private async checkInput(db: Kysely<DB>, input: CampaignInput) {
    const title = input.title.trim();
    if (!title) throw validationError('title', 'is required', 'blank');
    if (!(CAMPAIGN_KINDS as readonly string[]).includes(input.kind)) throw validationError('kind', `must be one of ${CAMPAIGN_KINDS.join(', ')}`, 'enum', { values: CAMPAIGN_KINDS.join(', ') });
    checkPeriod(input.startsOn, input.endsOn);
    const assets = checkScopeAssets(input.scopeAssets);
    const units = new Set((await db.selectFrom('org_units').select('code').execute()).map((u) => u.code));
    for (const [i, u] of input.scopeOrgUnits.entries()) if (!units.has(u)) throw validationError(`scopeOrgUnits/${i}`, `org unit "${u.slice(0, 32)}" does not exist`, 'unknownOrgUnit', { code: u.slice(0, 32) });
    const lead = await db.selectFrom('users').select(['username', 'disabled']).where('username', '=', input.lead).executeTakeFirst();
    if (!lead || lead.disabled) throw validationError('lead', `no active user "${input.lead.slice(0, 64)}"`, 'unknownUser', { username: input.lead.slice(0, 64) });
    return {
      title: title.slice(0, 200),
      kind: input.kind,
      scope_org_units: JSON.stringify([...new Set(input.scopeOrgUnits)]),
      scope_assets: JSON.stringify(assets),
      starts_on: input.startsOn,
      ends_on: input.endsOn,
      lead: input.lead,
      description: input.description?.trim().slice(0, 4000) || null,
    };
  }

  /** Campaigns, the latest start first; those whose scope names `orgUnit` (a branch user's: their branch). */
  async list(q: { orgUnit?: string; kind?: CampaignKind } = {}): Promise<Campaign[]> {
    let query = this.db.selectFrom('campaigns').selectAll().orderBy('starts_on', 'desc').orderBy('id', 'desc').limit(500);
    if (q.kind) query = query.where('kind', '=', q.kind);
    // the scope's JSON names the unit in quotes: narrowed in the query, then read exactly
    if (q.orgUnit) query = query.where(containsText('scope_org_units', JSON.stringify(q.orgUnit)));
    const rows = (await query.execute()).filter((r) => !q.orgUnit || (JSON.parse(r.scope_org_units) as string[]).includes(q.orgUnit));
    return this.present(rows);
  }

  async get(id: number): Promise<Campaign> {
    const r = await this.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('campaign', id);
    return (await this.present([r]))[0]!;
  }

  private async present(rows: CampaignRow[]): Promise<Campaign[]> {
    if (!rows.length) return [];
    const today = await this.today();
    const ids = rows.map((r) => Number(r.id));
    const counts = await this.db
      .selectFrom('findings')
      .select(['campaign_id', 'status', (eb) => eb.fn.countAll().as('n')])
      .where('campaign_id', 'in', ids)
      .groupBy(['campaign_id', 'status'])
      .execute();
    const drills = await this.db
      .selectFrom('incidents')
      .select(['campaign_id', (eb) => eb.fn.countAll().as('n')])
      .where('campaign_id', 'in', ids)
      .groupBy('campaign_id')
      .execute();
    return rows.map((r) => {
      const id = Number(r.id);
      const findings = { total: 0, open: 0, closed: 0, accepted: 0 };
      for (const c of counts.filter((c) => Number(c.campaign_id) === id)) {
        const n = Number(c.n);
        findings.total += n;
        if (c.status === 'verified') findings.closed += n;
        else if (c.status === 'accepted') findings.accepted += n;
        else findings.open += n;
      }
      const closedAt = r.closed_at;
      return {
        id,
        title: r.title,
        kind: r.kind as CampaignKind,
        state: campaignState({ startsOn: r.starts_on, endsOn: r.ends_on, closedAt }, today),
        scopeOrgUnits: JSON.parse(r.scope_org_units) as string[],
        scopeAssets: JSON.parse(r.scope_assets) as string[],
        startsOn: r.starts_on,
        endsOn: r.ends_on,
        lead: r.lead,
        description: r.description,
        conclusion: r.conclusion,
        closedAt,
        closedBy: r.closed_by,
        createdBy: r.created_by,
        createdAt: r.created_at,
        findings,
        incidents: Number(drills.find((d) => Number(d.campaign_id) === id)?.n ?? 0),
      };
    });
  }

  async create(actor: Actor, input: CampaignInput): Promise<Campaign> {
    requirePermission(actor, 'findings.manage', 'plan campaigns');
    const at = this.now().toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const values = await this.checkInput(trx, input);
      const r = await trx.insertInto('campaigns').values({ ...values, conclusion: null, closed_at: null, closed_by: null, created_by: actorLabel(actor), created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow();
      await writeAudit(trx, { actor, action: 'campaign.create', entityType: 'campaign', entityId: String(r.id), after: values, at });
      return Number(r.id);
    });
    return this.get(id);
  }

  async update(actor: Actor, id: number, input: CampaignInput): Promise<Campaign> {
    requirePermission(actor, 'findings.manage', 'plan campaigns');
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const before = await this.open(trx, id);
      const values = await this.checkInput(trx, input);
      await trx.updateTable('campaigns').set({ ...values, updated_at: at }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'campaign.update', entityType: 'campaign', entityId: String(id), before: { title: before.title, starts_on: before.starts_on, ends_on: before.ends_on, lead: before.lead }, after: values, at });
    });
    return this.get(id);
  }

  /** Closes a campaign with its conclusion (what was found, what is left, what changes). */
  async close(actor: Actor, id: number, conclusion: string): Promise<Campaign> {
    requirePermission(actor, 'findings.manage', 'close campaigns');
    const text = conclusion.trim();
    if (!text) throw validationError('conclusion', 'say what the campaign found and what is left', 'blank');
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await this.open(trx, id);
      await trx.updateTable('campaigns').set({ conclusion: text.slice(0, 20000), closed_at: at, closed_by: actorLabel(actor), updated_at: at }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'campaign.close', entityType: 'campaign', entityId: String(id), after: { conclusion: text.slice(0, 200) }, at });
    });
    return this.get(id);
  }

  /** The campaign, refused when closed. */
  private async open(db: Kysely<DB>, id: number): Promise<CampaignRow> {
    const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('campaign', id);
    if (row.closed_at) throw new DomainError('conflict', `campaign ${id} is closed`, { reason: 'campaignClosed', id });
    return row;
  }

  /** Findings a person records for the campaign (a penetration test's report, a sweep's results). */
  async recordFindings(actor: Actor, id: number, items: HandFinding[], branch?: string) {
    const row = await this.open(this.db, id);
    return this.findings.recordByHand(actor, items, { campaignId: id, branch, reporter: `${row.title}（${actorLabel(actor)}）` });
  }

  /** The campaign's summary report, as a document to write out as Word or Markdown. */
  async report(id: number, locale: ReportLocale): Promise<ReportDocument> {
    const campaign = await this.get(id);
    await this.zones.refresh(this.db);
    const { items } = await this.findings.list({ campaign: id, limit: 500, offset: 0 });
    return campaignReport({
      locale,
      zone: this.zones.zone,
      generatedAt: this.now().toISOString(),
      campaign,
      findings: items,
      review: campaign.kind === 'drill' || campaign.incidents > 0 ? await this.review(id) : undefined,
    });
  }

  /** A drill's review: each phase of each of its exercise incidents against its SLA deadline. */
  async review(id: number): Promise<DrillReview> {
    await this.get(id);
    const now = this.now().toISOString();
    const incidents = await this.db.selectFrom('incidents').select(['id', 'title', 'level', 'phase', 'closed_at', 'deadlines']).where('campaign_id', '=', id).orderBy('detected_at').execute();
    const changes = incidents.length ? await this.db.selectFrom('phase_changes').select(['incident_id', 'from_phase', 'at']).where('incident_id', 'in', incidents.map((i) => i.id)).execute() : [];
    let met = 0;
    let missed = 0;
    const out = incidents.map((i) => {
      const phases = reviewPhases(JSON.parse(i.deadlines) as Record<WorkingPhase, string>, changes.filter((c) => c.incident_id === i.id).map((c) => ({ from: c.from_phase, at: c.at })), now);
      for (const p of phases) {
        if (p.met === true) met++;
        else if (p.met === false) missed++;
      }
      return { id: i.id, title: i.title, level: i.level, phase: i.phase, closedAt: i.closed_at, phases };
    });
    return { incidents: out, met, missed };
  }
}
