import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA, planDeadlines, validateSlaPolicy } from './sla.js';

describe('SLA tiers and deadlines', () => {
  it('maps level 1 to the hour tier with the report due within one hour of detection', () => {
    const { tier, deadlines } = planDeadlines(DEFAULT_SLA, 1, '2019-12-01T20:57:00.000Z');
    expect(tier).toBe('hour');
    expect(deadlines.report).toBe('2019-12-01T21:57:00.000Z');
    expect(planDeadlines(DEFAULT_SLA, 2, '2019-12-01T20:57:00.000Z').tier).toBe('day');
    expect(planDeadlines(DEFAULT_SLA, 3, '2019-12-01T20:57:00.000Z').tier).toBe('week');
    expect(planDeadlines(DEFAULT_SLA, 4, '2019-12-01T20:57:00.000Z').tier).toBe('month');
  });

  it('deadlines are ordered through the phases', () => {
    const { deadlines } = planDeadlines(DEFAULT_SLA, 3, '2026-01-01T00:00:00.000Z');
    const ordered = [deadlines.discovery, deadlines.report, deadlines.analysis, deadlines.handling, deadlines.summary];
    expect([...ordered].sort()).toEqual(ordered);
  });

  it('refuses a policy naming the bad key', () => {
    expect(() => validateSlaPolicy({ ...DEFAULT_SLA, levels: { ...DEFAULT_SLA.levels, '2': 'fortnight' } })).toThrow('sla/levels/2');
    const tiers = structuredClone(DEFAULT_SLA.tiers);
    tiers.day.analysis = 1;
    expect(() => validateSlaPolicy({ ...DEFAULT_SLA, tiers })).toThrow('sla/tiers/day/analysis');
    expect(validateSlaPolicy(structuredClone(DEFAULT_SLA))).toEqual(DEFAULT_SLA);
  });
});
