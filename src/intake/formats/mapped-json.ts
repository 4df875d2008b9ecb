/**
 * Generic JSON with a field mapping set in configuration, for devices without a parser of
 * their own:
 *
 * ```yaml
 * jsonMappings:
 *   - name: safeline                 # stored as format json, dataset json.safeline
 *     when: { field: event_id }      # the record has this field (and, with equals, this value)
 *     timestamp: { field: req_start_time, format: epoch }   # iso (default) | epoch | a luxon format
 *     kind: alert                    # alert (default) or event
 *     category: [web]
 *     id: event_id                   # the record's own id, for duplicates
 *     fields: { source.ip: src_ip, source.port: src_port, destination.ip: upstream_addr, url.domain: host, rule.name: rule_id }
 * ```
 */
import { DateTime } from 'luxon';
import type { Alert } from '../../domain/alert/alert.js';
import { type FormatParser, jsonObject, text, num, str, zoneFor } from '../format.js';
import { ParseError } from '../parse-error.js';
import { epochTime, isoTime } from '../time.js';

export interface JsonMapping {
  name: string;
  when: { field: string; equals?: string | number | boolean };
  timestamp: { field: string; format?: string };
  kind?: 'alert' | 'event';
  category?: string[];
  id?: string;
  fields: Record<string, string>;
}

/** The ECS fields a mapping may fill, and whether each is a number. */
const TARGETS: Record<string, 'string' | 'number'> = {
  message: 'string',
  'event.action': 'string',
  'event.outcome': 'string',
  'event.severity': 'number',
  'source.ip': 'string',
  'source.port': 'number',
  'source.domain': 'string',
  'destination.ip': 'string',
  'destination.port': 'number',
  'destination.domain': 'string',
  'dns.question.name': 'string',
  'user.name': 'string',
  'host.name': 'string',
  'rule.name': 'string',
  'rule.id': 'string',
  'rule.category': 'string',
  'observer.vendor': 'string',
  'observer.product': 'string',
  'observer.type': 'string',
  'observer.hostname': 'string',
  'network.transport': 'string',
  'network.protocol': 'string',
  'url.full': 'string',
  'url.domain': 'string',
  'url.path': 'string',
  'file.path': 'string',
  'file.hash.md5': 'string',
  'file.hash.sha1': 'string',
  'file.hash.sha256': 'string',
  'process.executable': 'string',
  'process.command_line': 'string',
};

function get(record: unknown, dotted: string): unknown {
  let cur: unknown = record;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function set(target: Record<string, any>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
  cur[parts[parts.length - 1]!] = value;
}

/** Checks a mapping from configuration; throws naming the key. */
export function validateMapping(m: unknown, at: string): JsonMapping {
  const d = m as Partial<JsonMapping> | null;
  const fail = (key: string, why: string): never => {
    throw new Error(`${at}.${key}: ${why}`);
  };
  if (!d || typeof d !== 'object') fail('', 'must be a mapping');
  if (typeof d!.name !== 'string' || !/^[a-z0-9_-]{1,40}$/.test(d!.name)) fail('name', 'lower-case letters, digits, _ or -, up to 40');
  if (!d!.when || typeof d!.when.field !== 'string') fail('when.field', 'the field whose presence (or value, with equals) says a record is of this kind');
  if (!d!.timestamp || typeof d!.timestamp.field !== 'string') fail('timestamp.field', 'the field holding the time');
  if (d!.kind !== undefined && d!.kind !== 'alert' && d!.kind !== 'event') fail('kind', 'alert or event');
  if (!d!.fields || typeof d!.fields !== 'object') fail('fields', 'a map of ECS field → record field');
  for (const [target, source] of Object.entries(d!.fields!)) {
    if (!(target in TARGETS)) fail(`fields.${target}`, `not a field a mapping can fill (${Object.keys(TARGETS).join(', ')})`);
    if (typeof source !== 'string') fail(`fields.${target}`, 'must name a record field (dotted for nested)');
  }
  return { ...d, category: d!.category ?? ['network'] } as JsonMapping;
}

export function mappedJson(mapping: JsonMapping): FormatParser & { mappingName: string } {
  const whenField = mapping.when.field;
  return {
    format: 'json',
    mappingName: mapping.name,
    detect: (_text, json) => {
      if (!json || typeof json !== 'object') return false;
      const v = get(json, whenField);
      return mapping.when.equals === undefined ? v !== undefined : v === mapping.when.equals;
    },
    parse(_text, rawJson, ctx) {
      const json = jsonObject(rawJson, `a ${mapping.name} record`);
      const rawTime = get(json, mapping.timestamp.field);
      if (rawTime === undefined || rawTime === null || rawTime === '') throw new ParseError(`${mapping.timestamp.field} (the time) is missing`);
      const f = mapping.timestamp.format ?? 'iso';
      let ts: string;
      if (f === 'epoch') ts = epochTime(rawTime as string | number, mapping.timestamp.field);
      else if (f === 'iso') ts = isoTime(text(rawTime), zoneFor(ctx, { product: mapping.name }), mapping.timestamp.field);
      else {
        const dt = DateTime.fromFormat(text(rawTime), f, { zone: zoneFor(ctx, { product: mapping.name }) });
        if (!dt.isValid) throw new ParseError(`${mapping.timestamp.field} "${text(rawTime).slice(0, 60)}" does not match ${f}`);
        ts = dt.toUTC().toISO()!;
      }
      const alert: Record<string, any> = {
        '@timestamp': ts,
        event: { kind: mapping.kind ?? 'alert', category: [...(mapping.category ?? ['network'])], dataset: `json.${mapping.name}` },
        observer: {},
      };
      for (const [target, source] of Object.entries(mapping.fields)) {
        const v = get(json, source);
        const value = TARGETS[target] === 'number' ? num(v) : str(v);
        if (value !== undefined) set(alert, target, value);
      }
      const id = mapping.id ? str(get(json, mapping.id)) : undefined;
      return { alert: alert as Alert, sourceId: id ? `json:${mapping.name}:${id}` : undefined };
    },
  };
}
