/**
 * Assets in address order (issue 14: the inventory sorted "10.164.2.100" before "10.164.2.11"):
 * each asset's address as a fixed-width key (32 hex digits of its IPv6 form, IPv4 mapped — as
 * ipKey in src/domain/alert/network.ts; a migration keeps its own copy, so that it never changes),
 * indexed; the list pages through it and finds a CIDR as a range of it.
 */
import ipaddr from 'ipaddr.js';
import { type Kysely, sql } from 'kysely';

function key(ip: string): string | null {
  try {
    const a = ipaddr.process(ip);
    const v6 = a.kind() === 'ipv4' ? (a as ipaddr.IPv4).toIPv4MappedAddress() : (a as ipaddr.IPv6);
    return v6.toByteArray().map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('assets').addColumn('ip_key', 'text').execute();
  const rows = (await db.selectFrom('assets').select('ip').execute()) as Array<{ ip: string }>;
  for (const r of rows) await db.updateTable('assets').set({ ip_key: key(r.ip) }).where('ip', '=', r.ip).execute();
  await db.schema.createIndex('assets_ip_key_idx').on('assets').column('ip_key').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists assets_ip_key_idx`.execute(db);
  await db.schema.alterTable('assets').dropColumn('ip_key').execute();
}
