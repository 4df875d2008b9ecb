/**
 * `npm run bench -- intake`: end-to-end alerts/s for a file of Suricata EVE alerts (1M by
 * default; BENCH_ALERTS to change) into SQLite, against a bare baseline that only parses each
 * line and inserts it in one transaction, in the same run; each side in its own process, with
 * its peak RSS. Targets (issue 3): ratio ≥ 0.5, pipeline peak RSS < 300 MB.
 */
import { execFileSync } from 'node:child_process';
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

function run(mode: string, file: string): { records: number; seconds: number; maxRssMB: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'intake-worker.ts'), mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export async function intakeBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-intake-bench-'));
  const file = path.join(dir, 'eve.json');
  try {
    writeFile(file);
    console.log(`file: ${N} Suricata EVE alerts, ${(fs.statSync(file).size / 1e6).toFixed(0)} MB`);
    const baseline = run('baseline', file);
    const pipeline = run('pipeline', file);
    const rate = (r: { records: number; seconds: number }) => r.records / r.seconds;
    console.log(`  pipeline  ${rate(pipeline).toFixed(0).padStart(8)} alerts/s  (${pipeline.seconds.toFixed(1)} s, peak RSS ${pipeline.maxRssMB} MB)  stream → detect → parse → normalize → zones → intel → dedup → SQLite`);
    console.log(`  baseline  ${rate(baseline).toFixed(0).padStart(8)} alerts/s  (${baseline.seconds.toFixed(1)} s, peak RSS ${baseline.maxRssMB} MB)  JSON.parse + insert, one transaction`);
    console.log(`  ratio     ${(rate(pipeline) / rate(baseline)).toFixed(2)}   (target ≥ 0.5; pipeline peak RSS target < 300 MB)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
