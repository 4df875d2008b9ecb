/**
 * The two dialect differences migrations need, in one place (migrations import nothing else):
 * which database this is, and an auto-increment primary key.
 */
import { type CreateTableBuilder, type Kysely, PostgresAdapter } from 'kysely';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** `id` as an auto-increment primary key: `serial`/`bigserial` on PostgreSQL, `integer … autoincrement` on SQLite. */
export function withId<T extends CreateTableBuilder<any, any>>(db: Kysely<any>, table: T, big = false): T {
  const pg = isPostgres(db);
  return table.addColumn('id', pg ? (big ? 'bigserial' : 'serial') : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement())) as T;
}
