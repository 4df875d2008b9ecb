/** Alerts in over HTTP (JSON array, NDJSON), every record answered, duplicates counted once, and searched. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const fixtures = path.resolve(import.meta.dirname, 'fixtures/intake');
const FILES = ['suricata-eve.json', 'auth.log', 'winlogbeat-security.ndjson', 'nxlog-security.ndjson', 'bind-query.log', 'dns.ndjson', 'cef.log'];
const allLines = FILES.flatMap((f) => fs.readFileSync(path.join(fixtures, f), 'utf8').split('\n').filter((l) => l.trim()));

for (const dialect of DIALECTS) {
  describe(`alert intake over HTTP on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_MAX_RECORD_BYTES: '4096', BIHUAN_INGEST_BODY_LIMIT_BYTES: String(256 * 1024) });
      await h.req({ method: 'PUT', url: '/api/org-units/SH', payload: { name: '上海分公司', kind: 'branch' }, as: 'admin' });
      const z = await h.req({ method: 'PUT', url: '/api/network', payload: { internal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], internetFacing: ['10.1.8.20'], orgUnits: { SH: ['10.164.0.0/16'], HQ: ['10.1.0.0/16'] } }, as: 'admin' });
      expect(z.statusCode, z.body).toBe(200);
    });
    afterAll(async () => h?.close());

    const post = (payload: string | unknown[], type = 'application/x-ndjson', as: 'ingest' | 'monitor' | 'viewer' | 'admin' = 'ingest', qs = '') =>
      h.req({ method: 'POST', url: `/api/alerts${qs}`, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': type }, as });

    it('takes every format in one NDJSON batch, answering per record, and counts a resent batch as duplicates', async () => {
      const r = await post(allLines.join('\n'));
      expect(r.statusCode, r.body).toBe(200);
      const out = r.json();
      // 5 suricata (1 skipped: flow), 6 sshd (1 skipped: pam), 4 winlogbeat, 2 nxlog, 3 bind, 2 dns json, 2 cef
      expect(out).toMatchObject({ accepted: 22, duplicates: 0, skipped: 2, rejected: 0, errors: false });
      expect(out.skips.map((s: { line: number }) => s.line)).toEqual([5, 10]);
      const again = (await post(allLines.join('\n'))).json();
      expect(again).toMatchObject({ accepted: 0, duplicates: 22, skipped: 2 });
    });

    it('keeps the good records of a batch and names each bad one by position and reason', async () => {
      const records = [
        { timestamp: '2019-12-02T07:00:00+0800', event_type: 'alert', src_ip: '198.51.100.9', src_port: 1, dest_ip: '10.1.8.20', dest_port: 80, proto: 'TCP', alert: { signature: 'ET WEB_SERVER Possible SQL Injection', signature_id: 2006445, category: 'Web Application Attack', severity: 1 } },
        { hello: 'world' },
        { timestamp: 'not a time', event_type: 'alert', src_ip: '1.1.1.1', alert: { signature: 'x' } },
        'Dec  2 07:01:00 sh-fs02 sshd[9]: Failed password for root from 10.164.2.33 port 1 ssh2',
        'x'.repeat(5000),
      ];
      const r = await post(records, 'application/json');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({
        accepted: 2,
        rejected: 3,
        errors: true,
        rejects: [
          { line: 2, reason: expect.stringContaining('JSON of no known format') },
          { line: 3, reason: 'timestamp "not a time" is not a date-time', format: 'suricata' },
          { line: 5, reason: expect.stringContaining('over the limit of 4096') },
        ],
      });
      const rejects = (await h.req({ method: 'GET', url: '/api/intake/rejects?limit=3', as: 'viewer' })).json();
      expect(rejects.map((x: { line: number }) => x.line)).toEqual([5, 3, 2]);
      expect(rejects[1]).toMatchObject({ channel: 'http', format: 'suricata', sample: expect.stringContaining('not a time') });
      const counters = (await h.req({ method: 'GET', url: '/api/intake/counters', as: 'viewer' })).json();
      const n = (o: string) => counters.filter((c: { outcome: string }) => c.outcome === o).reduce((a: number, c: { count: number }) => a + c.count, 0);
      expect([n('accepted'), n('duplicate'), n('skipped'), n('rejected')]).toEqual([24, 22, 4, 3]);
    });

    it('stores records with NUL bytes on both databases (as U+FFFD), never losing the batch', async () => {
      const r = await post('Dec  2 07:02:00 sh-fs02 sshd[9]: Failed password for ro\u0000ot from 192.0.2.34 port 1 ssh2\n\u0000\u0001binary');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ accepted: 1, rejected: 1 });
      const got = (await h.req({ method: 'GET', url: '/api/alerts?kind=event&src=192.0.2.34&from=2000-01-01T00:00:00Z', as: 'viewer' })).json().items;
      expect(got[0].alert.user.name).toBe('ro\uFFFDot');
    });

    it('refuses an oversized body with 413 and stores nothing of it', async () => {
      const before = (await h.req({ method: 'GET', url: '/api/intake/counters', as: 'viewer' })).json();
      const line = allLines[0]!.replace('t.awcna.com', 'big.example.com');
      const r = await post(Array.from({ length: 1200 }, (_, i) => line.replace('"flow_id":1480203811223344', `"flow_id":${i}`)).join('\n'));
      expect(r.statusCode).toBe(413);
      expect(r.json().code).toBe('payload_too_large');
      expect((await h.req({ method: 'GET', url: '/api/intake/counters', as: 'viewer' })).json()).toEqual(before);
    });

    it('needs the ingest permission to send and the read permission to search', async () => {
      expect((await post(allLines[0]!, 'application/x-ndjson', 'viewer')).statusCode).toBe(403);
      expect((await post(allLines[0]!, 'application/x-ndjson', 'monitor')).statusCode).toBe(200);
      expect((await h.req({ method: 'GET', url: '/api/alerts', as: 'ingest' })).statusCode).toBe(403);
      expect((await h.req({ method: 'POST', url: '/api/alerts', payload: '[]', headers: { 'content-type': 'application/json' } })).statusCode).toBe(401);
    });

    it('knows internal addresses and branches, and searches by CIDR, format, rule, branch, text and time', async () => {
      type Item = { id: number; timestamp: string; format: string; alert: any; original?: string };
      const one = async (qs: string) => {
        const r = await h.req({ method: 'GET', url: `/api/alerts?${qs}`, as: 'viewer' });
        expect(r.statusCode, r.body).toBe(200);
        return r.json().items as Item[];
      };
      // alerts (suricata, CEF) and events (sshd, Windows, DNS: only context) are two searches; these records are from 2019
      const events = (qs: string) => one(`kind=event&${qs.includes('from=') ? '' : 'from=2019-01-01T00:00:00Z&'}${qs}`);
      const search = async (qs: string) => [...(await one(qs)), ...(await events(qs))];
      const eternal = await search('rule=eternalblue');
      expect(eternal).toHaveLength(1);
      expect(eternal[0]!.alert.source).toEqual({ ip: '10.164.2.15', port: 49812, internal: true, org_unit: 'SH' });
      expect(eternal[0]!.alert.destination).toMatchObject({ ip: '10.1.20.5', internal: true, org_unit: 'HQ' });
      // an event keeps the branch of each address (not the whole enrichment: that is an alert's)
      const external = (await search('src=45.77.10.3'))[0]!;
      expect(external.alert.source).toEqual({ ip: '45.77.10.3' });
      expect((await events('src=10.164.2.33'))[0]!.alert.source).toEqual({ ip: '10.164.2.33', org_unit: 'SH' });

      const fromBranch = await search('src=10.164.0.0/16&limit=500');
      expect(new Set(fromBranch.map((a) => a.alert.source.ip))).toEqual(new Set(['10.164.1.8', '10.164.2.15', '10.164.2.116', '10.164.2.13', '10.164.2.56', '10.164.2.91', '10.164.2.33']));
      expect((await search('orgUnit=SH&limit=500')).length).toBe(fromBranch.length);
      // free text looks back 7 days unless told where to start: these records are from 2019
      expect(await one('q=awcna&format=dns')).toHaveLength(0);
      // events: the 7 days up to `to` (or the newest event)
      expect(await one('kind=event&q=awcna&format=dns&to=2019-12-03T00:00:00Z')).toHaveLength(3);
      expect(await one('kind=event&q=awcna&format=dns&to=2019-11-20T00:00:00Z')).toHaveLength(0);
      const dnsHits = await search('q=awcna&format=dns&from=2019-12-01T00:00:00Z');
      expect(dnsHits.map((a) => a.alert.source.ip).sort()).toEqual(['10.164.1.8', '10.164.2.56', '10.164.2.91']);
      expect(await search('dst=10.1.30.8')).toHaveLength(1);
      expect((await search('category=authentication&limit=500')).every((a) => a.alert.event.category.includes('authentication'))).toBe(true);
      // newest first, by the devices' own time; a time window
      const period = `from=${encodeURIComponent('2019-12-02T05:00:00+08:00')}&to=${encodeURIComponent('2019-12-02T05:30:00+08:00')}&limit=500`;
      expect((await search(period)).length).toBeGreaterThan(4);
      for (const window of [await one(period), await events(period)]) {
        expect(window.map((a) => a.timestamp)).toEqual([...window.map((a) => a.timestamp)].sort().reverse());
        expect(window.every((a) => a.timestamp >= '2019-12-01T21:00:00.000Z' && a.timestamp < '2019-12-01T21:30:00.000Z')).toBe(true);
      }
      // paging by cursor visits everything once, alerts and events alike
      for (const kind of ['', 'kind=event&from=2019-01-01T00:00:00Z&']) {
        const all = await one(`${kind}limit=500`);
        expect(all.length).toBeGreaterThan(3);
        const seen: number[] = [];
        let cursor: string | null = null;
        do {
          const r: { items: Array<{ id: number }>; nextCursor: string | null } = (await h.req({ method: 'GET', url: `/api/alerts?${kind}limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, as: 'viewer' })).json();
          seen.push(...r.items.map((i) => i.id));
          cursor = r.nextCursor;
        } while (cursor);
        expect(seen).toEqual(all.map((a) => a.id));
      }
      // the raw record is one request away, byte for byte — an alert's and an event's
      const raw = (await h.req({ method: 'GET', url: `/api/alerts/${eternal[0]!.id}`, as: 'viewer' })).json();
      expect(raw.original).toBe(allLines[1]);
      const login = (await events('src=45.77.10.3'))[0]!;
      expect((await h.req({ method: 'GET', url: `/api/alerts/${login.id}`, as: 'viewer' })).json().original).toBe(login.original);
      expect(allLines).toContain(login.original);
      expect((await h.req({ method: 'GET', url: '/api/alerts?src=10.164.0.0/33', as: 'viewer' })).json().details[0]).toMatchObject({ field: 'src' });
    });
  });
}

describe('records built to break the parsers (F13)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  const GOOD = '{"timestamp":"2019-12-02T04:50:00.000000+0800","event_type":"alert","src_ip":"203.0.113.7","src_port":4444,"dest_ip":"10.1.1.1","dest_port":445,"proto":"TCP","alert":{"signature_id":2024218,"signature":"ET EXPLOIT Possible ETERNALBLUE MS17-010","category":"Attempted Administrator Privilege Gain","severity":1}}';
  const nested = (n: number, inner = '1') => '{"a":'.repeat(n) + inner + '}'.repeat(n);

  it('rejects each deeply nested record on its own — NDJSON, a JSON array, JSON inside syslog, Winlogbeat and Suricata layouts — and keeps the good ones', async () => {
    const lines = [
      nested(10_000),
      '['.repeat(30_000) + ']'.repeat(30_000),
      `<14>Dec  2 06:48:11 hq-ids suricata[2201]: ${nested(10_000)}`,
      `{"winlog":{"event_id":4625,"channel":"Security","event_data":${nested(5_000)}},"@timestamp":"2019-12-01T20:50:00.000Z"}`,
      `{"event_type":"alert","timestamp":"2019-12-02T04:50:00.000000+0800","alert":${nested(5_000)}}`,
      GOOD,
    ];
    const r = await h.req({ method: 'POST', url: '/api/alerts', as: 'ingest', headers: { 'content-type': 'application/x-ndjson' }, payload: lines.join('\n') });
    expect(r.statusCode, r.body).toBe(200);
    const out = r.json();
    expect(out).toMatchObject({ accepted: 1, rejected: 5 });
    expect(out.rejects.map((x: { line: number }) => x.line)).toEqual([1, 2, 3, 4, 5]);
    expect(out.rejects[0].reason).toMatch(/nests \d+ levels deep; at most 64/);

    const arr = await h.req({ method: 'POST', url: '/api/alerts', as: 'ingest', headers: { 'content-type': 'application/json' }, payload: `[${nested(50_000)},${GOOD.replace('2024218', '2024219')}]` });
    expect(arr.statusCode, arr.body).toBe(200);
    expect(arr.json()).toMatchObject({ accepted: 1, rejected: 1 });
    expect((await h.req({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });
});
