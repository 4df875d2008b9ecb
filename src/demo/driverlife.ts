/**
 * The DriverLife (驱动人生) outbreak of domain.md, replayed into a running product as its
 * devices emitted it: the Shanghai branch, zones, asset inventory and threat intelligence,
 * then the alerts in device order (HQ's DNS C&C look-ups, the honeypot's IDS alerts, the file
 * server's Windows log), through the same intake and detection as live traffic.
 */
import fs from 'node:fs';
import path from 'node:path';
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

/**
 * The alerts, file by file; `delayMs` between records replays at a chosen pace (0: at once).
 * Answers the incidents detection made.
 */
export async function replayDriverLife(s: Services, opts: { dir?: string; delayMs?: number; onRecord?: (file: string, n: number) => void } = {}): Promise<string[]> {
  const dir = opts.dir ?? DRIVERLIFE_DIR;
  for (const file of DRIVERLIFE_ALERT_FILES) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
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
  const list = await s.incidents.list({ sort: 'created', limit: 100 });
  return list.items.map((i) => i.id);
}
