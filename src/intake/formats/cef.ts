/**
 * ArcSight Common Event Format (firewalls, WAFs, IDS, honeypots, antivirus…), bare or behind a
 * syslog header: `CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|k=v k=v …`. The device's
 * class (src/domain/alert/device-class.ts) gives the record its ECS categories and observer type.
 */
import type { Alert } from '../../domain/alert/alert.js';
import { type FormatParser, num, str, zoneFor } from '../format.js';
import { ParseError } from '../parse-error.js';
import { looksLikeSyslog, parseSyslog } from '../syslog.js';
import { cefTime } from '../time.js';
import { DEVICE_CLASS_MEANING, deviceCategories, deviceClassOf, loginOf } from '../../domain/alert/device-class.js';

/** Splits the six header fields after `CEF:N|` on unescaped pipes; the rest is the extension. */
function header(cef: string): { fields: string[]; extension: string } {
  const fields: string[] = [];
  let cur = '';
  let i = 0;
  for (; i < cef.length && fields.length < 6; i++) {
    const c = cef[i]!;
    if (c === '\\' && (cef[i + 1] === '|' || cef[i + 1] === '\\')) {
      cur += cef[++i];
    } else if (c === '|') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  if (fields.length < 6) throw new ParseError(`the CEF header has ${fields.length + 1} of its 7 "|"-separated parts (version, vendor, product, version, signature id, name, severity)`);
  return { fields, extension: cef.slice(i) };
}

/** `k=v` pairs where a value runs to the next ` key=`; `\=`, `\\`, `\n`, `\r` are escapes. */
function extension(ext: string): Record<string, string> {
  const out: Record<string, string> = {};
  const keyAt = /(?:^|\s)([A-Za-z0-9_.[\]-]+)=/g;
  const marks: Array<{ key: string; start: number; valueStart: number }> = [];
  for (let m = keyAt.exec(ext); m; m = keyAt.exec(ext)) {
    if (m.index > 0 && ext[m.index - 1] === '\\') continue;
    marks.push({ key: m[1]!, start: m.index, valueStart: m.index + m[0].length });
  }
  marks.forEach((mk, i) => {
    const end = i + 1 < marks.length ? marks[i + 1]!.start : ext.length;
    out[mk.key] = ext
      .slice(mk.valueStart, end)
      .trim()
      .replace(/\\([=\\nr])/g, (_s, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  });
  return out;
}

const SEVERITY_WORDS: Record<string, number> = { low: 3, medium: 5, high: 8, 'very-high': 10 };

export const cef: FormatParser = {
  format: 'cef',
  detect: (text) => /(^|\s)CEF:\d+\|/.test(text),
  parse(text, _json, ctx) {
    const at = text.search(/CEF:\d+\|/);
    const pre = text.slice(0, at).trim();
    const { fields, extension: ext } = header(text.slice(at + text.slice(at).indexOf('|') + 1));
    const [vendor, product, , signatureId, name, severityText] = fields as [string, string, string, string, string, string];
    // local times in the zone of the device: by the syslog header's host, else its vendor or product
    const sys = pre && looksLikeSyslog(`${pre} x`) ? parseSyslog(`${pre} ${text.slice(at)}`, (host) => zoneFor(ctx, { host, vendor, product }), ctx.now) : undefined;
    const x = extension(ext);
    const sevNum = Number(severityText);
    const severity = Number.isFinite(sevNum) ? sevNum : SEVERITY_WORDS[severityText.toLowerCase()];
    let ts: string;
    if (x.rt) ts = cefTime(x.rt, zoneFor(ctx, { host: sys?.hostname ?? str(x.dvchost) ?? str(x.dvc), vendor, product }));
    else if (sys) ts = sys.timestamp;
    else throw new ParseError('no time: neither a CEF "rt" field nor a syslog header');
    // CEF carries any device's records: its class (IDS, WAF, honeypot, antivirus…) from vendor and product
    const cls = deviceClassOf(vendor, product, ctx.deviceClasses);
    const recordClass = `${x.cat ?? ''} ${signatureId} ${name} ${x.act ?? ''} ${x.msg ?? ''}`;
    const category = deviceCategories(cls, `${x.cat ?? ''} ${signatureId} ${name}`);
    // a log-on record (VPN, firewall administration, a honeypot's credential attempt) is authentication
    const login = loginOf(recordClass, str(x.outcome));
    if (login && !category.includes('authentication')) category.push('authentication');
    const outcomeField = str(x.outcome)?.toLowerCase();
    const outcome = login?.outcome ?? (outcomeField === 'success' || outcomeField === 'failure' ? outcomeField : undefined);
    const hash = str(x.fileHash)?.toLowerCase();
    const alert: Alert = {
      '@timestamp': ts,
      message: str(x.msg) ?? name,
      event: {
        kind: 'alert',
        category,
        action: str(x.act),
        outcome,
        severity,
        dataset: `cef.${product.toLowerCase().replace(/\s+/g, '_')}`,
      },
      rule: { id: str(signatureId), name: str(name), category: str(x.cat) },
      source: { ip: str(x.src), port: num(x.spt), domain: str(x.shost) },
      destination: { ip: str(x.dst), port: num(x.dpt), domain: str(x.dhost) },
      user: str(x.suser) || str(x.duser) ? { name: str(x.duser) ?? str(x.suser) } : undefined,
      network: { transport: str(x.proto)?.toLowerCase() },
      url: str(x.request) ? { full: str(x.request) } : undefined,
      file: str(x.fname) || hash ? { name: str(x.fname), hash: hash?.length === 64 ? { sha256: hash } : hash?.length === 40 ? { sha1: hash } : hash?.length === 32 ? { md5: hash } : undefined } : undefined,
      observer: { vendor: str(vendor), product: str(product), type: cls ? DEVICE_CLASS_MEANING[cls].observerType : undefined, hostname: str(x.dvchost) ?? sys?.hostname },
    };
    return { alert, sourceId: str(x.externalId) ? `cef:${vendor}:${product}:${x.externalId}` : undefined };
  },
};
