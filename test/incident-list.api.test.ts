/** The incident queue: filters, sorting (SLA time left first by default) and cursor pagination. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

interface Summary {
  id: string;
  level: number;
  phase: string;
  phaseDueAt: string | null;
  overdue: boolean;
  createdAt: string;
  orgUnit: string;
  type: string;
  ownerId: number | null;
}

for (const dialect of DIALECTS) {
  describe(`incident list on ${dialect}`, () => {
    let h: Harness;
    let handlerId: number;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.req({ method: 'PUT', url: '/api/org-units/SH', payload: { name: '上海分公司', kind: 'branch' }, as: 'admin' });
      await h.as('handler');
      handlerId = (await h.services.accounts.listUsers()).find((u) => u.username === 'handler-user')!.id;
      const mk = async (key: string, body: Record<string, unknown>) => {
        h.clock.advance(1);
        const r = await h.req({ method: 'POST', url: '/api/incidents', payload: body, as: 'monitor' });
        expect(r.statusCode, r.body).toBe(201);
        ids[key] = r.json().id;
      };
      // detected now (the harness clock): deadlines in the future
      await mk('scan', { title: '外网端口扫描', type: 'scanning', detectedAt: h.clock.now().toISOString() });
      await mk('brute', { title: 'SSH 爆破 203.0.113.7', type: 'brute_force', detectedAt: h.clock.now().toISOString(), assets: [{ ip: '192.0.2.10', hostname: 'bastion' }] });
      await mk('trojan', { title: '驱动人生木马', type: 'trojan', orgUnit: 'SH', ownerId: handlerId, detectedAt: h.clock.now().toISOString(), observables: [{ type: 'domain', value: 'down.ackng.com' }] });
      await mk('exploit', { title: 'Weblogic 反序列化', type: 'exploitation', detectedAt: h.clock.now().toISOString() });
      // detected long ago: overdue
      await mk('old', { title: '旧的钓鱼邮件', type: 'phishing', detectedAt: '2026-01-01T00:00:00Z' });
    });
    afterAll(async () => h?.close());

    const list = async (qs: string): Promise<{ items: Summary[]; nextCursor: string | null }> => {
      const r = await h.req({ method: 'GET', url: `/api/incidents?${qs}`, as: 'viewer' });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };

    it('sorts by SLA time left by default: overdue first, then the nearest deadline', async () => {
      const { items } = await list('');
      expect(items.map((i) => i.id)).toEqual([ids.old, ids.trojan, ids.exploit, ids.brute, ids.scan]);
      expect(items[0]!.overdue).toBe(true);
      const dues = items.map((i) => i.phaseDueAt!);
      expect([...dues].sort()).toEqual(dues);
    });

    it('tags incidents (at creation and by editing, trimmed, no repeats) and filters the queue by a whole tag, in any case', async () => {
      let r = await h.req({ method: 'PATCH', url: `/api/incidents/${ids.brute}`, payload: { tags: [' 护网 ', 'APT-x', '护网'] }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().tags).toEqual(['护网', 'APT-x']);
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${ids.exploit}`, payload: { tags: ['APT'] }, as: 'handler' });
      expect(r.json().tags).toEqual(['APT']);
      expect((await list('tag=护网')).items.map((i) => i.id)).toEqual([ids.brute]);
      // a whole tag: "APT" is not "APT-x"
      expect((await list('tag=apt')).items.map((i) => i.id)).toEqual([ids.exploit]);
      expect((await list('tag=apt-x')).items.map((i) => (i as Summary & { tags: string[] }).tags)).toEqual([['护网', 'APT-x']]);
      expect((await list('tag=%')).items).toEqual([]);
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${ids.brute}`, payload: { tags: ['x'.repeat(65)] }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'PATCH', url: `/api/incidents/${ids.brute}`, payload: { tags: [] }, as: 'handler' });
      expect(r.json().tags).toEqual([]);
      expect((await list('tag=护网')).items).toEqual([]);
    });

    it('filters by level, phase, type, owner, org unit, overdue and text', async () => {
      expect((await list('level=1,2')).items.map((i) => i.id).sort()).toEqual([ids.trojan, ids.exploit].sort());
      expect((await list('type=scanning')).items.map((i) => i.id)).toEqual([ids.scan]);
      expect((await list(`owner=${handlerId}`)).items.map((i) => i.id)).toEqual([ids.trojan]);
      expect((await list('orgUnit=SH')).items.map((i) => i.id)).toEqual([ids.trojan]);
      expect((await list('overdue=true')).items.map((i) => i.id)).toEqual([ids.old]);
      expect((await list('overdue=false')).items).toHaveLength(4);
      expect((await list('phase=discovery')).items).toHaveLength(5);
      expect((await list('phase=closed')).items).toHaveLength(0);
      // text: title, observable value, asset IP or hostname, id; case-insensitive; LIKE wildcards are literal
      expect((await list(`q=${encodeURIComponent('ssh')}`)).items.map((i) => i.id)).toEqual([ids.brute]);
      expect((await list('q=ACKNG')).items.map((i) => i.id)).toEqual([ids.trojan]);
      expect((await list('q=192.0.2.10')).items.map((i) => i.id)).toEqual([ids.brute]);
      expect((await list('q=bastion')).items.map((i) => i.id)).toEqual([ids.brute]);
      expect((await list(`q=${ids.exploit}`)).items.map((i) => i.id)).toEqual([ids.exploit]);
      expect((await list('q=%25')).items).toHaveLength(0);
      // Chinese: two characters are scanned, three or more read the index
      expect((await list(`q=${encodeURIComponent('木马')}`)).items.map((i) => i.id)).toEqual([ids.trojan]);
      expect((await list(`q=${encodeURIComponent('反序列化')}`)).items.map((i) => i.id)).toEqual([ids.exploit]);
    });

    it('finds an incident by text edited or added after it was filed (the index follows every change)', async () => {
      expect((await h.req({ method: 'PATCH', url: `/api/incidents/${ids.scan}`, payload: { title: '外网端口扫描 Masscan 全端口' }, as: 'monitor' })).statusCode).toBe(200);
      expect((await list('q=masscan')).items.map((i) => i.id)).toEqual([ids.scan]);
      expect((await list(`q=${encodeURIComponent('外网端口')}`)).items.map((i) => i.id)).toEqual([ids.scan]);
      const r = await h.req({ method: 'POST', url: `/api/incidents/${ids.exploit}/observables`, payload: { type: 'url', value: 'http://198.51.100.99/wls-wsat/CoordinatorPortType' }, as: 'monitor' });
      expect(r.statusCode, r.body).toBeLessThan(300);
      expect((await list('q=coordinatorport')).items.map((i) => i.id)).toEqual([ids.exploit]);
      // the old title is gone from the index
      expect((await list(`q=${encodeURIComponent('外网端口扫描')}`)).items.map((i) => i.id)).toEqual([ids.scan]);
      expect((await list('q=wls-wsat%2Fcoord')).items.map((i) => i.id)).toEqual([ids.exploit]);
    });

    it('pages with a cursor through every sort order without repeats or gaps', async () => {
      for (const sort of ['due', 'created', '-created', 'updated', '-updated', 'level', '-level']) {
        const all = (await list(`sort=${sort}&limit=200`)).items.map((i) => i.id);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { items: Summary[]; nextCursor: string | null } = await list(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen, sort).toEqual(all);
        expect(new Set(seen).size).toBe(5);
      }
      const byLevel = (await list('sort=level')).items.map((i) => i.level);
      expect(byLevel).toEqual([...byLevel].sort((a, b) => a - b));
    });

    it('refuses bad filters naming the parameter', async () => {
      let r = await h.req({ method: 'GET', url: '/api/incidents?level=5', as: 'viewer' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ in: 'querystring', field: 'level' });
      r = await h.req({ method: 'GET', url: '/api/incidents?cursor=garbage', as: 'viewer' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'cursor' });
      r = await h.req({ method: 'GET', url: '/api/incidents?limit=1000', as: 'viewer' });
      expect(r.json().details[0]).toMatchObject({ field: 'limit' });
      r = await h.req({ method: 'GET', url: '/api/incidents?colour=red', as: 'viewer' });
      expect(r.json().details[0]).toMatchObject({ field: 'colour', message: 'is not a known field' });
    });
  });
}
