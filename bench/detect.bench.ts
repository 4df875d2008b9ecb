/**
 * `npm run bench -- detect`: detection, each figure against a no-rules baseline in the same
 * run, on one core.
 *  (a) the built-in pack (detections and correlations) over normalized network and auth alerts
 *      (Suricata EVE, DNS, sshd, Windows logon failures), as the detection service reads them
 *      from the alerts table; baseline: the same event views with an empty rule set
 *      (target ≥ 100k events/s per core).
 *  (b) every SigmaHQ Windows rule over the recorded Windows events in
 *      ../shared/data/windows-events/, with the prefilters on, off (exact values only) and with no
 *      index at all (target ≥ 40k events/s with them on).
 *  (c) latency from an alert's arrival (HTTP POST) to its incident being visible over the API,
 *      p50 / p99, while background traffic flows; baseline: arrival to the alert itself being
 *      searchable over the API (target p99 < 1 s).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SigmaEvent } from '../src/domain/detection/sigma/event.js';
import { type SigmaRule, loadRuleText } from '../src/domain/detection/sigma/rule.js';
import { type Prefilter, RuleSet } from '../src/domain/detection/sigma/ruleset.js';
import { DEFAULT_FIELD_MAPPING, flattenWindowsRecord, windowsLogsource } from '../src/domain/detection/sigma/windows.js';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');

function rulesUnder(dir: string) {
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yml'));
  const rules = [];
  let refused = 0;
  for (const f of files) {
    const loaded = loadRuleText(fs.readFileSync(path.join(dir, f), 'utf8'), f);
    rules.push(...loaded.rules);
    refused += loaded.refusals.length;
  }
  return { rules, refused };
}

function run(set: RuleSet, records: Record<string, unknown>[]): { seconds: number; matches: number } {
  const t0 = performance.now();
  let matches = 0;
  for (const record of records) {
    const flat = flattenWindowsRecord(record);
    const event = new SigmaEvent(flat, windowsLogsource(flat.Channel as string | undefined, Number(flat.EventID), flat.EventType as string | undefined), 0, DEFAULT_FIELD_MAPPING);
    matches += set.match(event).length;
  }
  return { seconds: (performance.now() - t0) / 1000, matches };
}

/** One prefilter mode over the records: a first pass (the index built as logsources come), then the measured one. */
function measureMode(rules: SigmaRule[], records: Record<string, unknown>[], mode: Prefilter) {
  // twice: array buffers let go by the first collection are counted free after the second
  global.gc?.();
  global.gc?.();
  const heapBefore = process.memoryUsage();
  const set = new RuleSet(rules, mode);
  const first = run(set, records);
  global.gc?.();
  global.gc?.();
  const heapAfter = process.memoryUsage();
  const warm = { ...set.stats };
  const measured = run(set, records);
  return {
    rate: records.length / measured.seconds,
    seconds: measured.seconds,
    matches: measured.matches,
    perEvent: (set.stats.evaluated - warm.evaluated) / (set.stats.events - warm.events),
    firstRate: records.length / first.seconds,
    indexMB: global.gc ? (heapAfter.heapUsed + heapAfter.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers) / 1048576 : undefined,
  };
}

async function windowsBench(): Promise<void> {
  const eventsDir = path.join(SHARED, 'windows-events');
  const rulesDir = path.join(SHARED, 'sigma-rules');
  if (!fs.existsSync(eventsDir) || !fs.existsSync(rulesDir)) {
    console.log(`  (b) SKIPPED: ${SHARED} (windows-events, sigma-rules) is not here`);
    return;
  }
  const t0 = performance.now();
  const all = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-dfir'].map((d) => path.join(rulesDir, d)).filter((d) => fs.existsSync(d));
  const loaded = all.map(rulesUnder);
  const rules = loaded.flatMap((l) => l.rules).filter((r) => r.logsource.product === 'windows');
  const loadSeconds = (performance.now() - t0) / 1000;
  const records: Record<string, unknown>[] = [];
  for (const zip of fs.readdirSync(eventsDir).filter((f) => f.endsWith('.zip'))) {
    const text = execFileSync('unzip', ['-p', path.join(eventsDir, zip)], { maxBuffer: 1 << 30, encoding: 'utf8' });
    for (const line of text.split('\n')) if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
  }
  console.log(`  (b) ${rules.length} SigmaHQ Windows rules (loaded and compiled in ${loadSeconds.toFixed(1)} s), ${records.length} recorded Windows events`);
  const baseline = run(new RuleSet([]), records);
  const baseRate = records.length / baseline.seconds;
  const modes: Array<[Prefilter, string]> = [
    ['literals', 'prefilters on  (values, file names and literals per field)'],
    ['values', 'prefilters off (exact values and file names only)'],
    ['none', 'no index       (every rule of the logsource, in full)'],
  ];
  const wanted = (process.env.BENCH_PREFILTER ?? 'literals,values,none').split(',');
  let best = 0;
  for (const [mode, label] of modes.filter(([m]) => wanted.includes(m))) {
    const m = measureMode(rules, records, mode);
    if (mode === 'literals') best = m.rate;
    console.log(`      ${label}`);
    console.log(`        ${m.rate.toFixed(0).padStart(8)} events/s  (${m.seconds.toFixed(2)} s, ${m.matches} matches, ${m.perEvent.toFixed(1)} rules evaluated per event)`);
    console.log(`        first pass ${m.firstRate.toFixed(0)} events/s, building the index for each logsource as its first event came${m.indexMB === undefined ? '' : ` (index ${m.indexMB.toFixed(1)} MB)`}`);
  }
  console.log(`      no rules  ${baseRate.toFixed(0).padStart(8)} events/s  (event views and logsource only)`);
  if (best) console.log(`      ratio     ${(best / baseRate).toFixed(2)}   (target ≥ 40k events/s on one core, prefilters on)`);
}

