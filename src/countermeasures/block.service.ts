/**
 * Countermeasures (issue 16): block-list entries made from an incident (or an indicator, or
 * alerts), renewed, lifted early with a reason, ended by their expiry; held for a second person's
 * approval when they would cut off a critical host or touch the allow-list; served as external
 * dynamic lists to the firewalls' read-only tokens; and verified by the alerts that follow.
 * Every change is on the incident's timeline (which the live view, the notification rules and a
 * webhook read) and in the audit trail.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashSecret, randomSecret } from '../account/password.js';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import {
  type AllowEntry,
  type BlockKind,
  type BlockStatus,
  CRITICAL,
  DEFAULT_LIST,
  LIST_NAME,
  type Verification,
  approvalNeeded,
  blockEntry,
  blockExpiry,
  checkAllowList,
  edlText,
  statusAt,
  verification,
  verificationSummary,
} from '../domain/countermeasures/block.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import * as settingsRepo from '../settings/settings.repository.js';
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import type { BlockRow, DB } from '../store/schema.js';

export interface Block {
  id: number;
  list: string;
  kind: BlockKind;
  value: string;
  status: BlockStatus;
  incidentId: string | null;
  orgUnit: string;
  reason: string;
  owner: string;
  /** why it waits for a second person (pending), in Chinese and English */
  approvalReason: { zh: string; en: string } | null;
  requestedBy: string;
  approvedBy: string | null;
  approvedAt: string | null;
  activatedAt: string | null;
  expiresAt: string;
  endedAt: string | null;
  endedBy: string | null;
  endReason: string | null;
  createdAt: string;
  /** for an entry in force: whether what it blocks went quiet in the alerts after it */
  verification: Verification | null;
}

export interface BlockInput {
  kind: string;
  value: string;
  list?: string;
  incidentId?: string;
  reason: string;
  owner?: string;
  expiresAt?: string;
}

const ALLOW_KEY = 'block_allowlist';
const LIST_TOKEN_PREFIX = 'bhl_';
const KIND_ZH: Record<BlockKind, string> = { ip: 'IP', domain: '域名', url: 'URL', hash: '文件哈希' };

function present(r: BlockRow, now: string, v: Verification | null = null): Block {
  const approval = r.approval_reason ? (JSON.parse(r.approval_reason) as { zh: string; en: string }) : null;
  return {
    id: Number(r.id),
    list: r.list,
    kind: r.kind as BlockKind,
    value: r.value,
    status: statusAt(r.status as BlockStatus, r.expires_at, now),
    incidentId: r.incident_id,
    orgUnit: r.org_unit,
    reason: r.reason,
    owner: r.owner,
    approvalReason: approval,
    requestedBy: r.requested_by,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    activatedAt: r.activated_at,
    expiresAt: r.expires_at,
    endedAt: r.ended_at ?? (r.status === 'active' && r.expires_at <= now ? r.expires_at : null),
    endedBy: r.ended_by,
    endReason: r.end_reason,
    createdAt: r.created_at,
    verification: v,
  };
}

