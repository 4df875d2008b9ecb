/**
 * The quarter view of periodic work (issue 15): per org unit, the occurrences of recurring work
 * scheduled in the quarter — done on time, done late, skipped, overdue (still not done past their
 * due date), not yet due — and the findings opened and closed in it, those overdue at its end (or
 * now, for the quarter under way), and the mean days to fix by severity of those closed. Pure.
 */
import { SEVERITIES, type Severity } from '../findings/scan.js';

export interface QuarterOccurrence {
  orgUnit: string;
  scheduledAt: string;
  dueAt: string;
  status: string;
  doneAt: string | null;
}

export interface QuarterFinding {
  orgUnit: string | null;
  severity: string;
  status: string;
  firstSeen: string;
  closedAt: string | null;
  dueAt: string | null;
}

export interface QuarterFigures {
  orgUnit: string;
  occurrences: { scheduled: number; onTime: number; late: number; skipped: number; overdue: number; notYetDue: number; onTimeRate: number | null };
  findings: { opened: number; closed: number; openAtEnd: number; overdueAtEnd: number };
  meanDaysToFix: Record<Severity, number | null>;
}

const DAY = 86_400_000;
/** the unit findings of hosts no zone places are counted under */
export const UNPLACED = '-';

function blank(orgUnit: string): QuarterFigures {
  return {
    orgUnit,
    occurrences: { scheduled: 0, onTime: 0, late: 0, skipped: 0, overdue: 0, notYetDue: 0, onTimeRate: null },
    findings: { opened: 0, closed: 0, openAtEnd: 0, overdueAtEnd: 0 },
    meanDaysToFix: Object.fromEntries(SEVERITIES.map((s) => [s, null])) as Record<Severity, number | null>,
  };
}

/**
 * Figures for the quarter [from, to) as seen at `now`: per org unit (those given first, in their
 * order, then any other met), and the whole. `to` past `now` means the quarter is under way: what
 * is overdue is counted at `now`.
 */
export function quarterFigures(from: string, to: string, now: string, units: readonly string[], occurrences: readonly QuarterOccurrence[], findings: readonly QuarterFinding[]): { units: QuarterFigures[]; total: QuarterFigures } {
  const end = to < now ? to : now;
  const byUnit = new Map<string, QuarterFigures>(units.map((u) => [u, blank(u)]));
  const total = blank('*');
  const fixDays = new Map<QuarterFigures, Map<string, number[]>>();
  const of = (u: string | null) => {
    const key = u ?? UNPLACED;
    let f = byUnit.get(key);
    if (!f) byUnit.set(key, (f = blank(key)));
    return f;
  };
  for (const o of occurrences) {
    if (o.scheduledAt < from || o.scheduledAt >= to) continue;
    for (const f of [of(o.orgUnit), total]) {
      const c = f.occurrences;
      c.scheduled++;
      if (o.status === 'done') {
        if (o.doneAt && o.doneAt <= o.dueAt) c.onTime++;
        else c.late++;
      } else if (o.status === 'skipped') c.skipped++;
      else if (o.dueAt < end) c.overdue++;
      else c.notYetDue++;
    }
  }
  for (const x of findings) {
    const opened = x.firstSeen >= from && x.firstSeen < to;
    const closed = x.closedAt !== null && x.closedAt >= from && x.closedAt < to;
    const openAtEnd = x.firstSeen < end && (x.closedAt === null || x.closedAt >= end) && x.status !== 'accepted';
    if (!opened && !closed && !openAtEnd) continue;
    for (const f of [of(x.orgUnit), total]) {
      if (opened) f.findings.opened++;
      if (closed) {
        f.findings.closed++;
        let m = fixDays.get(f);
        if (!m) fixDays.set(f, (m = new Map()));
        m.set(x.severity, [...(m.get(x.severity) ?? []), Math.max(0, Date.parse(x.closedAt!) - Date.parse(x.firstSeen)) / DAY]);
      }
      if (openAtEnd) {
        f.findings.openAtEnd++;
        if (x.dueAt && x.dueAt < end && x.status !== 'fixed') f.findings.overdueAtEnd++;
      }
    }
  }
  for (const [f, m] of fixDays) for (const [s, days] of m) f.meanDaysToFix[s as Severity] = Math.round((days.reduce((a, b) => a + b, 0) / days.length) * 10) / 10;
  for (const f of [...byUnit.values(), total]) {
    const c = f.occurrences;
    const ended = c.onTime + c.late + c.overdue + c.skipped;
    c.onTimeRate = ended ? Math.round((c.onTime / ended) * 1000) / 10 : null;
  }
  return { units: [...byUnit.values()], total };
}
