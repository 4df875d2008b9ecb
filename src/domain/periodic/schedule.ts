/**
 * Recurring work (issue 15, 周期性任务): what kinds of work recur (vulnerability scans, baseline
 * checks, security updates, plan reviews, drills), when — an iCalendar RRULE (RFC 5545) read by the
 * `rrule` library, its first occurrence a wall-clock time in the organisation's zone — and how an
 * occurrence ends (done with a result, or skipped with a reason). Pure: no I/O.
 */
import rrulePkg from 'rrule';
import { DateTime } from 'luxon';
import { validationError } from '../errors.js';

const { RRule } = rrulePkg;

export const WORK_KINDS = ['vulnerability_scan', 'baseline_check', 'security_update', 'plan_review', 'drill', 'other'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

export const OCCURRENCE_STATUSES = ['pending', 'done', 'skipped'] as const;
export type OccurrenceStatus = (typeof OCCURRENCE_STATUSES)[number];

/** what a done occurrence found: all well, issues to follow (findings), or it failed (the work could not be done as planned) */
export const OCCURRENCE_RESULTS = ['passed', 'issues', 'failed'] as const;
export type OccurrenceResult = (typeof OCCURRENCE_RESULTS)[number];

/** how far ahead occurrences are laid out (the coming month shows on the list) */
export const HORIZON_DAYS = 31;
/** how far back a new schedule lays out occurrences it missed (one quarter) */
export const BACKFILL_DAYS = 92;
/** at most this many occurrences laid out per schedule and pass (a daily rule over a quarter and a month is 123) */
export const MAX_PER_PASS = 200;

const FREQ_ALLOWED = new Set([RRule.YEARLY, RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY]);
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

export interface Schedule {
  /** the RRULE as given, normalised (no DTSTART: that is `start`) */
  rrule: string;
  /** the first occurrence, a wall-clock time in the zone, yyyy-MM-ddTHH:mm */
  start: string;
}

/**
 * Reads a schedule: `rule` is an RRULE (with or without the `RRULE:` prefix, e.g.
 * `FREQ=MONTHLY;BYMONTHDAY=1`), `start` the local wall-clock time of the first occurrence. Work
 * recurs at most daily; a rule that never ends is fine, one with COUNT/UNTIL ends.
 */
export function parseSchedule(rule: string, start: string): Schedule {
  const text = rule.trim().replace(/^RRULE:/i, '');
  if (!text) throw validationError('rrule', 'is required: an iCalendar RRULE such as FREQ=MONTHLY;BYMONTHDAY=1', 'required');
  if (/DTSTART|\n/i.test(text)) throw validationError('rrule', 'give the rule alone (FREQ=…;…); the first occurrence goes in start', 'rruleOnly');
  if (!LOCAL.test(start) || !DateTime.fromISO(start, { zone: 'utc' }).isValid) throw validationError('start', `"${start.slice(0, 40)}" is not a local date and time yyyy-MM-ddTHH:mm`, 'localDateTime');
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(text);
  } catch (e) {
    throw validationError('rrule', `"${text.slice(0, 100)}" is not an RRULE: ${(e as Error).message}`, 'rrule', { rule: text.slice(0, 100) });
  }
  if (options.freq === undefined) throw validationError('rrule', 'names no FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)', 'rrule', { rule: text.slice(0, 100) });
  if (!FREQ_ALLOWED.has(options.freq)) throw validationError('rrule', 'work recurs at most daily: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY', 'rruleTooOften');
  if (options.byhour !== undefined || options.byminute !== undefined || options.bysecond !== undefined) throw validationError('rrule', 'BYHOUR/BYMINUTE/BYSECOND make work recur within a day: give the time in start', 'rruleTooOften');
  if (options.interval !== undefined && (options.interval < 1 || options.interval > 1000)) throw validationError('rrule', 'INTERVAL must be 1 to 1000', 'rrule', { rule: text.slice(0, 100) });
  // the library's own string of what it read: the rule as stored
  const normalised = RRule.optionsToString(options).replace(/^RRULE:/, '');
  try {
    new RRule({ ...options, dtstart: floating(start) }).all((_d, i) => i < 1);
  } catch (e) {
    throw validationError('rrule', `"${text.slice(0, 100)}" cannot be laid out: ${(e as Error).message}`, 'rrule', { rule: text.slice(0, 100) });
  }
  return { rrule: normalised, start };
}

/** A wall-clock time as the library works with it: the same digits in UTC ("floating" time). */
function floating(local: string): Date {
  return new Date(`${local}:00Z`);
}

/**
 * The occurrences of a schedule in [from, to] as instants: computed on wall-clock time (so 09:00
 * stays 09:00 through a daylight-saving change) and placed in the zone. At most `max`.
 */
export function occurrencesBetween(s: Schedule, zone: string, from: Date, to: Date, max = MAX_PER_PASS): Date[] {
  const rule = new RRule({ ...RRule.parseString(s.rrule), dtstart: floating(s.start) });
  // the window in floating time: a day wider on each side, then cut by the real instants
  const lo = new Date(from.getTime() - 86_400_000);
  const hi = new Date(to.getTime() + 86_400_000);
  const out: Date[] = [];
  rule.between(lo, hi, true, (d) => {
    const real = DateTime.fromObject(
      { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() },
      { zone },
    ).toJSDate();
    if (real >= from && real <= to) out.push(real);
    return out.length < max;
  });
  return out;
}

/** The next occurrence at or after `after`, if the schedule has one (within ten years). */
export function nextOccurrence(s: Schedule, zone: string, after: Date): Date | undefined {
  return occurrencesBetween(s, zone, after, new Date(after.getTime() + 3653 * 86_400_000), 1)[0];
}

/** When an occurrence is due: `dueDays` after it was scheduled. */
export function occurrenceDue(scheduledAt: Date, dueDays: number): Date {
  return new Date(scheduledAt.getTime() + dueDays * 86_400_000);
}

/** How an occurrence may end or be opened again, checked: a skip needs a reason, done needs a result. */
export function checkOccurrenceChange(input: { status: OccurrenceStatus; result?: OccurrenceResult | null; note?: string | null }): void {
  if (input.status === 'done' && !input.result) throw validationError('result', `say how it went: ${OCCURRENCE_RESULTS.join(', ')}`, 'required');
  if (input.status === 'skipped' && !input.note?.trim()) throw validationError('note', 'say why this occurrence is skipped', 'required');
  if (input.status !== 'done' && input.result) throw validationError('result', 'only a done occurrence has a result', 'resultOnlyDone');
}

/** The quarter a day falls in, and its bounds in the zone: "2026Q4" → [2026-10-01, 2027-01-01). */
export function quarterBounds(quarter: string, zone: string): { quarter: string; from: Date; to: Date; label: string } {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!m) throw validationError('quarter', `"${quarter.slice(0, 20)}" is not a quarter such as 2026Q4`, 'quarter');
  const year = Number(m[1]);
  const q = Number(m[2]);
  const start = DateTime.fromObject({ year, month: (q - 1) * 3 + 1, day: 1 }, { zone });
  return { quarter, from: start.toJSDate(), to: start.plus({ months: 3 }).toJSDate(), label: `${year} 年第 ${q} 季度` };
}

export function quarterOf(at: Date, zone: string): string {
  const d = DateTime.fromJSDate(at, { zone });
  return `${d.year}Q${Math.ceil(d.month / 3)}`;
}
