/**
 * Scanner output read into findings (issue 15, periodic work): what a vulnerability scan, a port
 * scan or a baseline (configuration) check found on each host, in one shape whatever the tool.
 * Formats, as their publishers document them:
 * - Nmap XML (`nmap -oX`, root `nmaprun`): each open port of each host up is a finding (kind
 *   `open_port`, severity info); NSE `vulners`/`vuln` script output naming CVEs is not read.
 * - OpenVAS / Greenbone GVM report XML (root `report`, or `get_reports_response` around it; the
 *   results under `report/report/results/result`): each result with its NVT (OID, name, CVSS,
 *   CVEs, solution); severity from its score. `Log` results (0.0: what the scanner noted, not a
 *   weakness) are not findings, but their host was scanned.
 * - Nessus v2 (`.nessus`, root `NessusClientData_v2`): each `ReportItem` of each `ReportHost`,
 *   severity 1–4 (low … critical), plugin id and name, CVSS, CVEs, solution; severity 0 items
 *   (informational plugins) are not findings.
 * - Baseline checks: a CSV template (CIS-style): item, title, host, result (pass/fail/… or
 *   通过/不通过), severity, expected, actual. A failed item is a finding; a passed one on a
 *   scanned host is not (a later pass closes what an earlier fail opened).
 * Pure: no I/O; a record that cannot be read is a problem with its place, the rest are kept.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import ipaddr from 'ipaddr.js';
import { validationError } from '../errors.js';

export const SCAN_FORMATS = ['nmap', 'openvas', 'nessus', 'baseline'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];
export const FINDING_KINDS = ['vulnerability', 'open_port', 'baseline'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ScannedHost {
  ip: string;
  hostname?: string;
}

export interface ScanFinding {
  ip: string;
  hostname?: string;
  /** 443 and tcp; absent for a host-wide finding */
  port?: number;
  protocol?: string;
  kind: FindingKind;
  /** what was checked, stable across scans: plugin id, NVT OID, baseline item, `port` */
  checkId: string;
  title: string;
  severity: Severity;
  cvss?: number;
  cves: string[];
  description?: string;
  solution?: string;
  /** what the check saw (a baseline item's actual value, a service banner) */
  evidence?: string;
}

export interface ScanProblem {
  /** where: a host address, an item, a CSV line */
  at: string;
  reason: string;
}

export interface ParsedScan {
  format: ScanFormat;
  /** the scanner's own name and version, where the file says */
  scanner: string;
  startedAt?: string;
  finishedAt?: string;
  /** every host the scan looked at: a finding of an earlier scan on one of these that this scan does not repeat is gone */
  hosts: ScannedHost[];
  findings: ScanFinding[];
  problems: ScanProblem[];
}

/** a finding's identity across scans: the same check on the same host and port */
export function findingKey(f: Pick<ScanFinding, 'kind' | 'ip' | 'port' | 'protocol' | 'checkId'>): string {
  return `${f.kind}|${f.ip}|${f.port ?? ''}/${f.protocol ?? ''}|${f.checkId}`;
}

/** the CVSS base score as a severity (CVSS v3 qualitative ratings) */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

const MAX_TEXT = 8000;
const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  const s = (typeof v === 'object' ? String((v as Record<string, unknown>)['#text'] ?? '') : String(v)).trim();
  return s ? s.slice(0, MAX_TEXT) : undefined;
};
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const num = (v: unknown): number | undefined => {
  const n = Number(text(v));
  return Number.isFinite(n) ? n : undefined;
};
const CVE = /CVE-\d{4}-\d{4,}/gi;
const cvesIn = (...values: unknown[]): string[] => [...new Set(values.flatMap((v) => (text(v) ?? '').match(CVE) ?? []).map((c) => c.toUpperCase()))];

function address(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    return ipaddr.process(raw.trim()).toString();
  } catch {
    return undefined;
  }
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // no entity expansion beyond XML's own five (a billion-laughs file stays small)
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** Reads a scan file; `format` forces one, else it is known by its root element (XML) or header (CSV). */
export function parseScan(content: string, format?: ScanFormat): ParsedScan {
  const body = content.replace(/^\uFEFF/, '');
  const kind = format ?? sniff(body);
  if (kind === 'baseline') return parseBaseline(body);
  let doc: Record<string, unknown>;
  try {
    doc = xml.parse(body, true) as Record<string, unknown>;
  } catch (e) {
    throw validationError('file', `not well-formed XML: ${(e as Error).message.split('\n')[0]}`, 'notXml', { detail: (e as Error).message.split('\n')[0]! });
  }
  if (kind === 'nmap') return parseNmap(doc);
  if (kind === 'nessus') return parseNessus(doc);
  return parseOpenvas(doc);
}

