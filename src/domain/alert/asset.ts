/**
 * The asset inventory (资产台账): hosts by IP with hostname, org unit, zone, owner, business
 * system and criticality, read from CSV exports with English or Chinese headers.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import ipaddr from 'ipaddr.js';
import { validationError } from '../errors.js';

export interface Asset {
  ip: string;
  hostname: string | null;
  orgUnit: string | null;
  zone: string | null;
  owner: string | null;
  businessSystem: string | null;
  /** 1 (most critical) … 4 */
  criticality: number | null;
  /** the line of the file it was read from */
  row?: number;
}

/** Header names people use, in English and Chinese, for each field. */
const HEADERS: Record<Exclude<keyof Asset, 'row'>, string[]> = {
  ip: ['ip', 'ip address', 'ip_address', 'address', 'ip地址', '地址'],
  hostname: ['hostname', 'host', 'host name', 'name', '主机名', '计算机名', '设备名称'],
  orgUnit: ['org_unit', 'org unit', 'orgunit', 'org', 'branch', 'unit', '机构', '单位', '分支机构', '所属机构'],
  zone: ['zone', 'network zone', 'area', '区域', '网络区域', '安全域'],
  owner: ['owner', 'admin', 'contact', '责任人', '负责人', '管理员'],
  businessSystem: ['business_system', 'business system', 'system', 'application', '业务系统', '系统名称', '所属系统'],
  criticality: ['criticality', 'importance', 'level', '重要性', '重要程度', '等级'],
};

const CRITICALITY_WORDS: Record<string, number> = { critical: 1, high: 2, medium: 3, low: 4, 核心: 1, 高: 2, 中: 3, 低: 4, 重要: 2, 一般: 3 };

export interface AssetParse {
  assets: Asset[];
  /** each row not imported: `reason` in English, `rule` and `params` for the console to word it */
  problems: AssetProblem[];
}

export interface AssetProblem {
  row: number;
  field: string;
  reason: string;
  rule: 'notCsv' | 'notIp' | 'criticality' | 'duplicateIp' | 'unknownOrgUnit';
  params: Record<string, string | number>;
}

/** CSV records with the line each ends on; a record the parser cannot read is a problem of its line, and the rest are kept. */
function csvRecords(text: string, problems: AssetParse['problems']): Array<{ line: number; cells: string[] }> {
  const options = { skip_empty_lines: true, trim: true, relax_column_count: true, relax_quotes: true, info: true } as const;
  try {
    return (parseCsv(text, options) as unknown as Array<{ record: string[]; info: { lines: number } }>).map((r) => ({ line: r.info.lines, cells: r.record }));
  } catch {
    // one broken record (an unclosed quote) must not cost the file: read it line by line, naming the lines that fail
    const out: Array<{ line: number; cells: string[] }> = [];
    text.split(/\r?\n/).forEach((l, i) => {
      if (!l.trim()) return;
      try {
        const [r] = parseCsv(l, options) as unknown as Array<{ record: string[] }>;
        if (r) out.push({ line: i + 1, cells: r.record });
      } catch (e) {
        const detail = (e as Error).message.replace(/,? (?:at|on) line \d+/g, '');
        problems.push({ row: i + 1, field: 'line', reason: `not CSV: ${detail}`, rule: 'notCsv', params: { detail } });
      }
    });
    return out;
  }
}

export function parseAssetCsv(text: string): AssetParse {
  const problems: AssetParse['problems'] = [];
  const records = csvRecords(text.replace(/^\uFEFF/, ''), problems);
  const head = records.shift();
  if (head && head.line > 1 && problems.some((p) => p.row < head.line)) throw validationError('file', `the header line cannot be read: ${problems[0]!.reason}`);
  const rows = records;
  const header = (head?.cells ?? []).map((h) => h.toLowerCase());
  const col = {} as Record<keyof Asset, number>;
  for (const [field, names] of Object.entries(HEADERS) as Array<[keyof Asset, string[]]>) col[field] = header.findIndex((h) => names.includes(h));
  if (col.ip < 0) throw validationError('file', `no IP column: the header must name one (ip, IP地址 …); found ${header.join(', ') || 'nothing'}`);
  const assets: Asset[] = [];
  const seen = new Map<string, number>();
  rows.forEach(({ line: row, cells: r }) => {
    const get = (f: keyof Asset) => (col[f] >= 0 ? (r[col[f]] ?? '').trim() || null : null);
    const rawIp = get('ip');
    let ip: string;
    try {
      ip = ipaddr.process(rawIp ?? '').toString();
    } catch {
      problems.push({ row, field: 'ip', reason: `"${rawIp ?? ''}" is not an IP address`, rule: 'notIp', params: { value: rawIp ?? '' } });
      return;
    }
    let criticality: number | null = null;
    const c = get('criticality');
    if (c) {
      criticality = /^[1-4]$/.test(c) ? Number(c) : CRITICALITY_WORDS[c.toLowerCase()] ?? null;
      if (criticality === null) {
        problems.push({ row, field: 'criticality', reason: `"${c}" is not 1–4 or critical/high/medium/low (核心/高/中/低)`, rule: 'criticality', params: { value: c } });
        return;
      }
    }
    if (seen.has(ip)) {
      problems.push({ row, field: 'ip', reason: `${ip} already appears in row ${seen.get(ip)}; the later row wins`, rule: 'duplicateIp', params: { ip, row: seen.get(ip)! } });
      assets.splice(assets.findIndex((a) => a.ip === ip), 1);
    }
    seen.set(ip, row);
    const cut = (v: string | null, n: number) => (v ? v.slice(0, n) : null);
    assets.push({
      ip,
      hostname: cut(get('hostname'), 255),
      orgUnit: cut(get('orgUnit'), 32),
      zone: cut(get('zone'), 100),
      owner: cut(get('owner'), 100),
      businessSystem: cut(get('businessSystem'), 200),
      criticality,
      row,
    });
  });
  problems.sort((a, b) => a.row - b.row);
  return { assets, problems };
}
