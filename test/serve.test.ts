/**
 * The README's first start, for real: a `bihuan serve` process on an empty data directory
 * creates its SQLite file, prints the URL and the first admin's password once, and serves the
 * API with it. A restart keeps the data and prints no password.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe } from './support/serve-process.js';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-serve-'));

const start = (args = ['serve', '--port', '0'], dir = dataDir) => startServe({ BIHUAN_DATA_DIR: dir, BIHUAN_LOG_LEVEL: 'warn' }, args);

function stop(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.once('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

describe('bihuan serve (first start on the embedded default)', () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('creates the database, prints how to sign in once, serves the API and the OpenAPI document, keeps the data across a restart, and an acknowledged alert survives a kill', async () => {
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

    // an acknowledged alert batch is on disk: the process is killed right after the answer
    const token = await fetch(`${second.url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookie2 }, body: JSON.stringify({ name: 'sensor' }) });
    const { token: bearer } = (await token.json()) as { token: string };
    const eve = fs.readFileSync(path.join(root, 'test/fixtures/intake/suricata-eve.json'), 'utf8');
    const sent = await fetch(`${second.url}/api/alerts`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${bearer}` }, body: eve });
    expect(((await sent.json()) as { accepted: number; events: number })).toMatchObject({ accepted: 4, events: 3 });
    // a JSON body in UTF-8, handed to the intake worker as bytes: read there as sent
    const chinese = { timestamp: '2026-11-25T10:00:00.000000+0800', event_type: 'alert', src_ip: '203.0.113.9', src_port: 4444, dest_ip: '10.1.2.3', dest_port: 445, proto: 'TCP', alert: { signature_id: 9000001, signature: '永恒之蓝漏洞利用尝试 ✓', category: 'Attempted Administrator Privilege Gain', severity: 1 } };
    const sentJson = await fetch(`${second.url}/api/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify([chinese]) });
    expect(((await sentJson.json()) as { accepted: number })).toMatchObject({ accepted: 1 });
    second.proc.removeAllListeners('exit');
    second.proc.kill('SIGKILL');
    await new Promise((r) => second.proc.once('exit', r));
    const db = new SQLite(path.join(dataDir, 'bihuan.db'), { readonly: true });
    try {
      // two alerts, three events (DNS and HTTP records are context)
      expect((db.prepare('select (select count(*) from alerts) + (select count(*) from events) n').get() as { n: number }).n).toBe(5);
      expect((db.prepare("select count(*) n from alerts where doc like '%永恒之蓝漏洞利用尝试 ✓%'").get() as { n: number }).n).toBe(1);
    } finally {
      db.close();
    }
    // three starts of the server from the sources (each with its worker threads) and two log-ins: more than the default limit on a busy machine
  }, 90_000);
});

describe('bihuan demo (a first look)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-demo-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the console with the DriverLife outbreak arriving live in it (SLA clocks fresh), and a rerun adds nothing', async () => {
    // 3600× faster: the outbreak's two hours in two seconds, each record at the time it is sent
    const demo = await start(['demo', '--port', '0', '--pace', '3600'], dir);
    try {
      await expect.poll(() => demo.out(), { timeout: 20_000 }).toMatch(/Demo: 1 incident\(s\) from the outbreak: INC-\d{8}-0001/);
      const page = await fetch(`${demo.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const password = /password:\s+(\S+)/.exec(demo.out())![1]!;
      const login = await fetch(`${demo.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const list = (await (await fetch(`${demo.url}/api/incidents`, { headers: { cookie } })).json()) as { items: Array<{ level: number; title: string; detectedAt: string }> };
      expect(list.items).toEqual([expect.objectContaining({ level: 1, title: expect.stringContaining('10.164.1.8') })]);
      // detected as it appeared, moments ago (not two hours before, nor in 2019): its SLA clock starts fresh
      const age = Date.now() - Date.parse(list.items[0]!.detectedAt);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(2 * 60_000);
      expect((await (await fetch(`${demo.url}/api/incidents?overdue=true`, { headers: { cookie } })).json()).items).toEqual([]);
      const warning = (await (await fetch(`${demo.url}/api/warning`, { headers: { cookie } })).json()) as { level: string };
      expect(warning.level).toBe('high');
      // free text is searched by the query thread, which yields the processors to intake and detection (Linux: nice 10)
      const found = (await (await fetch(`${demo.url}/api/alerts?q=awcna`, { headers: { cookie } })).json()) as { items: unknown[] };
      expect(found.items.length).toBeGreaterThan(0);
      if (fs.existsSync(`/proc/${demo.proc.pid}/task`)) {
        const nice = (tid: string) => Number(fs.readFileSync(`/proc/${demo.proc.pid}/task/${tid}/stat`, 'utf8').split(') ').pop()!.split(' ')[16]);
        const tasks = fs.readdirSync(`/proc/${demo.proc.pid}/task`);
        expect(nice(String(demo.proc.pid))).toBe(0);
        expect(tasks.map(nice)).toContain(10);
      }
    } finally {
      await stop(demo.proc);
    }
    // the demo again on the same directory: the outbreak is there, nothing is added
    const again = await start(['demo', '--port', '0', '--pace', '3600'], dir);
    try {
      expect(again.out()).toMatch(/Demo: the outbreak was replayed into .* before \(INC-\d{8}-0001\); nothing added/);
      await new Promise((r) => setTimeout(r, 1000));
      expect(again.out()).not.toMatch(/incident\(s\) from the outbreak/);
    } finally {
      await stop(again.proc);
    }
  }, 90_000);
});