function sniff(body: string): ScanFormat {
  const head = body.slice(0, 4096);
  if (/<nmaprun[\s>]/.test(head)) return 'nmap';
  if (/<NessusClientData_v2[\s>]/.test(head)) return 'nessus';
  if (/<(get_reports_response|report)[\s>]/.test(head)) return 'openvas';
  if (!head.trimStart().startsWith('<') && /(^|,)\s*"?(item|检查项|result|结果)"?\s*(,|$)/im.test(head.split(/\r?\n/)[0] ?? '')) return 'baseline';
  throw validationError('file', 'not a scan this product reads: Nmap XML (nmaprun), OpenVAS/GVM report XML, Nessus .nessus (NessusClientData_v2) or the baseline CSV template (item, host, result …)', 'unknownScan');
}

type Node = Record<string, unknown>;

function parseNmap(doc: Node): ParsedScan {
  const run = doc.nmaprun as Node | undefined;
  if (!run) throw validationError('file', 'an Nmap file has the root element nmaprun', 'unknownScan');
  const out: ParsedScan = { format: 'nmap', scanner: `Nmap ${text(run['@version']) ?? ''}`.trim(), hosts: [], findings: [], problems: [] };
  const start = num(run['@start']);
  if (start) out.startedAt = new Date(start * 1000).toISOString();
  const end = num((run.runstats as Node | undefined)?.finished && ((run.runstats as Node).finished as Node)['@time']);
  if (end) out.finishedAt = new Date(end * 1000).toISOString();
  for (const [i, host] of list(run.host as Node | Node[]).entries()) {
    if (text((host.status as Node | undefined)?.['@state']) === 'down') continue;
    const addrs = list(host.address as Node | Node[]);
    const ip = address(text(addrs.find((a) => text(a['@addrtype']) === 'ipv4' || text(a['@addrtype']) === 'ipv6')?.['@addr']));
    if (!ip) {
      out.problems.push({ at: `host ${i + 1}`, reason: 'no IPv4 or IPv6 address' });
      continue;
    }
    const hostname = text(list((host.hostnames as Node | undefined)?.hostname as Node | Node[])[0]?.['@name']);
    out.hosts.push({ ip, hostname });
    for (const port of list((host.ports as Node | undefined)?.port as Node | Node[])) {
      if (text((port.state as Node | undefined)?.['@state']) !== 'open') continue;
      const n = num(port['@portid']);
      const protocol = text(port['@protocol']) ?? 'tcp';
      if (n === undefined) continue;
      const svc = port.service as Node | undefined;
      const name = text(svc?.['@name']);
      const banner = [text(svc?.['@product']), text(svc?.['@version']), text(svc?.['@extrainfo'])].filter(Boolean).join(' ');
      out.findings.push({ ip, hostname, port: n, protocol, kind: 'open_port', checkId: `port:${protocol}/${n}`, title: `${n}/${protocol} open${name ? ` (${name})` : ''}`, severity: 'info', cves: [], evidence: banner || undefined });
    }
  }
  return out;
}

