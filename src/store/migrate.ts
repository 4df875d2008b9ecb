/**
 * Applies the timestamped migrations (the same files for SQLite and PostgreSQL). Migrations
 * are imported statically so the built product needs no file-system discovery.
 */
import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import * as foundation from './migrations/20261125T1100_foundation.js';
import * as alerts from './migrations/20261125T1300_alerts.js';
import * as indicators from './migrations/20261125T1400_indicators.js';
import * as assets from './migrations/20261125T1500_assets.js';
import * as detection from './migrations/20261125T1600_detection.js';
import * as reports from './migrations/20261125T1900_reports.js';
import * as notify from './migrations/20261125T2000_notify.js';
import * as command from './migrations/20261125T2100_command.js';
import * as english from './migrations/20261125T2200_english.js';
import * as security from './migrations/20261129T0900_security.js';
import * as bus from './migrations/20261129T1200_bus.js';
import * as events from './migrations/20261129T1500_events.js';
import * as alertText from './migrations/20261129T1700_alert_text.js';
import * as incidentText from './migrations/20261129T2000_incident_text.js';
import * as assetOrder from './migrations/20261129T2100_asset_order.js';
import * as observableMarking from './migrations/20261130T0900_observable_marking.js';
import * as incidentTags from './migrations/20261130T1200_incident_tags.js';
import * as findings from './migrations/20261130T1500_findings.js';
import * as exercise from './migrations/20261130T1800_exercise.js';
import * as periodicWork from './migrations/20261201T0900_periodic_work.js';
import * as campaigns from './migrations/20261201T1000_campaigns.js';
import * as roster from './migrations/20261201T1100_roster.js';
import * as plans from './migrations/20261201T1200_plans.js';
import * as countermeasures from './migrations/20261207T0900_countermeasures.js';
import * as regulatory from './migrations/20261207T1000_regulatory.js';
import * as recoveryTasks from './migrations/20261207T1100_recovery_tasks.js';
import type { DB } from './schema.js';

export const MIGRATIONS: Record<string, Migration> = {
  '20261125T1100_foundation': foundation,
  '20261125T1300_alerts': alerts,
  '20261125T1400_indicators': indicators,
  '20261125T1500_assets': assets,
  '20261125T1600_detection': detection,
  '20261125T1900_reports': reports,
  '20261125T2000_notify': notify,
  '20261125T2100_command': command,
  '20261125T2200_english': english,
  '20261129T0900_security': security,
  '20261129T1200_bus': bus,
  '20261129T1500_events': events,
  '20261129T1700_alert_text': alertText,
  '20261129T2000_incident_text': incidentText,
  '20261129T2100_asset_order': assetOrder,
  '20261130T0900_observable_marking': observableMarking,
  '20261130T1200_incident_tags': incidentTags,
  '20261130T1500_findings': findings,
  '20261130T1800_exercise': exercise,
  '20261201T0900_periodic_work': periodicWork,
  '20261201T1000_campaigns': campaigns,
  '20261201T1100_roster': roster,
  '20261201T1200_plans': plans,
  '20261207T0900_countermeasures': countermeasures,
  '20261207T1000_regulatory': regulatory,
  '20261207T1100_recovery_tasks': recoveryTasks,
};

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(db: Kysely<DB>): Promise<MigrationOutcome> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`database migration ${failed} failed: ${cause}`);
  }
  return { applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
