/**
 * Retention (issue 12): stored records are deleted by age — alerts (what matched a rule or an
 * indicator, or what a device calls an alert) after `alertRetentionDays`, events (context: a
 * log-in, a DNS answer, a Windows event no rule matched) after `eventRetentionDays` — by when they
 * were stored (a replay of old logs is kept as long as new ones), a batch per transaction so intake never waits long. Events live in their
 * own lean table (intake.service.ts, isEvent); older rows of the alerts table may hold events too. Alerts that are evidence (on
 * an incident's signal, or given a verdict) are kept. What was deleted is counted per day
 * beside intake's own counts (channel `retention`).
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../store/schema.js';

const BATCH = 5_000;

export interface PurgeOutcome {
  alerts: number;
  events: number;
  /** the cut-offs used (time stored) */
  alertsBefore: string;
  eventsBefore: string;
}

export async function purgeExpired(db: Kysely<DB>, now: Date, days: { alerts: number; events: number }, opts: { dryRun?: boolean } = {}): Promise<PurgeOutcome> {
  const cut = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
  const outcome: PurgeOutcome = { alerts: 0, events: 0, alertsBefore: cut(days.alerts), eventsBefore: cut(days.events) };
  for (const [kind, before] of [
    ['alert', outcome.alertsBefore],
    ['event', outcome.eventsBefore],
  ] as const) {
    const expired = (x: Kysely<DB>) =>
      x
      .selectFrom('alerts')
      .select('id')
      .where('received_at', '<', before)
      .where('kind', kind === 'alert' ? '=' : '!=', 'alert')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('signal_alerts').select('signal_alerts.alert_id').whereRef('signal_alerts.alert_id', '=', 'alerts.id'))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('alert_triage').select('alert_triage.alert_id').whereRef('alert_triage.alert_id', '=', 'alerts.id'))));
    if (opts.dryRun) {
      const row = await db.selectFrom(expired(db).as('x')).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      outcome[kind === 'alert' ? 'alerts' : 'events'] = Number(row?.n ?? 0);
      continue;
    }
    for (;;) {
      const n = await db.transaction().execute(async (trx) => {
        const ids = (await expired(trx).limit(BATCH).execute()).map((r) => r.id);
        if (!ids.length) return 0;
        await trx.deleteFrom('alerts').where('id', 'in', ids).execute();
        await trx
          .insertInto('intake_counters')
          .values({ day: now.toISOString().slice(0, 10), channel: 'retention', outcome: kind === 'alert' ? 'purged_alerts' : 'purged_events', n: ids.length })
          .onConflict((oc) => oc.columns(['day', 'channel', 'outcome']).doUpdateSet({ n: sql`intake_counters.n + excluded.n` }))
          .execute();
        return ids.length;
      });
      outcome[kind === 'alert' ? 'alerts' : 'events'] += n;
      if (n < BATCH) break;
    }
  }
  // the lean events table: every row past the events' retention (an event that became evidence was
  // copied into the alerts). It has no index on the time stored: ids grow with it, so the last id
  // stored before the cut-off is found by bisection and rows are deleted by id range
  const upTo = await lastEventIdBefore(db, outcome.eventsBefore);
  const eventsExpired = (x: Kysely<DB>) => x.selectFrom('events').select('id').where('id', '<=', upTo).where('received_at', '<', outcome.eventsBefore);
  if (opts.dryRun) {
    const row = upTo ? await db.selectFrom(eventsExpired(db).as('x')).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst() : undefined;
    outcome.events += Number(row?.n ?? 0);
    return outcome;
  }
  while (upTo) {
    const n = await db.transaction().execute(async (trx) => {
      const ids = (await eventsExpired(trx).orderBy('id').limit(BATCH).execute()).map((r) => r.id);
      if (!ids.length) return 0;
      await trx.deleteFrom('events').where('id', 'in', ids).execute();
      await trx
        .insertInto('intake_counters')
        .values({ day: now.toISOString().slice(0, 10), channel: 'retention', outcome: 'purged_events', n: ids.length })
        .onConflict((oc) => oc.columns(['day', 'channel', 'outcome']).doUpdateSet({ n: sql`intake_counters.n + excluded.n` }))
        .execute();
      return ids.length;
    });
    outcome.events += n;
    if (n < BATCH) break;
  }
  return outcome;
}

/** The largest event id stored before `cut` (0 if none): ids are taken in the order records are stored. */
export async function lastEventIdBefore(db: Kysely<DB>, cut: string): Promise<number> {
  const bounds = await db.selectFrom('events').select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')]).executeTakeFirst();
  if (bounds?.lo === null || bounds?.lo === undefined || bounds.hi === null) return 0;
  const storedAt = async (id: number) => (await db.selectFrom('events').select(['id', 'received_at']).where('id', '>=', id).orderBy('id').limit(1).executeTakeFirstOrThrow());
  let lo = Number(bounds.lo);
  let hi = Number(bounds.hi);
  if ((await storedAt(lo)).received_at >= cut) return 0;
  if ((await storedAt(hi)).received_at < cut) return hi;
  // a row at lo was stored before the cut; every row from hi on, at or after it
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const r = await storedAt(mid);
    if (r.received_at < cut) lo = Number(r.id);
    else hi = mid;
  }
  return lo;
}
