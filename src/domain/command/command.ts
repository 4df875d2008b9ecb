/**
 * The command group's reach, as rules: the organisation-wide warning level (全网预警) —
 * normal, elevated, high, critical — where lowering needs a reason; the rule that raises it by
 * itself (a level-1 incident spreading over hosts); and the states of a host in an order to a
 * branch (found, isolated, cleaned, rebuilt), done when cleaned or rebuilt. Pure: no I/O.
 */

export const WARNING_LEVELS = ['normal', 'elevated', 'high', 'critical'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

export const WARNING_NAMES: Record<WarningLevel, string> = { normal: '正常', elevated: '关注', high: '高危', critical: '紧急' };

export function warningRank(l: WarningLevel): number {
  return WARNING_LEVELS.indexOf(l);
}

/** The automatic rule: an open level-1 incident over this many hosts raises the warning to `high`. */
export const SPREAD_HOSTS = 5;
export const SPREAD_WARNING: WarningLevel = 'high';

export function spreadWarrants(incident: { level: number; phase: string; hosts: number }, current: WarningLevel): boolean {
  return incident.level === 1 && incident.phase !== 'closed' && incident.hosts >= SPREAD_HOSTS && warningRank(current) < warningRank(SPREAD_WARNING);
}

export const HOST_STATES = ['pending', 'found', 'isolated', 'cleaned', 'rebuilt'] as const;
export type HostState = (typeof HOST_STATES)[number];

export const HOST_STATE_NAMES: Record<HostState, string> = { pending: '待排查', found: '已找到', isolated: '已隔离', cleaned: '已清除', rebuilt: '已重装' };

export function hostDone(s: HostState): boolean {
  return s === 'cleaned' || s === 'rebuilt';
}
