/**
 * Sigma correlation rules over a stream of rule matches: event_count, value_count, value_sum,
 * value_avg, temporal and temporal_ordered, each per group-by value (with field aliases) within
 * its timespan. Correlations can reference correlations (chains). State is bounded: groups idle
 * longer than their timespan are dropped, and each correlation keeps at most MAX_GROUPS groups.
 *
 * Windows: with a lower bound in the condition (gt, gte, eq) the window slides and the
 * correlation fires as soon as the condition holds; with only upper bounds (lt, lte, neq) it
 * cannot know before the window ends, so the window starts at a group's first event and the
 * condition is judged when it closes (a later event past its end, or `flush`).
 */
import type { SigmaEvent } from './event.js';
import type { CorrelationRule, CountOperator, SigmaRule } from './rule.js';

export interface RuleHit {
  /** the detection or correlation rule that matched */
  rule: SigmaRule | CorrelationRule;
  time: number;
  event?: SigmaEvent;
  /**
   * what the caller needs of this hit when a correlation fires (e.g. the stored alert's id): when
   * given, a window keeps this instead of the event, so windows stay small (issue 12, memory)
   */
  ref?: unknown;
  /** for a correlation's own hit: its group-by values */
  group?: Record<string, string>;
  /** for a correlation's own hit: the hits that made it */
  members?: RuleHit[];
}

export interface CorrelationHit extends RuleHit {
  rule: CorrelationRule;
  group: Record<string, string>;
  members: RuleHit[];
  /** the count, distinct-value count, sum or average the condition was judged on */
  value: number;
  /** when the window opened */
  from: number;
}

export interface ReferenceProblem {
  correlation: CorrelationRule;
  reason: string;
}

const MAX_GROUPS = 100_000;
const MAX_MEMBERS = 100;
/**
 * What a group's window holds at most: the newest this many hit times (a sliding count or sum)
 * or distinct values (a distinct-value count). An eager condition up to this many is exact (it
 * fires and the window closes before); beyond, the oldest is forgotten. Bounds a window a flood
 * from one source keeps busy (issue 12, memory).
 */
export const MAX_ENTRIES = 5_000;

interface GroupState {
  /** the group-by values, from the hit that opened the group */
  values: Record<string, string>;
  first: number;
  last: number;
  /** the latest hits (from `hitsHead` on, at most 2 × MAX_MEMBERS): the members a firing names */
  hits: RuleHit[];
  hitsHead: number;
  /** every hit came no earlier than the one before it */
  hitsInOrder: boolean;
  /** a fixed window's hits (a sliding window counts its `times`) */
  count: number;
  /**
   * a sliding window's hit times, oldest first, from `head` on (event_count, value_sum,
   * value_avg with a lower bound): plain numbers, no object per hit
   */
  times: number[];
  /** value_sum/value_avg over a sliding window: each hit's number beside its time (NaN: none) */
  nums?: number[];
  head: number;
  /**
   * value_count and temporal: each distinct value (or rule position) → the time of its latest
   * hit, oldest first. What a distinct count needs of a flood of repeats is one entry a value.
   */
  latest?: Map<string, number>;
  /** time of the newest entry put into `latest` */
  latestTail: number;
  /** a hit came out of time order into `latest`: the next forgetting sorts it again */
  disordered: boolean;
  sum: number;
  numbered: number;
  /** temporal_ordered: for each referenced rule, the latest start of a chain in order up to it */
  chain?: Array<number | undefined>;
}

interface Compiled {
  rule: CorrelationRule;
  /** key of a referenced rule (id or name) → its position in `rules` */
  positions: Map<string, number>;
  eager: boolean;
  groups: Map<string, GroupState>;
}

/** a rule's id and name, once per rule (this is asked for every match) */
const ruleKeys = new WeakMap<SigmaRule | CorrelationRule, readonly string[]>();
function keysOf(rule: SigmaRule | CorrelationRule): readonly string[] {
  let keys = ruleKeys.get(rule);
  if (!keys) ruleKeys.set(rule, (keys = [rule.id, rule.name].filter((k): k is string => !!k)));
  return keys;
}

