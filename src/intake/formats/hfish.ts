/**
 * HFish honeypot alerts (the open-source HFish's output): its WebHook JSON
 * `{id, model, project, type, agent, ip, country, region, city, info, time}` and the rows of its
 * API / database `{id, type, project_name, agent, ip, country, region, city, info, create_time}`,
 * bare or inside a syslog message. `type` is the honeypot (SSH, MYSQL, REDIS, WEB …), `agent` the
 * node that caught it, `ip` the attacker; times are the node's local time.
 */
import type { Alert } from '../../domain/alert/alert.js';
import { type FormatParser, jsonObject, str, zoneFor } from '../format.js';
import { ParseError } from '../parse-error.js';
import { localTime } from '../time.js';

const PORTS: Record<string, { port?: number; protocol: string }> = {
  SSH: { port: 22, protocol: 'ssh' },
  TELNET: { port: 23, protocol: 'telnet' },
  FTP: { port: 21, protocol: 'ftp' },
  TFTP: { port: 69, protocol: 'tftp' },
  MYSQL: { port: 3306, protocol: 'mysql' },
  REDIS: { port: 6379, protocol: 'redis' },
  MEMCACHE: { port: 11211, protocol: 'memcached' },
  ES: { port: 9200, protocol: 'http' },
  VNC: { port: 5900, protocol: 'vnc' },
  WEB: { port: 80, protocol: 'http' },
  DEEP: { port: 80, protocol: 'http' },
  HTTP: { protocol: 'http' },
  PLUG: { protocol: 'http' },
  CUSTOM: { protocol: 'tcp' },
};
/** honeypots whose `info` begins with `user&&password` */
const CREDENTIALS = new Set(['SSH', 'FTP', 'TELNET', 'MYSQL', 'WEB', 'DEEP']);

export const hfish: FormatParser = {
  format: 'hfish',
  detect: (_text, json) => {
    if (!json || typeof json !== 'object') return false;
    const j = json as Record<string, unknown>;
    return 'agent' in j && 'ip' in j && 'type' in j && 'info' in j && ('project' in j || 'project_name' in j) && ('time' in j || 'create_time' in j);
  },
  parse(_text, json, ctx) {
    const j = jsonObject(json, 'an HFish record');
    const type = str(j.type)?.toUpperCase();
    const ip = str(j.ip);
    if (!type) throw new ParseError('an HFish record without "type" (the honeypot)');
    if (!ip) throw new ParseError('an HFish record without "ip" (the attacker)');
    const when = str(j.time ?? j.create_time);
    if (!when) throw new ParseError('an HFish record without "time"');
    const project = str(j.project ?? j.project_name) ?? type;
    const agent = str(j.agent);
    const info = str(j.info);
    const proto = PORTS[type] ?? { protocol: 'tcp' };
    const user = info && CREDENTIALS.has(type) ? str(info.split('&&')[0]) : undefined;
    const alert: Alert = {
      '@timestamp': localTime(when, zoneFor(ctx, { host: agent, product: 'HFish' }), 'time'),
      message: `${project}: ${info ?? ''}`.slice(0, 1000),
      // a credential tried on a honeypot is a failed log-on too: guessing counts toward a brute force
      event: user
        ? { kind: 'alert', category: ['intrusion_detection', 'network', 'authentication'], type: ['start'], outcome: 'failure', action: `honeypot_${type.toLowerCase()}`, dataset: 'hfish' }
        : { kind: 'alert', category: ['intrusion_detection', 'network'], action: `honeypot_${type.toLowerCase()}`, dataset: 'hfish' },
      source: { ip },
      destination: { port: proto.port },
      network: { protocol: proto.protocol, transport: type === 'TFTP' ? 'udp' : 'tcp' },
      user: user ? { name: user } : undefined,
      rule: { name: `HFish ${type} honeypot: ${project}`, category: 'honeypot' },
      observer: { vendor: 'HFish', product: 'HFish', type: 'honeypot', hostname: agent },
    };
    // "update" records add to an earlier catch: their content, not their id, tells them apart
    const id = str(j.id);
    return { alert, sourceId: id && id !== '0' && str(j.model) !== 'update' ? `hfish:${agent ?? ''}:${id}` : undefined };
  },
};
