/**
 * Special campaigns over HTTP (issue 15, 专项行动), on each dialect: a penetration test planned over
 * a scope and a period with a lead; its findings recorded by hand and tracked like a scan's (no
 * later list closes them: a person does); a scan imported for it; closed with a conclusion, after
 * which nothing more is filed; its summary report as Word and Markdown. A drill opens exercise
 * incidents walked through the real loop and is reviewed phase by phase against the SLA. A branch
 * user sees the campaigns whose scope names their branch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { docxText } from './support/files.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const SYSTEM = { kind: 'system', label: 'test' } as const;
const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures/scans', name));

for (const dialect of DIALECTS) {
  describe(`campaigns on ${dialect}`, () => {
    let h: Harness;
    const bj: Record<string, string> = {};
    let pentest: Json;
    let drill: Json;
    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'SH', name: '上海分公司', kind: 'branch' });
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'BJ', name: '北京分公司', kind: 'branch' });
      await h.services.intake.setNetworkZones(SYSTEM, { internal: ['10.0.0.0/8'], internetFacing: [], orgUnits: { SH: ['10.164.0.0/16'], BJ: ['10.2.0.0/16'] } });
      const { user } = await h.services.accounts.createUser(SYSTEM, { username: 'bj.handler', role: 'handler', password: 'a-good-long-password', orgUnit: 'BJ' });
      bj.authorization = `Bearer ${(await h.services.accounts.createToken(SYSTEM, user.id, 'test')).token}`;
      await h.as('handler');
    });
    afterAll(async () => h?.close());

    const create = (body: Json, as: 'handler' | 'viewer' = 'handler') => h.req({ method: 'POST', url: '/api/campaigns', payload: body, as });
    const base = { title: '2026 年第四季度外网渗透测试', kind: 'penetration_test', scopeOrgUnits: ['SH'], scopeAssets: ['10.164.1.0/24', '10.164.1.8'], startsOn: '2026-11-20', endsOn: '2026-12-10', lead: 'handler-user', description: '委托第三方，黑盒' };

    it('plans a campaign over a scope and a period; refuses what does not hold', async () => {
      const r = await create(base);
      expect(r.statusCode, r.body).toBe(201);
      pentest = r.json();
      expect(pentest).toMatchObject({ state: 'running', scopeAssets: ['10.164.1.0/24', '10.164.1.8'], findings: { total: 0 }, incidents: 0 });
      const refused = async (body: Json, field: string, rule: string) => {
        const x = await create({ ...base, ...body });
        expect(x.statusCode, x.body).toBe(400);
        expect(x.json().details[0]).toMatchObject({ field, rule });
      };
      await refused({ endsOn: '2026-11-01' }, 'endsOn', 'endBeforeStart');
      await refused({ startsOn: '2026-02-30' }, 'startsOn', 'date');
      await refused({ scopeOrgUnits: ['XX'] }, 'scopeOrgUnits/0', 'unknownOrgUnit');
      await refused({ lead: 'nobody' }, 'lead', 'unknownUser');
      const bad = await create({ ...base, scopeAssets: ['10.164.1.0/33'] });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('scopeAssets/0');
      expect((await create(base, 'viewer')).statusCode).toBe(403);
      const planned = (await create({ ...base, title: '钓鱼邮件测试', kind: 'phishing_test', startsOn: '2027-01-05', endsOn: '2027-01-20' })).json();
      expect(planned.state).toBe('planned');
    });

    it("records a tester's findings by hand and a scan for the campaign; a later list closes nothing", async () => {
      const record = (findings: Json[]) => h.req({ method: 'POST', url: `/api/campaigns/${pentest.id}/findings`, payload: { findings }, as: 'handler' });
      let r = await record([
        { ip: '10.164.1.8', port: 8080, checkId: 'PT-01', title: 'Tomcat 管理后台弱口令', severity: 'critical', description: 'tomcat/tomcat 可登录', solution: '修改口令，限制管理后台访问' },
        { ip: '10.164.1.20', checkId: 'PT-02', title: '目录遍历', severity: 'medium' },
      ]);
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ format: 'manual', new: 2, closed: 0 });
      // the report's second part names only PT-02 again: PT-01 stays open (closing is a person's)
      r = await record([{ ip: '10.164.1.20', checkId: 'PT-02', title: '目录遍历', severity: 'medium' }]);
      expect(r.json()).toMatchObject({ new: 0, seen: 1, closed: 0 });
      r = await record([{ ip: 'not-an-ip', title: 'x', severity: 'low' }]);
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'findings/0/ip', rule: 'ip' });
      r = await h.req({ method: 'POST', url: `/api/scans?campaign=${pentest.id}`, payload: fixture('nessus-q4.nessus'), headers: { 'content-type': 'application/octet-stream' }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      const found = (await h.req({ method: 'GET', url: `/api/findings?campaign=${pentest.id}`, as: 'viewer' })).json();
      expect(found.total).toBe(5);
      expect(found.items.every((f: Json) => f.campaignId === pentest.id)).toBe(true);
      const pt01 = found.items.find((f: Json) => f.title === 'Tomcat 管理后台弱口令');
      expect(pt01).toMatchObject({ source: 'manual', status: 'open', port: 8080, orgUnit: 'SH', dueAt: '2026-12-02T02:00:00.000Z' });
      await h.req({ method: 'PATCH', url: `/api/findings/${pt01.id}`, payload: { status: 'fixed', note: '已改口令' }, as: 'handler' });
      await h.req({ method: 'PATCH', url: `/api/findings/${pt01.id}`, payload: { status: 'verified', note: '复测不可登录' }, as: 'handler' });
      const c = (await h.req({ method: 'GET', url: `/api/campaigns/${pentest.id}`, as: 'viewer' })).json();
      expect(c.findings).toEqual({ total: 5, open: 4, closed: 1, accepted: 0 });
    });

    it('closes with a conclusion; nothing more is filed; the summary report says what was found', async () => {
      let r = await h.req({ method: 'POST', url: `/api/campaigns/${pentest.id}/close`, payload: { conclusion: '   ' }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'POST', url: `/api/campaigns/${pentest.id}/close`, payload: { conclusion: '发现严重问题 1 个已整改；其余纳入季度跟踪。' }, as: 'handler' });
      expect(r.json()).toMatchObject({ state: 'closed', closedBy: 'handler-user' });
      r = await h.req({ method: 'POST', url: `/api/campaigns/${pentest.id}/findings`, payload: { findings: [{ ip: '10.164.1.9', title: 'x', severity: 'low' }] }, as: 'handler' });
      expect(r.statusCode).toBe(409);
      expect(r.json().details).toMatchObject({ reason: 'campaignClosed' });
      r = await h.req({ method: 'POST', url: `/api/scans?campaign=${pentest.id}`, payload: fixture('nessus-q4.nessus'), headers: { 'content-type': 'application/octet-stream' }, as: 'handler' });
      expect(r.statusCode).toBe(409);
      const md = (await h.req({ method: 'GET', url: `/api/campaigns/${pentest.id}/report?format=md`, as: 'viewer' })).body;
      expect(md).toContain('# 专项行动总结报告：2026 年第四季度外网渗透测试');
      expect(md).toContain('共发现问题 5 个：已关闭 1 个，未关闭 4 个，接受风险 0 个。');
      expect(md).toMatch(/\| 10\.164\.1\.8 \| Tomcat 管理后台弱口令 \| 严重 \| 已验证 \|/);
      expect(md).toContain('发现严重问题 1 个已整改');
      const doc = await h.req({ method: 'GET', url: `/api/campaigns/${pentest.id}/report?locale=en`, as: 'viewer' });
      expect(doc.headers['content-disposition']).toContain(`campaign-${pentest.id}.docx`);
      const text = docxText(doc.rawPayload);
      expect(text).toContain('Campaign summary: 2026 年第四季度外网渗透测试');
      expect(text).toContain('5 findings: 1 closed, 4 still open, 0 accepted as a risk.');
    });

    it('a drill opens exercise incidents and is reviewed phase by phase against the SLA', async () => {
      drill = (await create({ ...base, title: '勒索病毒应急演练', kind: 'drill', scopeAssets: [], startsOn: '2026-11-25', endsOn: '2026-11-25' })).json();
      const detectedAt = new Date(h.clock.now().getTime() - 5 * 60_000).toISOString();
      let r = await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '演练：文件服务器被加密', type: 'trojan', campaignId: drill.id, detectedAt }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      const incident = r.json();
      expect(incident).toMatchObject({ exercise: true, campaignId: drill.id });
      r = await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'x', type: 'trojan', campaignId: pentest.id }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'campaignId', rule: 'notDrill' });
      // discovery finished at once; the report phase long after its deadline
      r = await h.req({ method: 'POST', url: `/api/incidents/${incident.id}/phase`, payload: { to: 'report', override: true, reason: '演练推进' }, as: 'admin' });
      expect(r.statusCode, r.body).toBe(200);
      h.clock.advance(60 * 24 * 60);
      r = await h.req({ method: 'POST', url: `/api/incidents/${incident.id}/phase`, payload: { to: 'analysis', override: true, reason: '演练推进' }, as: 'admin' });
      expect(r.statusCode, r.body).toBe(200);
      const review = (await h.req({ method: 'GET', url: `/api/campaigns/${drill.id}/review`, as: 'viewer' })).json();
      expect(review.incidents).toHaveLength(1);
      expect(review.incidents[0].phases.map((p: Json) => [p.phase, p.met])).toEqual([
        ['discovery', true],
        ['report', false],
        ['analysis', false],
        ['handling', false],
        ['summary', false],
      ]);
      expect(review).toMatchObject({ met: 1, missed: 4 });
      expect(review.incidents[0].phases[1].minutesOver).toBeGreaterThan(0);
      const md = (await h.req({ method: 'GET', url: `/api/campaigns/${drill.id}/report?format=md`, as: 'viewer' })).body;
      expect(md).toContain('## 演练复盘（各阶段对照 SLA）');
      expect(md).toContain('按时完成阶段 1 个，超时 4 个。');
      expect((await h.req({ method: 'GET', url: `/api/campaigns/${drill.id}`, as: 'viewer' })).json().incidents).toBe(1);
    });

    it('a branch user sees the campaigns whose scope names their branch, and no other', async () => {
      const bjCampaign = (await create({ ...base, title: '北京终端排查', kind: 'endpoint_sweep', scopeOrgUnits: ['BJ'], scopeAssets: ['10.2.0.0/16'] })).json();
      const mine = (await h.req({ method: 'GET', url: '/api/campaigns', headers: bj })).json() as Json[];
      expect(mine.map((c) => c.id)).toEqual([bjCampaign.id]);
      expect((await h.req({ method: 'GET', url: `/api/campaigns/${pentest.id}`, headers: bj })).statusCode).toBe(404);
      expect((await h.req({ method: 'POST', url: '/api/campaigns', payload: { ...base, scopeOrgUnits: ['BJ'] }, headers: bj })).statusCode).toBe(403);
      // a branch records findings of its own hosts for its campaign; another branch's are left out
      const r = await h.req({ method: 'POST', url: `/api/campaigns/${bjCampaign.id}/findings`, payload: { findings: [{ ip: '10.2.3.4', title: '终端未装杀毒软件', severity: 'medium' }, { ip: '10.164.1.8', title: 'x', severity: 'low' }] }, headers: bj });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ new: 1, problems: [{ at: '10.164.1.8' }] });
    });
  });
}
