/**
 * The real SigmaHQ corpus (../shared/data/sigma-rules): every rule loads or is refused with a
 * precise reason, counted by reason; and the Windows rules find the attacks in the recorded
 * attack datasets (../shared/data/windows-events). Skipped, saying so, when the data is absent.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SigmaEvent } from '../src/domain/detection/sigma/event.js';
import { type RuleRefusal, type SigmaRule, loadRuleText } from '../src/domain/detection/sigma/rule.js';
import { RuleSet } from '../src/domain/detection/sigma/ruleset.js';
import { DEFAULT_FIELD_MAPPING, flattenWindowsRecord, windowsLogsource } from '../src/domain/detection/sigma/windows.js';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const RULES = path.join(SHARED, 'sigma-rules');
const EVENTS = path.join(SHARED, 'windows-events');
const haveRules = fs.existsSync(RULES);
if (!haveRules) console.log(`[bihuan tests] SigmaHQ corpus tests SKIPPED: ${RULES} is absent`);

function loadCorpus() {
  const files = fs.readdirSync(RULES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));
  const rules: SigmaRule[] = [];
  const refusals: RuleRefusal[] = [];
  const empty: string[] = [];
  for (const f of files) {
    const loaded = loadRuleText(fs.readFileSync(path.join(RULES, f), 'utf8'), f);
    rules.push(...loaded.rules);
    refusals.push(...loaded.refusals);
    if (loaded.rules.length + loaded.correlations.length + loaded.refusals.length === 0) empty.push(f);
  }
  return { files, rules, refusals, empty };
}

describe.skipIf(!haveRules)('the SigmaHQ rule corpus', () => {
  const corpus = haveRules ? loadCorpus() : undefined;

  it('every rule file loads or is refused with a file, a line and a reason, counted by reason', () => {
    const { files, rules, refusals, empty } = corpus!;
    const byReason: Record<string, number> = {};
    for (const r of refusals) byReason[r.category] = (byReason[r.category] ?? 0) + 1;
    console.log(`[sigma corpus] ${files.length} files: ${rules.length} rules loaded, ${refusals.length} refused ${JSON.stringify(byReason)}`);
    for (const r of refusals) console.log(`[sigma corpus] refused ${r.file}:${r.line} ${r.reason}`);
    expect(empty).toEqual([]);
    expect(rules.length + refusals.length).toBeGreaterThanOrEqual(files.length);
    expect(rules.length).toBeGreaterThan(files.length * 0.99);
    for (const r of refusals) {
      expect(r.file).toMatch(/\.ya?ml$/);
      expect(r.line).toBeGreaterThan(0);
      expect(r.reason.length).toBeGreaterThan(10);
    }
  });

  it.skipIf(!fs.existsSync(EVENTS))('the Windows rules find the attacks in the recorded datasets', () => {
    const set = new RuleSet(corpus!.rules.filter((r) => r.logsource.product === 'windows'));
    const titlesIn = (zip: string) => {
      const titles = new Set<string>();
      const text = execFileSync('unzip', ['-p', path.join(EVENTS, zip)], { maxBuffer: 1 << 30, encoding: 'utf8' });
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        const flat = flattenWindowsRecord(JSON.parse(line) as Record<string, unknown>);
        const source = windowsLogsource(flat.Channel as string | undefined, Number(flat.EventID), flat.EventType as string | undefined);
        for (const r of set.match(new SigmaEvent(flat, source, 0, DEFAULT_FIELD_MAPPING))) titles.add(r.title);
      }
      return titles;
    };
    const empire = titlesIn('empire_dcom_shellwindows_stager.zip');
    expect(empire).toContain('HackTool - Empire PowerShell Launch Parameters');
    expect(empire).toContain('Suspicious Execution of Powershell with Base64');
    const metasploit = titlesIn('metasploit_logonpasswords_lsass_memory_dump.zip');
    expect(metasploit).toContain('Potential Meterpreter/CobaltStrike Activity');
    expect(metasploit).toContain('Meterpreter or Cobalt Strike Getsystem Service Installation - Security');
    expect(metasploit).toContain('Uncommon GrantedAccess Flags On LSASS');
  }, 120_000);
});
