/**
 * The append-only audit trail. Every change writes its row with `writeAudit` on the same
 * transaction as the change itself, so the trail and the data can never disagree.
 */
import type { Kysely } from 'kysely';
import { type Actor, actorLabel, actorUserId } from '../domain/account/roles.js';
import type { DB } from '../store/schema.js';

export interface AuditInput {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
  at: string;
}

export async function writeAudit(db: Kysely<DB>, a: AuditInput): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: a.at,
      actor: actorLabel(a.actor),
      actor_user_id: actorUserId(a.actor),
      action: a.action,
      entity_type: a.entityType,
      entity_id: String(a.entityId),
      before: a.before === undefined ? null : JSON.stringify(a.before),
      after: a.after === undefined ? null : JSON.stringify(a.after),
    })
    .execute();
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  /** return rows with id below this one (newest first paging) */
  before?: number;
  limit: number;
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export async function listAudit(db: Kysely<DB>, q: AuditQuery): Promise<AuditRecord[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.entityType) query = query.where('entity_type', '=', q.entityType);
  if (q.entityId) query = query.where('entity_id', '=', q.entityId);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.before) query = query.where('id', '<', q.before);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
  }));
}
