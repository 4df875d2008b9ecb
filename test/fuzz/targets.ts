/**
 * Fuzz targets (issue 11): every intake format parser, forced and detected, and the Sigma rule
 * loader, fed inputs made three ways — arbitrary text, arbitrary JSON, and real records (the
 * fixtures) mutated: a value replaced anywhere in a JSON record, characters spliced into a line.
 * The properties: no crash (a parser throws only ParseError, the clear rejection; the rule
 * loader never throws: a bad rule is a refusal), no hang (each input within a time bound), and
 * whatever is accepted can be stored (its alert serializes).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { loadRuleText } from '../../src/domain/detection/sigma/rule.js';
import { PARSERS, detectFormat, readRecord } from '../../src/intake/detect.js';
import type { FormatParser } from '../../src/intake/format.js';
import { mappedJson, validateMapping } from '../../src/intake/formats/mapped-json.js';
import { normalizeRecords } from '../../src/intake/intake.service.js';
import { ParseError } from '../../src/intake/parse-error.js';
import { looksLikeSyslog } from '../../src/intake/syslog.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (dir: string) =>
  fs
    .readdirSync(path.join(root, dir))
    .filter((f) => !f.endsWith('.md') && !f.endsWith('.csv'))
    .flatMap((f) => fs.readFileSync(path.join(root, dir, f), 'utf8').split('\n'))
    .map((l) => l.trim())
    .filter(Boolean);

/** Real device records: every intake and DriverLife fixture line. */
export const LINES = [...read('test/fixtures/intake'), ...read('test/fixtures/driverlife')];
export const JSON_RECORDS = LINES.filter((l) => l.startsWith('{')).map((l) => {
  try {
    return JSON.parse(l) as unknown;
  } catch {
    return undefined;
  }
}).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object');
export const RULES = fs.readdirSync(path.join(root, 'rules/builtin')).filter((f) => f.endsWith('.yml')).map((f) => fs.readFileSync(path.join(root, 'rules/builtin', f), 'utf8'));

/** A generic-JSON mapping as a configuration would give it. */
const MAPPED: FormatParser = mappedJson(
  validateMapping(
    {
      name: 'safeline',
      when: { field: 'event_id' },
      timestamp: { field: 'req_start_time', format: 'epoch' },
      category: ['web'],
      id: 'event_id',
      fields: { 'source.ip': 'src_ip', 'source.port': 'src_port', 'destination.ip': 'socket_ip', 'url.domain': 'host', 'url.path': 'url_path', 'rule.id': 'req_rule_id', 'rule.name': 'reason', 'event.action': 'action' },
    },
    'jsonMappings[0]',
  ),
);
const ALL: readonly FormatParser[] = [...PARSERS, MAPPED];
const CTX = { timeZone: 'Asia/Shanghai', now: new Date('2026-11-29T00:00:00Z') };
/** an input taking longer than this is a hang */
export const TIME_BOUND_MS = 250;

function paths(v: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (v && typeof v === 'object' && at.length < 8) for (const [k, x] of Object.entries(v)) paths(x, [...at, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

function setAt(v: unknown, at: Array<string | number>, value: unknown): unknown {
  if (!at.length) return value;
  const copy = (Array.isArray(v) ? [...(v as unknown[])] : { ...(v as object) }) as Record<string | number, unknown>;
  copy[at[0]!] = setAt(copy[at[0]!], at.slice(1), value);
  return copy;
}

/** A real JSON record with up to four of its values (anywhere in it) replaced by arbitrary JSON. */
export const mutatedJson = fc
  .tuple(fc.constantFrom(...JSON_RECORDS), fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 3 })), { minLength: 1, maxLength: 4 }))
  .map(([record, edits]) => {
    let r: unknown = record;
    for (const [i, value] of edits) {
      const all = paths(r);
      r = setAt(r, all[i % all.length]!, value);
    }
    return JSON.stringify(r);
  });

/** Characters that mean something to one format or another. */
const TRICKY = fc.constantFrom('a', '1', ' ', ':', '"', '{', '}', '[', ']', '<', '>', '=', '|', '\\', '-', '.', '\u0000', '\u00e9', '中', 'T', 'Z', '+', '\n', '\t', 'CEF:0|');

/** `text` with each edit applied: at a position, cut some characters and insert others. */
function splice(text: string, edits: ReadonlyArray<readonly [number, number, string]>): string {
  let s = text;
  for (const [at, cut, insert] of edits) {
    const i = at % (s.length + 1);
    s = s.slice(0, i) + insert + s.slice(i + cut);
  }
  return s;
}

/** Texts from `real` with one to `most` edits made of `unit`s spliced in anywhere. */
const spliced = (real: readonly string[], unit: fc.Arbitrary<string>, maxCut: number, most: number) =>
  fc.tuple(fc.constantFrom(...real), fc.array(fc.tuple(fc.nat(), fc.nat({ max: maxCut }), fc.string({ maxLength: 16, unit })), { minLength: 1, maxLength: most })).map(([text, edits]) => splice(text, edits));

/** A real line with characters spliced in, cut out or replaced. */
export const mutatedLine = spliced(LINES, TRICKY, 12, 4);

export const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300, unit: 'binary' }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)));

