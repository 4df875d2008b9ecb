/**
 * A loaded set of detection rules, indexed so that an event meets only the rules it could
 * match. First by logsource (product, service, category); then by what each rule requires
 * (`CompiledDetection.requires`: up to three clauses, each a list of atoms one of which must
 * hold). For every field the rules of a logsource read, the rule set holds the exact values and
 * file names they need (hash lookups) and one literal automaton over every literal they need in
 * it, so an event's value is scanned once, whatever the number of rules and literals; a rule is
 * evaluated in full only when every one of its clauses was met. Rules that require nothing are
 * evaluated on every event of their logsource.
 *
 * The hot path allocates nothing but the returned list (and not that when nothing matched):
 * candidate marks are stamps in typed arrays reused from event to event.
 */
import type { IndexAtom } from './detection.js';
import type { EventLogSource, SigmaEvent } from './event.js';
import { LiteralAutomaton } from './literals.js';
import type { SigmaRule } from './rule.js';

/**
 * literals: exact values, file names and literals (the default); values: exact values and file
 * names only; none: every rule of the logsource evaluated on every event (the plain engine).
 */
export type Prefilter = 'literals' | 'values' | 'none';

/** One field's prefilter in one logsource: postings are rule index × 4 + clause. */
interface FieldIndex {
  /** the Sigma field name; null: every string of the event (keywords) */
  field: string | null;
  eq?: Map<string, Int32Array>;
  basename?: Map<string, Int32Array>;
  literals?: LiteralAutomaton;
  literalPostings?: Int32Array[];
  /** the stamp at which each literal was last found (a literal's postings are walked once per event) */
  literalSeen?: Uint32Array;
}

interface Bucket {
  /** rules that require nothing, tried on every event of this logsource, ascending */
  always: Int32Array;
  fields: FieldIndex[];
}

export interface RuleSetStats {
  events: number;
  /** rules evaluated in full (after the prefilter) */
  evaluated: number;
  matched: number;
}

export function logsourceMatches(rule: SigmaRule, source: EventLogSource): boolean {
  const want = rule.logsource;
  if (want.product !== undefined && want.product !== source.product) return false;
  if (want.service !== undefined && want.service !== source.service) return false;
  if (want.category !== undefined && !source.categories?.includes(want.category)) return false;
  return true;
}

const NO_RULES: readonly SigmaRule[] = Object.freeze([]);

export class RuleSet {
  private readonly buckets = new Map<string, Bucket>();
  /** buckets by logsource object, for the shared (frozen) ones events of a kind carry */
  private readonly bySource = new WeakMap<EventLogSource, Bucket>();
  /** per rule: the clauses it is indexed by (bits), all of which an event must meet */
  private readonly fullMask: Uint8Array;
  /** per rule: the stamp its clause marks belong to, and the clauses met so far at that stamp */
  private readonly ruleStamp: Uint32Array;
  private readonly ruleMask: Uint8Array;
  private readonly candidates: Int32Array;
  private count = 0;
  private stamp = 0;
  /** called for each posting of a met atom (created once: the scans allocate nothing) */
  private readonly meet: (posting: number) => void;
  private readonly found: (literal: number) => void;
  private scanning?: FieldIndex;
  readonly stats: RuleSetStats = { events: 0, evaluated: 0, matched: 0 };

  constructor(
    readonly rules: readonly SigmaRule[],
    readonly prefilter: Prefilter = 'literals',
  ) {
    const n = rules.length;
    this.fullMask = new Uint8Array(n);
    this.ruleStamp = new Uint32Array(n);
    this.ruleMask = new Uint8Array(n);
    this.candidates = new Int32Array(n);
    this.meet = (posting) => {
      const i = posting >> 2;
      const bit = 1 << (posting & 3);
      if (this.ruleStamp[i] !== this.stamp) {
        this.ruleStamp[i] = this.stamp;
        this.ruleMask[i] = 0;
      }
      const mask = this.ruleMask[i]!;
      if (mask & bit) return;
      this.ruleMask[i] = mask | bit;
      if ((mask | bit) === this.fullMask[i]) this.candidates[this.count++] = i;
    };
    this.found = (literal) => {
      const index = this.scanning!;
      if (index.literalSeen![literal] === this.stamp) return;
      index.literalSeen![literal] = this.stamp;
      const postings = index.literalPostings![literal]!;
      for (let j = 0; j < postings.length; j++) this.meet(postings[j]!);
    };
  }

  get size(): number {
    return this.rules.length;
  }

