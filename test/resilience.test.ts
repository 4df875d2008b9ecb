/**
 * A database error never ends the server (issue 11, F2): a `bihuan serve` process whose
 * database fails under its background loops (another process changed what they read, or held
 * the write lock) keeps answering, says so in /api/health (degraded, naming the loops), and
 * recovers by itself once the database is whole again.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe } from './support/serve-process.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-resilience-'));

interface Health {
  status: string;
  components: Array<{ name: string; state: string; failures: number }>;
}

const start = () => startServe({ BIHUAN_DATA_DIR: dataDir, BIHUAN_LOG_LEVEL: 'warn', BIHUAN_ADMIN_PASSWORD: 'resilience-admin-password' });

async function waitFor<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: still ${JSON.stringify(last)}`);
}

describe('a database error under the background loops', () => {
  let proc: ChildProcess | undefined;
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      await new Promise((r) => {
        proc!.once('exit', r);
        proc!.kill('SIGTERM');
      });
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the server running, reports it degraded with the failing loops, and recovers by itself', async () => {
    const server = await start();
    proc = server.proc;
    const health = async (): Promise<Health & { http: number }> => {
      const r = await fetch(`${server.url}/api/health`);
      return { http: r.status, ...((await r.json()) as Health) };
    };
    expect(await health()).toMatchObject({ http: 200, status: 'ok' });

    // another process takes away the table the notification, SLA and detection loops read first
    const other = new SQLite(path.join(dataDir, 'bihuan.db'));
    other.exec('ALTER TABLE detection_state RENAME TO detection_state_away');
    const degraded = await waitFor('health while the table is away', health, (h) => h.status === 'degraded' && h.components.some((c) => c.name === 'notify' && c.state === 'failing'));
    // several failed passes later the process is still there and still answers people
    await new Promise((r) => setTimeout(r, 4_000));
    expect(server.exited()).toBeUndefined();
    const again = await health();
    expect(again.http).toBe(200);
    expect(again.components.find((c) => c.name === 'notify')!.failures).toBeGreaterThanOrEqual(degraded.components.find((c) => c.name === 'notify')!.failures);
    expect(server.out()).toMatch(/notify.*failed.*retry/i);

    // the other process also holds the write lock for longer than the busy timeout
    other.exec('ALTER TABLE detection_state_away RENAME TO detection_state');
    other.exec('BEGIN EXCLUSIVE');
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'resilience-admin-password' }) });
    // a request that must write fails with a clear 5xx, never the process
    expect(login.status).toBeGreaterThanOrEqual(500);
    other.exec('COMMIT');
    other.close();

    const healed = await waitFor('health after the table came back', health, (h) => h.status === 'ok', 60_000);
    expect(healed.components.every((c) => c.state === 'ok')).toBe(true);
    expect(server.exited()).toBeUndefined();
  }, 120_000);
});
