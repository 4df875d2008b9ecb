/**
 * The command group's reach: the organisation-wide warning level (全网预警), raised by a
 * commander or by the spread rule, broadcast to every branch with the indicators to look for
 * and each branch's acknowledgement tracked (lowering needs a reason); and orders to branches
 * — a host list to find, isolate and clean — with each host's state until every one is done.
 */
import type { Kysely } from 'kysely';
import { type Actor, actorCan, actorLabel, requirePermission } from '../domain/account/roles.js';
import { HOST_STATE_NAMES, HOST_STATES, type HostState, hostDone, SPREAD_HOSTS, SPREAD_WARNING, spreadWarrants, WARNING_LEVELS, WARNING_NAMES, type WarningLevel, warningRank } from '../domain/command/command.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { optionalText, requiredText } from '../domain/text.js';
import { writeAudit } from '../audit/audit.repository.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { DB } from '../store/schema.js';

const MAX_HOSTS = 10_000;

export interface Indicator {
  type: string;
  value: string;
}

export class CommandService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly notify: NotifyService,
    private readonly now: () => Date,
  ) {}

  /** The user's own org unit (a branch user acts for their branch only); undefined for HQ-wide users and the CLI. */
  private async unitOf(actor: Actor): Promise<string | undefined> {
    if (actor.kind !== 'user') return undefined;
    const u = await this.db.selectFrom('users').select('org_unit').where('id', '=', actor.userId).executeTakeFirst();
    return u?.org_unit ?? undefined;
  }

  // ------------------------------------------------------------ warnings

  async warning() {
    const row = await this.db.selectFrom('warnings').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
    const branches = await this.db.selectFrom('org_units').select(['code', 'name']).where('kind', '=', 'branch').orderBy('code').execute();
    if (!row) return { id: null, level: 'normal' as WarningLevel, name: WARNING_NAMES.normal, reason: null, indicators: [], incidentId: null, source: null, raisedBy: null, raisedAt: null, branches: branches.map((b) => ({ orgUnit: b.code, name: b.name, acknowledged: null })) };
    const acks = await this.db.selectFrom('warning_acks').selectAll().where('warning_id', '=', row.id).execute();
    const level = row.level as WarningLevel;
    return {
      id: Number(row.id),
      level,
      name: WARNING_NAMES[level],
      previousLevel: row.previous_level,
      reason: row.reason,
      reasonEn: row.reason_en,
      indicators: JSON.parse(row.indicators) as Indicator[],
      incidentId: row.incident_id,
      source: row.source,
      raisedBy: row.raised_by,
      raisedAt: row.raised_at,
      branches: branches.map((b) => {
        const a = acks.find((x) => x.org_unit === b.code);
        return { orgUnit: b.code, name: b.name, acknowledged: a ? { by: a.acked_by, at: a.acked_at, note: a.note } : null };
      }),
    };
  }

  async warningHistory() {
    const rows = await this.db.selectFrom('warnings').selectAll().orderBy('id', 'desc').limit(200).execute();
    return rows.map((r) => ({ id: Number(r.id), level: r.level, previousLevel: r.previous_level, reason: r.reason, reasonEn: r.reason_en, incidentId: r.incident_id, source: r.source, raisedBy: r.raised_by, raisedAt: r.raised_at }));
  }

  /** Sets the warning level; lowering needs a reason. A level above normal is broadcast to every branch for acknowledgement. */
  async setWarning(actor: Actor, input: { level: WarningLevel; reason?: string; reasonEn?: string; indicators?: Indicator[]; incidentId?: string }, source: 'manual' | 'rule' = 'manual') {
    requirePermission(actor, 'warning.manage', 'change the warning level');
    if (!WARNING_LEVELS.includes(input.level)) throw validationError('level', `must be one of ${WARNING_LEVELS.join(', ')}`);
    const current = (await this.warning()).level;
    if (input.level === current) throw new DomainError('conflict', `the warning level is ${current} already`, { reason: 'warningSame', level: current });
    const lowering = warningRank(input.level) < warningRank(current);
    const given = lowering ? requiredText('reason', input.reason, 2000) : optionalText('reason', input.reason, 2000);
    const reason = given ?? `提升至${WARNING_NAMES[input.level]}`;
    // the product's own wording has an English twin; a person's reason stays as written
    const reasonEn = given ? (input.reasonEn ?? null) : `Raised to ${input.level}`;
    const at = this.now().toISOString();
    return this.db
      .transaction()
      .execute(async (trx) => {
        let indicators = (input.indicators ?? []).slice(0, 1000).map((i, n) => ({ type: requiredText(`indicators/${n}/type`, i.type, 20), value: requiredText(`indicators/${n}/value`, i.value, 2048) }));
        let incident: { id: string; title: string; level: number; org_unit: string } | undefined;
        if (input.incidentId) {
          incident = await trx.selectFrom('incidents').select(['id', 'title', 'level', 'org_unit']).where('id', '=', input.incidentId).executeTakeFirst();
          if (!incident) throw notFound('incident', input.incidentId);
          if (!indicators.length) {
            const obs = await trx.selectFrom('observables').select(['type', 'value', 'note']).where('incident_id', '=', incident.id).execute();
            indicators = obs.filter((o) => o.type !== 'ip' || (o.note ?? '').includes('intelligence') || (o.note ?? '').includes('attacking')).map((o) => ({ type: o.type, value: o.value }));
          }
        }
        const row = await trx
          .insertInto('warnings')
          .values({ level: input.level, previous_level: current, reason, reason_en: reasonEn, indicators: JSON.stringify(indicators), incident_id: incident?.id ?? null, source, raised_by: actorLabel(actor), raised_at: at })
          .returning('id')
          .executeTakeFirstOrThrow();
        const verb = lowering ? '下调' : '提升';
        const text = `全网预警${verb}：${WARNING_NAMES[current]} → ${WARNING_NAMES[input.level]}。原因：${reason}${indicators.length ? `。排查指标：${indicators.map((i) => i.value).join('、')}` : ''}${input.level !== 'normal' ? '。请各分支机构确认收到。' : ''}`;
        if (incident) {
          await trx.insertInto('timeline_entries').values({ incident_id: incident.id, occurred_at: at, recorded_at: at, source: 'system', actor: actorLabel(actor), kind: 'warning', text, data: JSON.stringify({ warning: Number(row.id), level: input.level, from: current }) }).execute();
        }
        await writeAudit(trx, { actor, action: 'warning.set', entityType: 'warning', entityId: String(row.id), before: { level: current }, after: { level: input.level, reason, indicators, incidentId: incident?.id, source }, at });
        // every branch is told: the rules for warning_changed say through which channels
        await this.notify.enqueue(trx, { kind: 'warning_changed', incidentId: incident?.id ?? '', title: `全网预警：${WARNING_NAMES[input.level]}`, typeName: '全网预警', orgUnit: incident?.org_unit ?? 'HQ', level: warningRank(input.level) >= warningRank('high') ? 1 : 2, at, text }, this.now());
        return Number(row.id);
      })
      .then(() => this.warning());
  }

  /** A branch acknowledges the current warning (a user of that branch, or the command group for it). */
  async acknowledge(actor: Actor, input: { orgUnit: string; note?: string }) {
    requirePermission(actor, 'incident.update', 'acknowledge warnings');
    const own = await this.unitOf(actor);
    if (own && own !== input.orgUnit && !actorCan(actor, 'warning.manage')) throw new DomainError('forbidden', `you act for ${own}: acknowledge for your own branch`, { orgUnit: own });
    const w = await this.warning();
    if (!w.id || w.level === 'normal') throw new DomainError('conflict', 'there is no warning to acknowledge: the level is normal', { reason: 'noWarning' });
    if (!w.branches.some((b) => b.orgUnit === input.orgUnit)) throw validationError('orgUnit', `"${input.orgUnit}" is not a branch`);
    const note = optionalText('note', input.note, 2000) ?? null;
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const done = await trx.selectFrom('warning_acks').select('acked_at').where('warning_id', '=', w.id!).where('org_unit', '=', input.orgUnit).executeTakeFirst();
      if (done) throw new DomainError('conflict', `${input.orgUnit} acknowledged this warning at ${done.acked_at}`, { reason: 'warningAcked', orgUnit: input.orgUnit });
      await trx.insertInto('warning_acks').values({ warning_id: w.id!, org_unit: input.orgUnit, acked_by: actorLabel(actor), acked_at: at, note }).execute();
      await writeAudit(trx, { actor, action: 'warning.ack', entityType: 'warning', entityId: String(w.id), after: { orgUnit: input.orgUnit, note }, at });
    });
    return this.warning();
  }

  /** The spread rule: an open level-1 incident over SPREAD_HOSTS hosts raises the warning to high, once per incident. */
  async checkSpread(): Promise<boolean> {
    const current = (await this.warning()).level;
    if (warningRank(current) >= warningRank(SPREAD_WARNING)) return false;
    const candidates = await this.db
      .selectFrom('incidents')
      .innerJoin('affected_assets', 'affected_assets.incident_id', 'incidents.id')
      .select(['incidents.id', 'incidents.level', 'incidents.phase', (eb) => eb.fn.count('affected_assets.id').as('hosts')])
      .where('incidents.level', '=', 1)
      .where('incidents.phase', '!=', 'closed')
      .groupBy(['incidents.id', 'incidents.level', 'incidents.phase'])
      .execute();
    for (const c of candidates) {
      if (!spreadWarrants({ level: c.level, phase: c.phase, hosts: Number(c.hosts) }, current)) continue;
      const before = await this.db.selectFrom('warnings').select('id').where('incident_id', '=', c.id).where('source', '=', 'rule').executeTakeFirst();
      if (before) continue;
      await this.setWarning({ kind: 'system', label: 'warning-rule' }, { level: SPREAD_WARNING, reason: `1 级事件 ${c.id} 已扩散至 ${Number(c.hosts)} 台主机（≥ ${SPREAD_HOSTS}），自动提升全网预警`, reasonEn: `Level-1 incident ${c.id} has spread to ${Number(c.hosts)} hosts (≥ ${SPREAD_HOSTS}): warning raised automatically`, incidentId: c.id }, 'rule');
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------ orders

  async issueOrder(actor: Actor, incidentId: string, input: { orgUnit: string; hosts?: string[]; title?: string; instructions: string; assigneeId?: number; dueAt?: string }) {
    requirePermission(actor, 'orders.issue', 'send orders to branches');
    const instructions = requiredText('instructions', input.instructions, 5000);
    const at = this.now().toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const incident = await trx.selectFrom('incidents').select(['id', 'title', 'title_en', 'level', 'type', 'phase']).where('id', '=', incidentId).executeTakeFirst();
      if (!incident) throw notFound('incident', incidentId);
      if (incident.phase === 'closed') throw new DomainError('conflict', `incident ${incidentId} is closed`, { reason: 'incidentClosed', id: incidentId });
      const unit = await trx.selectFrom('org_units').select(['code', 'name']).where('code', '=', input.orgUnit).executeTakeFirst();
      if (!unit) throw validationError('orgUnit', `org unit "${input.orgUnit}" does not exist`);
      if (input.assigneeId !== undefined) {
        const u = await trx.selectFrom('users').select(['id', 'org_unit', 'disabled']).where('id', '=', input.assigneeId).executeTakeFirst();
        if (!u || u.disabled) throw validationError('assigneeId', `user ${input.assigneeId} does not exist or is disabled`);
        if (u.org_unit && u.org_unit !== input.orgUnit) throw validationError('assigneeId', `user ${input.assigneeId} belongs to ${u.org_unit}, not ${input.orgUnit}`);
      }
      let hosts: Array<{ host: string; hostname: string | null }>;
      if (input.hosts?.length) {
        hosts = [...new Set(input.hosts.map((h) => h.trim()).filter(Boolean))].map((h) => ({ host: h, hostname: null }));
      } else {
        const assets = await trx.selectFrom('affected_assets').select(['ip', 'hostname']).where('incident_id', '=', incidentId).where('org_unit', '=', input.orgUnit).execute();
        hosts = assets.map((a) => ({ host: a.ip ?? a.hostname!, hostname: a.ip ? a.hostname : null })).filter((a) => !!a.host);
      }
      if (!hosts.length) throw validationError('hosts', `name the hosts: incident ${incidentId} lists none in ${input.orgUnit}`);
      if (hosts.length > MAX_HOSTS) throw validationError('hosts', `at most ${MAX_HOSTS} hosts in one order`);
      for (const [i, h] of hosts.entries()) if (h.host.length > 255) throw validationError(`hosts/${i}`, 'at most 255 characters');
      const givenTitle = optionalText('title', input.title, 200);
      const title = givenTitle ?? `排查并清除 ${hosts.length} 台主机（${incident.title}）`.slice(0, 200);
      const titleEn = givenTitle ? null : `Find and clean ${hosts.length} host(s) (${incident.title_en ?? incident.title})`.slice(0, 200);
      const row = await trx
        .insertInto('orders')
        .values({ incident_id: incidentId, org_unit: input.orgUnit, title, title_en: titleEn, instructions, assignee_id: input.assigneeId ?? null, due_at: input.dueAt ?? null, created_by: actorLabel(actor), created_at: at, completed_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const orderId = Number(row.id);
      for (let i = 0; i < hosts.length; i += 500) {
        await trx
          .insertInto('order_hosts')
          .values(hosts.slice(i, i + 500).map((h) => ({ order_id: orderId, host: h.host, hostname: h.hostname, state: 'pending', note: null, updated_by: null, updated_at: at })))
          .execute();
      }
      const text = `向 ${unit.name}（${unit.code}）下发处置指令 #${orderId}：${title}。${instructions}`;
      await trx.insertInto('timeline_entries').values({ incident_id: incidentId, occurred_at: at, recorded_at: at, source: 'system', actor: actorLabel(actor), kind: 'order', text, data: JSON.stringify({ order: orderId, orgUnit: unit.code, hosts: hosts.length }) }).execute();
      await writeAudit(trx, { actor, action: 'order.issue', entityType: 'order', entityId: String(orderId), after: { incidentId, orgUnit: unit.code, hosts: hosts.length, title, instructions }, at });
      await this.notify.enqueue(trx, { kind: 'order_issued', incidentId, title: incident.title, typeName: incident.type, orgUnit: unit.code, level: incident.level, at, text: `${title}：${hosts.map((h) => h.host).slice(0, 30).join('、')}${hosts.length > 30 ? ' 等' : ''}。${instructions}` }, this.now());
      return orderId;
    });
    return this.order(id);
  }

  async order(id: number) {
    const o = await this.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!o) throw notFound('order', id);
    const hosts = await this.db.selectFrom('order_hosts').selectAll().where('order_id', '=', id).orderBy('host').execute();
    const byState = Object.fromEntries(HOST_STATES.map((s) => [s, hosts.filter((h) => h.state === s).length]));
    return {
      id: Number(o.id),
      incidentId: o.incident_id,
      orgUnit: o.org_unit,
      title: o.title,
      titleEn: o.title_en,
      instructions: o.instructions,
      assigneeId: o.assignee_id,
      dueAt: o.due_at,
      createdBy: o.created_by,
      createdAt: o.created_at,
      completedAt: o.completed_at,
      progress: { total: hosts.length, done: hosts.filter((h) => hostDone(h.state as HostState)).length, byState },
      hosts: hosts.map((h) => ({ host: h.host, hostname: h.hostname, state: h.state as HostState, note: h.note, updatedBy: h.updated_by, updatedAt: h.updated_at })),
    };
  }

  async orders(q: { incidentId?: string; orgUnit?: string; open?: boolean }) {
    let query = this.db.selectFrom('orders').select('id').orderBy('id', 'desc').limit(500);
    if (q.incidentId) query = query.where('incident_id', '=', q.incidentId);
    if (q.orgUnit) query = query.where('org_unit', '=', q.orgUnit);
    if (q.open) query = query.where('completed_at', 'is', null);
    const ids = await query.execute();
    return Promise.all(ids.map((r) => this.order(Number(r.id))));
  }

  /** A branch reports a host's state; when every host is cleaned or rebuilt the order is complete, and the incident's timeline says so. */
  async setHostState(actor: Actor, orderId: number, host: string, input: { state: HostState; note?: string }) {
    requirePermission(actor, 'incident.update', 'report on orders');
    if (!HOST_STATES.includes(input.state)) throw validationError('state', `must be one of ${HOST_STATES.join(', ')}`);
    const note = optionalText('note', input.note, 2000) ?? null;
    const own = await this.unitOf(actor);
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const o = await trx.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
      if (!o) throw notFound('order', orderId);
      if (own && own !== o.org_unit && !actorCan(actor, 'orders.issue')) throw new DomainError('forbidden', `order ${orderId} is for ${o.org_unit}; you act for ${own}`, { orgUnit: own });
      const h = await trx.selectFrom('order_hosts').selectAll().where('order_id', '=', orderId).where('host', '=', host).executeTakeFirst();
      if (!h) throw notFound(`host in order ${orderId}`, host);
      if (hostDone(h.state as HostState) && !hostDone(input.state) && !note) throw validationError('note', `${host} was ${h.state}: say why it goes back to ${input.state}`);
      await trx.updateTable('order_hosts').set({ state: input.state, note: note ?? h.note, updated_by: actorLabel(actor), updated_at: at }).where('order_id', '=', orderId).where('host', '=', host).execute();
      await writeAudit(trx, { actor, action: 'order.host', entityType: 'order', entityId: String(orderId), before: { host, state: h.state }, after: { host, state: input.state, note }, at });
      const all = await trx.selectFrom('order_hosts').select('state').where('order_id', '=', orderId).execute();
      const complete = all.every((x) => hostDone(x.state as HostState));
      if (complete && !o.completed_at) {
        await trx.updateTable('orders').set({ completed_at: at }).where('id', '=', orderId).execute();
        const cleaned = all.filter((x) => x.state === 'cleaned').length;
        await trx
          .insertInto('timeline_entries')
          .values({ incident_id: o.incident_id, occurred_at: at, recorded_at: at, source: 'system', actor: actorLabel(actor), kind: 'order_done', text: `处置指令 #${orderId}（${o.org_unit}）完成：${all.length} 台主机全部处置（${HOST_STATE_NAMES.cleaned} ${cleaned}，${HOST_STATE_NAMES.rebuilt} ${all.length - cleaned}）`, data: JSON.stringify({ order: orderId, hosts: all.length }) })
          .execute();
      } else if (!complete && o.completed_at) {
        await trx.updateTable('orders').set({ completed_at: null }).where('id', '=', orderId).execute();
      }
    });
    return this.order(orderId);
  }
}
