/**
 * Telling people: channels (e-mail, chat webhooks), notification rules (who is told what and
 * when), the outbox of messages with every delivery attempt, the SLA escalations already fired
 * (so a restart neither repeats nor forgets one), and users' e-mail addresses.
 */
import type { Kysely } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'text').execute();

  await withId(db, db.schema.createTable('channels'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    // webhook signing secret or SMTP password: written, never read back over the API
    .addColumn('secret', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('notification_rules'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('max_level', 'integer', (c) => c.notNull())
    .addColumn('org_units', 'text')
    .addColumn('roles', 'text')
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('quiet_from', 'text')
    .addColumn('quiet_to', 'text')
    .addColumn('batch_seconds', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('notifications'), true)
    .addColumn('rule_id', 'integer', (c) => c.references('notification_rules.id').onDelete('set null'))
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('digest', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('level', 'integer')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('notifications_due_idx').on('notifications').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('notifications_group_idx').on('notifications').columns(['group_key', 'created_at']).execute();

  await withId(db, db.schema.createTable('delivery_attempts'), true)
    .addColumn('notification_id', 'bigint', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response', 'text')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_attempts_notification_idx').on('delivery_attempts').column('notification_id').execute();

  await db.schema
    .createTable('sla_escalations')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sla_escalations_pk', ['incident_id', 'phase', 'step', 'deadline'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['sla_escalations', 'delivery_attempts', 'notifications', 'notification_rules', 'channels']) await db.schema.dropTable(t).execute();
  await db.schema.alterTable('users').dropColumn('email').execute();
}
