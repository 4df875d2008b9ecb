/**
 * Retention (issue 12): `bihuan purge` deletes events and alerts stored longer ago than their
 * retention, keeps alerts that are evidence on an incident, and counts what it deleted per day.
 * The records are stored through the API on the harness's clock (25 November); the CLI purges on
 * today's, days later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { purgeExpired } from '../src/intake/retention.js';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const eve = (i: number, sig: string, cat: string, sev: number) =>
  JSON.stringify({ timestamp: `2026-11-25T01:0${i}:00.000+0000`, flow_id: 900 + i, event_type: 'alert', src_ip: `203.0.113.${i}`, src_port: 5555, dest_ip: '10.1.2.3', dest_port: 445, proto: 'TCP', alert: { action: 'allowed', signature_id: 1000 + i, signature: sig, category: cat, severity: sev } });

for (const dialect of DIALECTS) {
  describe(`retention on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
      const lines = [
        // three context events (log-in attempts), one exploit that becomes an incident, one informational IDS alert
        ...[1, 2, 3].map((i) => `<38>1 2026-11-25T01:0${i}:00Z bastion sshd 4242 - - Failed password for root from 198.51.100.${i} port 4000${i} ssh2`),
        eve(4, 'ET EXPLOIT Possible ETERNALBLUE MS17-010 Echo Response', 'Attempted Administrator Privilege Gain', 1),
        eve(5, 'ET INFO Observed DNS Query to .cloud TLD', 'Potentially Bad Traffic', 3),
      ];
      const r = await h.req({ method: 'POST', url: '/api/alerts', payload: lines.join('\n'), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
      expect(r.json()).toMatchObject({ accepted: 5, rejected: 0 });
      await h.services.detection.idle();
    });
    afterAll(async () => h?.close());

    const purge = async (env: Record<string, string>, ...args: string[]) => {
      let out = '';
      const code = await runCli(['--database', h.db.url, 'purge', '--json', ...args], { out: (s) => (out += s), err: (s) => (out += s), env: { BIHUAN_DATA_DIR: h.db.dataDir, ...env } });
      expect(code, out).toBe(0);
      return JSON.parse(out) as { alerts: number; events: number; dryRun: boolean };
    };
    const stored = async () => {
      const list = async (qs: string) => (await h.req({ method: 'GET', url: `/api/alerts?limit=50${qs}`, as: 'viewer' })).json().items as Array<{ alert: { event: { kind: string } }; incidents: string[] }>;
      // alerts, and events (the lean table, searched by time)
      const items = [...(await list('')), ...(await list('&kind=event&from=2026-11-01T00:00:00Z'))];
      return items.map((a) => `${a.alert.event.kind}${a.incidents.length ? ' on an incident' : ''}`).sort();
    };

    it('deletes what is past its retention, and counts it', async () => {
      expect(await stored()).toEqual(['alert', 'alert on an incident', 'event', 'event', 'event']);
      // the defaults (a year of alerts, six months of events) delete nothing stored four days ago
      expect(await purge({})).toMatchObject({ alerts: 0, events: 0 });
      // events kept one day: the three log-in events go (a dry run first only counts)
      expect(await purge({ BIHUAN_EVENT_RETENTION_DAYS: '1' }, '--dry-run')).toMatchObject({ dryRun: true, alerts: 0, events: 3 });
      expect(await stored()).toHaveLength(5);
      expect(await purge({ BIHUAN_EVENT_RETENTION_DAYS: '1' })).toMatchObject({ dryRun: false, alerts: 0, events: 3 });
      expect(await stored()).toEqual(['alert', 'alert on an incident']);
      // alerts kept one day: the informational one goes, the incident's evidence stays
      expect(await purge({ BIHUAN_ALERT_RETENTION_DAYS: '1' })).toMatchObject({ alerts: 1, events: 0 });
      expect(await stored()).toEqual(['alert on an incident']);
      const counters = (await h.req({ method: 'GET', url: '/api/intake/counters?days=30', as: 'viewer' })).json() as Array<{ channel: string; outcome: string; count: number }>;
      expect(counters.filter((c) => c.channel === 'retention').map((c) => [c.outcome, c.count]).sort()).toEqual([
        ['purged_alerts', 1],
        ['purged_events', 3],
      ]);
    });

    it('finds the events stored before the cut-off among several days of them (by id: the events have no index on the time stored)', async () => {
      const day = (d: number) =>
        Array.from({ length: 40 }, (_, i) => ({ line: i + 1, text: `<38>1 2026-11-2${5 + d}T03:${String(i).padStart(2, '0')}:00Z bastion sshd 4242 - - Failed password for root from 192.0.2.${i + 1} port 4000${d} ssh2` }));
      for (const d of [0, 1, 2]) {
        const out = await h.services.intake.ingest(day(d), { channel: 'test', batchSize: 7 });
        expect(out).toMatchObject({ accepted: 40, events: 40 });
        h.clock.advance(24 * 60);
      }
      const db = h.services.database.db;
      const count = async () => Number((await db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count()).toBe(120);
      // now the 28th, 02:00: a retention of 2.5 days cuts on the 25th at 14:00 (the first day's events), 1.5 days on the 26th
      expect(await purgeExpired(db, h.clock.now(), { alerts: 365, events: 2.5 }, { dryRun: true })).toMatchObject({ events: 40 });
      expect(await count()).toBe(120);
      expect(await purgeExpired(db, h.clock.now(), { alerts: 365, events: 2.5 })).toMatchObject({ events: 40 });
      expect(await count()).toBe(80);
      expect(await purgeExpired(db, h.clock.now(), { alerts: 365, events: 1.5 })).toMatchObject({ events: 40 });
      const left = await db.selectFrom('events').select('received_at').distinct().execute();
      expect(left.map((r) => r.received_at)).toEqual(['2026-11-27T02:00:00.000Z']);
      expect(await purgeExpired(db, h.clock.now(), { alerts: 365, events: 0 })).toMatchObject({ events: 40 });
      expect(await count()).toBe(0);
    });

    it('refuses a retention that is not a number of days', async () => {
      let out = '';
      const code = await runCli(['--database', h.db.url, 'purge'], { out: (s) => (out += s), err: (s) => (out += s), env: { BIHUAN_DATA_DIR: h.db.dataDir, BIHUAN_EVENT_RETENTION_DAYS: 'forever' } });
      expect(code).not.toBe(0);
      expect(out).toContain('BIHUAN_EVENT_RETENTION_DAYS');
    });
  });
}
