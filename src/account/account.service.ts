/**
 * Accounts: users and roles, password log-in with server-side sessions, and API tokens for
 * machines. Secrets (passwords, session ids, tokens) are stored only as hashes and never
 * returned once created.
 */
import type { Kysely } from 'kysely';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, ROLES, type Role, confinedBranch, isRole } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { getSetting, putSetting, requireOrgUnit } from '../settings/settings.repository.js';
import type { DB, UserRow } from '../store/schema.js';
import { Secret, TOTP } from 'otpauth';
import { checkPasswordPolicy } from '../domain/account/password-policy.js';
import type { SecretBox } from '../store/secret-box.js';
import { generatePassword, hashPassword, hashSecret, needsRehash, randomSecret, verifyPassword } from './password.js';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  orgUnit: string | null;
  /** where notifications for the user's role reach them */
  email: string | null;
  createdAt: string;
}

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** a machine's token: kept when its user's password changes or the user is disabled */
  service: boolean;
}

export const TOKEN_PREFIX = 'bh_';
const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,63}$/;

export function presentUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role as Role,
    disabled: r.disabled === 1,
    orgUnit: r.org_unit,
    email: r.email ?? null,
    createdAt: r.created_at,
  };
}

export interface LockoutPolicy {
  /** failed log-ins in a row that lock the account (0: never) */
  attempts: number;
  minutes: number;
}

/** One-time codes (RFC 6238): 6 digits, 30 s, one step of clock drift either way. */
const TOTP_PERIOD = 30;
const totpOf = (username: string, secret: string) => new TOTP({ issuer: 'Bihuan', label: username, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD, secret: Secret.fromBase32(secret) });

export interface NewUser {
  username: string;
  displayName?: string;
  role: string;
  /** null: no password at all (a machine's account, used with API tokens only); absent: one is generated */
  password?: string | null;
  orgUnit?: string | null;
  email?: string | null;
}

function withBranch(actor: Actor & { kind: 'user' }, unitCode: string | null, unitKind: string | null): Actor & { kind: 'user' } {
  const branch = confinedBranch(actor.role, unitCode && unitKind ? { code: unitCode, kind: unitKind } : undefined);
  return branch ? { ...actor, branch } : actor;
}

/** saved queue filters per person */
export const SAVED_FILTERS = 20;

/** A named queue filter: the queue's own filter fields (as its address carries them). */
export interface SavedFilter {
  name: string;
  filter: { level?: number[]; phase?: string[]; type?: string; orgUnit?: string; owner?: number; overdue?: boolean };
}

