/**
 * Who may call what (issue 11): one table, endpoint × role × branch. The role dimension is the
 * permission a route needs (GRANTS in domain/account/roles.ts says which roles hold it); the
 * branch dimension says how a user confined to a branch is answered:
 * - `incident`, `order`, `alert`, `report`, `finding`: the route names one (its `:id`/`:exportId`); another
 *   branch's answers 404, as if it did not exist;
 * - `list`: the list is narrowed to what touches the branch; asking for another branch's alerts,
 *   orders or assets is 403 (incidents: that branch's incidents that also touch the user's own);
 * - `own`: what is created belongs to the user's branch; naming another is 403;
 * - `headquarters`: not for branch users at all (403): it reaches across branches;
 * - `organisation`: the same for every branch (settings, the warning level, the user's own things).
 * Every /api route must have its row, with the access its declaration names, or the server does
 * not start; test/access-matrix.test.ts calls every route of the OpenAPI document with every
 * role and a foreign branch and holds the answers to this table.
 */
import type { Permission } from '../domain/account/roles.js';

export type Access = Permission | 'public' | 'authenticated';
export type BranchRule = 'incident' | 'order' | 'alert' | 'report' | 'finding' | 'list' | 'own' | 'headquarters' | 'organisation';

export const ACCESS: Record<string, readonly [Access, BranchRule]> = {
  'GET /api/health': ['public', 'organisation'],
  'POST /api/auth/login': ['public', 'organisation'],
  'POST /api/auth/logout': ['public', 'organisation'],
  'GET /api/auth/me': ['authenticated', 'organisation'],
  'GET /api/me/filters': ['authenticated', 'organisation'],
  'PUT /api/me/filters': ['authenticated', 'organisation'],
  'POST /api/auth/totp': ['authenticated', 'organisation'],
  'POST /api/auth/totp/confirm': ['authenticated', 'organisation'],
  'GET /api/users': ['incident.read', 'organisation'],
  'POST /api/users': ['users.manage', 'organisation'],
  'PATCH /api/users/:id': ['users.manage', 'organisation'],
  'GET /api/tokens': ['tokens.own', 'organisation'],
  'POST /api/tokens': ['tokens.own', 'organisation'],
  'DELETE /api/tokens/:id': ['tokens.own', 'organisation'],
  'GET /api/incidents': ['incident.read', 'list'],
  'GET /api/observables': ['incident.read', 'list'],
  'POST /api/incidents': ['incident.create', 'own'],
  'POST /api/incidents/from-alerts': ['incident.create', 'own'],
  'POST /api/scans': ['findings.manage', 'own'],
  'GET /api/scans': ['findings.read', 'headquarters'],
  'GET /api/findings': ['findings.read', 'list'],
  'GET /api/findings/summary': ['findings.read', 'list'],
  'PATCH /api/findings/:id': ['findings.manage', 'finding'],
  'POST /api/incidents/:id/alerts': ['incident.update', 'incident'],
  'GET /api/incidents/:id': ['incident.read', 'incident'],
  'PATCH /api/incidents/:id': ['incident.update', 'incident'],
  'POST /api/incidents/:id/phase': ['incident.advance', 'incident'],
  'POST /api/incidents/:id/grade': ['incident.grade', 'incident'],
  'POST /api/incidents/:id/report': ['incident.update', 'incident'],
  'POST /api/incidents/:id/assets': ['incident.update', 'incident'],
  'PATCH /api/incidents/:id/assets/:assetId': ['incident.update', 'incident'],
  'DELETE /api/incidents/:id/assets/:assetId': ['incident.update', 'incident'],
  'POST /api/incidents/:id/observables': ['incident.update', 'incident'],
  'PATCH /api/incidents/:id/observables/:observableId': ['incident.update', 'incident'],
  'DELETE /api/incidents/:id/observables/:observableId': ['incident.update', 'incident'],
  'POST /api/incidents/:id/timeline': ['incident.update', 'incident'],
  'POST /api/incidents/:id/comments': ['incident.update', 'incident'],
  'POST /api/incidents/:id/tasks': ['incident.update', 'incident'],
  'PATCH /api/incidents/:id/tasks/:taskId': ['incident.update', 'incident'],
  'POST /api/incidents/:id/evidence': ['incident.update', 'incident'],
  'GET /api/incidents/:id/evidence/:evidenceId': ['incident.read', 'incident'],
  'GET /api/grading': ['settings.read', 'organisation'],
  'PUT /api/grading': ['settings.write', 'organisation'],
  'GET /api/grading/versions': ['settings.read', 'organisation'],
  'GET /api/grading/versions/:version': ['settings.read', 'organisation'],
  'GET /api/sla': ['settings.read', 'organisation'],
  'PUT /api/sla': ['settings.write', 'organisation'],
  'GET /api/playbooks': ['settings.read', 'organisation'],
  'PUT /api/playbooks/:level': ['settings.write', 'organisation'],
  'GET /api/org-units': ['settings.read', 'organisation'],
  'PUT /api/org-units/:code': ['settings.write', 'organisation'],
  'GET /api/settings/export': ['settings.read', 'organisation'],
  'POST /api/settings/import': ['settings.write', 'organisation'],
  'GET /api/settings/time-zone': ['settings.read', 'organisation'],
  'PUT /api/settings/time-zone': ['settings.write', 'organisation'],
  'GET /api/audit': ['audit.read', 'organisation'],
  'GET /api/audit/verify': ['audit.read', 'organisation'],
  'POST /api/alerts': ['alerts.ingest', 'organisation'],
  'GET /api/alerts': ['alerts.read', 'list'],
  'GET /api/alerts/:id': ['alerts.read', 'alert'],
  'GET /api/intake/rejects': ['alerts.read', 'headquarters'],
  'GET /api/intake/counters': ['alerts.read', 'organisation'],
  'GET /api/network': ['settings.read', 'organisation'],
  'PUT /api/network': ['settings.write', 'organisation'],
  'POST /api/intel/import': ['intel.write', 'organisation'],
  'GET /api/intel/indicators': ['alerts.read', 'organisation'],
  'GET /api/intel/sources': ['alerts.read', 'organisation'],
  'POST /api/assets/import': ['settings.write', 'organisation'],
  'GET /api/assets': ['alerts.read', 'list'],
  'GET /api/assets/count': ['alerts.read', 'list'],
  'GET /api/incidents/:id/detection': ['incident.read', 'incident'],
  'POST /api/incidents/:id/merge': ['incident.merge', 'headquarters'],
  'POST /api/incidents/:id/split': ['incident.merge', 'headquarters'],
  'GET /api/rules': ['alerts.read', 'organisation'],
  'POST /api/rules/test': ['rules.test', 'organisation'],
  'POST /api/alerts/:id/triage': ['alerts.triage', 'alert'],
  'GET /api/suppressions': ['alerts.read', 'organisation'],
  'DELETE /api/suppressions/:id': ['alerts.triage', 'organisation'],
  'GET /api/report-header': ['settings.read', 'organisation'],
  'PUT /api/report-header': ['settings.write', 'organisation'],
  'GET /api/incidents/:id/reports/:form': ['incident.read', 'incident'],
  'POST /api/incidents/:id/reports/:form': ['incident.update', 'incident'],
  'GET /api/incidents/:id/reports': ['incident.read', 'incident'],
  'GET /api/reports/:exportId': ['incident.read', 'report'],
  'GET /api/reports/:exportId/download': ['incident.read', 'report'],
  'GET /api/reports/:exportId/credentials': ['secrets.read', 'report'],
  'GET /api/channels': ['settings.read', 'organisation'],
  'POST /api/channels': ['settings.write', 'organisation'],
  'PUT /api/channels/:id': ['settings.write', 'organisation'],
  'DELETE /api/channels/:id': ['settings.write', 'organisation'],
  'POST /api/channels/:id/test': ['settings.write', 'organisation'],
  'GET /api/notification-rules': ['settings.read', 'organisation'],
  'POST /api/notification-rules': ['settings.write', 'organisation'],
  'PUT /api/notification-rules/:id': ['settings.write', 'organisation'],
  'DELETE /api/notification-rules/:id': ['settings.write', 'organisation'],
  'GET /api/notifications': ['settings.read', 'headquarters'],
  'GET /api/notifications/:id': ['settings.read', 'headquarters'],
  'GET /api/warning': ['incident.read', 'organisation'],
  'PUT /api/warning': ['warning.manage', 'organisation'],
  'GET /api/warning/history': ['incident.read', 'organisation'],
  'POST /api/warning/ack': ['incident.update', 'organisation'],
  'POST /api/incidents/:id/orders': ['orders.issue', 'incident'],
  'GET /api/orders': ['incident.read', 'list'],
  'GET /api/orders/:id': ['incident.read', 'order'],
  'PUT /api/orders/:id/hosts/:host': ['incident.update', 'order'],
  'GET /api/events': ['incident.read', 'organisation'],
  'GET /api/stats': ['incident.read', 'organisation'],
};

/** The table's row for a route, by method and URL pattern (HEAD answers as GET). */
export function accessRow(method: string, url: string): readonly [Access, BranchRule] | undefined {
  return ACCESS[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
