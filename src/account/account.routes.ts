/** Log-in, sessions, users and API tokens. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config.js';
import { GRANTS, can } from '../domain/account/roles.js';
import { DomainError } from '../domain/errors.js';
import { SESSION_COOKIE, requireActor } from '../http/auth.js';
import { DateTime, Nullable, Phase, Role, errorResponses } from '../http/schemas.js';
import type { AccountService } from './account.service.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const accountRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService; config: Config }> = async (app, { accounts, config }) => {
  app.post(
    '/api/auth/login',
    {
      config: { access: 'public', rateLimit: { max: config.loginAttemptsPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with user name and password (and the one-time code when the account has one: a 401 with details.totpRequired asks for it); sets an HTTP-only session cookie',
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }), code: Type.Optional(Type.String({ maxLength: 12, description: 'the 6-digit code of the authenticator app' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: Type.Ref('User'), expiresAt: Type.String() }), ...errorResponses, 429: Type.Ref('Error') },
      },
    },
    async (req, reply) => {
      const { sessionId, user, expiresAt } = await accounts.login(req.body.username, req.body.password, req.body.code);
      const secure = config.cookieSecure === 'always' || (config.cookieSecure === 'auto' && req.protocol === 'https');
      reply.setCookie(SESSION_COOKIE, sessionId, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: new Date(expiresAt) });
      return { user, expiresAt };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'Sign out (ends the session)', response: { 204: Type.Null() } } },
    async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) await accounts.logout(sid);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  const SavedFilter = Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 50 }),
      filter: Type.Object(
        {
          level: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 4 }), { maxItems: 4 })),
          phase: Type.Optional(Type.Array(Phase, { maxItems: 6 })),
          type: Type.Optional(Type.String({ maxLength: 63 })),
          orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
          owner: Type.Optional(Type.Integer({ minimum: 1 })),
          overdue: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  );
  app.get(
    '/api/me/filters',
    { config: { access: 'authenticated' }, schema: { tags: ['auth'], summary: "One's saved queue filters", response: { 200: Type.Array(SavedFilter), ...errorResponses } } },
    async (req) => accounts.savedFilters(requireActor(req)),
  );
  app.put(
    '/api/me/filters',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: "Replace one's saved queue filters (at most 20, names unique)", body: Type.Array(SavedFilter, { maxItems: 20 }), response: { 200: Type.Array(SavedFilter), ...errorResponses } },
    },
    async (req) => accounts.setSavedFilters(requireActor(req), req.body),
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Who am I, and what may I do (nothing but set up one-time codes while totp.mustEnrol)',
        response: {
          200: Type.Object({ user: Type.Ref('User'), via: Type.String(), permissions: Type.Array(Type.String()), totp: Type.Object({ enabled: Type.Boolean(), required: Type.Boolean(), mustEnrol: Type.Boolean() }) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const user = await accounts.getUser(actor.userId);
      const totp = await accounts.totpState(actor.userId, actor.role);
      return { user, via: actor.via, permissions: actor.mustEnrolTotp ? [] : [...GRANTS[actor.role]], totp: { ...totp, mustEnrol: !!actor.mustEnrolTotp } };
    },
  );

  app.post(
    '/api/auth/totp',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'Set up one-time codes (RFC 6238) for oneself: a new secret and its otpauth:// address for the authenticator app, shown once; active after /api/auth/totp/confirm', response: { 200: Type.Object({ secret: Type.String(), uri: Type.String() }), ...errorResponses } },
    },
    async (req) => accounts.startTotp(requireActor(req)),
  );
  app.post(
    '/api/auth/totp/confirm',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'Confirm the set-up with a first code; from then on log-in asks for a code', body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 12 }) }, { additionalProperties: false }), response: { 200: Type.Object({ enabled: Type.Boolean() }), ...errorResponses } },
    },
    async (req) => accounts.confirmTotp(requireActor(req), req.body.code),
  );

  app.get(
    '/api/users',
    { config: { access: 'incident.read' }, schema: { tags: ['users'], summary: 'List users (to assign owners and tasks)', response: { 200: Type.Array(Type.Ref('User')), ...errorResponses } } },
    async () => accounts.listUsers(),
  );

  app.post(
    '/api/users',
    {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Create a user; without a password one is generated and returned once',
        body: Type.Object(
          {
            username: Type.String({ minLength: 2, maxLength: 64 }),
            displayName: Type.Optional(Type.String({ maxLength: 100 })),
            role: Role,
            password: Type.Optional(Nullable(Type.String({ minLength: 12, maxLength: 200, description: '12 characters or more, not the user name, not a common password; null: no password (a machine account, API tokens only); absent: one is generated' }))),
            orgUnit: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
            email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ user: Type.Ref('User'), generatedPassword: Type.Optional(Type.String()) }), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await accounts.createUser(requireActor(req), req.body)),
  );

  app.patch(
    '/api/users/:id',
    {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Change a user: name, role, org unit, disable, new password, unlock. Disabling or a new password signs the user out and revokes their API tokens (service tokens excepted).',
        params: IdParams,
        body: Type.Object(
          {
            displayName: Type.Optional(Type.String({ maxLength: 100 })),
            role: Type.Optional(Role),
            disabled: Type.Optional(Type.Boolean()),
            orgUnit: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
            password: Type.Optional(Type.String({ minLength: 12, maxLength: 200 })),
            email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
            unlock: Type.Optional(Type.Boolean({ description: 'true: unlock an account locked after failed log-ins (audited)' })),
            resetTotp: Type.Optional(Type.Boolean({ description: 'true: remove the user’s one-time codes (a lost phone); they set them up again (audited)' })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Ref('User'), ...errorResponses },
      },
    },
    async (req) => accounts.updateUser(requireActor(req), req.params.id, req.body),
  );

  app.get(
    '/api/tokens',
    {
      config: { access: 'tokens.own' },
      schema: { tags: ['tokens'], summary: "API tokens: one's own (an admin sees all)", response: { 200: Type.Array(Type.Ref('ApiToken')), ...errorResponses } },
    },
    async (req) => {
      const actor = requireActor(req);
      return accounts.listTokens(can(actor.role, 'users.manage') ? undefined : actor.userId);
    },
  );

  app.post(
    '/api/tokens',
    {
      config: { access: 'tokens.own' },
      schema: {
        tags: ['tokens'],
        summary:
          'Create an API token for machines; the token is returned once and stored only as a hash. Only a signed-in person (a session) mints tokens, never a token. An admin may create one for another user (userId) and mark it a service token.',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            expiresAt: Type.Optional(Nullable(DateTime())),
            userId: Type.Optional(Type.Integer({ minimum: 1 })),
            service: Type.Optional(Type.Boolean({ description: "admin only: a machine's token, kept when the user's password changes or the user is disabled" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ token: Type.String(), info: Type.Ref('ApiToken') }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      // a stolen token must not be able to make itself a successor that outlives its revocation
      if (actor.via !== 'session') throw new DomainError('forbidden', 'an API token cannot create tokens: sign in as a person to create one');
      const userId = req.body.userId ?? actor.userId;
      if (userId !== actor.userId && !can(actor.role, 'users.manage')) {
        throw new DomainError('forbidden', 'only an admin may create tokens for another user');
      }
      if (req.body.service && !can(actor.role, 'users.manage')) throw new DomainError('forbidden', 'only an admin may mark a token as a service token');
      return reply.status(201).send(await accounts.createToken(actor, userId, req.body.name, req.body.expiresAt, req.body.service ?? false));
    },
  );

  app.delete(
    '/api/tokens/:id',
    { config: { access: 'tokens.own' }, schema: { tags: ['tokens'], summary: 'Revoke an API token', params: IdParams, response: { 200: Type.Ref('ApiToken'), ...errorResponses } } },
    async (req) => {
      const actor = requireActor(req);
      return accounts.revokeToken(actor, req.params.id, can(actor.role, 'users.manage') ? undefined : actor.userId);
    },
  );
};
