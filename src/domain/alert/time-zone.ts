/**
 * The organisation's time zone and the devices that keep another one. Devices that log local
 * time without an offset (syslog RFC 3164, BIND, many CEF `rt` fields, HFish) are read in the
 * zone of their source: a per-source override (the syslog host name, or the device's vendor or
 * product), else the organisation's zone. Forms print every time in the organisation's zone with
 * the zone named.
 */
import { validationError } from '../errors.js';

export interface SourceZone {
  /** the syslog header's host name (any case), or the address of the host in it */
  host?: string;
  /** the device's vendor or product as it names itself (CEF vendor/product, any case) */
  product?: string;
  zone: string;
}

export interface TimeZoneSetting {
  /** IANA zone, e.g. Asia/Shanghai */
  zone: string;
  sources: SourceZone[];
}

/** Whom a record comes from, as far as its parser knows before it reads its time. */
export interface RecordSource {
  host?: string;
  /** the address the record came from (a syslog sender), matched against the hosts listed */
  address?: string;
  vendor?: string;
  product?: string;
}

export const MAX_SOURCE_ZONES = 500;

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || !zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Whether a zone is UTC under one of its names (a container's default). */
export function isUtc(zone: string): boolean {
  return /^(etc\/)?(utc|gmt|uct|zulu|universal)(\+0|-0|0)?$/i.test(zone);
}

function zoneField(v: unknown, field: string): string {
  if (!isTimeZone(v)) throw validationError(field, `"${String(v).slice(0, 64)}" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)`);
  return v;
}

export function validateTimeZoneSetting(input: unknown, at = ''): TimeZoneSetting {
  const p = at ? `${at}/` : '';
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw validationError(at || 'timeZone', 'must be an object {zone, sources}');
  const d = input as Record<string, unknown>;
  const unknown = Object.keys(d).find((k) => k !== 'zone' && k !== 'sources');
  if (unknown) throw validationError(`${p}${unknown}`, 'not a field of the time zone setting (zone, sources)');
  const zone = zoneField(d.zone, `${p}zone`);
  if (d.sources !== undefined && !Array.isArray(d.sources)) throw validationError(`${p}sources`, 'must be a list of {host or product, zone}');
  const list = (d.sources as unknown[] | undefined) ?? [];
  if (list.length > MAX_SOURCE_ZONES) throw validationError(`${p}sources`, `at most ${MAX_SOURCE_ZONES} sources`);
  const seen = new Set<string>();
  const sources = list.map((s, i): SourceZone => {
    const q = `${p}sources/${i}`;
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw validationError(q, 'must be an object {host or product, zone}');
    const o = s as Record<string, unknown>;
    const extra = Object.keys(o).find((k) => !['host', 'product', 'zone'].includes(k));
    if (extra) throw validationError(`${q}/${extra}`, 'not a field of a source (host, product, zone)');
    const text = (v: unknown, f: string) => {
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string' || v.trim().length > 255) throw validationError(`${q}/${f}`, 'must be text of at most 255 characters');
      return v.trim();
    };
    const host = text(o.host, 'host');
    const product = text(o.product, 'product');
    if (!host === !product) throw validationError(q, 'name either a host (syslog host name or address) or a product (device vendor or product), not both');
    const key = host ? `h:${host.toLowerCase()}` : `p:${product!.toLowerCase()}`;
    if (seen.has(key)) throw validationError(q, `${host ? `host ${host}` : `product ${product}`} is listed twice`);
    seen.add(key);
    return { ...(host ? { host } : { product: product! }), zone: zoneField(o.zone, `${q}/zone`) };
  });
  return { zone, sources };
}

/** The zone to read a record's local times in: its host's, else its product's or vendor's, else the organisation's. */
export function zoneResolver(setting: TimeZoneSetting): (who?: RecordSource) => string {
  if (!setting.sources.length) return () => setting.zone;
  const hosts = new Map<string, string>();
  const products = new Map<string, string>();
  for (const s of setting.sources) {
    if (s.host) hosts.set(s.host.toLowerCase(), s.zone);
    else if (s.product) products.set(s.product.toLowerCase(), s.zone);
  }
  return (who) =>
    (who?.host && hosts.get(who.host.toLowerCase())) ||
    (who?.address && hosts.get(who.address.toLowerCase())) ||
    (who?.product && products.get(who.product.toLowerCase())) ||
    (who?.vendor && products.get(who.vendor.toLowerCase())) ||
    setting.zone;
}
