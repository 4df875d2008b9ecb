/**
 * An observable carries how far it may be shared (issue 14, as TheHive and MISP mark them): its
 * Traffic Light Protocol level (TLP 2.0: clear, green, amber, amber+strict, red) and its
 * Permissible Actions Protocol level (PAP: clear, green, amber, red), both optional, and tags
 * (a JSON array of short strings; '[]' for none, the rows before this migration too).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('observables').addColumn('tlp', 'text').execute();
  await db.schema.alterTable('observables').addColumn('pap', 'text').execute();
  await db.schema.alterTable('observables').addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const c of ['tags', 'pap', 'tlp']) await sql`alter table observables drop column ${sql.ref(c)}`.execute(db);
}
