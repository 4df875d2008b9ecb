/**
 * The response organisation and the duty roster over HTTP (issue 15), on each dialect: teams with
 * their members edited; a roster imported from a sheet as it was saved — a CSV from Excel on Chinese
 * Windows (GBK) with Chinese headers and a night shift, and an .xlsx whose dates and times are Excel's
 * own cells — the bad rows named, the rest kept, nothing filed twice; who is on duty now; the roster
 * exported as a sheet that imports again; a handover note; a notification rule that addresses the
 * monitor on duty; the forms naming the reporter and the branch contacts from the organisation.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const SYSTEM = { kind: 'system', label: 'test' } as const;

for (const dialect of DIALECTS) {
  describe(`the duty roster on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_NOTIFY_ALLOWED_TARGETS: '127.0.0.1/32' });
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'SH', name: '上海分公司', kind: 'branch' });
      await h.services.reports.setHeader(SYSTEM, { unitName: '某集团公司', reporter: 'header-reporter', contact: '021-0000' });
    });
    afterAll(async () => h?.close());

    const importSheet = (body: Buffer, as: 'commander' | 'handler' = 'commander') => h.req({ method: 'POST', url: '/api/duty/shifts/import', payload: body, headers: { 'content-type': 'application/octet-stream' }, as });

    it('keeps the teams of the response organisation with their members', async () => {
      const team = { name: '上海分公司应急联络人', kind: 'branch_contact', orgUnit: 'SH', members: [{ name: '李四', duty: 'leader', position: '信息部经理', phone: '138-0000-0001', email: 'li.si@example.cn' }, { name: '王五', duty: 'deputy', phone: '138-0000-0002' }] };
      let r = await h.req({ method: 'POST', url: '/api/teams', payload: team, as: 'commander' });
      expect(r.statusCode, r.body).toBe(201);
      const id = r.json().id;
      r = await h.req({ method: 'PUT', url: `/api/teams/${id}`, payload: { ...team, members: [...team.members, { name: '赵六', duty: 'member', im: 'wecom:zhaoliu' }] }, as: 'commander' });
      expect(r.json().members.map((m: Json) => [m.name, m.duty])).toEqual([['李四', 'leader'], ['王五', 'deputy'], ['赵六', 'member']]);
      r = await h.req({ method: 'POST', url: '/api/teams', payload: { ...team, members: [{ name: 'x', duty: 'member', email: 'not-mail' }] }, as: 'commander' });
      expect(r.json().details[0]).toMatchObject({ field: 'members/0/email', rule: 'email' });
      expect((await h.req({ method: 'POST', url: '/api/teams', payload: team, as: 'handler' })).statusCode).toBe(403);
      expect((await h.req({ method: 'GET', url: '/api/teams', as: 'viewer' })).json()).toHaveLength(1);
    });

    it('imports a GBK roster with Chinese headers: a night shift ends the next day, a bad row is named and the rest kept, nothing twice', async () => {
      const csv = ['日期,开始,结束,岗位,姓名,电话,邮箱,机构', '2026-11-25,08:00,20:00,监控,张三,139-0000-0003,zhang.san@example.cn,', '2026-11-25,20:00,08:00,监控,李雷,139-0000-0004,li.lei@example.cn,', '2026-11-25,09:00,18:00,指挥,韩梅梅,139-0000-0005,,', '2026-11-25,09:00,18:00,保洁,某人,,,', '2026-11-25,08:00,20:00,监控,上海值班员,,sh.duty@example.cn,SH'].join('\r\n');
      let r = await importSheet(iconv.encode(csv, 'gbk'));
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ imported: 4, unchanged: 0, problems: [{ row: 5, field: 'role', rule: 'dutyRole' }] });
      const shifts = (await h.req({ method: 'GET', url: '/api/duty/shifts?from=2026-11-24T00:00:00Z&to=2026-11-27T00:00:00Z', as: 'viewer' })).json() as Json[];
      // Beijing time: 08:00 is 00:00Z; the night shift 20:00–08:00 ends the next morning
      expect(shifts.find((s) => s.name === '李雷')).toMatchObject({ role: 'monitor', startsAt: '2026-11-25T12:00:00.000Z', endsAt: '2026-11-26T00:00:00.000Z', orgUnit: 'HQ' });
      r = await importSheet(iconv.encode(csv, 'gbk'));
      expect(r.json()).toMatchObject({ imported: 0, unchanged: 4 });
      r = await importSheet(Buffer.from('name,when\nx,y\n'));
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ rule: 'rosterColumn' });
      expect((await importSheet(Buffer.from(csv), 'handler')).statusCode).toBe(403);
    });

    it('imports an Excel workbook whose dates and times are Excel cells', async () => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('12月');
      sheet.addRow(['date', 'start', 'end', 'role', 'name', 'email']);
      // a date cell and time-of-day cells, as Excel stores them
      sheet.addRow([new Date(Date.UTC(2026, 11, 1)), new Date(Date.UTC(1899, 11, 30, 9, 0)), new Date(Date.UTC(1899, 11, 30, 17, 30)), 'analysis', 'Alice', 'alice@example.com']);
      const r = await importSheet(Buffer.from(await book.xlsx.writeBuffer()));
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ imported: 1, problems: [] });
      const dec = (await h.req({ method: 'GET', url: '/api/duty/shifts?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', as: 'viewer' })).json() as Json[];
      expect(dec[0]).toMatchObject({ name: 'Alice', role: 'analysis', startsAt: '2026-12-01T01:00:00.000Z', endsAt: '2026-12-01T09:30:00.000Z' });
    });

    it('says who is on duty now, takes a handover note, and exports a sheet that imports again', async () => {
      const now = (await h.req({ method: 'GET', url: '/api/duty/now', as: 'viewer' })).json() as Json[];
      expect(now.map((s) => [s.orgUnit, s.role, s.name])).toEqual([['HQ', 'command', '韩梅梅'], ['HQ', 'monitor', '张三'], ['SH', 'monitor', '上海值班员']]);
      const zhang = now.find((s) => s.name === '张三')!;
      const r = await h.req({ method: 'POST', url: `/api/duty/shifts/${zhang.id}/handover`, payload: { note: '10.164.1.8 仍在观察，夜班关注 445 端口告警' }, as: 'handler' });
      expect(r.json()).toMatchObject({ handoverNote: '10.164.1.8 仍在观察，夜班关注 445 端口告警', handedOverBy: 'handler-user' });
      const xlsx = await h.req({ method: 'GET', url: '/api/duty/shifts/export?from=2026-11-24T00:00:00Z&to=2026-11-27T00:00:00Z', as: 'viewer' });
      expect(xlsx.headers['content-type']).toContain('spreadsheetml');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const rows = book.worksheets[0]!.getSheetValues().slice(1).map((v) => (v as unknown[]).slice(1));
      expect(rows[0]).toEqual(['日期', '开始', '结束', '岗位', '姓名', '用户名', '电话', '邮箱', '机构']);
      expect(rows).toContainEqual(['2026-11-25', '20:00', '08:00', '监控', '李雷', '', '139-0000-0004', 'li.lei@example.cn', 'HQ']);
      // the exported sheet is the importable one: nothing new
      expect((await importSheet(xlsx.rawPayload)).json()).toMatchObject({ imported: 0, unchanged: 4 });
      const csv = await h.req({ method: 'GET', url: '/api/duty/shifts/export?format=csv&from=2026-11-24T00:00:00Z&to=2026-11-27T00:00:00Z', as: 'viewer' });
      expect(csv.body.startsWith('\ufeff日期,开始,结束,岗位,姓名')).toBe(true);
    });

    it('a rule addressing the monitor on duty mails them (the unit’s own, else headquarters’)', async () => {
      const channel = await h.req({ method: 'POST', url: '/api/channels', payload: { name: 'mail', kind: 'email', config: { host: '127.0.0.1', port: 2525, from: 'soc@example.cn', to: [] } }, as: 'admin' });
      expect(channel.statusCode, channel.body).toBe(201);
      const rule = await h.req({ method: 'POST', url: '/api/notification-rules', payload: { name: '值班监控', events: ['incident_created'], maxLevel: 4, onDuty: ['monitor'], channelId: channel.json().id, batchSeconds: 0 }, as: 'admin' });
      expect(rule.statusCode, rule.body).toBe(201);
      expect(rule.json().onDuty).toEqual(['monitor']);
      await h.services.incidents.create(SYSTEM, { title: '上海木马', type: 'trojan', orgUnit: 'SH' });
      h.clock.advance(1);
      await h.services.notify.scanTimelines();
      const sent = (await h.req({ method: 'GET', url: '/api/notifications', as: 'admin' })).json() as Json[];
      expect(sent.find((n) => n.subject.includes('上海木马'))?.recipients).toEqual(['sh.duty@example.cn']);
      const bad = await h.req({ method: 'POST', url: '/api/notification-rules', payload: { name: 'x', events: ['incident_created'], maxLevel: 4, onDuty: ['janitor'], channelId: channel.json().id }, as: 'admin' });
      expect(bad.statusCode).toBe(400);
    });

    it('the forms name the reporter on duty and the branch contacts from the organisation', async () => {
      const incident = await h.services.incidents.create(SYSTEM, { title: '上海钓鱼', type: 'phishing', orgUnit: 'SH' });
      const draft = (await h.req({ method: 'GET', url: `/api/incidents/${incident.id}/reports/support_request`, as: 'admin' })).json();
      // the admin is in no team: the branch's own monitor on duty reports (it has no command on duty)
      expect(draft.fields).toMatchObject({ reporter: '上海值班员', contact: 'sh.duty@example.cn' });
      // headquarters' incident: its command on duty
      const hq = await h.services.incidents.create(SYSTEM, { title: '总部扫描', type: 'internal_scanning', orgUnit: 'HQ' });
      const hqDraft = (await h.req({ method: 'GET', url: `/api/incidents/${hq.id}/reports/incident_report`, as: 'admin' })).json();
      expect(hqDraft.fields).toMatchObject({ reporter: '韩梅梅', contact: '139-0000-0005' });
      expect(draft.fields.contacts).toContain('李四 信息部经理 138-0000-0001');
      expect(draft.fields.contacts).toContain('王五 138-0000-0002');
    });
  });
}
