/**
 * Intake: records in (any way in), normalized alerts out, every record accounted for. Records
 * are parsed one by one and written in batches, each batch on one transaction together with
 * its counters and rejects; a caller acknowledges only after `ingest` has returned, i.e. after
 * the commit. The same record twice (its own id, or else the same content) is stored once.
 */
import { hash as sha } from 'node:crypto';
import { CompiledQuery, type Insertable, type Kysely, PostgresAdapter, type Selectable, sql } from 'kysely';
import { type Alert, type AlertFormat, compact } from '../domain/alert/alert.js';
import type { IndicatorIndex } from '../domain/alert/indicator.js';
import type { DeviceClassOverride } from '../domain/alert/device-class.js';
import type { AssetIndex } from '../asset/asset.service.js';
import { type NetworkZones, ZoneMap } from '../domain/alert/network.js';
import { checkNetworkZones, readNetworkZones, writeNetworkZones } from '../settings/settings.service.js';
import type { Actor } from '../domain/account/roles.js';
import * as settingsRepo from '../settings/settings.repository.js';
import { cacheGeneration } from '../store/cache-generation.js';
import type { AlertTable, DB, EventTable } from '../store/schema.js';
import { detectFormat, readRecord } from './detect.js';
import { eventAlert } from './alert.repository.js';
import { ParseError } from './parse-error.js';
import { xmlEventRecords } from './xml-events.js';
import type { FormatParser, ParseContext } from './format.js';
import type { OrgTimeZone } from '../settings/org-time-zone.js';

export interface IntakeRecord {
  /** line (or record) number in its source, for the report */
  line: number;
  text?: string;
  /** set instead of text when the record was over the size limit */
  tooLong?: number;
  /** set instead of text when the way in already knows the record is bad (e.g. broken framing) */
  problem?: string;
  /** the address it came from (a syslog sender): a device listed by address in the time zone setting keeps its zone */
  sender?: string;
}

export interface IntakeOptions {
  /** where the records come from: http, file, stdin, syslog-udp, syslog-tcp */
  channel: string;
  /** force a format instead of detecting it per record */
  format?: AlertFormat;
  /** records per transaction: small where a sender waits for the answer, large for files */
  batchSize?: number;
}

export type NormalizedRecord =
  | { line: number; alert: Alert; format: string; sourceId?: string; original: string }
  | { line: number; skip: string; format: string }
  | { line: number; reason: string; format?: string; sample: string };

export interface RecordProblem {
  line: number;
  reason: string;
  format?: string;
}

export interface IntakeOutcome {
  accepted: number;
  /** of those accepted, how many were only context (kept lean in the events table, see ALERT_OR_EVENT) */
  events: number;
  duplicates: number;
  skipped: number;
  rejected: number;
  /** the first REPORT_LIMIT rejected records, with line and reason */
  rejects: RecordProblem[];
  /** the first REPORT_LIMIT skipped records (well-formed, but not security events) */
  skips: RecordProblem[];
}

