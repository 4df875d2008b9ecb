/**
 * The append-only audit trail. Every change writes its row with `writeAudit` on the same
 * transaction as the change itself, so the trail and the data can never disagree.
 */
import { createHash } from 'node:crypto';
import { type Kysely, PostgresAdapter, type Selectable, sql } from 'kysely';
import { type Actor, actorLabel, actorUserId } from '../domain/account/roles.js';
import type { AuditTable, DB } from '../store/schema.js';

/** the advisory lock that orders audit writes on PostgreSQL (SQLite transactions are serial already) */
const AUDIT_CHAIN_LOCK = 0x61756469; // "audi"

/** The fields of a row its hash covers (every column but the id and the chain's own). */
type ChainedFields = Omit<Selectable<AuditTable>, 'id' | 'prev_hash' | 'hash'>;

/** A row's link in the chain: SHA-256 over the previous row's hash and this row's fields. */
export function auditHash(prevHash: string | null, r: ChainedFields): string {
  return createHash('sha256')
    .update(JSON.stringify([prevHash, r.at, r.actor, r.actor_user_id === null ? null : Number(r.actor_user_id), r.action, r.entity_type, r.entity_id, r.before, r.after]))
    .digest('hex');
}

export interface AuditInput {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
  at: string;
}

/**
 * Appends one audit row, chained to the row before it (its hash over the previous hash and its
 * own fields): a row changed or removed later breaks the chain at that row (`bihuan audit verify`).
 */
export async function writeAudit(db: Kysely<DB>, a: AuditInput): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres && !db.isTransaction) {
    await db.transaction().execute((trx) => writeAudit(trx, a));
    return;
  }
  // one writer at a time extends the chain (released when the transaction ends)
  if (postgres) await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(db);
  const last = await db.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const row: ChainedFields = {
    at: a.at,
    actor: actorLabel(a.actor),
    actor_user_id: actorUserId(a.actor),
    action: a.action,
    entity_type: a.entityType,
    entity_id: String(a.entityId),
    before: a.before === undefined ? null : JSON.stringify(a.before),
    after: a.after === undefined ? null : JSON.stringify(a.after),
  };
  const prevHash = last?.hash ?? null;
  await db
    .insertInto('audit_log')
    .values({ ...row, prev_hash: prevHash, hash: auditHash(prevHash, row) })
    .execute();
}

export interface AuditVerification {
  ok: boolean;
  /** rows checked in the chain */
  rows: number;
  /** rows written before the chain began (by a version without it), not checked */
  unchained: number;
  /** the first row that breaks the chain, and how */
  broken?: { id: number; reason: string };
}

/** Walks the audit trail in order and names the first row whose link does not hold. */
export async function verifyAuditChain(db: Kysely<DB>): Promise<AuditVerification> {
  let prev: string | null | undefined;
  let rows = 0;
  let unchained = 0;
  let after = 0;
  for (;;) {
    const page = await db.selectFrom('audit_log').selectAll().where('id', '>', after).orderBy('id').limit(5000).execute();
    if (!page.length) break;
    for (const r of page) {
      after = Number(r.id);
      if (r.hash === null && prev === undefined) {
        unchained++;
        continue;
      }
      if (r.hash === null) return { ok: false, rows, unchained, broken: { id: after, reason: 'has no hash, after the chain began (a row written around the chain, or its hash removed)' } };
      if (prev !== undefined && r.prev_hash !== prev) {
        return { ok: false, rows, unchained, broken: { id: after, reason: 'does not follow the row before it (a row before it was removed or changed, or this one was inserted)' } };
      }
      if (auditHash(r.prev_hash, r) !== r.hash) return { ok: false, rows, unchained, broken: { id: after, reason: 'its content does not match its hash (the row was changed)' } };
      prev = r.hash;
      rows++;
    }
  }
  return { ok: true, rows, unchained };
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  /** ISO times: rows at or after `from`, before `to` */
  from?: string;
  to?: string;
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
  if (q.from) query = query.where('at', '>=', q.from);
  if (q.to) query = query.where('at', '<', q.to);
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
