/**
 * The README's first start, for real: a `bihuan serve` process on an empty data directory
 * creates its SQLite file, prints the URL and the first admin's password once, and serves the
 * API with it. A restart keeps the data and prints no password.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-serve-'));

function start(): Promise<{ proc: ChildProcess; out: () => string; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BIHUAN_DATA_DIR: dataDir, BIHUAN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const check = setInterval(() => {
      const m = /is running at (http:\/\/\S+)/.exec(out);
      if (m && out.includes('Press Ctrl+C to stop.')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ proc, out: () => out, url: m[1]! });
      }
    }, 50);
    proc.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

function stop(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.once('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

describe('bihuan serve (first start on the embedded default)', () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('creates the database, prints how to sign in once, serves the API and the OpenAPI document, and keeps the data across a restart', async () => {
    const first = await start();
    const password = /password:\s+(\S+)/.exec(first.out())?.[1];
    expect(first.out()).toContain('user name:  admin');
    expect(password).toMatch(/^[\w-]{20,}$/);
    expect(fs.existsSync(path.join(dataDir, 'bihuan.db'))).toBe(true);

    const login = await fetch(`${first.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const created = await fetch(`${first.url}/api/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ title: '首个事件', type: 'scanning' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const docs = await fetch(`${first.url}/docs/json`);
    expect(((await docs.json()) as { paths: object }).paths).toHaveProperty(['/api/incidents']);
    expect(await stop(first.proc)).toBe(0);

    const second = await start();
    expect(second.out()).not.toContain('password:');
    const again = await fetch(`${second.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    const cookie2 = again.headers.get('set-cookie')!.split(';')[0]!;
    const got = await fetch(`${second.url}/api/incidents/${id}`, { headers: { cookie: cookie2 } });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { title: string }).title).toBe('首个事件');
    expect(await stop(second.proc)).toBe(0);
  });
});
