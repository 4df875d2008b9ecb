/**
 * Scale-out (issue 12): the transactional outbox between intake and the message bus. Intake
 * writes a row listing the ids of the alerts a batch stored on the batch's own transaction, publishes them
 * to NATS JetStream after the commit and deletes the row once the stream acknowledged them; a
 * row left behind (a crash between commit and publish) is published again by any intake node.
 * And retention: stored records are deleted by the time they were stored (src/intake/retention.ts).
 */
import type { Kysely } from 'kysely';
import { withId } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('bus_outbox'), true)
    .addColumn('alert_ids', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_received_at_idx').on('alerts').column('received_at').execute();
  // the earliest-stored alert an incident's matches came from (what names the incident): one index seek per match joining it
  await db.schema.createIndex('detection_signals_incident_first_alert_idx').on('detection_signals').columns(['incident_id', 'first_alert_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('detection_signals_incident_first_alert_idx').ifExists().execute();
  await db.schema.dropIndex('alerts_received_at_idx').ifExists().execute();
  await db.schema.dropTable('bus_outbox').ifExists().execute();
}