/** Records → normalized alerts (not enriched, not stored), each with its line; or why a record was rejected or skipped. */
export async function* normalizeRecords(
  records: AsyncIterable<IntakeRecord> | Iterable<IntakeRecord>,
  opts: { format?: AlertFormat; timeZone: string; zoneOf?: ParseContext['zoneOf']; now: Date; maxRecordBytes: number; mapped: readonly FormatParser[]; deviceClasses?: readonly DeviceClassOverride[] },
): AsyncGenerator<NormalizedRecord> {
  const ctx: ParseContext = { timeZone: opts.timeZone, zoneOf: opts.zoneOf, now: opts.now, deviceClasses: opts.deviceClasses };
  // a record from a known sender address is read with its address beside what the record names
  const bySender = new Map<string, ParseContext>();
  const contextOf = (sender: string | undefined): ParseContext => {
    const zoneOf = opts.zoneOf;
    if (!sender || !zoneOf) return ctx;
    let c = bySender.get(sender);
    if (!c) {
      if (bySender.size > 1000) bySender.clear();
      c = { ...ctx, zoneOf: (who) => zoneOf({ ...who, address: sender }) };
      bySender.set(sender, c);
    }
    return c;
  };
  for await (const r of xmlEventRecords(records, opts.maxRecordBytes)) {
    if (r.text === undefined || r.tooLong !== undefined || r.problem !== undefined) {
      yield { line: r.line, reason: r.problem ?? `the record is ${r.tooLong ?? '?'} bytes, over the limit of ${opts.maxRecordBytes}`, sample: '' };
      continue;
    }
    if (r.text.trim() === '') continue;
    // NUL cannot be stored in PostgreSQL text (nor shown anywhere useful): it becomes U+FFFD
    if (r.text.includes('\u0000')) r.text = r.text.replaceAll('\u0000', '\uFFFD');
    let format: string | undefined;
    try {
      if (Buffer.byteLength(r.text) > opts.maxRecordBytes) throw new ParseError(`the record is ${Buffer.byteLength(r.text)} bytes, over the limit of ${opts.maxRecordBytes}`);
      const candidate = readRecord(r.text);
      const parser = detectFormat(candidate, opts.format, opts.mapped);
      format = parser.format;
      const result = parser.parse(candidate.text, candidate.json, contextOf(r.sender));
      if ('skip' in result) yield { line: r.line, skip: result.skip, format };
      else yield { line: r.line, alert: compact(result.alert), format: parser.format, sourceId: result.sourceId, original: r.text };
    } catch (e) {
      // a record no parser can read is one rejected record, never a failed batch: whatever it throws
      // (a device's odd layout → TypeError, a record too deep or too large for the parser → RangeError)
      const reason =
        e instanceof ParseError ? e.message : e instanceof RangeError ? `the record is too deeply nested or too large to read (${format ?? 'record'})` : `malformed ${format ?? 'record'}: ${(e as Error).message ?? String(e)}`;
      yield { line: r.line, reason, format, sample: r.text.slice(0, 500) };
    }
  }
}

const REPORT_LIMIT = 1000;
const KEEP_REJECTS = 10_000;

/**
 * Events are not alerts: a record a device calls an alert (`event.kind` alert), or that matched a
 * threat indicator, is stored in full in `alerts`; any other record — a log-in, a DNS answer, a
 * Windows event — is context, kept lean in `events` (the record and the fields a search filters
 * on). Detection sees both; an event that becomes evidence on an incident is copied into `alerts`
 * (`promoteEvents`).
 */
export function isEvent(row: Pick<Insertable<AlertTable>, 'kind'>): boolean {
  return row.kind !== 'alert';
}

/** An alert just stored, as intake holds it in memory. */
export interface StoredAlertInMemory {
  id: number;
  format: string;
  alert: Alert;
  original: string;
}

