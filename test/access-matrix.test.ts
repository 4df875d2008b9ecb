/**
 * The authorization matrix (issue 11): every route of the OpenAPI document called by nobody, by
 * a headquarters user of every role and by a user of every branch-confined role from another
 * branch, each answer held to the one access table (src/http/access.ts) and the role grants:
 * - nobody: 401 unless the route is public;
 * - a role without the route's permission: 403 naming the permission;
 * - a role with it: never 401 or 403 (validation, not-found and success are all fine);
 * - a branch user with it, on another branch's incident, order, alert, report, finding, work item,
 *   occurrence or campaign: 404; on what
 *   reaches across branches: 403; asking a list for another branch: 403 (incidents: only that
 *   branch's incidents that touch the user's own); creating there: 403.
 * The table and the document must name the same routes: a new route without a row fails here
 * (and the server refuses to start).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS, type BranchRule, type NamedRecord } from '../src/http/access.js';
import { HEADQUARTERS_ROLES, ROLES, type Role, can } from '../src/domain/account/roles.js';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const SYSTEM = { kind: 'system', label: 'matrix' } as const;
const PASSWORD = 'matrix-user-password';

interface Actor {
  name: string;
  role?: Role;
  /** confined to the Shanghai branch */
  branch?: boolean;
  cookie?: string;
}

