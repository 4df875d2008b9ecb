/**
 * `npm run bench -- detect`: Sigma detection throughput, each figure against a no-rules
 * baseline in the same run (same events, same event views, an empty rule set), on one core.
 *  (b) every SigmaHQ Windows rule over the recorded Windows events in
 *      ../shared/data/windows-events/ (target ≥ 20k events/s).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SigmaEvent } from '../src/domain/detection/sigma/event.js';
import { loadRuleText } from '../src/domain/detection/sigma/rule.js';
import { RuleSet } from '../src/domain/detection/sigma/ruleset.js';
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

export async function detectBench(): Promise<void> {
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
  const set = new RuleSet(rules);
  run(set, records.slice(0, 5000)); // warm-up: JIT and the logsource buckets
  const measured = run(set, records);
  const rate = records.length / measured.seconds;
  const baseRate = records.length / baseline.seconds;
  console.log(`      rules     ${rate.toFixed(0).padStart(8)} events/s  (${measured.seconds.toFixed(2)} s, ${measured.matches} matches, ${(set.stats.evaluated / set.stats.events).toFixed(1)} rules evaluated per event after the index)`);
  console.log(`      no rules  ${baseRate.toFixed(0).padStart(8)} events/s  (event views and logsource only)`);
  console.log(`      ratio     ${(rate / baseRate).toFixed(2)}   (target ≥ 20k events/s on one core)`);
}