export class IntakeService {
  private zones?: ZoneMap;
  /**
   * Told after each committed batch that stored new alerts, with those alerts as stored (id,
   * format, the enriched alert, the original record): detection runs its rules on them without
   * reading them back; the table stays the record it recovers from.
   */
  onCommitted?: (stored: StoredAlertInMemory[]) => void | Promise<void>;
  /**
   * Scale-out: `record` runs on each batch's transaction with the alerts it stored (the outbox
   * row), `publish` after the commit (to the bus) and is awaited before intake answers.
   */
  outbox?: { record(trx: Kysely<DB>, stored: StoredAlertInMemory[]): Promise<number>; publish(stored: StoredAlertInMemory[], row: number): Promise<void> };

  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    /** the organisation's zone and per-source overrides (the settings'), read again when they change */
    private readonly timeZones: OrgTimeZone,
    readonly maxRecordBytes: number,
    /** the threat-indicator index every alert is matched against */
    private readonly indicators: () => Promise<IndicatorIndex>,
    /** the asset inventory every address is looked up in */
    private readonly assets: () => Promise<AssetIndex>,
    /** generic-JSON parsers from the configuration's jsonMappings */
    private readonly mapped: readonly FormatParser[] = [],
    private readonly batchSize = 500,
  ) {}

  async networkZones(): Promise<NetworkZones> {
    return readNetworkZones(this.db);
  }

  async setNetworkZones(actor: Actor, input: unknown): Promise<NetworkZones> {
    const zones = checkNetworkZones(input, new Set((await settingsRepo.listOrgUnits(this.db)).map((u) => u.code)));
    await this.db.transaction().execute((trx) => writeNetworkZones(trx, actor, zones, this.now().toISOString()));
    this.zones = new ZoneMap(zones);
    return zones;
  }

  private async zoneMap(): Promise<ZoneMap> {
    return (this.zones ??= new ZoneMap(await this.networkZones()));
  }

  /**
   * What this process holds of zones, indicators and inventory is checked against the database's
   * cache generation before each call: another process's change is seen at the next batch.
   */
  private generation?: string;

  private async refreshCaches(): Promise<void> {
    const now = await cacheGeneration(this.db);
    await this.timeZones.refresh(this.db, now);
    if (this.generation !== undefined && now !== this.generation) {
      this.zones = undefined;
      this.forgetCaches?.();
    }
    this.generation = now;
  }

  /** the configuration's device classes (deviceClasses): what a CEF record's vendor/product is */
  deviceClasses: readonly DeviceClassOverride[] = [];

  /** set by the wiring: drops the indicator and asset indexes */
  forgetCaches?: () => void;

  async ingest(records: AsyncIterable<IntakeRecord> | Iterable<IntakeRecord>, opts: IntakeOptions): Promise<IntakeOutcome> {
    await this.refreshCaches();
    const zones = await this.zoneMap();
    const intel = await this.indicators();
    const inventory = await this.assets();
    const outcome: IntakeOutcome = { accepted: 0, events: 0, duplicates: 0, skipped: 0, rejected: 0, rejects: [], skips: [] };
    let rows: Array<Insertable<AlertTable>> = [];
    let alerts: Alert[] = [];
    let rejects: Array<RecordProblem & { sample: string }> = [];
    let skipped = 0;
    const flush = async () => {
      if (rows.length === 0 && rejects.length === 0 && skipped === 0) return;
      const batch = rows;
      const batchAlerts = alerts;
      const batchRejects = rejects;
      const batchSkipped = skipped;
      rows = [];
      alerts = [];
      rejects = [];
      skipped = 0;
      const { stored, events, outboxRow } = await this.writeBatch(batch, batchAlerts, batchRejects, batchSkipped, opts.channel);
      if (outboxRow !== undefined) await this.outbox!.publish(stored, outboxRow);
      // a promise back is back-pressure: the next batch waits (detection in this thread has fallen behind)
      if (stored.length > 0) await this.onCommitted?.(stored);
      outcome.accepted += stored.length;
      outcome.events += events;
      outcome.duplicates += batch.length - stored.length;
    };

    const receivedAt = this.now().toISOString();
    for await (const r of this.normalize(records, opts)) {
      if ('reason' in r) {
        outcome.rejected++;
        if (outcome.rejects.length < REPORT_LIMIT) outcome.rejects.push({ line: r.line, reason: r.reason, format: r.format });
        rejects.push({ line: r.line, reason: r.reason, format: r.format, sample: r.sample });
      } else if ('skip' in r) {
        outcome.skipped++;
        skipped++;
        if (outcome.skips.length < REPORT_LIMIT) outcome.skips.push({ line: r.line, reason: r.skip, format: r.format });
        continue;
      } else {
        rows.push(this.toRow(r.alert, r.format, opts.channel, receivedAt, r.sourceId, r.original, zones, intel, inventory));
        alerts.push(r.alert);
      }
      const batchSize = opts.batchSize ?? this.batchSize;
      if (rows.length >= batchSize || rejects.length >= batchSize) await flush();
    }
    await flush();
    return outcome;
  }

  /**
   * Records → normalized alerts (not yet enriched or stored), each with its line; or the
   * reason a record was rejected or skipped. Rule testing and hunting read files through this.
   */
  normalize(records: AsyncIterable<IntakeRecord> | Iterable<IntakeRecord>, opts: Pick<IntakeOptions, 'format'>): AsyncGenerator<NormalizedRecord> {
    return normalizeRecords(records, { format: opts.format, timeZone: this.timeZones.zone, zoneOf: this.timeZones.zoneOf, now: this.now(), maxRecordBytes: this.maxRecordBytes, mapped: this.mapped, deviceClasses: this.deviceClasses });
  }

  /** Zones, threat intelligence and the asset inventory applied to an alert (as intake stores it). */
  async enrich(alert: Alert): Promise<Alert> {
    this.toRow(alert, 'json', 'enrich', '', undefined, '', await this.zoneMap(), await this.indicators(), await this.assets());
    return alert;
  }

  private toRow(alert: Alert, format: string, channel: string, receivedAt: string, sourceId: string | undefined, original: string, zones: ZoneMap, intel: IndicatorIndex, inventory: AssetIndex): Insertable<AlertTable> {
    const hit = intel.match({
      domains: [alert.dns?.question.name, alert.url?.domain, alert.destination?.domain],
      ips: [alert.destination?.ip, alert.source?.ip],
      urls: [alert.url?.full],
      hashes: [alert.file?.hash?.sha256, alert.file?.hash?.sha1, alert.file?.hash?.md5],
    });
    if (hit) {
      // a match with threat intelligence makes any event an alert (e.g. a DNS query for a C&C domain)
      alert.threat = { indicator: { type: hit.type, value: hit.value, source: hit.source, confidence: hit.confidence === null ? undefined : String(hit.confidence) } };
      alert.event.kind = 'alert';
      if (!alert.event.category.includes('threat')) alert.event.category.push('threat');
      alert.rule ??= { name: `威胁情报命中 threat intelligence: ${hit.value} (${hit.source})`, category: 'threat-intel' };
    }
    const keys: Array<string | null> = [];
    for (const end of [alert.source, alert.destination]) {
      if (!end?.ip) {
        keys.push(null);
        continue;
      }
      const zone = zones.describe(end.ip);
      keys.push(zone.key ?? null);
      const asset = inventory.size ? inventory.get(end.ip) : undefined;
      // an inventoried host is ours, and the inventory knows its org unit better than a CIDR does
      end.internal = asset ? true : zone.internal;
      end.org_unit = asset?.orgUnit ?? zone.org_unit;
      if (asset) {
        end.asset = compact({ hostname: asset.hostname ?? undefined, business_system: asset.businessSystem ?? undefined, criticality: asset.criticality ?? undefined, owner: asset.owner ?? undefined, zone: asset.zone ?? undefined });
      }
    }
    // a host-based event (a Windows log) names its host; the inventory knows its address, so
    // detection can tie it to the network alerts about the same machine
    if (alert.host?.name && !alert.host.ip?.length && inventory.size) {
      const asset = inventory.byName(alert.host.name);
      if (asset) alert.host.ip = [asset.ip];
    }
    const bool = (b: boolean | undefined) => (b === undefined ? null : b ? 1 : 0);
    const hash = alert.file?.hash;
    return {
      ts: alert['@timestamp'],
      received_at: receivedAt,
      format,
      channel,
      // time first: a record sent twice has the same time, and time-ordered keys keep the unique
      // index appending instead of writing all over a large B-tree
      dedup_key: `${alert['@timestamp']}|${sourceId ?? `sha256:${sha('sha256', original.trim())}`}`,
      kind: alert.event.kind,
      category: alert.event.category.join(','),
      action: alert.event.action ?? null,
      outcome: alert.event.outcome ?? null,
      severity: alert.event.severity ?? null,
      source_ip: alert.source?.ip ?? null,
      source_ip_key: keys[0] ?? null,
      source_port: alert.source?.port ?? null,
      source_internal: bool(alert.source?.internal),
      source_org_unit: alert.source?.org_unit ?? null,
      destination_ip: alert.destination?.ip ?? null,
      destination_ip_key: keys[1] ?? null,
      destination_port: alert.destination?.port ?? null,
      destination_internal: bool(alert.destination?.internal),
      destination_org_unit: alert.destination?.org_unit ?? null,
      dns_question_name: alert.dns?.question.name ?? null,
      user_name: alert.user?.name ?? null,
      host_name: alert.host?.name ?? null,
      rule_name: alert.rule?.name ?? null,
      rule_id: alert.rule?.id ?? null,
      observer_vendor: alert.observer?.vendor ?? null,
      observer_product: alert.observer?.product ?? null,
      observer_type: alert.observer?.type ?? null,
      network_transport: alert.network?.transport ?? null,
      url_full: alert.url?.full ?? null,
      file_hash: hash?.sha256 ?? hash?.sha1 ?? hash?.md5 ?? null,
      indicator: alert.threat?.indicator?.value ?? null,
      message: alert.message?.slice(0, 1000) ?? null,
      // an event keeps no normalized document: it is read again from the record when needed
      doc: alert.event.kind === 'alert' ? JSON.stringify(alert) : '',
      original,
    };
  }

  /**
   * The lean row of an event: the record and what a search filters on (with its id, where intake
   * took one from the sequence). A plain literal with the id added last: a literal that opens
   * with a spread is built property by property on V8's slow path (it cost 21 µs a row, 21 s of
   * a 1M-line import).
   */
  private static eventRow(row: Insertable<AlertTable>, id?: number): Insertable<EventTable> {
    const event: Insertable<EventTable> = {
      ts: row.ts,
      received_at: row.received_at,
      format: row.format,
      channel: row.channel,
      dedup_key: row.dedup_key,
      category: row.category,
      action: row.action ?? null,
      outcome: row.outcome ?? null,
      source_ip: row.source_ip ?? null,
      source_ip_key: row.source_ip_key ?? null,
      source_org_unit: row.source_org_unit ?? null,
      destination_ip: row.destination_ip ?? null,
      destination_ip_key: row.destination_ip_key ?? null,
      destination_org_unit: row.destination_org_unit ?? null,
      host_name: row.host_name ?? null,
      user_name: row.user_name ?? null,
      original: row.original,
    };
    if (id !== undefined) event.id = id;
    return event;
  }

  /** One transaction: the alerts (duplicates ignored), the day's counters, the rejects. Answers the alerts that were new, with their ids. */
  private async writeBatch(
    rows: Array<Insertable<AlertTable>>,
    alerts: Alert[],
    rejects: Array<RecordProblem & { sample: string }>,
    skipped: number,
    channel: string,
  ): Promise<{ stored: StoredAlertInMemory[]; events: number; outboxRow?: number }> {
    const at = this.now().toISOString();
    const day = at.slice(0, 10);
    const kind = channel.split(':')[0]!;
    const full: number[] = [];
    const lean: number[] = [];
    rows.forEach((r, i) => (isEvent(r) ? lean : full).push(i));
    return this.db.transaction().execute(async (trx) => {
      const stored: StoredAlertInMemory[] = [];
      // one statement holds at most 500 rows (SQLite allows 32766 parameters per statement)
      const write = async (table: 'alerts' | 'events', which: number[], per: number) => {
        let n = 0;
        for (let i = 0; i < which.length; i += per) {
          const chunk = which.slice(i, i + per);
          const inserted = table === 'alerts' ? this.byDedupKey(chunk, rows, await this.insertRows(trx, 'alerts', chunk.map((j) => rows[j]!))) : await this.insertEvents(trx, chunk, rows);
          for (const { id, row: j } of inserted) {
            stored.push({ id, format: rows[j]!.format, alert: alerts[j]!, original: rows[j]!.original });
            n++;
          }
        }
        return n;
      };
      await write('alerts', full, 500);
      const events = await write('events', lean, 1000);
      const inserted = stored.length;
      const counts: Array<[string, number]> = [
        ['accepted', inserted],
        ['events', events],
        ['duplicate', rows.length - inserted],
        ['rejected', rejects.length],
        ['skipped', skipped],
      ];
      const values = counts.filter(([, n]) => n > 0).map(([outcome, n]) => ({ day, channel: kind, outcome, n }));
      if (values.length) {
        await trx
          .insertInto('intake_counters')
          .values(values)
          .onConflict((oc) => oc.columns(['day', 'channel', 'outcome']).doUpdateSet({ n: sql`intake_counters.n + excluded.n` }))
          .execute();
      }
      if (rejects.length) {
        await trx
          .insertInto('intake_rejects')
          .values(rejects.map((x) => ({ at, channel, line: x.line, format: x.format ?? null, reason: x.reason.slice(0, 1000), sample: x.sample })))
          .execute();
        const newest = await trx.selectFrom('intake_rejects').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
        const keepFrom = Number(newest?.id ?? 0) - KEEP_REJECTS;
        if (keepFrom > 0) await trx.deleteFrom('intake_rejects').where('id', '<=', keepFrom).execute();
      }
      stored.sort((a, b) => a.id - b.id);
      const outboxRow = this.outbox && stored.length ? await this.outbox.record(trx, stored) : undefined;
      return { stored, events, outboxRow };
    });
  }

  /** Which rows of a chunk went in (a duplicate is left out), told by dedup key: the first of a key in the chunk. */
  private byDedupKey(chunk: readonly number[], rows: ReadonlyArray<Insertable<AlertTable>>, ids: ReadonlyArray<{ id: number | string; dedup_key: string }>): Array<{ id: number; row: number }> {
    const rowOfKey = new Map<string, number>();
    for (let k = chunk.length - 1; k >= 0; k--) rowOfKey.set(rows[chunk[k]!]!.dedup_key, chunk[k]!);
    const out: Array<{ id: number; row: number }> = [];
    for (const r of ids) {
      const row = rowOfKey.get(r.dedup_key);
      if (row !== undefined) out.push({ id: Number(r.id), row });
    }
    return out;
  }

  /**
   * Events, the bulk of what intake stores. They take their ids from the alerts' sequence (one
   * order for detection, and an event copied into `alerts` keeps its id): PostgreSQL's column
   * default draws it; on SQLite (one writer at a time) the alerts' AUTOINCREMENT counter is moved
   * past the batch before the insert, so no alert takes those ids and the rows that went in are
   * known without reading anything back: all of them when the insert changed as many rows, else
   * those whose ids are there (a duplicate is left out).
   */
  private async insertEvents(trx: Kysely<DB>, chunk: readonly number[], all: ReadonlyArray<Insertable<AlertTable>>): Promise<Array<{ id: number; row: number }>> {
    const n = chunk.length;
    if (n === 0) return [];
    if (trx.getExecutor().adapter instanceof PostgresAdapter) return this.byDedupKey(chunk, all, await this.insertRows(trx, 'events', chunk.map((j) => IntakeService.eventRow(all[j]!))));
    let top = (await sql<{ seq: number }>`update sqlite_sequence set seq = seq + ${n} where name = 'alerts' returning seq`.execute(trx)).rows[0]?.seq;
    if (top === undefined) {
      const max = (await sql<{ m: number | null }>`select max(m) as m from (select max(id) as m from alerts union all select max(id) as m from events)`.execute(trx)).rows[0]?.m ?? 0;
      top = Number(max) + n;
      await sql`insert into sqlite_sequence (name, seq) values ('alerts', ${top})`.execute(trx);
    }
    const first = Number(top) - n + 1;
    const changed = await this.insertRows(trx, 'events', chunk.map((j, k) => IntakeService.eventRow(all[j]!, first + k)), false);
    if (changed === n) return chunk.map((row, k) => ({ id: first + k, row }));
    const present = await trx.selectFrom('events').select('id').where('id', '>=', first).where('id', '<=', first + n - 1).execute();
    return present.map((r) => ({ id: Number(r.id), row: chunk[Number(r.id) - first]! }));
  }

  /**
   * The hot statement of intake. Kysely builds the multi-row INSERT once per batch size; later
   * batches of that size reuse its SQL with their own parameters (every row has the same
   * columns in the same order, see toRow), which saves compiling ~18k parameters per batch.
   */
  private readonly insertSql = new Map<string, { sql: string; columns: string[] }>();

  private async insertRows<T extends 'alerts' | 'events'>(trx: Kysely<DB>, table: T, rows: Array<Insertable<DB[T]>>): Promise<Array<{ id: number | string; dedup_key: string }>>;
  /** without RETURNING: how many rows went in */
  private async insertRows<T extends 'alerts' | 'events'>(trx: Kysely<DB>, table: T, rows: Array<Insertable<DB[T]>>, returning: false): Promise<number>;
  private async insertRows<T extends 'alerts' | 'events'>(trx: Kysely<DB>, table: T, rows: Array<Insertable<DB[T]>>, returning = true): Promise<Array<{ id: number | string; dedup_key: string }> | number> {
    const key = `${table}:${rows.length}:${Object.keys(rows[0]!).length}:${returning}`;
    let cached = this.insertSql.get(key);
    if (!cached) {
      const insert = (trx as Kysely<any>).insertInto(table).values(rows).onConflict((oc) => oc.column('dedup_key').doNothing());
      const compiled = returning ? insert.returning(['id', 'dedup_key']).compile() : insert.compile();
      cached = { sql: compiled.sql, columns: Object.keys(rows[0]!) };
      if (compiled.parameters.length !== rows.length * cached.columns.length) throw new Error(`${table} rows do not all have the same columns`);
      this.insertSql.set(key, cached);
    }
    const params: unknown[] = [];
    for (const row of rows) for (const c of cached.columns) params.push((row as Record<string, unknown>)[c]);
    const result = await trx.executeQuery<{ id: number | string; dedup_key: string }>(CompiledQuery.raw(cached.sql, params));
    return returning ? result.rows : Number(result.numAffectedRows ?? 0n);
  }

  async readStored(db: Kysely<DB>, ids: readonly number[]): Promise<Map<number, StoredAlertInMemory>> {
    const out = new Map<number, StoredAlertInMemory>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const r of await db.selectFrom('alerts').select(['id', 'format', 'doc', 'original']).where('id', 'in', chunk).execute()) {
        if (r.doc) out.set(Number(r.id), { id: Number(r.id), format: r.format, alert: JSON.parse(r.doc) as Alert, original: r.original });
      }
      const rest = chunk.filter((id) => !out.has(id));
      if (!rest.length) continue;
      const rows = await db.selectFrom('events').selectAll().where('id', 'in', rest).execute();
      if (!rows.length) continue;
      const ctx = { zones: await this.zoneMap(), intel: await this.indicators(), inventory: await this.assets() };
      for (const r of rows) out.set(Number(r.id), { id: Number(r.id), format: r.format, alert: this.readEvent(r, ctx), original: r.original });
    }
    return out;
  }

  private readEvent(r: Selectable<EventTable>, ctx: { zones: ZoneMap; intel: IndicatorIndex; inventory: AssetIndex }): Alert {
    let alert: Alert | undefined;
    try {
      const candidate = readRecord(r.original);
      const parser = detectFormat(candidate, r.format as AlertFormat, this.mapped);
      const result = parser.parse(candidate.text, candidate.json, { timeZone: this.timeZones.zone, zoneOf: this.timeZones.zoneOf, now: new Date(r.received_at), deviceClasses: this.deviceClasses });
      if (!('skip' in result)) alert = compact(result.alert);
    } catch {
      // the parsers changed since it was stored: what the row itself says
    }
    alert ??= eventAlert(r);
    alert['@timestamp'] = r.ts;
    this.toRow(alert, r.format, r.channel, r.received_at, undefined, r.original, ctx.zones, ctx.intel, ctx.inventory);
    return alert;
  }

  /**
   * Events that became evidence on an incident get the full treatment: copied into `alerts`
   * under their own ids (normalized document, every index), on the caller's transaction.
   * `eventBudget` caps how many of them are copied (the members of a correlation beyond it stay
   * events, counted on the signal and searchable). Answers the ids to link: those in `alerts`.
   */
  async promoteEvents(trx: Kysely<DB>, ids: readonly number[], eventBudget: number): Promise<number[]> {
    if (ids.length === 0) return [];
    const inAlerts = new Set<number>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const r of await trx.selectFrom('alerts').select('id').where('id', 'in', ids.slice(i, i + 500)).execute()) inAlerts.add(Number(r.id));
    }
    const take = ids.filter((id) => !inAlerts.has(id)).slice(0, Math.max(0, eventBudget));
    if (take.length) {
      const ctx = { zones: await this.zoneMap(), intel: await this.indicators(), inventory: await this.assets() };
      for (let i = 0; i < take.length; i += 500) {
        const events = await trx.selectFrom('events').selectAll().where('id', 'in', take.slice(i, i + 500)).orderBy('id').execute();
        if (!events.length) continue;
        const rows = events.map((r) => {
          const alert = this.readEvent(r, ctx);
          // the row as built, its id, dedup key and document set on it (no spread into a new literal: see eventRow)
          const row = this.toRow(alert, r.format, r.channel, r.received_at, undefined, r.original, ctx.zones, ctx.intel, ctx.inventory);
          row.dedup_key = r.dedup_key;
          row.doc = JSON.stringify(alert);
          row.id = Number(r.id);
          return row;
        });
        for (const r of await this.insertRows(trx, 'alerts', rows)) inAlerts.add(Number(r.id));
      }
    }
    return ids.filter((id) => inAlerts.has(id));
  }

  async recentRejects(limit: number) {
    const rows = await this.db.selectFrom('intake_rejects').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), at: r.at, channel: r.channel, line: r.line, format: r.format, reason: r.reason, sample: r.sample }));
  }

  /**
   * Counts a listener keeps of its own — messages received, dropped because the database
   * refused writes for too long, dropped by the kernel before they were read, connections
   * refused past the cap — added to the day's counters beside what intake stored.
   */
  async addCounters(channel: string, counts: Record<string, number>): Promise<void> {
    const day = this.now().toISOString().slice(0, 10);
    const values = Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([outcome, n]) => ({ day, channel, outcome, n }));
    if (!values.length) return;
    await this.db
      .insertInto('intake_counters')
      .values(values)
      .onConflict((oc) => oc.columns(['day', 'channel', 'outcome']).doUpdateSet({ n: sql`intake_counters.n + excluded.n` }))
      .execute();
  }

  async counters(days: number) {
    const since = new Date(this.now().getTime() - days * 86_400_000).toISOString().slice(0, 10);
    const rows = await this.db.selectFrom('intake_counters').selectAll().where('day', '>=', since).orderBy('day', 'desc').orderBy('channel').orderBy('outcome').execute();
    return rows.map((r) => ({ day: r.day, channel: r.channel, outcome: r.outcome, count: Number(r.n) }));
  }
}
