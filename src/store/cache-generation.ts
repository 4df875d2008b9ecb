/**
 * What intake holds in memory from the database — network zones, threat indicators, the asset
 * inventory — is loaded once per process. Whoever changes one of them bumps this generation on
 * the same transaction; every other process (a role worker, another node on PostgreSQL, the CLI)
 * sees the new generation at its next batch and reloads.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.js';

const NAME = 'cache_generation';

export async function bumpCacheGeneration(db: Kysely<DB>): Promise<void> {
  await db
    .insertInto('detection_state')
    .values({ name: NAME, value: '1' })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`cast(cast(detection_state.value as integer) + 1 as text)` }))
    .execute();
}

export async function cacheGeneration(db: Kysely<DB>): Promise<string> {
  return (await db.selectFrom('detection_state').select('value').where('name', '=', NAME).executeTakeFirst())?.value ?? '0';
}
