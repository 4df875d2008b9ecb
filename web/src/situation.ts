/**
 * The situation both the dashboard and the wall screen show: open incidents (least SLA time
 * left first), the warning level with the branches that have not acknowledged it, and the
 * figures of /api/stats for a chosen period. Reloaded live.
 */
import { useEffect, useState } from 'react';
import { api } from './api';
import type { components } from './api-schema';
import { useLive } from './live';

/** An incident as the list API (`GET /api/incidents`) gives it: the type generated from the OpenAPI document. */
export type IncidentSummary = components['schemas']['IncidentSummary'];

export interface Stats {
  window: { from: string; to: string; fallback: boolean };
  alertsPerHour: { hours: string[]; series: Array<{ category: string; counts: number[] }> };
  topSources: Array<{ ip: string; alerts: number }>;
  openByBranch: Array<{ orgUnit: string; open: number }>;
  times: { periodDays: number; incidents: number; mttdMinutes: number | null; mttaMinutes: number | null; mttrMinutes: number | null };
}

export interface Warning {
  level: string;
  name: string;
  reason?: string;
  raisedAt?: string;
  branches: Array<{ orgUnit: string; acknowledged: unknown }>;
}

export const WARNING_COLORS: Record<string, string> = { normal: 'green', elevated: 'gold', high: 'orange', critical: 'red' };
export const WARNING_HEX: Record<string, string> = { normal: '#389e0d', elevated: '#d4b106', high: '#d46b08', critical: '#cf1322' };

/** `exercises`: drills left out of the figures (the default), included, or alone */
export function useSituation(periodDays = 30, exercises: 'exclude' | 'include' | 'only' = 'exclude') {
  const [items, setItems] = useState<IncidentSummary[]>([]);
  const [warning, setWarning] = useState<Warning>();
  const [stats, setStats] = useState<Stats>();
  const load = () => {
    void api('GET', '/api/incidents?limit=200&sort=due').then((r) => setItems(r.items.filter((i) => i.phase !== 'closed')));
    // these two routes declare open objects: read here as Warning and Stats
    void api('GET', '/api/warning').then((w) => setWarning(w as unknown as Warning));
    void api('GET', `/api/stats?periodDays=${periodDays}${exercises === 'exclude' ? '' : `&exercises=${exercises}`}`).then((x) => setStats(x as unknown as Stats));
  };
  useEffect(load, [periodDays, exercises]);
  useLive(load);
  const dueSoon = items.filter((i) => !i.overdue && i.phaseDueAt && Date.parse(i.phaseDueAt) - Date.now() < 3_600_000).length;
  return { items, warning, stats, dueSoon };
}

/** Minutes as the largest sensible unit. */
export function duration(min: number | null): string {
  if (min === null) return '—';
  if (min < 120) return `${min} min`;
  if (min < 48 * 60) return `${(min / 60).toFixed(1)} h`;
  return `${(min / 1440).toFixed(1)} d`;
}

/** Time left to a deadline as h:mm:ss (negative: overdue). */
export function countdown(dueAt: string | null, now: number): { text: string; overdue: boolean } {
  if (!dueAt) return { text: '—', overdue: false };
  const ms = Date.parse(dueAt) - now;
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const text = h >= 48 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${h}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return { text: ms < 0 ? `-${text}` : text, overdue: ms < 0 };
}

/** The current time, ticking every second (for countdowns and the wall clock). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
