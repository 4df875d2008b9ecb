/**
 * Runs rules over files of events without storing anything: a rule author testing a rule
 * (`bihuan rules test`, POST /api/rules/test) and an analyst hunting through logs collected
 * from a host (`bihuan hunt`). Every event goes through intake's parsers (any format, detected
 * or forced), every match says which selections matched, correlations are judged at the end.
 */
import type { Alert, AlertFormat } from '../domain/alert/alert.js';
import type { RuleHit } from '../domain/detection/sigma/correlation.js';
import type { SigmaEvent } from '../domain/detection/sigma/event.js';
import { LEVELS, type RuleRefusal, type SigmaLevel } from '../domain/detection/sigma/rule.js';
import type { IntakeRecord, NormalizedRecord } from '../intake/intake.service.js';
import { alertEvent } from './alert-event.js';
import type { RuleLibrary } from './rule-library.js';

export interface EventSource {
  name: string;
  records: AsyncIterable<IntakeRecord> | Iterable<IntakeRecord>;
}

export interface RuleRef {
  title: string;
  id?: string;
  level?: string;
  file: string;
  line: number;
}

export interface RuleMatch {
  file: string;
  line: number;
  time: string;
  rule: RuleRef;
  /** the search identifiers of the condition the event satisfied */
  selections: string[];
  host?: string;
  summary: string;
}

export interface CorrelationMatch {
  rule: RuleRef;
  group: Record<string, string>;
  value: number;
  from: string;
  to: string;
  events: Array<{ file: string; line: number }>;
}

export interface RuleRunReport {
  rules: number;
  correlations: number;
  refusals: RuleRefusal[];
  events: number;
  rejected: Array<{ file: string; line: number; reason: string }>;
  matches: RuleMatch[];
  correlationMatches: CorrelationMatch[];
  /** more matches than maxMatches: the rest were counted, not listed */
  truncated: boolean;
  matchCount: number;
}

export interface RuleRunOptions {
  format?: AlertFormat;
  /** list at most this many matches (default 10,000) */
  maxMatches?: number;
  /** leave out matches of rules below this Sigma level */
  minLevel?: SigmaLevel;
  /** stop reading after this many events (the API bounds its work) */
  maxEvents?: number;
  /** zones, intelligence and inventory, as intake would apply them */
  enrich?: (alert: Alert) => Promise<Alert>;
}

type Normalize = (records: AsyncIterable<IntakeRecord> | Iterable<IntakeRecord>, format?: AlertFormat) => AsyncIterable<NormalizedRecord>;

function ref(r: { title: string; id?: string; level?: string; source: { file: string; line: number } }): RuleRef {
  return { title: r.title, id: r.id, level: r.level, file: r.source.file, line: r.source.line };
}

/** A one-line description of an event, as a hunter wants to read it. */
export function summarize(alert: Alert): string {
  const w = alert.winlog?.event_data ?? {};
  const parts = [
    alert.winlog ? `EventID ${alert.winlog.event_id}` : undefined,
    alert.rule?.name,
    w.CommandLine ?? w.Image ?? w.ImagePath ?? w.ServiceName ?? w.ScriptBlockText?.slice(0, 200),
    alert.source?.ip && alert.destination?.ip ? `${alert.source.ip} → ${alert.destination.ip}${alert.destination.port ? `:${alert.destination.port}` : ''}` : alert.source?.ip,
    alert.dns?.question.name,
    alert.user?.name ? `user ${alert.user.name}` : undefined,
  ].filter((x): x is string => !!x);
  return (parts.length ? parts.join(' | ') : (alert.message ?? '')).slice(0, 500);
}

export async function runRules(library: RuleLibrary, sources: EventSource[], normalize: Normalize, opts: RuleRunOptions = {}): Promise<RuleRunReport> {
  const maxMatches = opts.maxMatches ?? 10_000;
  const minRank = opts.minLevel ? LEVELS.indexOf(opts.minLevel) : -1;
  const report: RuleRunReport = {
    rules: library.rules.length,
    correlations: library.correlations.length,
    refusals: library.refusals,
    events: 0,
    rejected: [],
    matches: [],
    correlationMatches: [],
    truncated: false,
    matchCount: 0,
  };
  const where = new WeakMap<SigmaEvent, { file: string; line: number }>();
  const eventsOf = (hit: RuleHit): SigmaEvent[] => (hit.event ? [hit.event] : (hit.members ?? []).flatMap(eventsOf));
  const recordCorrelation = (hit: RuleHit & { group?: Record<string, string>; value?: number; from?: number }) => {
    if (hit.rule.kind !== 'correlation') return;
    report.correlationMatches.push({
      rule: ref(hit.rule),
      group: hit.group ?? {},
      value: hit.value ?? 0,
      from: new Date(hit.from ?? hit.time).toISOString(),
      to: new Date(hit.time).toISOString(),
      events: eventsOf(hit).map((e) => where.get(e)!).filter(Boolean),
    });
  };
  outer: for (const source of sources) {
    for await (const r of normalize(source.records, opts.format)) {
      if ('reason' in r) {
        if (report.rejected.length < 1000) report.rejected.push({ file: source.name, line: r.line, reason: r.reason });
        continue;
      }
      if ('skip' in r) continue;
      if (opts.maxEvents !== undefined && report.events >= opts.maxEvents) break outer;
      report.events++;
      const alert = opts.enrich ? await opts.enrich(r.alert) : r.alert;
      const event = alertEvent(alert, r.format, r.original, library.fieldMapping);
      where.set(event, { file: source.name, line: r.line });
      for (const rule of library.ruleSet.match(event)) {
        if (library.engine.listensTo(rule)) for (const hit of library.engine.feed({ rule, time: event.time, event })) recordCorrelation(hit);
        if (minRank >= 0 && LEVELS.indexOf((rule.level ?? 'informational') as SigmaLevel) < minRank) continue;
        report.matchCount++;
        if (report.matches.length >= maxMatches) {
          report.truncated = true;
          continue;
        }
        report.matches.push({
          file: source.name,
          line: r.line,
          time: alert['@timestamp'],
          rule: ref(rule),
          selections: rule.detection.explain(event),
          host: alert.host?.name ?? alert.winlog?.computer_name ?? alert.source?.ip,
          summary: summarize(alert),
        });
      }
    }
  }
  for (const hit of library.engine.flush()) recordCorrelation(hit);
  return report;
}
