/**
 * Detection through the public API: one attacker's scan then exploit becomes one incident whose
 * level rises (and never falls), merge and split by hand, triage with suppression, the rules
 * in force, and rule testing (bad rules and runaway regular expressions refused, server alive).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;

let flow = 1;
/** a Suricata EVE alert as the sensor writes it */
function eve(time: string, src: string, dst: string, dport: number, signature: string, category: string, sid = 2000000 + flow): string {
  return JSON.stringify({
    timestamp: time,
    flow_id: 1_000_000 + flow++,
    in_iface: 'eth0',
    event_type: 'alert',
    src_ip: src,
    src_port: 40000 + flow,
    dest_ip: dst,
    dest_port: dport,
    proto: 'TCP',
    alert: { action: 'allowed', gid: 1, signature_id: sid, rev: 1, signature, category, severity: 2 },
  });
}
const SCAN = (time: string, src: string, dst = '10.1.20.5') => eve(time, src, dst, 80, 'ET SCAN Nmap Scripting Engine User-Agent Detected (Nmap Scripting Engine)', 'Web Application Attack', 2009358);
const ETERNALBLUE = (time: string, src: string, dst = '10.1.20.5') =>
  eve(time, src, dst, 445, 'ET EXPLOIT Possible ETERNALBLUE Exploit M2 MS17-010', 'Attempted Administrator Privilege Gain', 2024297);

