/**
 * The regulator's clock (issue 16): an incident's national level (GB/T 20986-2023, 1 = I … 4 = IV)
 * and category as a person confirmed them, the report deadline they set (III and graver), and when
 * the report went to the regulator.
 */
import { type Kysely, sql } from 'kysely';

const COLUMNS = ['national_level', 'national_category', 'national_reason', 'national_by', 'national_at', 'regulatory_due_at', 'regulatory_reported_at', 'regulatory_reported_to'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('national_level', 'integer').execute();
  for (const c of COLUMNS.slice(1)) await db.schema.alterTable('incidents').addColumn(c, 'text').execute();
  await db.schema.createIndex('incidents_regulatory_due').on('incidents').column('regulatory_due_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('incidents_regulatory_due').ifExists().execute();
  for (const c of [...COLUMNS].reverse()) await sql`alter table incidents drop column ${sql.ref(c)}`.execute(db);
}
