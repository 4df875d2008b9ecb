/**
 * A Sigma rule's `detection` compiled into a matcher, once, when the rule is loaded: every
 * value becomes a ready test (modifiers applied, wildcards turned into string operations or
 * one RegExp), every selection a closure, the condition a tree of closures over them; a field
 * test written the same way in several rules is one shared test, evaluated once per event. Also
 * derived here: what any matching event must have (exact values, file names, literals in a
 * field), by which the rule set sends an event only to rules it could match.
 */
import ipaddr from 'ipaddr.js';
import { DateTime } from 'luxon';
import { type Condition, conditionIdentifiers, parseCondition } from './condition.js';
import type { FieldSlot, SigmaEvent } from './event.js';
import { literalCost, requiredLiterals } from './regex-literals.js';
import { type Part, type StringTest, compilePattern, indexKey, literal, parseSigmaString, windash, withPosition } from './pattern.js';

/** A problem in a rule, with where in the rule it is (the path of keys down to the value). */
export class RuleError extends Error {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
  }
}

export interface CompileOptions {
  /** values for `|expand` placeholders, by name without the percent signs */
  placeholders?: Record<string, readonly string[]>;
  /** false: every field test is the rule's own, evaluated each time (the plain engine the shared one is checked against) */
  shareTests?: boolean;
}

/**
 * A cheap fact about one field of an event, lower-case: a value equals `key` (eq), has the file
 * name `key` after its last backslash (basename), or contains `key` (contains). `field` null: any
 * string anywhere in the event (what keywords search).
 */
export interface IndexAtom {
  field: string | null;
  mode: 'eq' | 'basename' | 'contains';
  key: string;
}

/**
 * What any event the rule matches must have, as clauses: each clause is a list of atoms one of
 * which holds. Every clause holds for a matching event (so an event failing one need not be
 * tried); an empty list says nothing (the rule is tried on every event of its logsource).
 */
export type Requirement = readonly (readonly IndexAtom[])[];

type Test = (event: SigmaEvent) => boolean;

interface Compiled {
  test: Test;
  /** necessary clauses, the most selective first */
  need: IndexAtom[][];
}

export interface CompiledDetection {
  matches: Test;
  /** the search identifiers (of those the condition uses) that the event satisfies */
  explain(event: SigmaEvent): string[];
  /** clauses a matching event satisfies (at most three, the most selective first), for the rule set's prefilter */
  requires: Requirement;
  /** every field name the rule reads */
  fields: string[];
  condition: Condition;
}

const MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 'cased', 'exists', 'neq', 'windash', 're', 'i', 'm', 's', 'base64', 'base64offset',
  'utf16le', 'utf16be', 'utf16', 'wide', 'lt', 'lte', 'gt', 'gte', 'cidr', 'expand', 'fieldref', 'minute', 'hour', 'day', 'week', 'month', 'year',
]);
const POSITION = new Set(['contains', 'startswith', 'endswith']);
const ENCODING = new Set(['base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide']);
const NUMERIC = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
/** fields nearly every event of a logsource has with few values: poor index keys */
const LOW_CARDINALITY = new Set(['eventid', 'channel', 'provider_name', 'event.code', 'winlog.event_id', 'logname']);

export function compileDetection(detection: unknown, options: CompileOptions = {}): CompiledDetection {
  if (!isMap(detection)) throw new RuleError('detection must be a map of search identifiers and a condition', ['detection']);
  const conditionValue = detection.condition;
  if (conditionValue === undefined) throw new RuleError('detection has no condition', ['detection']);
  const identifiers = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  if (detection.timeframe !== undefined) {
    throw new RuleError('"timeframe" belongs to the deprecated aggregations; write a correlation rule with a timespan instead', ['detection', 'timeframe']);
  }
  const conditionTexts = Array.isArray(conditionValue) ? conditionValue : [conditionValue];
  if (conditionTexts.length === 0 || conditionTexts.some((c) => typeof c !== 'string' || c.trim() === '')) {
    throw new RuleError('condition must be a non-empty string or a list of them', ['detection', 'condition']);
  }
  const conditions = conditionTexts.map((c, i) => {
    try {
      return parseCondition(c as string, identifiers);
    } catch (e) {
      throw new RuleError((e as Error).message, Array.isArray(conditionValue) ? ['detection', 'condition', i] : ['detection', 'condition']);
    }
  });
  const condition: Condition = conditions.length === 1 ? conditions[0]! : { op: 'or', args: conditions };
  const fields = new Set<string>();
  const selections = new Map<string, Compiled>();
  // every search identifier is compiled (a broken one is an error even if unused)
  for (const name of identifiers) selections.set(name, compileSelection(detection[name], ['detection', name], options, fields));
  const used = [...conditionIdentifiers(condition)];
  const tree = compileCondition(condition, selections);
  return {
    matches: tree.test,
    explain: (event) => used.filter((name) => selections.get(name)!.test(event)),
    requires: bestClauses(tree.need, MAX_RULE_CLAUSES),
    fields: [...fields],
    condition,
  };
}

