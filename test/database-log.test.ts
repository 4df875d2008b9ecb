/**
 * The SQLite write-ahead log kept from growing without end beside searches (issue 12): while a
 * reader stays on the log it cannot start again (the checkpoint gives up within its short wait and
 * nothing is lost); once the reader is done, the writer checkpoints it and starts it from the
 * beginning, so later commits reuse the file instead of growing it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/database.js';

describe('write-ahead log restart (SQLite)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-wal-'));
  const file = path.join(dir, 'log.db');
  const database = openDatabase(file);
  afterAll(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const walBytes = () => fs.statSync(`${file}-wal`).size;
  const write = async (rows: number) => {
    for (let i = 0; i < rows; i += 100) await sql`insert into t (v) select ${'x'.repeat(2000)} from (select 1 union all select 2 union all select 3 union all select 4 union all select 5) a, (select 1 union all select 2 union all select 3 union all select 4 union all select 5) b, (select 1 union all select 2 union all select 3 union all select 4) c`.execute(database.db);
  };

  it('waits for no reader beyond its short wait, and restarts the log once the reader is gone', async () => {
    await sql`create table t (id integer primary key, v text)`.execute(database.db);
    await sql`pragma wal_autocheckpoint = 0`.execute(database.db);
    const reader = new SQLite(file, { readonly: true });
    try {
      // a search in progress: a read transaction on the log
      reader.prepare('begin').run();
      reader.prepare('select count(*) from t').get();
      await write(2000);
      const grown = walBytes();
      expect(grown).toBeGreaterThan(1 << 20);
      expect(await database.restartLog!(64 * 1024, 50)).toBe(false);
      expect((reader.prepare('select count(*) n from t').get() as { n: number }).n).toBe(0); // its snapshot stands
      reader.prepare('commit').run();
      expect(await database.restartLog!(64 * 1024, 50)).toBe(true);
      // the next commits write from the start of the file: it does not grow
      await write(1000);
      expect(walBytes()).toBeLessThanOrEqual(grown);
      expect((await sql<{ n: number }>`select count(*) n from t`.execute(database.db)).rows[0]!.n).toBe(3000);
    } finally {
      reader.close();
    }
    // below the size asked for, nothing is done
    expect(await database.restartLog!(1 << 30, 50)).toBe(false);
  });
});
