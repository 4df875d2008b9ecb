/**
 * A finding's life (issue 15): found by a scan or a check, worked to closure — open → fixing →
 * fixed → verified (by a later scan that no longer finds it, or by a person) — or accepted as a
 * risk with a reason until an expiry. A later scan of the same host closes what it no longer finds
 * and reopens what comes back. Due dates follow severity. Pure.
 */
import { validationError } from '../errors.js';
import type { Severity } from './scan.js';

export const FINDING_STATUSES = ['open', 'fixing', 'fixed', 'verified', 'accepted'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];
/** statuses still to be worked (counted as open, can be overdue) */
export const OPEN_STATUSES: readonly FindingStatus[] = ['open', 'fixing'];

/** days to fix by severity (none for info): a common policy (critical within a week, high a month…) */
export const DUE_DAYS: Record<Severity, number | null> = { critical: 7, high: 30, medium: 90, low: 180, info: null };

/** an accepted risk lasts a year at most before it is looked at again */
export const ACCEPT_MAX_DAYS = 366;

export function dueAt(severity: Severity, from: Date): string | null {
  const days = DUE_DAYS[severity];
  return days === null ? null : new Date(from.getTime() + days * 86_400_000).toISOString();
}

/** The moves a person may make, from → to. */
const BY_HAND: Record<FindingStatus, readonly FindingStatus[]> = {
  open: ['fixing', 'fixed', 'accepted'],
  fixing: ['open', 'fixed', 'accepted'],
  fixed: ['open', 'fixing', 'verified'],
  verified: ['open'],
  accepted: ['open'],
};

/** Where a person may move a finding from its status (the console offers these). */
export function movesFrom(status: FindingStatus): readonly FindingStatus[] {
  return BY_HAND[status];
}

/** Checks a person's move; throws naming what is allowed. An acceptance needs a reason and an expiry within ACCEPT_MAX_DAYS. */
export function checkMove(from: FindingStatus, to: FindingStatus, input: { note?: string | null; acceptedUntil?: string | null }, now: Date): void {
  if (from === to) throw validationError('status', `the finding is ${to} already`, 'sameStatus', { status: to });
  if (!BY_HAND[from].includes(to)) throw validationError('status', `a ${from} finding moves to ${BY_HAND[from].join(' or ')}, not ${to}`, 'findingMove', { from, to });
  if (to === 'accepted') {
    if (!input.note?.trim()) throw validationError('note', 'accepting a risk needs the reason', 'required');
    if (!input.acceptedUntil) throw validationError('acceptedUntil', 'accepting a risk needs the date it is looked at again', 'required');
    const until = Date.parse(input.acceptedUntil);
    if (!Number.isFinite(until) || until <= now.getTime()) throw validationError('acceptedUntil', 'must be a future date', 'future');
    if (until - now.getTime() > ACCEPT_MAX_DAYS * 86_400_000) throw validationError('acceptedUntil', `a risk is accepted for ${ACCEPT_MAX_DAYS} days at most`, 'maximum', { limit: ACCEPT_MAX_DAYS });
  }
  if ((to === 'verified' || from === 'verified') && !input.note?.trim()) throw validationError('note', `say why (${to === 'verified' ? 'how it was verified' : 'why it is open again'})`, 'required');
}

/** What a scan does to a finding it knows. */
export type ScanOutcome = 'new' | 'seen' | 'reopened' | 'closed' | 'unchanged';

/**
 * A known finding against a new scan of its host: `found` whether the scan found it again.
 * An accepted risk stays accepted while its acceptance runs (found or not); once expired it opens
 * again if found. Found after it was fixed or verified: reopened. Not found while open, being fixed
 * or fixed: verified (closed by the scan).
 */
export function afterScan(status: FindingStatus, found: boolean, acceptedUntil: string | null, now: Date): { status: FindingStatus; outcome: ScanOutcome } {
  if (status === 'accepted') {
    const running = acceptedUntil !== null && Date.parse(acceptedUntil) > now.getTime();
    if (running || !found) return { status, outcome: found ? 'seen' : 'unchanged' };
    return { status: 'open', outcome: 'reopened' };
  }
  if (found) return status === 'fixed' || status === 'verified' ? { status: 'open', outcome: 'reopened' } : { status, outcome: 'seen' };
  return status === 'verified' ? { status, outcome: 'unchanged' } : { status: 'verified', outcome: 'closed' };
}