// ------------------------------------------------------------------ (a) the built-in pack

const N_PACK = Number(process.env.BENCH_PACK_ALERTS ?? 200_000);

/** Raw records as the devices write them: a mix of IDS alerts, DNS look-ups, sshd and Windows logon failures. */
function networkAndAuthRecords(n: number): string[] {
  const sigs = [
    [2024218, 'ET EXPLOIT Possible ETERNALBLUE MS17-010 Echo Response', 'Attempted Administrator Privilege Gain'],
    [2001219, 'ET SCAN Potential SSH Scan', 'Attempted Information Leak'],
    [2013028, 'ET POLICY curl User-Agent Outbound', 'Attempted Information Leak'],
    [2210045, 'SURICATA STREAM Packet with invalid ack', 'Generic Protocol Command Decode'],
    [2027865, 'ET INFO Observed DNS Query to .cloud TLD', 'Potentially Bad Traffic'],
    [2006445, 'ET WEB_SERVER Possible SQL Injection Attempt SELECT FROM', 'Web Application Attack'],
  ] as const;
  const out: string[] = [];
  const base = Date.UTC(2026, 10, 24, 16, 0, 0);
  for (let i = 0; i < n; i++) {
    const ts = new Date(base + i * 50).toISOString();
    // 300 attackers: each one's password guesses come every 15 s, enough for the brute-force correlation
    const ext = `203.0.${(i % 300) >> 6}.${(i % 300) & 63}`;
    const internal = `10.164.${(i >> 8) & 3}.${i & 255}`;
    switch (i % 5) {
      case 0:
      case 1: {
        const [sid, sig, cat] = sigs[i % sigs.length]!;
        out.push(
          JSON.stringify({ timestamp: ts.replace('Z', '+0000'), flow_id: 1e9 + i, in_iface: 'eth1', event_type: 'alert', src_ip: ext, src_port: 1024 + (i % 60000), dest_ip: internal, dest_port: 445, proto: 'TCP', alert: { action: 'allowed', gid: 1, signature_id: sid, rev: 3, signature: sig, category: cat, severity: 2 } }),
        );
        break;
      }
      case 2:
        out.push(JSON.stringify({ timestamp: ts, client_ip: internal, query: i % 97 === 0 ? 't.awcna.com' : `host${i % 5000}.example.com`, type: 'A' }));
        break;
      case 3:
        out.push(`${new Date(base + i * 50).toUTCString().slice(8, 11)} 25 0${(i >> 12) % 10}:00:0${i % 10} sh-fs01 sshd[2121]: Failed password for root from ${ext} port ${40000 + (i % 20000)} ssh2`);
        break;
      default:
        out.push(
          JSON.stringify({ '@timestamp': ts, message: 'An account failed to log on.', winlog: { channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'SH-DC01.corp.example', record_id: i, event_id: 4625, event_data: { TargetUserName: 'administrator', LogonType: '3', IpAddress: ext, IpPort: '0', Status: '0xc000006d' } } }),
        );
    }
  }
  return out;
}

interface Row {
  doc: string;
  format: string;
  original: string;
  /** the enriched alert as intake holds it in memory after storing it (what detection runs on live) */
  alert: Record<string, unknown>;
}

