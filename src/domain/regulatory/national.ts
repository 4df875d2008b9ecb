/**
 * The regulator's clock (issue 16; domain.md "The regulatory frame"): beside the organisation's own
 * level, an incident carries a national level under GB/T 20986-2023 — I 特别重大, II 重大, III 较大,
 * IV 一般 (I the gravest) — and a category/sub-category of the standard. The level is proposed from
 * the incident's own level and the importance of the hosts it touches, and confirmed by a person.
 * Under the CAC Measures for reporting national cybersecurity incidents (in force 2025-11-01), a
 * relatively serious (III) incident or graver is reported within 1 hour by a critical-information-
 * infrastructure operator, 2 hours by a central or state organ, 4 hours by any other operator,
 * counted from discovery. Pure: no I/O.
 */
import { validationError } from '../errors.js';

export const NATIONAL_LEVELS = [1, 2, 3, 4] as const;
export type NationalLevel = (typeof NATIONAL_LEVELS)[number];
export const NATIONAL_LEVEL_NAMES: Record<NationalLevel, { roman: string; zh: string; en: string }> = {
  1: { roman: 'I', zh: '特别重大', en: 'especially serious' },
  2: { roman: 'II', zh: '重大', en: 'serious' },
  3: { roman: 'III', zh: '较大', en: 'relatively serious' },
  4: { roman: 'IV', zh: '一般', en: 'general' },
};
/** the gravest level that needs no report to the regulator: IV; III and graver are reported */
export const REPORTABLE_FROM: NationalLevel = 3;

export const OPERATOR_TYPES = ['cii', 'state_organ', 'other'] as const;
export type OperatorType = (typeof OPERATOR_TYPES)[number];
/** hours from discovery to the report, by operator type (CAC Measures) */
export const REPORT_HOURS: Record<OperatorType, number> = { cii: 1, state_organ: 2, other: 4 };
export const REPORT_TO: Record<OperatorType, { zh: string; en: string }> = {
  cii: { zh: '保护工作部门和公安机关', en: 'the protection department and the public-security organs' },
  state_organ: { zh: '本单位网信部门', en: "the organisation's own cyberspace office" },
  other: { zh: '属地省级网信部门', en: 'the provincial cyberspace administration' },
};

export interface NationalCategory {
  /** e.g. "MI" for a category, "MI-3" for a sub-category */
  code: string;
  zh: string;
  en: string;
  /** the category a sub-category belongs to; absent for a category */
  parent?: string;
}

const cat = (code: string, zh: string, en: string, subs: ReadonlyArray<[string, string]>): NationalCategory[] => [
  { code, zh, en },
  ...subs.map(([szh, sen], i) => ({ code: `${code}-${i + 1}`, zh: szh, en: sen, parent: code })),
];

/**
 * The standard's ten categories with their sub-categories, as shipped: an organisation edits the
 * table (names, codes, sub-categories) in its settings when its reading of the standard differs.
 */
export const DEFAULT_CATEGORIES: readonly NationalCategory[] = [
  ...cat('MI', '恶意程序事件', 'Malicious program incident', [
    ['计算机病毒事件', 'Computer virus'], ['网络蠕虫事件', 'Network worm'], ['特洛伊木马事件', 'Trojan horse'], ['僵尸网络事件', 'Botnet'],
    ['勒索软件事件', 'Ransomware'], ['挖矿病毒事件', 'Cryptomining malware'], ['混合攻击程序事件', 'Blended attack program'], ['其他恶意程序事件', 'Other malicious program'],
  ]),
  ...cat('NAI', '网络攻击事件', 'Network attack incident', [
    ['网络扫描探测事件', 'Network scanning and probing'], ['网络钓鱼事件', 'Phishing'], ['漏洞利用事件', 'Vulnerability exploitation'], ['后门利用事件', 'Backdoor exploitation'],
    ['拒绝服务攻击事件', 'Denial of service'], ['域名劫持事件', 'Domain name hijacking'], ['供应链攻击事件', 'Supply-chain attack'], ['高级持续性威胁事件', 'Advanced persistent threat'],
    ['口令暴力破解事件', 'Password brute force'], ['其他网络攻击事件', 'Other network attack'],
  ]),
  ...cat('DSI', '数据安全事件', 'Data security incident', [
    ['数据篡改事件', 'Data tampering'], ['数据假冒事件', 'Data counterfeiting'], ['数据泄露事件', 'Data leak'], ['数据窃取事件', 'Data theft'],
    ['数据拦截事件', 'Data interception'], ['数据丢失事件', 'Data loss'], ['其他数据安全事件', 'Other data security'],
  ]),
  ...cat('ICSI', '信息内容安全事件', 'Information content security incident', [['违法有害信息传播事件', 'Spread of illegal or harmful information'], ['其他信息内容安全事件', 'Other information content']]),
  ...cat('FFI', '设备设施故障事件', 'Equipment and facility failure incident', [['软硬件自身故障事件', 'Hardware or software failure'], ['外围保障设施故障事件', 'Supporting facility failure'], ['人为破坏事故事件', 'Deliberate physical damage'], ['其他设备设施故障事件', 'Other equipment failure']]),
  ...cat('VOI', '违规操作事件', 'Violation of operating rules incident', [['权限滥用事件', 'Abuse of privilege'], ['越权使用事件', 'Use beyond authority'], ['误操作事件', 'Operating error'], ['其他违规操作事件', 'Other violation']]),
  ...cat('SHI', '安全隐患事件', 'Security hazard incident', [['网络安全漏洞隐患事件', 'Unremedied vulnerability'], ['配置不当隐患事件', 'Insecure configuration'], ['其他安全隐患事件', 'Other hazard']]),
  ...cat('ABI', '异常行为事件', 'Abnormal behaviour incident', [['访问异常事件', 'Abnormal access'], ['流量异常事件', 'Abnormal traffic'], ['其他异常行为事件', 'Other abnormal behaviour']]),
  ...cat('FMI', '不可抗力事件', 'Force majeure incident', [['自然灾害事件', 'Natural disaster'], ['事故灾难事件', 'Accident or disaster'], ['其他不可抗力事件', 'Other force majeure']]),
  ...cat('OI', '其他事件', 'Other incident', []),
];

