/**
 * Opens the database named by a URL: `sqlite:PATH` / a plain file path (the embedded default,
 * WAL and foreign keys on), or `postgres://…` (pg pool). Everything above this file is
 * dialect-free.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type SqliteDatabase, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** A description safe to print: never the password. */
  describe: string;
  /** SQLite: the file (for backup and restore) */
  file?: string;
  /** SQLite: an online backup of the whole database into `target` (a consistent copy while it is in use) */
  backup?(target: string): Promise<void>;
  /**
   * SQLite, a bulk import (`bihuan ingest` of files): commits stop waiting for the disk (WAL,
   * synchronous NORMAL: a crash loses nothing, a power cut may lose the last commits, never the
   * file's consistency) until `durable()` — called before anything is acknowledged — writes the
   * log to disk, making every commit so far survive a power cut as a FULL commit would.
   */
  bulk?(): { durable(): void; end(): void };
  /**
   * SQLite, the writer: when the write-ahead log has grown past `maxBytes`, checkpoints it and
   * starts it again from the beginning, waiting at most `waitMs` for readers still on it (issue
   * 12: searches back to back always leave a reader on the log, which then is never restarted —
   * measured 35 → 534 MB in 20 s of intake beside two searching clients). Whether it restarted.
   */
  restartLog?(maxBytes: number, waitMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** The database cannot be opened: names the file (or server) and why, in words an operator can act on. */
export class DatabaseOpenError extends Error {}

const OS_REASONS: Record<string, string> = {
  EISDIR: 'it is a directory, not a file',
  EACCES: 'this user may not write it (permissions)',
  EPERM: 'this user may not write it (permissions or an immutable file)',
  EROFS: 'it is on a read-only file system',
  ENOENT: 'its directory does not exist and cannot be created',
  ENOTDIR: 'a part of its path is a file, not a directory',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

/** Why SQLite refused a file, in words. */
function sqliteReason(e: { code?: string; message?: string }, file: string): string {
  switch (String(e.code)) {
    case 'SQLITE_NOTADB':
      return 'the file is not a SQLite database (another program’s file, or damaged)';
    case 'SQLITE_CORRUPT':
      return 'the database file is damaged: restore it from a backup (bihuan restore)';
    case 'SQLITE_READONLY':
      return `the file or its directory is read-only (SQLite writes ${path.basename(file)}-wal and -shm beside it)`;
    case 'SQLITE_FULL':
      return 'the disk is full';
    case 'SQLITE_CANTOPEN':
      return 'SQLite cannot open it (its directory is missing or not writable)';
    case 'SQLITE_BUSY':
      return 'another process holds it locked';
    default:
      return e.message ?? String(e);
  }
}

export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/i, '');
}

export function openDatabase(url: string): Database {
  if (dialectOf(url) === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', describe: redactUrl(url), close: () => db.destroy() };
  }
  const file = sqlitePath(url);
  const where = file === ':memory:' ? file : path.resolve(file);
  if (file !== ':memory:') {
    // the operating system says best why a file cannot be used: try it first
    const dir = path.dirname(where);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.closeSync(fs.openSync(where, 'a'));
    } catch (e) {
      let code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') code = 'ENOTDIR'; // mkdir met a file where a directory should be
      const why = code === 'ENOENT' && fs.existsSync(dir) ? `the file cannot be created in ${dir}` : (OS_REASONS[code] ?? (e as Error).message);
      throw new DatabaseOpenError(`cannot open the database ${where}: ${why}${code ? ` (${code})` : ''}`);
    }
  }
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
  } catch (e) {
    throw new DatabaseOpenError(`cannot open the database ${where}: ${sqliteReason(e as { code?: string }, where)}`);
  }
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = FULL'); // a committed change survives a power cut, not only a crash
  } catch (e) {
    sqlite.close();
    throw new DatabaseOpenError(`cannot open the database ${where}: ${sqliteReason(e as { code?: string }, where)}`);
  }
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    describe: `sqlite:${where}`,
    file: where,
    backup: async (target) => {
      await sqlite.backup(target);
    },
    bulk: () => {
      sqlite.pragma('synchronous = NORMAL');
      const durable = () => {
        // the write-ahead log holds every commit not yet checkpointed (checkpoints sync the file themselves)
        for (const f of [`${file}-wal`, file]) {
          let fd: number | undefined;
          try {
            fd = fs.openSync(f, 'r+');
            fs.fsyncSync(fd);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          } finally {
            if (fd !== undefined) fs.closeSync(fd);
          }
        }
      };
      return {
        durable,
        end: () => {
          durable();
          sqlite.pragma('synchronous = FULL');
        },
      };
    },
    restartLog: async (maxBytes, waitMs) => {
      let size = 0;
      try {
        size = fs.statSync(`${file}-wal`).size;
      } catch {
        return false;
      }
      if (size < maxBytes) return false;
      // on the one connection, between this thread's transactions: the wait is shortened for the checkpoint only
      return db.connection().execute(async (c) => {
        await sql`pragma busy_timeout = ${sql.lit(Math.max(1, Math.round(waitMs)))}`.execute(c);
        try {
          const r = await sql<{ busy: number }>`pragma wal_checkpoint(RESTART)`.execute(c);
          return r.rows[0]?.busy === 0;
        } finally {
          await sql`pragma busy_timeout = 5000`.execute(c);
        }
      });
    },
    close: () => db.destroy(),
  };
}

const STATEMENT_CACHE = 256;

/**
 * Kysely prepares every query anew; SQLite compiles a statement in about as long as it takes
 * to run a small one (intake's 500-row INSERT: ~2.7 ms a batch). The same SQL text reuses its
 * prepared statement, the least recently used ones dropped past STATEMENT_CACHE. Safe because
 * Kysely runs one query at a time on the single SQLite connection.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) cache.delete(text);
      else {
        stmt = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/**
 * Every transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE). Several
 * connections write one file — the API thread, intake, detection, notifications, the CLI — and a
 * transaction that read first and wrote later would fail (SQLITE_BUSY_SNAPSHOT) whenever another
 * connection committed in between; waiting for the lock up front (busy_timeout) cannot fail so.
 * Reads outside transactions never wait (WAL).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly options: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(options);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.options);
  }
}