async function packBench(): Promise<void> {
  const { openServices } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config.js');
  const { normalizeRecords } = await import('../src/intake/intake.service.js');
  const { RuleLibrary } = await import('../src/detection/rule-library.js');
  const { alertEvent } = await import('../src/detection/alert-event.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-detect-bench-'));
  const config = loadConfig({ BIHUAN_DATA_DIR: dir, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { logLevel: 'silent' });
  const s = await openServices(config);
  const rows: Row[] = [];
  try {
    await s.intel.import({ kind: 'system', label: 'bench' }, 't.awcna.com\ndown.ackng.com\n', { source: 'bench', confidence: 90 });
    const lines = networkAndAuthRecords(N_PACK);
    let line = 0;
    for await (const r of normalizeRecords(lines.map((text) => ({ line: ++line, text })), { timeZone: 'Asia/Shanghai', now: new Date('2026-11-25T12:00:00Z'), maxRecordBytes: 65536, mapped: [] })) {
      if ('alert' in r) {
        const alert = await s.intake.enrich(r.alert);
        const doc = JSON.stringify(alert);
        rows.push({ doc, format: r.format, original: r.original, alert: JSON.parse(doc) as Record<string, unknown> });
      }
    }
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // BENCH_FORMAT=suricata: only that format's alerts (to profile one)
  if (process.env.BENCH_FORMAT) rows.splice(0, rows.length, ...rows.filter((r) => r.format === process.env.BENCH_FORMAT));
  const pack = RuleLibrary.load({ builtin: true, dirs: [] });
  const none = RuleLibrary.of({ rules: [], correlations: [], refusals: [] });
  // the work the detection service does per alert: build the event view, match, feed correlations — on the
  // alert intake hands over in memory (live), or parsed from its stored row (`readBack`: another process's
  // alerts, or after a restart)
  const pass = (lib: typeof pack, slice: Row[], readBack = false) => {
    const t0 = performance.now();
    let matches = 0;
    let hits = 0;
    for (let i = 0; i < slice.length; i++) {
      const row = slice[i]!;
      const alert = (readBack ? JSON.parse(row.doc) : row.alert) as { destination?: { ip?: string } };
      const event = alertEvent(alert as never, row.format, row.original, lib.fieldMapping);
      const matched = lib.ruleSet.match(event);
      matches += matched.length;
      // as DetectionService.signalsOf: a window keeps the alert's id and destination, and the event drops its looked-up fields
      for (const rule of matched) if (lib.engine.listensTo(rule)) hits += lib.engine.feed({ rule, time: event.time, event, ref: { id: i, destination: alert.destination?.ip } }).length;
      event.compact();
    }
    return { seconds: (performance.now() - t0) / 1000, matches, hits };
  };
  pass(pack, rows.slice(0, 20_000)); // warm-up
  pass(none, rows.slice(0, 20_000));
  const fresh = RuleLibrary.load({ builtin: true, dirs: [] }); // correlation state from zero
  const base = pass(none, rows);
  const profiler = process.env.BENCH_PROFILE ? new (await import('node:inspector/promises')).Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const measured = pass(fresh, rows);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    fs.writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
    console.log(`      (CPU profile of the measured pass written to ${process.env.BENCH_PROFILE})`);
  }
  const rate = rows.length / measured.seconds;
  const baseRate = rows.length / base.seconds;
  const readBack = pass(RuleLibrary.load({ builtin: true, dirs: [] }), rows, true);
  const readBackBase = pass(none, rows, true);
  const formats = new Map<string, number>();
  for (const r of rows) formats.set(r.format, (formats.get(r.format) ?? 0) + 1);
  if (process.env.BENCH_PER_FORMAT) {
    for (const f of formats.keys()) {
      const only = rows.filter((r) => r.format === f);
      const b = pass(none, only);
      const p = pass(RuleLibrary.load({ builtin: true, dirs: [] }), only);
      console.log(`      ${f.padEnd(9)} pack ${(only.length / p.seconds).toFixed(0).padStart(8)} events/s   no rules ${(only.length / b.seconds).toFixed(0).padStart(8)} events/s`);
    }
  }
  console.log(`  (a) built-in pack: ${fresh.rules.length} rules + ${fresh.correlations.length} correlations over ${rows.length} normalized alerts (${[...formats].map(([f, n]) => `${f} ${n}`).join(', ')})`);
  console.log(`      live (alerts handed over by intake in memory):`);
  console.log(`        pack      ${rate.toFixed(0).padStart(8)} events/s  (${measured.seconds.toFixed(2)} s, ${measured.matches} rule matches, ${measured.hits} correlation hits)   target ≥ 100k events/s per core`);
  console.log(`        no rules  ${baseRate.toFixed(0).padStart(8)} events/s  (event view only)   ratio ${(rate / baseRate).toFixed(2)}`);
  console.log(`      read back (another process's alerts, or after a restart: each row parsed again):`);
  console.log(`        pack      ${(rows.length / readBack.seconds).toFixed(0).padStart(8)} events/s`);
  console.log(`        no rules  ${(rows.length / readBackBase.seconds).toFixed(0).padStart(8)} events/s  (row parse and event view)   ratio ${(readBackBase.seconds / readBack.seconds).toFixed(2)}`);
}

