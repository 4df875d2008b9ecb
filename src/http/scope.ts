/**
 * Branch tenancy at the edge of every route (issue 11, F5), by the access table's branch rule
 * (http/access.ts): before a handler runs, a branch user's request that names an incident, an
 * order, an alert or a report outside their branch is answered 404 (as if it did not exist);
 * what reaches across branches is for headquarters. Lists and details are narrowed in their
 * queries (see store/scope.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { DomainError } from '../domain/errors.js';
import { branchOf, requireAlertInScope, requireCampaignInScope, requireFindingInScope, requireOccurrenceInScope, requireShiftInScope, requireBlockInScope, requireWorkItemInScope, requireIncidentInScope, requireOrderInScope, requireReportInScope } from '../store/scope.js';
import type { DB } from '../store/schema.js';
import { type NamedRecord, accessRow } from './access.js';

/** How each kind of named record is checked against a branch. */
const CHECKS: Record<NamedRecord, (db: Kysely<DB>, req: FastifyRequest, id: string) => Promise<void>> = {
  finding: (db, req, id) => requireFindingInScope(db, req.actor, Number(id)),
  workItem: (db, req, id) => requireWorkItemInScope(db, req.actor, Number(id)),
  occurrence: (db, req, id) => requireOccurrenceInScope(db, req.actor, Number(id)),
  campaign: (db, req, id) => requireCampaignInScope(db, req.actor, Number(id)),
  shift: (db, req, id) => requireShiftInScope(db, req.actor, Number(id)),
  block: (db, req, id) => requireBlockInScope(db, req.actor, Number(id)),
  incident: (db, req, id) => requireIncidentInScope(db, req.actor, id),
  order: (db, req, id) => requireOrderInScope(db, req.actor, Number(id)),
  alert: (db, req, id) => requireAlertInScope(db, req.actor, Number(id)),
  report: (db, req, id) => requireReportInScope(db, req.actor, Number(id)),
};

export function registerScope(app: FastifyInstance, db: Kysely<DB>): void {
  // before the body is validated: whether a record is out of reach does not depend on what is sent
  app.addHook('preValidation', async (req) => {
    const branch = branchOf(req.actor);
    if (!branch) return;
    const rule = accessRow(req.method, req.routeOptions.url ?? '')?.[1];
    switch (rule) {
      case 'headquarters':
        throw new DomainError('forbidden', `you act for the branch ${branch}: this reaches across branches and is for headquarters`, { branch });
      case 'incident':
      case 'order':
      case 'alert':
      case 'finding':
      case 'workItem':
      case 'occurrence':
      case 'campaign':
      case 'shift':
      case 'block':
      case 'report': {
        const params = req.params as { id?: string | number; exportId?: string | number } | undefined;
        const id = rule === 'report' ? params?.exportId : params?.id;
        if (id !== undefined) await CHECKS[rule](db, req, String(id));
        return;
      }
      case 'list':
      case 'own':
      case 'organisation':
      case undefined:
        return;
    }
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