function parseNessus(doc: Node): ParsedScan {
  const root = doc.NessusClientData_v2 as Node | undefined;
  if (!root) throw validationError('file', 'a Nessus file has the root element NessusClientData_v2', 'unknownScan');
  const out: ParsedScan = { format: 'nessus', scanner: 'Nessus', hosts: [], findings: [], problems: [] };
  const SEV: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
  for (const report of list(root.Report as Node | Node[])) {
    for (const host of list(report.ReportHost as Node | Node[])) {
      const tags = new Map(list((host.HostProperties as Node | undefined)?.tag as Node | Node[]).map((t) => [text(t['@name']) ?? '', text(t)]));
      const ip = address(tags.get('host-ip') ?? text(host['@name']));
      if (!ip) {
        out.problems.push({ at: `host ${text(host['@name']) ?? '?'}`, reason: 'no address (host-ip)' });
        continue;
      }
      const hostname = tags.get('host-fqdn') ?? tags.get('netbios-name');
      out.hosts.push({ ip, hostname });
      const start = tags.get('HOST_START_TIMESTAMP');
      if (start && !out.startedAt && num(start)) out.startedAt = new Date(num(start)! * 1000).toISOString();
      for (const item of list(host.ReportItem as Node | Node[])) {
        const pluginId = text(item['@pluginID']);
        if (!pluginId) {
          out.problems.push({ at: ip, reason: 'a ReportItem without pluginID' });
          continue;
        }
        const sev = num(item['@severity']) ?? 0;
        if (sev <= 0) continue; // an informational plugin: what the scanner learnt, nothing to fix
        const port = num(item['@port']);
        const cvss = num(item.cvss3_base_score) ?? num(item.cvss_base_score);
        out.findings.push({
          ip,
          hostname,
          ...(port ? { port, protocol: text(item['@protocol']) ?? 'tcp' } : {}),
          kind: 'vulnerability',
          checkId: `nessus:${pluginId}`,
          title: text(item['@pluginName']) ?? text(item.plugin_name) ?? `Nessus plugin ${pluginId}`,
          severity: SEV[Math.max(0, Math.min(4, Math.round(sev)))]!,
          ...(cvss !== undefined ? { cvss } : {}),
          cves: cvesIn(...list(item.cve as unknown)),
          description: text(item.synopsis) ?? text(item.description),
          solution: text(item.solution),
          evidence: text(item.plugin_output),
        });
      }
    }
  }
  return out;
}

function parseOpenvas(doc: Node): ParsedScan {
  // get_reports_response > report > report > results, or report > report > results, or report > results
  let report = ((doc.get_reports_response as Node | undefined)?.report ?? doc.report) as Node | undefined;
  if (report && (report.report as Node | undefined)) report = report.report as Node;
  if (!report) throw validationError('file', 'an OpenVAS/GVM report has the root element report (or get_reports_response)', 'unknownScan');
  const out: ParsedScan = { format: 'openvas', scanner: 'OpenVAS / Greenbone', hosts: [], findings: [], problems: [] };
  out.startedAt = isoOrUndefined(text(report.scan_start));
  out.finishedAt = isoOrUndefined(text(report.scan_end));
  const names = new Map<string, string>();
  for (const h of list(report.host as Node | Node[])) {
    const ip = address(text(h.ip));
    if (!ip) continue;
    const detail = list(h.detail as Node | Node[]).find((d) => text(d.name) === 'hostname');
    if (detail) names.set(ip, text(detail.value) ?? '');
    out.hosts.push({ ip, hostname: names.get(ip) || undefined });
  }
  for (const [i, r] of list((report.results as Node | undefined)?.result as Node | Node[]).entries()) {
    const hostNode = r.host as Node | string | undefined;
    const ip = address(typeof hostNode === 'object' ? text(hostNode) : text(hostNode));
    if (!ip) {
      out.problems.push({ at: `result ${i + 1}`, reason: 'no host address' });
      continue;
    }
    const hostname = (typeof hostNode === 'object' ? text(hostNode.hostname) : undefined) ?? names.get(ip);
    if (!out.hosts.some((h) => h.ip === ip)) out.hosts.push({ ip, hostname });
    const nvt = (r.nvt ?? {}) as Node;
    const oid = text(nvt['@oid']);
    if (!oid) {
      out.problems.push({ at: `result ${i + 1} (${ip})`, reason: 'no NVT OID' });
      continue;
    }
    const portText = text(r.port) ?? '';
    const pm = /^(\d+)\/(\w+)/.exec(portText);
    const score = num(r.severity) ?? num(nvt.cvss_base) ?? 0;
    const threat = (text(r.threat) ?? '').toLowerCase();
    const severity: Severity = threat === 'log' || threat === 'false positive' ? 'info' : severityOfScore(score);
    if (severity === 'info') continue; // a log result: what the scanner noted, nothing to fix
    const refs = list((nvt.refs as Node | undefined)?.ref as Node | Node[]).filter((x) => text(x['@type'])?.toLowerCase() === 'cve').map((x) => text(x['@id']));
    const tags = text(nvt.tags) ?? '';
    const summary = /(?:^|\|)summary=([^|]*)/.exec(tags)?.[1];
    out.findings.push({
      ip,
      hostname,
      ...(pm ? { port: Number(pm[1]), protocol: pm[2]!.toLowerCase() } : {}),
      kind: 'vulnerability',
      checkId: `openvas:${oid}`,
      title: text(r.name) ?? text(nvt.name) ?? oid,
      severity,
      ...(score ? { cvss: score } : {}),
      cves: cvesIn(...refs, nvt.cve),
      description: summary?.trim() || text(r.description),
      solution: text(nvt.solution),
      evidence: text(r.description),
    });
  }
  return out;
}

