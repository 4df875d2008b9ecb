/**
 * Emergency plans (issue 15, 应急预案): a plan covers incident types, levels and org units; it says
 * who does what (organisation and duties), its response steps (each in a phase), resources and
 * contacts; it is versioned, approved, and looked at again by a review date. When an incident
 * opens, the approved plan that covers it starts: its steps become tasks, its contacts are told.
 * When none covers it, the minimum the domain names for a team without a plan is the fallback.
 * Pure.
 */
import { DateTime } from 'luxon';
import validator from 'validator';
import { validationError } from '../errors.js';
import { WORKING_PHASES, type WorkingPhase } from '../incident/phase.js';

export const PLAN_STATUSES = ['draft', 'approved', 'retired'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export interface PlanStep {
  phase: WorkingPhase;
  title: string;
}

export interface PlanContact {
  name: string;
  role?: string | null;
  phone?: string | null;
  email?: string | null;
}

export interface PlanInput {
  title: string;
  scope?: string | null;
  incidentTypes: string[];
  levels: number[];
  orgUnits: string[];
  organisation?: string | null;
  steps: PlanStep[];
  resources?: string | null;
  contacts: PlanContact[];
  reviewDue: string;
}

/** When no plan covers an incident: the minimum a team without a plan does (domain.md), as tasks. */
export const FALLBACK_STEPS: ReadonlyArray<PlanStep & { titleEn: string }> = [
  { phase: 'discovery', title: '收集并持续监测相关事件', titleEn: 'Collect and keep monitoring the events' },
  { phase: 'discovery', title: '初步分析并确认事件', titleEn: 'Analyse first and confirm the incident' },
  { phase: 'report', title: '判断能否独立处置，必要时申请技术支援', titleEn: 'Decide whether the team can handle it alone; ask for support if not' },
  { phase: 'report', title: '及时向联系人报告', titleEn: 'Report to the contact person in time' },
  { phase: 'handling', title: '处置或协助处置', titleEn: 'Handle it, or assist in handling it' },
  { phase: 'summary', title: '详细记录处置全过程', titleEn: 'Record everything in detail' },
  { phase: 'summary', title: '编写应急处置报告', titleEn: 'Write the handling report' },
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A plan's fields checked and written the one way; `types` and `units` are those that exist. */
export function checkPlan(input: PlanInput, types: ReadonlySet<string>, units: ReadonlySet<string>): PlanInput {
  const title = input.title.trim();
  if (!title) throw validationError('title', 'is required', 'blank');
  for (const [i, t] of input.incidentTypes.entries()) if (!types.has(t)) throw validationError(`incidentTypes/${i}`, `"${t.slice(0, 63)}" is not an incident type of the grading table`, 'unknownType', { type: t.slice(0, 63) });
  for (const [i, l] of input.levels.entries()) if (![1, 2, 3, 4].includes(l)) throw validationError(`levels/${i}`, 'must be 1, 2, 3 or 4', 'enum', { values: '1, 2, 3, 4' });
  for (const [i, u] of input.orgUnits.entries()) if (!units.has(u)) throw validationError(`orgUnits/${i}`, `org unit "${u.slice(0, 32)}" does not exist`, 'unknownOrgUnit', { code: u.slice(0, 32) });
  const steps = input.steps.map((s, i) => {
    if (!(WORKING_PHASES as readonly string[]).includes(s.phase)) throw validationError(`steps/${i}/phase`, `must be one of ${WORKING_PHASES.join(', ')}`, 'enum', { values: WORKING_PHASES.join(', ') });
    const t = s.title.trim();
    if (!t) throw validationError(`steps/${i}/title`, 'is required', 'blank');
    return { phase: s.phase, title: t.slice(0, 300) };
  });
  const contacts = input.contacts.map((c, i) => {
    const name = c.name.trim();
    if (!name) throw validationError(`contacts/${i}/name`, 'is required', 'blank');
    const email = c.email?.trim() || null;
    if (email && !validator.isEmail(email)) throw validationError(`contacts/${i}/email`, `"${email.slice(0, 100)}" is not an e-mail address`, 'email');
    return { name: name.slice(0, 100), role: c.role?.trim().slice(0, 100) || null, phone: c.phone?.trim().slice(0, 50) || null, email };
  });
  if (!DAY.test(input.reviewDue) || !DateTime.fromISO(input.reviewDue).isValid) throw validationError('reviewDue', `"${input.reviewDue.slice(0, 20)}" is not a date yyyy-MM-dd`, 'date');
  return {
    title: title.slice(0, 200),
    scope: input.scope?.trim().slice(0, 20000) || null,
    incidentTypes: [...new Set(input.incidentTypes)],
    levels: [...new Set(input.levels)].sort(),
    orgUnits: [...new Set(input.orgUnits)],
    organisation: input.organisation?.trim().slice(0, 20000) || null,
    steps,
    resources: input.resources?.trim().slice(0, 20000) || null,
    contacts,
    reviewDue: input.reviewDue,
  };
}

export interface Coverage {
  incidentTypes: readonly string[];
  levels: readonly number[];
  orgUnits: readonly string[];
}

/** Whether a plan covers an incident: its type, level and org unit each listed (an empty list covers all). */
export function covers(plan: Coverage, incident: { type: string; level: number; orgUnit: string }): boolean {
  return (
    (!plan.incidentTypes.length || plan.incidentTypes.includes(incident.type)) &&
    (!plan.levels.length || plan.levels.includes(incident.level)) &&
    (!plan.orgUnits.length || plan.orgUnits.includes(incident.orgUnit))
  );
}

/** Of the plans that cover an incident, the most specific: naming its type, then its unit, then fewest levels. */
export function bestCover<P extends Coverage>(plans: readonly P[], incident: { type: string; level: number; orgUnit: string }): P | undefined {
  const score = (p: P) => (p.incidentTypes.length ? 4 : 0) + (p.orgUnits.length ? 2 : 0) + (p.levels.length ? 1 : 0);
  return plans.filter((p) => covers(p, incident)).sort((a, b) => score(b) - score(a))[0];
}

/** A review date passed (`today` yyyy-MM-dd in the organisation's zone). */
export function reviewOverdue(reviewDue: string, today: string): boolean {
  return reviewDue < today;
}
