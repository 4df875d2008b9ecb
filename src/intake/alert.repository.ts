/** Searching stored alerts: time range, addresses or CIDRs, type, rule, branch, indicator, text. */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { LIMITS } from '../runtime/limits.js';
import type { Alert } from '../domain/alert/alert.js';
import { cidrKeyRange } from '../domain/alert/network.js';
import { DomainError } from '../domain/errors.js';
import { containsText, escapeLike } from '../store/like.js';
import type { DB } from '../store/schema.js';

export interface AlertQuery {
  from?: string;
  to?: string;
  /** an address or CIDR on either side */
  ip?: string;
  src?: string;
  dst?: string;
  format?: string;
  kind?: string;
  category?: string;
  rule?: string;
  /** org unit of source or destination */
  orgUnit?: string;
  indicator?: string;
  q?: string;
  limit: number;
  /** continue after this point (results are newest first, by the device's time) */
  cursor?: string;
}

export interface AlertSummary {
  id: number;
  timestamp: string;
  receivedAt: string;
  format: string;
  channel: string;
  alert: Alert;
  /** the incidents detection filed it on */
  incidents: string[];
  /** the analyst's verdict on it, if any */
  triage: { verdict: string; reason: string; actor: string; at: string } | null;
}

/** How far back a free-text search looks when the caller names no start. */
export const TEXT_SEARCH_DEFAULT_DAYS = 7;

/**
 * A free-text search reads every row of its time range: it is always bounded by one (the last
 * TEXT_SEARCH_DEFAULT_DAYS days unless the caller names a start), and on PostgreSQL by a
 * statement timeout (on SQLite the query worker that runs it is ended past LIMITS.searchTimeoutMs).
 */
export async function searchAlerts(db: Kysely<DB>, q: AlertQuery, now: Date = new Date()): Promise<{ items: AlertSummary[]; nextCursor: string | null }> {
  if (q.q && !q.from) q = { ...q, from: new Date(now.getTime() - TEXT_SEARCH_DEFAULT_DAYS * 86_400_000).toISOString() };
  if (q.q && db.getExecutor().adapter instanceof PostgresAdapter) {
    try {
      return await db.transaction().execute(async (trx) => {
        await sql.raw(`set local statement_timeout = ${LIMITS.searchTimeoutMs}`).execute(trx);
        return runSearch(trx, q);
      });
    } catch (e) {
      if ((e as { code?: string }).code === '57014') {
        throw new DomainError('unavailable', `the search ran longer than ${LIMITS.searchTimeoutMs / 1000} s and was stopped: narrow the time range or add an address, type or rule`, { retryAfterSeconds: 1 });
      }
      throw e;
    }
  }
  return runSearch(db, q);
}

async function runSearch(db: Kysely<DB>, q: AlertQuery): Promise<{ items: AlertSummary[]; nextCursor: string | null }> {
  let query = db.selectFrom('alerts').select(['id', 'ts', 'received_at', 'format', 'channel', 'doc']);
  if (q.from) query = query.where('ts', '>=', q.from);
  if (q.to) query = query.where('ts', '<', q.to);
  const range = (field: string, v: string) => cidrKeyRange(v, field);
  if (q.src) {
    const [lo, hi] = range('src', q.src);
    query = query.where('source_ip_key', '>=', lo).where('source_ip_key', '<=', hi);
  }
  if (q.dst) {
    const [lo, hi] = range('dst', q.dst);
    query = query.where('destination_ip_key', '>=', lo).where('destination_ip_key', '<=', hi);
  }
  if (q.ip) {
    const [lo, hi] = range('ip', q.ip);
    query = query.where((eb) =>
      eb.or([eb.and([eb('source_ip_key', '>=', lo), eb('source_ip_key', '<=', hi)]), eb.and([eb('destination_ip_key', '>=', lo), eb('destination_ip_key', '<=', hi)])]),
    );
  }
  if (q.format) query = query.where('format', '=', q.format);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.category) query = query.where(sql<boolean>`(',' || category || ',') like ${`%,${escapeLike(q.category)},%`} escape '\\'`);
  if (q.rule) query = query.where(containsText('rule_name', q.rule));
  if (q.orgUnit) query = query.where((eb) => eb.or([eb('source_org_unit', '=', q.orgUnit!), eb('destination_org_unit', '=', q.orgUnit!)]));
  if (q.indicator) query = q.indicator === '*' ? query.where('indicator', 'is not', null) : query.where('indicator', '=', q.indicator.toLowerCase());
  if (q.q) {
    const text = q.q;
    query = query.where((eb) => eb.or(['message', 'rule_name', 'dns_question_name', 'url_full', 'user_name', 'host_name'].map((c) => containsText(c, text))));
  }
  if (q.cursor) {
    const m = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|(\d{1,18})$/.exec(q.cursor);
    if (!m) throw new DomainError('validation', 'cursor: not a cursor returned by this search', [{ field: 'cursor', message: 'invalid cursor' }]);
    const [, ts, id] = m as unknown as [string, string, string];
    query = query.where((eb) => eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('id', '<', Number(id))])]));
  }
  const rows = await query.orderBy('ts', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  // what became of each alert on the page: one query for the incidents, one for the verdicts
  const ids = page.map((r) => Number(r.id));
  const incidents = new Map<number, string[]>();
  const verdicts = new Map<number, AlertSummary['triage']>();
  if (ids.length) {
    const links = await db
      .selectFrom('signal_alerts')
      .innerJoin('detection_signals', 'detection_signals.id', 'signal_alerts.signal_id')
      .select(['signal_alerts.alert_id', 'detection_signals.incident_id'])
      .where('signal_alerts.alert_id', 'in', ids)
      .execute();
    for (const l of links) {
      const list = incidents.get(Number(l.alert_id)) ?? [];
      if (!list.includes(l.incident_id)) list.push(l.incident_id);
      incidents.set(Number(l.alert_id), list);
    }
    for (const t of await db.selectFrom('alert_triage').select(['alert_id', 'verdict', 'reason', 'actor', 'at']).where('alert_id', 'in', ids).execute()) {
      verdicts.set(Number(t.alert_id), { verdict: t.verdict, reason: t.reason, actor: t.actor, at: t.at });
    }
  }
  return {
    items: page.map((r) => ({ id: Number(r.id), timestamp: r.ts, receivedAt: r.received_at, format: r.format, channel: r.channel, alert: JSON.parse(r.doc) as Alert, incidents: incidents.get(Number(r.id)) ?? [], triage: verdicts.get(Number(r.id)) ?? null })),
    nextCursor: rows.length > q.limit && last ? `${last.ts}|${last.id}` : null,
  };
}

export async function getAlert(db: Kysely<DB>, id: number) {
  const r = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new DomainError('not_found', `alert ${id} does not exist`, { entity: 'alert', id });
  return { id: Number(r.id), timestamp: r.ts, receivedAt: r.received_at, format: r.format, channel: r.channel, alert: JSON.parse(r.doc) as Alert, original: r.original };
}
