/**
 * Tags on incidents (issue 14, as TheHive and DFIR-IRIS tag cases): a JSON array of short
 * strings ('[]' for none, the rows before this migration too), edited with the incident and
 * filtered on in the queue.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table incidents drop column tags`.execute(db);
}
