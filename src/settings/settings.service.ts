/**
 * The organisation's preparation data (准备): grading table, SLA policy, playbooks, org units.
 * Every write is validated whole before anything is stored and audited on the same transaction.
 */
import type { Kysely } from 'kysely';
import { type Actor, actorLabel } from '../domain/account/roles.js';
import { DomainError, type FieldProblem, validationError } from '../domain/errors.js';
import { DEFAULT_GRADING, type GradingEntry, type GradingTable, type Level, isLevel, validateGradingEntries } from '../domain/grading/grading.js';
import { DEFAULT_PLAYBOOKS, type Playbook, type Playbooks, validatePlaybook, validatePlaybooks } from '../domain/incident/playbook.js';
import { DEFAULT_SLA, type SlaPolicy, validateSlaPolicy } from '../domain/incident/sla.js';
import { writeAudit } from '../audit/audit.repository.js';
import type { DB } from '../store/schema.js';
import * as repo from './settings.repository.js';
import type { OrgUnit } from './settings.repository.js';
import { type TimeZoneSetting, validateTimeZoneSetting } from '../domain/alert/time-zone.js';
import { bumpCacheGeneration } from '../store/cache-generation.js';
import { DEFAULT_ZONES, type NetworkZones, validateZones } from '../domain/alert/network.js';

export const SYSTEM: Actor = { kind: 'system', label: 'bihuan' };

const TIME_ZONE_SETTING = 'time_zone';

/** The time zone setting in force and where it comes from: saved in the settings, the configuration (BIHUAN_TIMEZONE / YAML), or the machine's zone (not chosen). */
export interface TimeZoneInForce {
  setting: TimeZoneSetting;
  from: 'settings' | 'configured' | 'machine';
}

export interface SettingsDocument {
  grading: GradingEntry[];
  sla: SlaPolicy;
  playbooks: Playbooks;
  orgUnits: OrgUnit[];
  /** internal ranges, internet-facing hosts, each org unit's ranges */
  network?: NetworkZones;
  /** the organisation's zone and the sources that keep another (absent from documents of before it was a setting) */
  timeZone?: TimeZoneSetting;
}

const ORG_CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

export function validateOrgUnit(input: { code?: unknown; name?: unknown; kind?: unknown }, at = ''): OrgUnit {
  const p = at ? `${at}/` : '';
  if (typeof input.code !== 'string' || !ORG_CODE.test(input.code)) {
    throw validationError(`${p}code`, 'a code of 1–32 letters, digits, "_" or "-" is required (e.g. HQ, SH)');
  }
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 100) throw validationError(`${p}name`, 'a name of 1–100 characters is required');
  if (input.kind !== 'hq' && input.kind !== 'branch') throw validationError(`${p}kind`, 'must be "hq" or "branch"');
  return { code: input.code, name, kind: input.kind };
}

/** The network zones in force (the defaults until someone sets them). */
export async function readNetworkZones(db: Kysely<DB>): Promise<NetworkZones> {
  return (await repo.getSetting<NetworkZones>(db, 'network')) ?? DEFAULT_ZONES;
}

/**
 * Checks network zones whole — every range, every org unit they name among `units` — and
 * returns them; nothing is written.
 */
export function checkNetworkZones(input: unknown, units: ReadonlySet<string>, at = ''): NetworkZones {
  let zones: NetworkZones;
  try {
    zones = validateZones(input);
  } catch (e) {
    // name where in the document the bad range is
    const problem = e instanceof DomainError && Array.isArray(e.details) ? (e.details[0] as FieldProblem | undefined) : undefined;
    if (at && problem) throw validationError(problem.field === 'network' ? at : `${at}/${problem.field}`, problem.message);
    throw e;
  }
  for (const code of Object.keys(zones.orgUnits)) {
    if (!units.has(code)) throw validationError(`${at ? `${at}/` : ''}orgUnits/${code}`, `org unit "${code}" does not exist`);
  }
  return zones;
}

/** A setting every process keeps in hand (zones, time zone) saved on `trx` with its audit row; each process reads it again at its next batch. */
async function saveSharedSetting(trx: Kysely<DB>, actor: Actor, key: string, action: string, before: unknown, after: unknown, at: string): Promise<void> {
  await writeAudit(trx, { actor, action, entityType: 'settings', entityId: key, before, after, at });
  await repo.putSetting(trx, key, after, at, actorLabel(actor));
  await bumpCacheGeneration(trx);
}

