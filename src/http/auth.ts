/**
 * Authentication and authorization for every route. Each `/api` route declares in its config
 * the permission it needs (or `public` / `authenticated`); a route that declares nothing makes
 * the server refuse to start. Credentials: the session cookie or `Authorization: Bearer bh_…`.
 */
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountService } from '../account/account.service.js';
import { type Actor, can } from '../domain/account/roles.js';
import { DomainError } from '../domain/errors.js';
import { type Access, accessRow } from './access.js';

export type { Access } from './access.js';

export const SESSION_COOKIE = 'bihuan_session';

/** What a user who must set up one-time codes may do before they have. */
const TOTP_ENROLMENT = new Set(['/api/auth/me', '/api/auth/totp', '/api/auth/totp/confirm', '/api/auth/logout']);

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor?: Actor;
  }
}

export function requireActor(request: FastifyRequest): Actor & { kind: 'user' } {
  const a = request.actor;
  if (!a || a.kind !== 'user') throw new DomainError('unauthenticated', 'sign in or send an API token', { reason: 'signInRequired' });
  return a;
}

export function registerAuth(app: FastifyInstance, accounts: AccountService): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    if (!route.config?.access) throw new Error(`route ${String(route.method)} ${route.url} declares no access rule`);
    for (const method of [route.method].flat()) {
      const row = accessRow(method, route.url);
      if (!row) throw new Error(`route ${method} ${route.url} has no row in the access table (src/http/access.ts)`);
      if (row[0] !== route.config.access) throw new Error(`route ${method} ${route.url} declares access ${route.config.access}, the access table says ${row[0]}`);
    }
  });
  app.decorateRequest('actor', undefined);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access || access === 'public') return;
    const header = request.headers.authorization;
    let actor: Actor | undefined;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new DomainError('unauthenticated', 'Authorization header must be "Bearer <token>"', { reason: 'tokenInvalid' });
      actor = await accounts.authenticate({ token: m[1] });
      if (!actor) throw new DomainError('unauthenticated', 'the API token is unknown, revoked or expired', { reason: 'tokenInvalid' });
    } else {
      const sid = request.cookies[SESSION_COOKIE];
      actor = sid ? await accounts.authenticate({ sessionId: sid }) : undefined;
      if (!actor) throw new DomainError('unauthenticated', sid ? 'the session has expired; sign in again' : 'sign in or send an API token', { reason: sid ? 'sessionExpired' : 'signInRequired' });
    }
    request.actor = actor;
    if (actor.kind === 'user' && actor.mustEnrolTotp && !TOTP_ENROLMENT.has(request.routeOptions.url ?? '')) {
      throw new DomainError('forbidden', 'admins sign in with a one-time code here: set it up first (POST /api/auth/totp, then /api/auth/totp/confirm)', { totpEnrolmentRequired: true });
    }
    if (access !== 'authenticated' && actor.kind === 'user' && !can(actor.role, access)) {
      throw new DomainError('forbidden', `the role ${actor.role} may not do this (needs ${access})`, { permission: access, role: actor.role });
    }
  });
}
