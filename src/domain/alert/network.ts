/**
 * Network zones: which addresses are internal, which hosts face the internet, and which org
 * unit (HQ or a branch) each network belongs to. IP and CIDR arithmetic is ipaddr.js's.
 */
import ipaddr from 'ipaddr.js';
import { validationError } from '../errors.js';

export interface NetworkZones {
  /** internal networks; default RFC 1918, loopback, IPv6 unique-local and link-local */
  internal: string[];
  /** internet-facing hosts or networks */
  internetFacing: string[];
  /** org unit code → its networks */
  orgUnits: Record<string, string[]>;
}

export const DEFAULT_ZONES: NetworkZones = {
  internal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '::1/128', 'fc00::/7', 'fe80::/10'],
  internetFacing: [],
  orgUnits: {},
};

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `a.b.c.d`, `a.b.c.d/n` or IPv6 forms; IPv4-mapped IPv6 addresses become IPv4. */
export function parseCidr(text: string, field: string): Cidr {
  try {
    if (text.includes('/')) {
      const [addr, bits] = ipaddr.parseCIDR(text);
      return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96] : [addr, bits];
    }
    const addr = ipaddr.process(text);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw validationError(field, `"${text}" is not an IP address or CIDR network`);
  }
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    // ipaddr.process tries IPv6 first; the common case is a plain IPv4 address
    return DOTTED_QUAD.test(text) ? ipaddr.IPv4.parse(text) : ipaddr.process(text);
  } catch {
    return undefined;
  }
}

/**
 * A fixed-width, sortable key of an address (32 hex digits of its IPv6 form, IPv4 mapped), so
 * that "inside this CIDR" is a text range query on both databases.
 */
export function ipKey(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  const v6 = addr.kind() === 'ipv4' ? (addr as ipaddr.IPv4).toIPv4MappedAddress() : (addr as ipaddr.IPv6);
  return v6.toByteArray().map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function cidrKeyRange(text: string, field: string): [string, string] {
  const [addr, bits] = parseCidr(text, field);
  const first = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
  const last = addr.kind() === 'ipv4' ? ipaddr.IPv4.broadcastAddressFromCIDR(`${addr.toString()}/${bits}`) : ipaddr.IPv6.broadcastAddressFromCIDR(`${addr.toString()}/${bits}`);
  return [ipKey(first), ipKey(last)];
}

export function validateZones(input: unknown): NetworkZones {
  const z = input as Partial<NetworkZones> | null;
  if (!z || typeof z !== 'object') throw validationError('network', 'must be an object with internal, internetFacing and orgUnits');
  const list = (v: unknown, field: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > 10_000) throw validationError(field, 'must be a list of at most 10000 CIDRs');
    return v.map((c, i) => {
      const [addr, bits] = parseCidr(String(c), `${field}/${i}`);
      return `${addr.toString()}/${bits}`;
    });
  };
  const orgUnits: Record<string, string[]> = {};
  for (const [code, cidrs] of Object.entries(z.orgUnits ?? {})) orgUnits[code] = list(cidrs, `orgUnits/${code}`);
  return { internal: z.internal === undefined ? [...DEFAULT_ZONES.internal] : list(z.internal, 'internal'), internetFacing: list(z.internetFacing, 'internetFacing'), orgUnits };
}

export interface AddressFacts {
  /** the sortable key of the address (see ipKey); absent when it is not an address */
  key?: string;
  internal?: boolean;
  org_unit?: string;
  internetFacing?: boolean;
}

/** Compiled zones: answers "internal? which org unit?" for an address, most specific network first. */
export class ZoneMap {
  private readonly internal: Cidr[];
  private readonly facing: Cidr[];
  private readonly units: Array<{ code: string; cidr: Cidr }>;

  constructor(readonly zones: NetworkZones) {
    this.internal = zones.internal.map((c) => parseCidr(c, 'internal'));
    this.facing = zones.internetFacing.map((c) => parseCidr(c, 'internetFacing'));
    this.units = Object.entries(zones.orgUnits)
      .flatMap(([code, cidrs]) => cidrs.map((c) => ({ code, cidr: parseCidr(c, `orgUnits/${code}`) })))
      .sort((a, b) => b.cidr[1] - a.cidr[1]);
  }

  private static within(addr: ipaddr.IPv4 | ipaddr.IPv6, cidr: Cidr): boolean {
    return addr.kind() === cidr[0].kind() && addr.match(cidr as [ipaddr.IPv4, number]);
  }

  /**
   * Addresses repeat: alerts come from and go to the same few thousand hosts, and parsing an
   * address is the costly part, so answers are remembered (bounded: cleared at 20k addresses, which keeps peak RSS of a 1M-alert file under 300 MB).
   */
  private readonly seen = new Map<string, AddressFacts>();

  describe(ip: string | undefined): AddressFacts {
    if (!ip) return {};
    let facts = this.seen.get(ip);
    if (!facts) {
      facts = this.lookUp(ip);
      if (this.seen.size >= 20_000) this.seen.clear();
      this.seen.set(ip, facts);
    }
    return facts;
  }

  private lookUp(ip: string): AddressFacts {
    const addr = parseIp(ip);
    if (!addr) return {};
    const unit = this.units.find((u) => ZoneMap.within(addr, u.cidr));
    return {
      key: ipKey(addr),
      internal: !!unit || this.internal.some((c) => ZoneMap.within(addr, c)),
      org_unit: unit?.code,
      internetFacing: this.facing.some((c) => ZoneMap.within(addr, c)) || undefined,
    };
  }
}
