/**
 * Recurring work (issue 15, 周期性任务): each work item — a vulnerability scan, a baseline check,
 * security updates, a plan review, a drill — with its schedule (an RRULE from a local first time),
 * owner, org unit and days to finish; and each occurrence laid out from the schedule, with its due
 * date, how it ended (done with a result, or skipped with a reason), its evidence (a file, or the
 * scan imported for it) and when its being overdue was escalated.
 */
import type { Kysely } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('work_items'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('rrule', 'text', (c) => c.notNull())
    .addColumn('start_local', 'text', (c) => c.notNull())
    .addColumn('due_days', 'integer', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('org_unit', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('work_occurrences'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('work_items.id').onDelete('cascade'))
    .addColumn('scheduled_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('note', 'text')
    .addColumn('scan_id', 'integer', (c) => c.references('scans.id').onDelete('set null'))
    .addColumn('evidence_sha256', 'text')
    .addColumn('evidence_filename', 'text')
    .addColumn('evidence_size', 'integer')
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'text')
    .addColumn('escalated_at', 'text')
    .addUniqueConstraint('work_occurrences_item_time', ['item_id', 'scheduled_at'])
    .execute();
  await db.schema.createIndex('work_occurrences_status_due_idx').on('work_occurrences').columns(['status', 'due_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('work_occurrences').ifExists().execute();
  await db.schema.dropTable('work_items').ifExists().execute();
}
