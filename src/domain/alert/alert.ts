/**
 * The normalized alert: one schema for every device, with Elastic Common Schema (ECS) field
 * names. The original record is kept verbatim beside it (see the intake store).
 */
export interface Endpoint {
  ip?: string;
  port?: number;
  /** is the address inside the organisation's internal networks (zones) */
  internal?: boolean;
  /** the org unit (HQ or branch) whose network holds the address */
  org_unit?: string;
  domain?: string;
  /** Bihuan extension: the host behind the address, from the asset inventory */
  asset?: { hostname?: string; business_system?: string; criticality?: number; owner?: string; zone?: string };
}

export interface Alert {
  '@timestamp': string;
  message?: string;
  event: {
    kind: 'alert' | 'event';
    category: string[];
    type?: string[];
    action?: string;
    outcome?: 'success' | 'failure' | 'unknown';
    code?: string;
    severity?: number;
    dataset?: string;
  };
  source?: Endpoint;
  destination?: Endpoint;
  dns?: { question: { name: string; type?: string }; response_code?: string; type?: 'query' | 'answer' };
  user?: { name?: string; domain?: string };
  host?: { name?: string; ip?: string[] };
  rule?: { name?: string; id?: string; category?: string };
  /** the device that reported it (absent when nothing is known of it) */
  observer?: { vendor?: string; product?: string; type?: string; hostname?: string };
  network?: { transport?: string; protocol?: string };
  url?: { full?: string; path?: string; domain?: string };
  http?: { request?: { method?: string }; response?: { status_code?: number } };
  user_agent?: { original?: string };
  file?: { path?: string; name?: string; hash?: { md5?: string; sha1?: string; sha256?: string } };
  process?: { executable?: string; command_line?: string; pid?: number; parent?: { executable?: string; pid?: number } };
  threat?: { indicator?: { type: string; value: string; source?: string; confidence?: string } };
  /** Bihuan extension: the program (a service's binary, a process image) poses as a Windows system binary (src/domain/detection/masquerade.ts) */
  masquerade?: { as: string; how: 'wrong-folder' | 'look-alike'; path: string };
  /** Windows events keep their event data as Winlogbeat does, for detection rules */
  winlog?: { event_id: number; channel?: string; provider_name?: string; computer_name?: string; record_id?: string; event_data?: Record<string, string> };
}

export const ALERT_FORMATS = ['suricata', 'sshd', 'windows', 'dns', 'cef', 'hfish', 'json'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

/** Drops undefined values and empty objects so stored documents stay small and honest. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value && typeof value === 'object') {
    // for…in and no Object.entries/keys arrays: every record of every file goes through here
    const out: Record<string, unknown> = {};
    const from = value as Record<string, unknown>;
    for (const k in from) {
      if (!Object.hasOwn(from, k)) continue;
      const v = from[k];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'object') {
        out[k] = v;
        continue;
      }
      const c = compact(v);
      if (!Array.isArray(c) && isEmptyObject(c as object)) continue;
      out[k] = c;
    }
    return out as T;
  }
  return value;
}

function isEmptyObject(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return false;
  return true;
}
