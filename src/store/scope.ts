/**
 * Branch tenancy in the queries (issue 11, F5). A user of a branch (an org unit of kind
 * `branch`) who is not of a headquarters role sees and acts on what touches their branch only:
 * incidents whose org unit is theirs or that list one of their hosts, their branch's orders,
 * the alerts to or from their branch, their assets. Headquarters roles and users of headquarters
 * see everything. The same predicates serve SQLite and PostgreSQL.
 */
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Actor } from '../domain/account/roles.js';
import { notFound } from '../domain/errors.js';
import type { DB } from './schema.js';

/** The branch an actor is confined to, or undefined for one who sees the whole organisation. */
export function branchOf(actor: Actor | undefined): string | undefined {
  return actor?.kind === 'user' ? actor.branch : undefined;
}

/** Incidents that touch a branch: theirs, or listing one of its hosts. */
export function incidentTouches(eb: ExpressionBuilder<DB, 'incidents'>, branch: string) {
  return eb.or([
    eb('incidents.org_unit', '=', branch),
    eb.exists(eb.selectFrom('affected_assets').select(sql`1`.as('one')).whereRef('affected_assets.incident_id', '=', 'incidents.id').where('affected_assets.org_unit', '=', branch)),
  ]);
}

/** Refuses (as not found: a branch does not learn what other branches have) an incident outside the actor's branch. */
export async function requireIncidentInScope(db: Kysely<DB>, actor: Actor | undefined, incidentId: string): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('incidents').select('id').where('id', '=', incidentId).where((eb) => incidentTouches(eb, branch)).executeTakeFirst();
  if (!row) throw notFound('incident', incidentId);
}

export async function requireOrderInScope(db: Kysely<DB>, actor: Actor | undefined, orderId: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('orders').select('id').where('id', '=', orderId).where('org_unit', '=', branch).executeTakeFirst();
  if (!row) throw notFound('order', String(orderId));
}

export async function requireFindingInScope(db: Kysely<DB>, actor: Actor | undefined, findingId: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('findings').select('id').where('id', '=', findingId).where('org_unit', '=', branch).executeTakeFirst();
  if (!row) throw notFound('finding', String(findingId));
}

export async function requireAlertInScope(db: Kysely<DB>, actor: Actor | undefined, alertId: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  // an alert, or an event (the lean table): either touches the branch by an address of its network
  let row: { id: number } | undefined;
  for (const table of ['alerts', 'events'] as const) {
    row ??= await db
      .selectFrom(table)
      .select('id')
      .where('id', '=', alertId)
      .where((eb) => eb.or([eb('source_org_unit', '=', branch), eb('destination_org_unit', '=', branch)]))
      .executeTakeFirst();
  }
  if (!row) throw notFound('alert', String(alertId));
}

export async function requireReportInScope(db: Kysely<DB>, actor: Actor | undefined, reportId: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('report_exports').select('incident_id').where('id', '=', reportId).executeTakeFirst();
  if (!row) throw notFound('report', String(reportId));
  await requireIncidentInScope(db, actor, row.incident_id).catch(() => {
    throw notFound('report', String(reportId));
  });
}

export async function requireWorkItemInScope(db: Kysely<DB>, actor: Actor | undefined, id: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('work_items').select('id').where('id', '=', id).where('org_unit', '=', branch).executeTakeFirst();
  if (!row) throw notFound('work item', String(id));
}

export async function requireOccurrenceInScope(db: Kysely<DB>, actor: Actor | undefined, id: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('work_occurrences as o').innerJoin('work_items as i', 'i.id', 'o.item_id').select('o.id').where('o.id', '=', id).where('i.org_unit', '=', branch).executeTakeFirst();
  if (!row) throw notFound('occurrence', String(id));
}

/** A campaign is a branch's when its scope names the branch. */
export async function requireCampaignInScope(db: Kysely<DB>, actor: Actor | undefined, id: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('campaigns').select('scope_org_units').where('id', '=', id).executeTakeFirst();
  if (!row || !(JSON.parse(row.scope_org_units) as string[]).includes(branch)) throw notFound('campaign', String(id));
}

export async function requireBlockInScope(db: Kysely<DB>, actor: Actor | undefined, id: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('blocks').select('id').where('id', '=', id).where('org_unit', '=', branch).executeTakeFirst();
  if (!row) throw notFound('block', String(id));
}

export async function requireShiftInScope(db: Kysely<DB>, actor: Actor | undefined, id: number): Promise<void> {
  const branch = branchOf(actor);
  if (!branch) return;
  const row = await db.selectFrom('duty_shifts').select('id').where('id', '=', id).where('org_unit', '=', branch).executeTakeFirst();
  if (!row) throw notFound('shift', String(id));
}
