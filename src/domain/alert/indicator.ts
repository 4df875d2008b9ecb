/**
 * Threat indicators (威胁情报) and the formats they come in: plain lines, CSV, STIX 2.1 bundles
 * and MISP event JSON. Pure: text in, indicators out, with a reason for every entry skipped.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import validator from 'validator';
import { validationError } from '../errors.js';

export const INDICATOR_TYPES = ['ip', 'domain', 'url', 'hash'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];
export const INTEL_FORMATS = ['plain', 'csv', 'stix', 'misp'] as const;
export type IntelFormat = (typeof INTEL_FORMATS)[number];

export interface Indicator {
  type: IndicatorType;
  value: string;
  confidence: number | null;
  description: string | null;
}

export interface IntelParse {
  indicators: Indicator[];
  skipped: Array<{ entry: number; reason: string }>;
}

/** What an indicator value is, and its normalized form; undefined when it is none of them. */
export function classify(raw: string, hint?: string): { type: IndicatorType; value: string } | undefined {
  const v = raw.trim().replace(/^"|"$/g, '');
  if (!v) return undefined;
  const h = hint?.toLowerCase() ?? '';
  if (/^[0-9a-f]{32}$|^[0-9a-f]{40}$|^[0-9a-f]{64}$|^[0-9a-f]{128}$/i.test(v) && (!h || /hash|md5|sha|file/.test(h))) return { type: 'hash', value: v.toLowerCase() };
  if (validator.isIP(v)) return { type: 'ip', value: v.toLowerCase() };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && validator.isURL(v, { require_protocol: true, require_tld: false })) return { type: 'url', value: v };
  const d = v.toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
  if (validator.isFQDN(d, { allow_underscores: true })) return { type: 'domain', value: d };
  return undefined;
}

function confidenceOf(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return null;
  const words: Record<string, number> = { high: 85, medium: 50, low: 15 };
  const n = typeof v === 'number' ? v : words[String(v).toLowerCase()] ?? Number(v);
  return Number.isFinite(n) ? Math.max(0, Math.min(100, Math.round(n))) : null;
}

export function detectIntelFormat(text: string): IntelFormat {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    if (/"type"\s*:\s*"bundle"/.test(t.slice(0, 2000)) || /"spec_version"/.test(t.slice(0, 4000))) return 'stix';
    if (/"Event"\s*:/.test(t.slice(0, 4000))) return 'misp';
    throw validationError('format', 'JSON that is neither a STIX 2.1 bundle nor a MISP event; name the format');
  }
  const first = t.split('\n', 1)[0] ?? '';
  return first.includes(',') && /indicator|value|ioc|type/i.test(first) ? 'csv' : 'plain';
}

export function parseIntel(text: string, format: IntelFormat): IntelParse {
  switch (format) {
    case 'plain':
      return fromEntries(
        text.split('\n').map((l) => l.replace(/#.*$/, '').trim()),
        (line) => (line ? { value: line } : null),
      );
    case 'csv': {
      let rows: Array<Record<string, string>>;
      try {
        rows = parseCsv(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, relax_column_count: true });
      } catch (e) {
        throw validationError('file', `not CSV: ${(e as Error).message}`);
      }
      return fromEntries(rows, (r) => ({
        value: r.indicator ?? r.value ?? r.ioc ?? '',
        hint: r.type,
        confidence: r.confidence,
        description: r.description ?? r.comment ?? r.tags,
      }));
    }
    case 'stix':
      return fromStix(text);
    case 'misp':
      return fromMisp(text);
  }
}

function fromEntries<T>(entries: T[], pick: (e: T) => { value: string; hint?: string; confidence?: unknown; description?: string } | null): IntelParse {
  const indicators: Indicator[] = [];
  const skipped: IntelParse['skipped'] = [];
  entries.forEach((e, i) => {
    const p = pick(e);
    if (!p) return;
    const c = classify(p.value, p.hint);
    if (!c) {
      skipped.push({ entry: i + 1, reason: `"${String(p.value).slice(0, 100)}" is not an IP address, domain, URL or hash` });
      return;
    }
    indicators.push({ ...c, confidence: confidenceOf(p.confidence), description: p.description?.slice(0, 500) || null });
  });
  return { indicators, skipped };
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw validationError('file', `not valid JSON: ${(e as Error).message}`);
  }
}

