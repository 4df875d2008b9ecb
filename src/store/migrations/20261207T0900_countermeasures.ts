/**
 * Countermeasures (issue 16): block-list entries (an address or network, a domain, a URL, a file
 * hash) on a named list, with their reason, owner, expiry, the approval a second person gave where
 * one was needed, and how they ended (lifted with a reason, expired, rejected); and the read-only
 * tokens firewalls and proxies pull the lists with (only a hash of each is kept).
 */
import { type Kysely, sql } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('blocks'))
    .addColumn('list', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('key_from', 'text')
    .addColumn('key_to', 'text')
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id').onDelete('set null'))
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('approval_reason', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_id', 'integer')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('activated_at', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('ended_by', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // one entry in force (or waiting for approval) per list, kind and value
  await sql`create unique index blocks_in_force on blocks (list, kind, value) where status in ('pending', 'active')`.execute(db);
  await db.schema.createIndex('blocks_incident').on('blocks').column('incident_id').execute();
  await db.schema.createIndex('blocks_status_expiry').on('blocks').columns(['status', 'expires_at']).execute();
  await withId(db, db.schema.createTable('list_tokens'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('list_tokens').ifExists().execute();
  await db.schema.dropTable('blocks').ifExists().execute();
}
