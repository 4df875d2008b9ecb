/**
 * Who is told what and when: the events worth telling (a new level-1/2 incident, a level
 * raised, SLA due soon and overdue, phase changes, a report sent), notification rules that
 * match them (levels, org units, roles), quiet hours (never for level 1), the wording of a
 * message and of a digest, and the back-off between delivery attempts. Pure: no I/O.
 */
import { DateTime } from 'luxon';

export const EVENT_KINDS = ['incident_created', 'level_raised', 'phase_changed', 'report_sent', 'sla_due_soon', 'sla_overdue', 'warning_changed', 'order_issued', 'work_overdue', 'plan_started', 'countermeasure'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_NAMES: Record<EventKind, string> = {
  incident_created: '新事件',
  level_raised: '事件升级',
  phase_changed: '阶段变更',
  report_sent: '报告已报送',
  sla_due_soon: '即将超时',
  sla_overdue: '已超时',
  warning_changed: '全网预警',
  order_issued: '处置指令',
  work_overdue: '周期工作逾期',
  plan_started: '启动应急预案',
  countermeasure: '封禁变更',
};

export interface NotifyEvent {
  kind: EventKind;
  /** empty for an organisation-wide event (a warning not raised from one incident) */
  incidentId: string;
  /** 1–4, an incident's level; 0 for what has none (periodic work): every rule's level filter lets it through */
  level: number;
  typeName: string;
  title: string;
  orgUnit: string;
  /** when it happened (ISO) */
  at: string;
  /** one line saying what happened */
  text: string;
  /** also tell these addresses on e-mail channels (an emergency plan's contacts) */
  alsoTo?: string[];
  /** a block-list change, for a webhook that pushes it to a device: what changed and how */
  block?: { action: string; kind: string; value: string; list: string; status: string; expiresAt?: string };
}

export interface RuleMatch {
  events: readonly EventKind[];
  /** tell of incidents of this level or more severe (1 is the most severe) */
  maxLevel: number;
  /** only these org units (none: all) */
  orgUnits?: readonly string[] | null;
}

export function ruleMatches(rule: RuleMatch, e: NotifyEvent): boolean {
  if (!rule.events.includes(e.kind)) return false;
  if (e.level > rule.maxLevel) return false;
  if (rule.orgUnits && rule.orgUnits.length && !rule.orgUnits.includes(e.orgUnit)) return false;
  return true;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isClockTime(s: string): boolean {
  return HHMM.test(s);
}

/**
 * When quiet hours `from`–`to` (local clock times, may span midnight) hold at `now`, the end of
 * them (ISO); otherwise undefined.
 */
export function quietUntil(nowIso: string, from: string, to: string, zone: string): string | undefined {
  const now = DateTime.fromISO(nowIso, { zone: 'utc' }).setZone(zone);
  const at = (day: DateTime, hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return day.set({ hour: h!, minute: m!, second: 0, millisecond: 0 });
  };
  if (from === to) return undefined;
  const today = now.startOf('day');
  for (const start of [at(today.minus({ days: 1 }), from), at(today, from)]) {
    let end = at(start.startOf('day'), to);
    if (end <= start) end = end.plus({ days: 1 });
    if (now >= start && now < end) return end.toUTC().toISO()!;
  }
  return undefined;
}

/** Wait before attempt n+1 after n failures: 5 s, 10 s, 20 s … at most an hour. */
export function backoffMs(failures: number): number {
  return Math.min(3_600_000, 5_000 * 2 ** Math.max(0, failures - 1));
}

export const MAX_ATTEMPTS = 8;

export function levelTag(level: number): string {
  return level >= 1 ? `【${level} 级】` : '';
}

/** One event as a message: a subject line and a Markdown body. */
export function messageOf(e: NotifyEvent, zone: string): { subject: string; body: string } {
  const when = DateTime.fromISO(e.at, { zone: 'utc' }).setZone(zone).toFormat('yyyy-MM-dd HH:mm');
  const subject = `${levelTag(e.level)}${EVENT_NAMES[e.kind]}：${[e.incidentId, e.title].filter(Boolean).join(' ')}`.slice(0, 200);
  const body = [
    `### ${levelTag(e.level)}${EVENT_NAMES[e.kind]}`,
    '',
    e.incidentId ? `- 事件：${e.incidentId} ${e.title}` : `- ${e.title}`,
    e.incidentId ? `- 类型：${e.typeName}（${e.level} 级）` : '',
    `- 机构：${e.orgUnit}`,
    `- 时间：${when}`,
    `- ${e.text}`,
  ]
    .filter((l, i) => i < 2 || l)
    .join('\n');
  return { subject, body };
}

/** The most severe incident level among these (0: none has one). */
export function worstLevel(levels: readonly number[]): number {
  const real = levels.filter((l) => l >= 1);
  return real.length ? Math.min(...real) : 0;
}

/** Several events gathered in a burst, as one message. */
export function digestOf(events: NotifyEvent[], zone: string): { subject: string; body: string } {
  const worst = worstLevel(events.map((e) => e.level));
  const incidents = new Set(events.map((e) => e.incidentId));
  const subject = `${levelTag(worst)}汇总：${events.length} 条通知，涉及 ${incidents.size} 个事件`;
  const lines = events.slice(0, 50).map((e) => {
    const when = DateTime.fromISO(e.at, { zone: 'utc' }).setZone(zone).toFormat('MM-dd HH:mm');
    return `- ${when} ${levelTag(e.level)}${EVENT_NAMES[e.kind]} ${e.incidentId} ${e.title}：${e.text}`;
  });
  if (events.length > 50) lines.push(`- ……另有 ${events.length - 50} 条`);
  return { subject, body: [`### ${subject}`, '', ...lines].join('\n') };
}
