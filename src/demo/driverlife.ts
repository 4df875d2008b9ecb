/**
 * The DriverLife (驱动人生) outbreak of domain.md, replayed into a running product as its
 * devices emitted it: the Shanghai branch, zones, asset inventory and threat intelligence,
 * then the alerts in device order (HQ's DNS C&C look-ups, the honeypot's IDS alerts, the file
 * server's Windows log), through the same intake and detection as live traffic.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Services } from '../app.js';
import type { Actor } from '../domain/account/roles.js';

export const DRIVERLIFE_DIR = path.resolve(import.meta.dirname, '../../test/fixtures/driverlife');
export const DRIVERLIFE_ALERT_FILES = ['hq-dns-query.log', 'hq-honeypot-eve.json', 'sh-fs01-winlogbeat.ndjson'];

const ACTOR: Actor = { kind: 'system', label: 'demo' };

/** Zones, org units, inventory and intelligence: what the SOC had set up before that night. */
export async function prepareDriverLife(s: Services, dir = DRIVERLIFE_DIR): Promise<void> {
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const units = new Set((await s.settings.orgUnits()).map((u) => u.code));
  if (!units.has('SH')) await s.settings.saveOrgUnit(ACTOR, { code: 'SH', name: '上海分公司', kind: 'branch' });
  await s.intake.setNetworkZones(ACTOR, JSON.parse(read('network.json')));
  await s.assets.import(ACTOR, read('sh-assets.csv'));
  await s.intel.import(ACTOR, read('threat-intel.txt'), { source: 'driverlife-feed', confidence: 90 });
}

/** The outbreak's last record (the honeypot's scanner alert, 06:50:41 in Shanghai on 2 December 2019). */
export const DRIVERLIFE_LAST_RECORD = Date.parse('2019-12-01T22:50:41.902Z');

/** The clock of HQ's DNS server, whose query log has no zone (the other devices write theirs). */
const DNS_LOG_ZONE = 'Asia/Shanghai';

/**
 * One record with its device time moved by `offsetMs`, in the record's own format: the BIND
 * query log's local wall clock (read in Shanghai, written in `zone`, the zone the product reads
 * zone-less logs in), Suricata's ISO time with its offset (fraction and offset kept),
 * Winlogbeat's UTC `@timestamp`.
 */
export function shiftRecord(file: string, text: string, offsetMs: number, zone = DNS_LOG_ZONE): string {
  if (!text.trim()) return text;
  if (file.endsWith('dns-query.log')) {
    if (!offsetMs && zone === DNS_LOG_ZONE) return text;
    return text.replace(/^(\d{2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3})/, (t) => {
      const fmt = 'dd-LLL-yyyy HH:mm:ss.SSS';
      return DateTime.fromFormat(t, fmt, { zone: DNS_LOG_ZONE, locale: 'en-US' }).plus({ milliseconds: offsetMs }).setZone(zone).toFormat(fmt, { locale: 'en-US' });
    });
  }
  if (!offsetMs) return text;
  if (file.endsWith('eve.json')) {
    return text.replace(/"timestamp":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/, (_m, t: string) => `"timestamp":"${DateTime.fromISO(t, { zone: 'UTC' }).plus({ milliseconds: offsetMs }).toFormat("yyyy-MM-dd'T'HH:mm:ss")}`);
  }
  return text.replace(/"@timestamp":"([^"]+)"/, (_m, t: string) => `"@timestamp":"${new Date(Date.parse(t) + offsetMs).toISOString()}"`);
}

