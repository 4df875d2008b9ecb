/**
 * The incident store on the embedded default (SQLite file, WAL, synchronous=FULL):
 *  (1) creating incidents through the service (validation, grading, playbook tasks, timeline,
 *      audit; one transaction each) against a baseline that inserts the same rows with bare
 *      prepared statements, one transaction per incident, on the same settings;
 *  (2) reading the default queue (least SLA time left first, 50 rows) and a text search with
 *      10k incidents stored, against the bare SQL of the same page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const N_CREATE = Number(process.env.BENCH_CREATE ?? 2000);
const N_STORED = Number(process.env.BENCH_STORED ?? 10_000);
const N_READS = 200;


function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function incidentsBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-bench-'));
  const config = loadConfig({ BIHUAN_DATA_DIR: dir, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { logLevel: 'silent' });
  const s = await openServices(config);
  const actor = { kind: 'system', label: 'bench' } as const;
  const types = ['scanning', 'brute_force', 'phishing', 'exploitation', 'trojan'];
  try {
    // (1) creation through the service
    const t0 = performance.now();
    for (let i = 0; i < N_CREATE; i++) {
      await s.incidents.create(actor, {
        title: `bench incident ${i}`,
        type: types[i % types.length]!,
        detectedAt: new Date(Date.now() - (i % 500) * 60_000).toISOString(),
        assets: [{ ip: `10.0.${(i >> 8) & 255}.${i & 255}` }],
        observables: [{ type: 'domain', value: `c${i}.example.com` }],
      });
    }
    const serviceMs = performance.now() - t0;
    const taskRows = await s.database.db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const tasksPer = Number(taskRows.n) / N_CREATE;

    // baseline: the same rows, bare statements, one transaction per incident, same pragmas
    const raw = new SQLite(path.join(dir, 'baseline.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.exec(`create table incidents (id text primary key, title text, type text, level int, phase text, phase_due_at text, created_at text, data text);
              create table children (id integer primary key autoincrement, incident_id text references incidents(id), kind text, body text);
              create index children_incident on children(incident_id); create index incidents_due on incidents(phase_due_at);`);
    const insInc = raw.prepare('insert into incidents values (?, ?, ?, ?, ?, ?, ?, ?)');
    const insChild = raw.prepare('insert into children (incident_id, kind, body) values (?, ?, ?)');
    const childRows = Math.round(tasksPer) + 5; // tasks + asset, observable, level change, timeline, audit
    const one = raw.transaction((i: number) => {
      const id = `INC-20261125-${String(i).padStart(5, '0')}`;
      insInc.run(id, `bench incident ${i}`, 'trojan', 1, 'discovery', new Date().toISOString(), new Date().toISOString(), '{}');
      for (let c = 0; c < childRows; c++) insChild.run(id, 'x', 'row');
    });
    const b0 = performance.now();
    for (let i = 0; i < N_CREATE; i++) one(i);
    const baselineMs = performance.now() - b0;

    const svcRate = (N_CREATE / serviceMs) * 1000;
    const baseRate = (N_CREATE / baselineMs) * 1000;
    console.log(`create: ${N_CREATE} incidents (~${tasksPer.toFixed(1)} tasks each)`);
    console.log(`  service   ${svcRate.toFixed(0).padStart(7)} incidents/s`);
    console.log(`  baseline  ${baseRate.toFixed(0).padStart(7)} incidents/s  (bare inserts of ${childRows + 1} rows per incident)`);
    console.log(`  ratio     ${(svcRate / baseRate).toFixed(2)}`);

    // (2) reads with N_STORED incidents
    const extra = N_STORED - N_CREATE;
    const fill = raw.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        insInc.run(`INC-20261126-${String(i).padStart(5, '0')}`, `bench incident ${i}`, 'trojan', 1, 'discovery', new Date(Date.now() + i * 1000).toISOString(), new Date().toISOString(), '{}');
      }
    });
    fill(0, N_STORED);
    for (let i = N_CREATE; i < N_STORED; i++) {
      await s.incidents.create(actor, { title: `bench incident ${i}`, type: types[i % types.length]!, assets: [{ ip: `10.1.${(i >> 8) & 255}.${i & 255}` }] });
    }
    void extra;
    const queue: number[] = [];
    const search: number[] = [];
    const base: number[] = [];
    const page = raw.prepare('select * from incidents where phase != ? order by phase_due_at, id limit 50');
    for (let r = 0; r < N_READS; r++) {
      let t = performance.now();
      await s.incidents.list({ sort: 'due', limit: 50 });
      queue.push(performance.now() - t);
      t = performance.now();
      await s.incidents.list({ sort: 'due', limit: 50, q: `c${r * 7}.example` });
      search.push(performance.now() - t);
      t = performance.now();
      page.all('closed');
      base.push(performance.now() - t);
    }
    console.log(`read: ${N_STORED} incidents stored, ${N_READS} reads each`);
    console.log(`  queue page (sort=due, 50)   p50 ${pct(queue, 50).toFixed(2)} ms  p99 ${pct(queue, 99).toFixed(2)} ms`);
    console.log(`  text search (q=…, 50)       p50 ${pct(search, 50).toFixed(2)} ms  p99 ${pct(search, 99).toFixed(2)} ms`);
    console.log(`  baseline bare page          p50 ${pct(base, 50).toFixed(2)} ms  p99 ${pct(base, 99).toFixed(2)} ms`);
    console.log(`  ratio (baseline p50 / queue p50) ${(pct(base, 50) / pct(queue, 50)).toFixed(2)}`);
    raw.close();
  } finally {
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
