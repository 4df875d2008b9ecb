/**
 * Priority tiers (小时级 / 日级 / 周级 / 月级) and per-phase deadlines. A level maps to a tier, a
 * tier gives for each working phase the time, counted from detection, by which that phase must
 * be finished. All of it is configurable.
 */
import { validationError } from '../errors.js';
import { type Level, LEVELS } from '../grading/grading.js';
import { type Phase, type WorkingPhase, WORKING_PHASES } from './phase.js';

export const TIERS = ['hour', 'day', 'week', 'month'] as const;
export type Tier = (typeof TIERS)[number];

export interface SlaPolicy {
  /** level → tier */
  levels: Record<`${Level}`, Tier>;
  /** tier → minutes from detection by which each working phase must be finished */
  tiers: Record<Tier, Record<WorkingPhase, number>>;
}

const H = 60;
const D = 24 * H;

export const DEFAULT_SLA: SlaPolicy = {
  levels: { '1': 'hour', '2': 'day', '3': 'week', '4': 'month' },
  tiers: {
    hour: { discovery: 30, report: 1 * H, analysis: 4 * H, handling: 1 * D, summary: 3 * D },
    day: { discovery: 2 * H, report: 4 * H, analysis: 1 * D, handling: 3 * D, summary: 7 * D },
    week: { discovery: 1 * D, report: 2 * D, analysis: 4 * D, handling: 7 * D, summary: 14 * D },
    month: { discovery: 3 * D, report: 5 * D, analysis: 10 * D, handling: 30 * D, summary: 45 * D },
  },
};

export type Deadlines = Record<WorkingPhase, string>;

export function tierOf(policy: SlaPolicy, level: Level): Tier {
  return policy.levels[`${level}`];
}

export function planDeadlines(policy: SlaPolicy, level: Level, detectedAt: string): { tier: Tier; deadlines: Deadlines } {
  const tier = tierOf(policy, level);
  const start = Date.parse(detectedAt);
  const offsets = policy.tiers[tier];
  const deadlines = {} as Deadlines;
  for (const p of WORKING_PHASES) deadlines[p] = new Date(start + offsets[p] * 60_000).toISOString();
  return { tier, deadlines };
}

export function dueAtFor(deadlines: Deadlines, phase: Phase): string | null {
  return phase === 'closed' ? null : deadlines[phase];
}

export function validateSlaPolicy(input: unknown): SlaPolicy {
  const obj = input as Partial<SlaPolicy> | null;
  if (!obj || typeof obj !== 'object') throw validationError('sla', 'must be an object with "levels" and "tiers"');
  const levels = {} as SlaPolicy['levels'];
  for (const l of LEVELS) {
    const t = (obj.levels as Record<string, unknown> | undefined)?.[`${l}`];
    if (!(TIERS as readonly unknown[]).includes(t)) {
      throw validationError(`sla/levels/${l}`, `must be one of ${TIERS.join(', ')}, got ${JSON.stringify(t)}`);
    }
    levels[`${l}`] = t as Tier;
  }
  const tiers = {} as SlaPolicy['tiers'];
  for (const t of TIERS) {
    const row = (obj.tiers as Record<string, Record<string, unknown>> | undefined)?.[t];
    if (!row || typeof row !== 'object') throw validationError(`sla/tiers/${t}`, 'missing: every tier needs a deadline per working phase');
    const out = {} as Record<WorkingPhase, number>;
    let prev = 0;
    for (const p of WORKING_PHASES) {
      const m = row[p];
      if (typeof m !== 'number' || !Number.isInteger(m) || m <= 0 || m > 366 * D) {
        throw validationError(`sla/tiers/${t}/${p}`, `minutes from detection: a whole number between 1 and ${366 * D}, got ${JSON.stringify(m)}`);
      }
      if (m < prev) throw validationError(`sla/tiers/${t}/${p}`, `deadline (${m} min) is earlier than the previous phase's (${prev} min)`);
      prev = m;
      out[p] = m;
    }
    tiers[t] = out;
  }
  return { levels, tiers };
}
