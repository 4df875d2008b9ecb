/**
 * Cross-site request forgery (issue 11, F8): a page on another site that makes the signed-in
 * admin's browser post to Bihuan — JSON, a text/plain form body, multipart — is refused by the
 * origin check, and nothing changes; the console's own requests, API tokens and curl pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { ADMIN_PASSWORD, type Harness, startHarness } from './support/harness.js';

const CSV = 'ip,hostname\n10.9.9.9,EVIL-REPLACED\n';

for (const dialect of DIALECTS) {
  describe(`cross-site requests on ${dialect}`, () => {
    let h: Harness;
    let cookie: string;
    beforeAll(async () => {
      h = await startHarness(dialect);
      const login = await h.req({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
      cookie = login.headers['set-cookie']!.toString().split(';')[0]!;
      await h.services.assets.import({ kind: 'system', label: 'test' }, 'ip,hostname\n10.164.1.8,SH-FS01\n');
    });
    afterAll(async () => h?.close());

    const inventory = async () => (await h.req({ method: 'GET', url: '/api/assets', as: 'viewer' })).json().map((a: { hostname: string }) => a.hostname);

    it('refuses a foreign page replacing the asset inventory with a text/plain post, whatever it claims', async () => {
      for (const headers of [
        { origin: 'http://evil.example', 'content-type': 'text/plain' },
        { origin: 'http://evil.example', 'content-type': 'text/csv' },
        { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
        { 'sec-fetch-site': 'same-site', 'content-type': 'text/plain' },
        { origin: 'null', 'content-type': 'text/plain' },
      ]) {
        const r = await h.app.inject({ method: 'POST', url: '/api/assets/import?replace=true', payload: CSV, headers: { cookie, ...headers } });
        expect(r.statusCode, JSON.stringify(headers)).toBe(403);
        expect(r.json().message).toContain('cross-site request refused');
      }
      expect(await inventory()).toEqual(['SH-FS01']);
    });

    it('refuses a foreign multipart post and a foreign JSON post', async () => {
      const boundary = '----x';
      const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`;
      const created = await h.req({ method: 'POST', url: '/api/incidents', as: 'admin', payload: { title: '证据', type: 'scanning' } });
      const id = created.json().id;
      const upload = await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/evidence`, payload: multipart, headers: { cookie, origin: 'https://evil.example', 'content-type': `multipart/form-data; boundary=${boundary}` } });
      expect(upload.statusCode).toBe(403);
      const user = await h.app.inject({ method: 'POST', url: '/api/users', payload: { username: 'intruder', role: 'admin', password: 'intruder-long-password' }, headers: { cookie, origin: 'https://evil.example' } });
      expect(user.statusCode).toBe(403);
      expect((await h.services.accounts.listUsers()).map((u) => u.username)).not.toContain('intruder');
      // and a foreign page cannot sign the browser in to an account of its choosing
      const login = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD }, headers: { origin: 'https://evil.example' } });
      expect(login.statusCode).toBe(403);
    });

    it("lets the console's own requests, API tokens from anywhere and cookie-jar tools through", async () => {
      const own = await h.app.inject({ method: 'POST', url: '/api/assets/import', payload: 'ip,hostname\n10.164.1.9,SH-DB01\n', headers: { cookie, origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin', 'content-type': 'text/csv' } });
      expect(own.statusCode, own.body).toBe(200);
      const token = await h.req({ method: 'POST', url: '/api/assets/import', payload: 'ip,hostname\n10.164.1.10,SH-AD01\n', headers: { origin: 'https://elsewhere.example', 'content-type': 'text/csv' }, as: 'admin' });
      expect(token.statusCode).toBe(200);
      const curl = await h.app.inject({ method: 'POST', url: '/api/assets/import', payload: 'ip,hostname\n10.164.2.3,SH-PC003\n', headers: { cookie, 'content-type': 'text/csv' } });
      expect(curl.statusCode).toBe(200);
      expect((await inventory()).sort()).toEqual(['SH-AD01', 'SH-DB01', 'SH-FS01', 'SH-PC003']);
    });
  });
}
