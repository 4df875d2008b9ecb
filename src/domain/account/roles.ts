/**
 * Roles and what each may do. Every endpoint and command names the permission it needs; this
 * table is the one place that grants them.
 */
import { DomainError } from '../errors.js';

export const ROLES = ['admin', 'commander', 'handler', 'monitor', 'viewer', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES_ZH: Record<Role, string> = {
  admin: '管理员',
  commander: '指挥组',
  handler: '处置组',
  monitor: '监控组',
  viewer: '只读',
  ingest: '数据接入',
};

export type Permission =
  | 'incident.read'
  | 'incident.create'
  | 'incident.update' // fields, assets, observables, timeline, tasks, comments, evidence
  | 'incident.advance' // phase moves inside the working phases
  | 'incident.grade' // change type / level
  | 'incident.close' // close and reopen
  | 'incident.override' // move past refusing gates
  | 'settings.read'
  | 'settings.write' // grading table, SLA, playbooks, org units
  | 'users.manage'
  | 'audit.read'
  | 'tokens.own' // create and revoke one's own API tokens
  | 'alerts.read'
  | 'alerts.ingest' // send alerts in (devices and forwarders, with an API token)
  | 'intel.write' // import threat-intelligence indicators
  | 'alerts.triage' // true/false positive, ignore, suppress a pattern
  | 'rules.test' // run rules over sample events (work bounded in time and size)
  | 'incident.merge' // merge incidents and split them
  | 'warning.manage' // raise and lower the organisation-wide warning level
  | 'orders.issue' // send orders to branches (host lists to find and clean)
  | 'secrets.read' // read the credentials a support request hands over (audited)
  | 'findings.read' // scans and their findings (vulnerabilities, open ports, baseline checks)
  | 'findings.manage' // import scans, work findings to closure, accept a risk
  | 'roster.manage' // the response organisation's teams and the duty roster
  | 'blocks.manage' // put addresses, domains, URLs and hashes on block lists, renew and lift them
  | 'blocks.approve'; // approve a block that would cut off a critical host or an allow-listed one (a second person)

const ALL: readonly Permission[] = [
  'incident.read', 'incident.create', 'incident.update', 'incident.advance', 'incident.grade', 'incident.close',
  'incident.override', 'settings.read', 'settings.write', 'users.manage', 'audit.read', 'tokens.own', 'alerts.read', 'alerts.ingest', 'intel.write',
  'alerts.triage', 'rules.test', 'incident.merge', 'warning.manage', 'orders.issue', 'secrets.read', 'findings.read', 'findings.manage', 'roster.manage',
  'blocks.manage', 'blocks.approve',
];

export const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(ALL),
  commander: new Set<Permission>([
    'incident.read', 'incident.create', 'incident.update', 'incident.advance', 'incident.grade', 'incident.close',
    'settings.read', 'audit.read', 'tokens.own', 'alerts.read', 'intel.write', 'alerts.triage', 'rules.test', 'incident.merge', 'warning.manage', 'orders.issue', 'secrets.read',
    'findings.read', 'findings.manage', 'roster.manage', 'blocks.manage', 'blocks.approve',
  ]),
  handler: new Set<Permission>(['incident.read', 'incident.create', 'incident.update', 'incident.advance', 'settings.read', 'tokens.own', 'alerts.read', 'alerts.triage', 'rules.test', 'findings.read', 'findings.manage', 'blocks.manage']),
  monitor: new Set<Permission>([
    'incident.read', 'incident.create', 'incident.update', 'incident.advance', 'incident.grade', 'settings.read', 'tokens.own', 'alerts.read', 'alerts.ingest', 'intel.write',
    'alerts.triage', 'rules.test', 'incident.merge', 'orders.issue', 'findings.read',
  ]),
  viewer: new Set<Permission>(['incident.read', 'settings.read', 'alerts.read', 'findings.read']),
  /** a machine: a forwarder or a device sending alerts with an API token */
  ingest: new Set<Permission>(['alerts.ingest', 'tokens.own']),
};

/** Roles that see the whole organisation whatever org unit their user belongs to (the command group and the administrators). */
export const HEADQUARTERS_ROLES: readonly Role[] = ['admin', 'commander'];

/** The branch a user is confined to: theirs when it is a branch and their role is not a headquarters role. */
export function confinedBranch(role: Role, orgUnit: { code: string; kind: string } | undefined): string | undefined {
  if (HEADQUARTERS_ROLES.includes(role) || !orgUnit || orgUnit.kind !== 'branch') return undefined;
  return orgUnit.code;
}

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

/** Who did something: a signed-in user (or their API token), or the local CLI / the system. */
export type Actor =
  | {
      kind: 'user';
      userId: number;
      username: string;
      role: Role;
      via: 'session' | 'token';
      /** the branch this user is confined to (a branch's user of a role that is not headquarters'); absent: sees the whole organisation */
      branch?: string;
      /** signed in without the one-time code the configuration requires of the role: may only set it up */
      mustEnrolTotp?: boolean;
    }
  | { kind: 'cli'; label: string }
  | { kind: 'system'; label: string };

export function actorLabel(a: Actor): string {
  return a.kind === 'user' ? a.username : `${a.kind}:${a.label}`;
}

export function actorUserId(a: Actor): number | null {
  return a.kind === 'user' ? a.userId : null;
}

/** The CLI runs with direct access to the database, as its operator: all permissions. */
export function actorCan(a: Actor, permission: Permission): boolean {
  return a.kind === 'user' ? can(a.role, permission) : true;
}

/** Refuses an actor whose role lacks the permission, saying what they tried and what it needs. */
export function requirePermission(a: Actor, permission: Permission, what: string): void {
  if (!actorCan(a, permission)) throw new DomainError('forbidden', `your role may not ${what} (needs ${permission})`, { permission });
}
