/**
 * Detection: the signals (rule matches) that made each incident, the keys by which later
 * alerts join an open incident, how far detection has read the alerts table, alert triage,
 * and suppressions.
 */
import type { Kysely } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  // one row per distinct pattern (rule, source, destination, indicator) in an incident; repeats count
  await withId(db, db.schema.createTable('detection_signals'), true)
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('rule_key', 'text', (c) => c.notNull())
    .addColumn('rule_title', 'text', (c) => c.notNull())
    .addColumn('rule_file', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_alert_id', 'bigint')
    .addColumn('last_alert_id', 'bigint')
    .addColumn('source_ip', 'text')
    .addColumn('destination_ip', 'text')
    .addColumn('host_ip', 'text')
    .addColumn('indicator', 'text')
    .addColumn('explanation', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('detection_signals_incident_signature_uq', ['incident_id', 'signature'])
    .execute();
  await db.schema.createIndex('detection_signals_rule_idx').on('detection_signals').column('rule_key').execute();

  // which alerts a signal was seen on (the first ones; the count says how many in all)
  await db.schema
    .createTable('signal_alerts')
    .addColumn('signal_id', 'bigint', (c) => c.notNull().references('detection_signals.id').onDelete('cascade'))
    .addColumn('alert_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('signal_alerts_pk', ['signal_id', 'alert_id'])
    .execute();
  await db.schema.createIndex('signal_alerts_alert_idx').on('signal_alerts').column('alert_id').execute();

  await db.schema
    .createTable('incident_keys')
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_keys_pk', ['family', 'key', 'incident_id'])
    .execute();
  await db.schema.createIndex('incident_keys_incident_idx').on('incident_keys').column('incident_id').execute();

  // detection asks "is this host already listed?" for every match: by address within the incident
  await db.schema.createIndex('affected_assets_incident_ip_idx').on('affected_assets').columns(['incident_id', 'ip']).execute();

  await db.schema
    .createTable('detection_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_triage')
    .addColumn('alert_id', 'bigint', (c) => c.primaryKey())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('suppression_id', 'bigint')
    .execute();

  await withId(db, db.schema.createTable('suppressions'), true)
    .addColumn('rule_key', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('indicator', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('hits', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_hit_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('affected_assets_incident_ip_idx').ifExists().execute();
  for (const t of ['suppressions', 'alert_triage', 'detection_state', 'incident_keys', 'signal_alerts', 'detection_signals']) await db.schema.dropTable(t).ifExists().execute();
}
