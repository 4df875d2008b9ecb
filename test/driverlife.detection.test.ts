/**
 * Acceptance: the DriverLife outbreak of domain.md, replayed through the public API as the
 * devices emitted it — and again with each device's records in a second layout (DNS as JSON,
 * the honeypot's reports as CEF, the file server's log as the XML of an EVTX export): the same
 * incident either way. It must become one level-1 incident — C&C at 04:57, confirmed by the
 * internal-source attacks at 06:48 and 06:50 — naming 10.164.1.8 as the first host, listing
 * every infected address, with the honeypot attacks on its timeline at the devices' times.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const fx = (...p: string[]) => fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures', ...p), 'utf8');
const INFECTED = ['10.164.1.8', '10.164.2.15', '10.164.2.116', '10.164.2.13', '10.164.2.56', '10.164.2.91', '10.164.2.33'];

/** the devices' records, in the layout the story has and in a second one */
const LAYOUTS = [
  { name: 'BIND, Suricata EVE, Winlogbeat', dns: 'hq-dns-query.log', honeypot: 'hq-honeypot-eve.json', fileServer: 'sh-fs01-winlogbeat.ndjson' },
  { name: 'JSON DNS, CEF, EVTX XML', dns: 'hq-dns-query.ndjson', honeypot: 'hq-honeypot.cef', fileServer: 'sh-fs01-security.xml' },
];

