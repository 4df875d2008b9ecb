/**
 * `npm run bench -- intake`: end-to-end alerts/s for a file of Suricata EVE alerts (1M by
 * default; BENCH_ALERTS to change) into SQLite, against a bare baseline that only parses each
 * line and inserts it in one transaction, in the same run; each side in its own process, with
 * its peak RSS. Targets (issue 3): ratio ≥ 0.5, pipeline peak RSS < 300 MB. A third figure,
 * the storage floor, re-inserts the pipeline's own rows into a fresh copy of the real alerts
 * table with no parsing at all: the rate no pipeline storing those rows can beat.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const N = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const SIGS = [
  [2024218, 'ET EXPLOIT Possible ETERNALBLUE MS17-010 Echo Response', 'Attempted Administrator Privilege Gain', 1],
  [2001219, 'ET SCAN Potential SSH Scan', 'Attempted Information Leak', 2],
  [2010935, 'ET SCAN Suspicious inbound to MSSQL port 1433', 'Potentially Bad Traffic', 2],
  [2006445, 'ET WEB_SERVER Possible SQL Injection Attempt SELECT FROM', 'Web Application Attack', 1],
] as const;

function writeFile(file: string): void {
  const fd = fs.openSync(file, 'w');
  const base = Date.UTC(2019, 11, 1, 16, 0, 0);
  let buf: string[] = [];
  for (let i = 0; i < N; i++) {
    const [sid, sig, cat, sev] = SIGS[i % SIGS.length]!;
    const ts = new Date(base + i * 7).toISOString().replace('Z', '+0000');
    buf.push(
      `{"timestamp":"${ts}","flow_id":${1_000_000_000 + i},"in_iface":"eth1","event_type":"alert","src_ip":"10.164.${(i >> 8) & 255}.${i & 255}","src_port":${1024 + (i % 60000)},"dest_ip":"10.1.${(i >> 12) & 255}.${(i >> 4) & 255}","dest_port":445,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":${sid},"rev":3,"signature":"${sig}","category":"${cat}","severity":${sev}},"app_proto":"smb"}`,
    );
    if (buf.length === 10_000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
}

const TIME = '/usr/bin/time'; // GNU time: the peak RSS of a whole process, as the OS counts it

/**
 * Runs a command, returning its last stdout line as JSON and its peak RSS (MB). Both sides run
 * as plain node processes: the pipeline is the built product itself (`bihuan ingest`).
 */
function measure(args: string[]): { out: Record<string, number>; maxRssMB: number } {
  const r = spawnSync(TIME, ['-f', 'maxrss-kb=%M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const rss = Number(/maxrss-kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { out: JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>, maxRssMB: Math.round(rss / 1024) };
}

export async function intakeBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-intake-bench-'));
  const file = path.join(dir, 'eve.json');
  try {
    writeFile(file);
    console.log(`file: ${N} Suricata EVE alerts, ${(fs.statSync(file).size / 1e6).toFixed(0)} MB`);
    if (!fs.existsSync(TIME)) throw new Error(`${TIME} (GNU time, Debian package "time") is needed to measure peak RSS`);
    execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
    const baseline = measure([path.join(import.meta.dirname, 'intake-baseline.mjs'), file, path.join(dir, 'baseline.db')]);
    const t0 = performance.now();
    // intake alone (`--no-detect`): what issue 3 measures; detection's own cost is the detect benchmark's
    const pipeline = measure([path.resolve(import.meta.dirname, '../dist/cli/main.js'), '--database', `sqlite:${path.join(dir, 'bihuan.db')}`, 'ingest', file, '--json', '--no-detect']);
    const pipelineSeconds = (performance.now() - t0) / 1000; // includes start-up and migrations
    const rate = (records: number, seconds: number) => records / seconds;
    const pRate = rate(pipeline.out.accepted!, pipelineSeconds);
    const bRate = rate(baseline.out.records!, baseline.out.seconds!);
    console.log(`  pipeline  ${pRate.toFixed(0).padStart(8)} alerts/s  (${pipelineSeconds.toFixed(1)} s, peak RSS ${pipeline.maxRssMB} MB)  bihuan ingest --no-detect: stream → detect format → parse → normalize → zones → intel → assets → dedup → SQLite`);
    console.log(`  baseline  ${bRate.toFixed(0).padStart(8)} alerts/s  (${baseline.out.seconds!.toFixed(1)} s, peak RSS ${baseline.maxRssMB} MB)  JSON.parse + insert, one transaction`);
    console.log(`  ratio     ${(pRate / bRate).toFixed(2)}   (target ≥ 0.5; pipeline peak RSS target < 300 MB)`);
    const floor = measure([path.join(import.meta.dirname, 'intake-floor.mjs'), path.join(dir, 'bihuan.db'), path.join(dir, 'floor.db')]);
    const fRate = rate(floor.out.records!, floor.out.seconds!);
    console.log(`  floor     ${fRate.toFixed(0).padStart(8)} alerts/s  (${floor.out.seconds!.toFixed(1)} s)  the pipeline's own rows re-inserted into the real alerts table, no parsing: ratio ${(fRate / bRate).toFixed(2)} to the baseline`);
    console.log(`  pipeline / floor ${(pRate / fRate).toFixed(2)}`);
    // the same file with the built-in rules running in the same process (as a plain `bihuan ingest` does)
    const t1 = performance.now();
    const detecting = measure([path.resolve(import.meta.dirname, '../dist/cli/main.js'), '--database', `sqlite:${path.join(dir, 'detecting.db')}`, 'ingest', file, '--json']);
    const dSeconds = (performance.now() - t1) / 1000;
    console.log(
      `  with detection ${rate(detecting.out.accepted!, dSeconds).toFixed(0).padStart(8)} alerts/s  (${dSeconds.toFixed(1)} s, peak RSS ${detecting.maxRssMB} MB)  the same, rules and incidents in the same process (each alert here is a new attacker: a new signal, ~15 statements)`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