function hitValue(hit: RuleHit, field: string, fallback?: string): string | undefined {
  return hit.event ? hit.event.field(field).strings[0] : (hit.group?.[field] ?? (fallback === undefined ? undefined : hit.group?.[fallback]));
}

/** The value of a correlation's `field` (several joined) in a hit, if it has every one. */
function fieldValue(rule: CorrelationRule, hit: RuleHit): string | undefined {
  const fields = rule.field ?? [];
  if (fields.length === 1) return hitValue(hit, fields[0]!);
  const parts = fields.map((f) => hitValue(hit, f));
  return parts.some((p) => p === undefined) ? undefined : parts.join('\u0000');
}

const NO_HITS: readonly CorrelationHit[] = Object.freeze([]);

export function compare(op: CountOperator, actual: number, wanted: number): boolean {
  switch (op) {
    case 'gt':
      return actual > wanted;
    case 'gte':
      return actual >= wanted;
    case 'lt':
      return actual < wanted;
    case 'lte':
      return actual <= wanted;
    case 'eq':
      return actual === wanted;
    case 'neq':
      return actual !== wanted;
  }
}

export class CorrelationEngine {
  private readonly byReference = new Map<string, Compiled[]>();
  readonly problems: ReferenceProblem[] = [];
  /** ids/names of rules that only feed correlations (generate: false) */
  private readonly feedOnly = new Set<string>();

  constructor(correlations: readonly CorrelationRule[], rules: readonly SigmaRule[]) {
    const known = new Set<string>([...rules, ...correlations].flatMap(keysOf));
    for (const rule of correlations) {
      const missing = rule.rules.filter((r) => !known.has(r));
      if (missing.length) {
        this.problems.push({ correlation: rule, reason: `references unknown rule(s) ${missing.join(', ')}` });
        continue;
      }
      const c: Compiled = {
        rule,
        positions: new Map(rule.rules.map((r, i) => [r, i])),
        eager: rule.condition.some((x) => x.op === 'gt' || x.op === 'gte' || x.op === 'eq'),
        groups: new Map(),
      };
      for (const ref of rule.rules) {
        const list = this.byReference.get(ref) ?? [];
        list.push(c);
        this.byReference.set(ref, list);
        if (!rule.generate) this.feedOnly.add(ref);
      }
    }
  }

  /** How many correlation windows are open (one per correlation and group), each holding its events. */
  openWindows(): number {
    let n = 0;
    for (const c of new Set([...this.byReference.values()].flat())) n += c.groups.size;
    return n;
  }

  /** What the open windows hold: hit times and distinct values (the memory they cost grows with this). */
  heldEntries(): number {
    let n = 0;
    for (const c of new Set([...this.byReference.values()].flat())) for (const g of c.groups.values()) n += g.times.length - g.head + (g.latest?.size ?? 0);
    return n;
  }

  /** Whether a rule's own matches should be raised (false for rules that only feed a correlation). */
  standalone(rule: SigmaRule | CorrelationRule): boolean {
    return !keysOf(rule).some((k) => this.feedOnly.has(k));
  }

  /** Whether any correlation listens to this rule. */
  listensTo(rule: SigmaRule | CorrelationRule): boolean {
    const keys = keysOf(rule);
    for (let k = 0; k < keys.length; k++) if (this.byReference.has(keys[k]!)) return true;
    return false;
  }

