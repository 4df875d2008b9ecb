/** OpenSSH server log lines (auth.log / secure), behind any syslog header. */
import type { Alert } from '../../domain/alert/alert.js';
import { type FormatParser, zoneFor } from '../format.js';
import { parseSyslog } from '../syslog.js';

const FAILED = /^Failed (password|publickey|keyboard-interactive\/pam|none) for (invalid user )?(.*?) from (\S+) port (\d+)/;
const INVALID = /^Invalid user (.*?) from (\S+)(?: port (\d+))?/;
const ACCEPTED = /^Accepted (password|publickey|keyboard-interactive\/pam|gssapi-with-mic) for (\S+) from (\S+) port (\d+)/;

export const sshd: FormatParser = {
  format: 'sshd',
  detect: (text) => / sshd(?:-session)?\[\d+\]: |^<\d{1,3}>1 \S+ \S+ sshd(?:-session)? /.test(text),
  parse(text, _json, ctx) {
    const s = parseSyslog(text, (host) => zoneFor(ctx, { host }), ctx.now);
    const base = (outcome: 'success' | 'failure', action: string, user: string, ip: string, port: string | undefined, method?: string): Alert => ({
      '@timestamp': s.timestamp,
      message: s.message,
      event: { kind: 'event', category: ['authentication'], type: ['start'], action, outcome, dataset: 'sshd' },
      source: { ip, port: port ? Number(port) : undefined },
      user: { name: user },
      host: { name: s.hostname },
      observer: { product: 'OpenSSH', type: 'host', hostname: s.hostname },
      network: { protocol: 'ssh', transport: 'tcp' },
      destination: { port: 22 },
      rule: method ? { name: `ssh ${method}` } : undefined,
    });
    let m = FAILED.exec(s.message);
    if (m) return { alert: base('failure', m[2] ? 'ssh_invalid_user' : 'ssh_login_failed', m[3]!, m[4]!, m[5], m[1]) };
    m = INVALID.exec(s.message);
    if (m) return { alert: base('failure', 'ssh_invalid_user', m[1]!, m[2]!, m[3]) };
    m = ACCEPTED.exec(s.message);
    if (m) return { alert: base('success', 'ssh_login', m[2]!, m[3]!, m[4], m[1]) };
    return { skip: 'an sshd message that is not a log-in attempt (Failed …, Invalid user …, Accepted …)' };
  },
};
