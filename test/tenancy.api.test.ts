/**
 * Branch tenancy (issue 11, F5), over HTTP on each dialect: a handler of the Shanghai branch sees
 * and acts on what touches Shanghai — incidents of the branch or listing one of its hosts, its
 * orders, alerts and assets — and nothing of Beijing's: Beijing's incident answers 404 to reading,
 * retitling, commenting and moving alike, and lists leave it out. An incident across both
 * branches shows Shanghai only its own hosts. The command group sees everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/domain/account/roles.js';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const SYSTEM = { kind: 'system', label: 'test' } as const;

for (const dialect of DIALECTS) {
  describe(`branch tenancy on ${dialect}`, () => {
    let h: Harness;
    const headers = new Map<string, Record<string, string>>();
    let shOnly: string;
    let bjOnly: string;
    let both: string;
    let bjOrder: number;
    let shOrder: number;

    const user = async (username: string, role: Role, orgUnit: string | null) => {
      const { user } = await h.services.accounts.createUser(SYSTEM, { username, role, password: 'a-good-long-password', orgUnit });
      const { token } = await h.services.accounts.createToken(SYSTEM, user.id, 'test');
      headers.set(username, { authorization: `Bearer ${token}` });
    };
    const as = (username: string, opts: { method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; url: string; payload?: unknown }) =>
      h.app.inject({ ...opts, payload: opts.payload as never, headers: headers.get(username) });

    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'SH', name: '上海分公司', kind: 'branch' });
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'BJ', name: '北京分公司', kind: 'branch' });
      await h.services.intake.setNetworkZones(SYSTEM, { internal: ['10.0.0.0/8'], internetFacing: [], orgUnits: { SH: ['10.164.0.0/16'], BJ: ['10.2.0.0/16'] } });
      await user('sh.handler', 'handler', 'SH');
      await user('bj.handler', 'handler', 'BJ');
      await user('sh.commander', 'commander', 'SH');
      await user('hq.handler', 'handler', 'HQ');
      const make = async (title: string, orgUnit: string, assets: Array<{ ip: string; orgUnit: string }>) => {
        const r = await h.req({ method: 'POST', url: '/api/incidents', as: 'admin', payload: { title, type: 'trojan', orgUnit, assets } });
        expect(r.statusCode, r.body).toBe(201);
        return r.json().id as string;
      };
      shOnly = await make('上海木马', 'SH', [{ ip: '10.164.1.8', orgUnit: 'SH' }]);
      bjOnly = await make('北京木马', 'BJ', [{ ip: '10.2.0.9', orgUnit: 'BJ' }]);
      both = await make('跨分公司木马', 'BJ', [
        { ip: '10.2.0.10', orgUnit: 'BJ' },
        { ip: '10.164.1.20', orgUnit: 'SH' },
      ]);
      const order = async (incident: string, orgUnit: string) => {
        const r = await h.req({ method: 'POST', url: `/api/incidents/${incident}/orders`, as: 'admin', payload: { orgUnit, instructions: '断网隔离' } });
        expect(r.statusCode, r.body).toBe(201);
        return r.json().id as number;
      };
      bjOrder = await order(bjOnly, 'BJ');
      shOrder = await order(shOnly, 'SH');
      const ingest = await h.req({
        method: 'POST',
        url: '/api/alerts',
        as: 'admin',
        headers: { 'content-type': 'text/plain' },
        payload: [
          'Dec  2 04:50:01 sh-fs01 sshd[2121]: Failed password for root from 10.164.2.33 port 52144 ssh2',
          'Dec  2 04:50:02 bj-fs01 sshd[2122]: Failed password for root from 10.2.3.4 port 52144 ssh2',
        ].join('\n'),
      });
      expect(ingest.statusCode, ingest.body).toBeLessThan(300);
    });
    afterAll(async () => h?.close());

    it("keeps another branch's incident out of reach: reading, retitling, commenting, moving and its reports answer 404", async () => {
      const first = await as('sh.handler', { method: 'GET', url: `/api/incidents/${bjOnly}` });
      expect(first.statusCode, first.body).toBe(404);
      expect((await as('sh.handler', { method: 'GET', url: `/api/incidents/${bjOnly}` })).statusCode).toBe(404);
      expect((await as('sh.handler', { method: 'PATCH', url: `/api/incidents/${bjOnly}`, payload: { title: '改掉' } })).statusCode).toBe(404);
      expect((await as('sh.handler', { method: 'POST', url: `/api/incidents/${bjOnly}/comments`, payload: { text: '看看' } })).statusCode).toBe(404);
      expect((await as('sh.handler', { method: 'POST', url: `/api/incidents/${bjOnly}/phase`, payload: { to: 'report' } })).statusCode).toBe(404);
      expect((await as('sh.handler', { method: 'GET', url: `/api/incidents/${bjOnly}/detection` })).statusCode).toBe(404);
      expect((await as('sh.handler', { method: 'GET', url: `/api/incidents/${bjOnly}/orders` })).statusCode).toBe(404);
      // the same answer as an incident that does not exist: nothing learnt
      const missing = await as('sh.handler', { method: 'GET', url: '/api/incidents/INC-20000101-9999' });
      const foreign = await as('sh.handler', { method: 'GET', url: `/api/incidents/${bjOnly}` });
      expect(foreign.json().code).toBe(missing.json().code);
      // nothing changed
      const stored = await h.services.incidents.get(bjOnly);
      expect(stored.title).toBe('北京木马');
      expect(stored.phase).toBe('discovery');
      // while Beijing's own handler works on it
      expect((await as('bj.handler', { method: 'PATCH', url: `/api/incidents/${bjOnly}`, payload: { title: '北京木马（确认）' } })).statusCode).toBe(200);
    });

    it('lists only what touches the branch, and refuses to list another branch on request', async () => {
      const ids = (await as('sh.handler', { method: 'GET', url: '/api/incidents?limit=100' })).json().items.map((i: { id: string }) => i.id);
      expect(ids).toEqual(expect.arrayContaining([shOnly, both]));
      expect(ids).not.toContain(bjOnly);
      expect((await as('sh.handler', { method: 'GET', url: '/api/incidents?orgUnit=BJ' })).json().items.map((i: { id: string }) => i.id)).not.toContain(bjOnly);

      const orders = (await as('sh.handler', { method: 'GET', url: '/api/orders' })).json() as Array<{ id: number }>;
      expect(orders.map((o) => o.id)).toEqual([shOrder]);
      expect((await as('sh.handler', { method: 'GET', url: '/api/orders?orgUnit=BJ' })).statusCode).toBe(403);
      expect((await as('sh.handler', { method: 'GET', url: `/api/orders/${bjOrder}` })).statusCode).toBe(404);
      expect((await as('sh.handler', { method: 'PUT', url: `/api/orders/${bjOrder}/hosts/10.2.0.9`, payload: { state: 'cleaned' } })).statusCode).toBe(404);

      // failed log-ins are events (the lean table): searched with kind=event, scoped the same way
      const events = '/api/alerts?kind=event&from=2000-01-01T00:00:00Z';
      const alerts = (await as('sh.handler', { method: 'GET', url: events })).json().items as Array<{ id: number; alert: { source: { ip: string } } }>;
      expect(alerts.map((a) => a.alert.source.ip)).toEqual(['10.164.2.33']);
      const all = (await h.req({ method: 'GET', url: events, as: 'admin' })).json().items as Array<{ id: number; alert: { source: { ip: string } } }>;
      const bjAlert = all.find((a) => a.alert.source.ip === '10.2.3.4')!;
      expect((await as('sh.handler', { method: 'GET', url: `/api/alerts/${bjAlert.id}` })).statusCode).toBe(404);
      expect((await h.req({ method: 'GET', url: `/api/alerts/${bjAlert.id}`, as: 'admin' })).json().original).toContain('bj-fs01 sshd[2122]');
      expect((await as('sh.handler', { method: 'GET', url: '/api/alerts?orgUnit=BJ' })).statusCode).toBe(403);
      expect((await as('sh.handler', { method: 'GET', url: `${events}&orgUnit=BJ` })).statusCode).toBe(403);
    });

    it("shows a cross-branch incident with only the branch's own hosts", async () => {
      const r = await as('sh.handler', { method: 'GET', url: `/api/incidents/${both}` });
      expect(r.statusCode).toBe(200);
      expect(r.json().assets.map((a: { ip: string }) => a.ip)).toEqual(['10.164.1.20']);
      const hq = await as('sh.commander', { method: 'GET', url: `/api/incidents/${both}` });
      expect(hq.json().assets.map((a: { ip: string }) => a.ip).sort()).toEqual(['10.164.1.20', '10.2.0.10']);
    });

    it("creates a branch user's incident in the branch, never in another; merging across incidents is for headquarters", async () => {
      const own = await as('sh.handler', { method: 'POST', url: '/api/incidents', payload: { title: '分公司自建事件', type: 'scanning' } });
      expect(own.statusCode, own.body).toBe(201);
      expect(own.json().orgUnit).toBe('SH');
      expect((await as('sh.handler', { method: 'POST', url: '/api/incidents', payload: { title: '越界', type: 'scanning', orgUnit: 'BJ' } })).statusCode).toBe(403);
      expect((await as('sh.handler', { method: 'PATCH', url: `/api/incidents/${shOnly}`, payload: { orgUnit: 'BJ' } })).statusCode).toBe(403);
    });

    it("counts only the branch's own on the dashboard", async () => {
      const mine = (await as('sh.handler', { method: 'GET', url: '/api/stats?to=2026-12-31T00:00:00Z&periodDays=366' })).json();
      expect(mine.openByBranch.map((b: { orgUnit: string }) => b.orgUnit).sort()).toEqual(['BJ', 'SH']); // the cross-branch incident is Beijing's, and touches Shanghai
      expect(mine.openByBranch.find((b: { orgUnit: string }) => b.orgUnit === 'BJ').open).toBe(1);
      const all = (await as('sh.commander', { method: 'GET', url: '/api/stats?to=2026-12-31T00:00:00Z&periodDays=366' })).json();
      expect(all.openByBranch.find((b: { orgUnit: string }) => b.orgUnit === 'BJ').open).toBe(2);
      expect(mine.times.incidents).toBeLessThan(all.times.incidents);
    });

    it('lets headquarters roles and headquarters users see every branch', async () => {
      for (const u of ['sh.commander', 'hq.handler']) {
        expect((await as(u, { method: 'GET', url: `/api/incidents/${bjOnly}` })).statusCode).toBe(200);
        const ids = (await as(u, { method: 'GET', url: '/api/incidents?limit=100' })).json().items.map((i: { id: string }) => i.id);
        expect(ids).toEqual(expect.arrayContaining([shOnly, bjOnly, both]));
      }
    });
  });
}
