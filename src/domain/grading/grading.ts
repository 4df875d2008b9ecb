/**
 * The incident grading table (事件定级表): incident type → level. It is data: each
 * organisation edits its own, and every edit makes a new version so an incident can say which
 * version graded it.
 */
import { DomainError, validationError } from '../errors.js';

export type Level = 1 | 2 | 3 | 4;
export const LEVELS: readonly Level[] = [1, 2, 3, 4];

export interface GradingEntry {
  /** stable machine name of the incident type, e.g. `trojan` */
  type: string;
  nameZh: string;
  nameEn: string;
  level: Level;
}

export interface GradingTable {
  version: number;
  entries: GradingEntry[];
  note: string | null;
  createdAt: string;
  createdBy: string;
}

/** The default table from the field (domain.md, "Incident grading"). */
export const DEFAULT_GRADING: readonly GradingEntry[] = [
  { type: 'scanning', nameZh: '扫描事件', nameEn: 'Scanning', level: 4 },
  { type: 'brute_force', nameZh: '爆破事件', nameEn: 'Brute force', level: 3 },
  { type: 'phishing', nameZh: '钓鱼事件', nameEn: 'Phishing', level: 3 },
  { type: 'exploitation', nameZh: '高危漏洞利用事件', nameEn: 'High-risk vulnerability exploitation', level: 2 },
  { type: 'trojan', nameZh: '木马事件', nameEn: 'Trojan / backdoor', level: 1 },
  { type: 'internal_scanning', nameZh: '内网扫描事件', nameEn: 'Internal scanning', level: 1 },
  { type: 'internal_brute_force', nameZh: '内网爆破事件', nameEn: 'Internal brute force', level: 1 },
  { type: 'internal_exploitation', nameZh: '内网高危漏洞利用事件', nameEn: 'Internal high-risk exploitation', level: 1 },
];

const TYPE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function isLevel(n: unknown): n is Level {
  return n === 1 || n === 2 || n === 3 || n === 4;
}

/** Checks a proposed table; throws a validation error naming the entry and field. */
export function validateGradingEntries(entries: readonly GradingEntry[]): GradingEntry[] {
  if (entries.length === 0) throw validationError('entries', 'the grading table needs at least one incident type');
  if (entries.length > 200) throw validationError('entries', 'at most 200 incident types');
  const seen = new Set<string>();
  return entries.map((e, i) => {
    const at = `entries/${i}`;
    if (!TYPE_NAME.test(e.type)) {
      throw validationError(`${at}/type`, `"${e.type}" is not a valid type name (lower-case letters, digits and _; starts with a letter)`);
    }
    if (seen.has(e.type)) throw validationError(`${at}/type`, `incident type "${e.type}" appears twice`);
    seen.add(e.type);
    if (!isLevel(e.level)) throw validationError(`${at}/level`, `level must be 1, 2, 3 or 4 (1 is the most severe), got ${String(e.level)}`);
    const nameZh = String(e.nameZh ?? '').trim();
    const nameEn = String(e.nameEn ?? '').trim();
    if (!nameZh || nameZh.length > 100) throw validationError(`${at}/nameZh`, 'a Chinese name of 1–100 characters is required');
    if (!nameEn || nameEn.length > 100) throw validationError(`${at}/nameEn`, 'an English name of 1–100 characters is required');
    return { type: e.type, nameZh, nameEn, level: e.level };
  });
}

export function gradeOf(table: Pick<GradingTable, 'entries' | 'version'>, type: string): GradingEntry {
  const entry = table.entries.find((e) => e.type === type);
  if (!entry) {
    throw new DomainError(
      'validation',
      `type: "${type}" is not an incident type of grading table version ${table.version} (known: ${table.entries.map((e) => e.type).join(', ')})`,
      [{ field: 'type', message: `unknown incident type "${type}"` }],
    );
  }
  return entry;
}
