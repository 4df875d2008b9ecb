/**
 * Notifications: what happens to incidents is read from their timelines in order (by a cursor
 * stored with the messages it produces, so nothing is told twice or lost across restarts), SLA
 * deadlines are checked against the stored incidents (each escalation fired once per phase
 * deadline, recorded), matching rules put messages in an outbox — held through quiet hours
 * except for level 1, bursts gathered into one digest — and a delivery loop sends them with
 * retries and back-off, logging every attempt.
 */
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import type { Kysely, Selectable } from 'kysely';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { backoffMs, digestOf, worstLevel, EVENT_KINDS, type EventKind, isClockTime, MAX_ATTEMPTS, messageOf, type NotifyEvent, quietUntil, ruleMatches } from '../domain/notify/notify.js';
import { writeAudit } from '../audit/audit.repository.js';
import type { DB, NotificationTable } from '../store/schema.js';
import { type Channel, CHANNEL_KINDS, type ChannelKind, deliver, type DeliveryResult, type EmailConfig, type WebhookConfig } from './senders.js';
import { TargetPolicy, TargetRefused } from './target-guard.js';
import { SecretBox } from '../store/secret-box.js';
import { DUTY_ROLES } from '../domain/roster/roster.js';

const CURSOR = 'notify.timeline_cursor';
const BATCH = 500;
/** how long a gap in the timeline's ids may be a transaction still committing (PostgreSQL) */
const GAP_GRACE_MS = 10_000;
/** "due soon" before a phase deadline, per priority tier */
const DUE_SOON_MS: Record<string, number> = { hour: 10 * 60_000, day: 2 * 3_600_000, week: 86_400_000, month: 3 * 86_400_000 };
const ROLES = ['admin', 'commander', 'handler', 'monitor', 'viewer'];

interface ActiveRule {
  rule: ReturnType<NotifyService['presentRule']>;
  channel: { kind: string };
}

export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  config: Record<string, unknown>;
  /** webhook signing secret or SMTP password; omitted on update: kept */
  secret?: string | null;
  enabled?: boolean;
}

export interface RuleInput {
  name: string;
  events: EventKind[];
  maxLevel: number;
  orgUnits?: string[] | null;
  roles?: string[] | null;
  /** also whoever is on duty in these duty roles (e-mail channels) */
  onDuty?: string[] | null;
  channelId: number;
  quietHours?: { from: string; to: string } | null;
  batchSeconds?: number;
  enabled?: boolean;
}

const MASK = '/…';

