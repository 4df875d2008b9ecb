/**
 * What a Sigma rule sees of an event: field values by Sigma name (through a configurable field
 * mapping, so `Image` or `DestinationIp` find their value whether the device wrote them that way
 * or the alert carries them under ECS names), the event's logsource, its time, and its whole
 * text for keyword searches. Each field is looked up and lower-cased once per event, however
 * many rules ask for it.
 */

export interface LogSource {
  product?: string;
  category?: string;
  service?: string;
}

/** An event's logsource: one event may belong to several categories (Sysmon 13 is registry_set and registry_event). */
export interface EventLogSource {
  product?: string;
  service?: string;
  categories?: readonly string[];
}

/** Sigma field name → further places to look, in order, when the event has no field of that name. */
export type FieldMapping = Record<string, readonly string[]>;

export interface FieldSlot {
  present: boolean;
  /** the scalar values (an array field gives each element); objects are left out */
  values: unknown[];
  strings: string[];
  lowers: string[];
}

const ABSENT: FieldSlot = Object.freeze({ present: false, values: [], strings: [], lowers: [] }) as FieldSlot;

const pathCache = new Map<string, string[]>();
function splitPath(path: string): string[] {
  let parts = pathCache.get(path);
  if (!parts) {
    parts = path.split('.');
    if (pathCache.size < 100_000) pathCache.set(path, parts);
  }
  return parts;
}

/** The value at a dotted path: a key that itself contains the dots wins, then the nested walk. */
export function valueAt(doc: Record<string, unknown>, path: string): unknown {
  const flat = doc[path];
  if (flat !== undefined || !path.includes('.')) return flat;
  let cur: unknown = doc;
  for (const key of splitPath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** serial numbers of events, by which a shared test knows it has seen this event already */
let lastSerial = 0;

export class SigmaEvent {
  /** unique in the process: tests shared by many rules keep their result for the event by it */
  readonly serial = ++lastSerial;
  private readonly slots = new Map<string, FieldSlot>();
  private keywordText?: { raw: string[]; lowers: string[] };

  constructor(
    /** the event's fields, nested or flat */
    readonly doc: Record<string, unknown>,
    readonly logsource: EventLogSource,
    /** epoch milliseconds */
    readonly time: number,
    private readonly mapping: FieldMapping = {},
    /**
     * fields looked at where `doc` has none (the device's original record under a normalized
     * alert): a lookup through two layers, where merging them into one object would cost more
     * than every rule's matching. A function is called the first time a field is not in `doc`
     * (most events never need it, and parsing the original costs more than their matching).
     */
    private readonly underlaySource?: Record<string, unknown> | (() => Record<string, unknown> | undefined),
    /** a cheap test that the underlay may hold a field at all (false: it is not parsed for that field) */
    private readonly underlayMayHold?: (path: string) => boolean,
  ) {}

  private resolvedUnderlay?: Record<string, unknown> | null;

  get underlay(): Record<string, unknown> | undefined {
    if (this.resolvedUnderlay === undefined) {
      const u = typeof this.underlaySource === 'function' ? this.underlaySource() : this.underlaySource;
      this.resolvedUnderlay = u ?? null;
    }
    return this.resolvedUnderlay ?? undefined;
  }

  private lookup(path: string): unknown {
    const v = valueAt(this.doc, path);
    if (v !== undefined || !this.underlaySource || (this.underlayMayHold && !this.underlayMayHold(path))) return v;
    const under = this.underlay;
    return under ? valueAt(under, path) : undefined;
  }

  field(name: string): FieldSlot {
    let slot = this.slots.get(name);
    if (slot) return slot;
    let value = this.lookup(name);
    if (value === undefined) {
      for (const alt of this.mapping[name] ?? []) {
        value = this.lookup(alt);
        if (value !== undefined) break;
      }
    }
    slot = value === undefined ? ABSENT : makeSlot(value);
    this.slots.set(name, slot);
    return slot;
  }

  /**
   * Drops the field values looked up so far (they are looked up again if asked for): an event a
   * correlation window keeps after its rules ran need not keep every field every rule read.
   */
  compact(): void {
    this.slots.clear();
    this.keywordText = undefined;
  }

  /** Every string and number in the event (as written and lower-cased): what a keyword search looks through. */
  keywords(): { raw: string[]; lowers: string[] } {
    if (!this.keywordText) {
      const raw: string[] = [];
      collectText(this.doc, raw, 0);
      const under = this.underlay;
      if (under) collectText(under, raw, 0);
      this.keywordText = { raw, lowers: raw.map((s) => s.toLowerCase()) };
    }
    return this.keywordText;
  }
}

function makeSlot(value: unknown): FieldSlot {
  // the common case, one scalar: no intermediate arrays (this runs for every field every rule reads)
  if (!Array.isArray(value)) {
    if (value !== null && typeof value === 'object') return { present: true, values: [], strings: [], lowers: [] };
    if (value === null) return { present: true, values: [null], strings: [], lowers: [] };
    const str = typeof value === 'string' ? value : String(value);
    return { present: true, values: [value], strings: [str], lowers: [str.toLowerCase()] };
  }
  const values: unknown[] = [];
  const strings: string[] = [];
  const lowers: string[] = [];
  for (const v of value) {
    if (v !== null && typeof v === 'object') continue;
    values.push(v);
    if (v === null || v === undefined) continue;
    const str = typeof v === 'string' ? v : String(v);
    strings.push(str);
    lowers.push(str.toLowerCase());
  }
  return { present: true, values, strings, lowers };
}

function collectText(v: unknown, out: string[], depth: number): void {
  if (depth > 32) return;
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number' || typeof v === 'bigint') out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) collectText(x, out, depth + 1);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) collectText(x, out, depth + 1);
}
