/**
 * The demo's replay of the DriverLife outbreak moved to the present: every device time shifted
 * by one amount in its own format, so the outbreak ends now and its incident reads as live (SLA
 * clocks, response times) — the same one level-1 incident with the same seven hosts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERLIFE_LAST_RECORD, prepareDriverLife, replayDriverLife, shiftRecord } from '../src/demo/driverlife.js';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const HOUR = 3_600_000;

describe('a device record moved in time keeps its format', () => {
  it('BIND query log (local wall clock), Suricata (fraction and offset kept), Winlogbeat (UTC)', () => {
    expect(shiftRecord('hq-dns-query.log', '02-Dec-2019 04:57:03.214 queries: info: client 10.164.1.8#53211', 30 * 86_400_000 + HOUR)).toBe(
      '01-Jan-2020 05:57:03.214 queries: info: client 10.164.1.8#53211',
    );
    expect(shiftRecord('hq-honeypot-eve.json', '{"timestamp":"2019-12-02T06:48:09.412877+0800","flow_id":1}', 2 * HOUR)).toBe('{"timestamp":"2019-12-02T08:48:09.412877+0800","flow_id":1}');
    expect(shiftRecord('sh-fs01-winlogbeat.ndjson', '{"@timestamp":"2019-12-01T20:46:05.000Z","message":"x"}', -HOUR)).toBe('{"@timestamp":"2019-12-01T19:46:05.000Z","message":"x"}');
    expect(shiftRecord('hq-dns-query.log', '', HOUR)).toBe('');
    // the DNS server's Shanghai wall clock, written for a product reading zone-less logs in UTC
    expect(shiftRecord('hq-dns-query.log', '02-Dec-2019 04:57:03.214 queries: x', 0, 'UTC')).toBe('01-Dec-2019 20:57:03.214 queries: x');
  });
});

for (const dialect of DIALECTS) {
  describe(`the demo replay ending now on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(async () => h?.close());

    it('is the same level-1 incident, detected 1 h 54 min before the end, its SLA clock running from then', async () => {
      const end = h.clock.now();
      await prepareDriverLife(h.services);
      const ids = await replayDriverLife(h.services, { endAt: end });
      expect(ids).toHaveLength(1);
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${ids[0]}`, as: 'viewer' })).json();
      expect(detail).toMatchObject({ level: 1, type: 'trojan', orgUnit: 'SH' });
      expect(detail.assets).toHaveLength(7);
      // every device time moved by the same whole seconds: the first C&C look-up 1:53:38 before the end
      const offset = Math.floor((end.getTime() - DRIVERLIFE_LAST_RECORD) / 1000) * 1000;
      expect(detail.detectedAt).toBe(new Date(Date.parse('2019-12-01T20:57:03.214Z') + offset).toISOString());
      expect(end.getTime() - Date.parse(detail.detectedAt)).toBeGreaterThan(HOUR + 53 * 60_000);
      expect(end.getTime() - Date.parse(detail.detectedAt)).toBeLessThan(HOUR + 54 * 60_000);
      // the hour tier's 30 minutes for discovery run from detection: overdue now, as they would be live
      expect(Date.parse(detail.phaseDueAt) - Date.parse(detail.detectedAt)).toBe(30 * 60_000);
      expect(detail.overdue).toBe(true);
      const honeypot = detail.timeline.find((e: { text: string }) => e.text.includes('10.164.2.33 → 10.1.99.12'));
      expect(honeypot.occurredAt).toBe(new Date(DRIVERLIFE_LAST_RECORD + offset).toISOString());
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`detection reads back what another process stored on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(async () => h?.close());

    it('the outbreak written by a second process (no alerts handed over in memory) makes the same incident as written by this one', async () => {
      const { openServices } = await import('../src/app.js');
      const { loadConfig } = await import('../src/config.js');
      await prepareDriverLife(h.services);
      // process B: its own services on the same database; its intake tells its own detection, not ours
      const other = await openServices(loadConfig({ BIHUAN_DATA_DIR: h.db.dataDir, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { databaseUrl: h.db.url, logLevel: 'silent' }), { now: h.clock.now });
      other.intake.onCommitted = undefined;
      try {
        await replayDriverLife(other);
      } finally {
        await other.close();
      }
      expect((await h.services.incidents.list({ sort: 'created', limit: 10 })).items).toHaveLength(0);
      const run = await h.services.detection.catchUp();
      expect(run.alerts).toBe(12);
      const [incident] = (await h.services.incidents.list({ sort: 'created', limit: 10 })).items;
      const why = (await h.req({ method: 'GET', url: `/api/incidents/${incident!.id}/detection`, as: 'viewer' })).json();
      expect(incident).toMatchObject({ level: 1, type: 'trojan', title: '木马事件：10.164.1.8 访问 t.awcna.com' });
      expect(why.spread.hosts.map((x: { host: string }) => x.host)).toEqual(['10.164.1.8', '10.164.2.15', '10.164.2.116', '10.164.2.13', '10.164.2.56', '10.164.2.91', '10.164.2.33']);
    });
  });
}
