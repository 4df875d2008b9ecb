/**
 * Eradication and recovery tasks (issue 16): a handling task may patch a finding of periodic work
 * (its id kept on the task: marking the task done marks the finding fixed).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('finding_id', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table tasks drop column finding_id`.execute(db);
}
