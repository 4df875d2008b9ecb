/**
 * The asset inventory: imported from CSV, kept current by re-import (merge, or replace the
 * whole inventory), and held in memory to enrich every alert with the host behind an address.
 */
import type { Kysely } from 'kysely';
import { writeAudit } from '../audit/audit.repository.js';
import type { Actor } from '../domain/account/roles.js';
import { type Asset, type AssetProblem, parseAssetCsv } from '../domain/alert/asset.js';
import { cidrKeyRange, ipKey, parseIp } from '../domain/alert/network.js';
import { validationError } from '../domain/errors.js';
import { listOrgUnits } from '../settings/settings.repository.js';
import { containsText } from '../store/like.js';
import type { DB } from '../store/schema.js';
import { bumpCacheGeneration } from '../store/cache-generation.js';

/** The inventory in memory: by address, and by host name (full or its first label, any case). */
export interface AssetIndex {
  readonly size: number;
  get(ip: string): Asset | undefined;
  byName(name: string): Asset | undefined;
}

function indexOf(assets: Asset[]): AssetIndex {
  const byIp = new Map(assets.map((a) => [a.ip, a]));
  const names = new Map<string, Asset>();
  for (const a of assets) {
    if (!a.hostname) continue;
    const full = a.hostname.toLowerCase();
    names.set(full, a);
    const short = full.split('.')[0]!;
    if (!names.has(short)) names.set(short, a);
  }
  return {
    size: byIp.size,
    get: (ip) => byIp.get(ip),
    byName: (name) => {
      const n = name.toLowerCase();
      return names.get(n) ?? names.get(n.split('.')[0]!);
    },
  };
}

export interface AssetImportResult {
  imported: number;
  removed: number;
  problems: AssetProblem[];
  total: number;
}

function keyOf(ip: string): string | null {
  const a = parseIp(ip);
  return a ? ipKey(a) : null;
}

/** An address or CIDR as a range of address keys; undefined when it is not one (then it is text). */
function cidrRange(text: string): [string, string] | undefined {
  try {
    return cidrKeyRange(text, 'q');
  } catch {
    return undefined;
  }
}

function fromRow(r: { ip: string; hostname: string | null; org_unit: string | null; zone: string | null; owner: string | null; business_system: string | null; criticality: number | null }): Asset {
  return { ip: r.ip, hostname: r.hostname, orgUnit: r.org_unit, zone: r.zone, owner: r.owner, businessSystem: r.business_system, criticality: r.criticality };
}

export class AssetService {
  private index?: Promise<AssetIndex>;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
  ) {}

  /** Drops the index (another process changed the inventory): the next lookup reloads it. */
  forget(): void {
    this.index = undefined;
  }

  lookupIndex(): Promise<AssetIndex> {
    return (this.index ??= this.db
      .selectFrom('assets')
      .selectAll()
      .execute()
      .then((rows) => indexOf(rows.map(fromRow))));
  }

  async import(actor: Actor, text: string, opts: { replace?: boolean } = {}): Promise<AssetImportResult> {
    const { assets, problems } = parseAssetCsv(text);
    const units = new Set((await listOrgUnits(this.db)).map((u) => u.code));
    const good = assets.filter((a) => {
      if (a.orgUnit && !units.has(a.orgUnit)) {
        problems.push({ row: a.row ?? 0, field: 'orgUnit', reason: `${a.ip}: org unit "${a.orgUnit}" does not exist (known: ${[...units].join(', ')})`, rule: 'unknownOrgUnit', params: { ip: a.ip, orgUnit: a.orgUnit!, known: [...units].join(', ') } });
        return false;
      }
      return true;
    });
    problems.sort((x, y) => x.row - y.row);
    if (good.length === 0) throw validationError('file', `no usable asset row${problems.length ? `; first problem: ${problems[0]!.reason}` : ''}`);
    const at = this.now().toISOString();
    let removed = 0;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < good.length; i += 500) {
        const rows = good.slice(i, i + 500).map((a) => ({
          ip: a.ip,
          hostname: a.hostname,
          org_unit: a.orgUnit,
          zone: a.zone,
          owner: a.owner,
          business_system: a.businessSystem,
          criticality: a.criticality,
          updated_at: at,
          ip_key: keyOf(a.ip),
        }));
        await trx
          .insertInto('assets')
          .values(rows)
          .onConflict((oc) =>
            oc.column('ip').doUpdateSet((eb) => ({
              hostname: eb.ref('excluded.hostname'),
              org_unit: eb.ref('excluded.org_unit'),
              zone: eb.ref('excluded.zone'),
              owner: eb.ref('excluded.owner'),
              business_system: eb.ref('excluded.business_system'),
              criticality: eb.ref('excluded.criticality'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      if (opts.replace) {
        // the file is the whole inventory: hosts it does not list are gone
        const listed = new Set(good.map((a) => a.ip));
        const gone = (await trx.selectFrom('assets').select('ip').execute()).map((r) => r.ip).filter((ip) => !listed.has(ip));
        for (let i = 0; i < gone.length; i += 500) await trx.deleteFrom('assets').where('ip', 'in', gone.slice(i, i + 500)).execute();
        removed = gone.length;
      }
      await bumpCacheGeneration(trx);
      await writeAudit(trx, { actor, action: 'assets.import', entityType: 'assets', entityId: 'inventory', after: { imported: good.length, removed, problems: problems.length, replace: !!opts.replace }, at });
    });
    this.index = undefined;
    const total = (await this.lookupIndex()).size;
    return { imported: good.length, removed, problems: problems.slice(0, 1000), total };
  }

  /** Assets in address order, a page at a time; `q` is an address or CIDR (a range of addresses), else text in the address, hostname, business system or owner. */
  async list(q: { orgUnit?: string; q?: string; limit: number; offset?: number }) {
    let query = this.filtered(q).selectAll().orderBy('ip_key').orderBy('ip').limit(q.limit);
    if (q.offset) query = query.offset(q.offset);
    return (await query.execute()).map(fromRow);
  }

  /** How many assets the same filter finds (the console's pager). */
  async count(q: { orgUnit?: string; q?: string }): Promise<number> {
    return Number((await this.filtered(q).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  }

  private filtered(q: { orgUnit?: string; q?: string }) {
    let query = this.db.selectFrom('assets');
    if (q.orgUnit) query = query.where('org_unit', '=', q.orgUnit);
    const text = q.q?.trim();
    if (text) {
      // a whole address or network (a dotted quad, or IPv6); "10.164" is text: the addresses that begin so
      const range = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$|^[0-9a-f]*:[0-9a-f:.]*(\/\d{1,3})?$/i.test(text) ? cidrRange(text) : undefined;
      query = range
        ? query.where('ip_key', '>=', range[0]).where('ip_key', '<=', range[1])
        : query.where((eb) => eb.or(['ip', 'hostname', 'business_system', 'owner'].map((c) => containsText(c, text))));
    }
    return query;
  }
}
