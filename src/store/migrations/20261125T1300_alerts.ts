/** Alerts as they come in (normalized + verbatim), intake counters and recent rejects. */
import type { Kysely } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {

  await withId(db, db.schema.createTable('alerts'), true)
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('outcome', 'text')
    .addColumn('severity', 'integer')
    .addColumn('source_ip', 'text')
    .addColumn('source_ip_key', 'text')
    .addColumn('source_port', 'integer')
    .addColumn('source_internal', 'integer')
    .addColumn('source_org_unit', 'text')
    .addColumn('destination_ip', 'text')
    .addColumn('destination_ip_key', 'text')
    .addColumn('destination_port', 'integer')
    .addColumn('destination_internal', 'integer')
    .addColumn('destination_org_unit', 'text')
    .addColumn('dns_question_name', 'text')
    .addColumn('user_name', 'text')
    .addColumn('host_name', 'text')
    .addColumn('rule_name', 'text')
    .addColumn('rule_id', 'text')
    .addColumn('observer_vendor', 'text')
    .addColumn('observer_product', 'text')
    .addColumn('observer_type', 'text')
    .addColumn('network_transport', 'text')
    .addColumn('url_full', 'text')
    .addColumn('file_hash', 'text')
    .addColumn('indicator', 'text')
    .addColumn('message', 'text')
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('original', 'text', (c) => c.notNull())
    .execute();
  // Few indexes, each one a search uses (every index costs on the intake path): time, either
  // address by CIDR range, and the rare alerts that matched an indicator. Text filters (rule,
  // DNS name, free text) are substring scans within the time order.
  for (const cols of [['ts'], ['source_ip_key', 'ts'], ['destination_ip_key', 'ts']]) {
    await db.schema.createIndex(`alerts_${cols.join('_')}_idx`).on('alerts').columns(cols).execute();
  }
  await db.schema.createIndex('alerts_indicator_idx').on('alerts').column('indicator').where('indicator', 'is not', null).execute();

  await db.schema
    .createTable('intake_counters')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('intake_counters_pk', ['day', 'channel', 'outcome'])
    .execute();

  await withId(db, db.schema.createTable('intake_rejects'), true)
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('line', 'integer')
    .addColumn('format', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('sample', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['intake_rejects', 'intake_counters', 'alerts']) await db.schema.dropTable(t).ifExists().execute();
}