for (const dialect of DIALECTS) {
  describe(`detection over the API on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(async () => h?.close());

    const send = async (...lines: string[]) => {
      const r = await h.req({ method: 'POST', url: '/api/alerts', payload: lines.join('\n'), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().rejected, r.body).toBe(0);
      await h.services.detection.idle();
    };
    const openIncidents = async () =>
      ((await h.req({ method: 'GET', url: '/api/incidents?limit=100', as: 'viewer' })).json().items as Json[]).filter((i) => i.phase !== 'closed');
    const incidentOf = async (ip: string) => {
      const list = await openIncidents();
      for (const i of list) {
        const why = (await h.req({ method: 'GET', url: `/api/incidents/${i.id}/detection`, as: 'viewer' })).json();
        if (why.signals.some((s: Json) => s.sourceIp === ip)) return { incident: i, why };
      }
      return undefined;
    };
    const alertsFrom = async (ip: string) => (await h.req({ method: 'GET', url: `/api/alerts?src=${ip}`, as: 'viewer' })).json().items as Json[];

    it('a scan from outside is a level-4 scanning incident, the moment it arrives', async () => {
      await send(SCAN('2026-11-25T09:00:01.000000+0800', '203.0.113.7'));
      const found = await incidentOf('203.0.113.7');
      expect(found?.incident).toMatchObject({ level: 4, type: 'scanning' });
      expect(found!.why.signals).toHaveLength(1);
      expect(found!.why.signals[0]).toMatchObject({ type: 'scanning', count: 1, rule: { title: expect.stringContaining('Scanner signature') }, explanation: { selections: expect.arrayContaining(['signature']) } });
    });

    it('the same attacker exploiting EternalBlue re-grades that incident to level 2, saying why; a later scan does not lower it', async () => {
      await send(ETERNALBLUE('2026-11-25T09:05:00.000000+0800', '203.0.113.7'));
      const open = await openIncidents();
      expect(open).toHaveLength(1);
      const id = open[0]!.id as string;
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(detail).toMatchObject({ level: 2, type: 'exploitation' });
      // re-planned: the level-2 deadlines, not the level-4 ones
      const why = (await h.req({ method: 'GET', url: `/api/incidents/${id}/detection`, as: 'viewer' })).json();
      expect(why.levelHistory.map((l: Json) => [l.fromLevel, l.toLevel])).toEqual([
        [null, 4],
        [4, 2],
      ]);
      expect(why.levelHistory[1].reason).toContain('ETERNALBLUE');
      expect(detail.timeline.some((t: Json) => t.kind === 'level' || /级|level/i.test(t.text) && t.text.includes('2'))).toBe(true);

      await send(SCAN('2026-11-25T09:10:00.000000+0800', '203.0.113.7'));
      const again = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(again).toMatchObject({ level: 2, type: 'exploitation' });
      const why2 = (await h.req({ method: 'GET', url: `/api/incidents/${id}/detection`, as: 'viewer' })).json();
      const scan = why2.signals.find((s: Json) => s.type === 'scanning');
      expect(scan).toMatchObject({ count: 2, firstSeen: '2026-11-25T01:00:01.000Z', lastSeen: '2026-11-25T01:10:00.000Z' });
      expect(scan.alertIds).toHaveLength(2);
      expect(why2.levelHistory).toHaveLength(2);
    });

    it('words what it wrote itself in English too: the title and each level reason; a title typed by a person replaces both', async () => {
      const [open] = await openIncidents();
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${open!.id}`, as: 'viewer' })).json();
      expect(detail.title).toMatch(/^扫描事件：203\.0\.113\.7/);
      expect(detail.titleEn).toMatch(/^Scanning: 203\.0\.113\.7 → 10\.1\.20\.5 /);
      expect(detail.levelHistory.map((l: Json) => l.reasonEn)).toEqual([
        'By the grading table (version 1): Scanning → level 4',
        expect.stringMatching(/^Rule ".*" matched \(High-risk vulnerability exploitation, level 2\) at 2026-11-25T01:05:00.000Z, 203\.0\.113\.7 → 10\.1\.20\.5: ET EXPLOIT Possible ETERNALBLUE/),
      ]);
      expect(detail.levelHistory.every((l: Json) => !/[\u4e00-\u9fff]/.test(l.reasonEn))).toBe(true);
      const level = detail.timeline.find((e: Json) => e.kind === 'level_changed');
      expect(level.data.reasonEn).toBe(detail.levelHistory[1].reasonEn);
      const listed = (await h.req({ method: 'GET', url: '/api/incidents?limit=100', as: 'viewer' })).json().items.find((i: Json) => i.id === open!.id);
      expect(listed.titleEn).toBe(detail.titleEn);

      const renamed = await h.req({ method: 'PATCH', url: `/api/incidents/${open!.id}`, payload: { title: '外部扫描与永恒之蓝利用' }, as: 'handler' });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json()).toMatchObject({ title: '外部扫描与永恒之蓝利用', titleEn: null });
    });

    it('merges a second attacker’s incident by hand and splits it off again', async () => {
      await send(SCAN('2026-11-25T09:20:00.000000+0800', '198.51.100.9'));
      const first = (await incidentOf('203.0.113.7'))!.incident;
      const second = (await incidentOf('198.51.100.9'))!.incident;
      expect(second.id).not.toBe(first.id);
      expect(second.level).toBe(4);

      let r = await h.req({ method: 'POST', url: `/api/incidents/${first.id}/merge`, payload: { from: [second.id], reason: '同一攻击团伙' }, as: 'viewer' });
      expect(r.statusCode).toBe(403);
      r = await h.req({ method: 'POST', url: `/api/incidents/${first.id}/merge`, payload: { from: [first.id], reason: 'x' }, as: 'commander' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'POST', url: `/api/incidents/${first.id}/merge`, payload: { from: [second.id], reason: '同一攻击团伙' }, as: 'commander' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().level).toBe(2);
      const closed = (await h.req({ method: 'GET', url: `/api/incidents/${second.id}`, as: 'viewer' })).json();
      expect(closed).toMatchObject({ phase: 'closed', closure: { resolution: 'duplicate', conclusion: expect.stringContaining(first.id) } });
      expect(closed.tasks.filter((t: Json) => t.status === 'open')).toEqual([]);
      expect(second.title).toContain('198.51.100.9 → 10.1.20.5');
      let why = (await h.req({ method: 'GET', url: `/api/incidents/${first.id}/detection`, as: 'viewer' })).json();
      const moved = why.signals.find((s: Json) => s.sourceIp === '198.51.100.9');
      expect(moved).toBeDefined();

      // the merged attacker's next scan joins the merged incident (its keys moved too)
      await send(SCAN('2026-11-25T09:25:00.000000+0800', '198.51.100.9'));
      expect(await openIncidents()).toHaveLength(1);

      r = await h.req({ method: 'POST', url: `/api/incidents/${first.id}/split`, payload: { signals: why.signals.map((s: Json) => s.id), reason: 'x' }, as: 'commander' });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toContain('empty');
      r = await h.req({ method: 'POST', url: `/api/incidents/${first.id}/split`, payload: { signals: [moved.id], reason: '另一来源，单独处置' }, as: 'commander' });
      expect(r.statusCode, r.body).toBe(201);
      const split = r.json();
      expect(split).toMatchObject({ level: 4, type: 'scanning' });
      expect(split.id).not.toBe(first.id);
      why = (await h.req({ method: 'GET', url: `/api/incidents/${first.id}/detection`, as: 'viewer' })).json();
      expect(why.signals.some((s: Json) => s.sourceIp === '198.51.100.9')).toBe(false);
      const splitWhy = (await h.req({ method: 'GET', url: `/api/incidents/${split.id}/detection`, as: 'viewer' })).json();
      expect(splitWhy.signals.map((s: Json) => [s.sourceIp, s.count])).toEqual([['198.51.100.9', 2]]);
      const original = (await h.req({ method: 'GET', url: `/api/incidents/${first.id}`, as: 'viewer' })).json();
      expect(original.timeline.some((t: Json) => t.kind === 'split' && t.text.includes(split.id))).toBe(true);
    });

    it('a false positive suppresses its pattern: after closing, the same alerts open nothing until the suppression is lifted', async () => {
      await send(SCAN('2026-11-25T09:30:00.000000+0800', '192.0.2.50'));
      const found = (await incidentOf('192.0.2.50'))!;
      const [alert] = await alertsFrom('192.0.2.50');
      expect(alert).toBeDefined();
      // the search says which incident an alert went to, and that nobody has judged it yet
      expect(alert).toMatchObject({ incidents: [found.incident.id], triage: null });

      let r = await h.req({ method: 'POST', url: `/api/alerts/${alert!.id}/triage`, payload: { verdict: 'false_positive', reason: '我方漏扫' }, as: 'viewer' });
      expect(r.statusCode).toBe(403);
      r = await h.req({ method: 'POST', url: `/api/alerts/${alert!.id}/triage`, payload: { verdict: 'maybe', reason: 'x' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'POST', url: `/api/alerts/${alert!.id}/triage`, payload: { verdict: 'true_positive', reason: 'x', suppress: true }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'POST', url: `/api/alerts/999999/triage`, payload: { verdict: 'ignored', reason: 'x' }, as: 'monitor' });
      expect(r.statusCode).toBe(404);
      r = await h.req({ method: 'POST', url: `/api/alerts/${alert!.id}/triage`, payload: { verdict: 'false_positive', reason: '我方漏洞扫描器 192.0.2.50 的例行扫描', suppress: true }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ verdict: 'false_positive', actor: expect.stringContaining('monitor'), suppression: { sourceIp: '192.0.2.50', expiresAt: '2026-12-25T02:00:00.000Z' } });
      expect((await alertsFrom('192.0.2.50'))[0]).toMatchObject({ id: alert!.id, triage: { verdict: 'false_positive', reason: '我方漏洞扫描器 192.0.2.50 的例行扫描', actor: expect.stringContaining('monitor') } });

      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${found.incident.id}`, as: 'viewer' })).json();
      for (const t of detail.tasks.filter((t: Json) => t.phase === 'discovery' && t.status === 'open')) {
        expect((await h.req({ method: 'PATCH', url: `/api/incidents/${found.incident.id}/tasks/${t.id}`, payload: { status: 'done' }, as: 'handler' })).statusCode).toBe(200);
      }
      await h.req({ method: 'PATCH', url: `/api/incidents/${found.incident.id}`, payload: { resolution: 'false_positive', conclusion: '我方漏洞扫描器' }, as: 'commander' });
      r = await h.req({ method: 'POST', url: `/api/incidents/${found.incident.id}/phase`, payload: { to: 'closed' }, as: 'commander' });
      expect(r.statusCode, r.body).toBe(200);

      const before = (await openIncidents()).length;
      await send(SCAN('2026-11-25T09:40:00.000000+0800', '192.0.2.50'), SCAN('2026-11-25T09:41:00.000000+0800', '192.0.2.50', '10.1.20.6'));
      expect((await openIncidents()).length).toBe(before);
      const list = (await h.req({ method: 'GET', url: '/api/suppressions', as: 'viewer' })).json() as Json[];
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ sourceIp: '192.0.2.50', active: true, hits: 2, reason: expect.stringContaining('漏洞扫描器') });

      r = await h.req({ method: 'DELETE', url: `/api/suppressions/${list[0]!.id}`, as: 'viewer' });
      expect(r.statusCode).toBe(403);
      r = await h.req({ method: 'DELETE', url: `/api/suppressions/${list[0]!.id}`, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(200);
      await send(SCAN('2026-11-25T09:50:00.000000+0800', '192.0.2.50'));
      expect((await openIncidents()).length).toBe(before + 1);
    });

    it('closes correlation windows that ended: an hour of scans from 120 sources leaves only the last minutes\u2019 windows open', async () => {
      const base = Date.parse('2026-11-25T03:00:00Z');
      const lines = Array.from({ length: 120 }, (_, i) => SCAN(new Date(base + i * 30_000).toISOString().replace('Z', '+0000'), `198.18.${i >> 8}.${i & 255}`));
      await send(...lines);
      const engine = h.services.detection.rules.engine;
      // 5-minute windows closed a minute after they end: about seven minutes of sources (two correlations each) stay open
      expect(engine.openWindows()).toBeGreaterThan(0);
      expect(engine.openWindows()).toBeLessThanOrEqual(2 * 16);
    });

    it('lists the rules in force', async () => {
      const r = await h.req({ method: 'GET', url: '/api/rules', as: 'viewer' });
      expect(r.statusCode).toBe(200);
      const body = r.json();
      expect(body.refusals).toEqual([]);
      const types = new Set([...body.rules, ...body.correlations].map((x: Json) => x.incidentType).filter(Boolean));
      for (const t of ['scanning', 'brute_force', 'exploitation', 'trojan', 'phishing']) expect(types).toContain(t);
      expect(body.correlations.find((c: Json) => c.type === 'event_count')).toMatchObject({ groupBy: ['source.ip'] });
    });
  });
}

describe('rule testing over the API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  const RULE = `title: Our Nmap user agent
id: 6b0b7c7e-0000-4000-8000-000000000001
logsource:
  category: intrusion_detection
detection:
  selection:
    rule.name|contains: nmap
  condition: selection
level: medium
`;

  it('shows which events matched and why', async () => {
    const events = [SCAN('2026-11-25T09:00:01.000000+0800', '203.0.113.7'), ETERNALBLUE('2026-11-25T09:05:00.000000+0800', '203.0.113.7'), 'not json at all'].join('\n');
    const r = await h.req({ method: 'POST', url: '/api/rules/test', payload: { rule: RULE, events }, as: 'handler' });
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json();
    expect(report).toMatchObject({ rules: 1, events: 2, matchCount: 1 });
    expect(report.matches[0]).toMatchObject({ line: 1, selections: ['selection'], rule: { title: 'Our Nmap user agent' } });
    expect(report.rejected).toEqual([expect.objectContaining({ line: 3 })]);
  });

  it('refuses a bad rule naming its line and problem', async () => {
    const bad = RULE.replace('rule.name|contains: nmap', 'rule.name|contians: nmap');
    const r = await h.req({ method: 'POST', url: '/api/rules/test', payload: { rule: bad, events: '' }, as: 'handler' });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toContain('unknown modifier');
    expect(r.json().details[0]).toMatchObject({ field: 'rule', category: 'unknown modifier', message: expect.stringContaining('contians') });
    const viewer = await h.req({ method: 'POST', url: '/api/rules/test', payload: { rule: RULE, events: '' }, as: 'viewer' });
    expect(viewer.statusCode).toBe(403);
  });

  it('stops a runaway regular expression and stays up', async () => {
    const evil = RULE.replace('rule.name|contains: nmap', () => "rule.name|re: '^(a+)+$'");
    const events = eve('2026-11-25T09:00:01.000000+0800', '203.0.113.7', '10.1.20.5', 80, 'a'.repeat(40) + 'b', 'x');
    const r = await h.req({ method: 'POST', url: '/api/rules/test', payload: { rule: evil, events }, as: 'handler' });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/longer than 10 s.*backtracks/);
    const health = await h.req({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
  }, 30_000);

  it('runs two rule tests at once and four in line; one more is answered 429, and every admitted one finishes', async () => {
    const events = Array.from({ length: 2000 }, (_, i) => SCAN(`2026-11-25T09:00:${String(i % 60).padStart(2, '0')}.000000+0800`, `203.0.113.${i % 250}`)).join('\n');
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.req({ method: 'POST', url: '/api/rules/test', payload: { rule: RULE, events }, as: 'handler' })));
    const codes = answers.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    const busy = answers.find((r) => r.statusCode === 429)!.json();
    expect(busy).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('retry in a few seconds') });
    // the line is empty again afterwards
    expect((await h.req({ method: 'POST', url: '/api/rules/test', payload: { rule: RULE, events: '' }, as: 'handler' })).statusCode).toBe(200);
  }, 60_000);
});
