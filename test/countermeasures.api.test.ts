/**
 * Countermeasures over HTTP (issue 16), on each dialect: an attacking address, a C&C domain, a
 * phishing URL and a trojan's hash blocked from an incident with a reason and an expiry (by the
 * incident's level when none is given), on its timeline; served to a firewall as an external
 * dynamic list (a list token, basic or bearer; ETag and If-None-Match); renewed, lifted early with
 * a reason, and gone from the list by itself when it expires; a block of a critical host or an
 * allow-listed DNS server held for a second person; a /8 refused; and the alerts after a block
 * read to say whether the source went quiet — which the handling gate shows.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const SYSTEM = { kind: 'system', label: 'test' } as const;

/** a Suricata alert from `src` at `at` (the device's own time, ISO) */
const eve = (src: string, at: string) => JSON.stringify({ timestamp: at.replace('Z', '+0000'), flow_id: Math.floor(Math.random() * 1e12), event_type: 'alert', src_ip: src, src_port: 40000, dest_ip: '10.164.1.8', dest_port: 445, proto: 'TCP', alert: { action: 'allowed', signature_id: 2024218, signature: 'ET EXPLOIT Possible ETERNALBLUE MS17-010', category: 'Attempted Administrator Privilege Gain', severity: 1 } });

for (const dialect of DIALECTS) {
  describe(`countermeasures on ${dialect}`, () => {
    let h: Harness;
    let incident: Json;
    let token: string;
    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_NOTIFY_ALLOWED_TARGETS: '127.0.0.1/32' });
      await h.services.assets.import(SYSTEM, 'ip,hostname,criticality\n10.1.1.53,hq-dns01,核心\n10.164.1.8,sh-fs01,中\n');
      incident = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '永恒之蓝蠕虫爆发', type: 'trojan', assets: [{ ip: '10.164.1.8' }] }, as: 'handler' })).json();
      const t = await h.req({ method: 'POST', url: '/api/list-tokens', payload: { name: 'PA-3220 边界防火墙' }, as: 'admin' });
      expect(t.statusCode, t.body).toBe(201);
      token = t.json().token;
      expect(token).toMatch(/^bhl_/);
    });
    afterAll(async () => h?.close());

    const block = (body: Json, as: 'handler' | 'admin' | 'commander' | 'viewer' = 'handler') => h.req({ method: 'POST', url: `/api/incidents/${incident.id}/blocks`, payload: body, as });
    const edl = (file: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) => h.app.inject({ method: 'GET', url: `/edl/default/${file}`, headers });

    it('blocks an address, a domain, a URL and a hash from the incident, each on its timeline, expiring by its level', async () => {
      let r = await block({ kind: 'ip', value: '203.0.113.7', reason: '永恒之蓝扫描来源' });
      expect(r.statusCode, r.body).toBe(201);
      // a level-1 incident: 30 days
      expect(r.json()).toMatchObject({ kind: 'ip', value: '203.0.113.7', list: 'default', status: 'active', owner: 'handler-user', expiresAt: '2026-12-25T02:00:00.000Z', incidentId: incident.id });
      r = await block({ kind: 'ip', value: '198.51.100.77/29', reason: '同一 C2 网段' });
      expect(r.json().value).toBe('198.51.100.72/29');
      expect((await block({ kind: 'domain', value: 'T.Awcna.com.', reason: 'C&C 域名', expiresAt: '2026-12-01T00:00:00Z' })).json()).toMatchObject({ value: 't.awcna.com', expiresAt: '2026-12-01T00:00:00.000Z' });
      expect((await block({ kind: 'url', value: 'HTTP://Oa-Login.example.net/portal/login.php?x=1', reason: '钓鱼页面' })).json().value).toBe('oa-login.example.net/portal/login.php?x=1');
      expect((await block({ kind: 'hash', value: '59DB0B5E4EDE0DB2B7E8B1A4BF2EBBFD2F1D5A7F6DB6EF1A1AD3D0A1FA2C5B10', reason: '木马样本', list: 'edr' })).json()).toMatchObject({ value: '59db0b5e4ede0db2b7e8b1a4bf2ebbfd2f1d5a7f6db6ef1a1ad3d0a1fa2c5b10', list: 'edr' });
      // the same entry twice is one entry: renew it instead
      r = await block({ kind: 'ip', value: '203.0.113.7', reason: 'again' });
      expect(r.statusCode).toBe(409);
      expect(r.json().details).toMatchObject({ reason: 'blockExists', value: '203.0.113.7' });
      const timeline = (await h.req({ method: 'GET', url: `/api/incidents/${incident.id}`, as: 'viewer' })).json().timeline as Json[];
      expect(timeline.filter((e) => e.kind === 'block_added').map((e) => e.text)).toContainEqual(expect.stringContaining('封禁IP 203.0.113.7（列表 default），至 2026-12-25 10:00。原因：永恒之蓝扫描来源'));
    });

    it('refuses what cannot be blocked, saying why: a /8, not an address, not a hash, a bad expiry; a viewer may not block', async () => {
      const cases: Array<[Json, string, string]> = [
        [{ kind: 'ip', value: '10.0.0.0/8' }, 'value', 'blockTooWide'],
        [{ kind: 'ip', value: '0.0.0.0/0' }, 'value', 'blockTooWide'],
        [{ kind: 'ip', value: '2001:db8::/16' }, 'value', 'blockTooWide'],
        [{ kind: 'ip', value: '203.0.113.999' }, 'value', ''],
        [{ kind: 'domain', value: 'not a domain' }, 'value', 'notDomain'],
        [{ kind: 'url', value: 'ftp://x.example/a' }, 'value', 'notUrl'],
        [{ kind: 'hash', value: 'abc123' }, 'value', 'notHash'],
        [{ kind: 'ip', value: '203.0.113.8', expiresAt: '2026-01-01T00:00:00Z' }, 'expiresAt', 'future'],
        [{ kind: 'ip', value: '203.0.113.8', expiresAt: '2028-01-01T00:00:00Z' }, 'expiresAt', 'blockTooLong'],
        [{ kind: 'ip', value: '203.0.113.8', list: 'Bad List!' }, 'list', 'listName'],
      ];
      for (const [body, field, rule] of cases) {
        const r = await block({ reason: 'x', ...body });
        expect(r.statusCode, `${JSON.stringify(body)} ${r.body}`).toBe(400);
        expect(r.json().details[0], JSON.stringify(body)).toMatchObject({ field, ...(rule ? { rule } : {}) });
      }
      expect((await block({ kind: 'ip', value: '203.0.113.9', reason: 'x' }, 'viewer')).statusCode).toBe(403);
    });

    it('serves each list to a firewall: plain text, one entry a line, a list token by bearer or basic, ETag and If-None-Match', async () => {
      let r = await edl('ip.txt');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toBe('198.51.100.72/29\n203.0.113.7\n');
      const etag = r.headers.etag as string;
      expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
      r = await edl('ip.txt', { authorization: `Bearer ${token}`, 'if-none-match': etag });
      expect(r.statusCode).toBe(304);
      expect(r.body).toBe('');
      // FortiGate and PAN-OS send basic authentication: the token is the password
      r = await edl('domain.txt', { authorization: `Basic ${Buffer.from(`firewall:${token}`).toString('base64')}` });
      expect(r.body).toBe('t.awcna.com\n');
      expect((await edl('url.txt')).body).toBe('oa-login.example.net/portal/login.php?x=1\n');
      expect((await h.app.inject({ method: 'GET', url: '/edl/edr/hash.txt', headers: { authorization: `Bearer ${token}` } })).body).toBe('59db0b5e4ede0db2b7e8b1a4bf2ebbfd2f1d5a7f6db6ef1a1ad3d0a1fa2c5b10\n');
      // no token, a wrong one, a person's API token: refused; an unknown list file: 404
      for (const headers of [{}, { authorization: 'Bearer bhl_wrong' }, { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` }] as Array<Record<string, string>>) {
        r = await edl('ip.txt', headers);
        expect(r.statusCode).toBe(401);
        expect(r.headers['www-authenticate']).toContain('Basic');
      }
      expect((await edl('ports.txt')).statusCode).toBe(404);
      // a revoked token no longer reads the lists
      const other = (await h.req({ method: 'POST', url: '/api/list-tokens', payload: { name: 'old proxy' }, as: 'admin' })).json();
      expect((await edl('ip.txt', { authorization: `Bearer ${other.token}` })).statusCode).toBe(200);
      expect((await h.req({ method: 'DELETE', url: `/api/list-tokens/${other.id}`, as: 'admin' })).statusCode).toBe(204);
      expect((await edl('ip.txt', { authorization: `Bearer ${other.token}` })).statusCode).toBe(401);
      const tokens = (await h.req({ method: 'GET', url: '/api/list-tokens', as: 'admin' })).json() as Json[];
      expect(tokens.find((t) => t.id === other.id)).toMatchObject({ name: 'old proxy', revokedAt: expect.any(String) });
      expect(JSON.stringify(tokens)).not.toContain(token);
    });

    it('expires by itself: gone from the list at its time, told on the timeline; renewed and lifted with a reason', async () => {
      // the domain was blocked until 2026-12-01: five days on, the list no longer has it
      h.clock.advance(6 * 24 * 60);
      expect((await edl('domain.txt')).body).toBe('');
      const listed = (await h.req({ method: 'GET', url: `/api/blocks?incident=${incident.id}&status=expired`, as: 'viewer' })).json();
      expect(listed.items.map((b: Json) => b.value)).toEqual(['t.awcna.com']);
      expect(await h.services.blocks.expireDue()).toBe(1);
      const timeline = (await h.req({ method: 'GET', url: `/api/incidents/${incident.id}`, as: 'viewer' })).json().timeline as Json[];
      expect(timeline.find((e) => e.kind === 'block_expired')?.text).toContain('t.awcna.com');
      // blocked again after it ended: a new entry
      expect((await block({ kind: 'domain', value: 't.awcna.com', reason: '仍有解析请求' })).statusCode).toBe(201);
      const ip = (await h.req({ method: 'GET', url: '/api/blocks?q=203.0.113.7&status=active', as: 'viewer' })).json().items[0];
      let r = await h.req({ method: 'POST', url: `/api/blocks/${ip.id}/renew`, payload: { expiresAt: '2026-12-02T00:00:00Z' }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'expiresAt', rule: 'blockRenewEarlier' });
      r = await h.req({ method: 'POST', url: `/api/blocks/${ip.id}/renew`, payload: { expiresAt: '2027-02-01T00:00:00Z' }, as: 'handler' });
      expect(r.json()).toMatchObject({ status: 'active', expiresAt: '2027-02-01T00:00:00.000Z' });
      const net = (await h.req({ method: 'GET', url: '/api/blocks?q=198.51.100&status=active', as: 'viewer' })).json().items[0];
      r = await h.req({ method: 'POST', url: `/api/blocks/${net.id}/lift`, payload: { reason: '误封：云服务商共享地址' }, as: 'handler' });
      expect(r.json()).toMatchObject({ status: 'lifted', endedBy: 'handler-user', endReason: '误封：云服务商共享地址' });
      expect((await edl('ip.txt')).body).toBe('203.0.113.7\n');
      r = await h.req({ method: 'POST', url: `/api/blocks/${net.id}/lift`, payload: { reason: 'again' }, as: 'handler' });
      expect(r.json().details).toMatchObject({ reason: 'blockEnded' });
    });

    it('holds a block of a critical host or an allow-listed one for a second person, who is not the one who asked', async () => {
      let r = await h.req({ method: 'PUT', url: '/api/block-allowlist', payload: [{ value: '10.1.2.0/24', note: '核心网关' }, { value: 'example.net', note: '本单位域名' }], as: 'admin' });
      expect(r.statusCode, r.body).toBe(200);
      r = await h.req({ method: 'PUT', url: '/api/block-allowlist', payload: [{ value: 'no such thing!' }], as: 'admin' });
      expect(r.json().details[0]).toMatchObject({ field: 'allowList/0/value', rule: 'notAllowEntry' });
      // the DNS server is a critical asset; the gateway network is allow-listed; the phishing page is on our own domain
      const dns = (await block({ kind: 'ip', value: '10.1.1.53', reason: '被控后外联' })).json();
      expect(dns).toMatchObject({ status: 'pending', approvalReason: { zh: expect.stringContaining('10.1.1.53 (hq-dns01)'), en: expect.stringContaining('a second person must approve it') } });
      expect((await block({ kind: 'ip', value: '10.1.2.1', reason: 'x' })).json().approvalReason.zh).toContain('10.1.2.0/24 (核心网关)');
      expect((await block({ kind: 'domain', value: 'mail.example.net', reason: 'x' })).json().status).toBe('pending');
      expect((await edl('ip.txt')).body).not.toContain('10.1.1.53');
      // the handler may not approve; a commander who did not ask may
      expect((await h.req({ method: 'POST', url: `/api/blocks/${dns.id}/approve`, as: 'handler' })).statusCode).toBe(403);
      const mine = (await block({ kind: 'ip', value: '10.1.2.9', reason: '申请人自己' }, 'commander')).json();
      r = await h.req({ method: 'POST', url: `/api/blocks/${mine.id}/approve`, as: 'commander' });
      expect(r.statusCode).toBe(409);
      expect(r.json().details).toMatchObject({ reason: 'approveOwnBlock' });
      r = await h.req({ method: 'POST', url: `/api/blocks/${dns.id}/approve`, as: 'commander' });
      expect(r.json()).toMatchObject({ status: 'active', approvedBy: 'commander-user' });
      expect((await edl('ip.txt')).body).toContain('10.1.1.53');
      // refused by the approver: rejected, never served
      const gw = (await h.req({ method: 'GET', url: '/api/blocks?q=10.1.2.1&status=pending', as: 'viewer' })).json().items[0];
      r = await h.req({ method: 'POST', url: `/api/blocks/${gw.id}/lift`, payload: { reason: '网关不可封禁，改为在主机侧隔离' }, as: 'commander' });
      expect(r.json()).toMatchObject({ status: 'rejected' });
    });

    it('reads the alerts after a block: quiet for 30 minutes, or still seen by the IDS — and the handling gate says so', async () => {
      // a new incident in handling, with two blocked sources
      const worm = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '外部 445 扫描', type: 'trojan', assets: [{ ip: '10.164.1.8' }] }, as: 'handler' })).json();
      const at = h.clock.now().toISOString();
      for (const v of ['192.0.2.10', '192.0.2.11']) expect((await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/blocks`, payload: { kind: 'ip', value: v, reason: '扫描来源' }, as: 'handler' })).statusCode).toBe(201);
      let list = (await h.req({ method: 'GET', url: `/api/blocks?incident=${worm.id}`, as: 'viewer' })).json().items as Json[];
      expect(list.map((b) => b.verification.state)).toEqual(['waiting', 'waiting']);
      // twenty minutes on, the IDS still sees one of them
      h.clock.advance(20);
      const later = new Date(Date.parse(at) + 20 * 60_000).toISOString();
      const r = await h.req({ method: 'POST', url: '/api/alerts', payload: eve('192.0.2.11', later), headers: { 'content-type': 'application/x-ndjson' }, as: 'ingest' });
      expect(r.statusCode, r.body).toBeLessThan(300);
      h.clock.advance(15);
      list = (await h.req({ method: 'GET', url: `/api/blocks?incident=${worm.id}`, as: 'viewer' })).json().items as Json[];
      const byValue = Object.fromEntries(list.map((b) => [b.value, b.verification]));
      expect(byValue['192.0.2.10']).toMatchObject({ state: 'quiet', seenAfter: 0, quietMinutes: 35 });
      expect(byValue['192.0.2.11']).toMatchObject({ state: 'seen', seenAfter: 1, quietMinutes: 15, seenBy: [expect.stringMatching(/suricata/i)] });
      // walk it to handling: leaving handling is refused while a blocked source is still seen
      const detail = async () => (await h.req({ method: 'GET', url: `/api/incidents/${worm.id}`, as: 'viewer' })).json();
      for (const phase of ['report', 'analysis', 'handling']) {
        for (const t of (await detail()).tasks.filter((x: Json) => x.status === 'open' && x.mandatory)) await h.req({ method: 'PATCH', url: `/api/incidents/${worm.id}/tasks/${t.id}`, payload: { status: 'done' }, as: 'handler' });
        if (phase === 'analysis') expect((await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/report`, payload: { recipients: '指挥组' }, as: 'handler' })).statusCode).toBe(200);
        const moved = await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/phase`, payload: { to: phase }, as: 'handler' });
        expect(moved.statusCode, moved.body).toBe(200);
      }
      for (const t of (await detail()).tasks.filter((x: Json) => x.status === 'open' && x.mandatory)) await h.req({ method: 'PATCH', url: `/api/incidents/${worm.id}/tasks/${t.id}`, payload: { status: 'done' }, as: 'handler' });
      let moved = await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/phase`, payload: { to: 'summary' }, as: 'handler' });
      expect(moved.statusCode).toBe(409);
      const gate = (moved.json().details.gates as Json[]).find((g) => g.gate === 'blocked_still_seen');
      expect(gate?.summary.zh).toBe('已封禁 2 个来源；1 个已静默 30 分钟以上；1 个仍被OISF Suricata看到（192.0.2.11）');
      expect(gate?.summary.en).toContain('blocked 2 source(s); 1 quiet for 30 min or more; 1 still seen by');
      // half an hour without it: quiet, and the gate lets the incident go on
      h.clock.advance(20);
      moved = await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/phase`, payload: { to: 'summary' }, as: 'handler' });
      expect(moved.statusCode, moved.body).toBe(200);
    });

    it('pushes each change to a device through a webhook rule for block-list changes', async () => {
      const got: Json[] = [];
      const receiver = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          got.push(JSON.parse(body));
          res.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      try {
        const port = (receiver.address() as { port: number }).port;
        const channel = (await h.req({ method: 'POST', url: '/api/channels', payload: { name: '防火墙联动', kind: 'webhook', config: { url: `http://127.0.0.1:${port}/push` } }, as: 'admin' })).json();
        expect((await h.req({ method: 'POST', url: '/api/notification-rules', payload: { name: '封禁推送', events: ['countermeasure'], maxLevel: 4, channelId: channel.id, batchSeconds: 0 }, as: 'admin' })).statusCode).toBe(201);
        await h.services.notify.scanTimelines(); // what happened before the rule is not pushed again below
        h.clock.advance(1);
        const got0 = got.length;
        const b = (await block({ kind: 'ip', value: '203.0.113.200', reason: '推送测试' })).json();
        await h.req({ method: 'POST', url: `/api/blocks/${b.id}/lift`, payload: { reason: '测试结束' }, as: 'handler' });
        h.clock.advance(1);
        await h.services.notify.scanTimelines();
        await h.services.notify.deliverDue();
        const pushed = got.slice(got0).flatMap((m) => m.events as Json[]).filter((e) => e.block?.value === '203.0.113.200');
        expect(pushed.map((e) => [e.kind, e.block.action, e.block.status])).toEqual([['countermeasure', 'added', 'active'], ['countermeasure', 'lifted', 'lifted']]);
        expect(pushed[0]).toMatchObject({ incidentId: incident.id, block: { kind: 'ip', list: 'default', expiresAt: expect.any(String) } });
      } finally {
        receiver.close();
      }
    });

    it('blocks the outside sources of alerts picked on the alert list: each once, the one on the list already named, the rest in', async () => {
      const at = h.clock.now().toISOString();
      const lines = [eve('198.18.0.5', at), eve('198.18.0.5', at), eve('192.0.2.11', at)].join('\n');
      expect((await h.req({ method: 'POST', url: '/api/alerts', payload: lines, headers: { 'content-type': 'application/x-ndjson' }, as: 'ingest' })).statusCode).toBeLessThan(300);
      const found = (await h.req({ method: 'GET', url: `/api/alerts?from=${encodeURIComponent(new Date(Date.parse(at) - 60_000).toISOString())}&limit=50`, as: 'viewer' })).json().items as Json[];
      const ids = found.filter((a) => ['198.18.0.5', '192.0.2.11'].includes(a.alert?.source?.ip)).map((a) => a.id);
      expect(ids.length).toBeGreaterThanOrEqual(3);
      const r = await h.req({ method: 'POST', url: `/api/incidents/${incident.id}/blocks/from-alerts`, payload: { alerts: ids, reason: '告警中的扫描来源' }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().blocked.map((b: Json) => b.value)).toEqual(['198.18.0.5']);
      expect(r.json().skipped).toEqual([{ value: '192.0.2.11', reason: expect.stringContaining('is already on list default'), error: { code: 'conflict', details: expect.objectContaining({ reason: 'blockExists', value: '192.0.2.11' }) } }]);
      expect((await edl('ip.txt')).body).toContain('198.18.0.5\n');
    });

    it('eradication and recovery: a patch task for a finding on one of its hosts marks the finding fixed when done; a password-reset task', async () => {
      const nessus = fs.readFileSync(path.join(import.meta.dirname, 'fixtures/scans/nessus-q4.nessus'));
      expect((await h.req({ method: 'POST', url: '/api/scans', payload: nessus, headers: { 'content-type': 'application/octet-stream' }, as: 'handler' })).statusCode).toBe(201);
      const findings = (await h.req({ method: 'GET', url: '/api/findings?limit=50', as: 'viewer' })).json().items as Json[];
      const ms17 = findings.find((f) => f.ip === '10.164.1.8' && f.severity === 'critical')!;
      const elsewhere = findings.find((f) => f.ip !== '10.164.1.8')!;
      let r = await h.req({ method: 'POST', url: `/api/incidents/${incident.id}/recovery-tasks`, payload: { kind: 'patch', findingId: ms17.id }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      const taskId = r.json().id;
      r = await h.req({ method: 'POST', url: `/api/incidents/${incident.id}/recovery-tasks`, payload: { kind: 'patch', findingId: ms17.id }, as: 'handler' });
      expect(r.json().details).toMatchObject({ reason: 'taskExists', taskId });
      r = await h.req({ method: 'POST', url: `/api/incidents/${incident.id}/recovery-tasks`, payload: { kind: 'patch', findingId: elsewhere.id }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'findingId', rule: 'findingNotOnIncident' });
      expect((await h.req({ method: 'POST', url: `/api/incidents/${incident.id}/recovery-tasks`, payload: { kind: 'password_reset', account: 'CORP\\fin-admin' }, as: 'handler' })).statusCode).toBe(201);
      const tasks = (await h.req({ method: 'GET', url: `/api/incidents/${incident.id}`, as: 'viewer' })).json().tasks as Json[];
      const patch = tasks.find((t) => t.id === taskId)!;
      expect(patch).toMatchObject({ phase: 'handling', mandatory: true, findingId: ms17.id, status: 'open' });
      expect(patch.title).toContain('修补漏洞：');
      expect(patch.title).toContain('10.164.1.8:445');
      expect(tasks.map((t) => t.title)).toContain('重置账户口令：CORP\\fin-admin');
      expect((await h.req({ method: 'PATCH', url: `/api/incidents/${incident.id}/tasks/${taskId}`, payload: { status: 'done' }, as: 'handler' })).statusCode).toBe(200);
      const fixed = (await h.req({ method: 'GET', url: `/api/findings?status=fixed&limit=50`, as: 'viewer' })).json().items as Json[];
      expect(fixed.find((f) => f.id === ms17.id)).toMatchObject({ status: 'fixed', incidentId: incident.id });
    });

    it('keeps a branch user to their branch: another branch\'s incident and its blocks are out of reach', async () => {
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'BJ', name: '北京分公司', kind: 'branch' });
      await h.services.accounts.createUser(SYSTEM, { username: 'bj-handler', role: 'handler', password: 'bj-handler-password-1', orgUnit: 'BJ' });
      const login = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bj-handler', password: 'bj-handler-password-1' } });
      const cookie = login.headers['set-cookie']!.toString().split(';')[0]!;
      const r = await h.app.inject({ method: 'POST', url: `/api/incidents/${incident.id}/blocks`, payload: { kind: 'ip', value: '203.0.113.50', reason: 'x' }, headers: { cookie } });
      expect(r.statusCode).toBe(404);
      const theirs = (await h.app.inject({ method: 'GET', url: '/api/blocks', headers: { cookie } })).json();
      expect(theirs.total).toBe(0);
      const one = (await h.req({ method: 'GET', url: '/api/blocks?limit=1', as: 'viewer' })).json().items[0];
      expect((await h.app.inject({ method: 'POST', url: `/api/blocks/${one.id}/lift`, payload: { reason: 'x' }, headers: { cookie } })).statusCode).toBe(404);
    });
  });
}
