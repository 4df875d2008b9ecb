import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDatabase, createTestDatabase } from '../../test/support/dialects.js';
import { SettingsService } from '../settings/settings.service.js';
import { nextSequence } from '../incident/incident.repository.js';
import { writeAudit } from '../audit/audit.repository.js';
import { type Database, openDatabase } from './database.js';
import { MIGRATIONS, migrateToLatest } from './migrate.js';

for (const dialect of DIALECTS) {
  describe(`storage on ${dialect}`, () => {
    let t: TestDatabase;
    let database: Database;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      database = openDatabase(t.url);
    });
    afterAll(async () => {
      await database.close();
      await t.drop();
    });

    it('applies every migration once; a second run does nothing', async () => {
      const first = await migrateToLatest(database.db);
      expect(first.applied).toEqual(Object.keys(MIGRATIONS));
      const second = await migrateToLatest(database.db);
      expect(second.applied).toEqual([]);
    });

    if (dialect === 'sqlite') {
      it('the embedded database runs in WAL mode with foreign keys enforced', async () => {
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
        expect(mode.rows[0]?.journal_mode).toBe('wal');
        const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(database.db);
        expect(fk.rows[0]?.foreign_keys).toBe(1);
      });
    }

    it('refuses a child row pointing at a missing incident (foreign keys)', async () => {
      await expect(
        database.db.insertInto('comments').values({ incident_id: 'INC-20260101-9999', author: 'x', author_id: null, text: 'x', created_at: new Date().toISOString() }).execute(),
      ).rejects.toThrow();
    });

    it('seeds the defaults once: grading table v1, SLA, playbooks, the HQ org unit', async () => {
      const s = new SettingsService(database.db, () => new Date());
      await s.ensureDefaults();
      await s.ensureDefaults();
      expect((await s.grading()).version).toBe(1);
      expect((await s.grading()).entries).toHaveLength(8);
      expect(await s.orgUnits()).toEqual([{ code: 'HQ', name: '总部', kind: 'hq' }]);
      expect((await database.db.selectFrom('grading_versions').select('version').execute()).length).toBe(1);
    });

    it('keeps the audit trail append-only: the database refuses UPDATE and DELETE', async () => {
      await writeAudit(database.db, { actor: { kind: 'system', label: 't' }, action: 'x', entityType: 'x', entityId: 1, at: new Date().toISOString() });
      await expect(database.db.updateTable('audit_log').set({ action: 'tampered' }).execute()).rejects.toThrow(/append-only/);
      await expect(database.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    });

    it('numbers incidents of a day without gaps or repeats under concurrent creation', async () => {
      const got = await Promise.all(Array.from({ length: 20 }, () => database.db.transaction().execute((trx) => nextSequence(trx, '20261125'))));
      expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await nextSequence(database.db, '20261126')).toBe(1);
    });
  });
}
