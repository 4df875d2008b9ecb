/** Threat indicators from intelligence feeds. */
import type { Kysely } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('indicators'), true)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('confidence', 'integer')
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('indicators_type_value_source_uq', ['type', 'value', 'source'])
    .execute();
  await db.schema.createIndex('indicators_value_idx').on('indicators').column('value').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('indicators').ifExists().execute();
}
