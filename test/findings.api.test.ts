/**
 * Findings of scans tracked to closure over HTTP (issue 15, periodic work), on each dialect: a
 * Nessus scan imported as the file came from the scanner opens findings with due dates by
 * severity, placed in their branch by the network zones; they are worked by hand (fixing, fixed,
 * a risk accepted with a reason and a date); a rescan verifies what it no longer finds, leaves an
 * accepted risk alone and reopens what came back; other tools' files (GVM, Nmap, the baseline
 * CSV in GBK) are read beside; bad files are refused whole and nothing is half-stored; a branch
 * user sees and works only their branch's findings.
 */
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const SYSTEM = { kind: 'system', label: 'test' } as const;
const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures/scans', name));

for (const dialect of DIALECTS) {
  describe(`findings over the API on ${dialect}`, () => {
    let h: Harness;
    const shHeaders: Record<string, string> = {};
    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'SH', name: '上海分公司', kind: 'branch' });
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'BJ', name: '北京分公司', kind: 'branch' });
      await h.services.intake.setNetworkZones(SYSTEM, { internal: ['10.0.0.0/8'], internetFacing: [], orgUnits: { SH: ['10.164.0.0/16'], BJ: ['10.2.0.0/16'] } });
      const { user } = await h.services.accounts.createUser(SYSTEM, { username: 'bj.handler', role: 'handler', password: 'a-good-long-password', orgUnit: 'BJ' });
      shHeaders.authorization = `Bearer ${(await h.services.accounts.createToken(SYSTEM, user.id, 'test')).token}`;
    });
    afterAll(async () => h?.close());

    const scan = (body: Buffer | string, query = '', as: 'handler' | 'viewer' | 'admin' = 'handler') => h.req({ method: 'POST', url: `/api/scans${query}`, payload: body, headers: { 'content-type': 'application/octet-stream' }, as });
    const findings = async (qs = '') => (await h.req({ method: 'GET', url: `/api/findings?${qs}`, as: 'viewer' })).json() as { items: Json[]; total: number };
    const move = (id: number, body: Json) => h.req({ method: 'PATCH', url: `/api/findings/${id}`, payload: body, as: 'handler' });

    it('imports a Nessus scan: findings open with due dates by severity, in their branch, the hosts named', async () => {
      const r = await scan(fixture('nessus-q4.nessus'), '?filename=q4.nessus');
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ format: 'nessus', filename: 'q4.nessus', hosts: 2, found: 3, new: 3, seen: 0, reopened: 0, closed: 0, problems: [] });
      const list = await findings();
      expect(list.total).toBe(3);
      // the nearest due date first: critical (a week) before medium and low
      expect(list.items.map((f) => [f.ip, f.severity, f.status, f.orgUnit])).toEqual([
        ['10.164.1.8', 'critical', 'open', 'SH'],
        ['10.164.1.8', 'medium', 'open', 'SH'],
        ['10.164.1.9', 'low', 'open', 'SH'],
      ]);
      expect(list.items[0]).toMatchObject({ hostname: 'sh-fs01.sh.corp', port: 445, cves: expect.arrayContaining(['CVE-2017-0144']), dueAt: '2026-12-02T02:00:00.000Z', overdue: false });
      expect((await findings('q=CVE-2017-0144')).total).toBe(1);
      expect((await findings('severity=critical,high')).total).toBe(1);
      const scans = (await h.req({ method: 'GET', url: '/api/scans', as: 'viewer' })).json() as Json[];
      expect(scans[0]).toMatchObject({ format: 'nessus', hosts: 2, new: 3, importedBy: 'handler-user', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });

    it('works findings by hand: fixing, fixed, a risk accepted with its reason and date; a wrong move is refused naming the allowed ones', async () => {
      const [critical, medium, low] = (await findings()).items;
      let r = await move(critical!.id, { status: 'fixing', note: '已安排补丁窗口' });
      expect(r.statusCode, r.body).toBe(200);
      r = await move(critical!.id, { status: 'fixed', note: 'KB4013389 已安装' });
      expect(r.json()).toMatchObject({ status: 'fixed', statusBy: 'handler-user', statusNote: 'KB4013389 已安装' });
      r = await move(medium!.id, { status: 'accepted', note: '内网跳板机，已限制来源', acceptedUntil: '2027-03-01T00:00:00Z' });
      expect(r.json()).toMatchObject({ status: 'accepted', acceptedUntil: '2027-03-01T00:00:00.000Z' });
      r = await move(low!.id, { status: 'verified' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'status', rule: 'findingMove' });
      r = await move(low!.id, { status: 'accepted', note: 'x', acceptedUntil: '2030-01-01T00:00:00Z' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'PATCH', url: `/api/findings/${low!.id}`, payload: { status: 'fixing' }, as: 'viewer' });
      expect(r.statusCode).toBe(403);
    });

    it('a rescan verifies what it no longer finds, leaves the accepted risk alone, and reopens what came back', async () => {
      // the rescan: MS17-010 gone (patched), RDP weakness still there (accepted), SSH CBC still there
      const rescan = fixture('nessus-q4.nessus').toString('utf8').replace(/<ReportItem port="445"[\s\S]*?<\/ReportItem>/, '');
      h.clock.advance(60 * 24 * 3);
      let r = await scan(Buffer.from(rescan));
      expect(r.json()).toMatchObject({ found: 2, new: 0, seen: 2, reopened: 0, closed: 1 });
      let list = await findings('status=verified');
      expect(list.items.map((f) => [f.checkId, f.statusNote])).toEqual([['nessus:97833', expect.stringMatching(/no longer finds it/)]]);
      expect((await findings('status=accepted')).total).toBe(1);
      // an older scan of the same hosts imported late closes and reopens nothing
      const older = rescan.replace(/1796004000/g, '1795000000');
      r = await scan(Buffer.from(older));
      expect(r.json()).toMatchObject({ found: 2, new: 0, reopened: 0, closed: 0 });
      // it comes back (a restored backup): reopened, due again from now
      h.clock.advance(60 * 24);
      r = await scan(fixture('nessus-q4.nessus'));
      expect(r.json()).toMatchObject({ new: 0, reopened: 1, seen: 2, closed: 0 });
      list = await findings('status=open&severity=critical');
      expect(list.items[0]).toMatchObject({ reopened: 1, statusNote: expect.stringMatching(/found it again/) });
      expect(Date.parse(list.items[0]!.dueAt)).toBeGreaterThan(Date.parse('2026-12-02T02:00:00.000Z'));
      const summary = (await h.req({ method: 'GET', url: '/api/findings/summary', as: 'viewer' })).json();
      expect(summary.bySeverity.critical).toMatchObject({ open: 1, overdue: 0 });
      expect(summary.bySeverity.medium).toMatchObject({ accepted: 1 });
    });

    it('reads GVM, Nmap and the baseline CSV (GBK) beside, each with its own findings; a file it cannot read is refused and stores nothing', async () => {
      let r = await scan(fixture('gvm-q4.xml'));
      expect(r.json()).toMatchObject({ format: 'openvas', found: 2, new: 2 });
      r = await scan(fixture('nmap-q4.xml'));
      expect(r.json()).toMatchObject({ format: 'nmap', hosts: 2, found: 4, new: 4 });
      r = await scan(iconv.encode(fixture('baseline-q4.csv').toString('utf8'), 'gbk'));
      expect(r.json()).toMatchObject({ format: 'baseline', found: 2, new: 2, problems: [{ at: 'line 5' }, { at: 'line 6' }] });
      expect((await findings('q=SSH 禁止')).items[0]).toMatchObject({ kind: 'baseline', severity: 'high', evidence: 'PermitRootLogin yes' });
      const before = (await findings()).total;
      const scansBefore = (await h.req({ method: 'GET', url: '/api/scans', as: 'viewer' })).json().length;
      r = await scan('<NessusClientData_v2><Report><ReportHost name="10.164.1.8">');
      expect(r.statusCode, r.body).toBe(400);
      r = await scan('just some text');
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'file', rule: 'unknownScan' });
      r = await scan(fixture('nmap-q4.xml'), '', 'viewer');
      expect(r.statusCode).toBe(403);
      expect((await findings()).total).toBe(before);
      expect((await h.req({ method: 'GET', url: '/api/scans', as: 'viewer' })).json().length).toBe(scansBefore);
    });

    it("lists the findings on an incident's affected hosts, and links the one it exploited", async () => {
      const inc = await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '永恒之蓝蠕虫', type: 'trojan', assets: [{ ip: '10.164.1.8' }] }, as: 'handler' });
      const id = inc.json().id as string;
      const on = (await h.req({ method: 'GET', url: `/api/findings?incident=${id}&status=open,fixing,fixed,accepted`, as: 'viewer' })).json() as { items: Json[] };
      expect(on.items.length).toBeGreaterThan(0);
      expect(on.items.every((f) => f.ip === '10.164.1.8')).toBe(true);
      const ms17 = on.items.find((f) => f.checkId === 'nessus:97833')!;
      let r = await move(ms17.id, { incidentId: id });
      expect(r.json()).toMatchObject({ incidentId: id, status: ms17.status });
      r = await move(ms17.id, { incidentId: 'INC-20000101-0001' });
      expect(r.statusCode).toBe(400);
      // linked, it is listed with the incident even after the host leaves it
      const asset = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json().assets[0];
      await h.req({ method: 'DELETE', url: `/api/incidents/${id}/assets/${asset.id}`, as: 'handler' });
      expect((await h.req({ method: 'GET', url: `/api/findings?incident=${id}`, as: 'viewer' })).json().items.map((f: Json) => f.id)).toEqual([ms17.id]);
    });

    it("keeps a branch user to their branch's findings", async () => {
      const sh = (await findings('severity=critical')).items[0]!;
      let r = await h.app.inject({ method: 'GET', url: '/api/findings', headers: shHeaders });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().total).toBe(0);
      r = await h.app.inject({ method: 'PATCH', url: `/api/findings/${sh.id}`, payload: { status: 'fixing' }, headers: shHeaders });
      expect(r.statusCode).toBe(404);
      r = await h.app.inject({ method: 'GET', url: '/api/findings?orgUnit=SH', headers: shHeaders });
      expect(r.statusCode).toBe(403);
      // a scan of Shanghai's hosts brought in by Beijing: refused, nothing filed
      r = await h.app.inject({ method: 'POST', url: '/api/scans', payload: fixture('nmap-q4.xml'), headers: { ...shHeaders, 'content-type': 'application/xml' } });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().details[0]).toMatchObject({ rule: 'otherBranch' });
      // one of theirs beside one of Shanghai's: theirs filed, the other named and left out
      const mixed = fixture('nmap-q4.xml').toString('utf8').replace('addr="10.164.1.9"', 'addr="10.2.0.9"');
      r = await h.app.inject({ method: 'POST', url: '/api/scans', payload: mixed, headers: { ...shHeaders, 'content-type': 'application/xml' } });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ hosts: 1, found: 1, problems: [{ at: '10.164.1.8', reason: expect.stringContaining('not in your branch BJ') }] });
      r = await h.app.inject({ method: 'GET', url: '/api/findings', headers: shHeaders });
      expect(r.json().items.map((f: Json) => f.ip)).toEqual(['10.2.0.9']);
    });

    it('counts the open findings of the hosts the asset list shows, by severity, within the branch', async () => {
      const ips = ['10.164.1.8', '10.164.1.9', '10.2.0.9', '10.9.9.9'];
      const all = (await findings('status=open,fixing&limit=500')).items;
      const expected = ips
        .map((ip) => all.filter((f) => f.ip === ip))
        .filter((list) => list.length)
        .map((list) => ({ ip: list[0]!.ip, open: list.length, overdue: list.filter((f) => f.overdue).length, bySeverity: Object.fromEntries([...new Set(list.map((f) => f.severity))].map((sev) => [sev, list.filter((f) => f.severity === sev).length])) }));
      expect(expected.length).toBeGreaterThanOrEqual(2);
      let r = await h.req({ method: 'GET', url: `/api/findings/hosts?ip=${ips.join(',')}`, as: 'viewer' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual(expected);
      // a branch user sees only their branch's hosts
      r = await h.app.inject({ method: 'GET', url: `/api/findings/hosts?ip=${ips.join(',')}`, headers: shHeaders });
      expect(r.json().map((x: Json) => x.ip)).toEqual(['10.2.0.9']);
      r = await h.req({ method: 'GET', url: `/api/findings/hosts?ip=${Array.from({ length: 201 }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`).join(',')}`, as: 'viewer' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'ip', rule: 'maxItems' });
    });
  });
}
