/**
 * A stored alert as a Sigma event: its normalized (ECS) document, over the fields of its
 * original record when that is JSON (looked up where the normalized document has none, so
 * rules written against Suricata's or Winlogbeat's own names match too), Windows event data lifted to Sigma's flat names; its logsource from what
 * the alert is (Windows channel and event id, authentication, IDS, DNS, …).
 */
import type { Alert } from '../domain/alert/alert.js';
import { type EventLogSource, type FieldMapping, SigmaEvent, internLogsource } from '../domain/detection/sigma/event.js';
import { WindowsEvent, windowsLogsource } from '../domain/detection/sigma/windows.js';

export function alertLogsource(alert: Alert, format: string): EventLogSource {
  if (alert.winlog) {
    // Sigma's Windows logsource (service by channel, category by event id), and what the event
    // means in ECS (a 4625 is `authentication`): rules over any authentication log see Windows too
    const windows = windowsLogsource(alert.winlog.channel, alert.winlog.event_id, alert.winlog.event_data?.EventType);
    return internLogsource(windows.product, windows.service, [...(windows.categories ?? []), ...alert.event.category]);
  }
  const categories = [...alert.event.category];
  if (alert.dns) categories.push('dns');
  if (alert.observer?.type === 'firewall') categories.push('firewall');
  if (alert.observer?.type === 'honeypot') categories.push('honeypot');
  if (format === 'sshd') return internLogsource('linux', 'sshd', categories);
  return internLogsource(alert.observer?.product?.toLowerCase(), undefined, categories);
}

const JSON_OBJECT = /^\s*\{/;

export function alertEvent(alert: Alert, format: string, original: string | undefined, mapping: FieldMapping): SigmaEvent {
  // the original record under the normalized one, parsed only when a rule looks for a field the normalized one lacks
  const underlay =
    original && JSON_OBJECT.test(original)
      ? () => {
          try {
            const raw = JSON.parse(original) as unknown;
            return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
          } catch {
            return undefined; // not JSON after all: the normalized document alone
          }
        }
      : undefined;
  const doc = alert as unknown as Record<string, unknown>;
  const time = Date.parse(alert['@timestamp']);
  // a JSON record holds a field only if its first name is written as a key ("dns… for dns.question.name)
  const mayHold = underlay ? (path: string) => original!.includes(quotedFirstName(path)) : undefined;
  // a Windows alert's event data under Sigma's flat names, read in place
  const View = alert.winlog ? WindowsEvent : SigmaEvent;
  return new View(doc, alertLogsource(alert, format), Number.isNaN(time) ? 0 : time, mapping, underlay, mayHold);
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
