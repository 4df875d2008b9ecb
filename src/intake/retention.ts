/**
 * Retention (issue 12): stored records are deleted by age — alerts (what matched a rule or an
 * indicator, or what a device calls an alert) after `alertRetentionDays`, events (context: a
 * log-in, a DNS answer, a Windows event no rule matched) after `eventRetentionDays` — by when they
 * were stored (a replay of old logs is kept as long as new ones), a batch per transaction so intake never waits long. Alerts that are evidence (on
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
  return outcome;
}
