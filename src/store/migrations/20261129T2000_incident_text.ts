/**
 * Free-text search of the incident queue through an index (issue 12: "queue text search the same
 * way"): an incident's id, titles and description, and its observables' values, in SQLite FTS5
 * trigram tables kept by triggers, and on PostgreSQL pg_trgm GIN indexes over the same text (when
 * the extension can be had; without it the search scans, as before). Affected assets are few per
 * incident and are read through their incident's index.
 */
import { type Kysely, sql } from 'kysely';
import { isPostgres } from './helpers.js';

/** The searched text of an incidents row (PostgreSQL: the immutable expression the index is built on). */
export const PG_INCIDENT_TEXT = `(id || ' ' || coalesce(title, '') || ' ' || coalesce(title_en, '') || ' ' || coalesce(description, ''))`;
const SQLITE_TEXT = (row: string) => `concat_ws(' ', ${row}.id, ${row}.title, ${row}.title_en, ${row}.description)`;

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`savepoint incident_text`.execute(db);
    try {
      await sql`create extension if not exists pg_trgm`.execute(db);
      await sql.raw(`create index incidents_text_trgm_idx on incidents using gin (${PG_INCIDENT_TEXT} gin_trgm_ops)`).execute(db);
      await sql`create index observables_value_trgm_idx on observables using gin (value gin_trgm_ops)`.execute(db);
      await sql`release savepoint incident_text`.execute(db);
    } catch {
      await sql`rollback to savepoint incident_text`.execute(db);
    }
    return;
  }
  await sql`create virtual table incidents_text using fts5(text, content='', contentless_delete=1, tokenize='trigram')`.execute(db);
  await sql.raw(`create trigger incidents_text_insert after insert on incidents begin insert into incidents_text(rowid, text) values (new.rowid, ${SQLITE_TEXT('new')}); end`).execute(db);
  await sql
    .raw(`create trigger incidents_text_update after update of title, title_en, description on incidents begin delete from incidents_text where rowid = old.rowid; insert into incidents_text(rowid, text) values (new.rowid, ${SQLITE_TEXT('new')}); end`)
    .execute(db);
  await sql`create trigger incidents_text_delete after delete on incidents begin delete from incidents_text where rowid = old.rowid; end`.execute(db);
  await sql.raw(`insert into incidents_text(rowid, text) select rowid, ${SQLITE_TEXT('incidents')} from incidents`).execute(db);

  await sql`create virtual table observables_text using fts5(text, content='', contentless_delete=1, tokenize='trigram')`.execute(db);
  await sql`create trigger observables_text_insert after insert on observables begin insert into observables_text(rowid, text) values (new.id, new.value); end`.execute(db);
  await sql`create trigger observables_text_update after update of value on observables begin delete from observables_text where rowid = old.id; insert into observables_text(rowid, text) values (new.id, new.value); end`.execute(db);
  await sql`create trigger observables_text_delete after delete on observables begin delete from observables_text where rowid = old.id; end`.execute(db);
  await sql`insert into observables_text(rowid, text) select id, value from observables`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop index if exists incidents_text_trgm_idx`.execute(db);
    await sql`drop index if exists observables_value_trgm_idx`.execute(db);
    return;
  }
  for (const t of ['incidents_text_insert', 'incidents_text_update', 'incidents_text_delete', 'observables_text_insert', 'observables_text_update', 'observables_text_delete']) await sql.raw(`drop trigger if exists ${t}`).execute(db);
  await sql`drop table if exists incidents_text`.execute(db);
  await sql`drop table if exists observables_text`.execute(db);
}