function compileCondition(c: Condition, selections: Map<string, Compiled>): Compiled {
  switch (c.op) {
    case 'id':
      return selections.get(c.name)!;
    case 'not': {
      const inner = compileCondition(c.arg, selections).test;
      return { test: (e) => !inner(e), need: [] };
    }
    case 'and':
    case 'or':
      return combine(c.op, c.args.map((a) => compileCondition(a, selections)));
    case 'of':
      return combine(c.quantifier === 'one' ? 'or' : 'and', c.names.map((n) => selections.get(n)!));
  }
}

function combine(op: 'and' | 'or', parts: Compiled[]): Compiled {
  if (parts.length === 1) return parts[0]!;
  const tests = parts.map((p) => p.test);
  const test: Test = op === 'and' ? (e) => tests.every((t) => t(e)) : (e) => tests.some((t) => t(e));
  return { test, need: op === 'and' ? allOf(parts.map((p) => p.need)) : oneOf(parts.map((p) => p.need)) };
}

/** clauses kept per sub-expression while compiling, and per rule at the end */
const MAX_CLAUSES = 4;
export const MAX_RULE_CLAUSES = 3;

/** How often an event is likely to satisfy the atom (lower is more selective), roughly. */
function atomCost(a: IndexAtom): number {
  if (a.field !== null && LOW_CARDINALITY.has(a.field.toLowerCase())) return 100;
  return a.mode === 'contains' ? literalCost(a.key) : 1;
}

function clauseCost(clause: readonly IndexAtom[]): number {
  let sum = 0;
  for (const a of clause) sum += atomCost(a);
  return sum;
}

const atomKey = (a: IndexAtom) => `${a.mode}\u0000${a.field ?? ''}\u0000${a.field === null ? 'k' : 'f'}\u0000${a.key}`;

