/**
 * Correlation windows survive a restart (issue 12): a brute force whose failed log-ins arrive
 * partly before and partly after the process that detects them restarts is still one brute
 * force. Each `bihuan ingest` is a process of its own (services opened, rules loaded afresh);
 * and a real `bihuan serve` (worker threads, syslog over UDP) stopped and started between them.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ENTRIES, CorrelationEngine } from '../src/domain/detection/sigma/correlation.js';
import { loadRuleText } from '../src/domain/detection/sigma/rule.js';
import { cliOn } from './support/cli.js';
import { DIALECTS, type TestDatabase, createTestDatabase } from './support/dialects.js';
import { type ServeProcess, startServe } from './support/serve-process.js';

/** Failed sshd log-ins from one address, a second apart, starting `at`. */
function failures(n: number, at: Date, offset = 0): string {
  return Array.from({ length: n }, (_, i) => {
    const t = new Date(at.getTime() + (offset + i) * 1000).toISOString();
    return `<38>1 ${t} bastion sshd 4242 - - Failed password for root from 198.51.100.7 port ${40000 + offset + i} ssh2`;
  }).join('\n');
}

for (const dialect of DIALECTS) {
  describe(`correlation across a restart on ${dialect}`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
    });
    afterAll(async () => t?.drop());

    const cli = (...args: string[]) => cliOn(t)(...args);

    it('files the brute force whose ten failures straddle the restart, once', async () => {
      const at = new Date(Date.now() - 10 * 60_000);
      const first = path.join(t.dataDir, 'auth-1.log');
      const second = path.join(t.dataDir, 'auth-2.log');
      fs.writeFileSync(first, failures(6, at));
      fs.writeFileSync(second, failures(6, at, 6));
      expect((await cli('ingest', first)).code).toBe(0);
      const before = JSON.parse((await cli('incident', 'list', '--json')).out) as { items: Array<{ type: string }> };
      expect(before.items.filter((i) => i.type === 'brute_force')).toHaveLength(0); // six of ten: not yet
      expect((await cli('ingest', second)).code).toBe(0);
      const after = JSON.parse((await cli('incident', 'list', '--json')).out) as { items: Array<{ type: string; title: string }> };
      const brute = after.items.filter((i) => i.type === 'brute_force');
      expect(brute).toHaveLength(1);
      expect(brute[0]!.title).toContain('198.51.100.7');
      // a third start replays the same alerts into its windows and files nothing again
      fs.writeFileSync(first, failures(1, at, 100));
      await cli('ingest', first);
      const again = JSON.parse((await cli('incident', 'list', '--json')).out) as { items: Array<{ type: string }> };
      expect(again.items.filter((i) => i.type === 'brute_force')).toHaveLength(1);
    });
  });
}

