/**
 * A stored alert as a Sigma event: its normalized (ECS) document, over the fields of its
 * original record when that is JSON (looked up where the normalized document has none, so
 * rules written against Suricata's or Winlogbeat's own names match too), Windows event data lifted to Sigma's flat names; its logsource from what
 * the alert is (Windows channel and event id, authentication, IDS, DNS, …).
 */
import type { Alert } from '../domain/alert/alert.js';
import { type EventLogSource, type FieldMapping, SigmaEvent } from '../domain/detection/sigma/event.js';
import { flattenWindowsRecord, windowsLogsource } from '../domain/detection/sigma/windows.js';

export function alertLogsource(alert: Alert, format: string): EventLogSource {
  if (alert.winlog) return windowsLogsource(alert.winlog.channel, alert.winlog.event_id, alert.winlog.event_data?.EventType);
  const categories = [...alert.event.category];
  if (alert.dns) categories.push('dns');
  if (alert.observer?.type === 'firewall') categories.push('firewall');
  if (alert.observer?.type === 'honeypot') categories.push('honeypot');
  if (format === 'sshd') return { product: 'linux', service: 'sshd', categories };
  return { product: alert.observer?.product?.toLowerCase(), categories };
}

export function alertEvent(alert: Alert, format: string, original: string | undefined, mapping: FieldMapping): SigmaEvent {
  let underlay: Record<string, unknown> | undefined;
  if (original && original.trimStart().startsWith('{')) {
    try {
      const raw = JSON.parse(original) as unknown;
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) underlay = raw as Record<string, unknown>;
    } catch {
      // not JSON after all: the normalized document alone
    }
  }
  let doc = alert as unknown as Record<string, unknown>;
  if (alert.winlog) doc = flattenWindowsRecord(doc);
  const time = Date.parse(alert['@timestamp']);
  return new SigmaEvent(doc, alertLogsource(alert, format), Number.isNaN(time) ? 0 : time, mapping, underlay);
}
