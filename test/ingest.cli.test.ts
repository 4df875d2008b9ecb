/**
 * `bihuan ingest` for files: plain, gzip and standard input, streaming; and a process killed in
 * the middle of a large file loses nothing it had committed and doubles nothing when run again.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_BATCH } from '../src/cli/program.js';
import { cliOn } from './support/cli.js';
import { DIALECTS, type TestDatabase, createTestDatabase } from './support/dialects.js';

const root = path.resolve(import.meta.dirname, '..');
const fixtures = path.join(root, 'test/fixtures/intake');

function eveLine(i: number): string {
  const t = new Date(Date.UTC(2019, 11, 1, 20, 0, 0) + i * 10).toISOString().replace('Z', '+0000');
  return JSON.stringify({ timestamp: t, flow_id: i, event_type: 'alert', src_ip: `10.164.${(i >> 8) & 255}.${i & 255}`, src_port: 40000 + (i % 20000), dest_ip: '10.1.20.5', dest_port: 445, proto: 'TCP', alert: { action: 'allowed', signature_id: 2024218, signature: 'ET EXPLOIT Possible ETERNALBLUE MS17-010 Echo Response', category: 'Attempted Administrator Privilege Gain', severity: 1 } });
}

for (const dialect of DIALECTS) {
  describe(`bihuan ingest on ${dialect}`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
    });
    afterAll(async () => t?.drop());

    const cli = async (...args: string[]) => cliWith({}, ...args);
    const cliWith = (env: Record<string, string>, ...args: string[]) => cliOn(t, { BIHUAN_MAX_RECORD_BYTES: '2048', ...env })(...args);

    it('reads plain and gzip files, reports each file; rejected records beside stored ones are reported (exit 0, or 1 with --strict), a file it cannot read or store any of fails', async () => {
      const gz = path.join(t.dataDir, 'auth.log.gz');
      fs.writeFileSync(gz, gzipSync(fs.readFileSync(path.join(fixtures, 'auth.log'))));
      const r = await cli('ingest', path.join(fixtures, 'suricata-eve.json'), gz, path.join(fixtures, 'cef.log'));
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('suricata-eve.json: 4 accepted (3 of them events), 0 duplicates, 1 skipped, 0 rejected');
      expect(r.out).toContain('auth.log.gz: 5 accepted (5 of them events), 0 duplicates, 1 skipped, 0 rejected');
      expect(r.out).toContain('cef.log: 2 accepted');
      const bad = path.join(t.dataDir, 'bad.log');
      fs.writeFileSync(bad, ['{"broken', fs.readFileSync(path.join(fixtures, 'bind-query.log'), 'utf8').split('\n')[0], 'y'.repeat(3000), 'random words'].join('\n'));
      const b = await cli('ingest', bad);
      expect(b.code, b.err).toBe(0);
      expect(b.out).toContain('bad.log: 1 accepted (1 of them events), 0 duplicates, 0 skipped, 3 rejected');
      expect((await cli('ingest', '--strict', bad)).code).toBe(1);
      const missing = await cli('ingest', path.join(t.dataDir, 'no-such.log'), bad);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain(`error: cannot read ${path.join(t.dataDir, 'no-such.log')}`);
      expect(missing.out).toContain('bad.log: 0 accepted (0 of them events), 1 duplicates');
      expect((await cli('ingest', t.dataDir)).err).toContain('is a directory');
      expect(b.out).toContain('line 1: not valid JSON');
      expect(b.out).toContain('line 3: the record is 3000 bytes, over the limit of 2048');
      expect(b.out).toContain('line 4: a line of no known format');
      const rejects = await cli('alerts', 'rejects');
      expect(rejects.out).toContain('file line 4: a line of no known format');
    });

    it('forces a format with --format, and refuses what is not of it', async () => {
      const r = await cli('ingest', '--format', 'dns', path.join(fixtures, 'cef.log'));
      expect(r.code).toBe(1);
      expect(r.out).toContain('0 accepted');
      expect(r.out).toContain('line 1: no "client ADDRESS#PORT');
    });

    it('reads JSON of a device without a parser through a mapping from the configuration', async () => {
      const mapping = { name: 'safeline', when: { field: 'event_id' }, timestamp: { field: 'req_start_time', format: 'epoch' }, id: 'event_id', fields: { 'source.ip': 'src_ip', 'rule.name': 'reason' } };
      const file = path.join(fixtures, 'safeline-waf.ndjson');
      expect((await cli('ingest', file)).out).toContain('0 accepted');
      const r = await cliWith({ BIHUAN_JSON_MAPPINGS: JSON.stringify([mapping]) }, 'ingest', file);
      expect(r.out).toContain('safeline-waf.ndjson: 1 accepted (0 of them events), 0 duplicates, 0 skipped, 1 rejected');
      expect(r.out).toContain('line 2: req_start_time "soon" is not a time');
      expect((await cli('alerts', 'search', '--format', 'json')).out).toContain('SQL injection');
    });

    it('reads an EVTX XML export, one record per <Event> wherever the lines break', async () => {
      const r = await cli('ingest', path.join(fixtures, 'security-export.xml'));
      expect(r.out).toContain('security-export.xml: 3 accepted (3 of them events), 0 duplicates, 0 skipped, 1 rejected');
      expect(r.out).toContain('line 18: <EventID> is not a number');
      // Windows events are context (events): found by address and time, the record as it came in
      const found = JSON.parse((await cli('alerts', 'search', '--events', '--from', '2019-01-01T00:00:00Z', '--src', '198.51.100.45', '--json')).out);
      expect(found.items.map((e: { original: string }) => e.original).join('\n')).toContain('<EventID>4625</EventID>');
    });

    it('searches what came in', async () => {
      const r = await cli('alerts', 'search', '--src', '10.164.2.0/24', '--format', 'suricata');
      expect(r.out).toContain('ET EXPLOIT Possible ETERNALBLUE MS17-010 Echo Response');
      expect(r.out).not.toContain('10.164.1.8');
      expect((await cli('alerts', 'search', '--rule', 'no-such-rule')).out).toContain('no alerts');
    });

    it('says why detection filed an incident, without a server (incident why)', async () => {
      const listed = JSON.parse((await cli('incident', 'list', '--json')).out) as { items: Array<{ id: string; type: string }> } | Array<{ id: string; type: string }>;
      const list = Array.isArray(listed) ? listed : listed.items;
      const exploit = list.find((i) => i.type.includes('exploitation'))!;
      expect(exploit).toBeDefined();
      const why = await cli('incident', 'why', exploit.id);
      expect(why.code, why.err).toBe(0);
      expect(why.out).toContain('ETERNALBLUE');
      expect(why.out).toMatch(/\[\w+, level \d\] ×\d+/);
      expect(why.out).toMatch(/matched: \w+/);
      const json = JSON.parse((await cli('incident', 'why', exploit.id, '--json')).out);
      expect(json.signals[0].explanation.kind).toBe('detection');
      expect((await cli('incident', 'why', 'INC-20000101-0001')).code).not.toBe(0);
    });

    it('pages a search: --cursor for the next page, --all for every page (one JSON document per line)', async () => {
      const q = ['alerts', 'search', '--events', '--from', '2019-01-01T00:00:00Z'];
      const all = (await cli(...q, '--all', '--json')).out.trim().split('\n').map((l) => JSON.parse(l) as { id: number });
      expect(all.length).toBeGreaterThan(4);
      const seen: number[] = [];
      let args = [...q, '--limit', '2', '--json'];
      for (;;) {
        const page = JSON.parse((await cli(...args)).out) as { items: Array<{ id: number }>; nextCursor: string | null };
        seen.push(...page.items.map((i) => i.id));
        if (!page.nextCursor) break;
        args = [...q, '--limit', '2', '--json', '--cursor', page.nextCursor];
      }
      expect(seen).toEqual(all.map((a) => a.id));
      const text = await cli(...q, '--limit', '2');
      expect(text.out).toMatch(/more: --cursor '.+'/);
      expect((await cli(...q, '--limit', '2', '--all')).out.trim().split('\n')).toHaveLength(all.length);
    });

    it('--no-detect stores only; the next detection run (here: a plain ingest) picks those alerts up from where it stopped', async () => {
      // an attacker of its own, so the alerts are new here
      const eve = path.join(t.dataDir, 'later-eve.json');
      fs.writeFileSync(eve, fs.readFileSync(path.join(fixtures, 'suricata-eve.json'), 'utf8').replaceAll('10.164.2.15', '10.164.7.77').replaceAll('2019-12-02', '2019-12-09'));
      const r = await cli('ingest', '--no-detect', eve);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('later-eve.json: 4 accepted');
      expect((await cli('incident', 'list')).out).not.toContain('10.164.7.77');
      const other = path.join(t.dataDir, 'later-auth.log');
      fs.writeFileSync(other, fs.readFileSync(path.join(fixtures, 'auth.log'), 'utf8').replaceAll('Dec  2', 'Dec  9'));
      const next = await cli('ingest', other);
      expect(next.code, next.err).toBe(0);
      expect((await cli('incident', 'list')).out).toMatch(/内网高危漏洞利用事件：10\.164\.7\.77/);
    });
  });
}

describe('bihuan ingest as a process (SQLite)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
  });
  afterAll(async () => t?.drop());

  const run = (args: string[], stdin?: string) =>
    spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--database', t.url, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, BIHUAN_DATA_DIR: t.dataDir },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  const finish = (p: ReturnType<typeof run>) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      p.stderr!.on('data', (d) => (out += d));
      p.on('exit', (code) => resolve({ code, out }));
    });
  const count = () => {
    const db = new SQLite(t.url.replace(/^sqlite:/, ''), { readonly: true });
    try {
      return (db.prepare('select count(*) n from alerts').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('reads standard input, gzip or not', async () => {
    const p = run(['ingest', '-'], '');
    const done = finish(p);
    p.stdin!.end(gzipSync(fs.readFileSync(path.join(fixtures, 'dns.ndjson'))));
    const r = await done;
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('-: 2 accepted');
  });

  it('killed in the middle of a large file, keeps every committed batch; run again, stores each record exactly once', async () => {
    const total = 60_000;
    const file = path.join(t.dataDir, 'eve-big.json');
    const fd = fs.openSync(file, 'w');
    for (let i = 0; i < total; i += 1000) fs.writeSync(fd, Array.from({ length: 1000 }, (_, k) => eveLine(i + k)).join('\n') + '\n');
    fs.closeSync(fd);
    const before = count();

    const p = run(['ingest', file]);
    const exited = finish(p);
    // wait until some batches are committed, then kill without warning
    const deadline = Date.now() + 60_000;
    while (count() - before < FILE_BATCH && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    p.kill('SIGKILL');
    await exited;
    const afterKill = count() - before;
    expect(afterKill).toBeGreaterThanOrEqual(FILE_BATCH);
    expect(afterKill).toBeLessThan(total);
    expect(afterKill % FILE_BATCH).toBe(0); // whole batches only: nothing half-written

    const again = await finish(run(['ingest', file, '--json']));
    expect(again.code, again.out).toBe(0);
    const report = JSON.parse(again.out.trim().split('\n').pop()!);
    expect(report).toMatchObject({ accepted: total - afterKill, duplicates: afterKill, rejected: 0 });
    expect(count() - before).toBe(total);
    // 60k alerts from 60k attackers through detection twice: ~100-130 s here (see issue 12's closing note: filing cost)
  }, 300_000);
});