  /** Feeds one rule match; returns the correlations it completes (chains included). */
  feed(hit: RuleHit): readonly CorrelationHit[] {
    let out: CorrelationHit[] | undefined;
    // a queue only once a correlation fires (its hit feeds the correlations over it)
    let queue: RuleHit[] | undefined;
    for (let h: RuleHit | undefined = hit; h; h = queue?.shift()) {
      const keys = keysOf(h.rule);
      for (let k = 0; k < keys.length; k++) {
        const list = this.byReference.get(keys[k]!);
        if (!list) continue;
        for (const c of list) {
          // a correlation naming the rule by both id and name is fed once
          if (k > 0 && this.namedEarlier(keys, k, c)) continue;
          const fired = this.apply(c, h, keys[k]!);
          if (fired) {
            for (const f of fired) {
              (out ??= []).push(f);
              (queue ??= []).push(f);
            }
          }
        }
      }
    }
    return out ?? NO_HITS;
  }

  private namedEarlier(keys: readonly string[], k: number, c: Compiled): boolean {
    for (let j = 0; j < k; j++) if (this.byReference.get(keys[j]!)?.includes(c)) return true;
    return false;
  }

  /**
   * Closes every window that has ended by `now` (upper-bound conditions are judged then). A
   * sliding window (lower-bound conditions) ends when its newest event has left it: until then
   * its recent events still count, however old its first one is.
   */
  flush(now = Infinity): CorrelationHit[] {
    const out: CorrelationHit[] = [];
    for (const list of new Set([...this.byReference.values()].flat())) {
      for (const [key, g] of list.groups) {
        if ((list.eager ? g.last : g.first) + list.rule.timespanMs > now) continue;
        list.groups.delete(key);
        if (!list.eager) {
          const fired = this.judge(list, g);
          if (fired) {
            out.push(fired);
            out.push(...this.feed(fired));
          }
        }
      }
    }
    return out;
  }

  /** The field a hit's rule holds a group-by value in (an alias names it per rule). */
  private groupField(c: Compiled, hit: RuleHit, g: string): string {
    const alias = c.rule.aliases[g];
    return (alias && (alias[hit.rule.name ?? ''] ?? alias[hit.rule.id ?? ''])) ?? g;
  }

  private groupValues(c: Compiled, hit: RuleHit): Record<string, string> | undefined {
    const values: Record<string, string> = {};
    for (const g of c.rule.groupBy) {
      // an event without the group-by field cannot be grouped with anything
      const v = hitValue(hit, this.groupField(c, hit, g), g);
      if (v === undefined) return undefined;
      values[g] = v;
    }
    return values;
  }

  /** The group's key: its values, lower-cased (one value as it is; several as a JSON list). */
  private groupKey(c: Compiled, hit: RuleHit): string | undefined {
    const by = c.rule.groupBy;
    if (by.length === 1) return hitValue(hit, this.groupField(c, hit, by[0]!), by[0])?.toLowerCase();
    const group = this.groupValues(c, hit);
    return group && JSON.stringify(by.map((g) => group[g]!.toLowerCase()));
  }

  /** Applies a hit to one correlation; returns what fired (undefined: nothing, the common case). */
  private apply(c: Compiled, hit: RuleHit, reference: string): CorrelationHit[] | undefined {
    const key = this.groupKey(c, hit);
    if (key === undefined) return undefined;
    const span = c.rule.timespanMs;
    let out: CorrelationHit[] | undefined;
    let g = c.groups.get(key);
    if (g && !c.eager && hit.time >= g.first + span) {
      // the fixed window of an upper-bound condition has ended: judge it, start a new one
      c.groups.delete(key);
      const fired = this.judge(c, g);
      if (fired) (out ??= []).push(fired);
      g = undefined;
    }
    if (!g) {
      if (c.groups.size >= MAX_GROUPS) {
        // drop the oldest group (Map keeps insertion order)
        c.groups.delete(c.groups.keys().next().value!);
      }
      g = { values: this.groupValues(c, hit)!, first: hit.time, last: hit.time, hits: [], hitsHead: 0, hitsInOrder: true, count: 0, times: [], head: 0, latest: undefined, latestTail: -Infinity, disordered: false, sum: 0, numbered: 0 };
      c.groups.set(key, g);
    }
    g.last = Math.max(g.last, hit.time);
    this.add(c, g, hit, reference);
    if (c.eager) {
      // sliding: forget what fell out of the window
      this.forgetBefore(g, g.last - span);
      g.first = this.oldest(g) ?? hit.time;
    } else g.first = Math.min(g.first, hit.time);
    // a window keeps the caller's reference, not the event, where it has one
    const hits = g.hits;
    if (hits.length > g.hitsHead && hits[hits.length - 1]!.time > hit.time) g.hitsInOrder = false;
    hits.push(hit.ref !== undefined ? { rule: hit.rule, time: hit.time, ref: hit.ref } : hit);
    if (hits.length - g.hitsHead > 2 * MAX_MEMBERS) this.keepHits(g, hits.length - MAX_MEMBERS);
    if (c.rule.type === 'temporal_ordered') this.advanceChain(c, g, hit, reference);
    if (c.eager) {
      const fired = this.judge(c, g);
      if (fired) {
        c.groups.delete(key);
        (out ??= []).push(fired);
      }
    }
    return out;
  }

