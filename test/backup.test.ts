/**
 * Backup and restore (issue 11), through the CLI on real files: a running product's incidents,
 * alerts, evidence and exported reports go into one file while it serves; restored into an
 * empty installation they come back the same — the same incidents, alerts, evidence bytes, report
 * hashes and an intact audit chain. A damaged backup, a database in use and one holding data are
 * refused before anything is replaced.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../src/app.js';
import { runCli } from '../src/cli/program.js';
import { loadConfig } from '../src/config.js';
import { type Harness, startHarness } from './support/harness.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function multipart(filename: string, content: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----bihuan-backup-boundary';
  const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('bihuan backup and restore', () => {
  let h: Harness;
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-restored-'));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-backups-')), 'bihuan-2026-11-29.bak');
  const cli = async (dataDir: string, ...args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s), env: { BIHUAN_DATA_DIR: dataDir, BIHUAN_TIMEZONE: 'Asia/Shanghai', PATH: process.env.PATH } });
    return { code, out, err };
  };
  const evidence = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
  let incidentId: string;
  let reportSha: string;

  beforeAll(async () => {
    h = await startHarness('sqlite');
    const created = await h.req({ method: 'POST', url: '/api/incidents', as: 'admin', payload: { title: '备份前的事件', type: 'trojan', assets: [{ ip: '10.164.1.8' }] } });
    incidentId = created.json().id;
    const { payload, headers } = multipart('memory.dmp', evidence);
    expect((await h.req({ method: 'POST', url: `/api/incidents/${incidentId}/evidence`, payload, headers, as: 'handler' })).statusCode).toBe(201);
    await h.req({ method: 'POST', url: '/api/alerts', as: 'ingest', headers: { 'content-type': 'text/plain' }, payload: fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures/intake/auth.log'), 'utf8') });
    await h.services.reports.setHeader({ kind: 'system', label: 'test' }, { unitName: '某集团公司' });
    const exported = await h.req({ method: 'POST', url: `/api/incidents/${incidentId}/reports/closing`, as: 'admin', payload: { format: 'docx' } });
    expect(exported.statusCode, exported.body).toBe(201);
    reportSha = exported.json().sha256;
  });
  afterAll(async () => {
    await h?.close();
    fs.rmSync(other, { recursive: true, force: true });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('backs up a running installation into one file and restores it whole into an empty one', async () => {
    const backup = await cli(h.db.dataDir, '--database', h.db.url, 'backup', file);
    expect(backup.code, backup.err).toBe(0);
    expect(backup.out).toMatch(/backup written to .*: 1 incident\(s\), 0 alert\(s\), 5 event\(s\), \d+ audit row\(s\), 2 stored file\(s\)/);
    expect((await cli(h.db.dataDir, '--database', h.db.url, 'backup', file)).err).toContain('exists already');

    const restored = await cli(other, 'restore', file);
    expect(restored.code, restored.err).toBe(0);
    expect(restored.out).toContain('1 incident(s), 0 alert(s), 5 event(s), 2 stored file(s)');

    let s: Services | undefined;
    try {
      s = await openServices(loadConfig({ BIHUAN_DATA_DIR: other, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { logLevel: 'silent' }), { now: h.clock.now });
      const before = await h.services.incidents.get(incidentId);
      const after = await s.incidents.get(incidentId);
      expect(after).toEqual(before);
      const stream = s.evidence.open(after.evidence[0]!.sha256);
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      expect(sha(Buffer.concat(chunks))).toBe(sha(evidence));
      const [report] = await s.reports.exports(incidentId);
      expect(report!.sha256).toBe(reportSha);
      expect(fs.existsSync(path.join(other, 'evidence', reportSha.slice(0, 2), reportSha))).toBe(true);
      expect(Number((await s.database.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(5);
    } finally {
      await s?.close();
    }
    const verify = await cli(other, 'audit', 'verify');
    expect(verify.out).toContain('audit trail intact');
  });

  it('refuses a database in use, one that holds incidents (unless forced), and a damaged backup — replacing nothing', async () => {
    const s = await openServices(loadConfig({ BIHUAN_DATA_DIR: other, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { logLevel: 'silent' }));
    try {
      await s.database.db.selectFrom('incidents').select('id').execute();
      const busy = await cli(other, 'restore', file, '--force');
      expect(busy.code).toBe(1);
      expect(busy.err).toContain('is in use (is a Bihuan server running on it?)');
    } finally {
      await s.close();
    }
    const held = await cli(other, 'restore', file);
    expect(held.err).toContain('holds incidents already: restoring replaces them all; run again with --force');
    expect((await cli(other, 'restore', file, '--force')).code).toBe(0);

    const damaged = path.join(path.dirname(file), 'damaged.bak');
    const bytes = fs.readFileSync(file);
    // flip bytes inside the stored evidence (the largest part of the file)
    for (let i = bytes.length - 200_000; i < bytes.length - 199_000; i++) bytes[i] = bytes[i]! ^ 0xff;
    fs.writeFileSync(damaged, bytes);
    const refused = await cli(other, 'restore', damaged, '--force');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/damaged/);
    const notBackup = path.join(path.dirname(file), 'notes.txt');
    fs.writeFileSync(notBackup, 'hello');
    expect((await cli(other, 'restore', notBackup)).err).toContain('is not a Bihuan backup');
  });
});
