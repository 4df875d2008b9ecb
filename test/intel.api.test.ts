/**
 * Threat intelligence over HTTP, and the DriverLife outbreak going in as its devices emitted it:
 * the C&C look-ups become threat-intel alerts, the honeypot attacks come from a branch host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const fx = (...p: string[]) => fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures', ...p), 'utf8');

for (const dialect of DIALECTS) {
  describe(`threat intelligence and the DriverLife outbreak on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.req({ method: 'PUT', url: '/api/org-units/SH', payload: { name: '上海分公司', kind: 'branch' }, as: 'admin' });
      const z = await h.req({ method: 'PUT', url: '/api/network', payload: JSON.parse(fx('driverlife', 'network.json')), as: 'admin' });
      expect(z.statusCode, z.body).toBe(200);
    });
    afterAll(async () => h?.close());

    const importFeed = (body: string, qs: string, type = 'text/plain', as: 'monitor' | 'viewer' = 'monitor') =>
      h.req({ method: 'POST', url: `/api/intel/import?${qs}`, payload: body, headers: { 'content-type': type }, as });
    const ingest = (body: string) => h.req({ method: 'POST', url: '/api/alerts', payload: body, headers: { 'content-type': 'application/x-ndjson' }, as: 'ingest' });

    it('imports plain, CSV, STIX and MISP feeds, reporting what it skipped', async () => {
      let r = await importFeed(fx('driverlife', 'threat-intel.txt'), 'source=dns-ti&confidence=90');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ source: 'dns-ti', format: 'plain', indicators: 2, skipped: [] });
      r = await importFeed(fx('intel', 'feed.csv'), 'source=vendor-csv', 'text/csv');
      expect(r.json()).toMatchObject({ format: 'csv', indicators: 3, skipped: [{ entry: 4 }] });
      r = await importFeed(fx('intel', 'bundle.stix.json'), 'source=cert-stix', 'application/json');
      expect(r.json()).toMatchObject({ format: 'stix', indicators: 3 });
      r = await importFeed(fx('intel', 'misp-event.json'), 'source=misp', 'application/json');
      expect(r.json()).toMatchObject({ format: 'misp', indicators: 3 });
      const sources = (await h.req({ method: 'GET', url: '/api/intel/sources', as: 'viewer' })).json();
      expect(sources.map((s: { source: string; indicators: number }) => [s.source, s.indicators])).toEqual([
        ['cert-stix', 3],
        ['dns-ti', 2],
        ['misp', 3],
        ['vendor-csv', 3],
      ]);
      // re-importing the same feed updates, never doubles
      await importFeed(fx('driverlife', 'threat-intel.txt'), 'source=dns-ti&confidence=95');
      expect((await h.req({ method: 'GET', url: '/api/intel/indicators?value=t.awcna.com', as: 'viewer' })).json()).toEqual([
        expect.objectContaining({ type: 'domain', value: 't.awcna.com', source: 'dns-ti', confidence: 95 }),
      ]);
      expect((await importFeed('nothing useful', 'source=x')).statusCode).toBe(400);
      expect((await importFeed('t.awcna.com', 'source=x', 'text/plain', 'viewer')).statusCode).toBe(403);
    });

    it('turns the C&C look-ups into threat-intel alerts naming the indicator, in device time order, patient zero first', async () => {
      const r = await ingest(fx('driverlife', 'hq-dns-query.log'));
      expect(r.json()).toMatchObject({ accepted: 7, rejected: 0 });
      const hits = (await h.req({ method: 'GET', url: '/api/alerts?indicator=*&format=dns', as: 'viewer' })).json().items.reverse();
      expect(hits.map((a: any) => [a.timestamp, a.alert.source.ip, a.alert.dns.question.name])).toEqual([
        ['2019-12-01T20:57:03.214Z', '10.164.1.8', 't.awcna.com'],
        ['2019-12-01T21:01:12.008Z', '10.164.2.15', 't.awcna.com'],
        ['2019-12-01T21:02:40.511Z', '10.164.2.116', 'down.ackng.com'],
        ['2019-12-01T21:19:31.907Z', '10.164.2.13', 'down.ackng.com'],
        ['2019-12-01T21:27:05.330Z', '10.164.2.56', 't.awcna.com'],
        ['2019-12-01T21:28:44.120Z', '10.164.2.91', 't.awcna.com'],
      ]);
      const first = hits[0].alert;
      expect(first.event.kind).toBe('alert');
      expect(first.event.category).toContain('threat');
      expect(first.threat.indicator).toMatchObject({ type: 'domain', value: 't.awcna.com', source: 'dns-ti' });
      expect(first.source).toMatchObject({ internal: true, org_unit: 'SH' });
      // the ordinary look-up is stored as an event (the lean table), not an alert
      expect((await h.req({ method: 'GET', url: '/api/alerts?q=www.example.com&from=2019-12-01T00:00:00Z', as: 'viewer' })).json().items).toHaveLength(0);
      // events are searched in the 7 days up to the newest one unless told where to start (these records are from 2019)
      expect((await h.req({ method: 'GET', url: '/api/alerts?kind=event&q=www.example.com', as: 'viewer' })).json().items).toHaveLength(1);
      expect((await h.req({ method: 'GET', url: '/api/alerts?kind=event&q=www.example.com&to=2019-12-01T00:00:00Z', as: 'viewer' })).json().items).toHaveLength(0);
      const plain = (await h.req({ method: 'GET', url: '/api/alerts?kind=event&q=www.example.com&from=2019-12-01T00:00:00Z', as: 'viewer' })).json().items;
      expect(plain).toHaveLength(1);
      expect(plain[0].alert.event.kind).toBe('event');
      expect(plain[0].alert.threat).toBeUndefined();
      // the exact indicator (t.awcna.com, dns-ti) is named before its parent domain (awcna.com, cert-stix)
      expect((await h.req({ method: 'GET', url: '/api/alerts?indicator=t.awcna.com', as: 'viewer' })).json().items).toHaveLength(4);
    });

    it('stores the honeypot attacks from branch hosts and the server log of the break-in at the devices\' times', async () => {
      expect((await ingest(fx('driverlife', 'hq-honeypot-eve.json'))).json()).toMatchObject({ accepted: 3 });
      expect((await ingest(fx('driverlife', 'sh-fs01-winlogbeat.ndjson'))).json()).toMatchObject({ accepted: 2 });
      const honeypot = (await h.req({ method: 'GET', url: '/api/alerts?src=10.164.0.0/16&dst=10.1.99.0/24', as: 'viewer' })).json().items.reverse();
      expect(honeypot.map((a: any) => [a.timestamp, a.alert.source.ip, a.alert.destination.port])).toEqual([
        ['2019-12-01T22:48:09.412Z', '10.164.2.15', 445],
        ['2019-12-01T22:50:05.733Z', '10.164.2.33', 3389],
        ['2019-12-01T22:50:41.902Z', '10.164.2.33', 1433],
      ]);
      expect(honeypot.every((a: any) => a.alert.source.internal && a.alert.source.org_unit === 'SH' && a.alert.destination.org_unit === 'HQ')).toBe(true);
      // both are events (context: what a Windows log says); the service installation matched a rule
      // and became evidence on an incident, copied in full into the alerts
      await h.services.detection.idle();
      const to = `to=${encodeURIComponent('2019-12-02T04:50:00+08:00')}`;
      const logged = (await h.req({ method: 'GET', url: `/api/alerts?kind=event&from=2019-12-01T00:00:00Z&${to}`, as: 'viewer' })).json().items.reverse();
      expect(logged.map((a: any) => [a.timestamp, a.alert.event.action ?? null, a.alert.source?.ip ?? null, a.incidents.length])).toEqual([
        ['2019-12-01T20:46:05.000Z', 'logged-in', '198.51.100.45', 0],
        ['2019-12-01T20:46:52.000Z', 'service-installed', null, 1],
      ]);
      expect(JSON.parse(logged[0].original).winlog.event_data.LogonType).toBe('10');
      const service = (await h.req({ method: 'GET', url: `/api/alerts?${to}`, as: 'viewer' })).json().items;
      expect(service.map((a: any) => [a.timestamp, a.alert.winlog.event_id])).toEqual([['2019-12-01T20:46:52.000Z', 7045]]);
      expect(service[0].alert.winlog.event_data).toMatchObject({ ServiceName: 'Ddriver' });
      expect(service[0].incidents).toHaveLength(1);
    });
  });
}
