/** Evidence files: stored durably with their SHA-256, downloadable, size-limited. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { multipart } from './support/files.js';
import { type Harness, startHarness } from './support/harness.js';

for (const dialect of DIALECTS) {
  describe(`evidence on ${dialect}`, () => {
    let h: Harness;
    let id: string;
    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_EVIDENCE_MAX_BYTES: String(64 * 1024) });
      const r = await h.req({ method: 'POST', url: '/api/incidents', payload: { title: 'webshell', type: 'trojan' }, as: 'handler' });
      id = r.json().id;
    });
    afterAll(async () => h?.close());

    it('stores an uploaded file with its SHA-256 and gives back exactly the same bytes', async () => {
      const content = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i % 251));
      const sha = createHash('sha256').update(content).digest('hex');
      const { payload, headers } = multipart('System.evtx', content, '10.164.1.8 的系统日志');
      const r = await h.req({ method: 'POST', url: `/api/incidents/${id}/evidence`, payload, headers, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ sha256: sha, size: content.length, filename: 'System.evtx' });
      const stored = path.join(h.db.dataDir, 'evidence', sha.slice(0, 2), sha);
      expect(fs.readFileSync(stored).equals(content)).toBe(true);
      const d = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(d.evidence).toEqual([expect.objectContaining({ sha256: sha, size: content.length, note: '10.164.1.8 的系统日志', uploadedBy: 'handler-user' })]);
      expect(d.timeline.at(-1)).toMatchObject({ kind: 'evidence_added' });
      const dl = await h.req({ method: 'GET', url: `/api/incidents/${id}/evidence/${d.evidence[0].id}`, as: 'viewer' });
      expect(dl.statusCode).toBe(200);
      expect(dl.rawPayload.equals(content)).toBe(true);
      expect(dl.headers['x-content-sha256']).toBe(sha);
      expect(dl.headers['content-disposition']).toContain('System.evtx');
    });

    it('refuses a file over the size limit with 413 and keeps nothing of it', async () => {
      const before = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json().evidence.length;
      const { payload, headers } = multipart('big.bin', Buffer.alloc(100 * 1024, 7));
      const r = await h.req({ method: 'POST', url: `/api/incidents/${id}/evidence`, payload, headers, as: 'handler' });
      expect(r.statusCode).toBe(413);
      expect(r.json()).toMatchObject({ code: 'payload_too_large', details: { limitBytes: 64 * 1024 } });
      expect((await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json().evidence.length).toBe(before);
      expect(fs.readdirSync(path.join(h.db.dataDir, 'evidence', 'tmp'))).toEqual([]);
    });

    it('needs a file field, write permission, and an existing incident', async () => {
      let r = await h.req({ method: 'POST', url: `/api/incidents/${id}/evidence`, payload: { a: 1 }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      const { payload, headers } = multipart('x.txt', Buffer.from('x'));
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/evidence`, payload, headers, as: 'viewer' });
      expect(r.statusCode).toBe(403);
      r = await h.req({ method: 'POST', url: '/api/incidents/INC-20200101-0001/evidence', payload, headers, as: 'handler' });
      expect(r.statusCode).toBe(404);
      r = await h.req({ method: 'GET', url: `/api/incidents/${id}/evidence/9999`, as: 'viewer' });
      expect(r.statusCode).toBe(404);
    });
  });
}
