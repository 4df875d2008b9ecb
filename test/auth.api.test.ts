/** Accounts over HTTP: log-in and session cookie, API tokens, roles on every endpoint, secrets never returned. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { ADMIN_PASSWORD, type Harness, startHarness } from './support/harness.js';

for (const dialect of DIALECTS) {
  describe(`accounts on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(async () => h?.close());

    const login = async (username: string, password: string) => h.req({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

    it('signs in with a password into an HTTP-only, same-site session cookie, and out again', async () => {
      const r = await login('admin', ADMIN_PASSWORD);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().user).toMatchObject({ username: 'admin', role: 'admin' });
      expect(JSON.stringify(r.json())).not.toContain('password');
      const setCookie = String(r.headers['set-cookie']);
      expect(setCookie).toMatch(/^bihuan_session=[\w-]{40,};/);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Strict');
      const cookie = setCookie.split(';')[0]!;
      const me = await h.req({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
      expect(me.json()).toMatchObject({ user: { username: 'admin' }, via: 'session' });
      // only a hash of the session id is stored
      const sid = cookie.split('=')[1]!;
      const rows = await h.services.database.db.selectFrom('sessions').select('token_hash').execute();
      expect(rows.some((s) => s.token_hash === sid)).toBe(false);
      await h.req({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
      expect((await h.req({ method: 'GET', url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    });

    it('sets the Secure flag when the request came over HTTPS (behind a proxy) or when configured', async () => {
      const p = await startHarness(dialect, { BIHUAN_COOKIE_SECURE: 'always' });
      try {
        const r = await p.req({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
        expect(String(r.headers['set-cookie'])).toContain('Secure');
      } finally {
        await p.close();
      }
    });

    it('limits log-in attempts per address and says when to retry', async () => {
      const p = await startHarness(dialect, { BIHUAN_LOGIN_ATTEMPTS_PER_MINUTE: '3' });
      try {
        const attempt = () => p.req({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'guess-guess-guess' } });
        for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
        const r = await attempt();
        expect(r.statusCode).toBe(429);
        expect(r.json()).toMatchObject({ code: 'rate_limited', details: { retryAfterSeconds: expect.any(Number) } });
        expect(r.headers['retry-after']).toBeDefined();
        // even the right password waits: the limit is per address, not per success
        expect((await p.req({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } })).statusCode).toBe(429);
      } finally {
        await p.close();
      }
    });

    it('refuses a wrong password or unknown user with the same message, and a disabled user', async () => {
      const a = await login('admin', 'wrong-password!');
      const b = await login('nobody', 'wrong-password!');
      expect(a.statusCode).toBe(401);
      expect(b.json().message).toBe(a.json().message);
      const created = await h.req({ method: 'POST', url: '/api/users', payload: { username: 'leaver', role: 'handler', password: 'leaver-password' }, as: 'admin' });
      expect(created.statusCode, created.body).toBe(201);
      expect((await login('leaver', 'leaver-password')).statusCode).toBe(200);
      await h.req({ method: 'PATCH', url: `/api/users/${created.json().user.id}`, payload: { disabled: true }, as: 'admin' });
      expect((await login('leaver', 'leaver-password')).statusCode).toBe(401);
    });

    it('moves a user out of an org unit with null, and keeps an e-mail address for notifications', async () => {
      await h.req({ method: 'PUT', url: '/api/org-units/SH', payload: { name: '上海分公司', kind: 'branch' }, as: 'admin' });
      const created = await h.req({ method: 'POST', url: '/api/users', payload: { username: 'branch-admin', role: 'handler', password: 'a-good-password', orgUnit: 'SH', email: 'sh-admin@soc.example' }, as: 'admin' });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json().user).toMatchObject({ orgUnit: 'SH', email: 'sh-admin@soc.example' });
      // null was once coerced to "" by the validator, which broke the org unit's foreign key (500)
      const moved = await h.req({ method: 'PATCH', url: `/api/users/${created.json().user.id}`, payload: { orgUnit: null, email: null }, as: 'admin' });
      expect(moved.statusCode, moved.body).toBe(200);
      expect(moved.json()).toMatchObject({ orgUnit: null, email: null });
      const bad = await h.req({ method: 'PATCH', url: `/api/users/${created.json().user.id}`, payload: { email: 'not an address' }, as: 'admin' });
      expect(bad.statusCode).toBe(400);
    });

    it('creates API tokens shown once and stored only as a hash; revoked tokens stop working', async () => {
      await h.services.accounts.createUser({ kind: 'system', label: 'test' }, { username: 'monitor-user', role: 'monitor', password: 'monitor-user-password' });
      const login = await h.req({ method: 'POST', url: '/api/auth/login', payload: { username: 'monitor-user', password: 'monitor-user-password' } });
      const headers = { cookie: login.headers['set-cookie']!.toString().split(';')[0]! };
      const r = await h.req({ method: 'POST', url: '/api/tokens', payload: { name: 'suricata forwarder' }, headers });
      expect(r.statusCode, r.body).toBe(201);
      const { token, info } = r.json();
      expect(token).toMatch(/^bh_[\w-]{40,}$/);
      expect(info.prefix).toBe(token.slice(0, 9));
      const stored = await h.services.database.db.selectFrom('api_tokens').selectAll().where('id', '=', info.id).executeTakeFirstOrThrow();
      expect(stored.token_hash).not.toContain(token.slice(3));
      const listed = await h.req({ method: 'GET', url: '/api/tokens', headers });
      expect(listed.body).not.toContain(token);
      const me = await h.req({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.json()).toMatchObject({ user: { username: 'monitor-user' }, via: 'token' });
      await h.req({ method: 'DELETE', url: `/api/tokens/${info.id}`, headers });
      const after = await h.req({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(after.statusCode).toBe(401);
      expect(after.json().message).toContain('revoked');
      // a non-admin may not mint tokens for someone else
      const other = await h.req({ method: 'POST', url: '/api/tokens', payload: { name: 'x', userId: 1 }, headers });
      expect(other.statusCode).toBe(403);
    });

    it('lets only a person mint tokens; a new password or disabling the user revokes their tokens, service tokens excepted (F9)', async () => {
      const { user } = await h.services.accounts.createUser({ kind: 'system', label: 'test' }, { username: 'forwarder', role: 'ingest', password: 'forwarder-first-password' });
      const login = await h.req({ method: 'POST', url: '/api/auth/login', payload: { username: 'forwarder', password: 'forwarder-first-password' } });
      const session = { cookie: login.headers['set-cookie']!.toString().split(';')[0]! };
      const minted = await h.req({ method: 'POST', url: '/api/tokens', payload: { name: 'own' }, headers: session });
      expect(minted.statusCode, minted.body).toBe(201);
      const bearer = { authorization: `Bearer ${minted.json().token}` };
      // a token cannot make itself a successor
      const chained = await h.req({ method: 'POST', url: '/api/tokens', payload: { name: 'successor' }, headers: bearer });
      expect(chained.statusCode).toBe(403);
      expect(chained.json().message).toContain('sign in as a person');
      // only an admin marks a service token
      expect((await h.req({ method: 'POST', url: '/api/tokens', payload: { name: 'svc', service: true }, headers: session })).statusCode).toBe(403);
      const adminLogin = await h.req({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
      const admin = { cookie: adminLogin.headers['set-cookie']!.toString().split(';')[0]! };
      const service = await h.req({ method: 'POST', url: '/api/tokens', payload: { name: 'suricata forwarder', userId: user.id, service: true }, headers: admin });
      expect(service.statusCode, service.body).toBe(201);
      expect(service.json().info.service).toBe(true);
      const serviceBearer = { authorization: `Bearer ${service.json().token}` };
      // the password changes: the person's token and session end, the service token goes on
      expect((await h.req({ method: 'PATCH', url: `/api/users/${user.id}`, payload: { password: 'forwarder-second-password' }, headers: admin })).statusCode).toBe(200);
      expect((await h.req({ method: 'GET', url: '/api/auth/me', headers: bearer })).statusCode).toBe(401);
      expect((await h.req({ method: 'GET', url: '/api/auth/me', headers: session })).statusCode).toBe(401);
      expect((await h.req({ method: 'GET', url: '/api/auth/me', headers: serviceBearer })).statusCode).toBe(200);
      const audit = await h.services.database.db.selectFrom('audit_log').select(['action', 'after']).where('action', '=', 'token.revoke').where('entity_id', '=', String(user.id)).executeTakeFirst();
      expect(JSON.parse(audit!.after!)).toMatchObject({ tokensRevoked: 1, why: 'password changed' });
    });

    it('refuses weak passwords, locks an account after repeated failures until an admin unlocks it, and strengthens old hashes at log-in (F10)', async () => {
      const create = (username: string, password: string) => h.req({ method: 'POST', url: '/api/users', as: 'admin', payload: { username, role: 'viewer', password } });
      const short = await create('li.si', 'short-pw-11');
      expect(short.statusCode).toBe(400);
      expect((await create('li.si', 'P@ssw0rd1234')).json().message).toContain('attackers try first');
      expect((await create('li.si', 'li.si1234567')).json().message).toContain('user name');
      expect((await create('li.si', 'aaaaaaaaaaaaaaab')).json().message).toContain('too few characters');
      const ok = await create('li.si', 'correct horse battery');
      expect(ok.statusCode, ok.body).toBe(201);
      const id = ok.json().user.id as number;

      const attempt = (password: string) => h.req({ method: 'POST', url: '/api/auth/login', payload: { username: 'li.si', password }, remoteAddress: `10.9.0.${Math.floor(Math.random() * 250) + 1}` });
      for (let i = 0; i < 5; i++) expect((await attempt(`wrong password ${i}`)).statusCode).toBe(401);
      // locked: even the right password is refused, with the same answer
      const locked = await attempt('correct horse battery');
      expect(locked.statusCode).toBe(401);
      expect(locked.json().message).toBe('wrong user name or password, or the account is disabled or locked');
      const audit = await h.services.database.db.selectFrom('audit_log').select(['action', 'after']).where('entity_type', '=', 'user').where('entity_id', '=', String(id)).where('action', '=', 'user.locked').execute();
      expect(audit).toHaveLength(1);
      expect((await h.req({ method: 'PATCH', url: `/api/users/${id}`, as: 'admin', payload: { unlock: true } })).statusCode).toBe(200);
      expect((await attempt('correct horse battery')).statusCode).toBe(200);
      expect(await h.services.database.db.selectFrom('audit_log').select('action').where('entity_id', '=', String(id)).where('action', '=', 'user.unlock').executeTakeFirst()).toBeTruthy();

      // a hash from an older version (scrypt N=2^14) is made again, stronger, at the next good log-in
      const crypto = await import('node:crypto');
      const salt = crypto.randomBytes(16);
      const key = crypto.scryptSync('correct horse battery', salt, 32, { N: 16384, r: 8, p: 1 });
      await h.services.database.db.updateTable('users').set({ password_hash: `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}` }).where('id', '=', id).execute();
      expect((await attempt('correct horse battery')).statusCode).toBe(200);
      const rehashed = await h.services.database.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow();
      expect(rehashed.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    });

    it('keeps 401 (who are you?) and 403 (you may not) apart, per role', async () => {
      const body = { title: 't', type: 'scanning' };
      expect((await h.req({ method: 'POST', url: '/api/incidents', payload: body })).statusCode).toBe(401);
      expect((await h.req({ method: 'POST', url: '/api/incidents', payload: body, headers: { authorization: 'Bearer bh_forged' } })).statusCode).toBe(401);
      expect((await h.req({ method: 'POST', url: '/api/incidents', payload: body, headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
      const viewer = await h.req({ method: 'POST', url: '/api/incidents', payload: body, as: 'viewer' });
      expect(viewer.statusCode).toBe(403);
      expect(viewer.json()).toMatchObject({ code: 'forbidden', details: { permission: 'incident.create', role: 'viewer' } });
      for (const role of ['monitor', 'handler', 'commander', 'admin'] as const) {
        expect((await h.req({ method: 'POST', url: '/api/incidents', payload: body, as: role })).statusCode, role).toBe(201);
      }
      expect((await h.req({ method: 'PUT', url: '/api/grading', payload: { entries: [] }, as: 'commander' })).statusCode).toBe(403);
      expect((await h.req({ method: 'POST', url: '/api/users', payload: { username: 'x1', role: 'viewer' }, as: 'commander' })).statusCode).toBe(403);
    });

    it('refuses every API endpoint without credentials, except log-in, log-out and health', async () => {
      const doc = (await h.req({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
      const open: string[] = [];
      for (const [p, methods] of Object.entries(doc.paths)) {
        for (const method of Object.keys(methods)) {
          const url = p.replace('{id}', 'INC-20260101-0001').replace(/\{[^}]+\}/g, '1');
          const r = await h.app.inject({ method: method.toUpperCase() as 'GET', url, payload: method === 'get' || method === 'delete' ? undefined : {} });
          if (r.statusCode !== 401) open.push(`${method.toUpperCase()} ${p} → ${r.statusCode}`);
        }
      }
      expect(open.sort()).toEqual(['GET /api/health → 200', 'POST /api/auth/login → 400', 'POST /api/auth/logout → 204']);
      expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
    });

    it('keeps each person\'s saved queue filters on the server: their own, named once, bounded', async () => {
      expect((await h.req({ method: 'GET', url: '/api/me/filters', as: 'handler' })).json()).toEqual([]);
      const mine = [{ name: '我的超时 1 级', filter: { level: [1], overdue: true } }, { name: '上海', filter: { orgUnit: 'SH', phase: ['discovery', 'report'] } }];
      let r = await h.req({ method: 'PUT', url: '/api/me/filters', payload: mine, as: 'handler' });
      expect(r.statusCode, r.body).toBe(200);
      expect((await h.req({ method: 'GET', url: '/api/me/filters', as: 'handler' })).json()).toEqual(mine);
      // another person's are their own
      expect((await h.req({ method: 'GET', url: '/api/me/filters', as: 'viewer' })).json()).toEqual([]);
      r = await h.req({ method: 'PUT', url: '/api/me/filters', payload: [mine[0], mine[0]], as: 'handler' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'PUT', url: '/api/me/filters', payload: [{ name: 'x', filter: { phase: ['nowhere'] } }], as: 'handler' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'PUT', url: '/api/me/filters', payload: Array.from({ length: 21 }, (_, i) => ({ name: `f${i}`, filter: {} })), as: 'handler' });
      expect(r.statusCode).toBe(400);
      // nothing of a refused change was kept
      expect((await h.req({ method: 'GET', url: '/api/me/filters', as: 'handler' })).json()).toEqual(mine);
    });

    it('creates users with a generated password shown once, never returning hashes', async () => {
      const r = await h.req({ method: 'POST', url: '/api/users', payload: { username: 'zhang.san', displayName: '张三', role: 'commander' }, as: 'admin' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().generatedPassword).toMatch(/^[\w-]{20,}$/);
      expect((await login('zhang.san', r.json().generatedPassword)).statusCode).toBe(200);
      const users = await h.req({ method: 'GET', url: '/api/users', as: 'viewer' });
      expect(users.body).not.toMatch(/scrypt|password/i);
      const dup = await h.req({ method: 'POST', url: '/api/users', payload: { username: 'zhang.san', role: 'viewer' }, as: 'admin' });
      expect(dup.statusCode).toBe(409);
      const weak = await h.req({ method: 'POST', url: '/api/users', payload: { username: 'li.si', role: 'viewer', password: 'short' }, as: 'admin' });
      expect(weak.statusCode).toBe(400);
      expect(weak.json().details[0]).toMatchObject({ field: 'password' });
      const audit = await h.req({ method: 'GET', url: '/api/audit?entityType=user', as: 'admin' });
      expect(audit.body).not.toMatch(/scrypt\$/);
    });

    it('will not demote or disable the last admin', async () => {
      const r = await h.req({ method: 'PATCH', url: '/api/users/1', payload: { role: 'viewer' }, as: 'admin' });
      expect(r.statusCode).toBe(409);
      expect(r.json().message).toContain('last active admin');
    });
  });
}
