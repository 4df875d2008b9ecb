/**
 * Where notifications may go (issue 11, F6: server-side request forgery). A webhook or SMTP
 * target is resolved and every address checked before connecting, and the connection is made to
 * the address checked (no second look-up a rebinding DNS server could answer differently).
 * Refused by default: loopback, link-local (the cloud metadata service at 169.254.169.254 among
 * them), unspecified, multicast and broadcast addresses, the metadata addresses of the large
 * clouds (Alibaba 100.100.100.200, AWS fd00:ec2::254, Azure 168.63.129.16) — in every spelling
 * (IPv4-mapped IPv6, decimal and hex forms are the same address once parsed). Private networks
 * are allowed: an organisation's relay and chat gateway live there. `notifyAllowedTargets`
 * (CIDRs) lets an operator allow a refused address on purpose, e.g. a relay on 127.0.0.1.
 */
import dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

const REFUSED_RANGES = new Set(['loopback', 'linkLocal', 'unspecified', 'multicast', 'broadcast', 'reserved']);
const METADATA = ['100.100.100.200', 'fd00:ec2::254', '168.63.129.16', '169.254.169.254'].map((a) => ipaddr.parse(a).toNormalizedString());
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'metadata.tencentyun.com', 'metadata.aliyun.com']);

export class TargetRefused extends Error {}

export class TargetPolicy {
  private readonly allowed: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

  constructor(allow: readonly string[] = []) {
    this.allowed = allow.map((c) => {
      const cidr = c.includes('/') ? c : `${c}/${ipaddr.parse(c).kind() === 'ipv4' ? 32 : 128}`;
      return ipaddr.parseCIDR(cidr);
    });
  }

  /** Why an address may not be a target, or undefined when it may. */
  refusal(address: string): string | undefined {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.process(address);
    } catch {
      return `"${address}" is not an address`;
    }
    if (this.allowed.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return undefined;
    if (METADATA.includes(ip.toNormalizedString())) return `${ip.toString()} is a cloud metadata service`;
    const range = ip.range();
    if (REFUSED_RANGES.has(range)) return `${ip.toString()} is a ${range} address`;
    return undefined;
  }

  /** Checks a target named in a channel before it is stored: an address literal or a metadata name is refused at once. */
  checkHost(host: string): void {
    const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
    if (METADATA_NAMES.has(bare)) throw new TargetRefused(`${bare} is a cloud metadata service`);
    if (ipaddr.isValid(bare)) {
      const why = this.refusal(bare);
      if (why) throw new TargetRefused(why);
    }
  }

  /** Resolves a host name and answers its first address, refusing the whole name when any of its addresses is refused. */
  async resolve(host: string): Promise<LookupAddress> {
    this.checkHost(host);
    const bare = host.replace(/^\[|\]$/g, '');
    const addresses = ipaddr.isValid(bare) ? [{ address: bare, family: ipaddr.parse(bare).kind() === 'ipv4' ? 4 : 6 }] : await dns.promises.lookup(bare, { all: true, verbatim: true });
    if (!addresses.length) throw new TargetRefused(`${host} has no address`);
    for (const a of addresses) {
      const why = this.refusal(a.address);
      if (why) throw new TargetRefused(`${host} resolves to ${why}`);
    }
    return addresses[0]!;
  }

  /** A `lookup` for node:http(s) and net: connects only to the address this policy checked. */
  lookup(): (hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => void {
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (a) => (options.all ? callback(null, [a]) : callback(null, a.address, a.family)),
        (e: Error) => callback(Object.assign(e, { code: 'EREFUSED_TARGET' }), ''),
      );
    };
  }
}
