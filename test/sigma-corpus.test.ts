/**
 * The real SigmaHQ corpus (../shared/data/sigma-rules): every rule loads or is refused with a
 * precise reason, counted by reason; and the Windows rules find the attacks in the recorded
 * attack datasets (../shared/data/windows-events). Skipped, saying so, when the data is absent.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompileOptions } from '../src/domain/detection/sigma/detection.js';
import { type RuleRefusal, type SigmaRule, loadRuleText } from '../src/domain/detection/sigma/rule.js';
import { type EventLogSource, type LogSource, SigmaEvent } from '../src/domain/detection/sigma/event.js';
import { RuleSet } from '../src/domain/detection/sigma/ruleset.js';
import { DEFAULT_FIELD_MAPPING, flattenWindowsRecord, windowsLogsource } from '../src/domain/detection/sigma/windows.js';

const SHARED = path.resolve(import.meta.dirname, '../../shared/data');
const RULES = path.join(SHARED, 'sigma-rules');
const EVENTS = path.join(SHARED, 'windows-events');
const haveRules = fs.existsSync(RULES);
if (!haveRules) console.log(`[bihuan tests] SigmaHQ corpus tests SKIPPED: ${RULES} is absent`);

function recordedEvents(): SigmaEvent[] {
  const events: SigmaEvent[] = [];
  for (const zip of fs.readdirSync(EVENTS).filter((f) => f.endsWith('.zip'))) {
    const text = execFileSync('unzip', ['-p', path.join(EVENTS, zip)], { maxBuffer: 1 << 30, encoding: 'utf8' });
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const flat = flattenWindowsRecord(JSON.parse(line) as Record<string, unknown>);
      events.push(new SigmaEvent(flat, windowsLogsource(flat.Channel as string | undefined, Number(flat.EventID), flat.EventType as string | undefined), 0, DEFAULT_FIELD_MAPPING));
    }
  }
  return events;
}

/**
 * Events written from the rules themselves, so that nearly every rule meets events that match
 * it or nearly do: each selection's first value of each field with its wildcards filled and its
 * position honoured (text around a `contains` value, after a `startswith` one, a folder before
 * an `endswith` one), in changed case; one event per selection and one with all of a rule's
 * selections (its filters too) together.
 */
function eventsFromRules(rules: SigmaRule[]): Array<{ doc: Record<string, unknown>; source: EventLogSource }> {
  const out: Array<{ doc: Record<string, unknown>; source: EventLogSource }> = [];
  let flip = 0;
  const valueFor = (key: string, v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    const filled = v.replace(/\\([*?\\])/g, '$1').replace(/[*?]/g, 'x');
    const mods = key.split('|').slice(1);
    const text = mods.includes('contains') ? `pre ${filled} post` : mods.includes('startswith') ? `${filled}\\tail.exe` : mods.includes('endswith') ? `C:\\Some Dir\\${filled}` : filled;
    return ++flip % 3 === 0 ? text.toUpperCase() : flip % 3 === 1 ? text : text.toLowerCase();
  };
  const fieldsOf = (selection: unknown): Record<string, unknown> => {
    const maps = Array.isArray(selection) ? selection.filter((m) => m && typeof m === 'object') : [selection];
    const doc: Record<string, unknown> = {};
    for (const m of maps.slice(0, 1) as Array<Record<string, unknown>>) {
      for (const [key, v] of Object.entries(m ?? {})) {
        const field = key.split('|')[0]!;
        if (field) doc[field] = valueFor(key, Array.isArray(v) ? v[flip % v.length] : v);
      }
    }
    return doc;
  };
  for (const rule of rules) {
    const detection = rule.document.detection as Record<string, unknown>;
    const logsource = rule.logsource as LogSource;
    const source: EventLogSource = { product: logsource.product, service: logsource.service, categories: logsource.category ? [logsource.category] : [] };
    const all: Record<string, unknown> = {};
    for (const [name, selection] of Object.entries(detection)) {
      if (name === 'condition') continue;
      const doc = fieldsOf(selection);
      out.push({ doc, source });
      Object.assign(all, doc);
    }
    out.push({ doc: all, source });
  }
  return out;
}

