/** Searching stored alerts: time range, addresses or CIDRs, type, rule, branch, indicator, text. */
import { type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely';
import { LIMITS } from '../runtime/limits.js';
import { type Alert, compact } from '../domain/alert/alert.js';
import { cidrKeyRange } from '../domain/alert/network.js';
import { DomainError } from '../domain/errors.js';
import { containsText, escapeLike } from '../store/like.js';
import type { DB } from '../store/schema.js';
import { PG_ALERT_TEXT } from '../store/migrations/20261129T1700_alert_text.js';

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
  /** host name (exact, any case) */
  host?: string;
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
  /** events (kind=event): the record as it came in (an event keeps no normalized document) */
  original?: string;
}

/** How far back a free-text search looks when the caller names no start. */
export const TEXT_SEARCH_DEFAULT_DAYS = 7;

/**
 * A free-text search reads every row of its time range: it is always bounded by one (the last
 * TEXT_SEARCH_DEFAULT_DAYS days unless the caller names a start), and on PostgreSQL by a
 * statement timeout (on SQLite the query worker that runs it is ended past LIMITS.searchTimeoutMs).
 */
export async function searchAlerts(db: Kysely<DB>, q: AlertQuery, now: Date = new Date()): Promise<{ items: AlertSummary[]; nextCursor: string | null }> {
  // events are many and have no index but time: every search of them is bounded like a text search
  const events = q.kind === 'event';
  if (events && !q.from) {
    // the 7 days up to `to`, or up to the newest event (a replay of old logs is found too): the last key of the time-first unique index
    const newest = q.to ? undefined : await db.selectFrom('events').select('ts').orderBy('dedup_key', 'desc').limit(1).executeTakeFirst();
    const end = q.to ? Date.parse(q.to) : newest ? Math.min(Date.parse(newest.ts), now.getTime()) : now.getTime();
    q = { ...q, from: new Date(end - TEXT_SEARCH_DEFAULT_DAYS * 86_400_000).toISOString() };
  }
  if (q.q && !q.from) q = { ...q, from: new Date(now.getTime() - TEXT_SEARCH_DEFAULT_DAYS * 86_400_000).toISOString() };
  const run = (x: Kysely<DB>) => (events ? runEventSearch(x, q) : runSearch(x, q));
  if ((q.q || events) && db.getExecutor().adapter instanceof PostgresAdapter) {
    try {
      return await db.transaction().execute(async (trx) => {
        await sql.raw(`set local statement_timeout = ${LIMITS.searchTimeoutMs}`).execute(trx);
        return run(trx);
      });
    } catch (e) {
      if ((e as { code?: string }).code === '57014') {
        throw new DomainError('unavailable', `the search ran longer than ${LIMITS.searchTimeoutMs / 1000} s and was stopped: narrow the time range or add an address, type or rule`, { retryAfterSeconds: 1 });
      }
      throw e;
    }
  }
  return run(db);
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|(\d{1,18})$/;

function cursorOf(text: string): [string, number] {
  const m = CURSOR.exec(text);
  if (!m) throw new DomainError('validation', 'cursor: not a cursor returned by this search', [{ field: 'cursor', message: 'invalid cursor' }]);
  return [m[1]!, Number(m[2])];
}

/**
 * The filters alerts and events share (both tables have these columns): either address by CIDR
 * range (the `*_ip_key` columns sort as addresses), format, category, branch, host.
 */
function sharedFilters(q: AlertQuery): Array<RawBuilder<boolean>> {
  const out: Array<RawBuilder<boolean>> = [];
  const between = (column: string, value: string, field: string) => {
    const [lo, hi] = cidrKeyRange(value, field);
    return sql<boolean>`(${sql.ref(column)} >= ${lo} and ${sql.ref(column)} <= ${hi})`;
  };
  if (q.src) out.push(between('source_ip_key', q.src, 'src'));
  if (q.dst) out.push(between('destination_ip_key', q.dst, 'dst'));
  if (q.ip) out.push(sql<boolean>`(${between('source_ip_key', q.ip, 'ip')} or ${between('destination_ip_key', q.ip, 'ip')})`);
  if (q.format) out.push(sql<boolean>`format = ${q.format}`);
  if (q.category) out.push(sql<boolean>`(',' || category || ',') like ${`%,${escapeLike(q.category)},%`} escape '\\'`);
  if (q.orgUnit) out.push(sql<boolean>`(source_org_unit = ${q.orgUnit} or destination_org_unit = ${q.orgUnit})`);
  if (q.host) out.push(sql<boolean>`lower(host_name) = ${q.host.toLowerCase()}`);
  return out;
}

/**
 * Events (the lean table): by time (its unique key starts with the time, so a time range reads a
 * range of that index), address or CIDR, host, user, branch, category, format and text in the
 * record. Only what an event row holds can be asked: a rule or an indicator finds none.
 */
async function runEventSearch(db: Kysely<DB>, q: AlertQuery): Promise<{ items: AlertSummary[]; nextCursor: string | null }> {
  if (q.rule || q.indicator) return { items: [], nextCursor: null };
  let query = db.selectFrom('events').selectAll();
  // dedup_key = "<ISO time>|…": the time range as a key range
  if (q.from) query = query.where('dedup_key', '>=', q.from);
  if (q.to) query = query.where('dedup_key', '<', q.to);
  for (const c of sharedFilters(q)) query = query.where(c);
  if (q.q) query = query.where(containsText('original', q.q));
  if (q.cursor) {
    // the (unique) key of the last row shown: the next page is strictly before it
    const m = /^k:([A-Za-z0-9_-]{1,1400})$/.exec(q.cursor);
    if (!m) throw new DomainError('validation', 'cursor: not a cursor returned by this search', [{ field: 'cursor', message: 'invalid cursor' }]);
    query = query.where('dedup_key', '<', Buffer.from(m[1]!, 'base64url').toString('utf8'));
  }
  const rows = await query.orderBy('dedup_key', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const incidents = await incidentsOf(db, page.map((r) => Number(r.id)));
  return {
    items: page.map((r) => ({ id: Number(r.id), timestamp: r.ts, receivedAt: r.received_at, format: r.format, channel: r.channel, alert: eventAlert(r), incidents: incidents.get(Number(r.id)) ?? [], triage: null, original: r.original })),
    nextCursor: rows.length > q.limit && last ? `k:${Buffer.from(last.dedup_key).toString('base64url')}` : null,
  };
}

/** What an event row says, in the shape of an alert (the record itself is beside it). */
export function eventAlert(r: { ts: string; original: string; category: string; action: string | null; outcome: string | null; source_ip: string | null; destination_ip: string | null; host_name: string | null; user_name: string | null; source_org_unit?: string | null; destination_org_unit?: string | null }): Alert {
  return compact({
    '@timestamp': r.ts,
    message: r.original.slice(0, 1000),
    event: { kind: 'event', category: r.category ? r.category.split(',') : [], action: r.action ?? undefined, outcome: (r.outcome ?? undefined) as Alert['event']['outcome'] },
    source: r.source_ip ? { ip: r.source_ip, org_unit: r.source_org_unit ?? undefined } : undefined,
    destination: r.destination_ip ? { ip: r.destination_ip, org_unit: r.destination_org_unit ?? undefined } : undefined,
    host: r.host_name ? { name: r.host_name } : undefined,
    user: r.user_name ? { name: r.user_name } : undefined,
  } as Alert);
}

/** The incidents detection filed each record on. */
async function incidentsOf(db: Kysely<DB>, ids: number[]): Promise<Map<number, string[]>> {
  const incidents = new Map<number, string[]>();
  if (!ids.length) return incidents;
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
  return incidents;
}

/**
 * Free text in the message, rule, DNS name, URL, user or host, as a case-insensitive substring:
 * on SQLite through the trigram FTS5 index (three characters or more; shorter text scans), on
 * PostgreSQL as ILIKE over the expression the pg_trgm index is built on (migration 20261129T1700).
 */
function textMatch(db: Kysely<DB>, text: string) {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return sql<boolean>`${sql.raw(PG_ALERT_TEXT)} ilike ${`%${escapeLike(text)}%`} escape '\\'`;
  if ([...text].length >= 3) return sql<boolean>`id in (select rowid from alerts_text where alerts_text match ${`"${text.replaceAll('"', '""')}"`})`;
  return sql<boolean>`(${sql.join(['message', 'rule_name', 'dns_question_name', 'url_full', 'user_name', 'host_name'].map((c) => containsText(c, text)), sql` or `)})`;
}

async function runSearch(db: Kysely<DB>, q: AlertQuery): Promise<{ items: AlertSummary[]; nextCursor: string | null }> {
  let query = db.selectFrom('alerts').select(['id', 'ts', 'received_at', 'format', 'channel', 'doc']);
  if (q.from) query = query.where('ts', '>=', q.from);
  if (q.to) query = query.where('ts', '<', q.to);
  for (const c of sharedFilters(q)) query = query.where(c);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.rule) query = query.where(containsText('rule_name', q.rule));
  if (q.indicator) query = q.indicator === '*' ? query.where('indicator', 'is not', null) : query.where('indicator', '=', q.indicator.toLowerCase());
  if (q.q) query = query.where(textMatch(db, q.q));
  if (q.cursor) {
    const [ts, id] = cursorOf(q.cursor);
    query = query.where((eb) => eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('ts', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  // what became of each alert on the page: one query for the incidents, one for the verdicts
  const ids = page.map((r) => Number(r.id));
  const incidents = await incidentsOf(db, ids);
  const verdicts = new Map<number, AlertSummary['triage']>();
  if (ids.length) {
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
  if (!r) {
    // an event (the lean table): what its row says, and the record
    const e = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    if (e) return { id: Number(e.id), timestamp: e.ts, receivedAt: e.received_at, format: e.format, channel: e.channel, alert: eventAlert(e), original: e.original };
  }
  if (!r) throw new DomainError('not_found', `alert ${id} does not exist`, { entity: 'alert', id });
  return { id: Number(r.id), timestamp: r.ts, receivedAt: r.received_at, format: r.format, channel: r.channel, alert: JSON.parse(r.doc) as Alert, original: r.original };
}

/**
 * An answer already written as JSON where it was computed (the query worker): the API thread sends
 * it as it is instead of reading it back into objects and writing them out again (issue 12: a
 * page of 100 alerts cost the API thread more than intake's request beside it).
 */
export interface SerializedAnswer {
  json: string;
}

export function isSerialized(x: unknown): x is SerializedAnswer {
  return typeof x === 'object' && x !== null && typeof (x as SerializedAnswer).json === 'string' && Object.keys(x).length === 1;
}
