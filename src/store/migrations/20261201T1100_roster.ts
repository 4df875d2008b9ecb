/**
 * The response organisation and its duty roster (issue 15): teams (指挥组, 监控组, 分析组, 处置组,
 * 专家组, branch contacts) per org unit with their members (leader, deputies; phone, e-mail, IM);
 * duty shifts (an org unit, a duty role, from–to, who, how to reach them, the handover note); and
 * notification rules that also address whoever is on duty in some roles.
 */
import { type Kysely, sql } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('teams'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await withId(db, db.schema.createTable('team_members'))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('duty', 'text', (c) => c.notNull())
    .addColumn('position', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('im', 'text')
    .execute();
  await withId(db, db.schema.createTable('duty_shifts'))
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('handover_note', 'text')
    .addColumn('handed_over_at', 'text')
    .addColumn('handed_over_by', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('duty_shifts_one', ['org_unit', 'role', 'starts_at', 'name'])
    .execute();
  await db.schema.createIndex('duty_shifts_time_idx').on('duty_shifts').columns(['starts_at', 'ends_at']).execute();
  await db.schema.alterTable('notification_rules').addColumn('on_duty', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table notification_rules drop column on_duty`.execute(db);
  await db.schema.dropTable('duty_shifts').ifExists().execute();
  await db.schema.dropTable('team_members').ifExists().execute();
  await db.schema.dropTable('teams').ifExists().execute();
}
