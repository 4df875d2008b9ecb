/**
 * The regulator's clock over HTTP (issue 16), on each dialect: a worm on a core server proposed as
 * national level II (GB/T 20986-2023) in the trojan sub-category, confirmed by a person; the report
 * deadline set from discovery by the operator type (4 h for an ordinary operator, 1 h once the
 * organisation is a CII operator), shown on the incident and the queue, escalated through the
 * SLA rules when due soon and overdue; the first report, a follow-up and the summary exported as
 * forms (hashed, versioned) and recorded as sent, the first one stopping the clock. Level IV has no
 * clock; grading against the proposal needs a reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { docxText } from './support/files.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const SYSTEM = { kind: 'system', label: 'test' } as const;

for (const dialect of DIALECTS) {
  describe(`the regulator's clock on ${dialect}`, () => {
    let h: Harness;
    let worm: Json;
    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.services.assets.import(SYSTEM, 'ip,hostname,business_system,criticality\n10.164.1.8,sh-fs01,财务系统,核心\n10.164.1.9,sh-pc09,,低\n');
      await h.services.reports.setHeader(SYSTEM, { unitName: '某集团公司' });
      // discovered an hour before it was filed
      worm = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '永恒之蓝蠕虫感染财务服务器', type: 'trojan', detectedAt: '2026-11-25T01:00:00Z', assets: [{ ip: '10.164.1.8' }] }, as: 'monitor' })).json();
    });
    afterAll(async () => h?.close());

    const national = async (id: string) => (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json().national;

    it('proposes the national level from the incident level and its hosts, names the sub-category, and starts the clock once a person confirms it', async () => {
      const settings = (await h.req({ method: 'GET', url: '/api/regulatory', as: 'viewer' })).json();
      expect(settings).toMatchObject({ operatorType: 'other', reportHours: 4, reportTo: { zh: '属地省级网信部门' } });
      expect(settings.categories.filter((c: Json) => !c.parent).map((c: Json) => c.zh)).toEqual(['恶意程序事件', '网络攻击事件', '数据安全事件', '信息内容安全事件', '设备设施故障事件', '违规操作事件', '安全隐患事件', '异常行为事件', '不可抗力事件', '其他事件']);
      const p = (await h.req({ method: 'GET', url: `/api/incidents/${worm.id}/national`, as: 'viewer' })).json();
      expect(p).toMatchObject({ level: 2, category: 'MI-3', categoryName: { zh: '特洛伊木马事件' } });
      expect(p.reason.zh).toContain('重要性为 1（核心）');
      expect(await national(worm.id)).toBeNull();
      // against the proposal without a reason: refused; a handler may not grade
      let r = await h.req({ method: 'PUT', url: `/api/incidents/${worm.id}/national`, payload: { level: 3, category: 'MI-2' }, as: 'commander' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'reason', rule: 'blank' });
      expect((await h.req({ method: 'PUT', url: `/api/incidents/${worm.id}/national`, payload: { level: 2, category: 'MI-3' }, as: 'handler' })).statusCode).toBe(403);
      r = await h.req({ method: 'PUT', url: `/api/incidents/${worm.id}/national`, payload: { level: 2, category: 'NOPE' }, as: 'commander' });
      expect(r.json().details[0]).toMatchObject({ field: 'category', rule: 'nationalCategory' });
      r = await h.req({ method: 'PUT', url: `/api/incidents/${worm.id}/national`, payload: { level: 2, category: 'MI-2', reason: '蠕虫传播，按网络蠕虫归类' }, as: 'commander' });
      expect(r.statusCode, r.body).toBe(204);
      // discovered 01:00Z, an ordinary operator: due 05:00Z
      expect(await national(worm.id)).toMatchObject({ level: 2, category: 'MI-2', confirmedBy: 'commander-user', dueAt: '2026-11-25T05:00:00.000Z', reportedAt: null, overdue: false });
      const queue = (await h.req({ method: 'GET', url: '/api/incidents', as: 'viewer' })).json().items as Json[];
      expect(queue.find((i) => i.id === worm.id)!.national.dueAt).toBe('2026-11-25T05:00:00.000Z');
      const timeline = (await h.req({ method: 'GET', url: `/api/incidents/${worm.id}`, as: 'viewer' })).json().timeline as Json[];
      expect(timeline.find((e) => e.kind === 'national_graded')?.text).toBe('国家分级：II 级（重大），MI-2 网络蠕虫事件，须于 2026-11-25 13:00 前向属地省级网信部门报告（发现后 4 小时）。原因：蠕虫传播，按网络蠕虫归类');
    });

    it('a CII operator has an hour: the open deadline follows the operator type; level IV has no clock', async () => {
      let r = await h.req({ method: 'PUT', url: '/api/regulatory', payload: { operatorType: 'cii' }, as: 'admin' });
      expect(r.json()).toMatchObject({ operatorType: 'cii', reportHours: 1, reportTo: { zh: '保护工作部门和公安机关' } });
      expect((await national(worm.id)).dueAt).toBe('2026-11-25T02:00:00.000Z');
      r = await h.req({ method: 'PUT', url: '/api/regulatory', payload: { operatorType: 'bank' }, as: 'admin' });
      expect(r.statusCode).toBe(400);
      const scan = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '外部扫描', type: 'scanning', assets: [{ ip: '10.164.1.9' }] }, as: 'monitor' })).json();
      const p = (await h.req({ method: 'GET', url: `/api/incidents/${scan.id}/national`, as: 'viewer' })).json();
      expect(p).toMatchObject({ level: 4, category: 'NAI-1' });
      expect((await h.req({ method: 'PUT', url: `/api/incidents/${scan.id}/national`, payload: { level: 4, category: 'NAI-1' }, as: 'commander' })).statusCode).toBe(204);
      expect(await national(scan.id)).toMatchObject({ level: 4, dueAt: null, overdue: false });
    });

    it('escalates the deadline through the SLA rules when due soon and when overdue, once each', async () => {
      const channel = (await h.req({ method: 'POST', url: '/api/channels', payload: { name: 'soc', kind: 'webhook', config: { url: 'https://hooks.example.invalid/x' } }, as: 'admin' })).json();
      expect((await h.req({ method: 'POST', url: '/api/notification-rules', payload: { name: '超时升级', events: ['sla_due_soon', 'sla_overdue'], maxLevel: 4, channelId: channel.id, batchSeconds: 0 }, as: 'admin' })).statusCode).toBe(201);
      const told = async () => ((await h.req({ method: 'GET', url: '/api/notifications', as: 'admin' })).json() as Json[]).filter((n) => n.incidentId === worm.id && n.body.includes('监管部门'));
      // due at 02:00Z (CII); at 01:45Z it is due soon, at 02:01Z overdue
      h.clock.t = new Date('2026-11-25T01:45:00Z');
      await h.services.notify.scanDeadlines();
      await h.services.notify.scanDeadlines();
      expect((await told()).map((n) => n.body)).toEqual([expect.stringContaining('须在 15 分钟内向监管部门报告')]);
      h.clock.t = new Date('2026-11-25T02:01:00Z');
      await h.services.notify.scanDeadlines();
      await h.services.notify.scanDeadlines();
      const overdue = (await told()).filter((n) => n.body.includes('报告已超时'));
      expect(overdue.map((n) => n.body), JSON.stringify(overdue.map((n) => n.body))).toHaveLength(1);
      expect(overdue[0]!.body).toContain('国家分级 II 级事件向监管部门报告已超时');
      expect((await national(worm.id)).overdue).toBe(true);
    });

    it('exports the first report, a follow-up and the summary as forms, each versioned and hashed; the first report sent stops the clock', async () => {
      for (const [form, title, field] of [
        ['regulatory_initial', '网络安全事件报告', '现场保护情况'],
        ['regulatory_followup', '网络安全事件续报', '事件进展'],
        ['regulatory_summary', '网络安全事件总结报告', '责任追究情况'],
      ] as const) {
        const r = await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/reports/${form}`, payload: { format: 'docx' }, as: 'handler' });
        expect(r.statusCode, r.body).toBe(201);
        expect(r.json()).toMatchObject({ form, version: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
        const file = await h.req({ method: 'GET', url: `/api/reports/${r.json().id}/download`, as: 'viewer' });
        const text = docxText(file.rawPayload);
        expect(text).toContain(title);
        expect(text).toContain(field);
        expect(text).toContain('某集团公司');
        expect(text).toContain('II 级（重大）');
        expect(text).toContain('MI-2 网络蠕虫事件');
        expect(text).toContain('保护工作部门和公安机关');
      }
      const md = await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/reports/regulatory_initial`, payload: { format: 'md', locale: 'en' }, as: 'handler' });
      expect(md.json().version).toBe(2);
      const en = (await h.req({ method: 'GET', url: `/api/reports/${md.json().id}/download`, as: 'viewer' })).body;
      expect(en).toContain('# Cybersecurity Incident Report');
      expect(en).toContain('II (serious)');
      expect(en).toContain('Measures taken and their effect');
      // recorded as sent: the first one stops the clock (late, said so); follow-ups and the summary are kept on the timeline
      let r = await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/regulatory-report`, payload: { kind: 'initial', to: '市公安局网安支队' }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(204);
      r = await h.req({ method: 'POST', url: `/api/incidents/${worm.id}/regulatory-report`, payload: { kind: 'followup', to: '市公安局网安支队' }, as: 'handler' });
      expect(await national(worm.id)).toMatchObject({ reportedAt: '2026-11-25T02:01:00.000Z', reportedTo: '市公安局网安支队', overdue: false });
      const timeline = (await h.req({ method: 'GET', url: `/api/incidents/${worm.id}`, as: 'viewer' })).json().timeline as Json[];
      expect(timeline.filter((e) => e.kind === 'regulatory_report').map((e) => e.text)).toEqual(['已向市公安局网安支队报送首次报告（晚于期限 2026-11-25 10:00）', '已向市公安局网安支队报送续报']);
      const ungraded = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'x', type: 'phishing' }, as: 'monitor' })).json();
      r = await h.req({ method: 'POST', url: `/api/incidents/${ungraded.id}/regulatory-report`, payload: { kind: 'initial', to: 'x' }, as: 'handler' });
      expect(r.statusCode).toBe(409);
      expect(r.json().details).toMatchObject({ reason: 'nationalMissing' });
    });
  });
}
