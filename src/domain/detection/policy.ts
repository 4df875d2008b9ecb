/**
 * How rule matches become incidents: which incident type a match means (the rule's own
 * `incident_type`, its internal variant when the attacking source is one of ours, or a type
 * read from a SigmaHQ rule's ATT&CK tags), which family of types it belongs to, and the keys by
 * which a later match joins an open incident of that family. Pure data and functions; the
 * organisation can change every table through configuration.
 */

export type KeyKind = 'source' | 'destination' | 'host' | 'indicator' | 'indicator_source' | 'org_unit' | 'device_signature';

export interface CorrelationPolicy {
  /** family name → the incident types in it (a type not listed is its own family) */
  families: Record<string, string[]>;
  /** family name → the keys any one of which joins a match to an open incident of the family */
  keys: Record<string, KeyKind[]>;
  /** keys for families not listed in `keys` */
  defaultKeys: KeyKind[];
  /** type → its variant when the attacking source is internal */
  internalVariants: Record<string, string>;
  /** how long an incident stays joinable after its last match */
  windowMs: number;
}

export const DEFAULT_POLICY: CorrelationPolicy = {
  families: {
    // one attacker's scanning, then password guessing, then exploitation: one incident, its level rising
    attack: ['scanning', 'brute_force', 'exploitation'],
    // every level-1 type means "a host of ours is compromised": one worm, one incident
    compromise: ['trojan', 'internal_scanning', 'internal_brute_force', 'internal_exploitation'],
  },
  // hosts of one branch, or calling one C&C, or attacking with one exploit, are one outbreak
  keys: { compromise: ['host', 'indicator', 'indicator_source', 'org_unit', 'device_signature'] },
  defaultKeys: ['source'],
  internalVariants: { scanning: 'internal_scanning', brute_force: 'internal_brute_force', exploitation: 'internal_exploitation' },
  windowMs: 24 * 3_600_000,
};

/** What the incident side needs to know of one match (a rule on an alert, or a correlation over several). */
export interface Signal {
  ruleKey: string;
  ruleTitle: string;
  /** the rule's Chinese title (`title_zh`), where it has one */
  ruleTitleZh?: string;
  ruleFile?: string;
  /** the incident type the rule names, before the internal variant */
  ruleType: string;
  /** device time, ISO (the first, when the signal stands for several alerts) */
  time: string;
  /** device time of the last alert it stands for, when several */
  lastTime?: string;
  alertIds: number[];
  /** how many alerts this signal stands for */
  count: number;
  source?: { ip?: string; internal?: boolean; orgUnit?: string; hostname?: string };
  destination?: { ip?: string; internal?: boolean; orgUnit?: string; hostname?: string; domain?: string };
  /** the host a host-based event (Windows log, EDR) happened on */
  host?: { ip?: string; name?: string; orgUnit?: string };
  indicator?: { value: string; type?: string; source?: string };
  /** the reporting device's own signature (IDS rule id or name), when the alert has one */
  deviceSignature?: string;
  /** why: the selections that matched, or the correlation's group and value */
  explanation: Record<string, unknown>;
}

export function incidentType(policy: CorrelationPolicy, signal: Signal): string {
  const variant = policy.internalVariants[signal.ruleType];
  return variant && signal.source?.internal ? variant : signal.ruleType;
}

export function familyOf(policy: CorrelationPolicy, type: string): string {
  for (const [family, types] of Object.entries(policy.families)) if (types.includes(type)) return family;
  return type;
}

/** The host of ours the signal shows compromised or attacked, and in which role. */
export function affectedHosts(type: string, policy: CorrelationPolicy, s: Signal): Array<{ ip?: string; name?: string; orgUnit?: string; role: 'compromised' | 'target' }> {
  const family = familyOf(policy, type);
  const out: Array<{ ip?: string; name?: string; orgUnit?: string; role: 'compromised' | 'target' }> = [];
  if (s.host && (s.host.ip || s.host.name)) out.push({ ...s.host, role: family === 'compromise' ? 'compromised' : 'target' });
  else if (family === 'compromise' && s.source?.internal && s.source.ip) out.push({ ip: s.source.ip, name: s.source.hostname, orgUnit: s.source.orgUnit, role: 'compromised' });
  else if (s.destination?.internal && s.destination.ip) out.push({ ip: s.destination.ip, name: s.destination.hostname, orgUnit: s.destination.orgUnit, role: 'target' });
  return out;
}

