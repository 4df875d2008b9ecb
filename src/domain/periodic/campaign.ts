/**
 * Special campaigns (issue 15, 专项行动): a password review, an endpoint sweep, a penetration test,
 * a phishing test or a drill over a scope (org units; hosts and ranges), for a period, led by a
 * person; its state from its period and closure; and a drill's review — each phase of each
 * exercise incident against its SLA deadline. Pure.
 */
import { DateTime } from 'luxon';
import { validationError } from '../errors.js';
import { parseCidr } from '../alert/network.js';
import { WORKING_PHASES, type WorkingPhase } from '../incident/phase.js';

export const CAMPAIGN_KINDS = ['password_review', 'endpoint_sweep', 'penetration_test', 'phishing_test', 'drill', 'other'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];
export const CAMPAIGN_STATES = ['planned', 'running', 'ended', 'closed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export const CAMPAIGN_NAMES: Record<CampaignKind, { zh: string; en: string }> = {
  password_review: { zh: '弱口令核查', en: 'Password review' },
  endpoint_sweep: { zh: '终端全网排查', en: 'Endpoint sweep' },
  penetration_test: { zh: '渗透测试', en: 'Penetration test' },
  phishing_test: { zh: '钓鱼邮件测试', en: 'Phishing test' },
  drill: { zh: '应急演练', en: 'Drill' },
  other: { zh: '其他专项', en: 'Other campaign' },
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A period's days checked: real dates, the end not before the start, at most two years. */
export function checkPeriod(startsOn: string, endsOn: string): void {
  for (const [field, v] of [['startsOn', startsOn], ['endsOn', endsOn]] as const) {
    if (!DAY.test(v) || !DateTime.fromISO(v).isValid) throw validationError(field, `"${v.slice(0, 20)}" is not a date yyyy-MM-dd`, 'date');
  }
  if (endsOn < startsOn) throw validationError('endsOn', 'the campaign ends before it starts', 'endBeforeStart');
  if (DateTime.fromISO(endsOn).diff(DateTime.fromISO(startsOn), 'days').days > 731) throw validationError('endsOn', 'a campaign lasts two years at most', 'maximum', { limit: 731 });
}

/** The scope's hosts and ranges, checked and written the one way (CIDR math by ipaddr.js). */
export function checkScopeAssets(items: readonly string[]): string[] {
  const out: string[] = [];
  for (const [i, raw] of items.entries()) {
    const text = raw.trim();
    const [addr, bits] = parseCidr(text, `scopeAssets/${i}`);
    const full = addr.kind() === 'ipv4' ? 32 : 128;
    out.push(bits === full ? addr.toString() : `${addr.toString()}/${bits}`);
  }
  return [...new Set(out)];
}

/** Where a campaign stands on `today` (yyyy-MM-dd in the organisation's zone). */
export function campaignState(c: { startsOn: string; endsOn: string; closedAt: string | null }, today: string): CampaignState {
  if (c.closedAt) return 'closed';
  if (today < c.startsOn) return 'planned';
  if (today > c.endsOn) return 'ended';
  return 'running';
}

export interface PhaseReview {
  phase: WorkingPhase;
  deadline: string;
  /** when the incident left the phase; null: not yet */
  finishedAt: string | null;
  /** within its deadline; null: not finished and the deadline not yet past */
  met: boolean | null;
  /** minutes late (positive) or early (negative), when finished */
  minutesOver: number | null;
}

/**
 * How each working phase of an incident went against its SLA deadline: finished when a phase
 * change left it (the first time), met when that was by its deadline; a phase still open whose
 * deadline has passed is missed.
 */
export function reviewPhases(deadlines: Record<WorkingPhase, string>, changes: ReadonlyArray<{ from: string; at: string }>, now: string): PhaseReview[] {
  return WORKING_PHASES.map((phase) => {
    const deadline = deadlines[phase];
    const left = changes.filter((c) => c.from === phase).map((c) => c.at).sort()[0] ?? null;
    const met = left ? left <= deadline : deadline < now ? false : null;
    return { phase, deadline, finishedAt: left, met, minutesOver: left ? Math.round((Date.parse(left) - Date.parse(deadline)) / 60_000) : null };
  });
}