  /** The rules the event matches, in load order. */
  match(event: SigmaEvent): readonly SigmaRule[] {
    const bucket = this.bucket(event.logsource);
    if (++this.stamp === 0xffffffff) {
      this.ruleStamp.fill(0);
      for (const b of this.buckets.values()) for (const f of b.fields) f.literalSeen?.fill(0);
      this.stamp = 1;
    }
    this.count = 0;
    const meet = this.meet;
    for (const index of bucket.fields) {
      if (index.field === null) {
        this.scanAll(index, event.keywords().lowers, meet);
        continue;
      }
      const slot = event.field(index.field);
      if (slot.present) this.scanAll(index, slot.lowers, meet);
    }
    // candidates in load order, then the rules that require nothing merged in
    const candidates = this.candidates;
    const met = this.count;
    sortAscending(candidates, met);
    const always = bucket.always;
    const rules = this.rules;
    let hits: SigmaRule[] | undefined;
    let a = 0;
    let c = 0;
    while (a < always.length || c < met) {
      const i = c >= met || (a < always.length && always[a]! < candidates[c]!) ? always[a++]! : candidates[c++]!;
      const rule = rules[i]!;
      if (rule.detection.matches(event)) (hits ??= []).push(rule);
    }
    this.stats.events++;
    this.stats.evaluated += always.length + met;
    this.stats.matched += hits?.length ?? 0;
    return hits ?? NO_RULES;
  }

  private scanAll(index: FieldIndex, lowers: readonly string[], meet: (posting: number) => void): void {
    for (let v = 0; v < lowers.length; v++) {
      const lower = lowers[v]!;
      if (index.eq) {
        const postings = index.eq.get(lower);
        if (postings) for (let j = 0; j < postings.length; j++) meet(postings[j]!);
      }
      if (index.basename) {
        const postings = index.basename.get(lower.slice(lower.lastIndexOf('\\') + 1));
        if (postings) for (let j = 0; j < postings.length; j++) meet(postings[j]!);
      }
      if (index.literals) {
        this.scanning = index;
        index.literals.scan(lower, this.found);
      }
    }
  }

  /** How many rules an event of this logsource is a candidate for, at most (for explanations and benchmarks). */
  rulesFor(source: EventLogSource): number {
    return this.rules.filter((r) => logsourceMatches(r, source)).length;
  }

  /** The clauses a rule is indexed by under this rule set's prefilter. */
  private clausesOf(rule: SigmaRule): readonly (readonly IndexAtom[])[] {
    if (this.prefilter === 'none') return [];
    if (this.prefilter === 'values') return rule.detection.requires.filter((c) => c.every((a) => a.mode !== 'contains'));
    return rule.detection.requires;
  }

  private bucket(source: EventLogSource): Bucket {
    const shared = this.bySource.get(source);
    if (shared) return shared;
    const key = JSON.stringify([source.product, source.service, source.categories ?? []]);
    const known = this.buckets.get(key) ?? this.build(source, key);
    // a frozen logsource is one many events share (internLogsource): remembered by the object
    if (Object.isFrozen(source)) this.bySource.set(source, known);
    return known;
  }

  private build(source: EventLogSource, key: string): Bucket {
    const always: number[] = [];
    const byField = new Map<string | null, { eq: Map<string, number[]>; basename: Map<string, number[]>; literals: Map<string, number[]> }>();
    this.rules.forEach((rule, i) => {
      if (!logsourceMatches(rule, source)) return;
      const clauses = this.clausesOf(rule).slice(0, 3);
      if (clauses.length === 0) {
        always.push(i);
        return;
      }
      this.fullMask[i] = (1 << clauses.length) - 1;
      clauses.forEach((clause, g) => {
        for (const atom of clause) {
          let postings = byField.get(atom.field);
          if (!postings) byField.set(atom.field, (postings = { eq: new Map(), basename: new Map(), literals: new Map() }));
          const map = atom.mode === 'eq' ? postings.eq : atom.mode === 'basename' ? postings.basename : postings.literals;
          const list = map.get(atom.key);
          const posting = i * 4 + g;
          if (!list) map.set(atom.key, [posting]);
          else if (list[list.length - 1] !== posting) list.push(posting);
        }
      });
    });
    const packed = (m: Map<string, number[]>) => (m.size ? new Map([...m].map(([k, v]) => [k, Int32Array.from(v)])) : undefined);
    const fields: FieldIndex[] = [...byField].map(([field, p]) => {
      const index: FieldIndex = { field, eq: packed(p.eq), basename: packed(p.basename) };
      if (p.literals.size) {
        const keys = [...p.literals.keys()];
        index.literals = new LiteralAutomaton(keys);
        index.literalPostings = keys.map((k) => Int32Array.from(p.literals.get(k)!));
        index.literalSeen = new Uint32Array(keys.length);
      }
      return index;
    });
    const bucket: Bucket = { always: Int32Array.from(always), fields };
    if (this.buckets.size < 10_000) this.buckets.set(key, bucket);
    return bucket;
  }
}

/** Insertion sort of the first n (few, mostly ascending already); a typed-array sort beyond that. */
function sortAscending(a: Int32Array, n: number): void {
  if (n > 32) {
    a.subarray(0, n).sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}