export const anyRecord = fc.oneof({ weight: 3, arbitrary: mutatedJson }, { weight: 3, arbitrary: mutatedLine }, { weight: 2, arbitrary: anyText });

/** Fields detection and the console read as text: whatever a record says, they are text or absent. */
const TEXT_FIELDS = ['message', 'rule.name', 'rule.id', 'rule.category', 'url.domain', 'url.full', 'url.path', 'dns.question.name', 'host.name', 'user.name', 'source.ip', 'destination.ip', 'observer.product', 'observer.hostname', 'event.action', 'process.name', 'process.command_line', 'file.name'];
const NUMBER_FIELDS = ['source.port', 'destination.port', 'event.severity'];

export function checkShape(alert: Record<string, unknown>, input: string): void {
  const at = (p: string) => p.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), alert);
  if (typeof alert['@timestamp'] !== 'string' || Number.isNaN(Date.parse(alert['@timestamp']))) throw new Error(`@timestamp ${JSON.stringify(alert['@timestamp'])} is not a time, from ${JSON.stringify(input.slice(0, 300))}`);
  for (const f of TEXT_FIELDS) {
    const v = at(f);
    if (v !== undefined && typeof v !== 'string') throw new Error(`${f} is ${JSON.stringify(v)}, not text, from ${JSON.stringify(input.slice(0, 300))}`);
  }
  for (const f of NUMBER_FIELDS) {
    const v = at(f);
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new Error(`${f} is ${JSON.stringify(v)}, not a number, from ${JSON.stringify(input.slice(0, 300))}`);
  }
}

function timed<T>(what: string, input: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  if (ms > TIME_BOUND_MS) throw new Error(`${what} took ${Math.round(ms)} ms on ${JSON.stringify(input.slice(0, 300))}`);
  return out;
}

/** One record through every parser (forced) and through detection: a result, or a ParseError; nothing else. */
export function parseEveryWay(text: string): void {
  let candidate: ReturnType<typeof readRecord>;
  try {
    candidate = timed('readRecord', text, () => readRecord(text));
  } catch (e) {
    if (e instanceof ParseError) return;
    throw e;
  }
  for (const parser of [undefined, ...ALL]) {
    try {
      const result = timed(parser?.format ?? 'detected', text, () => (parser ?? detectFormat(candidate, undefined, [MAPPED])).parse(candidate.text, candidate.json, CTX));
      if ('alert' in result) {
        JSON.stringify(result.alert);
        checkShape(result.alert as unknown as Record<string, unknown>, text);
      }
    } catch (e) {
      if (e instanceof ParseError) continue;
      throw new Error(`${parser?.format ?? 'detected'} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message} on ${JSON.stringify(text.slice(0, 500))}`);
    }
  }
}

/** The whole intake pass over a batch: one outcome per record, whatever the records. */
export async function normalizeBatch(texts: string[]): Promise<void> {
  const answered = new Set<number>();
  for await (const r of normalizeRecords(texts.map((text, i) => ({ line: i + 1, text })), { timeZone: CTX.timeZone, now: CTX.now, maxRecordBytes: 64 * 1024, mapped: [MAPPED] })) {
    if (r.line < 1 || r.line > texts.length) throw new Error(`an outcome for line ${r.line} of ${texts.length}`);
    answered.add(r.line);
    if ('alert' in r && r.alert) JSON.stringify(r.alert);
  }
  // every record that is not blank and not inside Windows XML (one line may hold several <Event>s, one <Event> several lines) is answered
  let insideXml = false;
  texts.forEach((t, i) => {
    // a JSON record or a syslog line ends an <Event> left open (intake reports that one broken)
    if (/^\s*\{/.test(t) || looksLikeSyslog(t.trimStart()) || t.trimStart().startsWith('CEF:')) insideXml = false;
    const opens = /<Event[\s>]/g;
    const xml = insideXml || opens.test(t) || t.includes('</Event>') || /^\s*<(\?xml|\/?Events>)/.test(t);
    const lastOpen = Math.max(-1, ...[...t.matchAll(/<Event[\s>]/g)].map((m) => m.index));
    const lastClose = t.lastIndexOf('</Event>');
    if (lastOpen >= 0 || lastClose >= 0) insideXml = lastOpen > lastClose;
    if (!xml && t.trim() && !answered.has(i + 1)) throw new Error(`line ${i + 1} (${JSON.stringify(t.slice(0, 200))}) got no outcome`);
  });
}

/** A rule text (a real rule mutated, or anything) loads to rules and refusals, never an exception, within the bound. */
export function loadAnyRule(text: string): void {
  timed('loadRuleText', text, () => loadRuleText(text, 'fuzz.yml'));
}

const SIGMA_TRICKY = fc.constantFrom(' ', '\n', ':', '-', '|', '*', '?', '\\', '"', "'", '{', '}', '[', ']', '&', '!', 'a', '1', 'contains', 're', 'all', 'and', 'or', 'not', '(', ')', 'of', 'them', '|re', 'base64offset', 'cidr', 'windash', '%', 'near', '1 of ', 'selection', 'condition: ');

export const mutatedRule = spliced(RULES, SIGMA_TRICKY, 20, 5);
