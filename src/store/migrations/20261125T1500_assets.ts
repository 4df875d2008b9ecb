/** The asset inventory. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('assets')
    .addColumn('ip', 'text', (c) => c.primaryKey())
    .addColumn('hostname', 'text')
    .addColumn('org_unit', 'text')
    .addColumn('zone', 'text')
    .addColumn('owner', 'text')
    .addColumn('business_system', 'text')
    .addColumn('criticality', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('assets_org_unit_idx').on('assets').column('org_unit').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('assets').ifExists().execute();
}
