/**
 * Detection: reads stored alerts in order (a cursor in the database, so a restart neither
 * skips nor repeats work), runs the rules in force over each, feeds the correlation rules, and
 * turns every match that names an incident type into a signal that creates or joins an
 * incident (src/domain/detection/policy.ts says how). Repeats of one pattern are counted on
 * one signal; the level only rises; suppressed patterns are counted and go no further.
 */
import type { StoredAlertInMemory } from '../intake/intake.service.js';
import { type Kysely, sql } from 'kysely';
import type { Alert } from '../domain/alert/alert.js';
import { type Actor, actorCan, actorLabel } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { instant, requiredText } from '../domain/text.js';
import { writeAudit } from '../audit/audit.repository.js';
import { type GradingTable, gradeOf } from '../domain/grading/grading.js';
import {
  type CorrelationPolicy,
  DEFAULT_POLICY,
  INCIDENT_SIGMA_LEVELS,
  type Signal,
  affectedHosts,
  familyOf,
  incidentType,
  signalKeys,
  signature,
  typeFromTags,
} from '../domain/detection/policy.js';
import type { CorrelationHit, RuleHit } from '../domain/detection/sigma/correlation.js';
import type { SigmaEvent } from '../domain/detection/sigma/event.js';
import type { CorrelationRule, SigmaRule } from '../domain/detection/sigma/rule.js';
import type { CreateIncidentInput, IncidentService, ObservableInput } from '../incident/incident.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { DB } from '../store/schema.js';
import { alertEvent } from './alert-event.js';
import { type HostEvidence, spreadOf } from '../domain/detection/spread.js';
import { requireIncident as repoRequireIncident } from '../incident/incident.repository.js';
import { type RuleLibrary, ruleKey } from './rule-library.js';
import { LIMITS } from '../runtime/limits.js';
import { partitionOf } from '../domain/detection/partition.js';

const CURSOR = 'alert_cursor';
/** alerts per run batch (one transaction files a batch's signals and moves the cursor) */
const BATCH = 2000;
/** correlation windows that ended this long before the newest event seen are closed (late events start afresh) */
const WINDOW_GRACE_MS = 60_000;
/** alerts intake handed over and detection has not run yet, at the most (more are read back from the table) */
const MAX_OFFERED = 5_000;
/** alerts remembered per signal (the count says how many in all) */
const ALERTS_PER_SIGNAL = 1000;
/**
 * Of a correlation's members that were only events (failed log-ins of a brute force), how many a
 * signal links — copied into the alerts as evidence; the rest stay events, counted on the signal
 * and searchable by its source and time. A record that matched a rule on its own is always linked.
 */
const EVENTS_PER_CORRELATION = 20;
const SYSTEM: Actor = { kind: 'system', label: 'detection' };
/** alerts a person may file onto an incident at once (the alert list's selection) */
const MANUAL_ALERTS = 500;
/** the rule title of a signal a person made from alerts (the console words rule `manual` in its language) */
const MANUAL_TITLE = 'Alerts added by hand';

export const TRIAGE_VERDICTS = ['true_positive', 'false_positive', 'ignored'] as const;
export type TriageVerdict = (typeof TRIAGE_VERDICTS)[number];

export interface DetectionRun {
  alerts: number;
  matches: number;
  signals: number;
  suppressed: number;
  incidentsCreated: string[];
  incidentsUpdated: string[];
}

/** An alert as detection runs its rules on it: from intake's hands, or read back from the table. */
type AlertInput = StoredAlertInMemory;

/** Where detection reads stored records back (alerts and lean events) and makes events evidence: intake's store. */
export interface StoredRecords {
  readStored(db: Kysely<DB>, ids: readonly number[]): Promise<Map<number, AlertInput>>;
  promoteEvents(trx: Kysely<DB>, ids: readonly number[], eventBudget: number): Promise<number[]>;
}

/** The stored records (alerts and events, one id sequence) after `after` up to `upTo`, the first `limit` ids in order. */
async function recordIds(db: Kysely<DB>, after: number, upTo: number | undefined, limit: number): Promise<number[]> {
  const ids = new Set<number>();
  for (const t of ['alerts', 'events'] as const) {
    let q = db.selectFrom(t).select('id').where('id', '>', after);
    if (upTo !== undefined) q = q.where('id', '<=', upTo);
    for (const r of await q.orderBy('id').limit(limit).execute()) ids.add(Number(r.id));
  }
  // an event made evidence is in both tables under one id: counted once
  return [...ids].sort((a, b) => a - b).slice(0, limit);
}

interface BatchContext {
  grading: GradingTable;
  suppressions: SuppressionRow[];
}

interface SuppressionRow {
  id: number;
  rule_key: string | null;
  source_ip: string | null;
  indicator: string | null;
}

/** A suppression matches on every part it names (and names at least one). */
function suppresses(r: SuppressionRow, s: Signal): boolean {
  if (r.rule_key === null && r.source_ip === null && r.indicator === null) return false;
  return (
    (r.rule_key === null || r.rule_key === s.ruleKey) &&
    (r.source_ip === null || r.source_ip === s.source?.ip || r.source_ip === s.host?.ip) &&
    (r.indicator === null || r.indicator.toLowerCase() === s.indicator?.value.toLowerCase())
  );
}

/** Signals of one pattern within a batch become one, counted (repeats cost one write, not one each). */
function mergeSignals(signals: Signal[], policy: CorrelationPolicy): Signal[] {
  const byKey = new Map<string, Signal>();
  for (const s of signals) {
    const key = signature(incidentType(policy, s), s);
    const cur = byKey.get(key);
    if (!cur) {
      byKey.set(key, { ...s, alertIds: [...s.alertIds], lastTime: s.lastTime ?? s.time });
      continue;
    }
    cur.count += s.count;
    if (cur.alertIds.length < ALERTS_PER_SIGNAL) cur.alertIds.push(...s.alertIds.slice(0, ALERTS_PER_SIGNAL - cur.alertIds.length));
    if (Date.parse(s.time) < Date.parse(cur.time)) cur.time = s.time;
    const end = s.lastTime ?? s.time;
    if (Date.parse(end) > Date.parse(cur.lastTime!)) cur.lastTime = end;
  }
  return [...byKey.values()];
}

interface StoredAlert {
  id: number;
  alert: Alert;
}

