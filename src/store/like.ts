/** Case-insensitive substring search, the same on SQLite and PostgreSQL: wildcards in the text are literal. */
import { type RawBuilder, sql } from 'kysely';

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `lower(expr) LIKE %text% ESCAPE '\'` for a column reference or SQL expression. */
export function containsText(expr: RawBuilder<unknown> | string, text: string): RawBuilder<boolean> {
  const target = typeof expr === 'string' ? sql.ref(expr) : expr;
  return sql<boolean>`lower(${target}) like ${`%${escapeLike(text.toLowerCase())}%`} escape '\\'`;
}
