/**
 * Syslog headers: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) and RFC 3164 /
 * BSD (`<PRI>MMM dd HH:mm:ss HOST TAG[PID]: MSG`, PRI optional as in /var/log files, or with an
 * ISO timestamp as rsyslog writes by default today).
 */
import { ParseError } from './parse-error.js';
import { bsdTime, isoTime } from './time.js';

export interface SyslogMessage {
  facility?: number;
  severity?: number;
  timestamp: string;
  hostname?: string;
  app?: string;
  pid?: string;
  msgid?: string;
  structuredData?: string;
  message: string;
}

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (.*)$/s;
const BSD = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (\S+) (.*)$/s;
const TAG = /^([^\s:[\]]{1,64})(?:\[([^\]]{1,32})\])?: ?(.*)$/s;

export function looksLikeSyslog(line: string): boolean {
  return RFC5424.test(line) || BSD.test(line);
}

function pri(v: string | undefined): { facility?: number; severity?: number } {
  if (v === undefined) return {};
  const n = Number(v);
  if (n > 191) throw new ParseError(`syslog priority <${v}> is out of range (0–191)`);
  return { facility: n >> 3, severity: n & 7 };
}

/** Splits RFC 5424 structured data from the message: `-` or `[id k="v" …]…`, honouring escapes. */
function splitStructuredData(rest: string): { sd?: string; msg: string } {
  if (rest.startsWith('-')) return { msg: rest.slice(1).replace(/^ /, '') };
  if (!rest.startsWith('[')) throw new ParseError('RFC 5424 structured data must be "-" or start with "["');
  let i = 0;
  while (rest[i] === '[') {
    let inQuote = false;
    for (i++; i < rest.length; i++) {
      const c = rest[i];
      if (c === '\\') i++;
      else if (c === '"') inQuote = !inQuote;
      else if (c === ']' && !inQuote) break;
    }
    if (i >= rest.length) throw new ParseError('RFC 5424 structured data is not closed with "]"');
    i++;
  }
  return { sd: rest.slice(0, i), msg: rest.slice(i).replace(/^ /, '') };
}

/** `zone`: the zone of times without an offset, or the zone of the host the header names. */
export function parseSyslog(line: string, zone: string | ((host: string | undefined) => string), now: Date): SyslogMessage {
  const zoneOf = (host: string | undefined) => (typeof zone === 'string' ? zone : zone(host));
  const m5424 = RFC5424.exec(line);
  if (m5424) {
    const [, p, ts, host, app, procid, msgid, rest] = m5424 as unknown as [string, string, string, string, string, string, string, string];
    const { sd, msg } = splitStructuredData(rest);
    const nil = (v: string) => (v === '-' ? undefined : v);
    return {
      ...pri(p),
      timestamp: ts === '-' ? now.toISOString() : isoTime(ts, zoneOf(nil(host)), 'syslog timestamp'),
      hostname: nil(host),
      app: nil(app),
      pid: nil(procid),
      msgid: nil(msgid),
      structuredData: sd,
      message: msg.replace(/^\uFEFF/, ''),
    };
  }
  const bsd = BSD.exec(line);
  if (!bsd) throw new ParseError('not a syslog line (RFC 5424 or RFC 3164)');
  const [, p, ts, host, rest] = bsd as unknown as [string, string | undefined, string, string, string];
  const timestamp = /^\d{4}-/.test(ts) ? isoTime(ts, zoneOf(host), 'syslog timestamp') : bsdTime(ts, zoneOf(host), now);
  const tag = TAG.exec(rest);
  return { ...pri(p), timestamp, hostname: host, app: tag?.[1], pid: tag?.[2], message: tag ? tag[3]! : rest };
}
