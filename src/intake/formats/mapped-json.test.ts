import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { detectFormat, readRecord } from '../detect.js';
import { mappedJson, validateMapping } from './mapped-json.js';

const SAFELINE = {
  name: 'safeline',
  when: { field: 'event_id' },
  timestamp: { field: 'req_start_time', format: 'epoch' },
  category: ['web'],
  id: 'event_id',
  fields: { 'source.ip': 'src_ip', 'source.port': 'src_port', 'destination.ip': 'socket_ip', 'url.domain': 'host', 'url.path': 'url_path', 'rule.id': 'req_rule_id', 'rule.name': 'reason', 'event.action': 'action', 'observer.product': 'scheme' },
};
const lines = fs.readFileSync(path.resolve(import.meta.dirname, '../../../test/fixtures/intake/safeline-waf.ndjson'), 'utf8').split('\n').filter(Boolean);
const ctx = { timeZone: 'Asia/Shanghai', now: new Date('2019-12-03T00:00:00Z') };

describe('generic JSON with a field mapping', () => {
  it('maps a WAF record the configuration describes, before the built-in formats', () => {
    const parser = mappedJson(validateMapping(SAFELINE, 'jsonMappings[0]'));
    const c = readRecord(lines[0]!);
    const p = detectFormat(c, undefined, [parser]);
    expect(p.format).toBe('json');
    const r = p.parse(c.text, c.json, ctx);
    expect(r).toMatchObject({
      sourceId: 'json:safeline:32be0ce3ba6c44be9ed7e1235f9eebab',
      alert: {
        '@timestamp': '2019-12-02T02:15:00.000Z',
        event: { kind: 'alert', category: ['web'], dataset: 'json.safeline', action: 'deny' },
        source: { ip: '198.51.100.7', port: 53008 },
        destination: { ip: '10.1.8.20' },
        url: { domain: 'portal.example.com', path: '/login' },
        rule: { name: 'SQL injection', id: 'm_rule/9bf31c7ff062936a96d3c8bd1f8f2ff3' },
      },
    });
    const bad = readRecord(lines[1]!);
    expect(() => p.parse(bad.text, bad.json, ctx)).toThrow('req_start_time "soon" is not a time');
    // without the mapping, the same record is of no known format
    expect(() => detectFormat(c)).toThrow('JSON of no known format');
  });

  it('is read from the configuration file, and a bad mapping stops the start naming the key', () => {
    expect(loadConfig({ BIHUAN_JSON_MAPPINGS: JSON.stringify([SAFELINE]) }).jsonMappings[0]!.name).toBe('safeline');
    expect(() => loadConfig({ BIHUAN_JSON_MAPPINGS: JSON.stringify([{ ...SAFELINE, fields: { 'source.address': 'x' } }]) })).toThrow('jsonMappings[0].fields.source.address: not a field a mapping can fill');
    expect(() => loadConfig({ BIHUAN_JSON_MAPPINGS: JSON.stringify([SAFELINE, SAFELINE]) })).toThrow('"safeline" is used twice');
  });
});
