/**
 * Spread of an incident over hosts: when each host of ours first showed compromise (its first
 * signal as the compromised host), so the first host — patient zero — with its evidence, the
 * order of infection, and each branch's share of hosts affected against the asset inventory.
 */

export interface HostEvidence {
  /** the host's address, or its name for a host known only by name */
  host: string;
  hostname?: string;
  orgUnit?: string;
  /** device time of the signal, ISO */
  time: string;
  rule: string;
  signalId: number;
  alertId?: number;
}

export interface SpreadHost {
  host: string;
  hostname?: string;
  orgUnit?: string;
  firstSeen: string;
  order: number;
  evidence: { rule: string; signalId: number; alertId?: number; time: string };
  signals: number;
}

export interface BranchShare {
  orgUnit: string;
  affected: number;
  /** hosts of the branch in the asset inventory (0: unknown) */
  inventory: number;
  /** affected / inventory, or null when the inventory does not know the branch */
  share: number | null;
}

export interface Spread {
  firstHost?: SpreadHost;
  hosts: SpreadHost[];
  branches: BranchShare[];
}

export function spreadOf(evidence: readonly HostEvidence[], inventoryByOrgUnit: Readonly<Record<string, number>>): Spread {
  const byHost = new Map<string, SpreadHost>();
  for (const e of evidence) {
    const cur = byHost.get(e.host);
    if (!cur) {
      byHost.set(e.host, {
        host: e.host,
        hostname: e.hostname,
        orgUnit: e.orgUnit,
        firstSeen: e.time,
        order: 0,
        evidence: { rule: e.rule, signalId: e.signalId, alertId: e.alertId, time: e.time },
        signals: 1,
      });
      continue;
    }
    cur.signals++;
    cur.hostname ??= e.hostname;
    cur.orgUnit ??= e.orgUnit;
    if (Date.parse(e.time) < Date.parse(cur.firstSeen)) {
      cur.firstSeen = e.time;
      cur.evidence = { rule: e.rule, signalId: e.signalId, alertId: e.alertId, time: e.time };
    }
  }
  const hosts = [...byHost.values()].sort((a, b) => Date.parse(a.firstSeen) - Date.parse(b.firstSeen) || a.host.localeCompare(b.host));
  hosts.forEach((h, i) => (h.order = i + 1));
  const counts = new Map<string, number>();
  for (const h of hosts) if (h.orgUnit) counts.set(h.orgUnit, (counts.get(h.orgUnit) ?? 0) + 1);
  const branches = [...counts].map(([orgUnit, affected]) => {
    const inventory = inventoryByOrgUnit[orgUnit] ?? 0;
    return { orgUnit, affected, inventory, share: inventory > 0 ? affected / inventory : null };
  });
  branches.sort((a, b) => b.affected - a.affected || a.orgUnit.localeCompare(b.orgUnit));
  return { firstHost: hosts[0], hosts, branches };
}
