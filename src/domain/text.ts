/** Bounds on what users type, checked the same way at every edge (HTTP, CLI). */
import { validationError } from './errors.js';

export function requiredText(field: string, value: unknown, max: number): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) throw validationError(field, 'is required and must not be blank', 'blank');
  if (s.length > max) throw validationError(field, `at most ${max} characters (got ${s.length})`, 'maxLength', { limit: max });
  return s;
}

export function optionalText(field: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw validationError(field, 'must be text', 'text');
  const s = value.trim();
  if (s.length > max) throw validationError(field, `at most ${max} characters (got ${s.length})`, 'maxLength', { limit: max });
  return s || null;
}

/** An instant given by a user: ISO-8601 with a time zone (or a Date); returned as UTC ISO. */
export function instant(field: string, value: unknown): string {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' && /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw validationError(field, `must be an ISO-8601 date-time such as 2019-12-02T04:57:00+08:00, got ${JSON.stringify(value)}`, 'instant');
  const year = new Date(ms).getUTCFullYear();
  if (year < 1970 || year > 9998) throw validationError(field, 'is out of range', 'instant');
  return new Date(ms).toISOString();
}

/** `instant`, and not later than a small clock skew after now. */
export function pastInstant(field: string, value: unknown, now: Date): string {
  const iso = instant(field, value);
  if (Date.parse(iso) > now.getTime() + 5 * 60_000) throw validationError(field, `${iso} is in the future`, 'future');
  return iso;
}

/**
 * A file's bytes as text: UTF-8 (with or without a byte-order mark), else GB18030 — what Excel and
 * Notepad on Chinese Windows save (GBK is its subset). The platform's WHATWG decoders: UTF-8 is
 * tried strictly first, so a UTF-8 file is never misread.
 */
export function decodeFileText(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}
