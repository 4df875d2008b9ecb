/**
 * A Sigma rule's `detection` compiled into a matcher, once, when the rule is loaded: every
 * value becomes a ready test (modifiers applied, wildcards turned into string operations or
 * one RegExp), every selection a closure, the condition a tree of closures over them. Also
 * derived here: the "index atoms" — field values at least one of which any matching event must
 * have — by which the rule set sends an event only to rules it could match.
 */
import ipaddr from 'ipaddr.js';
import { DateTime } from 'luxon';
import { type Condition, conditionIdentifiers, parseCondition } from './condition.js';
import type { FieldSlot, SigmaEvent } from './event.js';
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
}

/** An event satisfies the atom when a value of `field` equals `key` (mode eq) or its file name after the last backslash is `key` (mode basename); lower-case. */
export interface IndexAtom {
  field: string;
  mode: 'eq' | 'basename';
  key: string;
}

type Test = (event: SigmaEvent) => boolean;

interface Compiled {
  test: Test;
  /** undefined: no cheap necessary condition */
  atoms?: IndexAtom[];
}

export interface CompiledDetection {
  matches: Test;
  /** the search identifiers (of those the condition uses) that the event satisfies */
  explain(event: SigmaEvent): string[];
  atoms?: IndexAtom[];
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
    atoms: tree.atoms,
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
      return { test: (e) => !inner(e) };
    }
    case 'and':
    case 'or':
      return combine(c.op, c.args.map((a) => compileCondition(a, selections)));
    case 'of':
      return combine(c.quantifier === 'one' ? 'or' : 'and', c.names.map((n) => selections.get(n)!));
  }
}

function combine(op: 'and' | 'or', parts: Compiled[]): Compiled {
  const tests = parts.map((p) => p.test);
  const test: Test =
    tests.length === 1 ? tests[0]! : op === 'and' ? (e) => tests.every((t) => t(e)) : (e) => tests.some((t) => t(e));
  return { test, atoms: op === 'and' ? bestAtoms(parts.map((p) => p.atoms)) : unionAtoms(parts.map((p) => p.atoms)) };
}

function atomCost(atoms: IndexAtom[]): number {
  return atoms.reduce((sum, a) => sum + (LOW_CARDINALITY.has(a.field.toLowerCase()) ? 100 : 1), 0);
}

function bestAtoms(options: Array<IndexAtom[] | undefined>): IndexAtom[] | undefined {
  let best: IndexAtom[] | undefined;
  for (const o of options) if (o && (!best || atomCost(o) < atomCost(best))) best = o;
  return best;
}

function unionAtoms(options: Array<IndexAtom[] | undefined>): IndexAtom[] | undefined {
  if (options.some((o) => !o)) return undefined;
  return options.flatMap((o) => o!);
}

function compileSelection(value: unknown, path: (string | number)[], options: CompileOptions, fields: Set<string>): Compiled {
  if (isMap(value)) return compileMap(value, path, options, fields);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RuleError('a search identifier cannot be an empty list', path);
    if (value.every(isMap)) return combine('or', value.map((m, i) => compileMap(m, [...path, i], options, fields)));
    if (value.every((v) => typeof v === 'string' || typeof v === 'number')) return compileKeywords(value as Array<string | number>, [], path);
    throw new RuleError('a list mixes maps of fields with plain keywords', path);
  }
  if (typeof value === 'string' || typeof value === 'number') return compileKeywords([value], [], path);
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
        return compileKeywords(list as Array<string | number>, mods, [...path, key]);
      }
      fields.add(field);
      return compileField(field, mods, v, [...path, key], options, fields);
    }),
  );
}

/** Keywords: matched anywhere in the event's text (a plain keyword is a substring search). */
function compileKeywords(values: Array<string | number>, mods: string[], path: (string | number)[]): Compiled {
  for (const m of mods) {
    if (!MODIFIERS.has(m)) throw new RuleError(`unknown modifier "${m}"`, path);
    if (!['all', 'cased', 'contains', 'windash', 'startswith', 'endswith'].includes(m)) throw new RuleError(`modifier "${m}" cannot apply to keywords`, path);
  }
  const cased = mods.includes('cased');
  const tests = values.map((v) => {
    let parts = typeof v === 'number' ? literal(String(v)) : parseSigmaString(v);
    if (mods.includes('windash')) parts = windash(parts);
    return compilePattern(withPosition(parts, 'contains'), cased);
  });
  const all = mods.includes('all');
  return {
    test: (e) => {
      const { raw, lowers } = e.keywords();
      const one = (t: StringTest) => {
        for (let i = 0; i < raw.length; i++) if (t(raw[i]!, lowers[i]!)) return true;
        return false;
      };
      return all ? tests.every(one) : tests.some(one);
    },
  };
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
  const finish = (test: ValueTest, atoms?: IndexAtom[]): Compiled => ({ test: (e) => test(field$(e), e), atoms });

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
      return ((slot: FieldSlot) => slot.strings.some((s) => re.test(s))) as ValueTest;
    });
    return finish(combineValues(tests));
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
  let atoms: IndexAtom[] | undefined;
  if (!neq) {
    const keys = patterns.map((p) => indexKey(p, cased));
    if (keys.every((k) => k)) {
      const all = keys.map((k) => ({ field, mode: k!.mode, key: k!.key }));
      atoms = has('all') ? all.slice(0, 1) : all;
    }
  }
  return finish(combineValues(tests), atoms);
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