/** A record's device time (epoch ms), as `shiftRecord` reads it; undefined for a blank line. */
export function recordTime(file: string, text: string): number | undefined {
  if (!text.trim()) return undefined;
  if (file.endsWith('dns-query.log')) {
    const m = /^(\d{2}-[A-Za-z]{3}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3})/.exec(text);
    return m ? DateTime.fromFormat(m[1]!, 'dd-LLL-yyyy HH:mm:ss.SSS', { zone: DNS_LOG_ZONE, locale: 'en-US' }).toMillis() : undefined;
  }
  const m = file.endsWith('eve.json') ? /"timestamp":"([^"]+)"/.exec(text) : /"@timestamp":"([^"]+)"/.exec(text);
  const t = m ? DateTime.fromISO(m[1]!, { setZone: true }) : undefined;
  return t?.isValid ? t.toMillis() : undefined;
}

/**
 * The outbreak as it would arrive live, `speedup` times faster (120: its two hours in a minute):
 * the records of every device in device-time order, each sent when its turn comes and carrying
 * the time it was sent — so an incident is detected as it appears and its SLA clock starts
 * fresh. Answers the incidents detection made (only those: not any the database had before).
 */
export async function replayDriverLifeLive(s: Services, opts: { dir?: string; speedup: number; onRecord?: (file: string, n: number) => void }): Promise<string[]> {
  const dir = opts.dir ?? DRIVERLIFE_DIR;
  const records = DRIVERLIFE_ALERT_FILES.flatMap((file) =>
    fs
      .readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .map((text, i) => ({ file, line: i + 1, text, time: recordTime(file, text) }))
      .filter((r): r is { file: string; line: number; text: string; time: number } => r.time !== undefined),
  );
  records.sort((a, b) => a.time - b.time);
  const since = s.now().toISOString();
  const start = Date.now();
  const first = records[0]?.time ?? 0;
  for (const r of records) {
    const wait = start + (r.time - first) / opts.speedup - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    await s.intake.ingest([{ line: r.line, text: shiftRecord(r.file, r.text, Date.now() - r.time, s.timeZones.zone) }], { channel: 'demo' });
    opts.onRecord?.(r.file, r.line);
  }
  await s.detection.idle();
  return demoIncidentsSince(s, since);
}

/** The incidents created since an instant (the demo's own, not what the database held before). */
async function demoIncidentsSince(s: Services, since: string): Promise<string[]> {
  const list = await s.incidents.list({ sort: 'created', limit: 200 });
  return list.items.filter((i) => i.createdAt >= since).map((i) => i.id);
}

/** Whether the outbreak was replayed into this database already (its alerts are there): a rerun of the demo then adds nothing. */
export async function driverLifeReplayed(s: Services): Promise<boolean> {
  for (const table of ['alerts', 'events'] as const) {
    if (await s.database.db.selectFrom(table).select('id').where('channel', '=', 'demo').limit(1).executeTakeFirst()) return true;
  }
  return false;
}

/**
 * The alerts, file by file; `delayMs` between records replays at a chosen pace (0: at once).
 * `endAt` moves every device time by the same amount so that the outbreak's last record falls
 * at that instant (the demo: the outbreak happened in the last two hours, so SLA clocks and
 * response times read as they would live); without it the records keep their 2019 times.
 * Answers the incidents detection made.
 */
export async function replayDriverLife(s: Services, opts: { dir?: string; delayMs?: number; endAt?: Date; onRecord?: (file: string, n: number) => void } = {}): Promise<string[]> {
  const dir = opts.dir ?? DRIVERLIFE_DIR;
  const since = s.now().toISOString();
  // whole seconds: the records' fractions stay as the devices wrote them
  const offset = opts.endAt ? Math.floor((opts.endAt.getTime() - DRIVERLIFE_LAST_RECORD) / 1000) * 1000 : 0;
  for (const file of DRIVERLIFE_ALERT_FILES) {
    const lines = fs
      .readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .map((line) => shiftRecord(file, line, offset, s.timeZones.zone));
    if (!opts.delayMs) {
      await s.intake.ingest(
        lines.map((text, i) => ({ line: i + 1, text })),
        { channel: 'demo' },
      );
      await s.detection.idle();
      continue;
    }
    for (const [i, text] of lines.entries()) {
      if (!text.trim()) continue;
      await s.intake.ingest([{ line: i + 1, text }], { channel: 'demo' });
      opts.onRecord?.(file, i + 1);
      await new Promise((r) => setTimeout(r, opts.delayMs));
    }
    await s.detection.idle();
  }
  return demoIncidentsSince(s, since);
}
