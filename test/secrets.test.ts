/**
 * Secrets at rest (issue 11), on each dialect: a channel's signing secret and the credentials a
 * support request hands over are stored sealed (AES-256-GCM) — the database, and so a backup,
 * never holds them in plain text — yet a message is still signed with the secret, and the command
 * group reads the credentials back (audited) while nobody else can, and no document holds them.
 * A secret stored before sealing existed is sealed at the next start. A wrong key is a clear error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const SECRET = 'SEC-dingtalk-signing-secret-1234';
const CREDENTIALS = '跳板机 10.1.9.9 账号 support01 / 口令 Vx9#q-2211-kk';

for (const dialect of DIALECTS) {
  describe(`secrets at rest on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
    });
    afterAll(async () => h?.close());

    const dump = async () => {
      const channels = await h.services.database.db.selectFrom('channels').selectAll().execute();
      const exportsRows = await h.services.database.db.selectFrom('report_exports').selectAll().execute();
      const audit = await h.services.database.db.selectFrom('audit_log').selectAll().execute();
      return JSON.stringify([channels, exportsRows, audit]);
    };

    it("seals a channel's secret in the database and still signs with it", async () => {
      const r = await h.req({ method: 'POST', url: '/api/channels', as: 'admin', payload: { name: '钉钉', kind: 'dingtalk', config: { url: 'https://oapi.dingtalk.com/robot/send?access_token=abc' }, secret: SECRET } });
      expect(r.statusCode, r.body).toBe(201);
      const stored = await h.services.database.db.selectFrom('channels').select('secret').where('id', '=', r.json().id).executeTakeFirstOrThrow();
      expect(stored.secret).toMatch(/^enc:v1:/);
      expect(await dump()).not.toContain(SECRET);
      // the sender gets the secret back, opened
      const channel = await (h.services.notify as unknown as { channel(id: number): Promise<{ secret: string }> }).channel(r.json().id);
      expect(channel.secret).toBe(SECRET);
    });

    it('seals the credentials a support request hands over, keeps them out of the document, and opens them for the command group only', async () => {
      const inc = (await h.req({ method: 'POST', url: '/api/incidents', as: 'monitor', payload: { title: '需要支援', type: 'trojan' } })).json();
      await h.services.reports.setHeader({ kind: 'system', label: 'test' }, { unitName: '某集团公司' });
      expect((await h.req({ method: 'POST', url: `/api/incidents/${inc.id}/reports/closing`, as: 'handler', payload: { format: 'md', credentials: CREDENTIALS } })).statusCode).toBe(400);
      const exported = await h.req({ method: 'POST', url: `/api/incidents/${inc.id}/reports/support_request`, as: 'handler', payload: { format: 'md', credentials: CREDENTIALS } });
      expect(exported.statusCode, exported.body).toBe(201);
      expect(exported.json()).toMatchObject({ hasCredentials: true });
      const id = exported.json().id;
      const doc = await h.req({ method: 'GET', url: `/api/reports/${id}/download`, as: 'viewer' });
      expect(doc.body).not.toContain('Vx9#q');
      expect(doc.body).toContain('登录凭据通过安全渠道另行提供');
      expect(await dump()).not.toContain('Vx9#q');
      expect((await h.req({ method: 'GET', url: `/api/reports/${id}/credentials`, as: 'handler' })).statusCode).toBe(403);
      const read = await h.req({ method: 'GET', url: `/api/reports/${id}/credentials`, as: 'commander' });
      expect(read.json()).toEqual({ credentials: CREDENTIALS });
      const audit = await h.services.database.db.selectFrom('audit_log').select(['action', 'actor']).where('action', '=', 'report.credentials.read').execute();
      expect(audit).toEqual([{ action: 'report.credentials.read', actor: 'commander-user' }]);
    });

    it('seals a secret stored in plain text by an earlier version at the next start, and refuses a wrong key clearly', async () => {
      await h.services.database.db.insertInto('channels').values({ name: 'legacy', kind: 'webhook', config: JSON.stringify({ url: 'https://soar.example/hook' }), secret: 'legacy-plain-secret', enabled: 1, created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z' }).execute();
      const config = loadConfig({ BIHUAN_DATA_DIR: h.db.dataDir, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { databaseUrl: h.db.url, logLevel: 'silent' });
      const again = await openServices(config);
      await again.close();
      expect(await dump()).not.toContain('legacy-plain-secret');
      // the key file of the data directory, owner-only
      expect(fs.statSync(path.join(h.db.dataDir, 'secret.key')).mode & 0o077).toBe(0);
      await expect(openServices(loadConfig({ BIHUAN_DATA_DIR: h.db.dataDir, BIHUAN_SECRET_KEY: 'too-short' }, { databaseUrl: h.db.url, logLevel: 'silent' }))).rejects.toThrow(/the secret key must be 32 bytes/);
    });
  });
}