  /** Keeps a group's hits from index `from` on (the ones before it are let go, not copied each time). */
  private keepHits(g: GroupState, from: number): void {
    g.hitsHead = from;
    if (g.hitsHead > MAX_MEMBERS) {
      g.hits = g.hits.slice(g.hitsHead);
      g.hitsHead = 0;
    }
  }

  /** The hits a group holds, oldest first. */
  private heldHits(g: GroupState): RuleHit[] {
    return g.hitsHead === 0 ? g.hits : g.hits.slice(g.hitsHead);
  }

  /** Adds a hit to its group's running aggregate: O(1) for a hit in time order, however full the window. */
  private add(c: Compiled, g: GroupState, hit: RuleHit, reference: string): void {
    const rule = c.rule;
    g.count++;
    if (rule.type === 'value_count' || rule.type === 'temporal') {
      const value = rule.type === 'temporal' ? String(c.positions.get(reference)) : fieldValue(rule, hit)?.toLowerCase();
      if (value !== undefined) this.remember(g, value, hit.time);
      return;
    }
    let num = NaN;
    if (rule.type === 'value_sum' || rule.type === 'value_avg') {
      num = Number(fieldValue(rule, hit) ?? NaN);
      if (Number.isFinite(num)) {
        g.sum += num;
        g.numbered++;
      } else num = NaN;
    }
    // a fixed window (upper bounds only) keeps its running count and sum; only a sliding one needs each hit's time
    if (!c.eager) return;
    const withNums = rule.type === 'value_sum' || rule.type === 'value_avg';
    if (withNums) g.nums ??= [];
    const times = g.times;
    let at = times.length;
    while (at > g.head && times[at - 1]! > hit.time) at--;
    if (at === times.length) {
      times.push(hit.time);
      if (withNums) g.nums!.push(num);
    } else {
      times.splice(at, 0, hit.time);
      if (withNums) g.nums!.splice(at, 0, num);
    }
    if (times.length - g.head > MAX_ENTRIES) this.forgetOldest(g);
  }

  /** Puts a distinct value's latest time into `latest` (oldest first), holding at most MAX_ENTRIES values. */
  private remember(g: GroupState, value: string, time: number): void {
    const latest = (g.latest ??= new Map());
    const t = Math.max(latest.get(value) ?? -Infinity, time);
    latest.delete(value);
    latest.set(value, t);
    if (t < g.latestTail) g.disordered = true;
    else g.latestTail = t;
    if (latest.size > MAX_ENTRIES) {
      this.sortLatest(g);
      g.latest!.delete(g.latest!.keys().next().value!);
    }
  }

  private sortLatest(g: GroupState): void {
    if (!g.disordered || !g.latest) return;
    g.latest = new Map([...g.latest].sort((a, b) => a[1] - b[1]));
    g.disordered = false;
  }

