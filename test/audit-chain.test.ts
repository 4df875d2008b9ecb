/**
 * The tamper-evident audit trail (issue 11), on each dialect, through the CLI: every change's
 * audit row is chained to the one before; `bihuan audit verify` says the trail is intact, and
 * after someone with database access edits a row, removes one or slips one in, it names the
 * first row that breaks and exits 1.
 */
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOn } from './support/cli.js';
import { DIALECTS, type TestDatabase, createTestDatabase } from './support/dialects.js';

for (const dialect of DIALECTS) {
  describe(`the audit chain on ${dialect}`, () => {
    let t: TestDatabase;
    let raw: Kysely<any>;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      raw = new Kysely<any>({
        dialect: dialect === 'sqlite' ? new SqliteDialect({ database: new SQLite(t.url.replace(/^sqlite:/, '')) }) : new PostgresDialect({ pool: new pg.Pool({ connectionString: t.url, max: 1 }) }),
      });
    });
    afterAll(async () => {
      await raw?.destroy();
      await t?.drop();
    });

    const cli = (...args: string[]) => cliOn(t)(...args);

    it('says an untouched trail is intact, and names the first row changed, removed or inserted', async () => {
      for (const title of ['一', '二', '三']) expect((await cli('incident', 'create', '--title', `事件${title}`, '--type', 'scanning')).code).toBe(0);
      const intact = await cli('audit', 'verify');
      expect(intact.code).toBe(0);
      const rows = (await raw.selectFrom('audit_log').select(['id', 'after']).orderBy('id').execute()) as Array<{ id: number; after: string }>;
      expect(intact.out).toContain(`audit trail intact: ${rows.length} row(s) chained`);

      // someone with the database's owner rights first drops the append-only triggers
      if (dialect === 'sqlite') {
        await sql`DROP TRIGGER audit_log_no_update`.execute(raw);
        await sql`DROP TRIGGER audit_log_no_delete`.execute(raw);
      } else await sql`DROP TRIGGER audit_log_append_only ON audit_log`.execute(raw);
      // an edited row
      const target = rows[2]!;
      await raw.updateTable('audit_log').set({ after: target.after.replace('事件', '改过的事件') }).where('id', '=', target.id).execute();
      const edited = await cli('audit', 'verify');
      expect(edited.code).toBe(1);
      expect(edited.out).toContain(`BROKEN at row ${target.id}: its content does not match its hash`);
      await raw.updateTable('audit_log').set({ after: target.after }).where('id', '=', target.id).execute();
      expect((await cli('audit', 'verify')).code).toBe(0);

      // a removed row: the one after it no longer follows
      await raw.deleteFrom('audit_log').where('id', '=', rows[1]!.id).execute();
      const removed = await cli('audit', 'verify');
      expect(removed.code).toBe(1);
      expect(removed.out).toContain(`BROKEN at row ${rows[2]!.id}: does not follow the row before it`);
    });
  });
}
