/**
 * The organisation's time zone as this process knows it: the one saved in the settings
 * (设置 → 时区), else the configuration's (BIHUAN_TIMEZONE / YAML), else the machine's. Read
 * again whenever the cache generation moved (a change saved by any process or node).
 */
import type { Kysely } from 'kysely';
import { type RecordSource, type TimeZoneSetting, zoneResolver } from '../domain/alert/time-zone.js';
import { cacheGeneration } from '../store/cache-generation.js';
import type { DB } from '../store/schema.js';
import { getSetting } from './settings.repository.js';

export const TIME_ZONE_SETTING = 'time_zone';

export class OrgTimeZone {
  private setting: TimeZoneSetting;
  private resolve: (who?: RecordSource) => string;
  private generation?: string;

  constructor(
    private readonly db: Kysely<DB>,
    /** the configuration's zone, and whether it was chosen there or is the machine's */
    readonly configured: { zone: string; from: 'configured' | 'machine' },
  ) {
    this.setting = { zone: configured.zone, sources: [] };
    this.resolve = zoneResolver(this.setting);
  }

  /** the organisation's zone */
  get zone(): string {
    return this.setting.zone;
  }

  /** the zone of a record's source (its per-source override, else the organisation's) */
  readonly zoneOf = (who?: RecordSource): string => this.resolve(who);

  /** what is in force: the saved setting or the configuration's zone, and where it came from */
  current(): TimeZoneSetting & { from: 'settings' | 'configured' | 'machine' } {
    return { ...this.setting, from: this.saved ? 'settings' : this.configured.from };
  }

  private saved = false;

  /** Reads the saved setting again if anything changed since the last read. */
  async refresh(db: Kysely<DB> = this.db): Promise<void> {
    const generation = await cacheGeneration(db);
    if (generation === this.generation) return;
    const stored = await getSetting<TimeZoneSetting>(db, TIME_ZONE_SETTING);
    this.saved = !!stored;
    this.setting = stored ?? { zone: this.configured.zone, sources: [] };
    this.resolve = zoneResolver(this.setting);
    this.generation = generation;
  }
}