export class BlockService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    private readonly zones?: OrgTimeZone,
  ) {}

  /** a time as the timeline's text says it: local to the organisation, to the minute */
  private local(db: Kysely<DB>, iso: string): Promise<string> {
    return this.zones ? this.zones.localMinute(db, iso) : Promise.resolve(iso);
  }

  // ------------------------------------------------------------ the allow-list

  async allowList(db: Kysely<DB> = this.db): Promise<AllowEntry[]> {
    return (await settingsRepo.getSetting<AllowEntry[]>(db, ALLOW_KEY)) ?? [];
  }

  async setAllowList(actor: Actor, input: readonly AllowEntry[]): Promise<AllowEntry[]> {
    requirePermission(actor, 'settings.write', 'change the block allow-list');
    const list = checkAllowList(input);
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await writeAudit(trx, { actor, action: 'blocks.allowlist.set', entityType: 'settings', entityId: ALLOW_KEY, before: await this.allowList(trx), after: list, at });
      await settingsRepo.putSetting(trx, ALLOW_KEY, list, at, actorLabel(actor));
    });
    return list;
  }

  // ------------------------------------------------------------ entries

  private async timeline(trx: Kysely<DB>, incidentId: string | null, actor: Actor, kind: string, text: string, data: Record<string, unknown>, at: string): Promise<void> {
    if (!incidentId) return;
    await trx.insertInto('timeline_entries').values({ incident_id: incidentId, occurred_at: at, recorded_at: at, source: actor.kind === 'system' ? 'system' : 'manual', actor: actorLabel(actor), kind, text, data: JSON.stringify(data) }).execute();
  }

  private describe(r: Pick<BlockRow, 'kind' | 'value' | 'list'>): string {
    return `${KIND_ZH[r.kind as BlockKind] ?? r.kind} ${r.value}（列表 ${r.list}）`;
  }

  private async row(db: Kysely<DB>, id: number): Promise<BlockRow> {
    const r = await db.selectFrom('blocks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('block', id);
    return r;
  }

  /** A new entry: in force at once, or waiting for a second person when it would cut off a critical or allow-listed host. */
  async create(actor: Actor, input: BlockInput, opts: { branch?: string } = {}): Promise<Block> {
    requirePermission(actor, 'blocks.manage', 'block addresses, domains, URLs or hashes');
    const entry = blockEntry(input.kind, input.value);
    const list = (input.list ?? DEFAULT_LIST).trim().toLowerCase();
    if (!LIST_NAME.test(list)) throw validationError('list', 'a list name is 1–40 lowercase letters, digits, - or _', 'listName');
    const reason = input.reason.trim();
    if (!reason) throw validationError('reason', 'say why it is blocked', 'blank');
    const now = this.now();
    const at = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      let level: number | null = null;
      let orgUnit = opts.branch ?? 'HQ';
      if (input.incidentId) {
        const inc = await trx.selectFrom('incidents').select(['id', 'level', 'org_unit', 'phase']).where('id', '=', input.incidentId).executeTakeFirst();
        if (!inc) throw notFound('incident', input.incidentId);
        if (inc.phase === 'closed') throw new DomainError('conflict', `${inc.id} is closed: reopen it to act on it`, { reason: 'incidentClosed', id: inc.id });
        level = inc.level;
        orgUnit = inc.org_unit;
      }
      const owner = (input.owner ?? (actor.kind === 'user' ? actor.username : actorLabel(actor))).trim();
      if (input.owner !== undefined && !(await trx.selectFrom('users').select('id').where('username', '=', owner).executeTakeFirst())) throw validationError('owner', `no active user "${owner.slice(0, 64)}"`, 'unknownUser', { username: owner.slice(0, 64) });
      const expiresAt = blockExpiry(now, level, input.expiresAt);
      const existing = await trx.selectFrom('blocks').select(['id', 'status']).where('list', '=', list).where('kind', '=', entry.kind).where('value', '=', entry.value).where('status', 'in', ['pending', 'active']).where('expires_at', '>', at).executeTakeFirst();
      if (existing) throw new DomainError('conflict', `${entry.value} is already on list ${list} (#${existing.id}, ${existing.status}): renew that entry instead`, { reason: 'blockExists', blockId: Number(existing.id), value: entry.value, list });
      // an entry that ended by its expiry but was not yet marked so leaves room for the new one
      await trx.updateTable('blocks').set({ status: 'expired', ended_at: at, updated_at: at }).where('list', '=', list).where('kind', '=', entry.kind).where('value', '=', entry.value).where('status', '=', 'active').where('expires_at', '<=', at).execute();
      const criticalHosts = entry.kind === 'ip' ? await trx.selectFrom('assets').select(['ip', 'hostname']).where('criticality', '<=', CRITICAL).where('ip_key', '>=', entry.keyFrom!).where('ip_key', '<=', entry.keyTo!).orderBy('ip_key').limit(20).execute() : [];
      const approval = approvalNeeded(entry, { criticalHosts, allowList: await this.allowList(trx) });
      const status: BlockStatus = approval ? 'pending' : 'active';
      const values = {
        list,
        kind: entry.kind,
        value: entry.value,
        key_from: entry.keyFrom,
        key_to: entry.keyTo,
        incident_id: input.incidentId ?? null,
        org_unit: orgUnit,
        reason: reason.slice(0, 2000),
        owner: owner.slice(0, 64),
        status,
        approval_reason: approval ? JSON.stringify({ zh: approval.reason, en: approval.reasonEn }) : null,
        requested_by: actorLabel(actor),
        requested_by_id: actor.kind === 'user' ? actor.userId : null,
        activated_at: status === 'active' ? at : null,
        expires_at: expiresAt,
        created_at: at,
        updated_at: at,
      };
      const id = Number((await trx.insertInto('blocks').values(values).returning('id').executeTakeFirstOrThrow()).id);
      await writeAudit(trx, { actor, action: 'block.create', entityType: 'block', entityId: String(id), after: { ...values, approval_reason: approval?.reasonEn ?? null }, at });
      const what = this.describe(values);
      await this.timeline(trx, values.incident_id, actor, status === 'active' ? 'block_added' : 'block_requested', status === 'active' ? `封禁${what}，至 ${await this.local(trx, expiresAt)}。原因：${values.reason}` : `申请封禁${what}：${approval!.reason}。原因：${values.reason}`, { blockId: id, kind: entry.kind, value: entry.value, list, expiresAt, status, action: status === 'active' ? 'added' : 'requested' }, at);
      return present({ id, ...values, approved_by: null, approved_at: null, ended_at: null, ended_by: null, end_reason: null } as BlockRow, at);
    });
  }

  /**
   * Blocks the outside addresses the chosen alerts came from, for an incident: each address once,
   * each entry on its own (one refused — on the list already, too wide — is named and the others go in).
   */
  async fromAlerts(actor: Actor, incidentId: string, input: { alerts: readonly number[]; reason: string; list?: string; expiresAt?: string }, opts: { branch?: string } = {}): Promise<{ blocked: Block[]; skipped: Array<{ value: string; reason: string; error: { code: string; details: unknown } }> }> {
    requirePermission(actor, 'blocks.manage', 'block addresses');
    if (!input.alerts.length || input.alerts.length > 500) throw validationError('alerts', 'between 1 and 500 alerts', 'maxItems', { limit: 500 });
    let q = this.db.selectFrom('alerts').select(['id', 'source_ip', 'source_internal']).where('id', 'in', [...input.alerts]);
    if (opts.branch) q = q.where((eb) => eb.or([eb('source_org_unit', '=', opts.branch!), eb('destination_org_unit', '=', opts.branch!)]));
    const rows = await q.execute();
    if (!rows.length) throw notFound('alerts', input.alerts.slice(0, 5).join(', '));
    const outside = [...new Set(rows.filter((r) => r.source_ip && r.source_internal === 0).map((r) => r.source_ip!))];
    // each refusal as the API would answer it (code and details), for the console to word
    const refusal = (value: string, e: DomainError) => ({ value, reason: e.message, error: { code: e.code, details: e.details } });
    const internal = new DomainError('conflict', 'an internal address: isolate the host instead', { reason: 'internalSource' });
    const skipped = rows.filter((r) => r.source_ip && r.source_internal !== 0).map((r) => refusal(r.source_ip!, internal));
    const blocked: Block[] = [];
    for (const value of outside) {
      try {
        blocked.push(await this.create(actor, { kind: 'ip', value, incidentId, reason: input.reason, list: input.list, expiresAt: input.expiresAt }));
      } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'not_found' || e.code === 'forbidden') throw e;
        skipped.push(refusal(value, e));
      }
    }
    return { blocked, skipped: [...new Map(skipped.map((x) => [x.value, x])).values()] };
  }

  /** A second person approves a pending entry: it is in force from now (its expiry as asked, or from now by the level's default if that passed). */
  async approve(actor: Actor, id: number): Promise<Block> {
    requirePermission(actor, 'blocks.approve', 'approve blocks of critical or allow-listed hosts');
    const now = this.now();
    const at = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      const r = await this.row(trx, id);
      if (r.status !== 'pending') throw new DomainError('conflict', `block #${id} is ${r.status}, not waiting for approval`, { reason: 'blockNotPending', status: r.status });
      if ((actor.kind === 'user' && r.requested_by_id === actor.userId) || r.requested_by === actorLabel(actor)) throw new DomainError('conflict', 'a second person approves a block: you asked for this one', { reason: 'approveOwnBlock' });
      const level = r.incident_id ? ((await trx.selectFrom('incidents').select('level').where('id', '=', r.incident_id).executeTakeFirst())?.level ?? null) : null;
      const expiresAt = r.expires_at > at ? r.expires_at : blockExpiry(now, level);
      await trx.updateTable('blocks').set({ status: 'active', approved_by: actorLabel(actor), approved_at: at, activated_at: at, expires_at: expiresAt, updated_at: at }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'block.approve', entityType: 'block', entityId: String(id), before: { status: r.status }, after: { status: 'active', expires_at: expiresAt }, at });
      await this.timeline(trx, r.incident_id, actor, 'block_added', `批准封禁${this.describe(r)}，至 ${await this.local(trx, expiresAt)}（申请人 ${r.requested_by}）`, { blockId: id, kind: r.kind, value: r.value, list: r.list, expiresAt, status: 'active', action: 'approved' }, at);
      return present(await this.row(trx, id), at);
    });
  }

  /** Ends an entry early (in force or waiting), with the reason; a pending one refused by the approver is "rejected". */
  async lift(actor: Actor, id: number, reasonText: string): Promise<Block> {
    const reason = reasonText.trim();
    if (!reason) throw validationError('reason', 'say why it is lifted', 'blank');
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const r = await this.row(trx, id);
      const status = statusAt(r.status as BlockStatus, r.expires_at, at);
      if (status !== 'active' && status !== 'pending') throw new DomainError('conflict', `block #${id} is ${status} already`, { reason: 'blockEnded', status });
      const rejecting = status === 'pending' && !((actor.kind === 'user' && r.requested_by_id === actor.userId) || r.requested_by === actorLabel(actor));
      requirePermission(actor, rejecting ? 'blocks.approve' : 'blocks.manage', rejecting ? 'refuse a block waiting for approval' : 'lift blocks');
      const to: BlockStatus = rejecting ? 'rejected' : 'lifted';
      await trx.updateTable('blocks').set({ status: to, ended_at: at, ended_by: actorLabel(actor), end_reason: reason.slice(0, 2000), updated_at: at }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: rejecting ? 'block.reject' : 'block.lift', entityType: 'block', entityId: String(id), before: { status }, after: { status: to, reason }, at });
      await this.timeline(trx, r.incident_id, actor, 'block_lifted', `${rejecting ? '驳回封禁' : '提前解除封禁'}${this.describe(r)}。原因：${reason}`, { blockId: id, kind: r.kind, value: r.value, list: r.list, status: to, action: to, reason }, at);
      return present(await this.row(trx, id), at);
    });
  }

  /** Keeps an entry in force longer: to the expiry asked (later than now, within a year), or the level's default from now. */
  async renew(actor: Actor, id: number, input: { expiresAt?: string } = {}): Promise<Block> {
    requirePermission(actor, 'blocks.manage', 'renew blocks');
    const now = this.now();
    const at = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      const r = await this.row(trx, id);
      const status = statusAt(r.status as BlockStatus, r.expires_at, at);
      if (status !== 'active') throw new DomainError('conflict', `block #${id} is ${status}: only an entry in force is renewed (block it again)`, { reason: 'blockNotActive', status });
      const level = r.incident_id ? ((await trx.selectFrom('incidents').select('level').where('id', '=', r.incident_id).executeTakeFirst())?.level ?? null) : null;
      const expiresAt = blockExpiry(now, level, input.expiresAt);
      if (expiresAt <= r.expires_at) throw validationError('expiresAt', `must be later than the present expiry ${r.expires_at}`, 'blockRenewEarlier', { expiresAt: r.expires_at });
      await trx.updateTable('blocks').set({ expires_at: expiresAt, updated_at: at }).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'block.renew', entityType: 'block', entityId: String(id), before: { expires_at: r.expires_at }, after: { expires_at: expiresAt }, at });
      await this.timeline(trx, r.incident_id, actor, 'block_renewed', `续期封禁${this.describe(r)}：至 ${await this.local(trx, expiresAt)}（原至 ${await this.local(trx, r.expires_at)}）`, { blockId: id, kind: r.kind, value: r.value, list: r.list, expiresAt, status: 'active', action: 'renewed' }, at);
      return present(await this.row(trx, id), at);
    });
  }

  /** Marks the entries whose expiry passed as expired, each told on its incident's timeline: the background loop's work. */
  async expireDue(): Promise<number> {
    const at = this.now().toISOString();
    const due = await this.db.selectFrom('blocks').selectAll().where('status', '=', 'active').where('expires_at', '<=', at).orderBy('expires_at').limit(500).execute();
    const system: Actor = { kind: 'system', label: 'expiry' };
    for (const r of due) {
      await this.db.transaction().execute(async (trx) => {
        const done = await trx.updateTable('blocks').set({ status: 'expired', ended_at: r.expires_at, ended_by: actorLabel(system), updated_at: at }).where('id', '=', r.id).where('status', '=', 'active').executeTakeFirst();
        if (Number(done.numUpdatedRows) === 0) return;
        await this.timeline(trx, r.incident_id, system, 'block_expired', `封禁${this.describe(r)}已于 ${await this.local(trx, r.expires_at)} 到期，自动移出封禁列表`, { blockId: Number(r.id), kind: r.kind, value: r.value, list: r.list, status: 'expired', action: 'expired' }, at);
      });
    }
    return due.length;
  }

  async get(id: number): Promise<Block> {
    const at = this.now().toISOString();
    const r = await this.row(this.db, id);
    return present(r, at, (await this.verify([r], at)).get(Number(r.id)) ?? null);
  }

  /** Entries, the newest first; an incident's with how each went in the alerts after it. */
  async list(q: { incident?: string; status?: BlockStatus[]; kind?: BlockKind; list?: string; q?: string; branch?: string; limit: number; offset: number }): Promise<{ items: Block[]; total: number }> {
    const at = this.now().toISOString();
    let query = this.db.selectFrom('blocks');
    if (q.incident) query = query.where('incident_id', '=', q.incident);
    if (q.kind) query = query.where('kind', '=', q.kind);
    if (q.list) query = query.where('list', '=', q.list);
    if (q.branch) query = query.where('org_unit', '=', q.branch);
    if (q.q) query = query.where('value', 'like', `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (q.status?.length) {
      // expiry is read at the time asked: an active entry past its expiry counts as expired
      const wanted = q.status;
      query = query.where((eb) =>
        eb.or([
          ...(wanted.includes('active') ? [eb.and([eb('status', '=', 'active'), eb('expires_at', '>', at)])] : []),
          ...(wanted.includes('expired') ? [eb('status', '=', 'expired'), eb.and([eb('status', '=', 'active'), eb('expires_at', '<=', at)])] : []),
          ...wanted.filter((s) => s !== 'active' && s !== 'expired').map((s) => eb('status', '=', s)),
        ]),
      );
    }
    const total = Number((await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await query.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    const verified = await this.verify(rows, at);
    return { items: rows.map((r) => present(r, at, verified.get(Number(r.id)) ?? null)), total };
  }

  /**
   * What the alerts said after each entry in force went in: alerts carrying the blocked address
   * (as source or destination), domain, URL or hash since its activation — how many, the last,
   * and which devices saw it.
   */
  private async verify(rows: readonly BlockRow[], at: string, db: Kysely<DB> = this.db): Promise<Map<number, Verification>> {
    const out = new Map<number, Verification>();
    for (const r of rows.slice(0, 200)) {
      if (statusAt(r.status as BlockStatus, r.expires_at, at) !== 'active' || !r.activated_at) continue;
      const since = r.activated_at;
      let q = db.selectFrom('alerts').where('ts', '>', since);
      if (r.kind === 'ip') q = q.where((eb) => eb.or([eb.and([eb('source_ip_key', '>=', r.key_from!), eb('source_ip_key', '<=', r.key_to!)]), eb.and([eb('destination_ip_key', '>=', r.key_from!), eb('destination_ip_key', '<=', r.key_to!)])]));
      else if (r.kind === 'domain') q = r.value.startsWith('*.') ? q.where((eb) => eb.or([eb('dns_question_name', '=', r.value.slice(2)), eb('dns_question_name', 'like', `%.${r.value.slice(2)}`)])) : q.where('dns_question_name', '=', r.value);
      else if (r.kind === 'url') q = q.where('url_full', 'like', `%${r.value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      else q = q.where('file_hash', '=', r.value);
      const agg = await q.select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('ts').as('last')]).executeTakeFirst();
      const count = Number(agg?.n ?? 0);
      const devices = count ? await q.select(['observer_vendor', 'observer_product']).orderBy('ts', 'desc').limit(20).execute() : [];
      out.set(Number(r.id), verification(since, at, { count, last: (agg?.last as string | null) ?? null, devices: [...new Set(devices.map((d) => [d.observer_vendor, d.observer_product].filter(Boolean).join(' ')).filter(Boolean))].slice(0, 3) }));
    }
    return out;
  }

  /** The handling gate's facts: the incident's entries in force, and how many of them are still seen. */
  async handlingFacts(db: Kysely<DB>, incidentId: string): Promise<{ blocked: number; seen: number; waiting: number; quiet: number; zh: string; en: string } | null> {
    const at = this.now().toISOString();
    const rows = await db.selectFrom('blocks').selectAll().where('incident_id', '=', incidentId).where('status', '=', 'active').where('expires_at', '>', at).limit(200).execute();
    if (!rows.length) return null;
    const verified = await this.verify(rows, at, db);
    return verificationSummary(rows.map((r) => ({ value: r.value, verification: verified.get(Number(r.id))! })).filter((x) => x.verification));
  }

  // ------------------------------------------------------------ external dynamic lists

  /** The list a firewall pulls, with its ETag (the same entries give the same tag). */
  async edl(list: string, kind: BlockKind): Promise<{ text: string; etag: string; count: number }> {
    const at = this.now().toISOString();
    const rows = await this.db.selectFrom('blocks').select('value').where('list', '=', list).where('kind', '=', kind).where('status', '=', 'active').where('expires_at', '>', at).orderBy('value').limit(100_000).execute();
    const text = edlText(rows.map((r) => r.value));
    return { text, etag: `"${createHash('sha256').update(text).digest('hex').slice(0, 32)}"`, count: rows.length };
  }

  async createListToken(actor: Actor, nameText: string): Promise<{ id: number; name: string; token: string; prefix: string }> {
    requirePermission(actor, 'settings.write', 'issue block-list tokens');
    const name = nameText.trim();
    if (!name) throw validationError('name', 'name the device that pulls the lists', 'blank');
    const token = LIST_TOKEN_PREFIX + randomSecret();
    const prefix = token.slice(0, 10);
    const at = this.now().toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const r = await trx.insertInto('list_tokens').values({ name: name.slice(0, 100), token_hash: hashSecret(token), prefix, created_by: actorLabel(actor), created_at: at }).returning('id').executeTakeFirstOrThrow();
      await writeAudit(trx, { actor, action: 'list_token.create', entityType: 'list_token', entityId: String(r.id), after: { name, prefix }, at });
      return Number(r.id);
    });
    return { id, name, token, prefix };
  }

  async listTokens() {
    return (await this.db.selectFrom('list_tokens').select(['id', 'name', 'prefix', 'created_by', 'created_at', 'last_used_at', 'revoked_at']).orderBy('id').execute()).map((t) => ({ id: Number(t.id), name: t.name, prefix: t.prefix, createdBy: t.created_by, createdAt: t.created_at, lastUsedAt: t.last_used_at, revokedAt: t.revoked_at }));
  }

  async revokeListToken(actor: Actor, id: number): Promise<void> {
    requirePermission(actor, 'settings.write', 'revoke block-list tokens');
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('list_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound('list token', id);
      await writeAudit(trx, { actor, action: 'list_token.revoke', entityType: 'list_token', entityId: String(id), at });
    });
  }

  /** Whether `token` is a list token in force; its last use noted at most once a minute. */
  async authenticateListToken(token: string): Promise<boolean> {
    if (!token.startsWith(LIST_TOKEN_PREFIX) || token.length > 200) return false;
    const row = await this.db.selectFrom('list_tokens').select(['id', 'last_used_at']).where('token_hash', '=', hashSecret(token)).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) return false;
    const at = this.now();
    if (!row.last_used_at || at.getTime() - Date.parse(row.last_used_at) > 60_000) await this.db.updateTable('list_tokens').set({ last_used_at: at.toISOString() }).where('id', '=', row.id).execute();
    return true;
  }
}