export class DetectionService {
  private queue: Promise<unknown> = Promise.resolve();
  private pending?: Promise<DetectionRun>;
  /** alerts intake just stored, by id, held until a run reaches them (bounded: beyond, the table serves) */
  private readonly offered = new Map<number, AlertInput>();
  /** the newest event time seen (epoch ms), and when windows were last closed up to it */
  private watermark = 0;
  private flushedAt = 0;
  /** the correlation windows have been rebuilt from the stored alerts (once per process and rule library) */
  private rebuilt = false;
  /** called after each run that changed incidents (live updates) */
  onChange?: (run: DetectionRun) => void;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly incidents: IncidentService,
    private readonly settings: SettingsService,
    private readonly records: StoredRecords,
    private library: RuleLibrary,
    private readonly now: () => Date,
    private readonly policy: CorrelationPolicy = DEFAULT_POLICY,
    /** PostgreSQL: lock an incident before joining it */
    private readonly lockRows = false,
  ) {}

  get rules(): RuleLibrary {
    return this.library;
  }

  /** Replaces the rules in force (correlation state starts afresh). */
  reload(library: RuleLibrary): void {
    this.library = library;
    this.rebuilt = false;
  }

  /**
   * Intake's alerts just stored, handed over so that a run need not read and parse them again.
   * Only a shortcut: a run still takes the ids in order from the table, and reads back any alert
   * not offered (another process's, one offered while too many were waiting, any after a restart).
   */
  offer(stored: readonly AlertInput[]): void {
    if (this.offered.size + stored.length > MAX_OFFERED) return;
    for (const a of stored) this.offered.set(a.id, a);
  }

  /** Whether alerts offered and not yet run fill half of what detection holds in hand: the offerer should wait for a run. */
  get behind(): boolean {
    return this.offered.size > MAX_OFFERED / 2;
  }

  /** Processes every stored alert detection has not seen yet. Runs one at a time; callers wait for their turn. */
  catchUp(): Promise<DetectionRun> {
    // a run not yet started will see every alert stored so far: share it
    if (this.pending) return this.pending;
    const run = this.queue.then(() => {
      this.pending = undefined;
      return this.runOnce();
    });
    this.pending = run;
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when no run is pending. */
  async idle(): Promise<void> {
    let q: Promise<unknown>;
    do {
      q = this.queue;
      await q;
    } while (q !== this.queue);
  }

  /**
   * Correlation windows survive a restart, a crashed worker, another node taking over: before its
   * first run, detection replays the stored alerts it had already processed within the longest
   * correlation timespan (at most LIMITS.windowReplayAlerts of them) through the rules, into the
   * windows only — what fired then was filed then, and is not filed again. The windows are then
   * what they were, and a brute force spanning the restart completes.
   */
  private async rebuildWindows(cursor: number, keep: (alert: Alert, id: number) => boolean = () => true): Promise<number> {
    const lib = this.library;
    const span = Math.max(0, ...lib.correlations.map((c) => c.timespanMs));
    if (cursor === 0 || span === 0) return 0;
    const floor = Math.max(0, cursor - LIMITS.windowReplayAlerts);
    let newest: string | undefined;
    for (const t of ['alerts', 'events'] as const) {
      const row = await this.db.selectFrom(t).select((eb) => eb.fn.max('ts').as('ts')).where('id', '>', floor).where('id', '<=', cursor).executeTakeFirst();
      if (row?.ts && (!newest || row.ts > newest)) newest = row.ts;
    }
    if (!newest) return 0;
    const from = new Date(Date.parse(newest) - span - WINDOW_GRACE_MS).toISOString();
    const ignored: DetectionRun = { alerts: 0, matches: 0, signals: 0, suppressed: 0, incidentsCreated: [], incidentsUpdated: [] };
    let replayed = 0;
    for (let after = floor; ; ) {
      const ids = await recordIds(this.db, after, cursor, BATCH);
      if (ids.length === 0) break;
      const read = await this.records.readStored(this.db, ids);
      for (const id of ids) {
        const input = read.get(id);
        if (!input || input.alert['@timestamp'] < from) continue;
        if (!keep(input.alert, id)) continue;
        this.signalsOf(input, ignored);
        this.closeEndedWindows();
        replayed++;
      }
      after = ids[ids.length - 1]!;
    }
    return replayed;
  }

  private async runOnce(): Promise<DetectionRun> {
    const run: DetectionRun = { alerts: 0, matches: 0, signals: 0, suppressed: 0, incidentsCreated: [], incidentsUpdated: [] };
    let cursor = await this.cursor(this.db);
    if (!this.rebuilt) {
      await this.rebuildWindows(cursor);
      this.rebuilt = true;
    }
    for (const id of this.offered.keys()) if (id <= cursor) this.offered.delete(id);
    for (;;) {
      // the next ids in order from the table; the alerts themselves from intake's hands where it offered them
      const ids = await recordIds(this.db, cursor, undefined, BATCH);
      if (ids.length === 0) break;
      const missing = ids.filter((id) => !this.offered.has(id));
      const read = missing.length ? await this.records.readStored(this.db, missing) : new Map<number, AlertInput>();
      const signals: Signal[] = [];
      for (const id of ids) {
        const input = this.offered.get(id) ?? read.get(id);
        this.offered.delete(id);
        if (input) signals.push(...this.signalsOf(input, run));
      }
      signals.push(...this.closeEndedWindows());
      const last = ids[ids.length - 1]!;
      // the batch's incidents and the cursor move together: no alert is filed twice, none skipped —
      // even when another runner (the CLI's ingest, a second node) moved the cursor meanwhile
      let moved: number | undefined;
      await this.file(signals, run, async (trx) => {
        const now = await this.cursor(trx, this.lockRows);
        if (now !== cursor) {
          moved = now;
          return false;
        }
        await this.setCursor(trx, last);
        return true;
      });
      if (moved !== undefined) {
        cursor = moved;
        continue;
      }
      cursor = last;
      run.alerts += ids.length;
    }
    if (run.incidentsCreated.length || run.incidentsUpdated.length) this.onChange?.(run);
    return run;
  }

  /**
   * Files a batch's signals on one transaction that first runs `mark` (which moves the batch's
   * cursor, or answers false when the batch was done already: then nothing is filed). On
   * PostgreSQL the batch first takes a lock on every incident key it touches, in one order, so
   * detection workers filing at once neither open two incidents for one key nor deadlock.
   */
  private async file(signals: Signal[], run: DetectionRun, mark: (trx: Kysely<DB>) => Promise<boolean>): Promise<boolean> {
    await this.withEndpoints(signals);
    const merged = mergeSignals(signals, this.policy);
    return this.db.transaction().execute(async (trx) => {
      if (!(await mark(trx))) return false;
      if (this.lockRows) {
        const keys = new Set<string>();
        for (const s of merged) {
          const type = incidentType(this.policy, s);
          for (const key of signalKeys(this.policy, type, s)) keys.add(`${familyOf(this.policy, type)}:${key}`);
        }
        for (const key of [...keys].sort()) await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
      }
      const ctx: BatchContext = { grading: await this.settings.grading(trx), suppressions: await this.activeSuppressions(trx) };
      for (const s of merged) await this.apply(trx, s, run, ctx);
      return true;
    });
  }

  /**
   * Scale-out: one message of a partition's alerts (bus.ts), with its stream sequence. Filed
   * once: the partition's sequence moves on the same transaction, and a message delivered again
   * (its worker died before acknowledging it) is recognised and skipped.
   */
  processPartition(partition: number, alerts: AlertInput[], seq: number): Promise<DetectionRun> {
    // one message at a time in this process (its partitions share the windows); a message whose
    // filing failed leaves windows that counted its alerts: they are rebuilt from what was
    // committed before the next message (the failed one comes again)
    const next = this.partitionQueue.then(async () => {
      if (this.partitions && !this.windowsSound) {
        this.library.resetWindows();
        await this.rebuildPartitions(this.partitions);
      }
      this.windowsSound = false;
      const run = await this.filePartition(partition, alerts, seq);
      this.windowsSound = true;
      return run;
    });
    this.partitionQueue = next.catch(() => undefined);
    return next;
  }

  private partitionQueue: Promise<unknown> = Promise.resolve();
  /** scale-out: the partitions this worker owns (set by rebuildPartitions), and whether its windows hold only committed alerts */
  private partitions?: readonly number[];
  private windowsSound = true;

  private async filePartition(partition: number, alerts: AlertInput[], seq: number): Promise<DetectionRun> {
    const run: DetectionRun = { alerts: 0, matches: 0, signals: 0, suppressed: 0, incidentsCreated: [], incidentsUpdated: [] };
    const name = `bus:p${partition}`;
    const done = Number((await this.db.selectFrom('detection_state').select('value').where('name', '=', name).executeTakeFirst())?.value ?? 0);
    if (seq <= done) return run;
    const signals: Signal[] = [];
    for (const a of alerts) signals.push(...this.signalsOf(a, run));
    signals.push(...this.closeEndedWindows());
    const last = Math.max(0, ...alerts.map((a) => a.id));
    await this.file(signals, run, async (trx) => {
      const query = trx.selectFrom('detection_state').select('value').where('name', '=', name);
      const now = Number((await (this.lockRows ? query.forUpdate() : query).executeTakeFirst())?.value ?? 0);
      if (seq <= now) return false;
      for (const [key, value] of [
        [name, seq],
        [`${name}:last`, last],
      ] as const) {
        await trx
          .insertInto('detection_state')
          .values({ name: key, value: String(value) })
          .onConflict((oc) => oc.column('name').doUpdateSet({ value: String(value) }))
          .execute();
      }
      return true;
    });
    run.alerts = alerts.length;
    if (run.incidentsCreated.length || run.incidentsUpdated.length) this.onChange?.(run);
    return run;
  }

  /** Scale-out: before the first message, the windows of these partitions from the alerts they had processed. */
  async rebuildPartitions(partitions: readonly number[]): Promise<number> {
    this.partitions = partitions;
    const rows = await this.db
      .selectFrom('detection_state')
      .select(['name', 'value'])
      .where(
        'name',
        'in',
        partitions.map((k) => `bus:p${k}:last`),
      )
      .execute();
    // each partition up to the last alert it processed (ids interleave across partitions)
    const lastOf = new Map(rows.map((r) => [Number(/^bus:p(\d+):last$/.exec(r.name)![1]), Number(r.value)]));
    const last = Math.max(0, ...lastOf.values());
    return this.rebuildWindows(last, (a, id) => id <= (lastOf.get(partitionOf(a)) ?? 0));
  }

  private async cursor(db: Kysely<DB>, lock = false): Promise<number> {
    const query = db.selectFrom('detection_state').select('value').where('name', '=', CURSOR);
    const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
    return row ? Number(row.value) : 0;
  }

  private async setCursor(db: Kysely<DB>, id: number): Promise<void> {
    await db
      .insertInto('detection_state')
      .values({ name: CURSOR, value: String(id) })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: String(id) }))
      .execute();
  }

  /**
   * Closes the correlation windows that ended well before the newest event (judging those whose
   * condition is decided at the end): without it, every group ever seen — each scanning source
   * — would be held with its events until the engine's group limit.
   */
  private closeEndedWindows(): Signal[] {
    if (this.watermark - this.flushedAt < 10_000) return [];
    this.flushedAt = this.watermark;
    const lib = this.library;
    const signals: Signal[] = [];
    for (const hit of lib.engine.flush(this.watermark - WINDOW_GRACE_MS)) {
      const type = this.typeOf(hit.rule);
      if (type && lib.engine.standalone(hit.rule)) signals.push(this.correlationSignal(hit, type));
    }
    return signals;
  }

  /** Runs the rules over one alert (and the correlations they feed); returns the signals that name an incident type. */
  private signalsOf(row: AlertInput, run: DetectionRun): Signal[] {
    const lib = this.library;
    const alert = row.alert;
    const event = alertEvent(alert, row.format, row.original, lib.fieldMapping);
    if (event.time > this.watermark && event.time <= this.now().getTime() + 86_400_000) this.watermark = event.time;
    const matched = lib.ruleSet.match(event);
    run.matches += matched.length;
    const signals: Signal[] = [];
    for (const rule of matched) {
      if (lib.engine.standalone(rule)) {
        const type = this.typeOf(rule);
        if (type) signals.push(this.alertSignal(rule, type, { id: row.id, alert }, event));
      }
      if (lib.engine.listensTo(rule)) {
        // a window keeps the alert's id and destination, not the alert (issue 12, memory): the
        // endpoints of a correlation are read back from its first alert when it fires
        const ref: MemberRef = { id: row.id, destination: alert.destination?.ip };
        for (const hit of lib.engine.feed({ rule, time: event.time, event, ref })) {
          const type = this.typeOf(hit.rule);
          if (type && lib.engine.standalone(hit.rule)) signals.push(this.correlationSignal(hit, type));
        }
      }
    }
    // a correlation window may keep the event: not every field every rule read
    event.compact();
    return signals;
  }

  /** The incident type a rule's match means, if any. */
  private typeOf(rule: SigmaRule | CorrelationRule): string | undefined {
    const declared = rule.document.incident_type;
    if (typeof declared === 'string') return declared;
    if (!rule.level || !INCIDENT_SIGMA_LEVELS.has(rule.level)) return undefined;
    const fromTags = typeFromTags(rule.tags);
    if (fromTags) return fromTags;
    const product = rule.kind === 'detection' ? rule.logsource.product : undefined;
    return product === 'windows' || product === 'linux' || product === 'macos' ? 'trojan' : 'exploitation';
  }

  private alertSignal(rule: SigmaRule, type: string, stored: StoredAlert, event: SigmaEvent): Signal {
    const a = stored.alert;
    return {
      ruleKey: ruleKey(rule),
      ruleTitle: rule.title,
      ruleTitleZh: titleZh(rule),
      ruleFile: `${rule.source.file}:${rule.source.line}`,
      ruleType: type,
      time: a['@timestamp'],
      alertIds: [stored.id],
      count: 1,
      ...endpoints(a),
      explanation: { kind: 'detection', rule: rule.title, level: rule.level, selections: rule.detection.explain(event), alert: stored.id, message: a.message ?? a.rule?.name },
    };
  }

  private correlationSignal(hit: CorrelationHit, type: string): Signal {
    const members = flatten(hit);
    const signal: Signal = {
      ruleKey: ruleKey(hit.rule),
      ruleTitle: hit.rule.title,
      ruleTitleZh: titleZh(hit.rule),
      ruleFile: `${hit.rule.source.file}:${hit.rule.source.line}`,
      ruleType: type,
      time: new Date(hit.from).toISOString(),
      alertIds: [...new Set(members.map((m) => m.id))],
      count: members.length,
      explanation: { kind: 'correlation', rule: hit.rule.title, type: hit.rule.type, group: hit.group, value: hit.value, timespan: hit.rule.timespan, condition: hit.rule.condition, from: new Date(hit.from).toISOString(), to: new Date(hit.time).toISOString() },
    };
    // its endpoints are its first alert's (alertIds[0]), read before filing; a correlation over many destinations has none
    if (members.length) this.endpointsPending.set(signal, { oneDestination: new Set(members.map((m) => m.destination)).size <= 1 });
    return signal;
  }

  /** correlation signals whose endpoints are those of their first alert, read before filing */
  private readonly endpointsPending = new WeakMap<Signal, { oneDestination: boolean }>();

  /** Gives each correlation signal the endpoints (source, destination, host…) of its first alert, read from storage. */
  private async withEndpoints(signals: readonly Signal[]): Promise<void> {
    const pending = signals.filter((s) => this.endpointsPending.has(s));
    if (!pending.length) return;
    const stored = await this.records.readStored(this.db, [...new Set(pending.map((s) => s.alertIds[0]!))]);
    for (const s of pending) {
      const { oneDestination } = this.endpointsPending.get(s)!;
      this.endpointsPending.delete(s);
      const first = stored.get(s.alertIds[0]!);
      if (!first) continue;
      const ends = endpoints(first.alert);
      if (!oneDestination) delete ends.destination;
      Object.assign(s, ends);
    }
  }

  /** Files one signal on the batch's transaction: suppressed, or onto an open incident of its family, or a new incident. */
  private async apply(trx: Kysely<DB>, s: Signal, run: DetectionRun, ctx: BatchContext): Promise<void> {
    const type = incidentType(this.policy, s);
    let entry;
    try {
      entry = gradeOf(ctx.grading, type);
    } catch {
      return; // the organisation's table has no such type: the match stays on its alert only
    }
    const suppression = ctx.suppressions.find((r) => suppresses(r, s));
    if (suppression) {
      run.suppressed++;
      await trx
        .updateTable('suppressions')
        .set((eb) => ({ hits: eb('hits', '+', s.count), last_hit_at: this.now().toISOString() }))
        .where('id', '=', suppression.id)
        .execute();
      return;
    }
    run.signals++;
    const family = familyOf(this.policy, type);
    const keys = signalKeys(this.policy, type, s);
    const sig = signature(type, s);
    const hosts = affectedHosts(type, this.policy, s);
    const time = s.time;
    const lastTime = s.lastTime ?? s.time;
    const observables: ObservableInput[] = [];
    const first = clampPast(time, this.now());
    const lastSeen = clampPast(lastTime, this.now());
    if (s.indicator) observables.push({ type: s.indicator.type === 'ip' ? 'ip' : s.indicator.type === 'url' ? 'url' : 'domain', value: s.indicator.value, firstSeen: first, lastSeen, note: s.indicator.source ? `threat intelligence: ${s.indicator.source}` : null });
    if (s.source?.ip && !s.source.internal) observables.push({ type: 'ip', value: s.source.ip, firstSeen: first, lastSeen, note: 'attacking source' });
    const assets = hosts.map((h) => ({ ip: h.ip ?? null, hostname: h.name ?? null, orgUnit: h.orgUnit ?? null, note: h.role === 'compromised' ? '失陷主机 compromised' : '受攻击主机 targeted' }));
    // a threat-intelligence hit is named by what was contacted (the C&C), not by the DNS server that answered
    const where = [s.source?.ip ?? s.host?.name, s.indicator?.value ?? s.destination?.ip ?? s.destination?.domain].filter(Boolean).join(' → ');
    const ruleZh = s.ruleTitleZh ?? s.ruleTitle;
    const timelineText = `告警 ${ruleZh}${where ? `：${where}` : ''}${s.count > 1 ? `（${s.count} 条告警）` : ''}`;
    const message = typeof s.explanation.message === 'string' ? s.explanation.message.slice(0, 200) : undefined;
    const levelReason = `规则「${ruleZh}」命中（${entry.nameZh}，${entry.level} 级）于 ${time}${where ? `，${where}` : ''}${message ? `：${message}` : ''}`;
    const levelReasonEn = `Rule "${s.ruleTitle}" matched (${entry.nameEn}, level ${entry.level}) at ${time}${where ? `, ${where}` : ''}${message ? `: ${message}` : ''}`;

    const target = await this.openIncidentFor(trx, family, keys, time);
    const existing = target ? await trx.selectFrom('detection_signals').select(['id', 'first_seen', 'last_seen', 'count', 'first_alert_id']).where('incident_id', '=', target).where('signature', '=', sig).executeTakeFirst() : undefined;
    const writeRows = async (w: Kysely<DB>, incidentId: string, at: string) => {
      let signalId: number;
      if (existing) {
        signalId = Number(existing.id);
        await w
          .updateTable('detection_signals')
          .set({
            count: Number(existing.count) + s.count,
            first_seen: earliest(existing.first_seen, time),
            last_seen: latest(existing.last_seen, lastTime),
            last_alert_id: s.alertIds[s.alertIds.length - 1] ?? null,
          })
          .where('id', '=', signalId)
          .execute();
      } else {
        const r = await w
          .insertInto('detection_signals')
          .values({
            incident_id: incidentId,
            signature: sig,
            rule_key: s.ruleKey,
            rule_title: s.ruleTitle,
            rule_file: s.ruleFile ?? null,
            type,
            level: entry.level,
            first_seen: time,
            last_seen: lastTime,
            count: s.count,
            first_alert_id: s.alertIds[0] ?? null,
            last_alert_id: s.alertIds[s.alertIds.length - 1] ?? null,
            source_ip: s.source?.ip ?? null,
            destination_ip: s.destination?.ip ?? null,
            host_ip: hosts.find((h) => h.role === 'compromised')?.ip ?? hosts.find((h) => h.role === 'compromised')?.name ?? null,
            indicator: s.indicator?.value ?? null,
            explanation: JSON.stringify(s.explanation),
            created_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        signalId = Number(r.id);
      }
      const have = existing ? Number((await w.selectFrom('signal_alerts').select((eb) => eb.fn.countAll().as('n')).where('signal_id', '=', signalId).executeTakeFirst())?.n ?? 0) : 0;
      // what the signal links is evidence: events among it are copied into the alerts (a
      // correlation's events up to a budget; a record that matched a rule on its own, always)
      const budget = s.explanation.kind === 'correlation' ? Math.max(0, EVENTS_PER_CORRELATION - have) : ALERTS_PER_SIGNAL;
      const ids = await this.records.promoteEvents(w, s.alertIds.slice(0, Math.max(0, ALERTS_PER_SIGNAL - have)), budget);
      await linkSignal(w, { signalId, alertIds: ids, family, keys, incidentId, lastSeen: lastTime });
    };
    const firstAlert = s.alertIds.length ? Math.min(...s.alertIds) : undefined;
    const outcome = await this.incidents.recordDetectionIn(trx, SYSTEM, {
      incidentId: target,
      // also when joining: the match of an earlier-stored alert names the incident (see DetectionInput.create);
      // a repeat of a signal that began with an earlier alert cannot
      firstAlertId: firstAlert !== undefined && !(existing?.first_alert_id != null && Number(existing.first_alert_id) <= firstAlert) ? firstAlert : undefined,
      create: { title: titleFor('zh', entry.nameZh, s, hosts), titleEn: titleFor('en', entry.nameEn, s, hosts), type, detectedAt: time, orgUnit: hosts[0]?.orgUnit ?? s.source?.orgUnit, description: `由检测规则自动生成。首条告警：${timelineText}` },
      type,
      grading: ctx.grading,
      levelReason,
      levelReasonEn,
      // a repeat of a known pattern only counts; a new one goes on the timeline
      timeline: existing ? undefined : { occurredAt: time, text: timelineText, data: { rule: s.ruleKey, ruleTitle: s.ruleTitle, where: where || null, count: s.count, alerts: s.alertIds.slice(0, 20), type } },
      assets,
      observables,
      write: writeRows,
    });
    if (outcome.created) run.incidentsCreated.push(outcome.incidentId);
    else if (!run.incidentsUpdated.includes(outcome.incidentId)) run.incidentsUpdated.push(outcome.incidentId);
  }

  /** The open incident of the family that shares a key with the signal and was active within the window; the oldest if several. */
  private async openIncidentFor(trx: Kysely<DB>, family: string, keys: string[], time: string): Promise<string | undefined> {
    if (keys.length === 0) return undefined;
    const rows = await trx
      .selectFrom('incident_keys')
      .innerJoin('incidents', 'incidents.id', 'incident_keys.incident_id')
      .select(['incident_keys.incident_id as id', 'incident_keys.last_seen as lastSeen', 'incidents.created_at as createdAt'])
      .where('incident_keys.family', '=', family)
      .where('incident_keys.key', 'in', keys)
      .where('incidents.phase', '!=', 'closed')
      .execute();
    const t = Date.parse(time);
    const near = rows.filter((r) => Math.abs(t - Date.parse(r.lastSeen)) <= this.policy.windowMs);
    near.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    for (const candidate of near) {
      // PostgreSQL: hold the incident, and make sure nobody closed it since the query above
      if (this.lockRows) {
        const row = await trx.selectFrom('incidents').select('phase').where('id', '=', candidate.id).forUpdate().executeTakeFirst();
        if (!row || row.phase === 'closed') continue;
      }
      return candidate.id;
    }
    return undefined;
  }

  private async activeSuppressions(db: Kysely<DB>): Promise<SuppressionRow[]> {
    const at = this.now().toISOString();
    return db
      .selectFrom('suppressions')
      .select(['id', 'rule_key', 'source_ip', 'indicator'])
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
      .execute();
  }

  /** Merges incidents by hand; their detection signals (and the keys later alerts join by) move to the target. */
  async merge(actor: Actor, targetId: string, sourceIds: string[], reason: string) {
    return this.incidents.merge(actor, targetId, sourceIds, reason, async (trx, from, to) => {
      for (const sig of await trx.selectFrom('detection_signals').selectAll().where('incident_id', '=', from).execute()) {
        const same = await trx.selectFrom('detection_signals').select(['id', 'count', 'first_seen', 'last_seen']).where('incident_id', '=', to).where('signature', '=', sig.signature).executeTakeFirst();
        if (!same) {
          await trx.updateTable('detection_signals').set({ incident_id: to }).where('id', '=', sig.id).execute();
          continue;
        }
        await trx
          .updateTable('detection_signals')
          .set({ count: Number(same.count) + Number(sig.count), first_seen: earliest(same.first_seen, sig.first_seen), last_seen: latest(same.last_seen, sig.last_seen) })
          .where('id', '=', same.id)
          .execute();
        const links = await trx.selectFrom('signal_alerts').select('alert_id').where('signal_id', '=', sig.id).execute();
        if (links.length) {
          await trx
            .insertInto('signal_alerts')
            .values(links.map((l) => ({ signal_id: Number(same.id), alert_id: Number(l.alert_id) })))
            .onConflict((oc) => oc.columns(['signal_id', 'alert_id']).doNothing())
            .execute();
        }
        await trx.deleteFrom('signal_alerts').where('signal_id', '=', sig.id).execute();
        await trx.deleteFrom('detection_signals').where('id', '=', sig.id).execute();
      }
      for (const k of await trx.selectFrom('incident_keys').selectAll().where('incident_id', '=', from).execute()) {
        await trx
          .insertInto('incident_keys')
          .values({ family: k.family, key: k.key, incident_id: to, last_seen: k.last_seen })
          .onConflict((oc) => oc.columns(['family', 'key', 'incident_id']).doNothing())
          .execute();
      }
      await trx.deleteFrom('incident_keys').where('incident_id', '=', from).execute();
    });
  }

  /**
   * Splits signals off an incident into a new one (e.g. an unrelated host that joined by its
   * branch): the new incident takes the signals, their hosts and indicators and the most
   * severe of their types; the hosts no remaining signal names leave the original.
   */
  async split(actor: Actor, incidentId: string, signalIds: number[], reasonText: string) {
    if (actor.kind === 'user' && !actorCan(actor, 'incident.merge')) throw new DomainError('forbidden', 'your role may not split incidents (needs incident.merge)', { permission: 'incident.merge' });
    const reason = requiredText('reason', reasonText, 2000);
    const ids = [...new Set(signalIds)];
    if (ids.length === 0) throw validationError('signals', 'name at least one signal to split off');
    const all = await this.db.selectFrom('detection_signals').selectAll().where('incident_id', '=', incidentId).execute();
    if (all.length === 0) await repoRequireIncident(this.db, incidentId);
    const moving = all.filter((x) => ids.includes(Number(x.id)));
    const missing = ids.filter((id) => !moving.some((m) => Number(m.id) === id));
    if (missing.length) throw validationError('signals', `signal(s) ${missing.join(', ')} are not on incident ${incidentId}`);
    if (moving.length === all.length) throw validationError('signals', 'splitting off every signal would leave the incident empty: keep at least one');
    const staying = all.filter((x) => !ids.includes(Number(x.id)));
    const worst = [...moving].sort((a, b) => a.level - b.level)[0]!;
    const hostsMoving = new Set(moving.map((m) => m.host_ip).filter((h): h is string => !!h));
    const hostsStaying = new Set(staying.map((m) => m.host_ip).filter((h): h is string => !!h));
    const original = await repoRequireIncident(this.db, incidentId);
    const grading = await this.settings.grading(this.db);
    const outcome = await this.db.transaction().execute(async (trx) => {
      const leaving = (await trx.selectFrom('affected_assets').selectAll().where('incident_id', '=', incidentId).execute()).filter((a) => (a.ip && hostsMoving.has(a.ip) && !hostsStaying.has(a.ip)) || (a.hostname && hostsMoving.has(a.hostname) && !hostsStaying.has(a.hostname)));
      const first = moving.reduce((m, x) => earliest(m, x.first_seen), moving[0]!.first_seen);
      const result = await this.incidents.recordDetectionIn(trx, actor, {
        create: { title: `${gradeOf(grading, worst.type).nameZh}：拆分自 ${incidentId} — ${worst.rule_title}`.slice(0, 200), titleEn: `${gradeOf(grading, worst.type).nameEn}: split from ${incidentId} — ${worst.rule_title}`.slice(0, 200), type: worst.type, detectedAt: first, orgUnit: original.org_unit, description: `从 ${incidentId} 拆分。原因：${reason}` },
        type: worst.type,
        levelReason: reason,
        timeline: { occurredAt: first, text: `从 ${incidentId} 拆分出 ${moving.length} 条检测信号。原因：${reason}` },
        assets: leaving.map((a) => ({ ip: a.ip, hostname: a.hostname, orgUnit: a.org_unit, businessSystem: a.business_system, note: a.note })),
        observables: [],
        write: async (w, newId, at) => {
          await w.updateTable('detection_signals').set({ incident_id: newId }).where('id', 'in', ids).execute();
          for (const m of moving) {
            const keys = [m.host_ip ? `host:${m.host_ip}` : undefined, m.indicator ? `indicator:${m.indicator.toLowerCase()}` : undefined, m.source_ip ? `source:${m.source_ip}` : undefined].filter((k): k is string => !!k);
            for (const key of keys) {
              await w
                .insertInto('incident_keys')
                .values({ family: familyOf(this.policy, m.type), key, incident_id: newId, last_seen: m.last_seen })
                .onConflict((oc) => oc.columns(['family', 'key', 'incident_id']).doNothing())
                .execute();
            }
          }
          for (const h of hostsMoving) if (!hostsStaying.has(h)) await w.deleteFrom('incident_keys').where('incident_id', '=', incidentId).where('key', '=', `host:${h}`).execute();
          if (leaving.length) await w.deleteFrom('affected_assets').where('id', 'in', leaving.map((a) => a.id)).execute();
          await w
            .insertInto('timeline_entries')
            .values({ incident_id: incidentId, occurred_at: at, recorded_at: at, source: 'system', actor: actorLabel(actor), kind: 'split', text: `拆分出 ${newId}（${moving.length} 条检测信号）。原因：${reason}`, data: JSON.stringify({ into: newId, signals: ids }) })
            .execute();
          await writeAudit(w, { actor, action: 'incident.split', entityType: 'incident', entityId: incidentId, after: { into: newId, signals: ids, hosts: leaving.map((a) => a.ip ?? a.hostname), reason }, at });
        },
      });
      return result;
    });
    return this.incidents.get(outcome.incidentId);
  }

  /**
   * Files alerts a person picked (on the alert list) onto an incident by hand: an open one
   * (`incidentId`) or a new one (`create`, graded from its type). The alerts become one signal
   * (rule `manual`) of the incident, their hosts its affected assets, their outside sources and
   * intelligence hits its observables, and their keys let later alerts of the same pattern join
   * it as detection would. Alerts already on the incident are skipped; if all are, nothing is done.
   */
  async fileAlertsByHand(actor: Actor, target: { incidentId: string } | { create: CreateIncidentInput }, alertIds: readonly number[], note?: string): Promise<{ incidentId: string; created: boolean; added: number }> {
    const existingId = 'incidentId' in target ? target.incidentId : undefined;
    const needs = existingId ? 'incident.update' : 'incident.create';
    if (actor.kind === 'user' && !actorCan(actor, needs)) throw new DomainError('forbidden', `your role may not ${existingId ? 'add alerts to incidents' : 'create incidents'} (needs ${needs})`, { permission: needs });
    const ids = [...new Set(alertIds)].sort((a, b) => a - b);
    if (ids.length === 0) throw validationError('alerts', 'name at least one alert');
    if (ids.length > MANUAL_ALERTS) throw validationError('alerts', `at most ${MANUAL_ALERTS} alerts at a time, got ${ids.length}`, 'maxItems', { limit: MANUAL_ALERTS });
    const reason = note?.trim() ? requiredText('note', note, 2000) : undefined;
    const stored = await this.records.readStored(this.db, ids);
    const missing = ids.filter((id) => !stored.has(id));
    if (missing.length) throw validationError('alerts', `no alert ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ' …' : ''}`, 'unknownAlerts', { ids: `${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ' …' : ''}` });
    const alerts = ids.map((id) => stored.get(id)!);
    const grading = await this.settings.grading(this.db);
    if (existingId) {
      const linked = await this.db
        .selectFrom('signal_alerts')
        .innerJoin('detection_signals', 'detection_signals.id', 'signal_alerts.signal_id')
        .select('signal_alerts.alert_id')
        .where('detection_signals.incident_id', '=', existingId)
        .where('signal_alerts.alert_id', 'in', ids)
        .execute();
      const already = new Set(linked.map((r) => Number(r.alert_id)));
      if (already.size === ids.length) throw new DomainError('conflict', `every alert named is on incident ${existingId} already`, { reason: 'alertsOnIncident', id: existingId });
      for (let i = alerts.length - 1; i >= 0; i--) if (already.has(alerts[i]!.id)) alerts.splice(i, 1);
    }
    const type = existingId ? (await repoRequireIncident(this.db, existingId)).type : (target as { create: CreateIncidentInput }).create.type;
    const times = alerts.map((a) => a.alert['@timestamp']).sort();
    const first = clampPast(times[0]!, this.now());
    const last = clampPast(times[times.length - 1]!, this.now());
    const assets: Array<{ ip: string | null; hostname: string | null; orgUnit: string | null; note: string }> = [];
    const observables: ObservableInput[] = [];
    const keys = new Set<string>();
    // each alert's endpoints, read once: its hosts, indicators and keys, and the signal's own endpoints below
    const ends = alerts.map((a) => endpoints(a.alert));
    for (const [i, a] of alerts.entries()) {
      const s: Signal = { ruleKey: 'manual', ruleTitle: MANUAL_TITLE, ruleType: type, time: a.alert['@timestamp'], alertIds: [a.id], count: 1, explanation: {}, ...ends[i] };
      // a person picked these alerts: every host of ours in them is in scope (in detection's role where it names one), every outside address an indicator
      const hosts: Array<{ ip?: string; name?: string; orgUnit?: string; note: string }> = affectedHosts(type, this.policy, s).map((h) => ({ ...h, note: h.role === 'compromised' ? '失陷主机 compromised' : '受攻击主机 targeted' }));
      for (const end of [s.source, s.destination]) if (end?.internal && end.ip) hosts.push({ ip: end.ip, name: end.hostname, orgUnit: end.orgUnit, note: '告警涉及主机 in the alerts' });
      for (const h of hosts) {
        if (!assets.some((x) => (h.ip ? x.ip === h.ip : x.hostname === h.name))) assets.push({ ip: h.ip ?? null, hostname: h.name ?? null, orgUnit: h.orgUnit ?? null, note: h.note });
      }
      const seen = clampPast(a.alert['@timestamp'], this.now());
      if (s.indicator) observables.push({ type: s.indicator.type === 'ip' ? 'ip' : s.indicator.type === 'url' ? 'url' : 'domain', value: s.indicator.value, firstSeen: seen, lastSeen: seen, note: s.indicator.source ? `threat intelligence: ${s.indicator.source}` : null });
      if (s.source?.ip && !s.source.internal) observables.push({ type: 'ip', value: s.source.ip, firstSeen: seen, lastSeen: seen, note: 'source' });
      if (s.destination?.ip && !s.destination.internal) observables.push({ type: 'ip', value: s.destination.ip, firstSeen: seen, lastSeen: seen, note: 'destination' });
      if (s.destination?.domain) observables.push({ type: 'domain', value: s.destination.domain, firstSeen: seen, lastSeen: seen, note: 'destination' });
      for (const k of signalKeys(this.policy, type, s)) keys.add(k);
    }
    const one = <T>(pick: (e: ReturnType<typeof endpoints>) => T | undefined): T | null => {
      const v = pick(ends[0]!);
      return v !== undefined && ends.every((e) => pick(e) === v) ? v : null;
    };
    const text = `人工关联 ${alerts.length} 条告警${reason ? `。说明：${reason}` : ''}`;
    const outcome = await this.db.transaction().execute((trx) =>
      this.incidents.recordDetectionIn(trx, actor, {
        ...(existingId ? { incidentId: existingId } : { create: { ...(target as { create: CreateIncidentInput }).create, detectedAt: (target as { create: CreateIncidentInput }).create.detectedAt ?? first } }),
        type,
        grading,
        levelReason: `人工关联告警 ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ' …' : ''}`,
        levelReasonEn: `Alerts added by hand: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ' …' : ''}`,
        timeline: { occurredAt: first, text, source: 'manual', data: { rule: 'manual', count: alerts.length, alerts: alerts.slice(0, 20).map((a) => a.id), note: reason ?? null } },
        assets,
        observables,
        write: async (w, incidentId, at) => {
          const level = (await repoRequireIncident(w, incidentId)).level;
          const r = await w
            .insertInto('detection_signals')
            .values({
              incident_id: incidentId,
              signature: `manual:${at}:${alerts[0]!.id}`,
              rule_key: 'manual',
              rule_title: MANUAL_TITLE,
              rule_file: null,
              type,
              level,
              first_seen: first,
              last_seen: last,
              count: alerts.length,
              first_alert_id: alerts[0]!.id,
              last_alert_id: alerts[alerts.length - 1]!.id,
              source_ip: one((e) => e.source?.ip),
              destination_ip: one((e) => e.destination?.ip),
              host_ip: one((e) => e.host?.ip ?? e.host?.name),
              indicator: one((e) => e.indicator?.value),
              explanation: JSON.stringify({ kind: 'manual', by: actorLabel(actor), note: reason ?? null, alerts: alerts.length }),
              created_at: at,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          // an event (context record) picked by hand becomes evidence like a rule's match
          const linked = await this.records.promoteEvents(w, alerts.map((a) => a.id), MANUAL_ALERTS);
          await linkSignal(w, { signalId: Number(r.id), alertIds: linked, family: familyOf(this.policy, type), keys: [...keys], incidentId, lastSeen: last });
        },
      }),
    );
    return { incidentId: outcome.incidentId, created: outcome.created, added: alerts.length };
  }

  /**
   * Triage of one alert: true positive, false positive or ignored, with who, when and why. A
   * false positive or ignored alert may suppress its pattern — the rules that fired on it, from
   * its source (and indicator) — until an expiry, so it stops reopening incidents.
   */
  async triage(actor: Actor, alertId: number, input: { verdict: TriageVerdict; reason: string; suppress?: boolean; expiresAt?: string }) {
    if (actor.kind === 'user' && !actorCan(actor, 'alerts.triage')) throw new DomainError('forbidden', 'your role may not triage alerts (needs alerts.triage)', { permission: 'alerts.triage' });
    if (!TRIAGE_VERDICTS.includes(input.verdict)) throw validationError('verdict', `must be one of ${TRIAGE_VERDICTS.join(', ')}`);
    const reason = requiredText('reason', input.reason, 2000);
    const now = this.now();
    const at = now.toISOString();
    let expiresAt: string | null = null;
    if (input.suppress) {
      if (input.verdict === 'true_positive') throw validationError('suppress', 'a true positive is not suppressed');
      expiresAt = input.expiresAt ? instant('expiresAt', input.expiresAt) : new Date(now.getTime() + 30 * 86_400_000).toISOString();
      if (expiresAt <= at) throw validationError('expiresAt', 'must be in the future');
      if (Date.parse(expiresAt) - now.getTime() > 366 * 86_400_000) throw validationError('expiresAt', 'a suppression lasts a year at most; renew it when it ends');
    }
    const row = await this.db.selectFrom('alerts').select(['id', 'doc']).where('id', '=', alertId).executeTakeFirst();
    if (!row) throw notFound('alert', alertId);
    const alert = JSON.parse(row.doc) as Alert;
    return this.db.transaction().execute(async (trx) => {
      let suppression: Record<string, unknown> | undefined;
      if (input.suppress) {
        const fired = await trx
          .selectFrom('signal_alerts')
          .innerJoin('detection_signals', 'detection_signals.id', 'signal_alerts.signal_id')
          .select('detection_signals.rule_key')
          .where('signal_alerts.alert_id', '=', alertId)
          .distinct()
          .execute();
        const ruleKeys = fired.length ? fired.map((f) => f.rule_key) : [null];
        const source = alert.source?.ip ?? alert.host?.ip?.[0] ?? null;
        const indicator = alert.threat?.indicator?.value ?? null;
        if (!source && !indicator && !fired.length) throw validationError('suppress', 'this alert has no source, indicator or rule to suppress by');
        const created: number[] = [];
        for (const rule_key of ruleKeys) {
          const r = await trx
            .insertInto('suppressions')
            .values({ rule_key, source_ip: source, indicator, reason, actor: actorLabel(actor), created_at: at, expires_at: expiresAt })
            .returning('id')
            .executeTakeFirstOrThrow();
          created.push(Number(r.id));
        }
        suppression = { ids: created, ruleKeys: ruleKeys.filter(Boolean), sourceIp: source, indicator, expiresAt };
      }
      const values = { verdict: input.verdict, reason, actor: actorLabel(actor), at, expires_at: expiresAt, suppression_id: (suppression?.ids as number[] | undefined)?.[0] ?? null };
      await trx
        .insertInto('alert_triage')
        .values({ alert_id: alertId, ...values })
        .onConflict((oc) => oc.column('alert_id').doUpdateSet(values))
        .execute();
      await writeAudit(trx, { actor, action: 'alert.triage', entityType: 'alert', entityId: String(alertId), after: { ...values, suppression }, at });
      return { alertId, verdict: input.verdict, reason, actor: actorLabel(actor), at, suppression: suppression ?? null };
    });
  }

  async suppressions() {
    const rows = await this.db.selectFrom('suppressions').selectAll().orderBy('id', 'desc').limit(1000).execute();
    const at = this.now().toISOString();
    return rows.map((r) => ({
      id: Number(r.id),
      ruleKey: r.rule_key,
      sourceIp: r.source_ip,
      indicator: r.indicator,
      reason: r.reason,
      actor: r.actor,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      active: r.expires_at === null || r.expires_at > at,
      hits: Number(r.hits),
      lastHitAt: r.last_hit_at,
    }));
  }

  async removeSuppression(actor: Actor, id: number) {
    if (actor.kind === 'user' && !actorCan(actor, 'alerts.triage')) throw new DomainError('forbidden', 'your role may not lift suppressions (needs alerts.triage)', { permission: 'alerts.triage' });
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('suppressions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('suppression', id);
      await trx.deleteFrom('suppressions').where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'suppression.remove', entityType: 'suppression', entityId: String(id), before: row, at: this.now().toISOString() });
    });
  }

  /**
   * Why an incident is what it is: every signal (rule, alerts, count, first/last seen, why it
   * matched), the spread over hosts (first host, order of infection, share per branch) and the
   * level history with reasons.
   */
  async incidentDetection(incidentId: string) {
    await repoRequireIncident(this.db, incidentId);
    const signals = await this.db.selectFrom('detection_signals').selectAll().where('incident_id', '=', incidentId).orderBy('first_seen').orderBy('id').execute();
    const links = signals.length
      ? await this.db.selectFrom('signal_alerts').select(['signal_id', 'alert_id']).where('signal_id', 'in', signals.map((x) => x.id)).orderBy('alert_id').execute()
      : [];
    const alertsBySignal = new Map<number, number[]>();
    for (const l of links) {
      const list = alertsBySignal.get(Number(l.signal_id)) ?? [];
      list.push(Number(l.alert_id));
      alertsBySignal.set(Number(l.signal_id), list);
    }
    const assets = await this.db.selectFrom('affected_assets').select(['ip', 'hostname', 'org_unit']).where('incident_id', '=', incidentId).execute();
    const unitOf = new Map<string, string | null>();
    for (const a of assets) {
      if (a.ip) unitOf.set(a.ip, a.org_unit);
      if (a.hostname) unitOf.set(a.hostname.toLowerCase(), a.org_unit);
    }
    const evidence: HostEvidence[] = signals
      .filter((x) => x.host_ip)
      .map((x) => ({
        host: x.host_ip!,
        hostname: assets.find((a) => a.ip === x.host_ip)?.hostname ?? undefined,
        orgUnit: unitOf.get(x.host_ip!) ?? unitOf.get(x.host_ip!.toLowerCase()) ?? undefined,
        time: x.first_seen,
        rule: x.rule_title,
        signalId: Number(x.id),
        alertId: x.first_alert_id === null ? undefined : Number(x.first_alert_id),
      }));
    const inventory: Record<string, number> = {};
    for (const r of await this.db.selectFrom('assets').select(['org_unit', (eb) => eb.fn.countAll().as('n')]).where('org_unit', 'is not', null).groupBy('org_unit').execute()) {
      inventory[r.org_unit!] = Number(r.n);
    }
    const levels = await this.db.selectFrom('level_changes').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
    return {
      signals: signals.map((x) => ({
        id: Number(x.id),
        rule: { key: x.rule_key, title: x.rule_title, file: x.rule_file },
        type: x.type,
        level: x.level,
        firstSeen: x.first_seen,
        lastSeen: x.last_seen,
        count: Number(x.count),
        sourceIp: x.source_ip,
        destinationIp: x.destination_ip,
        host: x.host_ip,
        indicator: x.indicator,
        alertIds: alertsBySignal.get(Number(x.id)) ?? [],
        explanation: JSON.parse(x.explanation) as Record<string, unknown>,
      })),
      spread: spreadOf(evidence, inventory),
      levelHistory: levels.map((l) => ({ at: l.at, actor: l.actor, fromType: l.from_type, toType: l.to_type, fromLevel: l.from_level, toLevel: l.to_level, gradingVersion: l.grading_version, reason: l.reason })),
    };
  }
}

