/**
 * Branch tenancy at the edge of every route (issue 11, F5): before a handler runs, a branch
 * user's request that names an incident, an order, an alert or a report outside their branch is
 * answered 404 (as if it did not exist); merging and splitting, which reach across incidents, are
 * for headquarters. Lists and details are narrowed in their queries (see store/scope.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { DomainError } from '../domain/errors.js';
import { branchOf, requireAlertInScope, requireIncidentInScope, requireOrderInScope, requireReportInScope } from '../store/scope.js';
import type { DB } from '../store/schema.js';

/** What a route's `:id` names, by the route's path prefix. */
const SCOPED: Array<{ prefix: string; check: (db: Kysely<DB>, req: FastifyRequest, id: string) => Promise<void> }> = [
  { prefix: '/api/incidents/:id', check: (db, req, id) => requireIncidentInScope(db, req.actor, id) },
  { prefix: '/api/orders/:id', check: (db, req, id) => requireOrderInScope(db, req.actor, Number(id)) },
  { prefix: '/api/alerts/:id', check: (db, req, id) => requireAlertInScope(db, req.actor, Number(id)) },
  { prefix: '/api/reports/:id', check: (db, req, id) => requireReportInScope(db, req.actor, Number(id)) },
];

/** Routes a branch user may not use at all, whatever their role grants: they reach across branches. */
const HEADQUARTERS_ONLY = new Set(['/api/incidents/:id/merge', '/api/incidents/:id/split']);

export function registerScope(app: FastifyInstance, db: Kysely<DB>): void {
  app.addHook('preHandler', async (req) => {
    const branch = branchOf(req.actor);
    if (!branch) return;
    const url = req.routeOptions.url ?? '';
    if (HEADQUARTERS_ONLY.has(url)) throw new DomainError('forbidden', `you act for the branch ${branch}: merging and splitting incidents is for headquarters`, { branch });
    const id = (req.params as { id?: string | number } | undefined)?.id;
    if (id === undefined) return;
    for (const s of SCOPED) if (url === s.prefix || url.startsWith(`${s.prefix}/`)) return s.check(db, req, String(id));
  });
  // an incident that touches several branches shows a branch user only their own hosts' details
  app.addHook('preSerialization', async (req, reply, payload: unknown) => {
    const branch = branchOf(req.actor);
    if (!branch || !payload || typeof payload !== 'object' || reply.statusCode >= 300) return payload;
    const url = req.routeOptions.url ?? '';
    if (url === '/api/incidents/:id/detection') return narrowDetection(payload as Detection, branch);
    if (url.startsWith('/api/incidents') && Array.isArray((payload as { assets?: unknown }).assets)) return narrowIncident(payload as { assets: Array<{ orgUnit?: string | null }> }, branch);
    return payload;
  });
}

export function narrowIncident<T extends { assets: Array<{ orgUnit?: string | null }> }>(detail: T, branch: string): T {
  return { ...detail, assets: detail.assets.filter((a) => a.orgUnit === branch) };
}

interface Detection {
  signals: Array<{ host?: string | null }>;
  spread: { firstHost?: { host: string; orgUnit?: string }; hosts: Array<{ host: string; orgUnit?: string }>; branches: Array<{ orgUnit: string }> };
}

export function narrowDetection<T extends Detection>(d: T, branch: string): T {
  const foreign = new Set(d.spread.hosts.filter((h) => h.orgUnit !== branch).map((h) => h.host));
  return {
    ...d,
    signals: d.signals.filter((s) => !s.host || !foreign.has(s.host)),
    spread: {
      ...d.spread,
      firstHost: d.spread.firstHost && !foreign.has(d.spread.firstHost.host) ? d.spread.firstHost : undefined,
      hosts: d.spread.hosts.filter((h) => !foreign.has(h.host)),
      branches: d.spread.branches.filter((b) => b.orgUnit === branch),
    },
  };
}

/** The org unit a branch user's list is narrowed to (their own, whatever they asked), or what they asked. */
export function scopedOrgUnit(req: FastifyRequest, asked: string | undefined): string | undefined {
  const branch = branchOf(req.actor);
  if (branch && asked && asked !== branch) throw new DomainError('forbidden', `you act for the branch ${branch}: you see its records only`, { branch });
  return branch ?? asked;
}
