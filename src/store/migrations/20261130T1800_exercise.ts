/**
 * Exercise incidents (issue 15, drills): an incident opened to practise the loop is flagged, shown
 * as 演练 everywhere, and kept out of the real figures (MTTD/MTTA/MTTR, open per branch) unless a
 * filter asks for it. 0 for every incident before this migration.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('exercise', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table incidents drop column exercise`.execute(db);
}
