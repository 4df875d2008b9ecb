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

const NO_CATEGORIES: readonly string[] = Object.freeze([]);

/** interned logsources, by product, then service, then each category in turn */
interface SourceNode {
  source?: EventLogSource;
  next: Map<string | undefined, SourceNode>;
}
const sourceRoot: SourceNode = { next: new Map() };
let sourceNodes = 0;

/**
 * The one logsource object of its product, service and categories (`categories`, then `more`;
 * frozen): events of the same kind share it, so a rule set finds its rules for them without
 * building a key per event (nor does this: it walks a tree of maps by the values themselves). At most 10,000 tree nodes are
 * kept; beyond, a new object each time.
 */
export function internLogsource(product: string | undefined, service: string | undefined, categories: readonly string[], more: readonly string[] = NO_CATEGORIES): EventLogSource {
  let node: SourceNode | undefined = sourceStep(sourceStep(sourceRoot, product), service);
  for (let i = 0; node && i < categories.length; i++) node = sourceStep(node, categories[i]);
  for (let i = 0; node && i < more.length; i++) node = sourceStep(node, more[i]);
  if (!node) return newLogsource(product, service, categories, more);
  return (node.source ??= newLogsource(product, service, categories, more));
}

function newLogsource(product: string | undefined, service: string | undefined, categories: readonly string[], more: readonly string[]): EventLogSource {
  return Object.freeze({ product, service, categories: Object.freeze([...categories, ...more]) });
}

function sourceStep(node: SourceNode | undefined, key: string | undefined): SourceNode | undefined {
  if (!node) return undefined;
  let next = node.next.get(key);
  if (!next) {
    if (sourceNodes >= 10_000) return undefined;
    sourceNodes++;
    node.next.set(key, (next = { next: new Map() }));
  }
  return next;
}

/** Sigma field name → further places to look, in order, when the event has no field of that name. */
export type FieldMapping = Record<string, readonly string[]>;

/** A field's values in an event; shared and never changed (one array may serve as two of these). */
export interface FieldSlot {
  readonly present: boolean;
  /** the scalar values (an array field gives each element); objects are left out */
  readonly values: readonly unknown[];
  readonly strings: readonly string[];
  readonly lowers: readonly string[];
}

const ABSENT: FieldSlot = Object.freeze({ present: false, values: [], strings: [], lowers: [] }) as FieldSlot;

const pathCache = new Map<string, string[]>();
export function splitPath(path: string): string[] {
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
  ) {}

  private resolvedUnderlay?: Record<string, unknown> | null;

  get underlay(): Record<string, unknown> | undefined {
    if (this.resolvedUnderlay === undefined) this.resolvedUnderlay = this.readUnderlay() ?? null;
    return this.resolvedUnderlay ?? undefined;
  }

  /**
   * Whether the event has an underlay: fields looked at where `doc` has none (the device's
   * original record under a normalized alert, `AlertEvent`) — a lookup through two layers, where
   * merging them into one object would cost more than every rule's matching. None here.
   */
  protected hasUnderlay(): boolean {
    return false;
  }

  /** The underlay, read the first time a field is not in `doc` (most events never need it). */
  protected readUnderlay(): Record<string, unknown> | undefined {
    return undefined;
  }

  /** false: the underlay cannot hold the field, so it is not read for it. */
  protected underlayMayHoldField(path: string): boolean {
    void path;
    return true;
  }

  /** The value at a path of the event's own document (before the field mapping and the underlay). */
  protected own(path: string): unknown {
    return valueAt(this.doc, path);
  }

  /** Puts every string and number of the event's own document into `out` (what keywords search). */
  protected ownText(out: string[]): void {
    collectText(this.doc, out, 0);
  }

  private lookup(path: string): unknown {
    const v = this.own(path);
    if (v !== undefined || !this.hasUnderlay() || !this.underlayMayHoldField(path)) return v;
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
      this.ownText(raw);
      const under = this.underlay;
      if (under) collectText(under, raw, 0);
      this.keywordText = { raw, lowers: raw.map((s) => s.toLowerCase()) };
    }
    return this.keywordText;
  }
}

const NOTHING: readonly never[] = Object.freeze([]);
const OBJECT_SLOT: FieldSlot = Object.freeze({ present: true, values: NOTHING, strings: NOTHING, lowers: NOTHING });
const NULL_SLOT: FieldSlot = Object.freeze({ present: true, values: Object.freeze([null]), strings: NOTHING, lowers: NOTHING });

function makeSlot(value: unknown): FieldSlot {
  // the common case, one scalar: as few arrays as can be (this runs for every field every rule
  // reads); a string already in lower case is its own lower case. Slots are read, never changed.
  if (!Array.isArray(value)) {
    if (value !== null && typeof value === 'object') return OBJECT_SLOT;
    if (value === null) return NULL_SLOT;
    if (typeof value === 'string') {
      const strings = [value];
      const lower = value.toLowerCase();
      return { present: true, values: strings, strings, lowers: lower === value ? strings : [lower] };
    }
    const str = String(value);
    const strings = [str];
    const lower = str.toLowerCase();
    return { present: true, values: [value], strings, lowers: lower === str ? strings : [lower] };
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
