/**
 * Events are not alerts (issue 12): records that are only context — a log-in, a DNS answer, a
 * Windows event — are kept in a lean table: the record as it came in, the few fields a search
 * filters on (time, addresses, host, user), no normalized document (it is read again from the
 * record when needed) and two indexes. Alerts (what a device calls an alert, or what matched an
 * indicator) stay in `alerts`. Both draw their ids from one sequence (the alerts' own), so
 * detection reads them in one order and an event that becomes evidence on an incident is copied
 * into `alerts` under the id it already had.
 */
import { type Kysely, sql } from 'kysely';
import { isPostgres } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('events')
    // PostgreSQL: the alerts' sequence is the default; SQLite: intake takes ids from the alerts' AUTOINCREMENT counter
    .addColumn('id', pg ? 'bigint' : 'integer', (c) => (pg ? c.primaryKey().defaultTo(sql`nextval('alerts_id_seq'::regclass)`) : c.primaryKey()))
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('outcome', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('source_ip_key', 'text')
    .addColumn('source_org_unit', 'text')
    .addColumn('destination_ip', 'text')
    .addColumn('destination_ip_key', 'text')
    .addColumn('destination_org_unit', 'text')
    .addColumn('host_name', 'text')
    .addColumn('user_name', 'text')
    .addColumn('original', 'text', (c) => c.notNull())
    .execute();
  // no other index: the unique key starts with the event's time (ISO), so it is the time index too
  // (searches bound by time read a range of it); retention finds the rows stored before a day by
  // id, which grows with the time stored (src/intake/retention.ts)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('events').ifExists().execute();
}
