/**
 * Findings of scans and checks tracked to closure (issue 15, periodic work): each scan imported
 * (its file's hash, the hosts it looked at, what it changed), and each finding — one check on one
 * host (and port) — with its status (open → fixing → fixed → verified, or accepted with a reason
 * and an expiry), its due date by severity, when scans saw it first and last, how often it came
 * back, and the incident that exploited it.
 */
import type { Kysely } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('scans'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('scanner', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text')
    .addColumn('started_at', 'text')
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('imported_by', 'text', (c) => c.notNull())
    .addColumn('hosts', 'integer', (c) => c.notNull())
    // JSON: { found, new, seen, reopened, closed, problems }
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('findings'))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('check_id', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('hostname', 'text')
    .addColumn('port', 'integer')
    .addColumn('protocol', 'text')
    .addColumn('org_unit', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('cvss', 'real')
    .addColumn('cves', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('solution', 'text')
    .addColumn('evidence', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_note', 'text')
    .addColumn('status_by', 'text')
    .addColumn('status_at', 'text', (c) => c.notNull())
    .addColumn('accepted_until', 'text')
    .addColumn('due_at', 'text')
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('first_scan_id', 'integer', (c) => c.notNull().references('scans.id'))
    .addColumn('last_scan_id', 'integer', (c) => c.notNull().references('scans.id'))
    .addColumn('closed_at', 'text')
    .addColumn('reopened', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('findings_ip_idx').on('findings').column('ip').execute();
  await db.schema.createIndex('findings_status_due_idx').on('findings').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('findings_org_unit_idx').on('findings').column('org_unit').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('findings').ifExists().execute();
  await db.schema.dropTable('scans').ifExists().execute();
}
