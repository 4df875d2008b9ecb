/**
 * `npm run bench -- load`: a SOC's real day on the built product (`bihuan serve`, the embedded
 * default), issue 12. Phases, each measured side by side in this run:
 *  1. seed ≥ 1M stored alerts (BENCH_SEED) with `bihuan ingest` (rules running);
 *  2. 60 s of sustained HTTP intake at the highest rate the server accepts (16 senders × 100
 *     alerts a request) while an analyst polls GET /api/incidents and GET /api/alerts every 0.5 s:
 *     their p50/p99, the intake rate, the RSS of the product's processes each second;
 *  3. intake alone for 20 s, then intake while two clients loop free-text alert searches: the ratio;
 *  4. `fail2ban-regex` with its stock sshd filter against `bihuan ingest` (stored and detected,
 *     fresh data dir) on the same generated 1M-line auth.log of bursting sources;
 *  5. scale-out: one intake and two detection workers over PostgreSQL + NATS JetStream against one
 *     process (see scaleOut below).
 * Prints a table, then one last line of JSON:
 * {"apiP99Ms":…, "searchIntakeRatio":…, "rssEndMB":…, "rssGrowthLast30sMB":…, "fail2banRatio":…, "scaleOutSameIncidents":…}
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import pg from 'pg';
import { filed } from '../test/support/filed.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const MAIN = path.join(ROOT, 'dist/cli/main.js');
const SEED = Number(process.env.BENCH_SEED ?? 1_000_000);
const SSHD_LINES = Number(process.env.BENCH_SSHD_LINES ?? 1_000_000);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const SEARCH_SECONDS = Number(process.env.BENCH_SEARCH_SECONDS ?? 20);
const SENDERS = 16;
const PER_REQUEST = 100;
const ADMIN_PASSWORD = 'Bench-load-password-1';
/** BENCH_PHASES=load,fail2ban,scaleout runs only those phases (load includes the seed and the searches); default all */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'load,fail2ban,scaleout').split(',').map((p) => p.trim()));

const SIGS = [
  [2024218, 'ET EXPLOIT Possible ETERNALBLUE MS17-010 Echo Response', 'Attempted Administrator Privilege Gain', 1],
  [2001219, 'ET SCAN Potential SSH Scan', 'Attempted Information Leak', 2],
  [2010935, 'ET SCAN Suspicious inbound to MSSQL port 1433', 'Potentially Bad Traffic', 2],
  [2006445, 'ET WEB_SERVER Possible SQL Injection Attempt SELECT FROM', 'Web Application Attack', 1],
  [2027865, 'ET INFO Observed DNS Query to .cloud TLD', 'Potentially Bad Traffic', 3],
] as const;

const INFO = [
  [2027865, 'ET INFO Observed DNS Query to .cloud TLD', 'Potentially Bad Traffic', 3],
  [2025275, 'ET POLICY SMB2 NT Create AndX Request For an Executable File', 'Potential Corporate Privacy Violation', 3],
  [2013028, 'ET POLICY curl User-Agent Outbound', 'Attempted Information Leak', 3],
] as const;

/**
 * One Suricata EVE alert, times spread over the last day: as on a real sensor, most are
 * informational (policy, DNS); one in five is an attack, from a few hundred attackers against the
 * branch networks.
 */
function eve(i: number, base: number, step: number): string {
  const [sid, sig, cat, sev] = i % 5 === 0 ? SIGS[(i / 5) % SIGS.length]! : INFO[i % INFO.length]!;
  const ts = new Date(base + i * step).toISOString().replace('Z', '+0000');
  return `{"timestamp":"${ts}","flow_id":${1_000_000_000 + i},"in_iface":"eth1","event_type":"alert","src_ip":"203.0.${(i >> 3) & 1}.${i % 211}","src_port":${1024 + (i % 60000)},"dest_ip":"10.1.${(i >> 12) & 255}.${(i >> 4) & 255}","dest_port":445,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":${sid},"rev":3,"signature":"${sig}","category":"${cat}","severity":${sev}},"app_proto":"smb"}`;
}