for (const dialect of DIALECTS) for (const layout of LAYOUTS) {
  describe(`the DriverLife outbreak on ${dialect} (${layout.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
      expect((await h.req({ method: 'PUT', url: '/api/org-units/SH', payload: { name: '上海分公司', kind: 'branch' }, as: 'admin' })).statusCode).toBeLessThan(300);
      expect((await h.req({ method: 'PUT', url: '/api/network', payload: JSON.parse(fx('driverlife', 'network.json')), as: 'admin' })).statusCode).toBe(200);
      const assets = await h.req({ method: 'POST', url: '/api/assets/import', payload: fx('driverlife', 'sh-assets.csv'), headers: { 'content-type': 'text/csv' }, as: 'admin' });
      expect(assets.json()).toMatchObject({ imported: 121 });
      const intel = await h.req({ method: 'POST', url: '/api/intel/import?source=driverlife-feed&confidence=90', payload: fx('driverlife', 'threat-intel.txt'), headers: { 'content-type': 'text/plain' }, as: 'monitor' });
      expect(intel.json()).toMatchObject({ indicators: 2 });
    });
    afterAll(async () => h?.close());

    const send = async (file: string) => {
      const r = await h.req({ method: 'POST', url: '/api/alerts', payload: fx('driverlife', file), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().rejected).toBe(0);
      await h.services.detection.idle();
    };
    const incidents = async () => (await h.req({ method: 'GET', url: '/api/incidents?limit=50', as: 'viewer' })).json().items as Array<Record<string, unknown>>;

    it('the C&C look-ups make one level-1 trojan incident at once, 10.164.1.8 first', async () => {
      await send(layout.dns);
      const list = await incidents();
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ level: 1, type: 'trojan', orgUnit: 'SH' });
      const id = list[0]!.id as string;
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      // detected at the first C&C alert, 04:57 local time, not when someone looked
      expect(detail.detectedAt).toBe('2019-12-01T20:57:03.214Z');
      const why = (await h.req({ method: 'GET', url: `/api/incidents/${id}/detection`, as: 'viewer' })).json();
      expect(why.spread.firstHost).toMatchObject({ host: '10.164.1.8', order: 1, firstSeen: '2019-12-01T20:57:03.214Z', evidence: { rule: expect.stringContaining('Threat-intelligence hit') } });
      expect(why.spread.hosts.map((x: { host: string }) => x.host)).toEqual(['10.164.1.8', '10.164.2.15', '10.164.2.116', '10.164.2.13', '10.164.2.56', '10.164.2.91']);
      // the look-up of www.example.com from HQ is no alert: nothing else became an incident
      expect(why.signals.every((s: { indicator: string }) => ['t.awcna.com', 'down.ackng.com'].includes(s.indicator))).toBe(true);
      expect(why.levelHistory[0]).toMatchObject({ toLevel: 1, toType: 'trojan' });
    });

    it('the honeypot attacks from internal hosts join it, on its timeline at the devices\u2019 times', async () => {
      await send(layout.honeypot);
      const list = await incidents();
      expect(list).toHaveLength(1);
      const id = list[0]!.id as string;
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(detail.level).toBe(1);
      const ips = detail.assets.map((a: { ip: string }) => a.ip).sort();
      expect(ips).toEqual([...INFECTED].sort());
      expect(detail.assets.every((a: { orgUnit: string }) => a.orgUnit === 'SH')).toBe(true);
      const timeline = detail.timeline.map((t: { occurredAt: string; text: string }) => [t.occurredAt, t.text]);
      expect(timeline).toContainEqual(['2019-12-01T22:48:09.412Z', expect.stringContaining('10.164.2.15 → 10.1.99.10')]);
      expect(timeline).toContainEqual(['2019-12-01T22:50:05.733Z', expect.stringContaining('10.164.2.33 → 10.1.99.11')]);
      expect(timeline).toContainEqual(['2019-12-01T22:50:41.902Z', expect.stringContaining('10.164.2.33 → 10.1.99.12')]);
      const why = (await h.req({ method: 'GET', url: `/api/incidents/${id}/detection`, as: 'viewer' })).json();
      const types = new Set(why.signals.map((s: { type: string }) => s.type));
      expect(types).toEqual(new Set(['trojan', 'internal_exploitation', 'internal_brute_force', 'internal_scanning']));
      const eternal = why.signals.find((s: { type: string }) => s.type === 'internal_exploitation');
      expect(eternal).toMatchObject({ sourceIp: '10.164.2.15', destinationIp: '10.1.99.10', level: 1, explanation: { selections: expect.arrayContaining(['signature']) } });
      expect(why.spread.firstHost.host).toBe('10.164.1.8');
      expect(why.spread.hosts.map((x: { host: string }) => x.host)).toEqual(INFECTED);
      // the share of the branch hit, against its 121 inventoried hosts
      expect(why.spread.branches).toEqual([{ orgUnit: 'SH', affected: 7, inventory: 121, share: 7 / 121 }]);
    });

    it('repeats are counted, not duplicated', async () => {
      await send(layout.dns); // the same records again: duplicates at intake
      const again = fx('driverlife', layout.dns).split('\n')[0]!.replace('04:57:03.214', '05:40:00.000').replace('dl-1', 'dl-again');
      const r = await h.req({ method: 'POST', url: '/api/alerts', payload: again, headers: { 'content-type': 'text/plain' }, as: 'ingest' });
      expect(r.json()).toMatchObject({ accepted: 1 });
      await h.services.detection.idle();
      const list = await incidents();
      expect(list).toHaveLength(1);
      const why = (await h.req({ method: 'GET', url: `/api/incidents/${list[0]!.id}/detection`, as: 'viewer' })).json();
      const first = why.signals.find((s: { host: string; indicator: string }) => s.host === '10.164.1.8');
      expect(first).toMatchObject({ count: 2, firstSeen: '2019-12-01T20:57:03.214Z', lastSeen: '2019-12-01T21:40:00.000Z' });
      expect(first.alertIds).toHaveLength(2);
    });

    it('the file server’s own Windows log (named SH-FS01, no address) joins the same incident through the inventory', async () => {
      await send(layout.fileServer);
      const list = await incidents();
      // once, it became a second level-1 incident: the host's name was not tied to 10.164.1.8
      expect(list).toHaveLength(1);
      const why = (await h.req({ method: 'GET', url: `/api/incidents/${list[0]!.id}/detection`, as: 'viewer' })).json();
      const service = why.signals.find((s: { rule: { title: string } }) => /service/i.test(s.rule.title));
      expect(service).toMatchObject({ host: '10.164.1.8', type: 'trojan' });
      // the installation at 04:46 is now the first evidence on the first host
      expect(why.spread.firstHost).toMatchObject({ host: '10.164.1.8', firstSeen: '2019-12-01T20:46:52.000Z' });
    });
  });
}