describe('a brute force spanning a restart of bihuan serve', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-restart-'));
  let server: ServeProcess | undefined;
  const stop = async () => {
    const p = server?.proc;
    if (p && p.exitCode === null) await new Promise((r) => (p.once('exit', r), p.kill('SIGTERM')));
  };
  afterAll(async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    server = await startServe({ BIHUAN_DATA_DIR: dataDir, BIHUAN_LOG_LEVEL: 'warn', BIHUAN_TIMEZONE: 'Asia/Shanghai', BIHUAN_SYSLOG_UDP: '127.0.0.1:0' });
    return Number(/syslog \(UDP\):\s+127\.0\.0\.1:(\d+)/.exec(server.out())![1]);
  };
  const sendUdp = async (port: number, lines: string) => {
    const socket = dgram.createSocket('udp4');
    for (const line of lines.split('\n')) await new Promise<void>((ok, fail) => socket.send(line, port, '127.0.0.1', (e) => (e ? fail(e) : ok())));
    socket.close();
  };
  /** what the server's database says, read beside it (WAL: a reader never waits) */
  const read = <T>(sql: string): T => {
    const db = new SQLite(path.join(dataDir, 'bihuan.db'), { readonly: true });
    try {
      return db.prepare(sql).get() as T;
    } finally {
      db.close();
    }
  };
  const until = async (what: string, ok: () => boolean) => {
    for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (ok()) return;
    throw new Error(`${what}: not within 30 s\n${server?.out()}`);
  };
  const bruteForces = () => read<{ n: number }>("select count(*) as n from incidents where type = 'brute_force'").n;

  it('raises its incident once: six failures before the stop, six after the start', async () => {
    const at = new Date(Date.now() - 2 * 60_000);
    let port = await start();
    await sendUdp(port, failures(6, at));
    // stored, and seen by detection (its cursor past them) before the stop: the windows held them in memory only
    await until('six failures stored and detected', () => {
      const { n, last } = read<{ n: number; last: number | null }>('select count(*) as n, max(id) as last from events');
      const cursor = Number(read<{ value: string } | undefined>("select value from detection_state where name = 'alert_cursor'")?.value ?? 0);
      return n >= 6 && last !== null && cursor >= last;
    });
    expect(bruteForces()).toBe(0);
    await stop();

    port = await start();
    await sendUdp(port, failures(6, at, 6));
    await until('the brute force filed', () => bruteForces() === 1);
    // nothing filed twice while it runs on
    await new Promise((r) => setTimeout(r, 2_000));
    expect(bruteForces()).toBe(1);
    expect(read<{ n: number }>("select count(*) as n from detection_signals where source_ip = '198.51.100.7'").n).toBe(1);
  }, 120_000);
});

describe('a correlation window under a flood', () => {
  it('counts at most MAX_ENTRIES events of its group, whatever one source sends', () => {
    const { rules, correlations, refusals } = loadRuleText(
      `title: probe\nid: 11111111-1111-4111-8111-111111111111\nlogsource: { category: test }\ndetection: { sel: { kind: probe }, condition: sel }\n---\ntitle: many ports\ncorrelation: { type: value_count, rules: [11111111-1111-4111-8111-111111111111], group-by: [src], timespan: 1h, condition: { field: port, gte: ${MAX_ENTRIES + 1} } }\n`,
      'flood.yml',
    );
    expect(refusals).toEqual([]);
    const engine = new CorrelationEngine(correlations, rules);
    const fired = [];
    for (let i = 0; i < 3 * MAX_ENTRIES; i++) {
      const event = { time: i, field: (f: string) => ({ strings: [f === 'src' ? '203.0.113.9' : String(i)] }) };
      fired.push(...engine.feed({ rule: rules[0]!, time: i, event: event as never, ref: i }));
    }
    // every port distinct, but only the newest MAX_ENTRIES events are held: the window never reaches MAX_ENTRIES + 1
    expect(fired).toHaveLength(0);
    expect(engine.openWindows()).toBe(1);
    expect(engine.heldEntries()).toBe(MAX_ENTRIES);
  });

  it('holds one entry a distinct value, and a count only as far as its threshold: a sensor repeating one port costs nothing per alert', () => {
    const { rules, correlations } = loadRuleText(
      `title: probe\nid: 11111111-1111-4111-8111-111111111111\nlogsource: { category: test }\ndetection: { sel: { kind: probe }, condition: sel }\n---\ntitle: many ports\ncorrelation: { type: value_count, rules: [11111111-1111-4111-8111-111111111111], group-by: [src], timespan: 1h, condition: { field: port, gte: 20 } }\n---\ntitle: many probes\ncorrelation: { type: event_count, rules: [11111111-1111-4111-8111-111111111111], group-by: [src], timespan: 1h, condition: { gte: 1000000 } }\n`,
      'flood.yml',
    );
    const engine = new CorrelationEngine(correlations, rules);
    for (let i = 0; i < 20_000; i++) {
      const src = `203.0.113.${i % 100}`;
      const event = { time: i, field: (f: string) => ({ strings: [f === 'src' ? src : '445'] }) };
      expect(engine.feed({ rule: rules[0]!, time: i, event: event as never, ref: i })).toEqual([]);
    }
    expect(engine.openWindows()).toBe(200);
    // 100 sources: one port each (value_count), and their 200 probes each, as plain times (event_count)
    expect(engine.heldEntries()).toBe(100 + 20_000);
  });
});