/** Saves checked network zones on `trx`, audited; every process reads them again at its next batch. */
export async function writeNetworkZones(trx: Kysely<DB>, actor: Actor, zones: NetworkZones, at: string): Promise<void> {
  await saveSharedSetting(trx, actor, 'network', 'network.set', await readNetworkZones(trx), zones, at);
}

export class SettingsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    /** the configuration's zone (BIHUAN_TIMEZONE, YAML, else the machine's): in force until one is saved */
    private readonly configuredZone: { zone: string; from: 'configured' | 'machine' } = { zone: 'UTC', from: 'machine' },
  ) {}

  async timeZoneInForce(db: Kysely<DB> = this.db): Promise<TimeZoneInForce> {
    const saved = await repo.getSetting<TimeZoneSetting>(db, TIME_ZONE_SETTING);
    return saved ? { setting: saved, from: 'settings' } : { setting: { zone: this.configuredZone.zone, sources: [] }, from: this.configuredZone.from };
  }

  /** The time zone setting in force: the saved one, else the configuration's zone without per-source overrides. */
  async timeZone(db: Kysely<DB> = this.db): Promise<TimeZoneSetting> {
    return (await this.timeZoneInForce(db)).setting;
  }

  /** Saves the organisation's zone and per-source overrides; every process reads them at its next batch. */
  async setTimeZone(actor: Actor, input: unknown): Promise<TimeZoneSetting> {
    const setting = validateTimeZoneSetting(input);
    return this.db.transaction().execute(async (trx) => {
      await this.writeTimeZone(trx, actor, setting);
      return setting;
    });
  }

  private async writeTimeZone(trx: Kysely<DB>, actor: Actor, setting: TimeZoneSetting): Promise<void> {
    await saveSharedSetting(trx, actor, TIME_ZONE_SETTING, 'time_zone.set', await this.timeZone(trx), setting, this.now().toISOString());
  }

  /** First start: the default grading table, SLA policy, playbooks and the HQ org unit. Idempotent. */
  async ensureDefaults(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const at = this.now().toISOString();
      if (!(await repo.currentGrading(trx))) {
        const table: GradingTable = { version: 1, entries: [...DEFAULT_GRADING], note: 'default (domain grading table)', createdAt: at, createdBy: actorLabel(SYSTEM) };
        await repo.insertGradingVersion(trx, table);
        await writeAudit(trx, { actor: SYSTEM, action: 'grading.set', entityType: 'grading', entityId: 1, after: table, at });
      }
      if (!(await repo.getSetting(trx, 'sla'))) {
        await repo.putSetting(trx, 'sla', DEFAULT_SLA, at, actorLabel(SYSTEM));
        await writeAudit(trx, { actor: SYSTEM, action: 'sla.set', entityType: 'settings', entityId: 'sla', after: DEFAULT_SLA, at });
      }
      if (!(await repo.getSetting(trx, 'playbooks'))) {
        await repo.putSetting(trx, 'playbooks', DEFAULT_PLAYBOOKS, at, actorLabel(SYSTEM));
        await writeAudit(trx, { actor: SYSTEM, action: 'playbooks.set', entityType: 'settings', entityId: 'playbooks', after: DEFAULT_PLAYBOOKS, at });
      }
      if ((await repo.listOrgUnits(trx)).length === 0) {
        const hq = { code: 'HQ', name: '总部', kind: 'hq', created_at: at };
        await trx.insertInto('org_units').values(hq).execute();
        await writeAudit(trx, { actor: SYSTEM, action: 'org_unit.create', entityType: 'org_unit', entityId: 'HQ', after: hq, at });
      }
    });
  }

  async grading(db: Kysely<DB> = this.db): Promise<GradingTable> {
    const t = await repo.currentGrading(db);
    if (!t) throw new DomainError('internal', 'no grading table: the database was not initialised');
    return t;
  }

  async gradingAt(version: number): Promise<GradingTable> {
    const t = await repo.gradingVersion(this.db, version);
    if (!t) throw new DomainError('not_found', `grading table version ${version} does not exist`);
    return t;
  }

  gradingHistory() {
    return repo.gradingVersions(this.db);
  }

  async setGrading(actor: Actor, entries: GradingEntry[], note: string | null): Promise<GradingTable> {
    const valid = validateGradingEntries(entries);
    return this.db.transaction().execute((trx) => this.writeGrading(trx, actor, valid, note));
  }

  /** Change one type's level (or add the type), keeping the rest of the table. */
  async setGradingLevel(actor: Actor, type: string, level: number, names?: { nameZh?: string; nameEn?: string }, note?: string): Promise<GradingTable> {
    if (!isLevel(level)) throw validationError('level', `level must be 1, 2, 3 or 4, got ${level}`);
    return this.db.transaction().execute(async (trx) => {
      const current = await this.grading(trx);
      const existing = current.entries.find((e) => e.type === type);
      if (!existing && !(names?.nameZh && names?.nameEn)) {
        throw validationError('type', `"${type}" is not in the table; to add it give both a Chinese and an English name`);
      }
      const entry: GradingEntry = { type, level, nameZh: names?.nameZh ?? existing!.nameZh, nameEn: names?.nameEn ?? existing!.nameEn };
      const entries = existing ? current.entries.map((e) => (e.type === type ? entry : e)) : [...current.entries, entry];
      return this.writeGrading(trx, actor, validateGradingEntries(entries), note ?? `${type} → level ${level}`);
    });
  }

  private async writeGrading(trx: Kysely<DB>, actor: Actor, entries: GradingEntry[], note: string | null): Promise<GradingTable> {
    const current = await this.grading(trx);
    const at = this.now().toISOString();
    const next: GradingTable = { version: current.version + 1, entries, note: note?.slice(0, 500) ?? null, createdAt: at, createdBy: actorLabel(actor) };
    await repo.insertGradingVersion(trx, next);
    await writeAudit(trx, { actor, action: 'grading.set', entityType: 'grading', entityId: next.version, before: current.entries, after: entries, at });
    return next;
  }

  async sla(db: Kysely<DB> = this.db): Promise<SlaPolicy> {
    return (await repo.getSetting<SlaPolicy>(db, 'sla')) ?? DEFAULT_SLA;
  }

  async setSla(actor: Actor, input: unknown): Promise<SlaPolicy> {
    const policy = validateSlaPolicy(input);
    return this.db.transaction().execute(async (trx) => {
      const before = await this.sla(trx);
      const at = this.now().toISOString();
      await repo.putSetting(trx, 'sla', policy, at, actorLabel(actor));
      await writeAudit(trx, { actor, action: 'sla.set', entityType: 'settings', entityId: 'sla', before, after: policy, at });
      return policy;
    });
  }

  async playbooks(db: Kysely<DB> = this.db): Promise<Playbooks> {
    return (await repo.getSetting<Playbooks>(db, 'playbooks')) ?? DEFAULT_PLAYBOOKS;
  }

  async playbook(level: Level, db: Kysely<DB> = this.db): Promise<Playbook> {
    return (await this.playbooks(db))[`${level}`];
  }

  async setPlaybook(actor: Actor, level: number, input: { name?: unknown; tasks?: unknown }): Promise<Playbook> {
    if (!isLevel(level)) throw validationError('level', `level must be 1, 2, 3 or 4, got ${level}`);
    const pb = validatePlaybook(level, input);
    return this.db.transaction().execute(async (trx) => {
      const all = await this.playbooks(trx);
      const at = this.now().toISOString();
      await repo.putSetting(trx, 'playbooks', { ...all, [`${level}`]: pb }, at, actorLabel(actor));
      await writeAudit(trx, { actor, action: 'playbook.set', entityType: 'playbook', entityId: level, before: all[`${level}`], after: pb, at });
      return pb;
    });
  }

  orgUnits(db: Kysely<DB> = this.db): Promise<OrgUnit[]> {
    return repo.listOrgUnits(db);
  }

  async saveOrgUnit(actor: Actor, input: { code?: unknown; name?: unknown; kind?: unknown }): Promise<OrgUnit> {
    const unit = validateOrgUnit(input);
    return this.db.transaction().execute(async (trx) => {
      await this.upsertOrgUnit(trx, actor, unit);
      return unit;
    });
  }

  private async upsertOrgUnit(trx: Kysely<DB>, actor: Actor, unit: OrgUnit): Promise<void> {
    const at = this.now().toISOString();
    const before = await repo.findOrgUnit(trx, unit.code);
    if (before && before.name === unit.name && before.kind === unit.kind) return;
    if (before) await trx.updateTable('org_units').set({ name: unit.name, kind: unit.kind }).where('code', '=', unit.code).execute();
    else await trx.insertInto('org_units').values({ ...unit, created_at: at }).execute();
    await writeAudit(trx, { actor, action: before ? 'org_unit.update' : 'org_unit.create', entityType: 'org_unit', entityId: unit.code, before, after: unit, at });
  }

  async exportAll(): Promise<SettingsDocument> {
    return {
      grading: (await this.grading()).entries,
      sla: await this.sla(),
      playbooks: await this.playbooks(),
      orgUnits: await this.orgUnits(),
      network: await readNetworkZones(this.db),
      timeZone: await this.timeZone(),
    };
  }

  /**
   * Applies an exported document. Each part present is validated before anything is written;
   * then all of it is applied on one transaction. Org units are added or renamed, never removed
   * (incidents refer to them). Returns what changed.
   */
  async importAll(actor: Actor, doc: unknown): Promise<string[]> {
    const SECTIONS = ['grading', 'sla', 'playbooks', 'orgUnits', 'network', 'timeZone'];
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw validationError('document', `a settings document is an object with any of ${SECTIONS.join(', ')}`);
    const d = doc as Record<string, unknown>;
    const unknownKeys = Object.keys(d).filter((k) => !SECTIONS.includes(k));
    if (unknownKeys.length) throw validationError(unknownKeys[0]!, `not a settings section (expected ${SECTIONS.join(', ')})`);
    if (!Array.isArray(d.grading) && d.grading !== undefined) throw validationError('grading', 'must be a list of {type, nameZh, nameEn, level}');
    const grading = d.grading ? validateGradingEntries(d.grading as GradingEntry[]) : undefined;
    const sla = d.sla !== undefined ? validateSlaPolicy(d.sla) : undefined;
    const playbooks = d.playbooks !== undefined ? validatePlaybooks(d.playbooks) : undefined;
    if (d.orgUnits !== undefined && !Array.isArray(d.orgUnits)) throw validationError('orgUnits', 'must be a list of {code, name, kind}');
    const orgUnits = (d.orgUnits as unknown[] | undefined)?.map((u, i) => validateOrgUnit(u as Record<string, unknown>, `orgUnits/${i}`));
    const timeZone = d.timeZone !== undefined ? validateTimeZoneSetting(d.timeZone, 'timeZone') : undefined;
    // the zones may name org units the same document adds
    const units = new Set([...(await this.orgUnits()).map((u) => u.code), ...(orgUnits ?? []).map((u) => u.code)]);
    const network = d.network !== undefined ? checkNetworkZones(d.network, units, 'network') : undefined;

    return this.db.transaction().execute(async (trx) => {
      const changed: string[] = [];
      const at = this.now().toISOString();
      if (grading && JSON.stringify(grading) !== JSON.stringify((await this.grading(trx)).entries)) {
        await this.writeGrading(trx, actor, grading, 'settings import');
        changed.push('grading');
      }
      if (sla && JSON.stringify(sla) !== JSON.stringify(await this.sla(trx))) {
        await writeAudit(trx, { actor, action: 'sla.set', entityType: 'settings', entityId: 'sla', before: await this.sla(trx), after: sla, at });
        await repo.putSetting(trx, 'sla', sla, at, actorLabel(actor));
        changed.push('sla');
      }
      if (playbooks && JSON.stringify(playbooks) !== JSON.stringify(await this.playbooks(trx))) {
        await writeAudit(trx, { actor, action: 'playbooks.set', entityType: 'settings', entityId: 'playbooks', before: await this.playbooks(trx), after: playbooks, at });
        await repo.putSetting(trx, 'playbooks', playbooks, at, actorLabel(actor));
        changed.push('playbooks');
      }
      if (timeZone && JSON.stringify(timeZone) !== JSON.stringify(await this.timeZone(trx))) {
        await this.writeTimeZone(trx, actor, timeZone);
        changed.push('timeZone');
      }
      for (const u of orgUnits ?? []) {
        const before = await repo.findOrgUnit(trx, u.code);
        if (!before || before.name !== u.name || before.kind !== u.kind) {
          await this.upsertOrgUnit(trx, actor, u);
          changed.push(`orgUnit:${u.code}`);
        }
      }
      if (network && JSON.stringify(network) !== JSON.stringify(await readNetworkZones(trx))) {
        await writeNetworkZones(trx, actor, network, at);
        changed.push('network');
      }
      return changed;
    });
  }
}