export class AccountService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    private readonly sessionTtlMinutes: number,
    private readonly lockout: LockoutPolicy,
    private readonly secrets: SecretBox,
    private readonly requireTotpForAdmin: boolean,
  ) {}

  /** A person's saved queue filters (named, at most SAVED_FILTERS), kept on the server so they follow them to any browser. */
  async savedFilters(actor: Actor): Promise<SavedFilter[]> {
    if (actor.kind !== 'user') return [];
    return (await getSetting<SavedFilter[]>(this.db, `user:${actor.userId}:queue-filters`)) ?? [];
  }

  async setSavedFilters(actor: Actor, filters: SavedFilter[]): Promise<SavedFilter[]> {
    if (actor.kind !== 'user') throw new DomainError('forbidden', 'saved filters belong to a person: sign in');
    const names = new Set<string>();
    const clean = filters.map((f, i) => {
      const name = f.name.trim();
      if (!name) throw validationError(`${i}/name`, 'is required and must not be blank', 'blank');
      if (names.has(name)) throw validationError(`${i}/name`, `"${name}" is saved twice`, 'duplicateName', { name });
      names.add(name);
      return { name, filter: f.filter };
    });
    if (clean.length > SAVED_FILTERS) throw validationError('(root)', `at most ${SAVED_FILTERS} saved filters`, 'maxItems', { limit: SAVED_FILTERS });
    await putSetting(this.db, `user:${actor.userId}:queue-filters`, clean, this.now().toISOString(), actor.username);
    return clean;
  }

  /** The time step a code is good for, or undefined when it is not the user's current code (or was used already). */
  private totpStep(row: { username: string; totp_secret: string | null; totp_last_step: number | string | null }, code: string, now: Date): number | undefined {
    if (!row.totp_secret || !/^\d{6}$/.test(code)) return undefined;
    const totp = totpOf(row.username, this.secrets.open(row.totp_secret));
    const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 });
    if (delta === null) return undefined;
    const step = Math.floor(now.getTime() / 1000 / TOTP_PERIOD) + delta;
    if (row.totp_last_step !== null && step <= Number(row.totp_last_step)) return undefined; // a code is good once
    return step;
  }

  /** Starts setting up one-time codes for the signed-in user: a new secret, shown once, active after confirmCode. */
  async startTotp(actor: Actor & { kind: 'user' }): Promise<{ secret: string; uri: string }> {
    if (actor.via !== 'session') throw new DomainError('forbidden', 'sign in as a person to set up one-time codes');
    const row = await this.db.selectFrom('users').select(['username', 'totp_enabled']).where('id', '=', actor.userId).executeTakeFirstOrThrow();
    if (row.totp_enabled) throw new DomainError('conflict', 'one-time codes are set up already; an admin resets them (PATCH /api/users/:id {"resetTotp": true})', { reason: 'totpSetUp' });
    const secret = new Secret({ size: 20 }).base32;
    await this.db.updateTable('users').set({ totp_secret: this.secrets.seal(secret), totp_last_step: null }).where('id', '=', actor.userId).execute();
    return { secret, uri: totpOf(row.username, secret).toString() };
  }

  /** Confirms the set-up with a first code from the authenticator app; from then on log-in asks for a code. */
  async confirmTotp(actor: Actor & { kind: 'user' }, code: string): Promise<{ enabled: true }> {
    const now = this.now();
    const row = await this.db.selectFrom('users').select(['id', 'username', 'totp_secret', 'totp_enabled', 'totp_last_step']).where('id', '=', actor.userId).executeTakeFirstOrThrow();
    if (row.totp_enabled) throw new DomainError('conflict', 'one-time codes are set up already', { reason: 'totpSetUp' });
    if (!row.totp_secret) throw new DomainError('conflict', 'start the set-up first (POST /api/auth/totp)', { reason: 'totpNotStarted' });
    const step = this.totpStep(row, code, now);
    if (step === undefined) throw validationError('code', 'is not the current code of the authenticator app (check its clock)');
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ totp_enabled: 1, totp_last_step: step }).where('id', '=', row.id).execute();
      await writeAudit(trx, { actor, action: 'user.totp.enable', entityType: 'user', entityId: row.id, at: now.toISOString() });
    });
    return { enabled: true };
  }

  /** Whether a user has one-time codes, and whether their role must. */
  async totpState(userId: number, role: Role): Promise<{ enabled: boolean; required: boolean }> {
    const row = await this.db.selectFrom('users').select('totp_enabled').where('id', '=', userId).executeTakeFirst();
    return { enabled: row?.totp_enabled === 1, required: this.requireTotpForAdmin && role === 'admin' };
  }

  async userCount(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * First start: when there is no user at all, creates `admin` with the given password or a
   * generated one. Returns the password only when it was generated (to be shown once).
   */
  async ensureFirstAdmin(actor: Actor, password?: string): Promise<{ created: boolean; username: string; generatedPassword?: string }> {
    if ((await this.userCount()) > 0) return { created: false, username: 'admin' };
    const generated = password ? undefined : generatePassword();
    await this.createUser(actor, { username: 'admin', displayName: '管理员', role: 'admin', password: password ?? generated });
    return { created: true, username: 'admin', generatedPassword: generated };
  }

  async createUser(actor: Actor, input: NewUser): Promise<{ user: User; generatedPassword?: string }> {
    if (!USERNAME.test(input.username)) throw validationError('username', '2–64 letters, digits, ".", "_" or "-", starting with a letter or digit');
    if (!isRole(input.role)) throw validationError('role', `must be one of ${ROLES.join(', ')}; got "${input.role}"`);
    const generated = input.password === undefined ? generatePassword() : undefined;
    const password = input.password === null ? null : (input.password ?? generated!);
    if (password !== null) checkPasswordPolicy(password, input.username);
    const displayName = (input.displayName ?? input.username).trim().slice(0, 100) || input.username;
    const passwordHash = password === null ? null : await hashPassword(password);
    return this.db.transaction().execute(async (trx) => {
      if (await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst()) {
        throw new DomainError('conflict', `a user named "${input.username}" already exists`, { field: 'username', reason: 'usernameTaken', username: input.username });
      }
      if (input.orgUnit) await requireOrgUnit(trx, input.orgUnit, 'orgUnit');
      const at = this.now().toISOString();
      const row = await trx
        .insertInto('users')
        .values({
          username: input.username,
          display_name: displayName,
          role: input.role,
          password_hash: passwordHash,
          disabled: 0,
          org_unit: input.orgUnit ?? null,
          email: input.email?.trim() || null,
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const user = presentUser(row);
      await writeAudit(trx, { actor, action: 'user.create', entityType: 'user', entityId: user.id, after: user, at });
      return { user, generatedPassword: generated };
    });
  }

  async listUsers(): Promise<User[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('id').execute()).map(presentUser);
  }

  async getUser(id: number): Promise<User> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('user', id);
    return presentUser(r);
  }

  async updateUser(
    actor: Actor,
    id: number,
    patch: { displayName?: string; role?: string; disabled?: boolean; orgUnit?: string | null; password?: string; email?: string | null; unlock?: boolean; resetTotp?: boolean },
  ): Promise<User> {
    if (patch.role !== undefined && !isRole(patch.role)) throw validationError('role', `must be one of ${ROLES.join(', ')}; got "${patch.role}"`);
    if (patch.password !== undefined) {
      const named = await this.db.selectFrom('users').select('username').where('id', '=', id).executeTakeFirst();
      checkPasswordPolicy(patch.password, named?.username);
    }
    const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('user', id);
      const before = presentUser(row);
      if (before.role === 'admin' && ((patch.role && patch.role !== 'admin') || patch.disabled === true)) {
        const admins = await trx.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).execute();
        if (admins.length <= 1) throw new DomainError('conflict', 'this is the last active admin: make another admin first', { reason: 'lastAdmin' });
      }
      if (patch.orgUnit) await requireOrgUnit(trx, patch.orgUnit, 'orgUnit');
      const at = this.now().toISOString();
      const updated = await trx
        .updateTable('users')
        .set({
          ...(patch.displayName !== undefined ? { display_name: patch.displayName.trim().slice(0, 100) || row.username } : {}),
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
          ...(patch.orgUnit !== undefined ? { org_unit: patch.orgUnit } : {}),
          ...(patch.email !== undefined ? { email: patch.email?.trim() || null } : {}),
          ...(passwordHash ? { password_hash: passwordHash } : {}),
          ...(patch.unlock ? { failed_logins: 0, locked_until: null } : {}),
          ...(patch.resetTotp ? { totp_secret: null, totp_enabled: 0, totp_last_step: null } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      // A disabled user, or one whose password changed, is signed out everywhere, and their API
      // tokens are revoked — all but the service tokens an admin marked as a machine's.
      let revoked = 0;
      if (patch.disabled || passwordHash) {
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
        const r = await trx.updateTable('api_tokens').set({ revoked_at: at }).where('user_id', '=', id).where('revoked_at', 'is', null).where('service', '=', 0).executeTakeFirst();
        revoked = Number(r.numUpdatedRows);
      }
      if (patch.resetTotp && row.totp_secret) await writeAudit(trx, { actor, action: 'user.totp.reset', entityType: 'user', entityId: id, at });
      if (patch.unlock && row.locked_until) await writeAudit(trx, { actor, action: 'user.unlock', entityType: 'user', entityId: id, before: { failedLogins: row.failed_logins, lockedUntil: row.locked_until }, at });
      if (revoked) await writeAudit(trx, { actor, action: 'token.revoke', entityType: 'user', entityId: id, after: { tokensRevoked: revoked, why: patch.disabled ? 'user disabled' : 'password changed' }, at });
      const after = presentUser(updated);
      await writeAudit(trx, {
        actor,
        action: passwordHash ? 'user.update+password' : 'user.update',
        entityType: 'user',
        entityId: id,
        before,
        after,
        at,
      });
      return after;
    });
  }

  /** Password log-in. The same message for an unknown user and a wrong password. */
  async login(username: string, password: string, code?: string): Promise<{ sessionId: string; user: User; expiresAt: string }> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    const now = this.now();
    const refused = new DomainError('unauthenticated', 'wrong user name or password, or the account is disabled or locked', { reason: 'badCredentials' });
    // a locked account is refused without checking the password (the same answer and about the same time)
    if (row?.locked_until && row.locked_until > now.toISOString()) {
      await hashPassword(password);
      throw refused;
    }
    const ok = row?.password_hash ? await verifyPassword(password, row.password_hash) : (await hashPassword(password), false);
    if (row && !ok) await this.countFailure(row.id, row.username, row.failed_logins, now);
    if (!row || !ok || row.disabled) throw refused;
    // the second factor: asked for once the password is right; a wrong or replayed code counts as a failure
    let totpStep: number | undefined;
    if (row.totp_enabled) {
      if (!code) throw new DomainError('unauthenticated', 'enter the one-time code of your authenticator app', { totpRequired: true, reason: 'totpRequired' });
      totpStep = this.totpStep(row, code, now);
      if (totpStep === undefined) {
        await this.countFailure(row.id, row.username, row.failed_logins, now);
        throw new DomainError('unauthenticated', 'the one-time code is wrong, expired or used already', { totpRequired: true, reason: 'totpWrong' });
      }
      await this.db.updateTable('users').set({ totp_last_step: totpStep }).where('id', '=', row.id).execute();
    }
    if (row.failed_logins > 0 || row.locked_until) await this.db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', row.id).execute();
    // a hash made with older, weaker parameters is made again now that the password is at hand
    if (row.password_hash && needsRehash(row.password_hash)) await this.db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('id', '=', row.id).execute();
    const sessionId = randomSecret();
    const expiresAt = new Date(now.getTime() + this.sessionTtlMinutes * 60_000).toISOString();
    const user = presentUser(row);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sessions')
        .values({ token_hash: hashSecret(sessionId), user_id: row.id, created_at: now.toISOString(), expires_at: expiresAt, last_seen_at: now.toISOString() })
        .execute();
      await writeAudit(trx, { actor: { kind: 'user', userId: row.id, username: row.username, role: user.role, via: 'session' }, action: 'session.login', entityType: 'user', entityId: row.id, at: now.toISOString() });
    });
    return { sessionId, user, expiresAt };
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', hashSecret(sessionId)).execute();
  }

  /** One more failed log-in; at the policy's count the account locks for its minutes, with an audit row. */
  private async countFailure(id: number, username: string, before: number, now: Date): Promise<void> {
    const failures = before + 1;
    const lock = this.lockout.attempts > 0 && failures >= this.lockout.attempts;
    const until = lock ? new Date(now.getTime() + this.lockout.minutes * 60_000).toISOString() : null;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ failed_logins: lock ? 0 : failures, ...(lock ? { locked_until: until } : {}) }).where('id', '=', id).execute();
      if (lock) {
        await writeAudit(trx, {
          actor: { kind: 'system', label: 'log-in' },
          action: 'user.locked',
          entityType: 'user',
          entityId: id,
          after: { username, failedLogins: failures, lockedUntil: until },
          at: now.toISOString(),
        });
      }
    });
  }

  /** Resolves a session cookie or a bearer token to the acting user, or undefined. */
  async authenticate(credential: { sessionId?: string; token?: string }): Promise<Actor | undefined> {
    const now = this.now().toISOString();
    if (credential.token) {
      if (!credential.token.startsWith(TOKEN_PREFIX) || credential.token.length > 200) return undefined;
      const r = await this.db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .leftJoin('org_units', 'org_units.code', 'users.org_unit')
        .select(['api_tokens.id as token_id', 'api_tokens.expires_at', 'api_tokens.revoked_at', 'api_tokens.last_used_at', 'users.id', 'users.username', 'users.role', 'users.disabled', 'org_units.code as unit_code', 'org_units.kind as unit_kind'])
        .where('api_tokens.token_hash', '=', hashSecret(credential.token))
        .executeTakeFirst();
      if (!r || r.revoked_at || r.disabled || (r.expires_at && r.expires_at <= now)) return undefined;
      // last use is kept to the minute: no write per request
      if (!r.last_used_at || r.last_used_at.slice(0, 16) !== now.slice(0, 16)) {
        await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', r.token_id).execute();
      }
      return withBranch({ kind: 'user', userId: r.id, username: r.username, role: r.role as Role, via: 'token' }, r.unit_code, r.unit_kind);
    }
    if (credential.sessionId && credential.sessionId.length <= 200) {
      const r = await this.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .leftJoin('org_units', 'org_units.code', 'users.org_unit')
        .select(['sessions.token_hash', 'sessions.expires_at', 'users.id', 'users.username', 'users.role', 'users.disabled', 'users.totp_enabled', 'org_units.code as unit_code', 'org_units.kind as unit_kind'])
        .where('sessions.token_hash', '=', hashSecret(credential.sessionId))
        .executeTakeFirst();
      if (!r || r.disabled || r.expires_at <= now) return undefined;
      const actor = withBranch({ kind: 'user', userId: r.id, username: r.username, role: r.role as Role, via: 'session' }, r.unit_code, r.unit_kind);
      // an admin who must use one-time codes and has none yet may only set them up
      return this.requireTotpForAdmin && r.role === 'admin' && !r.totp_enabled ? { ...actor, mustEnrolTotp: true } : actor;
    }
    return undefined;
  }

  async createToken(actor: Actor, userId: number, name: string, expiresAt?: string | null, service = false): Promise<{ token: string; info: ApiToken }> {
    const clean = name.trim();
    if (!clean || clean.length > 100) throw validationError('name', 'a token name of 1–100 characters is required');
    if (expiresAt && (Number.isNaN(Date.parse(expiresAt)) || Date.parse(expiresAt) <= this.now().getTime())) {
      throw validationError('expiresAt', 'must be a date-time in the future');
    }
    const token = TOKEN_PREFIX + randomSecret();
    return this.db.transaction().execute(async (trx) => {
      const user = await trx.selectFrom('users').select(['id', 'disabled']).where('id', '=', userId).executeTakeFirst();
      if (!user) throw notFound('user', userId);
      const at = this.now().toISOString();
      const row = await trx
        .insertInto('api_tokens')
        .values({
          user_id: userId,
          name: clean,
          token_hash: hashSecret(token),
          prefix: token.slice(0, TOKEN_PREFIX.length + 6),
          created_at: at,
          expires_at: expiresAt ? new Date(expiresAt).toISOString() : null,
          last_used_at: null,
          revoked_at: null,
          service: service ? 1 : 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const info = presentToken(row);
      await writeAudit(trx, { actor, action: 'token.create', entityType: 'api_token', entityId: info.id, after: info, at });
      return { token, info };
    });
  }

  async listTokens(userId?: number): Promise<ApiToken[]> {
    let q = this.db.selectFrom('api_tokens').selectAll().orderBy('id');
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    return (await q.execute()).map(presentToken);
  }

  async revokeToken(actor: Actor, id: number, ownerOnly?: number): Promise<ApiToken> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || (ownerOnly !== undefined && row.user_id !== ownerOnly)) throw notFound('API token', id);
      if (row.revoked_at) return presentToken(row);
      const at = this.now().toISOString();
      const after = await trx.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await writeAudit(trx, { actor, action: 'token.revoke', entityType: 'api_token', entityId: id, before: presentToken(row), after: presentToken(after), at });
      return presentToken(after);
    });
  }
}

function presentToken(r: { id: number; user_id: number; name: string; prefix: string; created_at: string; expires_at: string | null; last_used_at: string | null; revoked_at: string | null; service: number }): ApiToken {
  return { id: r.id, userId: r.user_id, name: r.name, prefix: r.prefix, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at, service: r.service === 1 };
}
