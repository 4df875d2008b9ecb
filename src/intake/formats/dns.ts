/**
 * DNS query logs: BIND query-log lines (in a file of their own, or behind a syslog header) and a
 * generic JSON form `{"timestamp", "client_ip", "query", "qtype", "server"}` that DNS
 * monitoring systems export.
 */
import type { Alert } from '../../domain/alert/alert.js';
import { type FormatParser, num, str, zoneFor } from '../format.js';
import { ParseError } from '../parse-error.js';
import { looksLikeSyslog, parseSyslog } from '../syslog.js';
import { bindTime, epochTime, isoTime } from '../time.js';

// 02-Dec-2019 04:57:00.123 [queries: info: ]client [@0x7f… ]10.164.1.8#53211 (t.awcna.com): [view v: ]query: t.awcna.com IN A +E(0) (10.1.1.53)
const BIND_TIME = /^(\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?) (.*)$/s;
const BIND_QUERY = /client (?:@0x[0-9a-f]+ )?([0-9a-fA-F.:]+)#(\d+)(?: \([^)]*\))?: (?:view [^:]+: )?query: (\S+) IN (\S+) (\S*)(?: \(([0-9a-fA-F.:]+)\))?/;

function dnsAlert(ts: string, client: string, port: number | undefined, name: string, qtype: string | undefined, server: string | undefined, observer: Alert['observer'], message: string): Alert {
  return {
    '@timestamp': ts,
    message,
    event: { kind: 'event', category: ['network'], action: 'dns_query', dataset: 'dns.query' },
    source: { ip: client, port },
    destination: { ip: server, port: 53 },
    dns: { question: { name: name.toLowerCase().replace(/\.$/, ''), type: qtype }, type: 'query' },
    network: { protocol: 'dns', transport: 'udp' },
    observer,
  };
}

export const dns: FormatParser = {
  format: 'dns',
  detect: (text, json) => {
    if (json && typeof json === 'object') {
      const j = json as Record<string, unknown>;
      return ('query' in j || 'qname' in j) && ('client_ip' in j || 'client' in j);
    }
    return / query: \S+ IN \S+/.test(text);
  },
  parse(text, json, ctx) {
    if (json && typeof json === 'object') {
      const j = json as Record<string, unknown>;
      const name = str(j.query ?? j.qname);
      const client = str(j.client_ip ?? j.client);
      if (!name) throw new ParseError('a DNS record without "query"');
      if (!client) throw new ParseError('a DNS record without "client_ip"');
      const t = j.timestamp ?? j['@timestamp'] ?? j.time;
      const ts = typeof t === 'number' ? epochTime(t, 'timestamp') : isoTime(t, zoneFor(ctx, { host: str(j.server), product: str(j.observer) }), 'timestamp');
      return {
        alert: dnsAlert(ts, client, num(j.client_port), name, str(j.qtype ?? j.type), str(j.server), { product: str(j.observer) ?? 'DNS', type: 'dns' }, `${client} queries ${name}`),
        sourceId: str(j.id) ? `dns:${str(j.id)}` : undefined,
      };
    }
    let ts: string;
    let body: string;
    let hostname: string | undefined;
    const bindTs = BIND_TIME.exec(text);
    if (bindTs) {
      ts = bindTime(bindTs[1]!, zoneFor(ctx, { product: 'BIND' }));
      body = bindTs[2]!;
    } else if (looksLikeSyslog(text)) {
      const s = parseSyslog(text, (host) => zoneFor(ctx, { host, product: 'BIND' }), ctx.now);
      ts = s.timestamp;
      body = s.message;
      hostname = s.hostname;
    } else throw new ParseError('not a BIND query-log line (dd-MMM-yyyy HH:mm:ss.SSS … query: NAME IN TYPE …)');
    const q = BIND_QUERY.exec(body);
    if (!q) throw new ParseError('no "client ADDRESS#PORT …: query: NAME IN TYPE" in the line');
    return { alert: dnsAlert(ts, q[1]!, Number(q[2]), q[3]!, q[4], q[6], { vendor: 'ISC', product: 'BIND', type: 'dns', hostname }, body) };
  },
};