// ------------------------------------------------------------------ (c) arrival → visible

const N_PROBES = Number(process.env.BENCH_PROBES ?? 200);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function latencyBench(): Promise<void> {
  const { openServices } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config.js');
  const { buildServer } = await import('../src/http/server.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-latency-bench-'));
  const config = loadConfig({ BIHUAN_DATA_DIR: dir, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { logLevel: 'silent' });
  const s = await openServices(config);
  const app = await buildServer(s, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const system = { kind: 'system', label: 'bench' } as const;
  const tokenFor = async (role: 'ingest' | 'viewer') => {
    const { user } = await s.accounts.createUser(system, { username: `bench-${role}`, role, password: 'a-good-password' });
    return `Bearer ${(await s.accounts.createToken(system, user.id, 'bench')).token}`;
  };
  const ingest = await tokenFor('ingest');
  const viewer = await tokenFor('viewer');
  const post = (body: string) => fetch(`${url}/api/alerts`, { method: 'POST', headers: { authorization: ingest, 'content-type': 'text/plain' }, body }).then((r) => r.text());
  const get = async (p: string) => (await fetch(`${url}${p}`, { headers: { authorization: viewer } })).json() as Promise<{ items: unknown[] }>;
  let stop = false;
  let background = 0;
  // background traffic: batches of 200 mixed network and auth records, back to back
  const traffic = networkAndAuthRecords(100_000);
  const load = (async () => {
    for (let i = 0; !stop; i = (i + 200) % traffic.length) {
      await post(traffic.slice(i, i + 200).join('\n'));
      background += 200;
    }
  })();
  const waitFor = async (p: string) => {
    for (;;) {
      if ((await get(p)).items.length > 0) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const scan = (ip: string) =>
    JSON.stringify({ timestamp: new Date().toISOString(), flow_id: Date.now(), event_type: 'alert', src_ip: ip, src_port: 40000, dest_ip: '10.1.20.5', dest_port: 80, proto: 'TCP', alert: { action: 'allowed', gid: 1, signature_id: 2009358, rev: 1, signature: 'ET SCAN Nmap Scripting Engine User-Agent Detected', category: 'Web Application Attack', severity: 2 } });
  const toIncident: number[] = [];
  const toAlert: number[] = [];
  try {
    const t0 = performance.now();
    for (let i = 0; i < N_PROBES; i++) {
      // each probe: a new attacker, so a new incident; the observable search finds it by its address
      const ip = `198.18.${i >> 8}.${i & 255}`;
      const start = performance.now();
      await post(scan(ip));
      const alert = waitFor(`/api/alerts?src=${ip}&limit=1`).then(() => toAlert.push(performance.now() - start));
      await waitFor(`/api/incidents?q=${ip}&limit=1`);
      toIncident.push(performance.now() - start);
      await alert;
    }
    const seconds = (performance.now() - t0) / 1000;
    stop = true;
    await load;
    console.log(`  (c) ${N_PROBES} probe alerts over HTTP, each a new attacker, with ${(background / seconds).toFixed(0)} background alerts/s flowing (SQLite, detection in process)`);
    console.log(`      arrival → incident visible  p50 ${pct(toIncident, 50).toFixed(0).padStart(5)} ms   p99 ${pct(toIncident, 99).toFixed(0).padStart(5)} ms   max ${Math.max(...toIncident).toFixed(0)} ms`);
    console.log(`      arrival → alert searchable  p50 ${pct(toAlert, 50).toFixed(0).padStart(5)} ms   p99 ${pct(toAlert, 99).toFixed(0).padStart(5)} ms   (baseline: no detection step)`);
    console.log(`      ratio p99 ${(pct(toIncident, 99) / pct(toAlert, 99)).toFixed(2)}   (target p99 < 1000 ms)`);
  } finally {
    stop = true;
    await load;
    await app.close();
    await s.detection.idle();
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function detectBench(): Promise<void> {
  // BENCH_DETECT=a,c runs only those parts
  const parts = (process.env.BENCH_DETECT ?? 'a,b,c').split(',');
  if (parts.includes('b')) await windowsBench();
  if (parts.includes('a')) await packBench();
  if (parts.includes('c')) await latencyBench();
}