  /** The time of the oldest hit the window still holds (sliding windows). */
  private oldest(g: GroupState): number | undefined {
    if (g.latest) {
      this.sortLatest(g);
      for (const t of g.latest.values()) return t;
      return undefined;
    }
    return g.head < g.times.length ? g.times[g.head] : undefined;
  }

  /** Forgets the oldest hit of a sliding window's `times`. */
  private forgetOldest(g: GroupState): void {
    const num = g.nums?.[g.head];
    if (num !== undefined && !Number.isNaN(num)) {
      g.sum -= num;
      g.numbered--;
    }
    g.head++;
  }

  /** Forgets what a sliding window holds from before `from` (never its newest hit). */
  private forgetBefore(g: GroupState, from: number): void {
    if (g.latest) {
      this.sortLatest(g);
      for (const [value, t] of g.latest) {
        if (t >= from || g.latest.size === 1) break;
        g.latest.delete(value);
      }
    }
    const times = g.times;
    while (g.head < times.length - 1 && times[g.head]! < from) this.forgetOldest(g);
    if (g.head > 1024 && g.head * 2 > times.length) {
      g.times = times.slice(g.head);
      if (g.nums) g.nums = g.nums.slice(g.head);
      g.head = 0;
    }
    // hits in time order: the old ones are those before the first recent one
    const hits = g.hits;
    if (hits.length > g.hitsHead && hits[g.hitsHead]!.time < from) {
      if (g.hitsInOrder) {
        let k = g.hitsHead;
        while (k < hits.length && hits[k]!.time < from) k++;
        this.keepHits(g, k);
      } else {
        g.hits = hits.slice(g.hitsHead).filter((h) => h.time >= from);
        g.hitsHead = 0;
        g.hitsInOrder = g.hits.every((h, i) => i === 0 || g.hits[i - 1]!.time <= h.time);
      }
    }
  }

  private advanceChain(c: Compiled, g: GroupState, hit: RuleHit, reference: string): void {
    const n = c.rule.rules.length;
    g.chain ??= new Array<number | undefined>(n).fill(undefined);
    const k = c.positions.get(reference)!;
    const span = c.rule.timespanMs;
    if (k === 0) g.chain[0] = Math.max(g.chain[0] ?? -Infinity, hit.time);
    else {
      const start = g.chain[k - 1];
      if (start !== undefined && hit.time - start <= span) g.chain[k] = Math.max(g.chain[k] ?? -Infinity, start);
    }
  }

  /** The aggregate the condition is judged on, for the hits in the window (kept as they came). */
  private measure(c: Compiled, g: GroupState): number {
    switch (c.rule.type) {
      case 'event_count':
        return c.eager ? g.times.length - g.head : g.count;
      case 'value_count':
      case 'temporal':
        return g.latest?.size ?? 0;
      case 'value_sum':
        return g.sum;
      case 'value_avg':
        return g.numbered ? g.sum / g.numbered : NaN;
      case 'temporal_ordered': {
        // how many of the referenced rules occurred in order (the longest chain prefix)
        let n = 0;
        while (n < c.rule.rules.length && g.chain?.[n] !== undefined) n++;
        return n;
      }
    }
  }

  private judge(c: Compiled, g: GroupState): CorrelationHit | undefined {
    const value = this.measure(c, g);
    if (!c.rule.condition.every((x) => compare(x.op, value, x.value))) return undefined;
    // an ordered chain is made of the hits from its start on (earlier ones were out of order)
    const start = c.rule.type === 'temporal_ordered' ? g.chain?.[c.rule.rules.length - 1] : undefined;
    const held = this.heldHits(g);
    const members = start === undefined ? held : held.filter((h) => h.time >= start);
    return {
      rule: c.rule,
      time: g.last,
      from: start ?? g.first,
      group: g.values,
      value,
      members: members.slice(-MAX_MEMBERS),
    };
  }
}
