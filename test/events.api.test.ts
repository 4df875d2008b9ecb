/**
 * Live updates: a console connected to /api/events over a real socket is told, within about a
 * second, which incident changed — whoever changed it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

describe('server-sent events', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness('sqlite');
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => h?.close());

  it('needs credentials', async () => {
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
  });

  it('tells an open screen which incident changed', async () => {
    const controller = new AbortController();
    const r = await fetch(`${base}/api/events`, { headers: await h.as('viewer'), signal: controller.signal });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const reader = r.body!.getReader();
    const created = await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '外网扫描 203.0.113.7', type: 'scanning' }, as: 'monitor' });
    expect(created.statusCode).toBe(201);
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('event: incidents') && Date.now() < deadline) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const data = /event: incidents\ndata: (.*)\n/.exec(text)?.[1];
    expect(JSON.parse(data!)).toEqual([created.json().id]);
  });

  it('caps the streams one user holds, so that one viewer cannot starve an admin, and frees a place when one closes', async () => {
    const { MAX_STREAMS_PER_USER } = await import('../src/http/events.routes.js');
    const viewer = await h.as('viewer');
    const controllers: AbortController[] = [];
    const open = async (headers: Record<string, string>) => {
      const c = new AbortController();
      const r = await fetch(`${base}/api/events`, { headers, signal: c.signal });
      controllers.push(c);
      return r;
    };
    for (let i = 0; i < MAX_STREAMS_PER_USER; i++) expect((await open(viewer)).status).toBe(200);
    const refused = await open(viewer);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { code: string }).code).toBe('rate_limited');
    expect((await open(await h.as('admin'))).status).toBe(200);
    controllers[0]!.abort();
    await new Promise((r) => setTimeout(r, 200));
    expect((await open(viewer)).status).toBe(200);
    for (const c of controllers) c.abort();
  });

  it("tells a branch's screen only of incidents that touch its branch", async () => {
    const SYSTEM = { kind: 'system', label: 'test' } as const;
    await h.services.settings.saveOrgUnit(SYSTEM, { code: 'SH', name: '上海分公司', kind: 'branch' });
    await h.services.settings.saveOrgUnit(SYSTEM, { code: 'BJ', name: '北京分公司', kind: 'branch' });
    const { user } = await h.services.accounts.createUser(SYSTEM, { username: 'sh.watcher', role: 'viewer', password: null, orgUnit: 'SH' });
    const { token } = await h.services.accounts.createToken(SYSTEM, user.id, 'screen');
    const controller = new AbortController();
    const r = await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    const reader = r.body!.getReader();
    const bj = await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '北京的事', type: 'scanning', orgUnit: 'BJ' }, as: 'admin' });
    await new Promise((res) => setTimeout(res, 1500));
    const sh = await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '上海的事', type: 'scanning', orgUnit: 'SH' }, as: 'admin' });
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes(sh.json().id) && Date.now() < deadline) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain(sh.json().id);
    expect(text).not.toContain(bj.json().id);
  });
});
