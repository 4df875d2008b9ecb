/**
 * Emergency plans (issue 15, 应急预案): each version of a plan (its key: the first version's id) with
 * what it covers (incident types, levels, org units), its organisation and duties, response steps,
 * resources, contacts, the document it came as, its approval and review date; and the plan that
 * started on an incident (none: no plan covered it).
 */
import { type Kysely, sql } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('plans'))
    .addColumn('plan_key', 'integer')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scope', 'text')
    .addColumn('incident_types', 'text', (c) => c.notNull())
    .addColumn('levels', 'text', (c) => c.notNull())
    .addColumn('org_units', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text')
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('resources', 'text')
    .addColumn('contacts', 'text', (c) => c.notNull())
    .addColumn('review_due', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text')
    .addColumn('file_name', 'text')
    .addColumn('file_size', 'integer')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('plans_key_version').on('plans').columns(['plan_key', 'version']).unique().execute();
  await db.schema.alterTable('incidents').addColumn('plan_id', 'integer', (c) => c.references('plans.id').onDelete('set null')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table incidents drop column plan_id`.execute(db);
  await db.schema.dropTable('plans').ifExists().execute();
}
