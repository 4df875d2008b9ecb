/**
 * Free-text search of alerts through an index (issue 12): the text a search reads — message,
 * rule, DNS name, URL, user, host — in SQLite's FTS5 with the trigram tokenizer (substring
 * matches, any script, any case, as `contains` had them) kept by triggers, and on PostgreSQL a
 * pg_trgm GIN index over the same text (when the extension can be had: it is trusted, so a
 * database owner may create it; without it searches scan, bounded by time and a timeout).
 */
import { type Kysely, sql } from 'kysely';
import { isPostgres } from './helpers.js';

/** The searched text of an alerts row (PostgreSQL: an immutable expression the index is built on). */
export const PG_ALERT_TEXT = `(coalesce(message, '') || ' ' || coalesce(rule_name, '') || ' ' || coalesce(dns_question_name, '') || ' ' || coalesce(url_full, '') || ' ' || coalesce(user_name, '') || ' ' || coalesce(host_name, ''))`;
const SQLITE_TEXT = (row: string) => `concat_ws(' ', ${row}.message, ${row}.rule_name, ${row}.dns_question_name, ${row}.url_full, ${row}.user_name, ${row}.host_name)`;

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`savepoint alert_text`.execute(db);
    try {
      await sql`create extension if not exists pg_trgm`.execute(db);
      await sql.raw(`create index alerts_text_trgm_idx on alerts using gin (${PG_ALERT_TEXT} gin_trgm_ops)`).execute(db);
      await sql`release savepoint alert_text`.execute(db);
    } catch {
      // no pg_trgm here (not installed, or no right to create it): searches scan, bounded
      await sql`rollback to savepoint alert_text`.execute(db);
    }
    return;
  }
  await sql`create virtual table alerts_text using fts5(text, content='', contentless_delete=1, tokenize='trigram')`.execute(db);
  await sql.raw(`create trigger alerts_text_insert after insert on alerts begin insert into alerts_text(rowid, text) values (new.id, ${SQLITE_TEXT('new')}); end`).execute(db);
  await sql`create trigger alerts_text_delete after delete on alerts begin delete from alerts_text where rowid = old.id; end`.execute(db);
  await sql.raw(`insert into alerts_text(rowid, text) select id, ${SQLITE_TEXT('alerts')} from alerts`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop index if exists alerts_text_trgm_idx`.execute(db);
    return;
  }
  await sql`drop trigger if exists alerts_text_insert`.execute(db);
  await sql`drop trigger if exists alerts_text_delete`.execute(db);
  await sql`drop table if exists alerts_text`.execute(db);
}
