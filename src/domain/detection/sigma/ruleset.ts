/**
 * A loaded set of detection rules, indexed so that an event meets only the rules it could
 * match: first by logsource (product, service, category), then by the rules' index atoms — a
 * rule that needs `EventID` 4625 or an `Image` ending in `\cmd.exe` is only tried on events that
 * have that value. Rules without atoms are tried on every event of their logsource.
 */
import type { EventLogSource, SigmaEvent } from './event.js';
import type { SigmaRule } from './rule.js';

interface FieldIndex {
  eq?: Map<string, number[]>;
  basename?: Map<string, number[]>;
}

interface Bucket {
  /** rules with no index atoms, tried on every event of this logsource */
  always: number[];
  byField: Map<string, FieldIndex>;
}

export interface RuleSetStats {
  events: number;
  /** rules evaluated in full (after the index) */
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

export class RuleSet {
  private readonly buckets = new Map<string, Bucket>();
  private readonly seen: Uint32Array;
  private stamp = 0;
  readonly stats: RuleSetStats = { events: 0, evaluated: 0, matched: 0 };

  constructor(readonly rules: readonly SigmaRule[]) {
    this.seen = new Uint32Array(rules.length);
  }

  get size(): number {
    return this.rules.length;
  }

  /** The rules the event matches, in load order. */
  match(event: SigmaEvent): SigmaRule[] {
    const bucket = this.bucket(event.logsource);
    const hits: number[] = [];
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const seen = this.seen;
    const rules = this.rules;
    let evaluated = 0;
    // no closure here: this runs for every event
    const candidates: number[] = [];
    for (const i of bucket.always) candidates.push(i);
    for (const [field, index] of bucket.byField) {
      const slot = event.field(field);
      if (!slot.present) continue;
      for (const lower of slot.lowers) {
        const eq = index.eq?.get(lower);
        if (eq) for (const i of eq) candidates.push(i);
        if (index.basename) {
          const named = index.basename.get(lower.slice(lower.lastIndexOf('\\') + 1));
          if (named) for (const i of named) candidates.push(i);
        }
      }
    }
    for (const i of candidates) {
      if (seen[i] === stamp) continue;
      seen[i] = stamp;
      evaluated++;
      if (rules[i]!.detection.matches(event)) hits.push(i);
    }
    this.stats.events++;
    this.stats.evaluated += evaluated;
    this.stats.matched += hits.length;
    return hits.sort((a, b) => a - b).map((i) => rules[i]!);
  }

  /** How many rules an event of this logsource is a candidate for, at most (for explanations and benchmarks). */
  rulesFor(source: EventLogSource): number {
    return this.rules.filter((r) => logsourceMatches(r, source)).length;
  }

  private bucket(source: EventLogSource): Bucket {
    const key = `${source.product ?? ''}|${source.service ?? ''}|${(source.categories ?? []).join(',')}`;
    let bucket = this.buckets.get(key);
    if (bucket) return bucket;
    bucket = { always: [], byField: new Map() };
    this.rules.forEach((rule, i) => {
      if (!logsourceMatches(rule, source)) return;
      const atoms = rule.detection.atoms;
      if (!atoms || atoms.length === 0) {
        bucket!.always.push(i);
        return;
      }
      for (const atom of atoms) {
        let index = bucket!.byField.get(atom.field);
        if (!index) bucket!.byField.set(atom.field, (index = {}));
        const map = atom.mode === 'eq' ? (index.eq ??= new Map()) : (index.basename ??= new Map());
        const list = map.get(atom.key);
        if (list) {
          if (list[list.length - 1] !== i) list.push(i);
        } else map.set(atom.key, [i]);
      }
    });
    if (this.buckets.size < 10_000) this.buckets.set(key, bucket);
    return bucket;
  }
}