function writeLines(file: string, n: number, line: (i: number) => string): void {
  const fd = fs.openSync(file, 'w');
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    buf.push(line(i));
    if (buf.length === 10_000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
}

/** A 1M-line auth.log: 2,000 sources, each bursting failed log-ins (some for invalid users), with the odd success. */
function writeAuthLog(file: string, n: number): void {
  const start = Date.now() - 6 * 3_600_000;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  writeLines(file, n, (i) => {
    const t = new Date(start + Math.floor(i * (5 * 3_600_000) / n));
    const stamp = `${months[t.getMonth()]} ${String(t.getDate()).padStart(2, ' ')} ${t.toTimeString().slice(0, 8)}`;
    // bursts: 50 consecutive lines from one source, 2,000 sources in turn
    const src = Math.floor(i / 50) % 2000;
    const ip = `198.51.${src >> 8}.${src & 255}`;
    const pid = 10_000 + (i % 50_000);
    const port = 30_000 + (i % 30_000);
    if (i % 97 === 0) return `${stamp} bastion sshd[${pid}]: Accepted publickey for deploy from 10.0.0.${i % 250} port ${port} ssh2: RSA SHA256:abc`;
    if (i % 3 === 0) return `${stamp} bastion sshd[${pid}]: Invalid user admin${i % 17} from ${ip} port ${port}`;
    return `${stamp} bastion sshd[${pid}]: Failed password for root from ${ip} port ${port} ssh2`;
  });
}

/** ≥ 1M stored alerts (BENCH_SEED) in the data directory, with `bihuan ingest` (rules running). */
function seed(dir: string, env: Record<string, string>, row: (name: string, value: string) => void): void {
  const seedFile = path.join(dir, 'seed.json');
  const seedBase = Date.now() - 26 * 3_600_000;
  // the stored history: informational alerts (policy, DNS) as most of a sensor's are; the load phase sends the mix with attacks
  const step = Math.max(1, Math.floor((24 * 3_600_000) / SEED));
  writeLines(seedFile, SEED, (i) => eve(i * 5 + 1, seedBase, step / 5));
  const t = performance.now();
  const seeded = spawnSync(process.execPath, [MAIN, 'ingest', seedFile, '--json'], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
  const seedSeconds = (performance.now() - t) / 1000;
  row('seed (bihuan ingest)', `${SEED} alerts in ${seedSeconds.toFixed(1)} s = ${(SEED / seedSeconds).toFixed(0)} alerts/s`);
  fs.rmSync(seedFile);
}

/** RSS (MB) of a process and all its descendants, as the OS counts it. */
function treeRssMB(pid: number): number {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      for (const task of fs.readdirSync(`/proc/${pids[i]}/task`)) {
        const children = fs.readFileSync(`/proc/${pids[i]}/task/${task}/children`, 'utf8').trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      /* gone */
    }
  }
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

interface Server {
  proc: ChildProcess;
  url: string;
  out: () => string;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>, args: string[] = []): Promise<Server> {
  const proc = spawn(process.execPath, [MAIN, 'serve', '--port', '0', ...args], { env: { ...process.env, BIHUAN_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const m = /is running at (http:\/\/\S+)/.exec(out);
    if (m && out.includes('Press Ctrl+C')) {
      return {
        proc,
        url: m[1]!,
        out: () => out,
        stop: async () => {
          if (proc.exitCode !== null) return;
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          await Promise.race([exited, sleep(20_000).then(() => proc.kill('SIGKILL'))]);
        },
      };
    }
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start:\n${out}`);
    await sleep(100);
  }
}

async function tokenFor(url: string): Promise<string> {
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  if (!login.ok) throw new Error(`log-in failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const r = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ name: 'bench', service: true }) });
  if (!r.ok) throw new Error(`token: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/** Senders posting 100 new alerts a request as fast as the server answers, until stopped; counts what was accepted and refused. */
function startSenders(url: string, token: string, firstIndex: number) {
  let next = firstIndex;
  let accepted = 0;
  let refused = 0;
  let failed = 0;
  let running = true;
  const base = Date.now() - 3_600_000;
  const sender = async () => {
    while (running) {
      const from = next;
      next += PER_REQUEST;
      const body = '[' + Array.from({ length: PER_REQUEST }, (_, k) => eve(from + k, base, 1)).join(',') + ']';
      try {
        const r = await fetch(`${url}/api/alerts`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
        if (r.ok) accepted += ((await r.json()) as { accepted: number }).accepted;
        else {
          await r.arrayBuffer();
          if (r.status === 503 || r.status === 429) {
            refused++;
            await sleep(Number(r.headers.get('retry-after') ?? 1) * 1000);
          } else failed++;
        }
      } catch {
        failed++;
        await sleep(100);
      }
    }
  };
  const all = Array.from({ length: SENDERS }, sender);
  return {
    accepted: () => accepted,
    refused: () => refused,
    failed: () => failed,
    next: () => next,
    stop: async () => {
      running = false;
      await Promise.all(all);
    },
  };
}

async function timed(url: string, token: string): Promise<number> {
  const t = performance.now();
  const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return performance.now() - t;
}

export async function loadBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-load-bench-'));
  const rows: Array<[string, string]> = [];
  const row = (name: string, value: string) => {
    rows.push([name, value]);
    console.log(`  ${name.padEnd(34)} ${value}`);
  };
  const result = { apiP99Ms: NaN, searchIntakeRatio: NaN, rssEndMB: NaN, rssGrowthLast30sMB: NaN, fail2banRatio: NaN, scaleOutSameIncidents: false };
  let server: Server | undefined;
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    const env = { BIHUAN_DATA_DIR: path.join(dir, 'data'), BIHUAN_ADMIN_PASSWORD: ADMIN_PASSWORD, BIHUAN_TIMEZONE: 'Asia/Shanghai' };

    if (PHASES.has('load')) {
      // 1. seed (or, to measure again quickly, a copy of a data directory seeded before: BENCH_SEED_DIR;
      //    when it does not exist yet, this run's seed is saved there)
      if (process.env.BENCH_SEED_DIR && fs.existsSync(process.env.BENCH_SEED_DIR)) fs.cpSync(process.env.BENCH_SEED_DIR, env.BIHUAN_DATA_DIR, { recursive: true });
      else {
        seed(dir, env, row);
        // BENCH_SEED_DIR naming a directory that does not exist yet: the seeded data is kept there for the next run
        if (process.env.BENCH_SEED_DIR) fs.cpSync(env.BIHUAN_DATA_DIR, process.env.BENCH_SEED_DIR, { recursive: true });
      }

      // 2. sustained intake, an analyst polling
      server = await startServer(env);
      const pid = server.proc.pid!;
      const token = await tokenFor(server.url);
      row('RSS at start', `${treeRssMB(pid).toFixed(0)} MB`);
      const idle: number[] = [];
      for (let i = 0; i < 10; i++) idle.push(await timed(`${server.url}/api/incidents`, token), await timed(`${server.url}/api/alerts`, token));
      row('API idle p50', `${percentile(idle, 50).toFixed(0)} ms`);
      const senders = startSenders(server.url, token, SEED);
      const latencies: number[] = [];
      const rss: number[] = [];
      let polling = true;
      const analyst = (async () => {
        while (polling) {
          const started = performance.now();
          latencies.push(await timed(`${server!.url}/api/incidents`, token), await timed(`${server!.url}/api/alerts`, token));
          await sleep(Math.max(0, 500 - (performance.now() - started)));
        }
      })();
      const t = performance.now();
      // what each thread's heap holds from the system, every 10 s (what the RSS follows, beside SQLite and buffers)
      const held: string[] = [];
      for (let s = 0; s < LOAD_SECONDS; s++) {
        await sleep(1000);
        rss.push(treeRssMB(pid));
        if (s % 10 === 9) {
          const h = (await (await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { heapCommittedMB?: Record<string, number> };
          const c = h.heapCommittedMB ?? {};
          held.push(`${Object.values(c).reduce((x, y) => x + y, 0)} (${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')})`);
        }
      }
      polling = false;
      await analyst;
      const loadSeconds = (performance.now() - t) / 1000;
      const loadAccepted = senders.accepted();
      result.apiP99Ms = Math.round(percentile(latencies, 99));
      result.rssEndMB = Math.round(rss[rss.length - 1]!);
      const half = rss.slice(-Math.min(30, Math.floor(rss.length / 2)) - 1);
      result.rssGrowthLast30sMB = Math.round(Math.max(...half) - half[0]!);
      row('intake under load', `${(loadAccepted / loadSeconds).toFixed(0)} alerts/s (${senders.refused()} refused with Retry-After, ${senders.failed()} failed)`);
      row('API under load p50 / p99', `${percentile(latencies, 50).toFixed(0)} / ${result.apiP99Ms} ms (${latencies.length} requests)`);
      row('RSS end / max / growth last 30 s', `${result.rssEndMB} / ${Math.round(Math.max(...rss))} / ${result.rssGrowthLast30sMB} MB`);
      row('RSS each 10 s', rss.filter((_, i) => i % 10 === 9).map((v) => v.toFixed(0)).join(' ') + ' MB');
      for (const [i, h] of held.entries()) row(i === 0 ? 'V8 heaps held each 10 s (MB)' : '', h);
      const health = (await (await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { heapMB?: Record<string, number> };
      row('V8 heap used by thread', Object.entries(health.heapMB ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') + ' MB');

      // 3. search beside intake
      const rate = async (seconds: number) => {
        const a0 = senders.accepted();
        const t0 = performance.now();
        await sleep(seconds * 1000);
        return (senders.accepted() - a0) / ((performance.now() - t0) / 1000);
      };
      const alone = await rate(SEARCH_SECONDS);
      let searching = true;
      const searches: number[] = [];
      let searchErrors = 0;
      const searcher = async (words: string[]) => {
        for (let i = 0; searching; i++) {
          try {
            searches.push(await timed(`${server!.url}/api/alerts?q=${encodeURIComponent(words[i % words.length]!)}`, token));
          } catch {
            searchErrors++;
            await sleep(200);
          }
        }
      };
      const searchers = [searcher(['mimikatz', 'ETERNALBLUE']), searcher(['cobalt', 'SQL Injection'])];
      const beside = await rate(SEARCH_SECONDS);
      searching = false;
      await Promise.all(searchers);
      await senders.stop();
      result.searchIntakeRatio = Number((beside / alone).toFixed(2));
      row('intake alone / beside 2 searchers', `${alone.toFixed(0)} / ${beside.toFixed(0)} alerts/s = ${result.searchIntakeRatio}`);
      row('free-text search p50 / p99', `${percentile(searches, 50).toFixed(0)} / ${percentile(searches, 99).toFixed(0)} ms (${searches.length} searches, ${searchErrors} errors)`);
      await server.stop();
      server = undefined;
    }

    // 4. fail2ban
    if (PHASES.has('fail2ban')) {
      const authLog = path.join(dir, 'auth.log');
      writeAuthLog(authLog, SSHD_LINES);
      const f2b = fail2banSeconds(authLog);
      const t = performance.now();
      const ingest = spawnSync(process.execPath, [MAIN, 'ingest', authLog, '--json'], { env: { ...process.env, ...env, BIHUAN_DATA_DIR: path.join(dir, 'sshd') }, encoding: 'utf8', maxBuffer: 64 << 20 });
      const ingestSeconds = (performance.now() - t) / 1000;
      if (ingest.status !== 0 && !ingest.stdout.includes('"accepted"')) throw new Error(`bihuan ingest failed: ${ingest.stderr}`);
      const outcome = JSON.parse(ingest.stdout.trim().split('\n').pop()!) as { accepted: number; skipped: number };
      const incidents = spawnSync(process.execPath, [MAIN, 'incident', 'list', '--json', '--limit', '200'], { env: { ...process.env, ...env, BIHUAN_DATA_DIR: path.join(dir, 'sshd') }, encoding: 'utf8', maxBuffer: 64 << 20 });
      row('bihuan ingest auth.log', `${SSHD_LINES} lines in ${ingestSeconds.toFixed(1)} s (${outcome.accepted} stored, ${outcome.skipped} skipped; ${incidentCount(incidents.stdout)} incidents)`);
      if (f2b.seconds !== undefined) {
        result.fail2banRatio = Number((f2b.seconds / ingestSeconds).toFixed(2));
        row('fail2ban-regex auth.log', `${f2b.seconds.toFixed(1)} s (${f2b.matched ?? '?'} matched) → ratio ${result.fail2banRatio}`);
      } else row('fail2ban-regex', `not measured: ${f2b.why}`);
    }

    // 5. scale-out
    if (PHASES.has('scaleout')) {
      const scale = await scaleOut();
      row('scale-out', scale.summary);
      result.scaleOutSameIncidents = scale.same;
    }
  } finally {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  targets: apiP99Ms < 250, searchIntakeRatio ≥ 0.8, rssEndMB ≤ 400, rssGrowthLast30sMB ≤ 20, fail2banRatio ≥ 1.0, scaleOutSameIncidents true`);
  console.log(JSON.stringify(result));
}

function incidentCount(out: string): string {
  try {
    const list = JSON.parse(out) as { items: unknown[]; nextCursor: string | null };
    return `${list.items.length}${list.nextCursor ? '+' : ''}`;
  } catch {
    return '?';
  }
}

/** fail2ban-regex with the stock sshd filter over the file: installs Debian's fail2ban if missing. */
function fail2banSeconds(file: string): { seconds?: number; matched?: number; why?: string } {
  let bin = spawnSync('sh', ['-c', 'command -v fail2ban-regex'], { encoding: 'utf8' }).stdout.trim();
  if (!bin) {
    const install = spawnSync('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fail2ban'], { encoding: 'utf8' });
    bin = spawnSync('sh', ['-c', 'command -v fail2ban-regex'], { encoding: 'utf8' }).stdout.trim();
    if (!bin) return { why: `fail2ban-regex is not installed and apt-get could not install it: ${(install.stderr || install.stdout).trim().split('\n').pop()}` };
  }
  const filter = '/etc/fail2ban/filter.d/sshd.conf';
  if (!fs.existsSync(filter)) return { why: `${filter} is missing` };
  const t = performance.now();
  const r = spawnSync(bin, [file, filter], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) return { why: `fail2ban-regex failed: ${r.stderr.trim().split('\n').pop()}` };
  const matched = Number(/Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(r.stdout)?.[1] ?? NaN);
  return { seconds, matched };
}

/** A mixed fixture for the scale-out comparison: many attackers' exploits and scans, brute forces, noise; in time order. */
function scaleFixture(n: number): string[] {
  const base = Date.now() - 2 * 3_600_000;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(base + i * 50);
    if (i % 7 === 0) {
      const src = `198.51.${(i >> 8) & 7}.${(i >> 3) % 40}`;
      lines.push(`<38>1 ${t.toISOString()} bastion sshd 4242 - - Failed password for root from ${src} port ${40000 + (i % 20000)} ssh2`);
    } else lines.push(eve(i, base, 50));
  }
  return lines;
}

/**
 * The scale-out comparison: the same fixture through one process (the embedded default's
 * threads, on PostgreSQL) and through one api, one intake and two detection nodes over
 * PostgreSQL + NATS JetStream; the incidents each filed, compared; both rates (alerts stored and
 * detected per second, end to end).
 */
export async function scaleOutBench(): Promise<void> {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const scale = await scaleOut();
  console.log(`  scale-out  ${scale.summary}`);
  console.log(JSON.stringify({ scaleOutSameIncidents: scale.same }));
}

async function scaleOut(): Promise<{ same: boolean; summary: string }> {
  const pgUrl = process.env.BIHUAN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const natsUrl = process.env.BIHUAN_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  const n = Number(process.env.BENCH_SCALE_ALERTS ?? 10_000);
  let nc;
  try {
    nc = await connect({ servers: natsUrl, timeout: 2000 });
  } catch (e) {
    return { same: false, summary: `not measured: NATS is not reachable at ${natsUrl} (${(e as Error).message})` };
  }
  const admin = new pg.Client({ connectionString: pgUrl });
  try {
    await admin.connect();
  } catch (e) {
    await nc.close();
    return { same: false, summary: `not measured: PostgreSQL is not reachable at ${pgUrl} (${(e as Error).message})` };
  }
  const tag = `${process.pid}_${Date.now()}`;
  const dbs = [`bihuan_bench_one_${tag}`, `bihuan_bench_two_${tag}`];
  const stream = `BIHUAN_BENCH_${tag}`;
  const servers: Server[] = [];
  const dirs: string[] = [];
  const jsm = await nc.jetstreamManager();
  try {
    for (const db of dbs) await admin.query(`create database ${db}`);
    const urlOf = (db: string) => { const u = new URL(pgUrl); u.pathname = `/${db}`; return u.toString(); };
    const envOf = (db: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-scale-'));
      dirs.push(dir);
      return { BIHUAN_DATABASE_URL: urlOf(db), BIHUAN_DATA_DIR: dir, BIHUAN_ADMIN_PASSWORD: ADMIN_PASSWORD, BIHUAN_TIMEZONE: 'Asia/Shanghai', BIHUAN_BUS_URL: natsUrl, BIHUAN_BUS_STREAM: stream };
    };
    const lines = scaleFixture(n);
    const post = async (url: string, token: string) => {
      for (let i = 0; i < lines.length; i += 1000) {
        const r = await fetch(`${url}/api/alerts`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: lines.slice(i, i + 1000).join('\n') });
        if (!r.ok) throw new Error(`intake answered ${r.status}: ${await r.text()}`);
      }
    };
    const waitFor = async (done: () => Promise<boolean>) => {
      const deadline = Date.now() + 600_000;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error('detection did not catch up within 10 minutes');
        await sleep(250);
      }
    };
    // one process
    const one = envOf(dbs[0]!);
    const single = await startServer({ ...one, BIHUAN_BUS_URL: '' });
    servers.push(single);
    let token = await tokenFor(single.url);
    let t = performance.now();
    await post(single.url, token);
    await waitFor(async () => {
      const c = new pg.Client({ connectionString: urlOf(dbs[0]!) });
      await c.connect();
      try {
        const r = await c.query<{ cursor: string | null; top: string | null }>(`select (select value from detection_state where name = 'alert_cursor') as cursor, (select greatest((select max(id) from alerts), (select max(id) from events))::text) as top`);
        return r.rows[0]!.cursor === r.rows[0]!.top;
      } finally {
        await c.end();
      }
    });
    const oneRate = n / ((performance.now() - t) / 1000);
    // one api, one intake, two detection workers
    const two = envOf(dbs[1]!);
    const api = await startServer(two, ['--role', 'api']);
    servers.push(api);
    servers.push(await startServer(two, ['--role', 'intake']));
    for (const i of [0, 1]) servers.push(await startServer(two, ['--role', 'detect', '--partition', `${i}/2`]));
    token = await tokenFor(api.url);
    t = performance.now();
    await post(api.url, token);
    await waitFor(async () => {
      const c = new pg.Client({ connectionString: urlOf(dbs[1]!) });
      await c.connect();
      try {
        if ((await c.query(`select 1 from bus_outbox limit 1`)).rows.length) return false;
      } finally {
        await c.end();
      }
      const info = await jsm.streams.info(stream, { subjects_filter: '>' });
      for (const subject of Object.keys(info.state.subjects ?? {})) {
        const k = subject.split('.').pop();
        const ci = await jsm.consumers.info(stream, `detect-p${k}`).catch(() => undefined);
        if (!ci || ci.num_pending + ci.num_ack_pending > 0) return false;
      }
      return true;
    });
    const twoRate = n / ((performance.now() - t) / 1000);
    const [a, b] = [await filed(urlOf(dbs[0]!)), await filed(urlOf(dbs[1]!))];
    const same = a.length > 0 && JSON.stringify(a) === JSON.stringify(b);
    if (!same) {
      const inB = new Set(b);
      const inA = new Set(a);
      console.log('  only in one process:', a.filter((x) => !inB.has(x)).slice(0, 5));
      console.log('  only in the cluster:', b.filter((x) => !inA.has(x)).slice(0, 5));
      for (const srv of servers.slice(-2)) console.log(srv.out().split('\n').filter((l) => l.includes('"level":50')).slice(0, 3).join('\n'));
    }
    return { same, summary: `${n} alerts: one process ${oneRate.toFixed(0)} alerts/s, api + intake + 2 detection workers ${twoRate.toFixed(0)} alerts/s (stored and detected); incidents ${a.length} vs ${b.length}, ${same ? 'the same' : 'DIFFERENT'}` };
  } finally {
    for (const s of servers) await s.stop();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
    if (process.env.BENCH_KEEP) console.log(`  kept databases ${dbs.join(', ')}`);
    else for (const db of dbs) await admin.query(`drop database if exists ${db} with (force)`).catch(() => undefined);
    await admin.end();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}