/** The keys (family-qualified) under which this signal looks for, and files, its incident. */
export function signalKeys(policy: CorrelationPolicy, type: string, s: Signal): string[] {
  const family = familyOf(policy, type);
  const kinds = policy.keys[family] ?? policy.defaultKeys;
  const keys: string[] = [];
  const compromised = affectedHosts(type, policy, s).filter((h) => h.role === 'compromised');
  for (const kind of kinds) {
    switch (kind) {
      case 'source':
        if (s.source?.ip) keys.push(`source:${s.source.ip}`);
        else if (s.host?.ip || s.host?.name) keys.push(`source:${s.host.ip ?? s.host.name!.toLowerCase()}`);
        break;
      case 'destination':
        if (s.destination?.ip) keys.push(`destination:${s.destination.ip}`);
        break;
      case 'host':
        for (const h of compromised) {
          if (h.ip) keys.push(`host:${h.ip}`);
          if (h.name) keys.push(`hostname:${h.name.toLowerCase()}`);
        }
        break;
      case 'indicator':
        if (s.indicator) keys.push(`indicator:${s.indicator.value.toLowerCase()}`);
        break;
      case 'indicator_source':
        if (s.indicator?.source) keys.push(`indicator_source:${s.indicator.source.toLowerCase()}`);
        break;
      case 'org_unit':
        for (const h of compromised) if (h.orgUnit) keys.push(`org_unit:${h.orgUnit}`);
        break;
      case 'device_signature':
        if (s.deviceSignature) keys.push(`device_signature:${s.deviceSignature.toLowerCase()}`);
        break;
    }
  }
  return [...new Set(keys)];
}

/** Repeats of one pattern in one incident are counted on one signal row. */
export function signature(type: string, s: Signal): string {
  return [s.ruleKey, type, s.source?.ip ?? s.host?.ip ?? s.host?.name ?? '', s.destination?.ip ?? '', s.indicator?.value ?? ''].join('|').toLowerCase();
}

/**
 * A SigmaHQ rule carries no incident type: its ATT&CK tactic says what kind of thing it saw.
 * Host-based rules that see execution, persistence, defence evasion, credential access or C&C
 * on a host mean the host is compromised (trojan, level 1 by default).
 */
const TACTIC_TYPES: Array<[string, string]> = [
  ['attack.command-and-control', 'trojan'],
  ['attack.command_and_control', 'trojan'],
  ['attack.persistence', 'trojan'],
  ['attack.execution', 'trojan'],
  ['attack.defense-evasion', 'trojan'],
  ['attack.defense_evasion', 'trojan'],
  ['attack.credential-access', 'trojan'],
  ['attack.credential_access', 'trojan'],
  ['attack.privilege-escalation', 'trojan'],
  ['attack.privilege_escalation', 'trojan'],
  ['attack.lateral-movement', 'internal_exploitation'],
  ['attack.lateral_movement', 'internal_exploitation'],
  ['attack.initial-access', 'exploitation'],
  ['attack.initial_access', 'exploitation'],
  ['attack.reconnaissance', 'scanning'],
  ['attack.discovery', 'scanning'],
];

/** Sigma levels that raise incidents on their own when a rule names no type. */
export const INCIDENT_SIGMA_LEVELS = new Set(['high', 'critical']);

export function typeFromTags(tags: readonly string[]): string | undefined {
  const lower = tags.map((t) => t.toLowerCase());
  for (const [tag, type] of TACTIC_TYPES) if (lower.includes(tag)) return type;
  return undefined;
}