function isoOrUndefined(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

type BaselineColumn = 'item' | 'title' | 'host' | 'hostname' | 'result' | 'severity' | 'expected' | 'actual' | 'solution';
const BASELINE_HEADERS: Record<BaselineColumn, string[]> = {
  item: ['item', 'check', 'id', 'control', '检查项', '编号'],
  title: ['title', 'name', 'description', '名称', '检查内容'],
  host: ['host', 'ip', 'address', '主机', 'ip地址'],
  hostname: ['hostname', '主机名'],
  result: ['result', 'status', '结果'],
  severity: ['severity', 'level', '风险等级', '等级'],
  expected: ['expected', '期望值', '基线值'],
  actual: ['actual', '实际值', '当前值'],
  solution: ['solution', 'remediation', '整改建议'],
};
const PASS = new Set(['pass', 'passed', 'ok', 'compliant', 'yes', '通过', '合规', '符合']);
const FAIL = new Set(['fail', 'failed', 'not compliant', 'noncompliant', 'no', '不通过', '不合规', '不符合']);
const SEVERITY_WORDS: Record<string, Severity> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', info: 'info', 严重: 'critical', 高: 'high', 中: 'medium', 低: 'low', 信息: 'info' };

function parseBaseline(body: string): ParsedScan {
  const out: ParsedScan = { format: 'baseline', scanner: 'baseline check (CSV)', hosts: [], findings: [], problems: [] };
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parseCsv(body, { skip_empty_lines: true, trim: true, relax_column_count: true, relax_quotes: true, info: true }) as never;
  } catch (e) {
    throw validationError('file', `not CSV: ${(e as Error).message}`, 'notCsv', { detail: (e as Error).message });
  }
  const head = rows.shift();
  const header = (head?.record ?? []).map((h) => h.toLowerCase());
  const col = Object.fromEntries(Object.entries(BASELINE_HEADERS).map(([k, names]) => [k, header.findIndex((h) => names.includes(h))])) as Record<BaselineColumn, number>;
  for (const need of ['item', 'host', 'result'] as const) if (col[need] < 0) throw validationError('file', `the baseline CSV needs a column "${need}" (found ${header.join(', ') || 'nothing'})`, 'missingColumn', { column: need });
  for (const { record: r, info } of rows) {
    const get = (k: BaselineColumn) => (col[k] >= 0 ? (r[col[k]] ?? '').trim() : '');
    const ip = address(get('host'));
    const at = `line ${info.lines}`;
    if (!ip) {
      out.problems.push({ at, reason: `"${get('host')}" is not an IP address` });
      continue;
    }
    const hostname = get('hostname') || undefined;
    if (!out.hosts.some((h) => h.ip === ip)) out.hosts.push({ ip, hostname });
    const result = get('result').toLowerCase();
    if (PASS.has(result)) continue;
    if (!FAIL.has(result)) {
      out.problems.push({ at, reason: `result "${get('result')}" is neither pass nor fail` });
      continue;
    }
    const item = get('item');
    if (!item) {
      out.problems.push({ at, reason: 'no check item' });
      continue;
    }
    const sev = SEVERITY_WORDS[get('severity').toLowerCase()] ?? 'medium';
    const expected = get('expected');
    const actual = get('actual');
    out.findings.push({
      ip,
      hostname,
      kind: 'baseline',
      checkId: `baseline:${item}`.slice(0, 200),
      title: (get('title') || item).slice(0, 500),
      severity: sev,
      cves: [],
      ...(expected ? { description: `expected: ${expected}` } : {}),
      ...(get('solution') ? { solution: get('solution') } : {}),
      ...(actual ? { evidence: actual } : {}),
    });
  }
  return out;
}
