import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndicatorIndex, detectIntelFormat, parseIntel } from './indicator.js';

const dir = path.resolve(import.meta.dirname, '../../../test/fixtures/intel');
const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

describe('indicator files', () => {
  it('reads plain lists, skipping comments and naming what is not an indicator', () => {
    const text = read('driverlife-feed.txt');
    expect(detectIntelFormat(text)).toBe('plain');
    const r = parseIntel(text, 'plain');
    expect(r.indicators.map((i) => [i.type, i.value])).toEqual([['domain', 't.awcna.com'], ['domain', 'down.ackng.com'], ['ip', '203.0.113.77']]);
    expect(r.skipped).toEqual([{ entry: 6, reason: '"not a valid indicator" is not an IP address, domain, URL or hash' }]);
  });
  it('reads CSV with its header, confidence words and numbers', () => {
    const text = read('feed.csv');
    expect(detectIntelFormat(text)).toBe('csv');
    const r = parseIntel(text, 'csv');
    expect(r.indicators).toEqual([
      { type: 'ip', value: '45.77.10.3', confidence: 85, description: 'RDP brute-force source' },
      { type: 'url', value: 'http://t.awcna.com/7p.php', confidence: 90, description: 'PowerShell stage' },
      { type: 'hash', value: '8a221672e37fd7f30d35b3466ca9f1a473f9a77c27a5a16c6392bceeccafea6f', confidence: null, description: 'miner' },
    ]);
    expect(r.skipped).toHaveLength(1);
  });
  it('reads STIX 2.1 bundles: every simple comparison of a pattern; other pattern languages are skipped with the reason', () => {
    const text = read('bundle.stix.json');
    expect(detectIntelFormat(text)).toBe('stix');
    const r = parseIntel(text, 'stix');
    expect(r.indicators.map((i) => [i.type, i.value, i.confidence])).toEqual([
      ['domain', 'awcna.com', 80],
      ['ip', '198.51.100.200', 80],
      ['hash', '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', null],
    ]);
    expect(r.skipped).toEqual([{ entry: 4, reason: 'pattern_type "yara" is not stix' }]);
  });
  it('reads MISP events: to_ids attributes and object attributes, composite types split', () => {
    const text = read('misp-event.json');
    expect(detectIntelFormat(text)).toBe('misp');
    const r = parseIntel(text, 'misp');
    expect(r.indicators.map((i) => [i.type, i.value, i.confidence])).toEqual([
      ['domain', 'down.ackng.com', 90],
      ['ip', '203.0.113.78', 90],
      ['hash', '090436b0679559cb2d5e863ad9c9135613f38d77', 90],
    ]);
  });
  it('refuses files that are not what they claim', () => {
    expect(() => parseIntel('{"type": "x"}', 'stix')).toThrow('"type": "bundle"');
    expect(() => parseIntel('{"a": 1}', 'misp')).toThrow('"Event"');
    expect(() => parseIntel('{oops', 'stix')).toThrow('not valid JSON');
  });
});

describe('the indicator index', () => {
  it('matches IPs, domains with their subdomains, URLs and hashes; the most confident feed wins', () => {
    const index = new IndicatorIndex();
    index.add('domain', 'awcna.com', 'cert', 80);
    index.add('domain', 'awcna.com', 'weak-feed', 10);
    index.add('ip', '203.0.113.77', 'own', null);
    expect(index.match({ domains: ['t.awcna.com'] })).toEqual({ type: 'domain', value: 'awcna.com', source: 'cert', confidence: 80 });
    expect(index.match({ domains: ['awcna.com.evil.example'] })).toBeUndefined();
    expect(index.match({ ips: [undefined, '203.0.113.77'] })).toMatchObject({ source: 'own', confidence: null });
    expect(index.match({ ips: ['203.0.113.78'] })).toBeUndefined();
  });
  it('holds a million indicators and still answers each lookup from a hash map', () => {
    const index = new IndicatorIndex();
    for (let i = 0; i < 1_000_000; i++) index.add('domain', `d${i}.example.com`, `feed${i % 7}`, i % 100);
    expect(index.size).toBe(1_000_000);
    expect(index.match({ domains: ['x.d999999.example.com'] })).toMatchObject({ value: 'd999999.example.com', source: 'feed0', confidence: 99 });
    expect(index.match({ domains: ['nothing.example.org'] })).toBeUndefined();
  });
});
