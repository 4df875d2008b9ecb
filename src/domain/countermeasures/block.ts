/**
 * Countermeasures (issue 16, 处置 · 遏制): an address or network, a domain, a URL or a file hash
 * put on a block list with a reason, an owner and an expiry; served to firewalls and proxies as
 * external dynamic lists (one entry a line); held for a second person's approval when it would cut
 * off the organisation's own critical hosts or what the allow-list names; and verified by the
 * alerts that follow (the blocked source going quiet, or still seen).
 *
 * Pure: the rules here take the facts they need (assets, the allow-list, the alerts seen) as
 * arguments. IP and CIDR arithmetic is ipaddr.js's; domain and URL syntax is validator's.
 */
import ipaddr from 'ipaddr.js';
import validator from 'validator';
import { cidrKeyRange, parseCidr } from '../alert/network.js';
import { validationError } from '../errors.js';

export const BLOCK_KINDS = ['ip', 'domain', 'url', 'hash'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

export const BLOCK_STATUSES = ['pending', 'active', 'lifted', 'expired', 'rejected'] as const;
export type BlockStatus = (typeof BLOCK_STATUSES)[number];

/** a list name: what a firewall's EDL object points at (letters, digits, - and _) */
export const LIST_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const DEFAULT_LIST = 'default';

/** how long a block stays by the incident's level when no expiry is given: the graver, the longer */
export const DEFAULT_DAYS_BY_LEVEL: Readonly<Record<number, number>> = { 1: 30, 2: 14, 3: 7, 4: 3 };
/** a block never outlives this: it is renewed on purpose or it ends */
export const MAX_BLOCK_DAYS = 365;
/** the widest network one entry may block: a /8-sized range (IPv4 /8, IPv6 /32) or wider is refused */
export const WIDEST_PREFIX = { ipv4: 9, ipv6: 33 } as const;
/** a blocked source is quiet once no alert has carried it for this long since the block */
export const QUIET_MINUTES = 30;
/** an asset of this criticality or graver (1 = 核心) is "critical": blocking it needs a second person */
export const CRITICAL = 1;

export interface BlockEntry {
  kind: BlockKind;
  /** the entry as served: an address or CIDR in canonical form, a lowercase domain, a URL without its scheme, a lowercase hex hash */
  value: string;
  /** ip: the sortable key range the entry covers (see ipKey), for verification and overlap */
  keyFrom: string | null;
  keyTo: string | null;
}

/** The value of a block as firewalls want it, or a refusal saying what is wrong with it. */
export function blockEntry(kind: string, raw: string, field = 'value'): BlockEntry {
  const text = raw.trim();
  if (!text) throw validationError(field, 'is required', 'blank');
  if (text.length > 2048) throw validationError(field, 'at most 2048 characters', 'maxLength', { limit: 2048 });
  switch (kind) {
    case 'ip': {
      const [addr, bits] = parseCidr(text, field);
      const v4 = addr.kind() === 'ipv4';
      if (bits < (v4 ? WIDEST_PREFIX.ipv4 : WIDEST_PREFIX.ipv6)) {
        throw validationError(field, `${text} is a /${bits}: a range as wide as a /8 (IPv6 /32) is never blocked from here`, 'blockTooWide', { bits, widest: v4 ? WIDEST_PREFIX.ipv4 : WIDEST_PREFIX.ipv6 });
      }
      if (addr.range() === 'unspecified') throw validationError(field, `${text} is not an address that can be blocked`, 'notBlockable');
      const full = bits === (v4 ? 32 : 128);
      const network = full ? addr : v4 ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
      const value = full ? network.toString() : `${network.toString()}/${bits}`;
      const [keyFrom, keyTo] = cidrKeyRange(value, field);
      return { kind, value, keyFrom, keyTo };
    }
    case 'domain': {
      // a leading "*." blocks the subdomains too (the form PAN-OS and FortiGate domain lists take)
      const wildcard = text.startsWith('*.');
      const name = (wildcard ? text.slice(2) : text).replace(/\.$/, '').toLowerCase();
      if (!validator.isFQDN(name, { require_tld: true, allow_underscores: true })) throw validationError(field, `"${text.slice(0, 100)}" is not a domain name`, 'notDomain');
      return { kind, value: wildcard ? `*.${name}` : name, keyFrom: null, keyTo: null };
    }
    case 'url': {
      if (!validator.isURL(text, { protocols: ['http', 'https'], require_tld: false, require_host: true })) throw validationError(field, `"${text.slice(0, 100)}" is not an http(s) URL`, 'notUrl');
      // EDLs take URLs without the scheme (PAN-OS refuses "http://"); the host in lowercase, the path as written
      const bare = text.replace(/^https?:\/\//i, '');
      const slash = bare.indexOf('/');
      const host = (slash < 0 ? bare : bare.slice(0, slash)).toLowerCase();
      return { kind, value: `${host}${slash < 0 ? '' : bare.slice(slash)}`, keyFrom: null, keyTo: null };
    }
    case 'hash': {
      const hex = text.toLowerCase();
      if (!/^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/.test(hex)) throw validationError(field, `"${text.slice(0, 100)}" is not an MD5, SHA-1 or SHA-256 hash in hex`, 'notHash');
      return { kind, value: hex, keyFrom: null, keyTo: null };
    }
    default:
      throw validationError('kind', `must be one of ${BLOCK_KINDS.join(', ')}`, 'enum', { values: BLOCK_KINDS.join(', ') });
  }
}

/** When a block ends: the expiry asked for (after now, within a year), else the default of the incident's level. */
export function blockExpiry(now: Date, level: number | null, asked?: string): string {
  const latest = now.getTime() + MAX_BLOCK_DAYS * 86_400_000;
  if (asked !== undefined) {
    const t = Date.parse(asked);
    if (Number.isNaN(t)) throw validationError('expiresAt', `"${asked}" is not a date and time`, 'instant');
    if (t <= now.getTime()) throw validationError('expiresAt', 'must be in the future', 'future');
    if (t > latest) throw validationError('expiresAt', `at most ${MAX_BLOCK_DAYS} days from now: renew it when the time comes`, 'blockTooLong', { days: MAX_BLOCK_DAYS });
    return new Date(t).toISOString();
  }
  const days = DEFAULT_DAYS_BY_LEVEL[level ?? 4] ?? DEFAULT_DAYS_BY_LEVEL[4]!;
  return new Date(now.getTime() + days * 86_400_000).toISOString();
}

/** an address range or domain that is never blocked without a second person (DNS servers, gateways, own domains) */
export interface AllowEntry {
  value: string;
  note?: string | null;
}

/** The allow-list checked whole: each entry an address, a CIDR or a domain. */
export function checkAllowList(input: readonly AllowEntry[]): AllowEntry[] {
  if (input.length > 2000) throw validationError('allowList', 'at most 2000 entries', 'maxItems', { limit: 2000 });
  return input.map((e, i) => {
    const v = String(e.value ?? '').trim();
    const looksIp = /^[0-9a-f:.]+(\/\d+)?$/i.test(v) && (v.includes('.') || v.includes(':')) && !/[g-z]/i.test(v);
    let value: string;
    if (looksIp) {
      const [addr, bits] = parseCidr(v, `allowList/${i}/value`);
      value = bits === (addr.kind() === 'ipv4' ? 32 : 128) ? addr.toString() : `${addr.toString()}/${bits}`;
    } else {
      const name = v.replace(/^\*\./, '').replace(/\.$/, '').toLowerCase();
      if (!validator.isFQDN(name, { require_tld: true, allow_underscores: true })) throw validationError(`allowList/${i}/value`, `"${v.slice(0, 100)}" is not an address, a CIDR or a domain`, 'notAllowEntry');
      value = name;
    }
    const note = e.note?.trim().slice(0, 200) || null;
    return { value, note };
  });
}

/** Why this entry waits for a second person, or nothing: the critical hosts it would cut off, the allow-list entries it touches. */
export function approvalNeeded(entry: BlockEntry, facts: { criticalHosts: ReadonlyArray<{ ip: string; hostname: string | null }>; allowList: readonly AllowEntry[] }): { reason: string; reasonEn: string; names: string[] } | null {
  const names: string[] = [];
  if (entry.kind === 'ip') {
    for (const h of facts.criticalHosts) names.push(h.hostname ? `${h.ip} (${h.hostname})` : h.ip);
    for (const a of facts.allowList) {
      if (!/^[0-9a-f:.]+(\/\d+)?$/i.test(a.value) || /[g-z]/i.test(a.value)) continue;
      const [from, to] = cidrKeyRange(a.value, 'allowList');
      if (entry.keyFrom! <= to && from <= entry.keyTo!) names.push(a.note ? `${a.value} (${a.note})` : a.value);
    }
    if (!names.length) return null;
    return { reason: `封禁范围包含关键资产或白名单地址：${names.slice(0, 5).join('、')}${names.length > 5 ? ` 等 ${names.length} 项` : ''}，须由另一人审批`, reasonEn: `the block covers critical hosts or allow-listed addresses: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}; a second person must approve it`, names };
  }
  if (entry.kind === 'domain' || entry.kind === 'url') {
    const host = entry.kind === 'url' ? entry.value.split('/')[0]!.replace(/:\d+$/, '') : entry.value.replace(/^\*\./, '');
    for (const a of facts.allowList) {
      if (host === a.value || host.endsWith(`.${a.value}`) || (entry.value.startsWith('*.') && a.value.endsWith(`.${host}`))) names.push(a.note ? `${a.value} (${a.note})` : a.value);
    }
    if (!names.length) return null;
    return { reason: `封禁对象属于白名单域名：${names.slice(0, 5).join('、')}，须由另一人审批`, reasonEn: `the block touches allow-listed domains: ${names.slice(0, 5).join(', ')}; a second person must approve it`, names };
  }
  return null;
}

/** A block's standing as a person reads it: pending approval, in force, or ended (lifted, expired, rejected). */
export function statusAt(stored: BlockStatus, expiresAt: string, now: string): BlockStatus {
  return stored === 'active' && expiresAt <= now ? 'expired' : stored;
}

/**
 * The external dynamic list: one entry a line, sorted, nothing else — what PAN-OS EDLs, FortiGate
 * external threat feeds and Sangfor/Hillstone URL lists read. (Comments are left out: not every
 * device skips them.)
 */
export function edlText(values: readonly string[]): string {
  const lines = [...new Set(values)].sort();
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export type VerificationState = 'waiting' | 'quiet' | 'seen';

export interface Verification {
  state: VerificationState;
  /** alerts that carried the source after the block */
  seenAfter: number;
  lastSeen: string | null;
  /** the devices that still saw it (observer vendor/product), most recent first */
  seenBy: string[];
  /** minutes since the block, or since it was last seen */
  quietMinutes: number;
}

/**
 * Whether a blocked source went quiet: seen after the block within the last QUIET_MINUTES → seen;
 * not seen for QUIET_MINUTES since the block (or since it was last seen) → quiet; else waiting.
 */
export function verification(activatedAt: string, now: string, seen: { count: number; last: string | null; devices: string[] }): Verification {
  const since = seen.last && seen.last > activatedAt ? seen.last : activatedAt;
  const minutes = Math.max(0, Math.floor((Date.parse(now) - Date.parse(since)) / 60_000));
  const recent = seen.count > 0 && seen.last !== null && minutes < QUIET_MINUTES;
  return {
    state: recent ? 'seen' : minutes >= QUIET_MINUTES ? 'quiet' : 'waiting',
    seenAfter: seen.count,
    lastSeen: seen.last,
    seenBy: seen.devices,
    quietMinutes: minutes,
  };
}

/** The handling gate's sentence: "blocked 12 sources; 11 quiet for 30 min, 1 still seen by the IDS". */
export function verificationSummary(states: ReadonlyArray<{ value: string; verification: Verification }>): { zh: string; en: string; blocked: number; quiet: number; seen: number; waiting: number } {
  const quiet = states.filter((s) => s.verification.state === 'quiet').length;
  const seen = states.filter((s) => s.verification.state === 'seen');
  const waiting = states.filter((s) => s.verification.state === 'waiting').length;
  const devices = [...new Set(seen.flatMap((s) => s.verification.seenBy))].slice(0, 3);
  const zh = [`已封禁 ${states.length} 个来源`, quiet ? `${quiet} 个已静默 ${QUIET_MINUTES} 分钟以上` : '', waiting ? `${waiting} 个观察中` : '', seen.length ? `${seen.length} 个仍被${devices.length ? devices.join('、') : '设备'}看到（${seen.slice(0, 3).map((s) => s.value).join('、')}）` : ''].filter(Boolean).join('；');
  const en = [`blocked ${states.length} source(s)`, quiet ? `${quiet} quiet for ${QUIET_MINUTES} min or more` : '', waiting ? `${waiting} being watched` : '', seen.length ? `${seen.length} still seen by ${devices.length ? devices.join(', ') : 'a device'} (${seen.slice(0, 3).map((s) => s.value).join(', ')})` : ''].filter(Boolean).join('; ');
  return { zh, en, blocked: states.length, quiet, seen: seen.length, waiting };
}
