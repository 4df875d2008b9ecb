/**
 * Recurring work and the quarter view over HTTP (issue 15, periodic work), on each dialect: a
 * schedule given as an RRULE from a local first time lays out its occurrences (a quarter back, a
 * month ahead) at the local time in the organisation's zone; bad schedules are refused saying why;
 * an occurrence is done with a result and evidence, or skipped with a reason; a scan imported for
 * an occurrence ends it; one past its due date is escalated once through the notification rules;
 * the quarter view counts work on time and findings per org unit, and its report is a Word
 * document and Markdown in either language; a branch user plans and sees only their branch's work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { docxText, multipart } from './support/files.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const SYSTEM = { kind: 'system', label: 'test' } as const;
const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures/scans', name));

for (const dialect of DIALECTS) {
  describe(`periodic work on ${dialect}`, () => {
    let h: Harness;
    const bj: Record<string, string> = {};
    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_NOTIFY_ALLOWED_TARGETS: '127.0.0.1/32' });
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'SH', name: '上海分公司', kind: 'branch' });
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'BJ', name: '北京分公司', kind: 'branch' });
      await h.services.intake.setNetworkZones(SYSTEM, { internal: ['10.0.0.0/8'], internetFacing: [], orgUnits: { SH: ['10.164.0.0/16'], BJ: ['10.2.0.0/16'] } });
      const { user } = await h.services.accounts.createUser(SYSTEM, { username: 'bj.handler', role: 'handler', password: 'a-good-long-password', orgUnit: 'BJ' });
      bj.authorization = `Bearer ${(await h.services.accounts.createToken(SYSTEM, user.id, 'test')).token}`;
      await h.as('handler');
    });
    afterAll(async () => h?.close());

    const plan = (body: Json, headers?: Record<string, string>) => h.req({ method: 'POST', url: '/api/periodic/items', payload: body, ...(headers ? { headers } : { as: 'handler' }) });
    const occurrences = async (qs = '', headers?: Record<string, string>) => (await h.req({ method: 'GET', url: `/api/periodic/occurrences?${qs}`, ...(headers ? { headers } : { as: 'viewer' }) })).json() as { items: Json[]; total: number };
    const monthly = { title: '内网漏洞扫描', kind: 'vulnerability_scan', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1', start: '2026-10-01T09:00', dueDays: 10, owner: 'handler-user', orgUnit: 'SH' };

    it('lays out a monthly scan at 09:00 Beijing time, a quarter back and a month ahead, and names the next', async () => {
      const r = await plan(monthly);
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ rrule: 'FREQ=MONTHLY;BYMONTHDAY=1', start: '2026-10-01T09:00', next: '2026-12-01T01:00:00.000Z', enabled: true });
      const list = await occurrences(`item=${r.json().id}`);
      expect(list.items.map((o) => [o.scheduledAt, o.dueAt, o.status, o.overdue])).toEqual([
        ['2026-10-01T01:00:00.000Z', '2026-10-11T01:00:00.000Z', 'pending', true],
        ['2026-11-01T01:00:00.000Z', '2026-11-11T01:00:00.000Z', 'pending', true],
        ['2026-12-01T01:00:00.000Z', '2026-12-11T01:00:00.000Z', 'pending', false],
      ]);
      expect((await occurrences('overdue=true')).total).toBe(2);
    });

    it('refuses schedules it cannot keep, saying why', async () => {
      const refused = async (body: Json, field: string, rule: string) => {
        const r = await plan({ ...monthly, ...body });
        expect(r.statusCode, r.body).toBe(400);
        expect(r.json().details[0]).toMatchObject({ field, rule });
      };
      await refused({ rrule: 'FREQ=HOURLY' }, 'rrule', 'rruleTooOften');
      await refused({ rrule: 'FREQ=DAILY;BYHOUR=9,21' }, 'rrule', 'rruleTooOften');
      await refused({ rrule: 'every month' }, 'rrule', 'rrule');
      await refused({ rrule: 'DTSTART:20261001T000000Z\nRRULE:FREQ=DAILY' }, 'rrule', 'rruleOnly');
      await refused({ start: '2026-13-01T09:00' }, 'start', 'localDateTime');
      await refused({ owner: 'nobody' }, 'owner', 'unknownUser');
      await refused({ orgUnit: 'XX' }, 'orgUnit', 'unknownOrgUnit');
      expect((await h.req({ method: 'POST', url: '/api/periodic/items', payload: monthly, as: 'viewer' })).statusCode).toBe(403);
    });

    it('ends occurrences: done with a result and evidence, skipped with a reason; refuses what is incomplete', async () => {
      const [oct, nov] = (await occurrences()).items.filter((o) => o.title === '内网漏洞扫描');
      const patch = (id: number, body: Json) => h.req({ method: 'PATCH', url: `/api/periodic/occurrences/${id}`, payload: body, as: 'handler' });
      let r = await patch(oct!.id, { status: 'done' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'result', rule: 'required' });
      r = await patch(oct!.id, { status: 'done', result: 'issues', note: '扫描发现 3 个问题' });
      expect(r.json()).toMatchObject({ status: 'done', result: 'issues', doneBy: 'handler-user', doneAt: '2026-11-25T02:00:00.000Z', overdue: false });
      r = await patch(nov!.id, { status: 'skipped' });
      expect(r.json().details[0]).toMatchObject({ field: 'note', rule: 'required' });
      r = await patch(nov!.id, { status: 'skipped', note: '网络割接，顺延至 12 月' });
      expect(r.json()).toMatchObject({ status: 'skipped', result: null });
      const { payload, headers } = multipart('扫描报告-10月.pdf', Buffer.from('%PDF-1.4 report'));
      r = await h.req({ method: 'POST', url: `/api/periodic/occurrences/${oct!.id}/evidence`, payload, headers, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().evidence).toMatchObject({ filename: '扫描报告-10月.pdf', size: 15, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const file = await h.req({ method: 'GET', url: `/api/periodic/occurrences/${oct!.id}/evidence`, as: 'viewer' });
      expect(file.body).toBe('%PDF-1.4 report');
      // opened again: it is pending (and overdue) once more
      r = await patch(nov!.id, { status: 'pending' });
      expect(r.json()).toMatchObject({ status: 'pending', overdue: true, note: null });
      r = await patch(nov!.id, { status: 'pending' });
      expect(r.statusCode).toBe(409);
      expect(r.json().details).toMatchObject({ reason: 'occurrenceOpen' });
    });

    it('a scan imported for an occurrence ends it with the scan as its evidence', async () => {
      const item = (await plan({ ...monthly, title: '月度 Nessus 扫描', rrule: 'FREQ=WEEKLY;BYDAY=MO', start: '2026-11-02T10:00', dueDays: 3 })).json();
      const current = (await occurrences(`item=${item.id}&status=pending`)).items.find((o) => o.scheduledAt === '2026-11-23T02:00:00.000Z')!;
      expect(current).toBeDefined();
      const r = await h.req({ method: 'POST', url: `/api/scans?occurrence=${current.id}`, payload: fixture('nessus-q4.nessus'), headers: { 'content-type': 'application/octet-stream' }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().occurrence).toEqual({ id: current.id, status: 'done', result: 'issues' });
      const after = (await occurrences(`item=${item.id}`)).items.find((o) => o.id === current.id)!;
      expect(after).toMatchObject({ scanId: r.json().id, doneBy: 'handler-user' });
      // an occurrence that is not there: nothing is filed
      const before = (await h.req({ method: 'GET', url: '/api/scans', as: 'viewer' })).json().length;
      expect((await h.req({ method: 'POST', url: '/api/scans?occurrence=99999', payload: fixture('nessus-q4.nessus'), headers: { 'content-type': 'application/octet-stream' }, as: 'handler' })).statusCode).toBe(404);
      expect((await h.req({ method: 'GET', url: '/api/scans', as: 'viewer' })).json().length).toBe(before);
    });

    it('escalates an occurrence past its due date once, through the notification rules', async () => {
      const channel = await h.req({ method: 'POST', url: '/api/channels', payload: { name: 'soc', kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } }, as: 'admin' });
      expect(channel.statusCode, channel.body).toBe(201);
      const rule = await h.req({ method: 'POST', url: '/api/notification-rules', payload: { name: '周期工作逾期', events: ['work_overdue'], maxLevel: 1, channelId: channel.json().id, batchSeconds: 0 }, as: 'admin' });
      expect(rule.statusCode, rule.body).toBe(201);
      const queued = await h.services.work.checkOverdue();
      const overdue = (await occurrences('overdue=true')).items;
      expect(queued).toBe(overdue.length);
      expect(overdue.length).toBeGreaterThan(0);
      expect(overdue.every((o) => o.escalatedAt === '2026-11-25T02:00:00.000Z')).toBe(true);
      expect(await h.services.work.checkOverdue()).toBe(0);
      const sent = (await h.req({ method: 'GET', url: '/api/notifications', as: 'admin' })).json() as Json[];
      const told = sent.filter((n) => n.subject.startsWith('周期工作逾期'));
      expect(told).toHaveLength(overdue.length);
      expect(told[0]!.body).toMatch(/负责人 handler-user.*已逾期约 \d+ 天/);
      expect(told[0]!.subject).not.toMatch(/级】/);
    });

    it('keeps a branch user to their branch: plans for it, sees its work only, cannot touch another', async () => {
      let r = await plan({ ...monthly, title: '北京基线检查', kind: 'baseline_check', orgUnit: 'BJ', owner: 'bj.handler' }, bj);
      expect(r.statusCode, r.body).toBe(201);
      r = await plan({ ...monthly, orgUnit: 'SH' }, bj);
      expect(r.statusCode).toBe(403);
      const mine = await occurrences('', bj);
      expect(mine.total).toBeGreaterThan(0);
      expect(mine.items.every((o) => o.orgUnit === 'BJ')).toBe(true);
      const shOne = (await occurrences('orgUnit=SH')).items[0]!;
      r = await h.req({ method: 'PATCH', url: `/api/periodic/occurrences/${shOne.id}`, payload: { status: 'done', result: 'passed' }, headers: bj });
      expect(r.statusCode).toBe(404);
      const items = (await h.req({ method: 'GET', url: '/api/periodic/items', headers: bj })).json() as Json[];
      expect(items.map((i) => i.orgUnit)).toEqual(['BJ']);
    });

    it('changing a schedule drops the occurrences it no longer has, keeping those ended', async () => {
      const item = (await h.req({ method: 'GET', url: '/api/periodic/items', as: 'viewer' })).json().find((i: Json) => i.title === '内网漏洞扫描');
      const r = await h.req({ method: 'PUT', url: `/api/periodic/items/${item.id}`, payload: { ...monthly, rrule: 'FREQ=MONTHLY;BYMONTHDAY=15' }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(200);
      const list = (await occurrences(`item=${item.id}`)).items.map((o) => [o.scheduledAt.slice(0, 10), o.status]);
      // October's (done) and November's (pending, past) stay; December 1st goes; the 15ths come
      expect(list).toEqual(expect.arrayContaining([['2026-10-01', 'done'], ['2026-11-01', 'pending'], ['2026-12-15', 'pending']]));
      expect(list.find(([d]) => d === '2026-12-01')).toBeUndefined();
    });

    it('the quarter view counts work and findings per org unit; its report is Word and Markdown in either language', async () => {
      const r = await h.req({ method: 'GET', url: '/api/periodic/quarter?quarter=2026Q4', as: 'viewer' });
      expect(r.statusCode, r.body).toBe(200);
      const q = r.json();
      expect(q).toMatchObject({ quarter: '2026Q4', from: '2026-09-30T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
      const sh = q.units.find((u: Json) => u.orgUnit === 'SH');
      expect(sh.occurrences).toMatchObject({ late: 1, skipped: 0 });
      expect(sh.occurrences.onTime).toBeGreaterThanOrEqual(1);
      expect(sh.findings.opened).toBe(3);
      expect(q.total.occurrences.scheduled).toBe(q.units.reduce((n: number, u: Json) => n + u.occurrences.scheduled, 0));
      expect(q.overdueWork.length).toBe(q.total.occurrences.overdue);
      const md = await h.req({ method: 'GET', url: '/api/periodic/quarter/report?quarter=2026Q4&format=md', as: 'viewer' });
      expect(md.headers['content-type']).toMatch(/text\/markdown/);
      expect(md.body).toContain('# 2026 年第 4 季度周期性工作报告');
      expect(md.body).toMatch(/\| 上海分公司（SH） \| \d+ \| \d+ \| 1 \|/);
      const doc = await h.req({ method: 'GET', url: '/api/periodic/quarter/report?quarter=2026Q4&locale=en', as: 'viewer' });
      expect(doc.headers['content-disposition']).toContain('periodic-2026Q4.docx');
      const text = docxText(doc.rawPayload);
      expect(text).toContain('Periodic work report, 2026 Q4');
      expect(text).toContain('Recurring work overdue');
      expect((await h.req({ method: 'GET', url: '/api/periodic/quarter?quarter=2026Q5', as: 'viewer' })).statusCode).toBe(400);
      // a branch user's view and report are their branch's
      const mine = (await h.req({ method: 'GET', url: '/api/periodic/quarter?quarter=2026Q4', headers: bj })).json();
      expect(mine.units.map((u: Json) => u.orgUnit)).toEqual(['BJ']);
      expect((await h.req({ method: 'GET', url: '/api/periodic/quarter/report?orgUnit=SH', headers: bj })).statusCode).toBe(403);
    });
  });
}
