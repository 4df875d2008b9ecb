/**
 * The organisation's time zone as this process knows it (SettingsService.timeZoneInForce: the
 * one saved in 设置 → 时区, else the configuration's, else the machine's), read again whenever the
 * cache generation moved (a change saved by any process or node).
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { type RecordSource, zoneResolver } from '../domain/alert/time-zone.js';
import { cacheGeneration } from '../store/cache-generation.js';
import type { DB } from '../store/schema.js';
import type { SettingsService, TimeZoneInForce } from './settings.service.js';

export class OrgTimeZone {
  private resolve: (who?: RecordSource) => string;
  private generation?: string;

  private constructor(
    private readonly settings: SettingsService,
    private inForce: TimeZoneInForce,
  ) {
    this.resolve = zoneResolver(inForce.setting);
  }

  static async load(settings: SettingsService, db: Kysely<DB>): Promise<OrgTimeZone> {
    const zones = new OrgTimeZone(settings, await settings.timeZoneInForce(db));
    zones.generation = await cacheGeneration(db);
    return zones;
  }

  /** the organisation's zone */
  get zone(): string {
    return this.inForce.setting.zone;
  }

  /** the zone of a record's source (its per-source override, else the organisation's) */
  readonly zoneOf = (who?: RecordSource): string => this.resolve(who);

  /** what is in force, and where it came from */
  current(): TimeZoneInForce {
    return this.inForce;
  }

  /** Reads the setting again if anything changed since the last read (`generation`: the cache generation, when the caller has just read it). */
  async refresh(db: Kysely<DB>, generation?: string): Promise<void> {
    const now = generation ?? (await cacheGeneration(db));
    if (now === this.generation) return;
    this.inForce = await this.settings.timeZoneInForce(db);
    this.resolve = zoneResolver(this.inForce.setting);
    this.generation = now;
  }

  /** An instant as a person reads it in text the product writes (timeline entries): local, to the minute — read on `db`, which may be a transaction. */
  async localMinute(db: Kysely<DB>, iso: string): Promise<string> {
    await this.refresh(db);
    return DateTime.fromISO(iso, { zone: 'utc' }).setZone(this.zone).toFormat('yyyy-MM-dd HH:mm');
  }
}
