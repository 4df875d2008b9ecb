/**
 * One-time codes at log-in (issue 11, F10; RFC 6238 via otpauth), on each dialect: a user sets
 * them up and confirms with a first code; log-in then asks for the code, refuses a wrong one and
 * one used already (each counted as a failed log-in); an admin resets a lost phone. With the
 * setting, an admin without codes may do nothing but set them up.
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const SYSTEM = { kind: 'system', label: 'test' } as const;
const codeAt = (secret: string, t: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: t });

for (const dialect of DIALECTS) {
  describe(`one-time codes on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_REQUIRE_TOTP_FOR_ADMIN: 'true' });
    });
    afterAll(async () => h?.close());

    const login = (username: string, password: string, code?: string) => h.req({ method: 'POST', url: '/api/auth/login', payload: { username, password, ...(code ? { code } : {}) }, remoteAddress: `10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}` });
    const cookieOf = (r: { headers: Record<string, unknown> }) => String(r.headers['set-cookie']).split(';')[0]!;

    it('sets up codes, then asks for one at every log-in, refusing a wrong or reused one', async () => {
      await h.services.accounts.createUser(SYSTEM, { username: 'zhao.liu', role: 'handler', password: 'zhao-liu-long-password' });
      const first = await login('zhao.liu', 'zhao-liu-long-password');
      expect(first.statusCode).toBe(200);
      const session = { cookie: cookieOf(first) };
      const setup = await h.req({ method: 'POST', url: '/api/auth/totp', headers: session });
      expect(setup.statusCode, setup.body).toBe(200);
      const { secret, uri } = setup.json();
      expect(uri).toMatch(/^otpauth:\/\/totp\/Bihuan:zhao\.liu\?.*secret=/);
      // the secret is sealed in the database
      const stored = await h.services.database.db.selectFrom('users').select('totp_secret').where('username', '=', 'zhao.liu').executeTakeFirstOrThrow();
      expect(stored.totp_secret).toMatch(/^enc:v1:/);
      const now = h.clock.now().getTime();
      expect((await h.req({ method: 'POST', url: '/api/auth/totp/confirm', payload: { code: '000000' }, headers: session })).statusCode).toBe(400);
      expect((await h.req({ method: 'POST', url: '/api/auth/totp/confirm', payload: { code: codeAt(secret, now) }, headers: session })).json()).toEqual({ enabled: true });

      const noCode = await login('zhao.liu', 'zhao-liu-long-password');
      expect(noCode.statusCode).toBe(401);
      expect(noCode.json()).toMatchObject({ details: { totpRequired: true } });
      // the confirming code was used: it does not sign in again
      expect((await login('zhao.liu', 'zhao-liu-long-password', codeAt(secret, now))).statusCode).toBe(401);
      h.clock.advance(1);
      const good = await login('zhao.liu', 'zhao-liu-long-password', codeAt(secret, h.clock.now().getTime()));
      expect(good.statusCode, good.body).toBe(200);
      expect((await login('zhao.liu', 'zhao-liu-long-password', codeAt(secret, h.clock.now().getTime()))).statusCode).toBe(401);
      // a code for the right password but wrong code counts towards the lock-out
      const row = await h.services.database.db.selectFrom('users').select('failed_logins').where('username', '=', 'zhao.liu').executeTakeFirstOrThrow();
      expect(row.failed_logins).toBeGreaterThanOrEqual(1);
      // a lost phone: the admin resets, the user signs in with the password again
      const user = (await h.services.accounts.listUsers()).find((u) => u.username === 'zhao.liu')!;
      expect((await h.req({ method: 'PATCH', url: `/api/users/${user.id}`, payload: { resetTotp: true }, as: 'admin' })).statusCode).toBe(200);
      expect((await login('zhao.liu', 'zhao-liu-long-password')).statusCode).toBe(200);
    });

    it('lets an admin without codes do nothing but set them up, when the setting requires codes of admins', async () => {
      await h.services.accounts.createUser(SYSTEM, { username: 'second.admin', role: 'admin', password: 'second-admin-long-password' });
      const r = await login('second.admin', 'second-admin-long-password');
      const session = { cookie: cookieOf(r) };
      const me = await h.req({ method: 'GET', url: '/api/auth/me', headers: session });
      expect(me.json()).toMatchObject({ permissions: [], totp: { enabled: false, required: true, mustEnrol: true } });
      const blocked = await h.req({ method: 'GET', url: '/api/users', headers: session });
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json()).toMatchObject({ details: { totpEnrolmentRequired: true } });
      const { secret } = (await h.req({ method: 'POST', url: '/api/auth/totp', headers: session })).json();
      await h.req({ method: 'POST', url: '/api/auth/totp/confirm', payload: { code: codeAt(secret, h.clock.now().getTime()) }, headers: session });
      expect((await h.req({ method: 'GET', url: '/api/users', headers: session })).statusCode).toBe(200);
    });
  });
}
