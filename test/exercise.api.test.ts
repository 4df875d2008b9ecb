/**
 * Exercise incidents (issue 15, drills), over HTTP on each dialect: an incident opened as an
 * exercise walks the real loop, is flagged 演练 in the list and on its forms, and stays out of the
 * real figures (MTTD/MTTA/MTTR, open per branch) unless the figures are asked to include it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;

for (const dialect of DIALECTS) {
  describe(`exercise incidents on ${dialect}`, () => {
    let h: Harness;
    let real: string;
    let drill: string;
    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.services.reports.setHeader({ kind: 'system', label: 'test' }, { unitName: '某集团公司' });
      const make = async (body: Json) => {
        const r = await h.req({ method: 'POST', url: '/api/incidents', payload: body, as: 'handler' });
        expect(r.statusCode, r.body).toBe(201);
        return r.json() as Json;
      };
      real = (await make({ title: '真实木马', type: 'trojan', detectedAt: new Date(h.clock.now().getTime() - 30 * 60_000).toISOString() })).id;
      const d = await make({ title: '勒索病毒应急演练', type: 'trojan', exercise: true, detectedAt: new Date(h.clock.now().getTime() - 10 * 60_000).toISOString() });
      drill = d.id;
      expect(d).toMatchObject({ exercise: true });
      expect(d.timeline[0].text).toMatch(/^【演练】发现事件/);
    });
    afterAll(async () => h?.close());

    it('flags the exercise in the list and filters on it; a real incident can be marked one afterwards', async () => {
      const all = (await h.req({ method: 'GET', url: '/api/incidents', as: 'viewer' })).json().items as Json[];
      expect(all.map((i) => [i.id, i.exercise]).sort()).toEqual([[drill, true], [real, false]].sort());
      expect((await h.req({ method: 'GET', url: '/api/incidents?exercise=true', as: 'viewer' })).json().items.map((i: Json) => i.id)).toEqual([drill]);
      expect((await h.req({ method: 'GET', url: '/api/incidents?exercise=false', as: 'viewer' })).json().items.map((i: Json) => i.id)).toEqual([real]);
    });

    it('keeps the exercise out of the real figures unless they ask for it', async () => {
      const figures = async (qs = '') => (await h.req({ method: 'GET', url: `/api/stats${qs}`, as: 'viewer' })).json() as Json;
      expect((await figures()).times).toMatchObject({ incidents: 1, exercises: 'exclude' });
      expect((await figures()).openByBranch.reduce((n: number, b: Json) => n + b.open, 0)).toBe(1);
      expect((await figures('?exercises=include')).times.incidents).toBe(2);
      expect((await figures('?exercises=only')).times.incidents).toBe(1);
      expect((await h.req({ method: 'GET', url: '/api/stats?exercises=maybe', as: 'viewer' })).statusCode).toBe(400);
    });

    it('says 演练 / Exercise in the title of its forms', async () => {
      for (const [locale, title] of [['zh-CN', '# 事件上报表（演练）'], ['en', '# Incident Report Form (Exercise)']] as const) {
        const r = await h.req({ method: 'POST', url: `/api/incidents/${drill}/reports/incident_report`, payload: { format: 'md', locale }, as: 'handler' });
        expect(r.statusCode, r.body).toBe(201);
        const file = await h.req({ method: 'GET', url: `/api/reports/${r.json().id}/download`, as: 'viewer' });
        expect(file.body.split('\n')[0]).toBe(title);
      }
      const r = await h.req({ method: 'POST', url: `/api/incidents/${real}/reports/incident_report`, payload: { format: 'md' }, as: 'handler' });
      const file = await h.req({ method: 'GET', url: `/api/reports/${r.json().id}/download`, as: 'viewer' });
      expect(file.body.split('\n')[0]).toBe('# 事件上报表');
    });
  });
}