function endpoints(a: Alert): Pick<Signal, 'source' | 'destination' | 'host' | 'indicator' | 'deviceSignature'> {
  const out: Pick<Signal, 'source' | 'destination' | 'host' | 'indicator' | 'deviceSignature'> = {};
  // threat-intelligence hits carry no device signature of their own (their rule name is ours)
  if (!a.threat && (a.rule?.id || a.rule?.name)) out.deviceSignature = `${a.observer?.product ?? ''}:${a.rule.id ?? a.rule.name}`;
  if (a.source?.ip) out.source = { ip: a.source.ip, internal: a.source.internal, orgUnit: a.source.org_unit, hostname: a.source.asset?.hostname };
  if (a.destination?.ip || a.destination?.domain) {
    out.destination = { ip: a.destination.ip, internal: a.destination.internal, orgUnit: a.destination.org_unit, hostname: a.destination.asset?.hostname, domain: a.destination.domain };
  }
  if (a.winlog || a.observer?.type === 'host') {
    const name = a.host?.name ?? a.winlog?.computer_name;
    if (name || a.host?.ip?.[0]) out.host = { ip: a.host?.ip?.[0], name };
  }
  if (a.threat?.indicator) out.indicator = { value: a.threat.indicator.value, type: a.threat.indicator.type, source: a.threat.indicator.source };
  return out;
}

