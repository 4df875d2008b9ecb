/**
 * Backup and restore of the embedded default (issue 11): one file holding the whole SQLite
 * database (taken with SQLite's online backup, consistent while the server runs) and every file
 * of the evidence store (evidence and exported reports, by SHA-256). Restoring checks the file
 * (SQLite's integrity check, every stored file against its hash) before it replaces anything,
 * and refuses while the database is in use. PostgreSQL installations back up with pg_dump and a
 * copy of the evidence directory (README).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { DomainError } from '../domain/errors.js';
import type { Database } from './database.js';

const META = 'bihuan_backup_meta';
const FILES = 'bihuan_backup_files';
const FORMAT = 'bihuan-backup-1';

export interface BackupSummary {
  file: string;
  createdAt: string;
  /** rows per table of the product */
  tables: Record<string, number>;
  /** files of the evidence store included */
  files: number;
  bytes: number;
}

function evidenceFiles(root: string): Array<{ sha256: string; file: string }> {
  if (!fs.existsSync(root)) return [];
  const out: Array<{ sha256: string; file: string }> = [];
  for (const dir of fs.readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const name of fs.readdirSync(path.join(root, dir))) if (/^[0-9a-f]{64}$/.test(name) && name.startsWith(dir)) out.push({ sha256: name, file: path.join(root, dir, name) });
  }
  return out;
}

function counts(db: SQLite.Database): Record<string, number> {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'bihuan_backup_%' ORDER BY name`).all() as Array<{ name: string }>;
  return Object.fromEntries(tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n]));
}

/** Writes the database and the evidence store into `target` (which must not exist). */
export async function backupTo(database: Database, evidenceRoot: string, target: string, now: Date): Promise<BackupSummary> {
  if (!database.backup) {
    throw new DomainError('validation', 'bihuan backup makes backups of the embedded SQLite database; on PostgreSQL use pg_dump (see the README) and copy the evidence directory');
  }
  const out = path.resolve(target);
  if (fs.existsSync(out)) throw new DomainError('conflict', `${out} exists already: name a new file`);
  const partial = `${out}.partial`;
  fs.rmSync(partial, { force: true });
  try {
    await database.backup(partial);
    const db = new SQLite(partial);
    try {
      db.exec(`CREATE TABLE ${META} (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE ${FILES} (sha256 TEXT PRIMARY KEY, bytes BLOB NOT NULL)`);
      const insert = db.prepare(`INSERT INTO ${FILES} (sha256, bytes) VALUES (?, ?)`);
      let bytes = 0;
      const files = evidenceFiles(evidenceRoot);
      for (const f of files) {
        const content = fs.readFileSync(f.file);
        if (createHash('sha256').update(content).digest('hex') !== f.sha256) throw new DomainError('conflict', `the evidence file ${f.file} does not match its SHA-256: the store is damaged; nothing was backed up`);
        insert.run(f.sha256, content);
        bytes += content.length;
      }
      const tables = counts(db);
      const meta = { format: FORMAT, createdAt: now.toISOString(), source: database.describe, tables: JSON.stringify(tables) };
      const put = db.prepare(`INSERT INTO ${META} (key, value) VALUES (?, ?)`);
      for (const [k, v] of Object.entries(meta)) put.run(k, v);
      db.close();
      fs.renameSync(partial, out);
      return { file: out, createdAt: meta.createdAt, tables, files: files.length, bytes };
    } finally {
      if (db.open) db.close();
    }
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw e;
  }
}

/** Reads a backup file's summary after checking it whole: SQLite's integrity check and every stored file against its hash. */
export function checkBackup(file: string): BackupSummary {
  const where = path.resolve(file);
  if (!fs.existsSync(where)) throw new DomainError('not_found', `${where} does not exist`);
  let db: SQLite.Database;
  try {
    db = new SQLite(where, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new DomainError('validation', `${where} is not a Bihuan backup: ${(e as Error).message}`);
  }
  try {
    let meta: Record<string, string>;
    try {
      meta = Object.fromEntries((db.prepare(`SELECT key, value FROM ${META}`).all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
    } catch {
      throw new DomainError('validation', `${where} is not a Bihuan backup (no ${META} table): make one with bihuan backup`);
    }
    if (meta.format !== FORMAT) throw new DomainError('validation', `${where} is a backup of format ${meta.format ?? '?'}; this version reads ${FORMAT}`);
    const integrity = (db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    if (integrity.join() !== 'ok') throw new DomainError('validation', `${where} is damaged: ${integrity.slice(0, 3).join('; ')}`);
    let files = 0;
    let bytes = 0;
    for (const r of db.prepare(`SELECT sha256, bytes FROM ${FILES}`).iterate() as Iterable<{ sha256: string; bytes: Buffer }>) {
      if (createHash('sha256').update(r.bytes).digest('hex') !== r.sha256) throw new DomainError('validation', `${where} is damaged: the stored file ${r.sha256} does not match its hash`);
      files++;
      bytes += r.bytes.length;
    }
    return { file: where, createdAt: meta.createdAt ?? '', tables: JSON.parse(meta.tables ?? '{}') as Record<string, number>, files, bytes };
  } finally {
    db.close();
  }
}

/**
 * Replaces the SQLite database at `dbFile` and fills the evidence store from a checked backup.
 * Refuses when the database is in use (a running server), and — unless `force` — when it holds
 * data already.
 */
export function restoreFrom(file: string, dbFile: string, evidenceRoot: string, opts: { force?: boolean } = {}): BackupSummary {
  const summary = checkBackup(file);
  const target = path.resolve(dbFile);
  if (fs.existsSync(target) && fs.statSync(target).size > 0) {
    const current = new SQLite(target);
    try {
      current.pragma('busy_timeout = 0');
      try {
        // in exclusive locking mode this fails while any other connection has the database open (WAL or not)
        current.pragma('locking_mode = EXCLUSIVE');
        current.exec('BEGIN EXCLUSIVE');
        current.exec('ROLLBACK');
      } catch {
        throw new DomainError('conflict', `${target} is in use (is a Bihuan server running on it?): stop it first`);
      }
      const hasData = (current.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'incidents'`).get() as { n: number }).n > 0 && (current.prepare('SELECT count(*) AS n FROM incidents').get() as { n: number }).n > 0;
      if (hasData && !opts.force) throw new DomainError('conflict', `${target} holds incidents already: restoring replaces them all; run again with --force to do so`);
    } finally {
      current.close();
    }
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staged = `${target}.restoring`;
  fs.rmSync(staged, { force: true });
  fs.copyFileSync(path.resolve(file), staged);
  const db = new SQLite(staged);
  try {
    // the evidence first: a restored database never names a file the store lacks
    for (const r of db.prepare(`SELECT sha256, bytes FROM ${FILES}`).iterate() as Iterable<{ sha256: string; bytes: Buffer }>) {
      const dest = path.join(evidenceRoot, r.sha256.slice(0, 2), r.sha256);
      if (fs.existsSync(dest)) continue;
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(`${dest}.tmp`, r.bytes);
      fs.renameSync(`${dest}.tmp`, dest);
    }
    db.exec(`DROP TABLE ${FILES}; DROP TABLE ${META}`);
    db.exec('VACUUM'); // the stored files' pages are given back
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
  fs.renameSync(staged, target);
  return summary;
}
