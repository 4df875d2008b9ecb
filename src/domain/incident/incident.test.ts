import { describe, expect, it } from 'vitest';
import { dayInZone, formatIncidentId, normalizeObservable } from './incident.js';
import { validateGradingEntries, DEFAULT_GRADING, gradeOf } from '../grading/grading.js';

describe('incident ids', () => {
  it('are INC-<day in the organisation time zone>-<4-digit sequence>', () => {
    expect(formatIncidentId('20261125', 7)).toBe('INC-20261125-0007');
    // 2026-11-25 20:30 UTC is already the 26th in Shanghai
    expect(dayInZone(new Date('2026-11-25T20:30:00Z'), 'Asia/Shanghai')).toBe('20261126');
    expect(dayInZone(new Date('2026-11-25T20:30:00Z'), 'UTC')).toBe('20261125');
  });
});

describe('observables', () => {
  it('are validated and normalized per type', () => {
    expect(normalizeObservable('domain', 'T.AWCNA.com.')).toBe('t.awcna.com');
    expect(normalizeObservable('ip', '10.164.1.8')).toBe('10.164.1.8');
    expect(normalizeObservable('hash', 'D41D8CD98F00B204E9800998ECF8427E')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(normalizeObservable('email', 'Admin@Example.COM')).toBe('admin@example.com');
    expect(normalizeObservable('url', 'http://down.ackng.com/x.ps1')).toBe('http://down.ackng.com/x.ps1');
    expect(normalizeObservable('file_path', 'C:\\Windows\\Temp\\svchost.exe')).toBe('C:\\Windows\\Temp\\svchost.exe');
  });
  it('reject bad values with the field and the reason', () => {
    expect(() => normalizeObservable('ip', '10.164.1.300')).toThrow('value: "10.164.1.300" is not an IPv4 or IPv6 address');
    expect(() => normalizeObservable('hash', 'abc')).toThrow('MD5, SHA-1, SHA-256 or SHA-512');
    expect(() => normalizeObservable('domain', 'not a domain')).toThrow('not a domain name');
    expect(() => normalizeObservable('url', 'down.ackng.com')).toThrow('URL with a scheme');
  });
});

describe('grading table', () => {
  it('the default is the field table: 8 types, internal ones at level 1', () => {
    expect(DEFAULT_GRADING).toHaveLength(8);
    expect(gradeOf({ version: 1, entries: [...DEFAULT_GRADING] }, 'scanning').level).toBe(4);
    expect(gradeOf({ version: 1, entries: [...DEFAULT_GRADING] }, 'internal_brute_force').level).toBe(1);
    expect(() => gradeOf({ version: 1, entries: [...DEFAULT_GRADING] }, 'ddos')).toThrow('"ddos" is not an incident type of grading table version 1');
  });
  it('refuses duplicates, bad levels and bad names, naming the entry', () => {
    expect(() => validateGradingEntries([...DEFAULT_GRADING, DEFAULT_GRADING[0]!])).toThrow('entries/8/type');
    expect(() => validateGradingEntries([{ ...DEFAULT_GRADING[0]!, level: 5 as 1 }])).toThrow('entries/0/level');
    expect(() => validateGradingEntries([{ ...DEFAULT_GRADING[0]!, type: 'Bad Type' }])).toThrow('entries/0/type');
    expect(() => validateGradingEntries([])).toThrow('at least one');
  });
});
