/**
 * Which format a record is, from its content where the content says so. JSON records are
 * parsed once here and handed to the parser.
 */
import type { AlertFormat } from '../domain/alert/alert.js';
import type { FormatParser } from './format.js';
import { cef } from './formats/cef.js';
import { dns } from './formats/dns.js';
import { hfish } from './formats/hfish.js';
import { sshd } from './formats/sshd.js';
import { suricata } from './formats/suricata.js';
import { windows } from './formats/windows.js';
import { ParseError } from './parse-error.js';
import { looksLikeSyslog } from './syslog.js';

/** Most specific first: CEF and sshd lines can carry syslog headers that other tests would accept. */
export const PARSERS: readonly FormatParser[] = [suricata, windows, hfish, cef, sshd, dns];
export const PARSER_BY_FORMAT = new Map<AlertFormat, FormatParser>(PARSERS.map((p) => [p.format, p]));

export interface Candidate {
  text: string;
  json: unknown;
}

/** How deep a device record's JSON may nest: real ones stay under a dozen levels; deeper is an attack on the parser. */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of JSON text, counted without parsing it (strings and escapes skipped). */
export function jsonDepth(text: string, from = 0): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function parseJson(text: string): unknown {
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) throw new ParseError(`the record nests ${depth} levels deep; at most ${MAX_JSON_DEPTH} are read`);
  return JSON.parse(text) as unknown;
}

export function readRecord(text: string): Candidate {
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      return { text: t, json: parseJson(t) };
    } catch (e) {
      if (e instanceof ParseError) throw e;
      throw new ParseError(`not valid JSON: ${(e as Error).message}`);
    }
  }
  // JSON sent over syslog (Suricata's eve-log to syslog, many appliances): the message is the record
  const brace = t.indexOf(': {');
  if (brace > 0 && looksLikeSyslog(t)) {
    try {
      return { text: t, json: parseJson(t.slice(brace + 2)) };
    } catch (e) {
      if (e instanceof ParseError) throw e;
      /* not JSON after all: a plain syslog line */
    }
  }
  return { text: t, json: undefined };
}

/**
 * The parser for a record: the forced format's, or the first whose test the content passes.
 * `mapped` are the generic-JSON mappings from configuration; they are tried first, since a
 * mapping is an explicit statement about a device.
 */
export function detectFormat(c: Candidate, forced?: AlertFormat, mapped: readonly FormatParser[] = []): FormatParser {
  if (forced === 'json') {
    const m = mapped.find((x) => x.detect(c.text, c.json));
    if (!m) throw new ParseError(mapped.length ? 'no JSON mapping of the configuration recognises this record (its "when" field)' : 'no JSON mappings are configured (jsonMappings in the configuration file)');
    return m;
  }
  if (forced) return PARSER_BY_FORMAT.get(forced)!;
  const p = mapped.find((x) => x.detect(c.text, c.json)) ?? PARSERS.find((x) => x.detect(c.text, c.json));
  if (!p) {
    throw new ParseError(
      c.json !== undefined
        ? 'JSON of no known format (Suricata EVE, Winlogbeat/NXLog Windows events, HFish, DNS JSON); name one with --format'
        : 'a line of no known format (sshd, CEF, BIND query log); name one with --format',
    );
  }
  return p;
}
