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
});