/** A signal's alerts linked to it, and the keys by which later alerts join its incident (its last sighting kept on each). */
async function linkSignal(w: Kysely<DB>, l: { signalId: number; alertIds: readonly number[]; family: string; keys: readonly string[]; incidentId: string; lastSeen: string }): Promise<void> {
  for (let i = 0; i < l.alertIds.length; i += 200) {
    await w
      .insertInto('signal_alerts')
      .values(l.alertIds.slice(i, i + 200).map((alert_id) => ({ signal_id: l.signalId, alert_id })))
      .onConflict((oc) => oc.columns(['signal_id', 'alert_id']).doNothing())
      .execute();
  }
  for (const key of l.keys) {
    await w
      .insertInto('incident_keys')
      .values({ family: l.family, key, incident_id: l.incidentId, last_seen: l.lastSeen })
      .onConflict((oc) => oc.columns(['family', 'key', 'incident_id']).doUpdateSet({ last_seen: l.lastSeen }))
      .execute();
  }
}

/** What a correlation window keeps of each alert. */
interface MemberRef {
  id: number;
  destination?: string;
}

/** The alerts under a correlation hit, through chains of correlations. */
function flatten(hit: RuleHit): MemberRef[] {
  if (hit.ref) return [hit.ref as MemberRef];
  return (hit.members ?? []).flatMap(flatten);
}

