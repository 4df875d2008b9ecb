/** What every format parser is: a content test, and record → normalized alert (or a reason to skip it). */
import type { DeviceClassOverride } from '../domain/alert/device-class.js';
import type { Alert, AlertFormat } from '../domain/alert/alert.js';
import type { RecordSource } from '../domain/alert/time-zone.js';
import { ParseError } from './parse-error.js';

export interface ParseContext {
  /** the organisation's zone: devices that log local time without an offset are read in it… */
  timeZone: string;
  /** …unless their source keeps another (the time zone setting's per-source overrides) */
  zoneOf?: (who?: RecordSource) => string;
  now: Date;
  /** the configuration's device classes (CEF and other formats that carry any device's records) */
  deviceClasses?: readonly DeviceClassOverride[];
}

export type ParseResult =
  | { alert: Alert; /** the record's own id, when the format has one (dedup) */ sourceId?: string }
  | { skip: string };

export interface FormatParser {
  format: AlertFormat;
  /** does this record say it is of this format (`json` is the parsed record when it is JSON) */
  detect(text: string, json: unknown): boolean;
  /** throws ParseError with a reason when the record is malformed */
  parse(text: string, json: unknown, ctx: ParseContext): ParseResult;
}

/** The zone a record's local (offset-less) times are read in: its source's, else the organisation's. */
export function zoneFor(ctx: ParseContext, who?: RecordSource): string {
  return ctx.zoneOf?.(who) ?? ctx.timeZone;
}

/** The record as a JSON object, or a clear rejection: a format read from JSON needs one. */
export function jsonObject(json: unknown, what: string): Record<string, any> {
  if (json === undefined) throw new ParseError(`not ${what}: that is a JSON object, this is a line of text`);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ParseError(`not ${what}: that is a JSON object, this is ${Array.isArray(json) ? 'an array' : json === null ? 'null' : `a ${typeof json}`}`);
  return json as Record<string, any>;
}

/** Any JSON value as text for a message (an object as its JSON: String() of a crafted object can throw). */
export function text(v: unknown): string {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  // an object or array where a device writes text is not text (and String() of a crafted object can throw)
  if (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol') return undefined;
  const s = String(v).trim();
  return s === '' || s === '-' ? undefined : s;
}

export function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '' || v === '-' || typeof v === 'object' || typeof v === 'symbol') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