function loadCorpus(options: CompileOptions = {}) {
  const files = fs.readdirSync(RULES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));
  const rules: SigmaRule[] = [];
  const refusals: RuleRefusal[] = [];
  const empty: string[] = [];
  for (const f of files) {
    const loaded = loadRuleText(fs.readFileSync(path.join(RULES, f), 'utf8'), f, options);
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
    // (the prefilter's equivalence to a plain evaluation is checked below)
    expect(empire).toContain('HackTool - Empire PowerShell Launch Parameters');
    expect(empire).toContain('Suspicious Execution of Powershell with Base64');
    const metasploit = titlesIn('metasploit_logonpasswords_lsass_memory_dump.zip');
    expect(metasploit).toContain('Potential Meterpreter/CobaltStrike Activity');
    expect(metasploit).toContain('Meterpreter or Cobalt Strike Getsystem Service Installation - Security');
    expect(metasploit).toContain('Uncommon GrantedAccess Flags On LSASS');
  }, 120_000);

  it.skipIf(!fs.existsSync(EVENTS))('the prefiltered engine matches what a plain evaluation of every Windows rule matches, over the recorded events', () => {
    const windows = (rules: SigmaRule[]) => rules.filter((r) => r.logsource.product === 'windows');
    const fast = new RuleSet(windows(corpus!.rules));
    // every rule of the event's logsource, each with tests of its own (nothing shared, nothing skipped)
    const plain = new RuleSet(windows(loadCorpus({ shareTests: false }).rules), 'none');
    const events = recordedEvents();
    let matches = 0;
    const differ: string[] = [];
    for (const event of events) {
      const want = plain.match(event).map((r) => `${r.source.file}:${r.source.line}`);
      const got = fast.match(new SigmaEvent(event.doc, event.logsource, 0, DEFAULT_FIELD_MAPPING)).map((r) => `${r.source.file}:${r.source.line}`);
      matches += want.length;
      if (got.join() !== want.join()) differ.push(`${JSON.stringify(event.doc).slice(0, 300)}: ${got.join()} ≠ ${want.join()}`);
    }
    console.log(`[sigma corpus] ${events.length} recorded events: ${matches} matches; rules evaluated per event ${(fast.stats.evaluated / fast.stats.events).toFixed(1)} prefiltered, ${(plain.stats.evaluated / plain.stats.events).toFixed(1)} plain`);
    expect(differ.slice(0, 5)).toEqual([]);
    expect(matches).toBeGreaterThan(400);
  }, 300_000);

  it('the prefiltered engine matches what a plain evaluation matches, over events written from every Windows rule', () => {
    const windows = (rules: SigmaRule[]) => rules.filter((r) => r.logsource.product === 'windows');
    const rules = windows(corpus!.rules);
    const fast = new RuleSet(rules);
    const plain = new RuleSet(windows(loadCorpus({ shareTests: false }).rules), 'none');
    const events = eventsFromRules(rules);
    let matches = 0;
    const matchedRules = new Set<string>();
    const differ: string[] = [];
    for (const { doc, source } of events) {
      const want = plain.match(new SigmaEvent(doc, source, 0, DEFAULT_FIELD_MAPPING)).map((r) => `${r.source.file}:${r.source.line}`);
      const got = fast.match(new SigmaEvent(doc, source, 0, DEFAULT_FIELD_MAPPING)).map((r) => `${r.source.file}:${r.source.line}`);
      matches += want.length;
      for (const w of want) matchedRules.add(w);
      if (got.join() !== want.join()) differ.push(`${JSON.stringify(doc).slice(0, 300)}: ${got.join()} ≠ ${want.join()}`);
    }
    console.log(`[sigma corpus] ${events.length} events written from ${rules.length} rules: ${matches} matches of ${matchedRules.size} rules; rules evaluated per event ${(fast.stats.evaluated / fast.stats.events).toFixed(1)} prefiltered, ${(plain.stats.evaluated / plain.stats.events).toFixed(1)} plain`);
    expect(differ.slice(0, 5)).toEqual([]);
    // most rules meet an event that matches them: the comparison covers them
    expect(matchedRules.size).toBeGreaterThan(rules.length / 2);
  }, 300_000);
});
