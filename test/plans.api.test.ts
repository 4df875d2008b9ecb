/**
 * Emergency plans over HTTP (issue 15, 应急预案), on each dialect: a plan written as a draft with
 * what it covers, its steps and contacts and its document; approved; changed into a new version
 * that, once approved, retires the old one; an overdue review flagged. An incident of a covered
 * type and level starts the plan — its steps become tasks beside the playbook's, its contacts are
 * told — and one no plan covers says so and gets the minimum for a team without a plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { multipart } from './support/files.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const SYSTEM = { kind: 'system', label: 'test' } as const;

for (const dialect of DIALECTS) {
  describe(`emergency plans on ${dialect}`, () => {
    let h: Harness;
    let plan: Json;
    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_NOTIFY_ALLOWED_TARGETS: '127.0.0.1/32' });
    });
    afterAll(async () => h?.close());

    const ransomware = {
      title: '勒索病毒事件专项应急预案',
      scope: '集团总部及各分支机构的勒索病毒、蠕虫病毒事件',
      incidentTypes: ['trojan'],
      levels: [1, 2],
      orgUnits: [],
      organisation: '指挥组：总体协调；处置组：隔离、清除；分析组：溯源',
      steps: [
        { phase: 'discovery', title: '断开受感染主机网络，保留现场' },
        { phase: 'handling', title: '在边界封堵 445/139 端口' },
        { phase: 'handling', title: '从离线备份恢复业务数据' },
      ],
      resources: '离线备份、应急工具包',
      contacts: [{ name: '王总', role: '指挥组组长', phone: '138-0000-0000', email: 'wang@example.cn' }, { name: '安全厂商应急热线', phone: '400-000-0000' }],
      reviewDue: '2027-06-30',
    };

    it('writes a plan as a draft, attaches its document, approves it; refuses what does not hold', async () => {
      let r = await h.req({ method: 'POST', url: '/api/plans', payload: ransomware, as: 'commander' });
      expect(r.statusCode, r.body).toBe(201);
      plan = r.json();
      expect(plan).toMatchObject({ version: 1, status: 'draft', planKey: plan.id, reviewOverdue: false });
      const { payload, headers } = multipart('勒索病毒应急预案.docx', Buffer.from('PK fake docx bytes'));
      r = await h.req({ method: 'POST', url: `/api/plans/${plan.id}/file`, payload, headers, as: 'commander' });
      expect(r.json().file).toMatchObject({ name: '勒索病毒应急预案.docx', size: 18 });
      expect((await h.req({ method: 'GET', url: `/api/plans/${plan.id}/file`, as: 'viewer' })).body).toBe('PK fake docx bytes');
      r = await h.req({ method: 'POST', url: `/api/plans/${plan.id}/approve`, as: 'commander' });
      expect(r.json()).toMatchObject({ status: 'approved', approvedBy: 'commander-user' });
      r = await h.req({ method: 'POST', url: `/api/plans/${plan.id}/approve`, as: 'commander' });
      expect(r.statusCode).toBe(409);
      expect(r.json().details).toMatchObject({ reason: 'planNotDraft' });
      const refused = async (body: Json, field: string, rule: string) => {
        const x = await h.req({ method: 'POST', url: '/api/plans', payload: { ...ransomware, ...body }, as: 'commander' });
        expect(x.statusCode, x.body).toBe(400);
        expect(x.json().details[0]).toMatchObject({ field, rule });
      };
      await refused({ incidentTypes: ['ransom'] }, 'incidentTypes/0', 'unknownType');
      await refused({ contacts: [{ name: 'x', email: 'nope' }] }, 'contacts/0/email', 'email');
      await refused({ reviewDue: '2027-02-30' }, 'reviewDue', 'date');
      expect((await h.req({ method: 'POST', url: '/api/plans', payload: ransomware, as: 'handler' })).statusCode).toBe(403);
    });

    it('starts the plan on an incident it covers: its steps become tasks, its contacts are told', async () => {
      const channel = await h.req({ method: 'POST', url: '/api/channels', payload: { name: 'mail', kind: 'email', config: { host: '127.0.0.1', port: 2525, from: 'soc@example.cn', to: [] } }, as: 'admin' });
      await h.req({ method: 'POST', url: '/api/notification-rules', payload: { name: '预案启动', events: ['plan_started'], maxLevel: 4, channelId: channel.json().id, batchSeconds: 0 }, as: 'admin' });
      const incident = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '文件服务器被勒索加密', type: 'trojan' }, as: 'handler' })).json();
      expect(incident.planId).toBe(plan.id);
      const fromPlan = incident.tasks.filter((t: Json) => t.note === '应急预案「勒索病毒事件专项应急预案」第 1 版');
      expect(fromPlan.map((t: Json) => [t.phase, t.title])).toEqual(ransomware.steps.map((s) => [s.phase, s.title]));
      // beside the playbook's tasks, not instead of them
      expect(incident.tasks.length).toBeGreaterThan(fromPlan.length);
      expect(incident.timeline.map((e: Json) => e.kind)).toContain('plan_started');
      h.clock.advance(1);
      await h.services.notify.scanTimelines();
      const told = ((await h.req({ method: 'GET', url: '/api/notifications', as: 'admin' })).json() as Json[]).find((n) => n.subject.includes('启动应急预案'));
      expect(told?.recipients).toEqual(['wang@example.cn']);
      // a regrade does not cancel the plan's tasks
      const regraded = (await h.req({ method: 'POST', url: `/api/incidents/${incident.id}/grade`, payload: { level: 2, reason: '影响范围小' }, as: 'commander' })).json();
      expect(regraded.tasks.filter((t: Json) => t.note?.startsWith('应急预案') && t.status === 'cancelled')).toEqual([]);
    });

    it("tells the plan's contacts when it starts even when no notification rule asks for it (through the e-mail channel)", async () => {
      const rules = (await h.req({ method: 'GET', url: '/api/notification-rules', as: 'admin' })).json() as Json[];
      for (const r of rules) expect((await h.req({ method: 'DELETE', url: `/api/notification-rules/${r.id}`, as: 'admin' })).statusCode).toBeLessThan(300);
      const before = ((await h.req({ method: 'GET', url: '/api/notifications', as: 'admin' })).json() as Json[]).length;
      const incident = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '第二台服务器被勒索加密', type: 'trojan' }, as: 'handler' })).json();
      expect(incident.planId).toBe(plan.id);
      h.clock.advance(1);
      await h.services.notify.scanTimelines();
      const all = (await h.req({ method: 'GET', url: '/api/notifications', as: 'admin' })).json() as Json[];
      const told = all.filter((n) => n.incidentId === incident.id);
      expect(all.length).toBe(before + 1);
      expect(told).toHaveLength(1);
      expect(told[0]).toMatchObject({ ruleId: null, recipients: ['wang@example.cn'] });
      expect(told[0]!.subject).toContain('启动应急预案');
    });

    it('an incident no plan covers says so and gets the minimum for a team without a plan', async () => {
      const incident = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '外部扫描', type: 'scanning' }, as: 'handler' })).json();
      expect(incident.planId).toBeNull();
      expect(incident.timeline.find((e: Json) => e.kind === 'plan_missing')?.text).toMatch(/^没有应急预案覆盖本事件/);
      const fallback = incident.tasks.filter((t: Json) => t.note === '无预案时的最低处置流程');
      expect(fallback).toHaveLength(7);
      expect(fallback[0]).toMatchObject({ phase: 'discovery', title: '收集并持续监测相关事件' });
    });

    it('a change is a new version; approving it retires the one before; a past review date is flagged', async () => {
      let r = await h.req({ method: 'POST', url: `/api/plans/${plan.id}/versions`, payload: { ...ransomware, levels: [1, 2, 3], reviewDue: '2026-11-01' }, as: 'commander' });
      expect(r.statusCode, r.body).toBe(201);
      const v2 = r.json();
      expect(v2).toMatchObject({ planKey: plan.id, version: 2, status: 'draft', file: { name: '勒索病毒应急预案.docx' } });
      r = await h.req({ method: 'POST', url: `/api/plans/${v2.id}/approve`, as: 'commander' });
      expect(r.json()).toMatchObject({ status: 'approved', reviewOverdue: true });
      const all = (await h.req({ method: 'GET', url: '/api/plans', as: 'viewer' })).json() as Json[];
      expect(all.map((p) => [p.version, p.status])).toEqual([[2, 'approved'], [1, 'retired']]);
      // a level-3 trojan now starts version 2
      const incident = await h.services.incidents.create(SYSTEM, { title: '单机木马', type: 'trojan', level: 3, levelReason: '单台办公终端' });
      expect(incident.planId).toBe(v2.id);
    });
  });
}
