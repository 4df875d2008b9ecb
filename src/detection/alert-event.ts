/**
 * A stored alert as a Sigma event: its normalized (ECS) document, over the fields of its
 * original record when that is JSON (looked up where the normalized document has none, so
 * rules written against Suricata's or Winlogbeat's own names match too), Windows event data lifted to Sigma's flat names; its logsource from what
 * the alert is (Windows channel and event id, authentication, IDS, DNS, …).
 */
import type { Alert } from '../domain/alert/alert.js';
import { type EventLogSource, type FieldMapping, SigmaEvent, internLogsource } from '../domain/detection/sigma/event.js';
import { windowsExtraText, windowsLogsource, windowsValueAt } from '../domain/detection/sigma/windows.js';

/** the ECS categories an alert adds by what it is, without an array per alert */
const DNS = Object.freeze(['dns']);
const FIREWALL = Object.freeze(['firewall']);
const HONEYPOT = Object.freeze(['honeypot']);
const DNS_FIREWALL = Object.freeze(['dns', 'firewall']);
const DNS_HONEYPOT = Object.freeze(['dns', 'honeypot']);
const NONE: readonly string[] = Object.freeze([]);

export function alertLogsource(alert: Alert, format: string): EventLogSource {
  if (alert.winlog) {
    // Sigma's Windows logsource (service by channel, category by event id), and what the event
    // means in ECS (a 4625 is `authentication`): rules over any authentication log see Windows too
    const windows = windowsLogsource(alert.winlog.channel, alert.winlog.event_id, alert.winlog.event_data?.EventType);
    return internLogsource(windows.product, windows.service, windows.categories ?? NONE, alert.event.category);
  }
  const type = alert.observer?.type;
  const more = alert.dns
    ? type === 'firewall' ? DNS_FIREWALL : type === 'honeypot' ? DNS_HONEYPOT : DNS
    : type === 'firewall' ? FIREWALL : type === 'honeypot' ? HONEYPOT : NONE;
  if (format === 'sshd') return internLogsource('linux', 'sshd', alert.event.category, more);
  return internLogsource(alert.observer?.product?.toLowerCase(), undefined, alert.event.category, more);
}

const JSON_OBJECT = /^\s*\{/;

/**
 * The original record under the normalized one, parsed only when a rule looks for a field the
 * normalized one lacks, and only for a field whose first name the record writes as a key; a
 * Winlogbeat alert's event data under Sigma's flat names, read in place. No closures: this is
 * made for every alert.
 */
class AlertEvent extends SigmaEvent {
  constructor(
    alert: Alert,
    format: string,
    private readonly original: string | undefined,
    mapping: FieldMapping,
    private readonly windows: boolean,
  ) {
    const time = Date.parse(alert['@timestamp']);
    super(alert as unknown as Record<string, unknown>, alertLogsource(alert, format), Number.isNaN(time) ? 0 : time, mapping);
  }

  protected override own(path: string): unknown {
    return this.windows ? windowsValueAt(this.doc, path) : super.own(path);
  }

  protected override ownText(out: string[]): void {
    super.ownText(out);
    if (this.windows) windowsExtraText(this.doc, out);
  }

  protected override hasUnderlay(): boolean {
    return this.original !== undefined;
  }

  protected override readUnderlay(): Record<string, unknown> | undefined {
    try {
      const raw = JSON.parse(this.original!) as unknown;
      return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
    } catch {
      return undefined; // not JSON after all: the normalized document alone
    }
  }

  // a JSON record holds a field only if its first name is written as a key ("dns… for dns.question.name)
  protected override underlayMayHoldField(path: string): boolean {
    return this.original!.includes(quotedFirstName(path));
  }
}

export function alertEvent(alert: Alert, format: string, original: string | undefined, mapping: FieldMapping): SigmaEvent {
  return new AlertEvent(alert, format, original && JSON_OBJECT.test(original) ? original : undefined, mapping, Boolean(alert.winlog));
}
/** `"dns` for dns.question.name: how a JSON record starts the key that could hold the field */
const firstNames = new Map<string, string>();
function quotedFirstName(path: string): string {
  let f = firstNames.get(path);
  if (f === undefined) {
    const dot = path.indexOf('.');
    f = `"${dot < 0 ? path : path.slice(0, dot)}`;
    if (firstNames.size < 10_000) firstNames.set(path, f);
  }
  return f;
}
