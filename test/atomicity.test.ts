/**
 * The audit row is written on the same transaction as the change: when the audit write fails,
 * the change is not kept either. Proven by taking the audit table away under a running server.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

for (const dialect of DIALECTS) {
  describe(`change and audit are one transaction on ${dialect}`, () => {
    let h: Harness;
    let id: string;
    beforeAll(async () => {
      h = await startHarness(dialect);
      id = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '原标题', type: 'phishing' }, as: 'handler' })).json().id;
    });
    afterAll(async () => h?.close());

    it('keeps neither the change nor its timeline entry when the audit row cannot be written, and says so without leaking internals', async () => {
      const before = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      await sql`ALTER TABLE audit_log RENAME TO audit_log_away`.execute(h.services.database.db);
      try {
        const r = await h.req({ method: 'POST', url: `/api/incidents/${id}/timeline`, payload: { occurredAt: '2026-11-25T01:00:00Z', text: '不应留下' }, as: 'handler' });
        expect(r.statusCode).toBe(500);
        expect(r.json()).toEqual({ code: 'internal', message: expect.stringMatching(/^internal error \(request [\w-]+\); the server log has the cause$/) });
        const p = await h.req({ method: 'PATCH', url: `/api/incidents/${id}`, payload: { title: '新标题' }, as: 'handler' });
        expect(p.statusCode).toBe(500);
      } finally {
        await sql`ALTER TABLE audit_log_away RENAME TO audit_log`.execute(h.services.database.db);
      }
      const after = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(after.title).toBe('原标题');
      expect(after.timeline).toEqual(before.timeline);
      expect(after.updatedAt).toBe(before.updatedAt);
    });

    it('of concurrent moves of one incident exactly one wins; the others see the phase it left', async () => {
      const { id: other } = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'race', type: 'scanning', assets: [{ ip: '192.0.2.1' }] }, as: 'handler' })).json();
      const d = (await h.req({ method: 'GET', url: `/api/incidents/${other}`, as: 'viewer' })).json();
      for (const t of d.tasks.filter((x: { phase: string }) => x.phase === 'discovery')) {
        await h.req({ method: 'PATCH', url: `/api/incidents/${other}/tasks/${t.id}`, payload: { status: 'done' }, as: 'handler' });
      }
      const results = await Promise.all(Array.from({ length: 6 }, () => h.req({ method: 'POST', url: `/api/incidents/${other}/phase`, payload: { to: 'report' }, as: 'handler' })));
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409, 409, 409]);
      const after = (await h.req({ method: 'GET', url: `/api/incidents/${other}`, as: 'viewer' })).json();
      expect(after.phaseHistory).toHaveLength(1);
    });

    it('comments stay possible on a closed incident; other changes do not', async () => {
      const c = await h.req({ method: 'POST', url: `/api/incidents/${id}/comments`, payload: { text: '已通知员工勿点击链接' }, as: 'monitor' });
      expect(c.statusCode, c.body).toBe(201);
      await h.req({ method: 'PATCH', url: `/api/incidents/${id}`, payload: { resolution: 'drill', conclusion: '钓鱼演练' }, as: 'commander' });
      const closed = await h.req({ method: 'POST', url: `/api/incidents/${id}/phase`, payload: { to: 'closed', override: true, reason: '演练结束' }, as: 'admin' });
      expect(closed.statusCode, closed.body).toBe(200);
      expect((await h.req({ method: 'POST', url: `/api/incidents/${id}/comments`, payload: { text: '复盘材料已归档' }, as: 'monitor' })).statusCode).toBe(201);
      expect((await h.req({ method: 'POST', url: `/api/incidents/${id}/assets`, payload: { ip: '10.0.0.1' }, as: 'monitor' })).statusCode).toBe(409);
      const d = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(d.comments.map((x: { text: string; author: string }) => [x.author, x.text])).toEqual([
        ['monitor-user', '已通知员工勿点击链接'],
        ['monitor-user', '复盘材料已归档'],
      ]);
    });
  });
}