/** A rule's Chinese title: the built-in pack's `title_zh` attribute (not part of Sigma), where present. */
function titleZh(rule: { document: Record<string, unknown> }): string | undefined {
  const t = rule.document.title_zh;
  return typeof t === 'string' && t.trim() ? t.trim().slice(0, 256) : undefined;
}

/** An incident's title from its first signal, in zh-CN or English (the type name in that language). */
function titleFor(lang: 'zh' | 'en', typeName: string, s: Signal, hosts: Array<{ ip?: string; name?: string }>): string {
  const host = hosts[0]?.ip ?? hosts[0]?.name;
  // an attack from outside is named by its attacker first: that is what the analyst blocks
  const who = s.source?.ip && !s.source.internal ? [s.source.ip, host].filter(Boolean).join(' → ') : (host ?? s.source?.ip ?? '');
  const what = s.indicator ? `${lang === 'zh' ? '访问' : 'contacted'} ${s.indicator.value}` : lang === 'zh' ? (s.ruleTitleZh ?? s.ruleTitle) : s.ruleTitle;
  return (lang === 'zh' ? `${typeName}：${who} ${what}` : `${typeName}: ${who} ${what}`).slice(0, 200);
}

function clampPast(time: string, now: Date): string {
  const t = Date.parse(time);
  return Number.isNaN(t) || t > now.getTime() ? now.toISOString() : new Date(t).toISOString();
}

function earliest(a: string, b: string): string {
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

function latest(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
