/**
 * The incident and its parts, as the domain sees them: the people-readable id, observables and
 * their validation, the bounds on every text a user types.
 */
import validator from 'validator';
import { validationError } from '../errors.js';

/** `INC-20261125-0007`: the day (in the organisation's time zone) and a per-day sequence. */
export function formatIncidentId(day: string, seq: number): string {
  return `INC-${day}-${String(seq).padStart(4, '0')}`;
}

export const INCIDENT_ID = /^INC-\d{8}-\d{4,}$/;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** YYYYMMDD of an instant in an IANA time zone. */
export function dayInZone(at: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // building a formatter costs far more than using one
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}${get('month')}${get('day')}`;
}

export const OBSERVABLE_TYPES = ['ip', 'domain', 'url', 'hash', 'account', 'file_path', 'process', 'email'] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];
/** how far an observable may be shared: Traffic Light Protocol 2.0 (FIRST) */
export const OBSERVABLE_TLP = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
/** what may be done with it: Permissible Actions Protocol */
export const OBSERVABLE_PAP = ['clear', 'green', 'amber', 'red'] as const;
/** tags on one observable, and the length of one */
export const OBSERVABLE_TAGS = { max: 20, length: 50 } as const;

/** An observable's tags as stored: trimmed, distinct, each at most OBSERVABLE_TAGS.length characters; throws naming the field. */
export function normalizeTags(tags: readonly string[], field = 'tags'): string[] {
  const out: string[] = [];
  for (const [i, raw] of tags.entries()) {
    const tag = String(raw).trim();
    if (!tag) throw validationError(`${field}/${i}`, 'must not be empty');
    if (tag.length > OBSERVABLE_TAGS.length) throw validationError(`${field}/${i}`, `at most ${OBSERVABLE_TAGS.length} characters`);
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > OBSERVABLE_TAGS.max) throw validationError(field, `at most ${OBSERVABLE_TAGS.max} tags`);
  return out;
}

const HASH_LENGTHS: Record<number, string> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };

/** Validates and normalizes an observable's value; throws naming the field and the reason. */
export function normalizeObservable(type: ObservableType, raw: string, field = 'value'): string {
  const value = raw.trim();
  if (!value) throw validationError(field, 'must not be empty');
  if (value.length > 2048) throw validationError(field, 'at most 2048 characters');
  switch (type) {
    case 'ip':
      if (!validator.isIP(value)) throw validationError(field, `"${value}" is not an IPv4 or IPv6 address`);
      return value.toLowerCase();
    case 'domain':
      if (!validator.isFQDN(value, { require_tld: true, allow_underscores: true, allow_trailing_dot: true })) {
        throw validationError(field, `"${value}" is not a domain name`);
      }
      return value.toLowerCase().replace(/\.$/, '');
    case 'url':
      if (!validator.isURL(value, { require_protocol: true, require_tld: false, protocols: ['http', 'https', 'ftp', 'ftps', 'ws', 'wss', 'smb', 'file'] })) {
        throw validationError(field, `"${value}" is not a URL with a scheme (http://, https://, …)`);
      }
      return value;
    case 'hash': {
      const h = value.toLowerCase();
      if (!/^[0-9a-f]+$/.test(h) || !HASH_LENGTHS[h.length]) {
        throw validationError(field, `"${value}" is not an MD5, SHA-1, SHA-256 or SHA-512 hex digest`);
      }
      return h;
    }
    case 'email':
      if (!validator.isEmail(value)) throw validationError(field, `"${value}" is not an e-mail address`);
      return value.toLowerCase();
    case 'account':
    case 'file_path':
    case 'process':
      if (/[\u0000-\u001f]/.test(value)) throw validationError(field, 'must not contain control characters');
      return value;
  }
}

export function hashAlgorithm(hex: string): string | undefined {
  return HASH_LENGTHS[hex.length];
}