/** The same atoms once each. */
function distinctAtoms(atoms: IndexAtom[]): IndexAtom[] {
  const seen = new Set<string>();
  return atoms.filter((a) => {
    const k = atomKey(a);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The most selective clauses first, each once, at most `max`. */
function bestClauses(clauses: IndexAtom[][], max = MAX_CLAUSES): IndexAtom[][] {
  const seen = new Set<string>();
  return clauses
    .map((c) => ({ c, cost: clauseCost(c) }))
    .sort((x, y) => x.cost - y.cost)
    .filter(({ c }) => {
      const k = c.map(atomKey).sort().join('\u0001');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .slice(0, max)
    .map(({ c }) => c);
}

/** a and b: every clause of either holds */
function allOf(needs: IndexAtom[][][]): IndexAtom[][] {
  return bestClauses(needs.flat());
}

/**
 * a or b: one of them holds, so a clause of a or a clause of b does — their atoms together
 * make a clause. The k-th most selective clauses of every part are joined into the k-th clause.
 */
function oneOf(needs: IndexAtom[][][]): IndexAtom[][] {
  const depth = Math.min(...needs.map((n) => n.length));
  const out: IndexAtom[][] = [];
  for (let k = 0; k < depth; k++) out.push(distinctAtoms(needs.flatMap((n) => n[k]!)));
  return bestClauses(out);
}

/**
 * The atom a value matching the pattern must satisfy: the exact value or file name where the
 * pattern is one, else the longest literal run in it (every matching value contains it).
 */
function patternAtom(field: string | null, parts: Part[], cased: boolean): IndexAtom | undefined {
  const exact = field === null ? undefined : indexKey(parts, cased);
  if (exact) return { field, ...exact };
  let longest = '';
  for (const p of parts) if ('lit' in p && p.lit.length > longest.length) longest = p.lit;
  if (longest === '') return undefined;
  // a cased test compares as written; lower-cased, a capital sigma depends on its neighbours
  // (σ or final ς), so inside a longer value it may not lower-case as it does alone
  if (cased && longest.includes('\u03a3')) return undefined;
  return { field, mode: 'contains', key: longest.toLowerCase() };
}

/** The clauses of a list of patterns: one of them matches (one clause), or all do (a clause each). */
function patternNeeds(field: string | null, patterns: Part[][], cased: boolean, all: boolean): IndexAtom[][] {
  return valueNeeds(
    patterns.map((p) => {
      const atom = patternAtom(field, p, cased);
      return atom && [atom];
    }),
    all,
  );
}

/**
 * The clauses of a field's values, given the atoms each value requires (one of them; undefined:
 * nothing known): one of the values matches (one clause of all their atoms), or all do (a clause each).
 */
function valueNeeds(perValue: Array<IndexAtom[] | undefined>, all: boolean): IndexAtom[][] {
  if (all) return bestClauses(perValue.filter((a) => a !== undefined));
  return perValue.every((a) => a !== undefined) ? [distinctAtoms(perValue.flat())] : [];
}

/**
 * Field tests shared by every rule loaded in the process: the same field, modifiers and values
 * (e.g. Image|endswith '\\powershell.exe', in a hundred rules) compiled once and evaluated
 * once per event, its result kept by the event's serial number. A generation holds up to 65,536
 * tests; a full one is left to the rules that use it and a new one begun.
 */
const SHARED_CAPACITY = 1 << 16;
const newGeneration = () => ({ tests: new Map<string, Test>(), serials: new Float64Array(SHARED_CAPACITY), results: new Uint8Array(SHARED_CAPACITY) });
let generation = newGeneration();

function sharedTest(key: string, test: Test, options: CompileOptions): Test {
  if (options.shareTests === false) return test;
  let shared = generation.tests.get(key);
  if (shared) return shared;
  if (generation.tests.size >= SHARED_CAPACITY) generation = newGeneration();
  const { serials, results, tests } = generation;
  const id = tests.size;
  shared = (e) => {
    if (serials[id] === e.serial) return results[id] === 1;
    const r = test(e);
    serials[id] = e.serial;
    results[id] = r ? 1 : 0;
    return r;
  };
  tests.set(key, shared);
  return shared;
}

function compileSelection(value: unknown, path: (string | number)[], options: CompileOptions, fields: Set<string>): Compiled {
  if (isMap(value)) return compileMap(value, path, options, fields);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RuleError('a search identifier cannot be an empty list', path);
    if (value.every(isMap)) return combine('or', value.map((m, i) => compileMap(m, [...path, i], options, fields)));
    if (value.every((v) => typeof v === 'string' || typeof v === 'number')) return compileKeywords(value as Array<string | number>, [], path, options);
    throw new RuleError('a list mixes maps of fields with plain keywords', path);
  }
  if (typeof value === 'string' || typeof value === 'number') return compileKeywords([value], [], path, options);
  throw new RuleError(`a search identifier must be a map of fields, a list of maps or a list of keywords, not ${value === null ? 'null' : typeof value}`, path);
}

function compileMap(map: Record<string, unknown>, path: (string | number)[], options: CompileOptions, fields: Set<string>): Compiled {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new RuleError('a selection map cannot be empty', path);
  return combine(
    'and',
    entries.map(([key, v]) => {
      const [field = '', ...mods] = key.split('|');
      if (field === '') {
        // `'|all': [...]` and friends: keywords with modifiers
        const list = Array.isArray(v) ? v : [v];
        if (!list.every((x) => typeof x === 'string' || typeof x === 'number')) throw new RuleError('keywords must be strings or numbers', [...path, key]);
        return compileKeywords(list as Array<string | number>, mods, [...path, key], options);
      }
      fields.add(field);
      return compileField(field, mods, v, [...path, key], options, fields);
    }),
  );
}

/** Keywords: matched anywhere in the event's text (a plain keyword is a substring search). */
function compileKeywords(values: Array<string | number>, mods: string[], path: (string | number)[], options: CompileOptions): Compiled {
  for (const m of mods) {
    if (!MODIFIERS.has(m)) throw new RuleError(`unknown modifier "${m}"`, path);
    if (!['all', 'cased', 'contains', 'windash', 'startswith', 'endswith'].includes(m)) throw new RuleError(`modifier "${m}" cannot apply to keywords`, path);
  }
  const cased = mods.includes('cased');
  const patterns = values.map((v) => {
    let parts = typeof v === 'number' ? literal(String(v)) : parseSigmaString(v);
    if (mods.includes('windash')) parts = windash(parts);
    return withPosition(parts, 'contains');
  });
  const tests = patterns.map((p) => compilePattern(p, cased));
  const all = mods.includes('all');
  const test: Test = (e) => {
    const { raw, lowers } = e.keywords();
    const one = (t: StringTest) => {
      for (let i = 0; i < raw.length; i++) if (t(raw[i]!, lowers[i]!)) return true;
      return false;
    };
    return all ? tests.every(one) : tests.some(one);
  };
  return { test: sharedTest(`k|${cased}|${all}|${JSON.stringify(patterns)}`, test, options), need: patternNeeds(null, patterns, cased, all) };
}

type ValueTest = (slot: FieldSlot, event: SigmaEvent) => boolean;

function compileField(field: string, mods: string[], raw: unknown, path: (string | number)[], options: CompileOptions, fields: Set<string>): Compiled {
  for (const m of mods) if (!MODIFIERS.has(m)) throw new RuleError(`unknown modifier "${m}" on field "${field}"`, path);
  const has = (m: string) => mods.includes(m);
  const fail = (message: string): never => {
    throw new RuleError(`${field}: ${message}`, path);
  };
  const positions = mods.filter((m) => POSITION.has(m));
  if (positions.length > 1) fail(`modifiers ${positions.join(' and ')} contradict each other`);
  const position = positions[0] as 'contains' | 'startswith' | 'endswith' | undefined;
  for (const sub of ['i', 'm', 's']) if (has(sub) && !has('re')) fail(`"${sub}" is a flag of the "re" modifier and needs it`);
  if (has('all') && !Array.isArray(raw)) {
    // the spec forbids "all" on a single value; it means the same as the value alone
  }
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) fail('an empty list of values matches nothing');
  const neq = has('neq');
  const cased = has('cased');

  const field$ = (e: SigmaEvent) => e.field(field);
  // the same field, modifiers and values in any rule: one shared test (values as written, or as patterns below)
  const finish = (test: ValueTest, need: IndexAtom[][] = [], key = JSON.stringify(raw)): Compiled => ({
    test: sharedTest(`f|${field}|${mods.join('|')}|${key}`, (e) => test(field$(e), e), options),
    need,
  });

  // exists: presence only
  if (has('exists')) {
    if (mods.length > 1) fail('"exists" takes no other modifier');
    const want = raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : fail('"exists" takes true or false');
    return finish((slot) => slot.present === want);
  }

  // null: the field is absent or null; it cannot share a list with other values
  if (list.includes(null)) {
    if (list.length > 1) fail('null cannot be part of a list of values; put it in a selection of its own');
    if (mods.length > 0) fail('null takes no modifier');
    return finish((slot) => !slot.present || slot.values.every((v) => v === null));
  }
  for (const v of list) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(`values must be strings, numbers, booleans or null, not ${Array.isArray(v) ? 'a list' : typeof v}`);
  }
  const values = list as Array<string | number | boolean>;
  const combineValues = (tests: ValueTest[]): ValueTest => {
    const all = has('all');
    const positive: ValueTest = tests.length === 1 ? tests[0]! : all ? (s, e) => tests.every((t) => t(s, e)) : (s, e) => tests.some((t) => t(s, e));
    return neq ? (s, e) => !positive(s, e) : positive;
  };

  // time parts: the event's date value reduced to a number, then compared
  const timePart = mods.find((m) => TIME_PARTS.has(m));
  const numeric = mods.filter((m) => NUMERIC.has(m));
  if (numeric.length > 1) fail(`modifiers ${numeric.join(' and ')} contradict each other; use two selections`);
  if (numeric.length === 1 || timePart) {
    const extra = mods.filter((m) => !NUMERIC.has(m) && !TIME_PARTS.has(m) && m !== 'all' && m !== 'neq');
    if (extra.length) fail(`"${numeric[0] ?? timePart}" cannot be combined with ${extra.join(', ')}`);
    const op = numeric[0] ?? 'eq';
    const tests = values.map((v) => {
      const n = typeof v === 'number' ? v : Number(v);
      if (typeof v === 'boolean' || !Number.isFinite(n)) fail(`"${op}" needs a number, not "${String(v)}"`);
      const cmp = op === 'lt' ? (x: number) => x < n : op === 'lte' ? (x: number) => x <= n : op === 'gt' ? (x: number) => x > n : op === 'gte' ? (x: number) => x >= n : (x: number) => x === n;
      const read = timePart ? (s: string) => datePart(s, timePart) : (s: string) => (s.trim() === '' ? NaN : Number(s));
      return ((slot: FieldSlot) => slot.strings.some((s) => cmp(read(s)))) as ValueTest;
    });
    return finish(combineValues(tests));
  }

  if (has('cidr')) {
    const extra = mods.filter((m) => m !== 'cidr' && m !== 'all' && m !== 'neq');
    if (extra.length) fail(`"cidr" cannot be combined with ${extra.join(', ')}`);
    const tests = values.map((v) => {
      let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
      try {
        range = String(v).includes('/') ? ipaddr.parseCIDR(String(v)) : ((a) => [a, a.kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number])(ipaddr.parse(String(v)));
      } catch {
        return fail(`"${String(v)}" is not a CIDR network`);
      }
      return ((slot: FieldSlot) =>
        slot.strings.some((s) => {
          try {
            let a = ipaddr.parse(s.trim());
            if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() && range[0].kind() === 'ipv4') a = (a as ipaddr.IPv6).toIPv4Address();
            return a.kind() === range[0].kind() && a.match(range);
          } catch {
            return false;
          }
        })) as ValueTest;
    });
    return finish(combineValues(tests));
  }

  if (has('re')) {
    const extra = mods.filter((m) => !['re', 'i', 'm', 's', 'all', 'neq', 'cased'].includes(m));
    if (extra.length) fail(`"re" cannot be combined with ${extra.join(', ')}`);
    const literals: Array<string[] | undefined> = [];
    const tests = values.map((v) => {
      let source = String(v);
      let flags = (has('i') ? 'i' : '') + (has('m') ? 'm' : '') + (has('s') ? 's' : '');
      // PCRE's leading inline flags, e.g. (?i), which JavaScript writes as RegExp flags
      const inline = /^\(\?([imsx]+)\)/.exec(source);
      if (inline) {
        if (inline[1]!.includes('x')) fail('the "x" (extended) regex flag is not supported');
        source = source.slice(inline[0].length);
        for (const f of inline[1]!) if (!flags.includes(f)) flags += f;
      }
      let re: RegExp;
      try {
        re = new RegExp(source, flags);
      } catch (e) {
        return fail(`invalid regular expression /${String(v)}/: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
      }
      literals.push(requiredLiterals(source, flags));
      return ((slot: FieldSlot) => slot.strings.some((s) => re.test(s))) as ValueTest;
    });
    // what a match must contain, as literals the rule set's literal search finds
    const atoms = literals.map((set) => set?.map((key): IndexAtom => ({ field, mode: 'contains', key })));
    return finish(combineValues(tests), neq ? [] : valueNeeds(atoms, has('all')));
  }

  if (has('fieldref')) {
    const extra = mods.filter((m) => !['fieldref', 'all', 'neq', 'cased', 'contains', 'startswith', 'endswith'].includes(m));
    if (extra.length) fail(`"fieldref" cannot be combined with ${extra.join(', ')}`);
    const tests = values.map((v) => {
      const other = String(v);
      fields.add(other);
      const compare = (a: string, b: string) =>
        position === 'contains' ? a.includes(b) : position === 'startswith' ? a.startsWith(b) : position === 'endswith' ? a.endsWith(b) : a === b;
      return ((slot: FieldSlot, e: SigmaEvent) => {
        const ref = e.field(other);
        if (!ref.present) return false;
        const mine = cased ? slot.strings : slot.lowers;
        const theirs = cased ? ref.strings : ref.lowers;
        return mine.some((a) => theirs.some((b) => compare(a, b)));
      }) as ValueTest;
    });
    return finish(combineValues(tests));
  }

  // strings: placeholders, encodings, wildcards, position, windash
  let patterns: Part[][] = [];
  const encodings = mods.filter((m) => ENCODING.has(m));
  for (const v of values) {
    let texts = [typeof v === 'string' ? v : String(v)];
    if (has('expand')) texts = texts.flatMap((t) => expandPlaceholders(t, options, fail));
    if (encodings.length) {
      if (typeof v !== 'string') fail(`"${encodings[0]}" needs a string value`);
      for (const t of texts) for (const encoded of encode(t, encodings, fail)) patterns.push(literal(encoded));
    } else {
      for (const t of texts) patterns.push(typeof v === 'string' ? parseSigmaString(t) : literal(t));
    }
  }
  if (position) patterns = patterns.map((p) => withPosition(p, position));
  if (has('windash')) patterns = patterns.map(windash);
  const stringTests = patterns.map((p) => compilePattern(p, cased));
  const tests = stringTests.map(
    (t): ValueTest =>
      (slot) => {
        const { strings, lowers } = slot;
        for (let i = 0; i < strings.length; i++) if (t(strings[i]!, lowers[i]!)) return true;
        return false;
      },
  );
  return finish(combineValues(tests), neq ? [] : patternNeeds(field, patterns, cased, has('all')), JSON.stringify(patterns));
}

function expandPlaceholders(text: string, options: CompileOptions, fail: (m: string) => never): string[] {
  // `\%` is a plain percent sign; `%name%` a placeholder
  const re = /(?<!\\)%([^%\s]+)%/g;
  const names = [...text.matchAll(re)].map((m) => m[1]!);
  if (names.length === 0) return [text.replaceAll('\\%', '%')];
  let out = [text];
  for (const name of new Set(names)) {
    const values = options.placeholders?.[name];
    if (!values || values.length === 0) fail(`placeholder %${name}% has no values configured (detection.placeholders.${name})`);
    out = out.flatMap((t) => values!.map((v) => t.replaceAll(`%${name}%`, v)));
  }
  return out.map((t) => t.replaceAll('\\%', '%'));
}

/** wide/utf16* turn text into bytes, base64 and base64offset bytes (or text, as UTF-8) into Base64 text. */
function encode(text: string, encodings: string[], fail: (m: string) => never): string[] {
  let values: Array<string | Buffer> = [text];
  for (const enc of encodings) {
    values = values.flatMap((v): Array<string | Buffer> => {
      const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
      switch (enc) {
        case 'wide':
        case 'utf16le':
          if (typeof v !== 'string') fail(`"${enc}" applies to text, not to already encoded bytes`);
          return [Buffer.from(v as string, 'utf16le')];
        case 'utf16be':
          if (typeof v !== 'string') fail(`"${enc}" applies to text, not to already encoded bytes`);
          return [Buffer.from(v as string, 'utf16le').swap16()];
        case 'utf16':
          if (typeof v !== 'string') fail(`"${enc}" applies to text, not to already encoded bytes`);
          return [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(v as string, 'utf16le')])];
        case 'base64':
          return [bytes.toString('base64')];
        case 'base64offset':
          return base64Offsets(bytes);
        default:
          return fail(`unknown encoding ${enc}`);
      }
    });
  }
  // bytes never turned into Base64 are matched as the characters of their byte values
  return values.map((v) => (typeof v === 'string' ? v : v.toString('latin1')));
}

/** The three Base64 forms of bytes found at any offset inside a longer Base64 text (pySigma's algorithm). */
export function base64Offsets(bytes: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [undefined, -3, -2];
  return [0, 1, 2].map((i) => {
    const encoded = Buffer.concat([Buffer.alloc(i, ' '), bytes]).toString('base64');
    return encoded.slice(start[i], end[(bytes.length + i) % 3]);
  });
}

/** A part of a date value, in UTC (the spec: no time-zone or format conversion). */
function datePart(text: string, part: string): number {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return NaN;
  const t = DateTime.fromJSDate(d, { zone: 'utc' });
  switch (part) {
    case 'minute':
      return t.minute;
    case 'hour':
      return t.hour;
    case 'day':
      return t.day;
    case 'week':
      return t.weekNumber;
    case 'month':
      return t.month;
    case 'year':
      return t.year;
    default:
      return NaN;
  }
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
