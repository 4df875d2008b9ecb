/** Suricata EVE JSON: alert, dns, http and anomaly events (others are skipped with the reason). */
import type { Alert } from '../../domain/alert/alert.js';
import { type FormatParser, jsonObject, num, str } from '../format.js';
import { ParseError } from '../parse-error.js';
import { isoTime } from '../time.js';

interface Eve {
  timestamp?: string;
  event_type?: string;
  flow_id?: number;
  src_ip?: string;
  src_port?: number;
  dest_ip?: string;
  dest_port?: number;
  proto?: string;
  app_proto?: string;
  host?: string;
  alert?: { action?: string; signature_id?: number; signature?: string; category?: string; severity?: number; rev?: number };
  dns?: { type?: string; rrname?: string; rrtype?: string; rcode?: string; queries?: Array<{ rrname?: string; rrtype?: string }> };
  http?: { hostname?: string; url?: string; http_method?: string; status?: number; http_user_agent?: string; protocol?: string };
  anomaly?: { type?: string; event?: string; layer?: string };
}

const TAKEN = ['alert', 'dns', 'http', 'anomaly'] as const;
type Taken = (typeof TAKEN)[number];

export const suricata: FormatParser = {
  format: 'suricata',
  detect: (_text, json) => {
    const e = json as Eve | undefined;
    return !!e && typeof e === 'object' && typeof e.event_type === 'string' && typeof e.timestamp === 'string' && ('src_ip' in e || 'flow_id' in e || e.event_type === 'stats');
  },
  parse(_text, json, ctx) {
    const e = jsonObject(json, 'a Suricata EVE record') as Eve;
    if (!(TAKEN as readonly unknown[]).includes(e.event_type)) return { skip: `suricata event_type "${str(e.event_type) ?? typeof e.event_type}" is not taken (alert, dns, http, anomaly)` };
    const ts = isoTime(e.timestamp, ctx.timeZone, 'timestamp');
    const transport = str(e.proto)?.toLowerCase();
    const base: Alert = {
      '@timestamp': ts,
      event: { kind: 'event', category: ['network'], dataset: `suricata.${e.event_type}` },
      source: { ip: str(e.src_ip), port: num(e.src_port) },
      destination: { ip: str(e.dest_ip), port: num(e.dest_port) },
      network: { transport, protocol: str(e.app_proto)?.toLowerCase() },
      observer: { vendor: 'OISF', product: 'Suricata', type: 'ids', hostname: str(e.host) },
    };
    switch (e.event_type as Taken) {
      case 'alert': {
        const a = e.alert && typeof e.alert === 'object' ? e.alert : undefined;
        const signature = str(a?.signature);
        if (!a || !signature) throw new ParseError('an alert event without alert.signature');
        const host = str(e.http?.hostname);
        const path = str(e.http?.url);
        return {
          alert: {
            ...base,
            message: signature,
            event: { kind: 'alert', category: ['intrusion_detection', 'network'], action: str(a.action), severity: num(a.severity), dataset: 'suricata.alert' },
            rule: { name: signature, id: str(a.signature_id), category: str(a.category) },
            url: host ? { domain: host, full: path ? `http://${host}${path}` : undefined } : undefined,
          },
        };
      }
      case 'dns': {
        const d = e.dns && typeof e.dns === 'object' ? e.dns : undefined;
        const first = Array.isArray(d?.queries) ? d.queries[0] : undefined;
        const name = str(d?.rrname ?? first?.rrname);
        if (!name) throw new ParseError('a dns event without dns.rrname');
        const type = str(d?.rrtype ?? first?.rrtype);
        const kind = str(d?.type) ?? 'query';
        return {
          alert: {
            ...base,
            message: `DNS ${kind} ${name}${type ? ` ${type}` : ''}`,
            event: { ...base.event, category: ['network'], action: `dns_${kind}` },
            dns: { question: { name: name.toLowerCase().replace(/\.$/, ''), type }, type: kind === 'answer' ? 'answer' : 'query', response_code: str(d?.rcode) },
          },
        };
      }
      case 'http': {
        const h = e.http && typeof e.http === 'object' ? e.http : {};
        const domain = str(h.hostname);
        const path = str(h.url);
        return {
          alert: {
            ...base,
            message: `${str(h.http_method) ?? 'HTTP'} ${domain ?? ''}${path ?? ''}`,
            event: { ...base.event, category: ['network', 'web'], action: 'http_request' },
            url: { domain, path, full: domain ? `http://${domain}${path ?? '/'}` : undefined },
            http: { request: { method: str(h.http_method) }, response: { status_code: num(h.status) } },
            user_agent: { original: str(h.http_user_agent) },
          },
        };
      }
      case 'anomaly': {
        const an = e.anomaly && typeof e.anomaly === 'object' ? e.anomaly : {};
        return {
          alert: {
            ...base,
            message: `anomaly ${str(an.type) ?? ''} ${str(an.event) ?? ''}`.trim(),
            event: { ...base.event, category: ['network'], action: str(an.event) ?? 'anomaly' },
            rule: { name: str(an.event), category: str(an.type) },
          },
        };
      }
    }
  },
};
