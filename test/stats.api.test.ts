/** The wall screen's figures, from what intake and detection stored. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const fx = (...p: string[]) => fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures', ...p), 'utf8');
const eve = (ts: string, src: string) =>
  JSON.stringify({ timestamp: ts, flow_id: Math.floor(Math.random() * 1e12), event_type: 'alert', src_ip: src, src_port: 40000, dest_ip: '10.1.20.5', dest_port: 80, proto: 'TCP', alert: { action: 'allowed', gid: 1, signature_id: 2009358, rev: 1, signature: 'ET SCAN Nmap Scripting Engine User-Agent Detected', category: 'Web Application Attack', severity: 2 } });

describe('dashboard figures', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  it('counts alerts per hour by category, the top external sources, open incidents per branch, and MTTD/MTTA/MTTR', async () => {
    // traffic of the last day: three scans from outside an hour ago, one two hours ago
    const lines = [eve('2026-11-25T01:10:00.000000+0000', '203.0.113.7'), eve('2026-11-25T01:20:00.000000+0000', '203.0.113.7'), eve('2026-11-25T01:30:00.000000+0000', '203.0.113.7'), eve('2026-11-25T00:30:00.000000+0000', '198.51.100.9')];
    const r = await h.req({ method: 'POST', url: '/api/alerts', payload: lines.join('\n'), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
    expect(r.json().accepted).toBe(4);
    await h.services.detection.idle();
    const s = (await h.req({ method: 'GET', url: '/api/stats', as: 'viewer' })).json();
    expect(s.window).toEqual({ from: '2026-11-24T02:00:00.000Z', to: '2026-11-25T02:00:00.000Z', fallback: false });
    const ids = s.alertsPerHour.series.find((x: { category: string }) => x.category === 'intrusion_detection');
    expect(ids.counts.slice(-2)).toEqual([1, 3]);
    expect(s.topSources).toEqual([
      { ip: '203.0.113.7', alerts: 3 },
      { ip: '198.51.100.9', alerts: 1 },
    ]);
    expect(s.openByBranch).toEqual([{ orgUnit: 'HQ', open: 2 }]);
    // detected from the first alert (00:30 and 01:10) to being filed (02:00): 90 and 50 minutes
    expect(s.times).toMatchObject({ incidents: 2, mttdMinutes: 70, mttaMinutes: null, mttrMinutes: null });
  });

  it('a replay of old traffic shows its own last day', async () => {
    await h.req({ method: 'POST', url: '/api/intel/import?source=feed', payload: fx('driverlife', 'threat-intel.txt'), headers: { 'content-type': 'text/plain' }, as: 'monitor' });
    await h.req({ method: 'POST', url: '/api/alerts', payload: fx('driverlife', 'hq-dns-query.log'), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
    const s = (await h.req({ method: 'GET', url: '/api/stats?to=2019-12-02T00:00:00Z', as: 'viewer' })).json();
    // the six C&C look-ups of 04:57–05:28 local time
    expect(s.window.fallback).toBe(false);
    const total = s.alertsPerHour.series.reduce((n: number, x: { counts: number[] }) => n + x.counts.reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(6);
  });
});
