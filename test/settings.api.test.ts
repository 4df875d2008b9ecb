/** Preparation data: the versioned grading table, SLA tiers, playbooks, org units, export/import. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../src/domain/incident/sla.js';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

for (const dialect of DIALECTS) {
  describe(`settings on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(async () => h?.close());

    it('versions the grading table; each incident keeps the version that graded it', async () => {
      const v1 = (await h.req({ method: 'GET', url: '/api/grading', as: 'viewer' })).json();
      expect(v1.version).toBe(1);
      const before = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'a', type: 'brute_force' }, as: 'monitor' })).json();
      expect(before).toMatchObject({ level: 3, gradingVersion: 1 });

      const entries = v1.entries.map((e: { type: string; level: number }) => (e.type === 'brute_force' ? { ...e, level: 2 } : e));
      entries.push({ type: 'ransomware', nameZh: '勒索事件', nameEn: 'Ransomware', level: 1 });
      const put = await h.req({ method: 'PUT', url: '/api/grading', payload: { entries, note: '爆破升为二级' }, as: 'admin' });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json()).toMatchObject({ version: 2, note: '爆破升为二级', createdBy: 'admin' });

      const after = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'b', type: 'brute_force' }, as: 'monitor' })).json();
      expect(after).toMatchObject({ level: 2, gradingVersion: 2, priorityTier: 'day' });
      expect((await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'c', type: 'ransomware' }, as: 'monitor' })).json()).toMatchObject({ level: 1, typeName: { zh: '勒索事件' } });
      // the earlier incident is unchanged and still says version 1
      expect((await h.req({ method: 'GET', url: `/api/incidents/${before.id}`, as: 'viewer' })).json()).toMatchObject({ level: 3, gradingVersion: 1 });
      expect((await h.req({ method: 'GET', url: '/api/grading/versions/1', as: 'viewer' })).json().entries).toEqual(v1.entries);
      expect((await h.req({ method: 'GET', url: '/api/grading/versions', as: 'viewer' })).json().map((v: { version: number }) => v.version)).toEqual([2, 1]);
    });

    it('refuses a bad grading table naming the entry, and stores nothing', async () => {
      const v = (await h.req({ method: 'GET', url: '/api/grading', as: 'viewer' })).json();
      const r = await h.req({ method: 'PUT', url: '/api/grading', payload: { entries: [...v.entries, v.entries[0]] }, as: 'admin' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0].field).toBe(`entries/${v.entries.length}/type`);
      expect((await h.req({ method: 'GET', url: '/api/grading', as: 'viewer' })).json().version).toBe(v.version);
    });

    it('two simultaneous edits of the grading table make two versions or a clear 409, never a 500', async () => {
      const v = (await h.req({ method: 'GET', url: '/api/grading', as: 'viewer' })).json();
      const results = await Promise.all(
        [1, 2, 3].map((n) => h.req({ method: 'PUT', url: '/api/grading', payload: { entries: v.entries, note: `edit ${n}` }, as: 'admin' })),
      );
      const codes = results.map((r) => r.statusCode);
      expect(codes.every((c) => c === 200 || c === 409), codes.join()).toBe(true);
      const ok = codes.filter((c) => c === 200).length;
      expect((await h.req({ method: 'GET', url: '/api/grading', as: 'viewer' })).json().version).toBe(v.version + ok);
      for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('conflict');
    });

    it('SLA tiers decide the deadlines of incidents graded afterwards', async () => {
      const sla = structuredClone(DEFAULT_SLA);
      sla.tiers.hour.report = 30;
      let r = await h.req({ method: 'PUT', url: '/api/sla', payload: sla, as: 'admin' });
      expect(r.statusCode, r.body).toBe(200);
      const inc = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'x', type: 'trojan', detectedAt: '2026-11-25T01:00:00Z' }, as: 'monitor' })).json();
      expect(inc.deadlines.report).toBe('2026-11-25T01:30:00.000Z');
      sla.tiers.hour.report = 10; // earlier than discovery's 30 minutes
      r = await h.req({ method: 'PUT', url: '/api/sla', payload: sla, as: 'admin' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0].field).toBe('sla/tiers/hour/report');
    });

    it('playbooks are editable per level and used for new incidents', async () => {
      const pb = { name: '四级：仅确认', tasks: [{ key: 'discovery.confirm', phase: 'discovery', title: '确认扫描来源' }, { key: 'summary.note', phase: 'summary', title: '记录', mandatory: false }] };
      const r = await h.req({ method: 'PUT', url: '/api/playbooks/4', payload: pb, as: 'admin' });
      expect(r.statusCode, r.body).toBe(200);
      const inc = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'scan', type: 'scanning' }, as: 'monitor' })).json();
      expect(inc.tasks.map((t: { title: string; mandatory: boolean }) => [t.title, t.mandatory])).toEqual([
        ['确认扫描来源', true],
        ['记录', false],
      ]);
      const bad = await h.req({ method: 'PUT', url: '/api/playbooks/4', payload: { name: 'x', tasks: [{ key: 'a', phase: 'closed', title: 't' }] }, as: 'admin' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('tasks/0/phase');
    });

    it('exports all settings and imports them back; a bad document changes nothing', async () => {
      const exported = (await h.req({ method: 'GET', url: '/api/settings/export', as: 'viewer' })).json();
      expect(Object.keys(exported).sort()).toEqual(['grading', 'network', 'orgUnits', 'playbooks', 'sla', 'timeZone']);
      let r = await h.req({ method: 'POST', url: '/api/settings/import', payload: exported, as: 'admin' });
      expect(r.json()).toEqual({ changed: [] });
      const changed = { ...exported, orgUnits: [...exported.orgUnits, { code: 'SH', name: '上海分公司', kind: 'branch' }], grading: exported.grading.slice(0, 8) };
      r = await h.req({ method: 'POST', url: '/api/settings/import', payload: changed, as: 'admin' });
      expect(r.json()).toEqual({ changed: ['grading', 'orgUnit:SH'] });
      const version = (await h.req({ method: 'GET', url: '/api/grading', as: 'viewer' })).json().version;
      const bad = { ...changed, orgUnits: [{ code: 'GZ', name: '广州', kind: 'branch' }], sla: { ...changed.sla, levels: { '1': 'hour' } } };
      r = await h.req({ method: 'POST', url: '/api/settings/import', payload: bad, as: 'admin' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0].field).toBe('sla/levels/2');
      expect((await h.req({ method: 'GET', url: '/api/org-units', as: 'viewer' })).json().map((u: { code: string }) => u.code)).toEqual(['HQ', 'SH']);
      expect((await h.req({ method: 'GET', url: '/api/grading', as: 'viewer' })).json().version).toBe(version);
    });

    it('the network zones travel with the settings: a new branch and its ranges in one document, a bad range named and nothing written', async () => {
      const exported = (await h.req({ method: 'GET', url: '/api/settings/export', as: 'viewer' })).json();
      expect(exported.network.internal).toContain('10.0.0.0/8');
      const doc = {
        orgUnits: [{ code: 'BJ', name: '北京分公司', kind: 'branch' }],
        network: { ...exported.network, internetFacing: ['203.0.113.10'], orgUnits: { ...exported.network.orgUnits, BJ: ['10.20.0.0/16'] } },
      };
      let r = await h.req({ method: 'POST', url: '/api/settings/import', payload: doc, as: 'admin' });
      expect(r.json()).toEqual({ changed: ['orgUnit:BJ', 'network'] });
      expect((await h.req({ method: 'GET', url: '/api/network', as: 'viewer' })).json().orgUnits.BJ).toEqual(['10.20.0.0/16']);
      // intake reads them at once: an address in the range is the branch's
      const a = await h.req({ method: 'POST', url: '/api/alerts', payload: JSON.stringify({ timestamp: '2026-11-25T09:00:00+08:00', client_ip: '10.20.3.4', query: 'www.example.com', qtype: 'A' }), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
      expect(a.json().accepted).toBe(1);
      const ev = (await h.req({ method: 'GET', url: '/api/alerts?kind=event&orgUnit=BJ&from=2026-11-20T00:00:00Z', as: 'viewer' })).json();
      expect(ev.items).toHaveLength(1);
      // the same document again changes nothing; a bad range or an unknown branch is named, and nothing is written
      expect((await h.req({ method: 'POST', url: '/api/settings/import', payload: doc, as: 'admin' })).json()).toEqual({ changed: [] });
      r = await h.req({ method: 'POST', url: '/api/settings/import', payload: { orgUnits: [{ code: 'CD', name: '成都', kind: 'branch' }], network: { ...doc.network, internal: ['10.0.0.0/8', '10.300.0.0/16'] } }, as: 'admin' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0].field).toBe('network/internal/1');
      r = await h.req({ method: 'POST', url: '/api/settings/import', payload: { network: { ...doc.network, orgUnits: { XA: ['10.30.0.0/16'] } } }, as: 'admin' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0].field).toBe('network/orgUnits/XA');
      expect((await h.req({ method: 'GET', url: '/api/org-units', as: 'viewer' })).json().map((u: { code: string }) => u.code)).not.toContain('CD');
      expect((await h.req({ method: 'GET', url: '/api/network', as: 'viewer' })).json()).toEqual({ ...doc.network, internetFacing: ['203.0.113.10/32'] });
    });
  });
}
