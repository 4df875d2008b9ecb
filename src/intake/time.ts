/** Device timestamps, in every form the formats use, to UTC ISO-8601 (luxon does the parsing). */
import { DateTime } from 'luxon';
import { ParseError } from './parse-error.js';

// Complete ISO-8601 date-times with an explicit offset: the platform's Date reads them exactly
// (Suricata's `+0800` only needs its colon); everything else goes through luxon.
const FULL_ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})$/;

/** A device time as UTC ISO-8601, refused when it is not a real time of the years devices log (1970–9999). */
function utc(ms: number, field: string, value: unknown): string {
  if (!Number.isFinite(ms)) throw new ParseError(`${field} "${String(value).slice(0, 60)}" is not a time`);
  const year = new Date(ms).getUTCFullYear();
  if (Number.isNaN(year) || year < 1970 || year > 9999) throw new ParseError(`${field} "${String(value).slice(0, 60)}" is out of range (year ${year})`);
  return new Date(ms).toISOString();
}

/** ISO-8601 with or without offset (`+0800` or `+08:00`); without one, `zone` is assumed. */
export function isoTime(value: unknown, zone: string, field: string): string {
  if (typeof value !== 'string' || !value) throw new ParseError(`${field} is missing`);
  const fast = FULL_ISO.exec(value);
  if (fast) {
    const offset = fast[2]!.length === 5 ? `${fast[2]!.slice(0, 3)}:${fast[2]!.slice(3)}` : fast[2]!;
    const ms = Date.parse(`${fast[1]!.replace(/(\.\d{3})\d+$/, '$1')}${offset}`);
    if (!Number.isNaN(ms)) return utc(ms, field, value);
  }
  const dt = DateTime.fromISO(value.trim().replace(' ', 'T'), { zone, setZone: true });
  if (!dt.isValid) throw new ParseError(`${field} "${value.slice(0, 60)}" is not a date-time`);
  return utc(dt.toMillis(), field, value);
}

/** `yyyy-MM-dd HH:mm:ss` local times (NXLog EventTime, HFish, many CSV exports). */
export function localTime(value: string, zone: string, field: string): string {
  const dt = DateTime.fromFormat(value.trim(), 'yyyy-MM-dd HH:mm:ss', { zone });
  if (!dt.isValid) return isoTime(value, zone, field);
  return utc(dt.toMillis(), field, value);
}

/**
 * RFC 3164 `MMM dd HH:mm:ss` (no year, no zone): the device's local time in `zone`, in the
 * year that does not put it more than a day in the future.
 */
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const BSD = /^\s*([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s*$/;
/** the year it is in a zone, per zone and hour of `now` (every line of a file asks; luxon's zone arithmetic is not free) */
const yearCache = new Map<string, number>();

function yearIn(zone: string, now: Date): number {
  const key = `${zone}|${Math.floor(now.getTime() / 3_600_000)}`;
  let year = yearCache.get(key);
  if (year === undefined) {
    year = DateTime.fromJSDate(now, { zone }).year;
    if (yearCache.size > 1000) yearCache.clear();
    yearCache.set(key, year);
  }
  return year;
}

/** the last BSD time read (a log's lines come in order: most share their second with the line before) */
let lastBsd: { value: string; zone: string; now: number; iso: string } | undefined;

export function bsdTime(value: string, zone: string, now: Date): string {
  if (lastBsd && lastBsd.value === value && lastBsd.zone === zone && lastBsd.now === now.getTime()) return lastBsd.iso;
  const iso = readBsdTime(value, zone, now);
  lastBsd = { value, zone, now: now.getTime(), iso };
  return iso;
}

/**
 * The UTC milliseconds of a local minute in a zone (undefined: no such date), cached: a zone's
 * offset changes only on a whole minute, so every second of a minute shares it (luxon's zone
 * arithmetic once a minute of log, not once a second).
 */
const minuteCache = new Map<string, number | undefined>();
function localMinute(zone: string, year: number, month: number, day: number, hour: number, minute: number): number | undefined {
  const key = `${zone}|${year}|${month}|${day}|${hour}|${minute}`;
  if (minuteCache.has(key)) return minuteCache.get(key);
  const dt = DateTime.fromObject({ year, month, day, hour, minute, second: 0 }, { zone });
  const ms = dt.isValid ? dt.toMillis() : undefined;
  if (minuteCache.size > 10_000) minuteCache.clear();
  minuteCache.set(key, ms);
  return ms;
}

function readBsdTime(value: string, zone: string, now: Date): string {
  // read with a regular expression, not luxon's format parser (which compiles its format on
  // every call: it was a fifth of `bihuan ingest`'s time on an auth.log)
  const m = BSD.exec(value);
  const month = m ? MONTHS[m[1]!.toLowerCase()] : undefined;
  const second = m ? Number(m[5]) : NaN;
  const at = (year: number) => {
    const base = m && month && second <= 59 ? localMinute(zone, year, month, Number(m[2]), Number(m[3]), Number(m[4])) : undefined;
    return base === undefined ? undefined : base + second * 1000;
  };
  const year = yearIn(zone, now);
  let ms = at(year);
  if (ms === undefined) throw new ParseError(`syslog time "${value}" is not "MMM dd HH:mm:ss"`);
  // no year in the line: the latest year that does not put it more than a day in the future
  if (ms > now.getTime() + 86_400_000) ms = at(year - 1) ?? ms;
  return utc(ms, 'syslog time', value);
}

/** BIND query-log time: `02-Dec-2019 04:57:00.123`. */
export function bindTime(value: string, zone: string): string {
  const dt = DateTime.fromFormat(value, value.includes('.') ? 'dd-LLL-yyyy HH:mm:ss.SSS' : 'dd-LLL-yyyy HH:mm:ss', { zone });
  if (!dt.isValid) throw new ParseError(`BIND time "${value}" is not "dd-MMM-yyyy HH:mm:ss.SSS"`);
  return utc(dt.toMillis(), 'BIND time', value);
}

/** Epoch milliseconds or seconds (CEF `rt`, many JSON exports). */
export function epochTime(value: string | number, field: string): string {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ParseError(`${field} "${value}" is not a time`);
  const ms = n > 1e11 ? n : n * 1000;
  return utc(ms, field, value);
}

/** CEF `rt`: epoch milliseconds, `MMM dd yyyy HH:mm:ss[.SSS][ zone]`, or ISO-8601. */
export function cefTime(value: string, zone: string): string {
  if (/^\d+$/.test(value)) return epochTime(value, 'rt');
  for (const f of ['LLL dd yyyy HH:mm:ss.SSS z', 'LLL dd yyyy HH:mm:ss z', 'LLL dd yyyy HH:mm:ss.SSS', 'LLL dd yyyy HH:mm:ss']) {
    const dt = DateTime.fromFormat(value, f, { zone, setZone: true });
    if (dt.isValid) return utc(dt.toMillis(), 'rt', value);
  }
  return isoTime(value, zone, 'rt');
}
