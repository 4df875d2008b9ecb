/**
 * Special campaigns (issue 15, 专项行动): a password review, an endpoint sweep, a penetration test, a
 * phishing test or a drill — its scope (org units, hosts and ranges), period, lead and conclusion —
 * with the scans and findings it produced and, for a drill, the exercise incidents it opened.
 */
import { type Kysely, sql } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('campaigns'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // JSON arrays: org unit codes; addresses and CIDR ranges
    .addColumn('scope_org_units', 'text', (c) => c.notNull())
    .addColumn('scope_assets', 'text', (c) => c.notNull())
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('lead', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('conclusion', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('scans').addColumn('campaign_id', 'integer', (c) => c.references('campaigns.id').onDelete('set null')).execute();
  await db.schema.alterTable('findings').addColumn('campaign_id', 'integer', (c) => c.references('campaigns.id').onDelete('set null')).execute();
  await db.schema.alterTable('incidents').addColumn('campaign_id', 'integer', (c) => c.references('campaigns.id').onDelete('set null')).execute();
  await db.schema.createIndex('findings_campaign_idx').on('findings').column('campaign_id').execute();
  await db.schema.createIndex('incidents_campaign_idx').on('incidents').column('campaign_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('incidents_campaign_idx').ifExists().execute();
  await db.schema.dropIndex('findings_campaign_idx').ifExists().execute();
  await sql`alter table incidents drop column campaign_id`.execute(db);
  await sql`alter table findings drop column campaign_id`.execute(db);
  await sql`alter table scans drop column campaign_id`.execute(db);
  await db.schema.dropTable('campaigns').ifExists().execute();
}