// [domain-name:value = 'x'] OR [ipv4-addr:value = 'y'] … (simple comparison patterns; others are skipped)
const STIX_TERM = /\b(domain-name|ipv4-addr|ipv6-addr|url|file):(value|hashes\.(?:'[^']+'|[A-Za-z0-9-]+))\s*=\s*'((?:[^'\\]|\\.)*)'/g;

function fromStix(text: string): IntelParse {
  const doc = json(text) as { type?: string; objects?: Array<Record<string, any>> };
  if (doc?.type !== 'bundle' || !Array.isArray(doc.objects)) throw validationError('file', 'a STIX 2.1 bundle has "type": "bundle" and an "objects" list');
  const indicators: Indicator[] = [];
  const skipped: IntelParse['skipped'] = [];
  doc.objects.forEach((o, i) => {
    if (o.type !== 'indicator') return;
    if (o.pattern_type && o.pattern_type !== 'stix') {
      skipped.push({ entry: i + 1, reason: `pattern_type "${o.pattern_type}" is not stix` });
      return;
    }
    if (o.revoked === true) return;
    const terms = [...String(o.pattern ?? '').matchAll(STIX_TERM)];
    if (terms.length === 0) {
      skipped.push({ entry: i + 1, reason: `no simple "object:value = '…'" term in pattern ${String(o.pattern).slice(0, 120)}` });
      return;
    }
    for (const t of terms) {
      const c = classify(t[3]!.replace(/\\(.)/g, '$1'), t[1] === 'file' ? 'hash' : t[1]);
      if (c) indicators.push({ ...c, confidence: confidenceOf(o.confidence), description: (o.name ?? o.description ?? null)?.slice?.(0, 500) ?? null });
      else skipped.push({ entry: i + 1, reason: `"${t[3]}" is not an IP address, domain, URL or hash` });
    }
  });
  return { indicators, skipped };
}

const MISP_TYPES: Record<string, string> = {
  'ip-src': 'ip', 'ip-dst': 'ip', domain: 'domain', hostname: 'domain', url: 'url', uri: 'url', md5: 'hash', sha1: 'hash', sha256: 'hash', sha512: 'hash',
  'domain|ip': 'domain', 'ip-dst|port': 'ip', 'ip-src|port': 'ip', 'filename|md5': 'hash', 'filename|sha1': 'hash', 'filename|sha256': 'hash',
};

function fromMisp(text: string): IntelParse {
  const doc = json(text) as Record<string, any>;
  const events: Array<Record<string, any>> = doc.Event ? [doc.Event] : Array.isArray(doc.response) ? doc.response.map((r: any) => r.Event).filter(Boolean) : [];
  if (events.length === 0) throw validationError('file', 'a MISP event has an "Event" object (or a "response" list of them)');
  const attrs: Array<{ a: Record<string, any>; event: Record<string, any> }> = [];
  for (const event of events) {
    for (const a of event.Attribute ?? []) attrs.push({ a, event });
    for (const o of event.Object ?? []) for (const a of o.Attribute ?? []) attrs.push({ a, event });
  }
  const indicators: Indicator[] = [];
  const skipped: IntelParse['skipped'] = [];
  attrs.forEach(({ a, event }, i) => {
    const kind = MISP_TYPES[String(a.type)];
    if (!kind) return; // not an indicator type this product matches (e.g. comment, text)
    if (a.to_ids === false || a.to_ids === '0') return;
    const raw = String(a.value ?? '');
    const parts = raw.split('|');
    const value = String(a.type).startsWith('filename|') ? parts[1]! : parts[0]!;
    const c = classify(value, kind);
    if (!c) {
      skipped.push({ entry: i + 1, reason: `MISP ${a.type} "${raw.slice(0, 100)}" is not valid` });
      return;
    }
    const level = Number(event.threat_level_id);
    indicators.push({ ...c, confidence: level >= 1 && level <= 4 ? [90, 70, 40, 10][level - 1]! : null, description: String(a.comment || event.info || '').slice(0, 500) || null });
  });
  return { indicators, skipped };
}

/**
 * All loaded indicators in hash maps: a lookup per alert field, whatever the number of
 * indicators. Each entry packs its feed (an index into `sources`) and confidence into one number
 * so a million indicators stay small.
 */
export class IndicatorIndex {
  private readonly maps: Record<IndicatorType, Map<string, number>> = { ip: new Map(), domain: new Map(), url: new Map(), hash: new Map() };
  private readonly sources: string[] = [];
  private readonly sourceIds = new Map<string, number>();

  get size(): number {
    return this.maps.ip.size + this.maps.domain.size + this.maps.url.size + this.maps.hash.size;
  }

  add(type: IndicatorType, value: string, source: string, confidence: number | null): void {
    let s = this.sourceIds.get(source);
    if (s === undefined) {
      s = this.sources.length;
      this.sources.push(source);
      this.sourceIds.set(source, s);
    }
    const existing = this.maps[type].get(value);
    const packed = s * 128 + (confidence ?? 101);
    // keep the most confident feed's entry
    if (existing === undefined || (existing % 128 === 101 ? -1 : existing % 128) < (confidence ?? -1)) this.maps[type].set(value, packed);
  }

  private hit(type: IndicatorType, value: string): { type: IndicatorType; value: string; source: string; confidence: number | null } | undefined {
    const p = this.maps[type].get(value);
    if (p === undefined) return undefined;
    const c = p % 128;
    return { type, value, source: this.sources[Math.floor(p / 128)]!, confidence: c === 101 ? null : c };
  }

  /** A domain matches itself and any subdomain of it: t.awcna.com hits an indicator awcna.com. */
  matchDomain(name: string) {
    let d = name.toLowerCase().replace(/\.$/, '');
    for (let i = 0; i < 127 && d.includes('.'); i++) {
      const h = this.hit('domain', d);
      if (h) return h;
      d = d.slice(d.indexOf('.') + 1);
    }
    return undefined;
  }

  match(fields: { ips?: Array<string | undefined>; domains?: Array<string | undefined>; urls?: Array<string | undefined>; hashes?: Array<string | undefined> }) {
    if (this.size === 0) return undefined;
    for (const ip of fields.ips ?? []) if (ip) { const h = this.hit('ip', ip.toLowerCase()); if (h) return h; }
    for (const d of fields.domains ?? []) if (d) { const h = this.matchDomain(d); if (h) return h; }
    for (const u of fields.urls ?? []) if (u) { const h = this.hit('url', u); if (h) return h; }
    for (const x of fields.hashes ?? []) if (x) { const h = this.hit('hash', x.toLowerCase()); if (h) return h; }
    return undefined;
  }
}