for (const dialect of DIALECTS) {
  describe(`the authorization matrix on ${dialect}`, () => {
    let h: Harness;
    const actors: Actor[] = [{ name: 'nobody' }];
    /** another branch's (Beijing's) records, named by the routes under test */
    const foreign: Record<NamedRecord, string> = { incident: '', order: '', alert: '', report: '', finding: '', workItem: '', occurrence: '', campaign: '', shift: '', block: '' };
    const named = (rule: BranchRule): rule is NamedRecord => rule in foreign;
    let routes: Array<{ method: string; url: string }> = [];

    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'SH', name: '上海分公司', kind: 'branch' });
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'BJ', name: '北京分公司', kind: 'branch' });
      await h.services.intake.setNetworkZones(SYSTEM, { internal: ['10.0.0.0/8'], internetFacing: [], orgUnits: { SH: ['10.164.0.0/16'], BJ: ['10.2.0.0/16'] } });
      const login = async (username: string, role: Role, orgUnit: string | null) => {
        await h.services.accounts.createUser(SYSTEM, { username, role, password: PASSWORD, orgUnit });
        const r = await h.req({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
        expect(r.statusCode, r.body).toBe(200);
        return r.headers['set-cookie']!.toString().split(';')[0]!;
      };
      for (const role of ROLES) actors.push({ name: `hq-${role}`, role, cookie: await login(`hq-${role}`, role, null) });
      for (const role of ROLES.filter((r) => !HEADQUARTERS_ROLES.includes(r))) actors.push({ name: `sh-${role}`, role, branch: true, cookie: await login(`sh-${role}`, role, 'SH') });

      const incident = await h.services.incidents.create(SYSTEM, { title: '北京木马', type: 'trojan', orgUnit: 'BJ', assets: [{ ip: '10.2.0.9', orgUnit: 'BJ' }] });
      foreign.incident = incident.id;
      foreign.order = String((await h.services.command.issueOrder(SYSTEM, incident.id, { orgUnit: 'BJ', instructions: '断网隔离' })).id);
      await h.services.intake.ingest([{ line: 1, text: 'Dec  2 04:50:02 bj-fs01 sshd[2122]: Failed password for root from 10.2.3.4 port 52144 ssh2' }], { channel: 'test' });
      const alerts = (await h.req({ method: 'GET', url: '/api/alerts?kind=event&from=2000-01-01T00:00:00Z', as: 'admin' })).json().items as Array<{ id: number }>;
      foreign.alert = String(alerts[0]!.id);
      await h.services.reports.setHeader(SYSTEM, { unitName: '某集团公司' });
      foreign.report = String((await h.services.reports.exportForm(SYSTEM, incident.id, 'incident_report', { format: 'md' })).id);
      const nmap = '<nmaprun scanner="nmap" version="7.93"><host><status state="up"/><address addr="10.2.0.9" addrtype="ipv4"/><ports><port protocol="tcp" portid="445"><state state="open"/></port></ports></host></nmaprun>';
      await h.services.findings.importScan(SYSTEM, Buffer.from(nmap));
      foreign.finding = String((await h.services.findings.list({ limit: 1, offset: 0 })).items[0]!.id);
      const work = await h.services.work.createItem(SYSTEM, { title: '北京基线检查', kind: 'baseline_check', rrule: 'FREQ=MONTHLY', start: '2026-11-01T09:00', dueDays: 7, owner: 'admin', orgUnit: 'BJ' });
      foreign.workItem = String(work.id);
      foreign.occurrence = String((await h.services.work.occurrences({ item: work.id, limit: 1, offset: 0 })).items[0]!.id);
      await h.services.roster.importShifts(SYSTEM, Buffer.from('日期,开始,结束,岗位,姓名,机构\n2026-11-25,08:00,20:00,监控,北京值班员,BJ\n'));
      foreign.shift = String((await h.services.roster.shifts({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', orgUnit: 'BJ' }))[0]!.id);
      foreign.block = String((await h.services.blocks.create(SYSTEM, { kind: 'ip', value: '198.51.100.9', reason: '北京事件的攻击来源', incidentId: incident.id })).id);
      foreign.campaign = String((await h.services.campaigns.create(SYSTEM, { title: '北京终端排查', kind: 'endpoint_sweep', scopeOrgUnits: ['BJ'], scopeAssets: [], startsOn: '2026-11-01', endsOn: '2026-12-31', lead: 'admin' })).id);

      const doc = (await h.req({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
      routes = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), url: p.replace(/\{(\w+)\}/g, ':$1') })));
    }, 120_000);
    afterAll(async () => h?.close());

    const PARAMS: Record<string, string> = { assetId: '999999', observableId: '999999', taskId: '999999', evidenceId: '999999', form: 'closing', level: '4', code: 'ZZ', version: '999', host: '10.2.0.9' };
    const path = (url: string, rule: BranchRule) =>
      url.replace(/:(\w+)/g, (_m, name: string) => {
        if ((name === 'id' || name === 'exportId') && named(rule)) return foreign[rule];
        if (name === 'id' && rule === 'headquarters' && url.startsWith('/api/incidents/')) return foreign.incident;
        return PARAMS[name] ?? '999999';
      });
    const call = (actor: Actor, method: string, url: string, payload?: unknown) =>
      h.app.inject({ method: method as 'GET', url, headers: actor.cookie ? { cookie: actor.cookie } : {}, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: (payload ?? {}) as object }) });

    it('has exactly one row per route of the API document', () => {
      const documented = routes.map((r) => `${r.method} ${r.url}`).sort();
      expect(Object.keys(ACCESS).sort()).toEqual(documented);
    });

    it('refuses to start with a route the table does not know, or whose declared access differs', async () => {
      const Fastify = (await import('fastify')).default;
      const { registerAuth } = await import('../src/http/auth.js');
      const app = Fastify();
      registerAuth(app, h.services.accounts);
      expect(() => app.get('/api/new-thing', { config: { access: 'incident.read' } }, async () => 'x')).toThrow('has no row in the access table');
      expect(() => app.get('/api/incidents', { config: { access: 'alerts.read' } }, async () => 'x')).toThrow('the access table says incident.read');
      await app.close();
    });

    it('answers every route, for every role and for another branch, as the table says', async () => {
      const wrong: string[] = [];
      for (const { method, url } of routes) {
        const [access, rule] = ACCESS[`${method} ${url}`]!;
        for (const actor of actors) {
          // the live stream never ends for one who may read it; only its refusals are checked
          if (url === '/api/events' && actor.role && can(actor.role, 'incident.read')) continue;
          // signing out ends the session the rest of the matrix uses
          if (url === '/api/auth/logout' && actor.cookie) continue;
          const allowed = access === 'public' || (actor.role !== undefined && (access === 'authenticated' || can(actor.role, access as never)));
          // an import names the branch of its hosts in the address: another branch's is refused
          const target = method === 'POST' && url === '/api/scans' ? `${path(url, rule)}?orgUnit=BJ` : path(url, rule);
          const created = { title: '越界', type: 'scanning', orgUnit: 'BJ' };
          // what is created in another branch is named whole, so that only its branch can be refused
          const bodies: Record<string, object> = {
            '/api/incidents': created,
            '/api/incidents/from-alerts': { ...created, alerts: [Number(foreign.alert)] },
            '/api/periodic/items': { title: '越界', kind: 'other', rrule: 'FREQ=MONTHLY', start: '2026-12-01T09:00', dueDays: 5, owner: 'admin', orgUnit: 'BJ' },
          };
          const r = await call(actor, method, target, method === 'POST' ? bodies[url] : undefined);
          let want: string;
          let ok: boolean;
          if (!actor.role && access !== 'public') [want, ok] = ['401', r.statusCode === 401];
          else if (!allowed) [want, ok] = ['403 naming the permission', r.statusCode === 403 && r.json().details?.permission === access];
          else if (actor.branch && named(rule)) [want, ok] = ['404', r.statusCode === 404];
          else if (actor.branch && (rule === 'headquarters' || rule === 'own')) [want, ok] = ['403', r.statusCode === 403];
          else [want, ok] = ['neither 401 nor 403', r.statusCode !== 401 && r.statusCode !== 403];
          if (!ok) wrong.push(`${method} ${target} as ${actor.name}: want ${want}, got ${r.statusCode} ${r.body.slice(0, 160)}`);
        }
        // a list asked for another branch
        if (rule === 'list') {
          for (const actor of actors.filter((a) => a.branch && a.role && can(a.role, access as never))) {
            const r = await call(actor, method, `${url}?orgUnit=BJ`);
            // incidents: that branch's incidents that also touch the user's own (none here); the other lists refuse
            if (url === '/api/incidents') {
              if (r.statusCode !== 200 || r.body.includes(foreign.incident)) wrong.push(`${method} ${url}?orgUnit=BJ as ${actor.name}: want 200 without ${foreign.incident}, got ${r.statusCode}`);
            } else if (r.statusCode !== 403) wrong.push(`${method} ${url}?orgUnit=BJ as ${actor.name}: want 403, got ${r.statusCode}`);
          }
        }
      }
      expect(wrong).toEqual([]);
      // nothing of Beijing's was changed by the refused calls
      expect((await h.services.incidents.get(foreign.incident)).title).toBe('北京木马');
    }, 120_000);
  });
}
