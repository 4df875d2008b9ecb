/**
 * The prefilter and the shared tests change how much work the rule set does, never what it
 * finds: random rules over random events (values built from the rules' own literals, in mixed
 * case, with wildcards, flag dashes, arrays and characters whose lower case is not one
 * character) match exactly the same rules as a plain evaluation of every rule with tests of its
 * own. The recorded Windows events and the SigmaHQ corpus are checked the same way in
 * test/sigma-corpus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SigmaEvent } from './event.js';
import { loadRuleText } from './rule.js';
import { type Prefilter, RuleSet } from './ruleset.js';

let seed = 20261207;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;

const FRAGMENTS = ['cmd', '.exe', '\\', 'Power', 'shell', '-enc', '/c', 'ΣΑΣ', 'ΑΣ', 'İx', 'a', 'ab', 'b', 'X', ' ', 'temp\\', 'mimikatz', '::', 'ß'];
const FIELDS = ['Image', 'CommandLine', 'TargetObject', 'A'];
const text = (parts: number) => Array.from({ length: parts }, () => pick(FRAGMENTS)).join('');
const randomCase = (s: string) => [...s].map((c) => (rand(2) ? c.toUpperCase() : c.toLowerCase())).join('');
const yamlString = (s: string) => JSON.stringify(s);

function randomValue(): string {
  const v = text(1 + rand(3));
  // wildcards and escapes here and there
  switch (rand(6)) {
    case 0:
      return `${v}*${text(1)}`;
    case 1:
      return `${v}?`;
    case 2:
      return `*${v}`;
    default:
      return v;
  }
}

const MODIFIERS = ['', '|contains', '|startswith', '|endswith', '|contains|all', '|contains|cased', '|endswith|windash', '|contains|windash', '|re', '|exists', '|neq', '|cased', '|startswith|cased'];

function randomSelection(): string {
  if (rand(8) === 0) return `[${Array.from({ length: 1 + rand(3) }, () => yamlString(randomValue())).join(', ')}]`; // keywords
  const entries = Array.from({ length: 1 + rand(2) }, () => {
    const field = pick(FIELDS);
    const mod = pick(MODIFIERS);
    if (mod === '|exists') return `${field}${mod}: ${rand(2) ? 'true' : 'false'}`;
    if (mod === '|re') return `${field}${mod}: ${yamlString(pick(['(?i)cmd.*exe', 'power.?shell', '^[a-z]+\\\\', 'ab|Σ', 'x{2,}', '(?i)temp\\\\', '\\.EXE$', 'Mimi(katz)+', '(?:b|X)a']))}`;
    const values = Array.from({ length: 1 + rand(3) }, () => yamlString(randomValue()));
    return `${field}${mod}: [${values.join(', ')}]`;
  });
  return `{${entries.join(', ')}}`;
}

const CONDITIONS = ['sel1', 'sel1 and sel2', 'sel1 or sel2', 'sel1 and not sel2', '1 of sel*', 'all of sel*', 'not sel1', '(sel1 or sel2) and sel3', 'sel1 and (sel2 or not sel3)'];

function randomRules(n: number): string {
  return Array.from({ length: n }, (_, i) =>
    [`title: r${i}`, 'logsource: {product: p}', 'detection:', `  sel1: ${randomSelection()}`, `  sel2: ${randomSelection()}`, `  sel3: ${randomSelection()}`, `  condition: ${pick(CONDITIONS)}`].join('\n'),
  ).join('\n---\n');
}

function randomEvent(): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (rand(4) === 0) continue;
    const v = rand(2) ? randomCase(text(1 + rand(5))) : text(1 + rand(5));
    doc[field] = rand(6) === 0 ? [v, randomCase(text(2))] : rand(10) === 0 ? 42 : v;
  }
  return doc;
}

describe('prefiltered and plain evaluation', () => {
  it('match the same rules on random rules and events, in every prefilter mode', () => {
    let matched = 0;
    let evaluated = 0;
    let plainEvaluated = 0;
    for (let round = 0; round < 40; round++) {
      const source = randomRules(60);
      const shared = loadRuleText(source, 'random.yml');
      const own = loadRuleText(source, 'random.yml', { shareTests: false });
      expect(shared.refusals).toEqual([]);
      const plain = new RuleSet(own.rules, 'none');
      const sets = (['literals', 'values'] as Prefilter[]).map((m) => new RuleSet(shared.rules, m));
      for (let e = 0; e < 100; e++) {
        const doc = randomEvent();
        const want = plain.match(new SigmaEvent(doc, { product: 'p' }, 0)).map((r) => r.title);
        for (const set of sets) {
          const event = new SigmaEvent(doc, { product: 'p' }, 0);
          expect(set.match(event).map((r) => r.title), `${set.prefilter}: ${JSON.stringify(doc)}\n${source}`).toEqual(want);
        }
        matched += want.length;
      }
      evaluated += sets[0]!.stats.evaluated;
      plainEvaluated += plain.stats.evaluated;
    }
    // the cases are not trivial: rules do match, and the prefilter does spare work
    expect(matched).toBeGreaterThan(1000);
    expect(evaluated).toBeLessThan(plainEvaluated);
  });

  it('a cased literal ending in a capital sigma still finds it inside a longer word (its lower case there is σ, alone ς)', () => {
    const rules = loadRuleText("title: sigma\nlogsource: {product: p}\ndetection: {sel: {A|contains|cased: 'ΑΣ'}, condition: sel}", 'r.yml').rules;
    const set = new RuleSet(rules);
    expect(set.match(new SigmaEvent({ A: 'ΚΑΣΒ' }, { product: 'p' }, 0)).map((r) => r.title)).toEqual(['sigma']);
    expect(set.match(new SigmaEvent({ A: 'κασβ' }, { product: 'p' }, 0))).toEqual([]);
  });

  it('explain the same selections, a shared test answering each rule that uses it', () => {
    const source = randomRules(40);
    const shared = loadRuleText(source, 'random.yml').rules;
    const own = loadRuleText(source, 'random.yml', { shareTests: false }).rules;
    for (let e = 0; e < 300; e++) {
      const doc = randomEvent();
      const event = new SigmaEvent(doc, { product: 'p' }, 0);
      const plainEvent = new SigmaEvent(doc, { product: 'p' }, 0);
      shared.forEach((rule, i) => {
        expect(rule.detection.matches(event)).toBe(own[i]!.detection.matches(plainEvent));
        expect(rule.detection.explain(event)).toEqual(own[i]!.detection.explain(plainEvent));
      });
    }
  });
});