/** A webhook URL as shown: its scheme and host, the rest (path and query: the key) hidden. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${MASK}`;
  } catch {
    return MASK;
  }
}

function maskConfig(c: EmailConfig | WebhookConfig): unknown {
  return 'url' in c ? { url: maskUrl(c.url) } : c;
}

function checkUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || !value) throw validationError(field, 'is required: the webhook address');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw validationError(field, `"${value.slice(0, 100)}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw validationError(field, 'must be an http(s) URL');
  return u.toString();
}

function channelConfig(kind: ChannelKind, c: Record<string, unknown>): EmailConfig | WebhookConfig {
  if (kind !== 'email') {
    const extra = Object.keys(c).filter((k) => k !== 'url');
    if (extra.length) throw validationError(`config/${extra[0]}`, 'unknown setting (a webhook channel has only url)');
    return { url: checkUrl('config/url', c.url) };
  }
  const known = ['host', 'port', 'secure', 'allowSelfSigned', 'user', 'from', 'to'];
  const extra = Object.keys(c).filter((k) => !known.includes(k));
  if (extra.length) throw validationError(`config/${extra[0]}`, `unknown setting (known: ${known.join(', ')})`);
  if (typeof c.host !== 'string' || !c.host) throw validationError('config/host', 'is required: the SMTP server');
  if (typeof c.port !== 'number' || !Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw validationError('config/port', 'must be a port number');
  if (typeof c.from !== 'string' || !c.from.includes('@')) throw validationError('config/from', 'must be an e-mail address');
  const to = c.to ?? [];
  if (!Array.isArray(to) || to.some((x) => typeof x !== 'string' || !x.includes('@'))) throw validationError('config/to', 'must be a list of e-mail addresses');
  return { host: c.host, port: c.port, secure: c.secure === true, allowSelfSigned: c.allowSelfSigned === true, user: typeof c.user === 'string' && c.user ? c.user : undefined, from: c.from, to: to as string[] };
}

export class NotifyService {

  private running?: Promise<void>;
  /** other checks that belong to the same pass (the warning rule) */
  beforeRun?: () => Promise<unknown>;
  /** the e-mail addresses of whoever is on duty in these roles for the unit (the roster's) */
  onDutyEmails?: (db: Kysely<DB>, roles: readonly string[], orgUnit: string, at: string) => Promise<string[]>;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    /** the organisation's zone in force (the settings'), for quiet hours and the times in messages */
    private readonly timeZones: OrgTimeZone,
    /** where messages may go (SSRF guard) */
    private readonly policy: TargetPolicy,
    /** seals channel secrets at rest */
    private readonly secrets: SecretBox,
  ) {}

  private seal(secret: string | null | undefined): string | null {
    return secret ? this.secrets.seal(secret) : null;
  }

  /** Seals channel secrets stored before secrets were sealed at rest (once, at start). */
  async sealStoredSecrets(): Promise<number> {
    const rows = await this.db.selectFrom('channels').select(['id', 'secret']).where('secret', 'is not', null).execute();
    let sealed = 0;
    for (const r of rows) {
      if (!r.secret || SecretBox.isSealed(r.secret)) continue;
      await this.db.updateTable('channels').set({ secret: this.secrets.seal(r.secret) }).where('id', '=', r.id).execute();
      sealed++;
    }
    return sealed;
  }

  // ------------------------------------------------------------ channels

  async channels() {
    const rows = await this.db.selectFrom('channels').selectAll().orderBy('id').execute();
    return rows.map((r) => this.presentChannel(r));
  }

  private presentChannel(r: { id: number; name: string; kind: string; config: string; secret: string | null; enabled: number; created_at: string; updated_at: string }) {
    // the secret never leaves: only whether there is one
    const config = JSON.parse(r.config) as Record<string, unknown>;
    // a webhook URL carries the receiver's key (WeCom key=, DingTalk access_token=, Slack's path): write-only, like a password
    if (typeof config.url === 'string') config.url = maskUrl(config.url);
    return { id: Number(r.id), name: r.name, kind: r.kind as ChannelKind, config, hasSecret: !!r.secret, enabled: r.enabled === 1, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  async saveChannel(actor: Actor, id: number | undefined, input: ChannelInput) {
    requirePermission(actor, 'settings.write', 'configure notification channels');
    if (!CHANNEL_KINDS.includes(input.kind)) throw validationError('kind', `must be one of ${CHANNEL_KINDS.join(', ')}`);
    const name = input.name.trim();
    if (!name) throw validationError('name', 'is required');
    // a changed channel that names no URL, or the masked one it was shown, keeps the URL stored
    let given = input.config;
    if (id !== undefined && input.kind !== 'email' && (given.url === undefined || (typeof given.url === 'string' && given.url.endsWith(MASK)))) {
      const stored = await this.db.selectFrom('channels').select('config').where('id', '=', id).executeTakeFirst();
      const url = stored ? (JSON.parse(stored.config) as { url?: string }).url : undefined;
      if (url && (given.url === undefined || given.url === maskUrl(url))) given = { ...given, url };
    }
    const checked = channelConfig(input.kind, given);
    try {
      this.policy.checkHost('url' in checked ? new URL(checked.url).hostname : checked.host);
    } catch (e) {
      if (e instanceof TargetRefused) throw validationError(input.kind === 'email' ? 'config/host' : 'config/url', `not a permitted target: ${e.message} (allow it on purpose with notifyAllowedTargets)`);
      throw e;
    }
    const config = JSON.stringify(checked);
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const clash = await trx.selectFrom('channels').select('id').where('name', '=', name).executeTakeFirst();
      if (clash && Number(clash.id) !== id) throw new DomainError('conflict', `a channel named "${name}" exists already`, { reason: 'nameTaken', name });
      let channelId: number;
      if (id === undefined) {
        const r = await trx
          .insertInto('channels')
          .values({ name, kind: input.kind, config, secret: this.seal(input.secret), enabled: input.enabled === false ? 0 : 1, created_at: at, updated_at: at })
          .returning('id')
          .executeTakeFirstOrThrow();
        channelId = Number(r.id);
      } else {
        const before = await trx.selectFrom('channels').select(['id']).where('id', '=', id).executeTakeFirst();
        if (!before) throw notFound('channel', id);
        await trx
          .updateTable('channels')
          .set({ name, kind: input.kind, config, ...(input.secret !== undefined ? { secret: this.seal(input.secret) } : {}), enabled: input.enabled === false ? 0 : 1, updated_at: at })
          .where('id', '=', id)
          .execute();
        channelId = id;
      }
      // the audit trail records that a secret was set, never the secret
      await writeAudit(trx, { actor, action: id === undefined ? 'channel.create' : 'channel.update', entityType: 'channel', entityId: String(channelId), after: { name, kind: input.kind, config: maskConfig(checked), secretSet: input.secret !== undefined }, at });
      const row = await trx.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirstOrThrow();
      return this.presentChannel(row);
    });
  }

  async deleteChannel(actor: Actor, id: number) {
    requirePermission(actor, 'settings.write', 'remove notification channels');
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('channels').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('channel', id);
      await trx.deleteFrom('channels').where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'channel.delete', entityType: 'channel', entityId: String(id), before: { name: row.name }, at: this.now().toISOString() });
    });
  }

  /** Sends a test message through a channel now, and logs it like any other. */
  async testChannel(actor: Actor, id: number) {
    requirePermission(actor, 'settings.write', 'test notification channels');
    const channel = await this.channel(id);
    const at = this.now().toISOString();
    const row = await this.db
      .insertInto('notifications')
      .values({ rule_id: null, channel_id: id, group_key: `test:${id}`, digest: 0, events: '[]', incident_id: null, level: null, subject: '【测试】Bihuan 通知渠道测试', body: `这是一条测试消息，由 ${actorLabel(actor)} 于 ${at} 发出。`, recipients: null, status: 'pending', attempts: 0, due_at: at, created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.attempt(Number(row.id), channel);
    return this.notification(Number(row.id));
  }

  private async channel(id: number): Promise<Channel> {
    const r = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('channel', id);
    return { id: Number(r.id), name: r.name, kind: r.kind as ChannelKind, config: JSON.parse(r.config) as EmailConfig | WebhookConfig, secret: r.secret ? this.secrets.open(r.secret) : null };
  }

  // ------------------------------------------------------------ rules

  async rules() {
    const rows = await this.db.selectFrom('notification_rules').selectAll().orderBy('id').execute();
    return rows.map((r) => this.presentRule(r));
  }

  private presentRule(r: { id: number; name: string; events: string; max_level: number; org_units: string | null; roles: string | null; on_duty: string | null; channel_id: number; quiet_from: string | null; quiet_to: string | null; batch_seconds: number; enabled: number; created_at: string }) {
    return {
      id: Number(r.id),
      name: r.name,
      events: JSON.parse(r.events) as EventKind[],
      maxLevel: r.max_level,
      orgUnits: r.org_units ? (JSON.parse(r.org_units) as string[]) : null,
      roles: r.roles ? (JSON.parse(r.roles) as string[]) : null,
      onDuty: r.on_duty ? (JSON.parse(r.on_duty) as string[]) : null,
      channelId: Number(r.channel_id),
      quietHours: r.quiet_from && r.quiet_to ? { from: r.quiet_from, to: r.quiet_to } : null,
      batchSeconds: r.batch_seconds,
      enabled: r.enabled === 1,
      createdAt: r.created_at,
    };
  }

  async saveRule(actor: Actor, id: number | undefined, input: RuleInput) {
    requirePermission(actor, 'settings.write', 'change notification rules');
    const name = input.name.trim();
    if (!name) throw validationError('name', 'is required');
    if (!input.events.length) throw validationError('events', `name at least one of ${EVENT_KINDS.join(', ')}`);
    for (const [i, e] of input.events.entries()) if (!EVENT_KINDS.includes(e)) throw validationError(`events/${i}`, `must be one of ${EVENT_KINDS.join(', ')}`);
    if (![1, 2, 3, 4].includes(input.maxLevel)) throw validationError('maxLevel', 'must be 1, 2, 3 or 4 (tell of incidents this severe or more)');
    for (const [i, r] of (input.roles ?? []).entries()) if (!ROLES.includes(r)) throw validationError(`roles/${i}`, `must be one of ${ROLES.join(', ')}`);
    for (const [i, r] of (input.onDuty ?? []).entries()) if (!(DUTY_ROLES as readonly string[]).includes(r)) throw validationError(`onDuty/${i}`, `must be one of ${DUTY_ROLES.join(', ')}`, 'enum', { values: DUTY_ROLES.join(', ') });
    if (input.quietHours) {
      if (!isClockTime(input.quietHours.from)) throw validationError('quietHours/from', 'must be a clock time HH:MM');
      if (!isClockTime(input.quietHours.to)) throw validationError('quietHours/to', 'must be a clock time HH:MM');
    }
    const batch = input.batchSeconds ?? 60;
    if (!Number.isInteger(batch) || batch < 0 || batch > 86_400) throw validationError('batchSeconds', 'must be 0 to 86400 seconds');
    const at = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      if (!(await trx.selectFrom('channels').select('id').where('id', '=', input.channelId).executeTakeFirst())) throw validationError('channelId', `channel ${input.channelId} does not exist`);
      const units = new Set((await trx.selectFrom('org_units').select('code').execute()).map((u) => u.code));
      for (const [i, u] of (input.orgUnits ?? []).entries()) if (!units.has(u)) throw validationError(`orgUnits/${i}`, `org unit "${u}" does not exist`);
      const values = {
        name,
        events: JSON.stringify([...new Set(input.events)]),
        max_level: input.maxLevel,
        org_units: input.orgUnits?.length ? JSON.stringify(input.orgUnits) : null,
        roles: input.roles?.length ? JSON.stringify(input.roles) : null,
        on_duty: input.onDuty?.length ? JSON.stringify([...new Set(input.onDuty)]) : null,
        channel_id: input.channelId,
        quiet_from: input.quietHours?.from ?? null,
        quiet_to: input.quietHours?.to ?? null,
        batch_seconds: batch,
        enabled: input.enabled === false ? 0 : 1,
      };
      let ruleId: number;
      if (id === undefined) {
        ruleId = Number((await trx.insertInto('notification_rules').values({ ...values, created_at: at }).returning('id').executeTakeFirstOrThrow()).id);
      } else {
        const r = await trx.updateTable('notification_rules').set(values).where('id', '=', id).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound('notification rule', id);
        ruleId = id;
      }
      await writeAudit(trx, { actor, action: id === undefined ? 'notify_rule.create' : 'notify_rule.update', entityType: 'notification_rule', entityId: String(ruleId), after: values, at });
      return this.presentRule(await trx.selectFrom('notification_rules').selectAll().where('id', '=', ruleId).executeTakeFirstOrThrow());
    });
  }

  async deleteRule(actor: Actor, id: number) {
    requirePermission(actor, 'settings.write', 'remove notification rules');
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('notification_rules').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound('notification rule', id);
      await writeAudit(trx, { actor, action: 'notify_rule.delete', entityType: 'notification_rule', entityId: String(id), at: this.now().toISOString() });
    });
  }

  // ------------------------------------------------------------ the log

  async notifications(q: { status?: string; incidentId?: string; limit?: number } = {}) {
    let query = this.db.selectFrom('notifications').selectAll().orderBy('id', 'desc').limit(Math.min(q.limit ?? 100, 500));
    if (q.status) query = query.where('status', '=', q.status);
    if (q.incidentId) query = query.where('incident_id', '=', q.incidentId);
    const rows = await query.execute();
    return rows.map((r) => this.presentNotification(r));
  }

  async notification(id: number) {
    const r = await this.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('notification', id);
    const attempts = await this.db.selectFrom('delivery_attempts').selectAll().where('notification_id', '=', id).orderBy('id').execute();
    return {
      ...this.presentNotification(r),
      deliveries: attempts.map((a) => ({ at: a.at, ok: a.ok === 1, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
    };
  }

  private presentNotification(r: Selectable<NotificationTable>) {
    return {
      id: Number(r.id),
      ruleId: r.rule_id === null ? null : Number(r.rule_id),
      channelId: Number(r.channel_id),
      digest: r.digest === 1,
      events: JSON.parse(r.events) as NotifyEvent[],
      incidentId: r.incident_id,
      level: r.level,
      subject: r.subject,
      body: r.body,
      recipients: r.recipients ? (JSON.parse(r.recipients) as string[]) : [],
      status: r.status,
      attempts: r.attempts,
      dueAt: r.due_at,
      lastError: r.last_error,
      createdAt: r.created_at,
      sentAt: r.sent_at,
    };
  }

  // ------------------------------------------------------------ the loop

  /** Waits for a pass under way (run() or a background loop's) to end. */
  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** One pass: new timeline events and SLA deadlines into the outbox, then every message due. One at a time. */
  run(): Promise<void> {
    const go = async () => {
      await this.beforeRun?.();
      await this.scan();
      await this.deliverDue();
    };
    return this.oneAtATime(go);
  }

  /** Runs `step` after any pass under way; the caller gets its outcome, the chain never holds a rejection. */
  oneAtATime<T>(step: () => Promise<T>): Promise<T> {
    const p = (this.running ?? Promise.resolve()).then(step);
    // the chain itself swallows the outcome (the caller holds `p`): a rejected pass left in
    // `running` unhandled would end the process (Node's default for unhandled rejections)
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.running = settled;
    void settled.then(() => {
      if (this.running === settled) this.running = undefined;
    });
    return p;
  }

  /** Reads the timelines from the cursor and checks the SLA deadlines; queues what the rules want told. */
  async scan(): Promise<number> {
    return (await this.scanTimelines()) + (await this.scanDeadlines());
  }

  /** Reads the timelines from the cursor; queues what the rules want told. */
  async scanTimelines(): Promise<number> {
    let queued = 0;
    for (;;) {
      const n = await this.scanTimeline();
      queued += n.queued;
      if (!n.more) break;
    }
    return queued;
  }

  private async scanTimeline(): Promise<{ queued: number; more: boolean }> {
    const now = this.now();
    return this.db.transaction().execute(async (trx) => {
      const cursor = Number((await trx.selectFrom('detection_state').select('value').where('name', '=', CURSOR).executeTakeFirst())?.value ?? 0);
      const rows = await trx.selectFrom('timeline_entries').select(['id', 'incident_id', 'kind', 'text', 'data', 'occurred_at', 'recorded_at']).where('id', '>', cursor).orderBy('id').limit(BATCH).execute();
      // a gap in the ids may be a transaction still committing: wait for it a little
      let upTo = cursor;
      const taken: typeof rows = [];
      for (const r of rows) {
        const id = Number(r.id);
        if (id !== upTo + 1 && now.getTime() - Date.parse(r.recorded_at) < GAP_GRACE_MS) break;
        taken.push(r);
        upTo = id;
      }
      if (!taken.length) return { queued: 0, more: false };
      const wanted = taken.filter((r) => ['created', 'level_changed', 'phase_changed', 'phase_override', 'report_sent', 'plan_started', 'block_added', 'block_renewed', 'block_lifted', 'block_expired'].includes(r.kind));
      const ids = [...new Set(wanted.map((r) => r.incident_id))];
      const incidents = ids.length ? await trx.selectFrom('incidents').select(['id', 'title', 'type', 'level', 'org_unit', 'grading_version']).where('id', 'in', ids).execute() : [];
      const byId = new Map(incidents.map((i) => [i.id, i]));
      const names = await this.typeNames(trx);
      const events: NotifyEvent[] = [];
      for (const r of wanted) {
        const inc = byId.get(r.incident_id);
        if (!inc) continue;
        const data = r.data ? (JSON.parse(r.data) as Record<string, unknown>) : {};
        const base = { incidentId: inc.id, title: inc.title, typeName: names.get(inc.type) ?? inc.type, orgUnit: inc.org_unit, at: r.recorded_at, text: r.text };
        if (r.kind === 'created') events.push({ ...base, kind: 'incident_created', level: Number(data.level ?? inc.level), at: r.recorded_at });
        else if (r.kind === 'level_changed' && Number(data.toLevel) < Number(data.fromLevel)) events.push({ ...base, kind: 'level_raised', level: Number(data.toLevel) });
        else if (r.kind === 'phase_changed' || r.kind === 'phase_override') events.push({ ...base, kind: 'phase_changed', level: inc.level });
        else if (r.kind === 'report_sent') events.push({ ...base, kind: 'report_sent', level: inc.level });
        else if (r.kind === 'plan_started') events.push({ ...base, kind: 'plan_started', level: inc.level, alsoTo: Array.isArray(data.emails) ? (data.emails as string[]) : [] });
        else if (r.kind.startsWith('block_')) events.push({ ...base, kind: 'countermeasure', level: inc.level, block: { action: String(data.action ?? r.kind.slice(6)), kind: String(data.kind), value: String(data.value), list: String(data.list), status: String(data.status), ...(data.expiresAt ? { expiresAt: String(data.expiresAt) } : {}) } });
      }
      let queued = 0;
      const active = events.length ? await this.activeRules(trx) : [];
      for (const e of events) queued += await this.enqueue(trx, e, now, active);
      await trx
        .insertInto('detection_state')
        .values({ name: CURSOR, value: String(upTo) })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value: String(upTo) }))
        .execute();
      return { queued, more: rows.length === BATCH && taken.length === rows.length };
    });
  }

  /** Phase deadlines — and the regulator's report deadline — due soon and overdue, each told once per incident, phase and deadline. */
  async scanDeadlines(): Promise<number> {
    return (await this.scanPhaseDeadlines()) + (await this.scanRegulatoryDeadlines());
  }

  /** the regulator's deadlines coming or passed (set by the app: the regulatory service) */
  regulatoryDue?: (db: Kysely<DB>) => Promise<Array<{ id: string; title: string; type: string; level: number; org_unit: string; national_level: number; regulatory_due_at: string; overdue: boolean }>>;

  private async scanRegulatoryDeadlines(): Promise<number> {
    if (!this.regulatoryDue) return 0;
    const now = this.now();
    const at = now.toISOString();
    const due = await this.regulatoryDue(this.db);
    if (!due.length) return 0;
    const names = await this.typeNames(this.db);
    const ROMAN = ['', 'I', 'II', 'III', 'IV'];
    let queued = 0;
    for (const inc of due) {
      const step = inc.overdue ? 'overdue' : 'due_soon';
      queued += await this.db.transaction().execute(async (trx) => {
        const fired = await trx
          .insertInto('sla_escalations')
          .values({ incident_id: inc.id, phase: 'regulatory', step, deadline: inc.regulatory_due_at, fired_at: at })
          .onConflict((oc) => oc.columns(['incident_id', 'phase', 'step', 'deadline']).doNothing())
          .executeTakeFirst();
        if (Number(fired.numInsertedOrUpdatedRows ?? 0) === 0) return 0;
        const minutes = Math.round(Math.abs(Date.parse(inc.regulatory_due_at) - now.getTime()) / 60_000);
        const text = inc.overdue
          ? `国家分级 ${ROMAN[inc.national_level]} 级事件向监管部门报告已超时 ${minutes} 分钟（期限 ${inc.regulatory_due_at}），升级至指挥组`
          : `国家分级 ${ROMAN[inc.national_level]} 级事件须在 ${minutes} 分钟内向监管部门报告（期限 ${inc.regulatory_due_at}）`;
        return this.enqueue(trx, { kind: inc.overdue ? 'sla_overdue' : 'sla_due_soon', incidentId: inc.id, title: inc.title, typeName: names.get(inc.type) ?? inc.type, orgUnit: inc.org_unit, level: inc.level, at, text }, now);
      });
    }
    return queued;
  }

  private async scanPhaseDeadlines(): Promise<number> {
    const now = this.now();
    const at = now.toISOString();
    const horizon = new Date(now.getTime() + Math.max(...Object.values(DUE_SOON_MS))).toISOString();
    const open = await this.db
      .selectFrom('incidents')
      .select(['id', 'title', 'type', 'level', 'org_unit', 'phase', 'phase_due_at', 'priority_tier'])
      .where('phase', '!=', 'closed')
      .where('phase_due_at', 'is not', null)
      .where('phase_due_at', '<=', horizon)
      .execute();
    if (!open.length) return 0;
    const names = await this.typeNames(this.db);
    let queued = 0;
    for (const inc of open) {
      const due = inc.phase_due_at!;
      const overdue = due <= at;
      const soon = !overdue && Date.parse(due) - now.getTime() <= (DUE_SOON_MS[inc.priority_tier] ?? DUE_SOON_MS.day!);
      if (!overdue && !soon) continue;
      const step = overdue ? 'overdue' : 'due_soon';
      queued += await this.db.transaction().execute(async (trx) => {
        const fired = await trx
          .insertInto('sla_escalations')
          .values({ incident_id: inc.id, phase: inc.phase, step, deadline: due, fired_at: at })
          .onConflict((oc) => oc.columns(['incident_id', 'phase', 'step', 'deadline']).doNothing())
          .executeTakeFirst();
        if (Number(fired.numInsertedOrUpdatedRows ?? 0) === 0) return 0;
        const minutes = Math.round(Math.abs(Date.parse(due) - now.getTime()) / 60_000);
        const text = overdue ? `${inc.phase} 阶段已超时 ${minutes} 分钟（期限 ${due}），升级至指挥组` : `${inc.phase} 阶段将在 ${minutes} 分钟后到期（期限 ${due}）`;
        return this.enqueue(trx, { kind: overdue ? 'sla_overdue' : 'sla_due_soon', incidentId: inc.id, title: inc.title, typeName: names.get(inc.type) ?? inc.type, orgUnit: inc.org_unit, level: inc.level, at, text }, now);
      });
    }
    return queued;
  }

  private async typeNames(db: Kysely<DB>): Promise<Map<string, string>> {
    const latest = await db.selectFrom('grading_versions').select('entries').orderBy('version', 'desc').limit(1).executeTakeFirst();
    const entries = latest ? (JSON.parse(latest.entries) as Array<{ type: string; nameZh: string }>) : [];
    return new Map(entries.map((e) => [e.type, e.nameZh]));
  }

  /** Puts one event in the outbox of every rule that wants it: now, after quiet hours, or gathered into the burst's digest. */
  async enqueue(trx: Kysely<DB>, e: NotifyEvent, now: Date, active?: ActiveRule[]): Promise<number> {
    const at = now.toISOString();
    await this.timeZones.refresh(trx);
    const rules = (active ?? (await this.activeRules(trx))).filter(({ rule }) => ruleMatches(rule, e));
    let queued = 0;
    // the people a plan names are told when it starts, per the plan, whether or not a rule asks for it:
    // through the first enabled e-mail channel when no matching e-mail rule carries the message to them
    if (e.alsoTo?.length && !rules.some(({ channel }) => channel.kind === 'email')) {
      const mail = await trx.selectFrom('channels').select('id').where('kind', '=', 'email').where('enabled', '=', 1).orderBy('id').limit(1).executeTakeFirst();
      if (mail) {
        const { subject, body } = messageOf(e, this.timeZones.zone);
        await trx
          .insertInto('notifications')
          .values({ rule_id: null, channel_id: mail.id, group_key: `plan:${e.incidentId ?? ''}`, digest: 0, events: JSON.stringify([e]), incident_id: e.incidentId, level: e.level, subject, body, recipients: JSON.stringify([...new Set(e.alsoTo)]), status: 'pending', attempts: 0, due_at: at, created_at: at })
          .execute();
        queued++;
      }
    }
    for (const { rule, channel } of rules) {
      // level 1 is told through quiet hours; everything else (level 0 too: periodic work) waits for them
      const quiet = rule.quietHours && e.level !== 1 ? quietUntil(at, rule.quietHours.from, rule.quietHours.to, this.timeZones.zone) : undefined;
      const recipients = channel.kind === 'email' ? [...new Set([...(await this.recipientsOf(trx, rule, e.orgUnit, at)), ...(e.alsoTo ?? [])])] : [];
      const group = `rule:${rule.id}`;
      const since = new Date(now.getTime() - rule.batchSeconds * 1000).toISOString();
      const recent = rule.batchSeconds > 0 ? await trx.selectFrom('notifications').select(['id', 'created_at']).where('group_key', '=', group).where('created_at', '>', since).orderBy('id', 'desc').limit(1).executeTakeFirst() : undefined;
      if (recent) {
        // a burst: gather into the group's digest, sent when the batch window ends
        const digest = await trx.selectFrom('notifications').selectAll().where('group_key', '=', group).where('digest', '=', 1).where('status', '=', 'pending').where('attempts', '=', 0).orderBy('id', 'desc').limit(1).executeTakeFirst();
        if (digest) {
          const events = [...(JSON.parse(digest.events) as NotifyEvent[]), e];
          const { subject, body } = digestOf(events, this.timeZones.zone);
          const merged = [...new Set([...(digest.recipients ? (JSON.parse(digest.recipients) as string[]) : []), ...recipients])];
          await trx
            .updateTable('notifications')
            .set({ events: JSON.stringify(events), subject, body, level: worstLevel([digest.level ?? 0, e.level]), incident_id: digest.incident_id === e.incidentId ? e.incidentId : null, recipients: merged.length ? JSON.stringify(merged) : null })
            .where('id', '=', digest.id)
            .execute();
          queued++;
          continue;
        }
        const release = new Date(Date.parse(recent.created_at) + rule.batchSeconds * 1000).toISOString();
        const { subject, body } = digestOf([e], this.timeZones.zone);
        await trx
          .insertInto('notifications')
          .values({ rule_id: rule.id, channel_id: rule.channelId, group_key: group, digest: 1, events: JSON.stringify([e]), incident_id: e.incidentId, level: e.level, subject, body, recipients: recipients.length ? JSON.stringify(recipients) : null, status: 'pending', attempts: 0, due_at: quiet && quiet > release ? quiet : release, created_at: at })
          .execute();
        queued++;
        continue;
      }
      const { subject, body } = messageOf(e, this.timeZones.zone);
      await trx
        .insertInto('notifications')
        .values({ rule_id: rule.id, channel_id: rule.channelId, group_key: group, digest: 0, events: JSON.stringify([e]), incident_id: e.incidentId, level: e.level, subject, body, recipients: recipients.length ? JSON.stringify(recipients) : null, status: 'pending', attempts: 0, due_at: quiet ?? at, created_at: at })
        .execute();
      queued++;
    }
    return queued;
  }

  /** The enabled rules whose channel is enabled, with the channel's kind: read once per scan, not per event. */
  private async activeRules(trx: Kysely<DB>): Promise<ActiveRule[]> {
    const rows = await trx
      .selectFrom('notification_rules')
      .innerJoin('channels', 'channels.id', 'notification_rules.channel_id')
      .selectAll('notification_rules')
      .select('channels.kind as channel_kind')
      .where('notification_rules.enabled', '=', 1)
      .where('channels.enabled', '=', 1)
      .execute();
    return rows.map((r) => ({ rule: this.presentRule(r), channel: { kind: r.channel_kind } }));
  }

  /** An e-mail rule's recipients beside the channel's own: the users of its roles, and whoever is on duty in its duty roles. */
  private async recipientsOf(trx: Kysely<DB>, rule: ActiveRule['rule'], orgUnit: string, at: string): Promise<string[]> {
    const byRole = rule.roles?.length ? await this.emailsOf(trx, rule.roles, orgUnit) : [];
    const onDuty = rule.onDuty?.length && this.onDutyEmails ? await this.onDutyEmails(trx, rule.onDuty, orgUnit, at) : [];
    return [...new Set([...byRole, ...onDuty])];
  }

  private async emailsOf(trx: Kysely<DB>, roles: string[], orgUnit: string): Promise<string[]> {
    const users = await trx.selectFrom('users').select(['email', 'org_unit']).where('role', 'in', roles).where('disabled', '=', 0).where('email', 'is not', null).execute();
    return users.filter((u) => !u.org_unit || u.org_unit === orgUnit).map((u) => u.email!);
  }

  /** Sends every message that is due; a failure waits its back-off, the last failure makes it dead. */
  async deliverDue(): Promise<number> {
    const at = this.now().toISOString();
    const due = await this.db.selectFrom('notifications').select(['id', 'channel_id']).where('status', '=', 'pending').where('due_at', '<=', at).orderBy('due_at').orderBy('id').limit(100).execute();
    const channels = new Map<number, Channel>();
    for (const n of due) {
      const cid = Number(n.channel_id);
      if (!channels.has(cid)) channels.set(cid, await this.channel(cid));
      await this.attempt(Number(n.id), channels.get(cid)!);
    }
    return due.length;
  }

  private async attempt(id: number, channel: Channel): Promise<void> {
    const n = await this.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const started = performance.now();
    let result: DeliveryResult;
    try {
      result = await deliver(channel, { subject: n.subject, body: n.body, level: n.level, incidentId: n.incident_id, events: JSON.parse(n.events) as unknown[], recipients: n.recipients ? (JSON.parse(n.recipients) as string[]) : [] }, this.now(), this.policy);
    } catch (e) {
      result = { ok: false, error: (e as Error).message };
    }
    const duration = Math.round(performance.now() - started);
    const now = this.now();
    const attempts = n.attempts + 1;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('delivery_attempts')
        .values({ notification_id: id, at: now.toISOString(), ok: result.ok ? 1 : 0, status_code: result.statusCode ?? null, response: null, error: result.error ?? null, duration_ms: duration })
        .execute();
      const status = result.ok ? 'sent' : attempts >= MAX_ATTEMPTS ? 'dead' : 'pending';
      await trx
        .updateTable('notifications')
        .set({
          status,
          attempts,
          sent_at: result.ok ? now.toISOString() : null,
          last_error: result.ok ? null : (result.error ?? 'refused'),
          due_at: result.ok || status === 'dead' ? n.due_at : new Date(now.getTime() + backoffMs(attempts)).toISOString(),
        })
        .where('id', '=', id)
        .execute();
    });
  }
}