/** the sub-category an incident type of the grading table is proposed as */
const TYPE_CATEGORY: Record<string, string> = {
  trojan: 'MI-3',
  scanning: 'NAI-1',
  internal_scanning: 'NAI-1',
  phishing: 'NAI-2',
  exploitation: 'NAI-3',
  internal_exploitation: 'NAI-3',
  brute_force: 'NAI-9',
  internal_brute_force: 'NAI-9',
};

/** The category table checked whole: unique codes, a sub-category's parent a category of the table. */
export function checkCategories(input: readonly NationalCategory[]): NationalCategory[] {
  if (!input.length || input.length > 500) throw validationError('categories', 'between 1 and 500 entries', 'maxItems', { limit: 500 });
  const seen = new Set<string>();
  const out = input.map((c, i) => {
    const code = String(c.code ?? '').trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$/.test(code)) throw validationError(`categories/${i}/code`, 'a code is 1–20 letters, digits, ., _ or -', 'categoryCode');
    if (seen.has(code)) throw validationError(`categories/${i}/code`, `"${code}" is listed twice`, 'duplicateName', { name: code });
    seen.add(code);
    const zh = String(c.zh ?? '').trim();
    const en = String(c.en ?? '').trim();
    if (!zh || !en) throw validationError(`categories/${i}/${zh ? 'en' : 'zh'}`, 'is required', 'blank');
    return { code, zh: zh.slice(0, 100), en: en.slice(0, 100), ...(c.parent ? { parent: String(c.parent).trim() } : {}) };
  });
  out.forEach((c, i) => {
    if (c.parent && !out.some((p) => p.code === c.parent && !p.parent)) throw validationError(`categories/${i}/parent`, `"${c.parent}" is not a category of the table`, 'categoryParent', { parent: c.parent });
  });
  return out;
}

export interface NationalProposal {
  level: NationalLevel;
  category: string;
  reason: { zh: string; en: string };
}

/**
 * What Bihuan proposes: the gravest importance of the hosts touched (criticality 1 core … 4 low)
 * against the organisation's level — a core system in a level-1 incident is II 重大; a core system
 * at level 2, or any host in a level-1 incident, III 较大; anything less IV 一般. I is never
 * proposed: it is a national-scale judgement a person makes.
 */
export function proposeNational(incident: { type: string; level: number }, hostCriticality: readonly (number | null)[], categories: readonly NationalCategory[]): NationalProposal {
  const gravest = hostCriticality.reduce<number>((m, c) => (c !== null && c < m ? c : m), 5);
  const core = gravest === 1;
  const level: NationalLevel = core && incident.level === 1 ? 2 : (core && incident.level === 2) || incident.level === 1 ? 3 : 4;
  const wanted = TYPE_CATEGORY[incident.type];
  const category = categories.find((c) => c.code === wanted)?.code ?? categories.find((c) => c.code === 'OI')?.code ?? categories[0]!.code;
  const n = NATIONAL_LEVEL_NAMES[level];
  const hosts = gravest <= 4 ? `最重要的受影响主机重要性为 ${gravest}${core ? '（核心）' : ''}` : '受影响主机未登记重要性';
  const hostsEn = gravest <= 4 ? `the most important host touched has criticality ${gravest}${core ? ' (core)' : ''}` : 'no host touched has a criticality on record';
  return {
    level,
    category,
    reason: {
      zh: `本单位定级 ${incident.level} 级，${hosts}：建议国家分级 ${n.roman} 级（${n.zh}）`,
      en: `internal level ${incident.level}, ${hostsEn}: national level ${n.roman} (${n.en}) proposed`,
    },
  };
}

/** When the report to the regulator is due: discovery + the operator's hours, for level III and graver; none below. */
export function reportDueAt(detectedAt: string, level: NationalLevel, operator: OperatorType): string | null {
  if (level > REPORTABLE_FROM) return null;
  return new Date(Date.parse(detectedAt) + REPORT_HOURS[operator] * 3_600_000).toISOString();
}

/** how long before the regulatory deadline the incident is told as due soon */
export const REGULATORY_DUE_SOON_MS = 30 * 60_000;

export const REGULATORY_REPORT_KINDS = ['initial', 'followup', 'summary'] as const;
export type RegulatoryReportKind = (typeof REGULATORY_REPORT_KINDS)[number];
