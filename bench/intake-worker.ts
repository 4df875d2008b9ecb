/**
 * One side of the intake benchmark, in a process of its own so its peak RSS is its own:
 *   pipeline FILE  — `bihuan ingest`'s path: stream, detect, parse, normalize, zones, intel, dedup, store
 *   baseline FILE  — read each line, JSON.parse it, insert it into SQLite, one transaction
 * Prints one JSON line: {mode, records, seconds, maxRssMB}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import SQLite from 'better-sqlite3';
import { openServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { readLines } from '../src/intake/lines.js';
import { FILE_BATCH } from '../src/cli/program.js';

const [mode, file] = process.argv.slice(2) as [string, string];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bihuan-bench-${mode}-`));
const t0 = performance.now();
let records = 0;
if (mode === 'pipeline') {
  const s = await openServices(loadConfig({ BIHUAN_DATA_DIR: dir, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { logLevel: 'silent' }));
  const out = await s.intake.ingest(readLines(fs.createReadStream(file, { highWaterMark: 1 << 20 }), s.config.maxRecordBytes), { channel: 'file', batchSize: FILE_BATCH });
  records = out.accepted;
  if (out.rejected) throw new Error(`${out.rejected} rejected: ${out.rejects[0]?.reason}`);
  await s.close();
} else {
  const db = new SQLite(path.join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.exec('create table alerts (id integer primary key, ts text, doc text)');
  const insert = db.prepare('insert into alerts (ts, doc) values (?, ?)');
  db.exec('begin');
  for await (const line of readline.createInterface({ input: fs.createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    if (!line) continue;
    const e = JSON.parse(line) as { timestamp: string };
    insert.run(e.timestamp, line);
    records++;
  }
  db.exec('commit');
  db.close();
}
const seconds = (performance.now() - t0) / 1000;
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ mode, records, seconds, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
