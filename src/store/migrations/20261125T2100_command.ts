/**
 * The command group's reach: the organisation-wide warning level (全网预警) with every change,
 * the indicators it tells branches to look for and each branch's acknowledgement; and orders
 * to branches ("find these 18 hosts") with each host's state.
 */
import type { Kysely } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('warnings'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('previous_level', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('indicators', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id').onDelete('set null'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('raised_by', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('warning_acks')
    .addColumn('warning_id', 'integer', (c) => c.notNull().references('warnings.id').onDelete('cascade'))
    .addColumn('org_unit', 'text', (c) => c.notNull().references('org_units.code'))
    .addColumn('acked_by', 'text', (c) => c.notNull())
    .addColumn('acked_at', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('warning_acks_pk', ['warning_id', 'org_unit'])
    .execute();

  await withId(db, db.schema.createTable('orders'))
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('org_unit', 'text', (c) => c.notNull().references('org_units.code'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('instructions', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('due_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();

  await db.schema
    .createTable('order_hosts')
    .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('hostname', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_hosts_pk', ['order_id', 'host'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['order_hosts', 'orders', 'warning_acks', 'warnings']) await db.schema.dropTable(t).execute();
}
