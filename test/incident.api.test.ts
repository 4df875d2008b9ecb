/**
 * The incident loop over the REST API, on each dialect: create, grade, walk discovery → closed
 * while the gates refuse bad moves, re-grade, lists, errors, and the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const DRIVERLIFE = {
  title: '上海分公司主机请求 C&C 域名 t.awcna.com',
  description: '威胁情报DNS告警：10.164.1.8 请求 t.awcna.com',
  type: 'trojan',
  orgUnit: 'HQ',
  detectedAt: '2019-12-02T04:57:00+08:00',
  observables: [{ type: 'domain', value: 't.awcna.com', firstSeen: '2019-12-02T04:57:00+08:00' }],
};

for (const dialect of DIALECTS) {
  describe(`incidents over HTTP on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(async () => h?.close());

    const create = async (body: Record<string, unknown> = DRIVERLIFE, as: 'admin' | 'monitor' | 'handler' | 'commander' = 'monitor') => {
      const r = await h.req({ method: 'POST', url: '/api/incidents', payload: body, as });
      expect(r.statusCode, r.body).toBe(201);
      return r.json();
    };
    const move = (id: string, to: string, extra: Record<string, unknown> = {}, as: 'admin' | 'monitor' | 'handler' | 'commander' = 'handler') =>
      h.req({ method: 'POST', url: `/api/incidents/${id}/phase`, payload: { to, ...extra }, as });
    const finishTasks = async (id: string, phase: string) => {
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'handler' })).json();
      for (const t of detail.tasks.filter((t: { phase: string; status: string }) => t.phase === phase && t.status === 'open')) {
        const r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/tasks/${t.id}`, payload: { status: 'done' }, as: 'handler' });
        expect(r.statusCode, r.body).toBe(200);
      }
    };

    it('creates a graded incident with a readable id, deadlines from detection, playbook tasks and a timeline entry', async () => {
      const inc = await create();
      expect(inc.id).toMatch(/^INC-20261125-\d{4}$/); // the harness clock is 2026-11-25 10:00 in Shanghai
      expect(inc).toMatchObject({ level: 1, type: 'trojan', typeName: { zh: '木马事件' }, priorityTier: 'hour', phase: 'discovery', gradingVersion: 1, orgUnit: 'HQ' });
      expect(inc.detectedAt).toBe('2019-12-01T20:57:00.000Z');
      expect(inc.deadlines.report).toBe('2019-12-01T21:57:00.000Z'); // level 1: report within 1 h of detection
      expect(inc.phaseDueAt).toBe(inc.deadlines.discovery);
      expect(inc.overdue).toBe(true); // detected in 2019
      expect(inc.tasks.length).toBeGreaterThan(15);
      expect(inc.tasks.every((t: { status: string; dueAt: string }) => t.status === 'open' && t.dueAt)).toBe(true);
      expect(inc.observables).toEqual([expect.objectContaining({ type: 'domain', value: 't.awcna.com', firstSeen: '2019-12-01T20:57:00.000Z' })]);
      expect(inc.timeline[0]).toMatchObject({ kind: 'created', occurredAt: '2019-12-01T20:57:00.000Z' });
      expect(inc.levelHistory).toEqual([expect.objectContaining({ toLevel: 1, gradingVersion: 1, reason: expect.stringContaining('定级表') })]);
      const second = await create();
      expect(Number(second.id.slice(-4))).toBe(Number(inc.id.slice(-4)) + 1);
    });

    it('walks discovery → closed, each gate refusing with a clear message until it is satisfied', async () => {
      const inc = await create();
      const id = inc.id as string;

      // discovery → report: scope and the discovery checklist first
      let r = await move(id, 'report');
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'gate_refused', details: { from: 'discovery', to: 'report' } });
      expect(r.json().details.gates.map((g: { gate: string }) => g.gate)).toEqual(['scope_missing', 'mandatory_tasks_open']);
      expect(r.json().message).toContain('at least one affected asset');

      // skipping phases is not a gate but an invalid move
      r = await move(id, 'handling');
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'conflict', message: expect.stringContaining('the next phase is report') });

      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/assets`, payload: { ip: '10.164.1.8', hostname: 'sh-fileserver', businessSystem: '文件共享' }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(201);
      await finishTasks(id, 'discovery');
      r = await move(id, 'report');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ phase: 'report', phaseDueAt: inc.deadlines.report });

      // report → analysis: the report must be recorded as sent
      await finishTasks(id, 'report');
      r = await move(id, 'analysis');
      expect(r.statusCode).toBe(409);
      expect(r.json().details.gates).toEqual([expect.objectContaining({ gate: 'report_not_sent' })]);
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/report`, payload: { recipients: '指挥组, 处置组', channel: 'email', sentAt: '2019-12-02T09:30:00+08:00' }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().report).toEqual({ sentAt: '2019-12-02T01:30:00.000Z', sentTo: '指挥组, 处置组', channel: 'email' });
      r = await move(id, 'analysis');
      expect(r.statusCode, r.body).toBe(200);

      // analysis → handling: the mandatory checklist, listed by task
      r = await move(id, 'handling');
      expect(r.statusCode).toBe(409);
      const gate = r.json().details.gates[0];
      expect(gate.gate).toBe('mandatory_tasks_open');
      expect(gate.tasks.length).toBeGreaterThan(3);
      expect(gate.tasks.every((t: { phase: string }) => t.phase === 'analysis')).toBe(true);
      // a mandatory task may be skipped only with a note
      const skipMe = gate.tasks[0].id;
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/tasks/${skipMe}`, payload: { status: 'skipped' }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details).toEqual([{ field: 'note', message: expect.stringContaining('why') }]);
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/tasks/${skipMe}`, payload: { status: 'skipped', note: '该主机无此项' }, as: 'handler' });
      expect(r.json()).toMatchObject({ status: 'skipped', doneBy: 'handler-user' });
      await finishTasks(id, 'analysis');
      expect((await move(id, 'handling')).statusCode).toBe(200);

      // going back needs a reason
      r = await move(id, 'analysis');
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation', details: [{ field: 'reason' }] });
      r = await move(id, 'analysis', { reason: '发现新的失陷主机，需要重新分析' });
      expect(r.statusCode, r.body).toBe(200);
      expect((await move(id, 'handling')).statusCode).toBe(200);

      await finishTasks(id, 'handling');
      expect((await move(id, 'summary')).statusCode).toBe(200);

      // summary → closed: a handler may not close; the command group may, once resolution and conclusion exist
      await finishTasks(id, 'summary');
      r = await move(id, 'closed', {}, 'handler');
      expect(r.statusCode).toBe(403);
      r = await move(id, 'closed', {}, 'commander');
      expect(r.statusCode).toBe(409);
      expect(r.json().details.gates.map((g: { gate: string }) => g.gate)).toEqual(['resolution_missing', 'conclusion_missing']);
      r = await h.req({
        method: 'PATCH',
        url: `/api/incidents/${id}`,
        payload: { resolution: 'true_positive', conclusion: '驱动人生挖矿木马经 RDP 入侵并在分公司内传播，已清除', recommendations: '关闭对外 RDP；修补 MS17-010' },
        as: 'handler',
      });
      expect(r.statusCode, r.body).toBe(200);
      r = await move(id, 'closed', {}, 'commander');
      expect(r.statusCode, r.body).toBe(200);
      const closed = r.json();
      expect(closed).toMatchObject({ phase: 'closed', phaseDueAt: null, overdue: false, closure: { resolution: 'true_positive' } });
      expect(closed.closedAt).toBeTruthy();
      expect(closed.phaseHistory.map((p: { to: string }) => p.to)).toEqual(['report', 'analysis', 'handling', 'analysis', 'handling', 'summary', 'closed']);
      expect(closed.phaseHistory[3]).toMatchObject({ reason: '发现新的失陷主机，需要重新分析', override: false });

      // a closed incident is frozen until reopened (with a reason, by the command group)
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}`, payload: { title: 'x' }, as: 'handler' });
      expect(r.statusCode).toBe(409);
      expect(r.json().message).toContain('is closed');
      r = await move(id, 'summary', {}, 'commander');
      expect(r.statusCode).toBe(400);
      r = await move(id, 'summary', { reason: '复查发现遗漏主机' }, 'commander');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ phase: 'summary', closedAt: null });
    });

    it('lets only an admin override a refusing gate, with a reason, and records what was bypassed', async () => {
      const { id } = await create();
      let r = await move(id, 'report', { override: true, reason: '演练' }, 'commander');
      expect(r.statusCode).toBe(403);
      expect(r.json().message).toContain('override');
      r = await move(id, 'report', { override: true }, 'admin');
      expect(r.statusCode).toBe(400);
      expect(r.json().details).toEqual([{ field: 'reason', message: expect.any(String) }]);
      r = await move(id, 'report', { override: true, reason: '指挥组要求先行上报' }, 'admin');
      expect(r.statusCode, r.body).toBe(200);
      const d = r.json();
      expect(d.phaseHistory[0]).toMatchObject({ to: 'report', override: true, actor: 'admin', reason: '指挥组要求先行上报' });
      expect(d.phaseHistory[0].bypassed.map((g: { gate: string }) => g.gate)).toEqual(['scope_missing', 'mandatory_tasks_open']);
      expect(d.timeline.at(-1)).toMatchObject({ kind: 'phase_override' });
      const audit = (await h.req({ method: 'GET', url: `/api/audit?entityType=incident&entityId=${id}&action=incident.phase`, as: 'admin' })).json();
      expect(audit[0].after).toMatchObject({ phase: 'report', override: true });
    });

    it('closes a false positive straight from discovery and cancels the remaining tasks', async () => {
      const { id } = await create({ title: '内部漏扫被误报为扫描', type: 'scanning' });
      await finishTasks(id, 'discovery');
      let r = await move(id, 'closed', {}, 'commander');
      expect(r.statusCode).toBe(409);
      await h.req({ method: 'PATCH', url: `/api/incidents/${id}`, payload: { resolution: 'false_positive', conclusion: '来源为我方漏洞扫描器' }, as: 'commander' });
      r = await move(id, 'closed', {}, 'commander');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().tasks.filter((t: { status: string }) => t.status === 'open')).toEqual([]);
      expect(r.json().tasks.some((t: { status: string }) => t.status === 'cancelled')).toBe(true);
    });

    it('re-grading re-plans deadlines and tasks, keeps finished work, and writes the timeline', async () => {
      const { id, tasks } = await create({ title: 'SSH 爆破', type: 'brute_force', detectedAt: '2026-11-25T01:00:00Z', assets: [{ ip: '203.0.113.5' }] });
      const done = tasks.find((t: { playbookKey: string }) => t.playbookKey === 'discovery.confirm');
      await h.req({ method: 'PATCH', url: `/api/incidents/${id}/tasks/${done.id}`, payload: { status: 'done' }, as: 'handler' });
      let r = await h.req({ method: 'POST', url: `/api/incidents/${id}/grade`, payload: { level: 1 }, as: 'monitor' });
      expect(r.statusCode).toBe(400); // no reason
      expect(r.json().details[0]).toMatchObject({ in: 'body', field: 'reason', message: 'is required' });
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/grade`, payload: { type: 'internal_brute_force', reason: '来源为内网地址 10.164.2.33' }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(200);
      const d = r.json();
      expect(d).toMatchObject({ level: 1, type: 'internal_brute_force', priorityTier: 'hour' });
      expect(d.deadlines.report).toBe('2026-11-25T02:00:00.000Z');
      expect(d.tasks.find((t: { id: number }) => t.id === done.id)).toMatchObject({ status: 'done' });
      expect(d.tasks.some((t: { playbookKey: string }) => t.playbookKey === 'analysis.first_host')).toBe(true);
      expect(d.levelHistory.at(-1)).toMatchObject({ fromLevel: 3, toLevel: 1, reason: '来源为内网地址 10.164.2.33' });
      expect(d.timeline.at(-1)).toMatchObject({ kind: 'level_changed', text: expect.stringContaining('3 级 → 1 级') });
      // back down to 3: level-1-only open tasks are cancelled, not deleted
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/grade`, payload: { type: 'brute_force', reason: '确认来源为外网' }, as: 'commander' });
      const d3 = r.json();
      expect(d3.level).toBe(3);
      expect(d3.tasks.find((t: { playbookKey: string }) => t.playbookKey === 'analysis.first_host')).toMatchObject({ status: 'cancelled' });
      // nothing is ever deleted, and level 3's own check, cancelled while at level 1, is open again
      expect(d3.tasks.map((t: { id: number }) => t.id)).toEqual(d.tasks.map((t: { id: number }) => t.id));
      expect(d.tasks.find((t: { playbookKey: string }) => t.playbookKey === 'analysis.success_check')).toMatchObject({ status: 'cancelled' });
      expect(d3.tasks.find((t: { playbookKey: string }) => t.playbookKey === 'analysis.success_check')).toMatchObject({ status: 'open', mandatory: true });
      // a handler may not re-grade
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/grade`, payload: { level: 2, reason: 'x' }, as: 'handler' });
      expect(r.statusCode).toBe(403);
    });

    it('keeps observables unique per incident, widening first/last seen, and validates them by type', async () => {
      const { id } = await create();
      let r = await h.req({ method: 'POST', url: `/api/incidents/${id}/observables`, payload: { type: 'domain', value: 'T.AWCNA.COM', lastSeen: '2019-12-02T05:28:00+08:00' }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(201);
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/observables`, payload: { type: 'ip', value: '10.164.2.300' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details).toEqual([{ field: 'value', message: expect.stringContaining('not an IPv4 or IPv6 address') }]);
      const d = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(d.observables).toEqual([expect.objectContaining({ value: 't.awcna.com', firstSeen: '2019-12-01T20:57:00.000Z', lastSeen: '2019-12-01T21:28:00.000Z' })]);
    });

    it('marks observables with TLP, PAP and tags, edits them and an affected asset; bad markings are named and change nothing', async () => {
      const { id } = await create();
      let r = await h.req({ method: 'POST', url: `/api/incidents/${id}/observables`, payload: { type: 'ip', value: '203.0.113.9', note: 'C2', tlp: 'amber+strict', pap: 'green', tags: ['c2', ' 永恒之蓝 ', 'c2'] }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(201);
      const obsId = r.json().id as number;
      let d = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(d.observables.find((o: { id: number }) => o.id === obsId)).toMatchObject({ note: 'C2', tlp: 'amber+strict', pap: 'green', tags: ['c2', '永恒之蓝'] });
      // one added without a marking has none and no tags
      expect(d.observables.find((o: { id: number }) => o.id !== obsId)).toMatchObject({ tlp: null, pap: null, tags: [] });
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/observables/${obsId}`, payload: { tlp: 'red', tags: ['c2'] }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(200);
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/observables/${obsId}`, payload: { tlp: 'purple' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: expect.stringContaining('tlp') });
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/observables/${obsId}`, payload: { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/observables/999999`, payload: { note: 'x' }, as: 'monitor' });
      expect(r.statusCode).toBe(404);
      d = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(d.observables.find((o: { id: number }) => o.id === obsId)).toMatchObject({ note: 'C2', tlp: 'red', pap: 'green', tags: ['c2'] });
      // an affected asset: its note and hostname edited, its address kept
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/assets`, payload: { ip: '10.164.1.99' }, as: 'monitor' });
      const assetId = r.json().id as number;
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/assets/${assetId}`, payload: { hostname: 'fin-pc-99', note: '已隔离' }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(200);
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/assets/${assetId}`, payload: { orgUnit: 'NOPE' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      d = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(d.assets.find((a: { id: number }) => a.id === assetId)).toMatchObject({ ip: '10.164.1.99', hostname: 'fin-pc-99', note: '已隔离' });
      // the pivot: the indicator found by part of its value, with its incident (short text scans, longer reads the index)
      for (const q of ['203.0.113', '3.9', '203.0.113.9']) {
        r = await h.req({ method: 'GET', url: `/api/observables?q=${q}`, as: 'viewer' });
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json(), q).toEqual([expect.objectContaining({ value: '203.0.113.9', tlp: 'red', tags: ['c2'], incident: expect.objectContaining({ id }) })]);
      }
      expect((await h.req({ method: 'GET', url: '/api/observables?q=203.0.113&type=domain', as: 'viewer' })).json()).toEqual([]);
      expect((await h.req({ method: 'GET', url: '/api/observables?q=', as: 'viewer' })).statusCode).toBe(400);
      expect((await h.req({ method: 'GET', url: '/api/observables?q=%20%20', as: 'viewer' })).statusCode).toBe(400);
      // a viewer may not edit
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${id}/observables/${obsId}`, payload: { tlp: 'clear' }, as: 'viewer' });
      expect(r.statusCode).toBe(403);
    });

    it('records timeline entries at the time things happened, sorted by that time', async () => {
      const { id } = await create();
      await h.req({ method: 'POST', url: `/api/incidents/${id}/timeline`, payload: { occurredAt: '2019-12-02T06:48:00+08:00', text: '总部蜜罐：10.164.2.15 发起永恒之蓝攻击', source: 'honeypot' }, as: 'monitor' });
      await h.req({ method: 'POST', url: `/api/incidents/${id}/timeline`, payload: { occurredAt: '2019-12-02T04:46:00+08:00', text: '攻击者经 RDP 登录 10.164.1.8', source: 'system-log' }, as: 'monitor' });
      const d = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(d.timeline.map((e: { occurredAt: string }) => e.occurredAt)).toEqual(['2019-12-01T20:46:00.000Z', '2019-12-01T20:57:00.000Z', '2019-12-01T22:48:00.000Z']);
      expect(d.timeline[0]).toMatchObject({ source: 'system-log', actor: 'monitor-user', recordedAt: h.clock.now().toISOString() });
      const r = await h.req({ method: 'POST', url: `/api/incidents/${id}/timeline`, payload: { occurredAt: 'yesterday', text: 'x' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'occurredAt' });
    });

    it('validation errors name the field; unknown fields are refused; a failed request writes nothing', async () => {
      const before = await h.services.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const incidentsBefore = (await h.req({ method: 'GET', url: '/api/incidents?limit=200', as: 'viewer' })).json().items.length;
      let r = await h.req({ method: 'POST', url: '/api/incidents', payload: { type: 'trojan' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'validation', details: [{ in: 'body', field: 'title', message: 'is required' }] });
      r = await h.req({ method: 'POST', url: '/api/incidents', payload: { ...DRIVERLIFE, severity: 'high' }, as: 'monitor' });
      expect(r.json().details[0]).toMatchObject({ field: 'severity', message: 'is not a known field' });
      r = await h.req({ method: 'POST', url: '/api/incidents', payload: { ...DRIVERLIFE, type: 'ddos' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'type' });
      // the asset at index 1 is bad: nothing of the incident is stored, not even its id
      r = await h.req({ method: 'POST', url: '/api/incidents', payload: { ...DRIVERLIFE, assets: [{ ip: '10.164.1.8' }, { ip: 'not-an-ip' }] }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0].field).toBe('assets/1/ip');
      r = await h.req({ method: 'POST', url: '/api/incidents', payload: { ...DRIVERLIFE, orgUnit: 'NOWHERE' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'orgUnit', message: 'org unit "NOWHERE" does not exist' });
      r = await h.req({ method: 'POST', url: '/api/incidents', payload: { ...DRIVERLIFE, level: 3 }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0].field).toBe('levelReason');
      r = await h.req({ method: 'POST', url: '/api/incidents', payload: '{"title": ', headers: { 'content-type': 'application/json' }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      const after = await h.services.database.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      expect((await h.req({ method: 'GET', url: '/api/incidents?limit=200', as: 'viewer' })).json().items.length).toBe(incidentsBefore);
    });

    it('keeps 404 and 409 apart, and refuses oversized bodies with 413', async () => {
      let r = await h.req({ method: 'GET', url: '/api/incidents/INC-20200101-0001', as: 'viewer' });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toEqual({ code: 'not_found', message: 'incident INC-20200101-0001 does not exist', details: { entity: 'incident', id: 'INC-20200101-0001' } });
      r = await h.req({ method: 'GET', url: '/api/incidents/42', as: 'viewer' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ in: 'params', field: 'id' });
      r = await h.req({ method: 'POST', url: '/api/incidents', payload: { ...DRIVERLIFE, description: 'x'.repeat(2 * 1024 * 1024) }, as: 'monitor' });
      expect(r.statusCode).toBe(413);
      expect(r.json().code).toBe('payload_too_large');
    });

    it('every change writes an audit row with who, when, what, before and after', async () => {
      const { id } = await create();
      h.clock.advance(5);
      await h.req({ method: 'PATCH', url: `/api/incidents/${id}`, payload: { title: '新标题' }, as: 'handler' });
      const audit = (await h.req({ method: 'GET', url: `/api/audit?entityType=incident&entityId=${id}`, as: 'commander' })).json();
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['incident.update', 'incident.create']);
      expect(audit[0]).toMatchObject({ actor: 'handler-user', at: h.clock.now().toISOString(), before: { title: DRIVERLIFE.title }, after: { title: '新标题' } });
      expect((await h.req({ method: 'GET', url: '/api/audit', as: 'handler' })).statusCode).toBe(403);
    });
  });
}
