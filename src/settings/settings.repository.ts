import type { Kysely } from 'kysely';
import { validationError } from '../domain/errors.js';
import type { GradingEntry, GradingTable } from '../domain/grading/grading.js';
import type { DB } from '../store/schema.js';

export async function currentGrading(db: Kysely<DB>): Promise<GradingTable | undefined> {
  const row = await db.selectFrom('grading_versions').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row && toTable(row);
}

export async function gradingVersion(db: Kysely<DB>, version: number): Promise<GradingTable | undefined> {
  const row = await db.selectFrom('grading_versions').selectAll().where('version', '=', version).executeTakeFirst();
  return row && toTable(row);
}

export async function gradingVersions(db: Kysely<DB>): Promise<Array<Omit<GradingTable, 'entries'>>> {
  const rows = await db.selectFrom('grading_versions').select(['version', 'note', 'created_at', 'created_by']).orderBy('version', 'desc').execute();
  return rows.map((r) => ({ version: r.version, note: r.note, createdAt: r.created_at, createdBy: r.created_by }));
}

export async function insertGradingVersion(db: Kysely<DB>, t: GradingTable): Promise<void> {
  await db
    .insertInto('grading_versions')
    .values({ version: t.version, entries: JSON.stringify(t.entries), note: t.note, created_at: t.createdAt, created_by: t.createdBy })
    .execute();
}

function toTable(row: { version: number; entries: string; note: string | null; created_at: string; created_by: string }): GradingTable {
  return { version: row.version, entries: JSON.parse(row.entries) as GradingEntry[], note: row.note, createdAt: row.created_at, createdBy: row.created_by };
}

export async function getSetting<T>(db: Kysely<DB>, key: string): Promise<T | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export async function putSetting(db: Kysely<DB>, key: string, value: unknown, at: string, by: string): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json, updated_at: at, updated_by: by })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: at, updated_by: by }))
    .execute();
}

export interface OrgUnit {
  code: string;
  name: string;
  kind: 'hq' | 'branch';
}

export async function listOrgUnits(db: Kysely<DB>): Promise<OrgUnit[]> {
  const rows = await db.selectFrom('org_units').select(['code', 'name', 'kind']).orderBy('code').execute();
  return rows.map((r) => ({ code: r.code, name: r.name, kind: r.kind === 'hq' ? 'hq' : 'branch' }));
}

export async function findOrgUnit(db: Kysely<DB>, code: string): Promise<OrgUnit | undefined> {
  const r = await db.selectFrom('org_units').select(['code', 'name', 'kind']).where('code', '=', code).executeTakeFirst();
  return r && { code: r.code, name: r.name, kind: r.kind === 'hq' ? 'hq' : 'branch' };
}

/** For input that names an org unit: a validation error on `field` when it does not exist. */
export async function requireOrgUnit(db: Kysely<DB>, code: string, field: string): Promise<OrgUnit> {
  const unit = await findOrgUnit(db, code);
  if (!unit) throw validationError(field, `org unit "${code}" does not exist`);
  return unit;
}
