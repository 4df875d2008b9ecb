/**
 * The reports of the preparation programme (issue 15), in Chinese or English: the quarterly report
 * of periodic work (per org unit: recurring work done on time, findings opened, closed and overdue,
 * mean days to fix; what is overdue, named) and a campaign's summary (scope, period, lead, findings
 * by severity and state, a drill's phases against their SLA, the conclusion). Pure: the figures in,
 * a ReportDocument out (Markdown and Word from the one content).
 */
import type { ReportDocument } from '../report/document.js';
import { type ReportLocale, formTime } from '../report/forms.js';
import { SEVERITIES, type Severity } from '../findings/scan.js';
import type { QuarterFigures } from './quarter.js';
import { CAMPAIGN_NAMES, type CampaignKind, type CampaignState, type PhaseReview } from './campaign.js';
import type { WorkKind } from './schedule.js';

const WORDS = {
  'zh-CN': {
    quarterTitle: (label: string) => `${label}周期性工作报告`,
    made: '生成时间',
    zone: '时区',
    scope: '范围',
    all: '全部机构',
    summary: '一、概况',
    summaryText: (t: QuarterFigures) =>
      `本季度计划周期性工作 ${t.occurrences.scheduled} 项次，按时完成 ${t.occurrences.onTime} 项次，逾期完成 ${t.occurrences.late} 项次，跳过 ${t.occurrences.skipped} 项次，逾期未完成 ${t.occurrences.overdue} 项次，尚未到期 ${t.occurrences.notYetDue} 项次；按时完成率 ${t.occurrences.onTimeRate ?? '—'}${t.occurrences.onTimeRate === null ? '' : '%'}。` +
      `新发现问题 ${t.findings.opened} 个，关闭 ${t.findings.closed} 个，期末未关闭 ${t.findings.openAtEnd} 个，其中逾期未修复 ${t.findings.overdueAtEnd} 个。`,
    work: '二、各机构周期性工作完成情况',
    workHeader: ['机构', '计划', '按时完成', '逾期完成', '跳过', '逾期未完成', '未到期', '按时完成率'],
    findings: '三、漏洞与基线问题',
    findingsHeader: ['机构', '新发现', '已关闭', '期末未关闭', '逾期未修复'],
    fix: '四、平均修复时长（天，按严重程度）',
    fixHeader: ['严重程度', '平均修复天数'],
    overdueWork: '五、逾期未完成的周期性工作',
    overdueWorkHeader: ['工作', '类别', '机构', '负责人', '计划时间', '应完成时间'],
    overdueFindings: '六、逾期未修复的严重和高危问题',
    overdueFindingsHeader: ['主机', '问题', '严重程度', '应修复时间', '状态'],
    none: '无。',
    total: '合计',
    unplaced: '未划分机构',
    campaignTitle: (title: string) => `专项行动总结报告：${title}`,
    basics: '基本情况',
    kind: '类别',
    period: '时间',
    lead: '负责人',
    state: '状态',
    scopeUnits: '范围（机构）',
    scopeAssets: '范围（主机与网段）',
    description: '说明',
    campaignFindings: '发现的问题',
    campaignFindingsText: (f: { total: number; open: number; closed: number; accepted: number }) => `共发现问题 ${f.total} 个：已关闭 ${f.closed} 个，未关闭 ${f.open} 个，接受风险 ${f.accepted} 个。`,
    bySeverityHeader: ['严重程度', '合计', '未关闭', '已关闭', '接受风险'],
    findingList: '问题清单',
    findingListHeader: ['主机', '问题', '严重程度', '状态', '应修复时间'],
    drill: '演练复盘（各阶段对照 SLA）',
    drillHeader: ['事件', '阶段', '期限', '完成时间', '结果'],
    drillText: (met: number, missed: number) => `按时完成阶段 ${met} 个，超时 ${missed} 个。`,
    met: '按时',
    missed: '超时',
    pending: '进行中',
    conclusion: '结论',
    noConclusion: '（尚未结束）',
  },
  en: {
    quarterTitle: (label: string) => `Periodic work report, ${label}`,
    made: 'Made',
    zone: 'Time zone',
    scope: 'Scope',
    all: 'every org unit',
    summary: '1. Summary',
    summaryText: (t: QuarterFigures) =>
      `${t.occurrences.scheduled} occurrences of recurring work were scheduled this quarter: ${t.occurrences.onTime} done on time, ${t.occurrences.late} done late, ${t.occurrences.skipped} skipped, ${t.occurrences.overdue} overdue and not done, ${t.occurrences.notYetDue} not yet due; on time: ${t.occurrences.onTimeRate ?? '—'}${t.occurrences.onTimeRate === null ? '' : '%'}. ` +
      `${t.findings.opened} findings were opened and ${t.findings.closed} closed; ${t.findings.openAtEnd} were open at the end, ${t.findings.overdueAtEnd} of them overdue.`,
    work: '2. Recurring work by org unit',
    workHeader: ['Org unit', 'Scheduled', 'On time', 'Late', 'Skipped', 'Overdue', 'Not yet due', 'On time %'],
    findings: '3. Vulnerabilities and baseline findings',
    findingsHeader: ['Org unit', 'Opened', 'Closed', 'Open at end', 'Overdue'],
    fix: '4. Mean days to fix, by severity',
    fixHeader: ['Severity', 'Mean days to fix'],
    overdueWork: '5. Recurring work overdue',
    overdueWorkHeader: ['Work', 'Kind', 'Org unit', 'Owner', 'Scheduled', 'Due'],
    overdueFindings: '6. Critical and high findings overdue',
    overdueFindingsHeader: ['Host', 'Finding', 'Severity', 'Due', 'Status'],
    none: 'None.',
    total: 'Total',
    unplaced: 'Not placed',
    campaignTitle: (title: string) => `Campaign summary: ${title}`,
    basics: 'The campaign',
    kind: 'Kind',
    period: 'Period',
    lead: 'Lead',
    state: 'State',
    scopeUnits: 'Scope (org units)',
    scopeAssets: 'Scope (hosts and ranges)',
    description: 'Description',
    campaignFindings: 'Findings',
    campaignFindingsText: (f: { total: number; open: number; closed: number; accepted: number }) => `${f.total} findings: ${f.closed} closed, ${f.open} still open, ${f.accepted} accepted as a risk.`,
    bySeverityHeader: ['Severity', 'Total', 'Open', 'Closed', 'Accepted'],
    findingList: 'The findings',
    findingListHeader: ['Host', 'Finding', 'Severity', 'Status', 'Due'],
    drill: 'Drill review (each phase against its SLA)',
    drillHeader: ['Incident', 'Phase', 'Deadline', 'Finished', 'Result'],
    drillText: (met: number, missed: number) => `${met} phases finished within their deadline, ${missed} late.`,
    met: 'on time',
    missed: 'late',
    pending: 'under way',
    conclusion: 'Conclusion',
    noConclusion: '(not closed yet)',
  },
} as const;

const SEVERITY_NAMES: Record<ReportLocale, Record<Severity, string>> = {
  'zh-CN': { critical: '严重', high: '高危', medium: '中危', low: '低危', info: '信息' },
  en: { critical: 'critical', high: 'high', medium: 'medium', low: 'low', info: 'info' },
};
const STATUS_NAMES: Record<ReportLocale, Record<string, string>> = {
  'zh-CN': { open: '待整改', fixing: '整改中', fixed: '已整改（待验证）', verified: '已验证', accepted: '已接受风险' },
  en: { open: 'open', fixing: 'fixing', fixed: 'fixed, to verify', verified: 'verified', accepted: 'accepted' },
};
export const WORK_KIND_NAMES: Record<ReportLocale, Record<WorkKind, string>> = {
  'zh-CN': { vulnerability_scan: '漏洞扫描', baseline_check: '基线检查', security_update: '安全更新', plan_review: '预案评审', drill: '应急演练', other: '其他' },
  en: { vulnerability_scan: 'Vulnerability scan', baseline_check: 'Baseline check', security_update: 'Security updates', plan_review: 'Plan review', drill: 'Drill', other: 'Other' },
};
const STATE_NAMES: Record<ReportLocale, Record<CampaignState, string>> = {
  'zh-CN': { planned: '计划中', running: '进行中', ended: '已到期待总结', closed: '已结束' },
  en: { planned: 'planned', running: 'running', ended: 'period over, to close', closed: 'closed' },
};
const PHASE_NAMES: Record<ReportLocale, Record<string, string>> = {
  'zh-CN': { discovery: '发现', report: '报告', analysis: '分析', handling: '处置', summary: '总结' },
  en: { discovery: 'discovery', report: 'report', analysis: 'analysis', handling: 'handling', summary: 'summary' },
};

export interface QuarterReportInput {
  locale: ReportLocale;
  zone: string;
  generatedAt: string;
  /** "2026 年第 4 季度" / "2026 Q4" */
  label: string;
  orgUnit?: string;
  unitNames: Record<string, string>;
  units: QuarterFigures[];
  total: QuarterFigures;
  overdueWork: Array<{ title: string; kind: WorkKind; orgUnit: string; owner: string; scheduledAt: string; dueAt: string }>;
  overdueFindings: Array<{ ip: string; hostname: string | null; title: string; severity: Severity; dueAt: string | null; status: string }>;
}

export function quarterReport(r: QuarterReportInput): ReportDocument {
  const w = WORDS[r.locale];
  const unit = (code: string) => {
    const name = r.unitNames[code];
    if (code === '-') return w.unplaced;
    if (!name) return code;
    return r.locale === 'en' ? `${name} (${code})` : `${name}（${code}）`;
  };
  const time = (iso: string | null) => (iso ? formTime(iso, r.zone, r.locale) : '—');
  const rate = (f: QuarterFigures) => (f.occurrences.onTimeRate === null ? '—' : `${f.occurrences.onTimeRate}%`);
  const workRow = (f: QuarterFigures, name: string) => [name, f.occurrences.scheduled, f.occurrences.onTime, f.occurrences.late, f.occurrences.skipped, f.occurrences.overdue, f.occurrences.notYetDue].map(String).concat(rate(f));
  const findingRow = (f: QuarterFigures, name: string) => [name, f.findings.opened, f.findings.closed, f.findings.openAtEnd, f.findings.overdueAtEnd].map(String);
  return {
    title: w.quarterTitle(r.label),
    meta: [`${w.scope}：${r.orgUnit ? unit(r.orgUnit) : w.all}`, `${w.made}：${time(r.generatedAt)}`, `${w.zone}：${r.zone}`].map((m) => (r.locale === 'en' ? m.replace('：', ': ') : m)),
    sections: [
      { heading: w.summary, paragraphs: [w.summaryText(r.total)] },
      { heading: w.work, table: { header: [...w.workHeader], rows: [...r.units.map((f) => workRow(f, unit(f.orgUnit))), workRow(r.total, w.total)] } },
      { heading: w.findings, table: { header: [...w.findingsHeader], rows: [...r.units.map((f) => findingRow(f, unit(f.orgUnit))), findingRow(r.total, w.total)] } },
      { heading: w.fix, table: { header: [...w.fixHeader], rows: SEVERITIES.filter((s) => s !== 'info').map((s) => [SEVERITY_NAMES[r.locale][s], r.total.meanDaysToFix[s] === null ? '—' : String(r.total.meanDaysToFix[s])]) } },
      {
        heading: w.overdueWork,
        empty: w.none,
        table: { header: [...w.overdueWorkHeader], rows: r.overdueWork.map((o) => [o.title, WORK_KIND_NAMES[r.locale][o.kind], unit(o.orgUnit), o.owner, time(o.scheduledAt), time(o.dueAt)]) },
      },
      {
        heading: w.overdueFindings,
        empty: w.none,
        table: { header: [...w.overdueFindingsHeader], rows: r.overdueFindings.map((f) => [f.hostname ? `${f.ip} ${f.hostname}` : f.ip, f.title, SEVERITY_NAMES[r.locale][f.severity], time(f.dueAt), STATUS_NAMES[r.locale][f.status] ?? f.status]) },
      },
    ],
  };
}

export interface CampaignReportInput {
  locale: ReportLocale;
  zone: string;
  generatedAt: string;
  campaign: { id: number; title: string; kind: CampaignKind; state: CampaignState; startsOn: string; endsOn: string; lead: string; scopeOrgUnits: string[]; scopeAssets: string[]; description: string | null; conclusion: string | null; findings: { total: number; open: number; closed: number; accepted: number } };
  findings: Array<{ ip: string; hostname: string | null; title: string; severity: Severity; status: string; dueAt: string | null }>;
  review?: { incidents: Array<{ id: string; title: string; phases: PhaseReview[] }>; met: number; missed: number };
}

export function campaignReport(r: CampaignReportInput): ReportDocument {
  const w = WORDS[r.locale];
  const c = r.campaign;
  const sep = r.locale === 'en' ? ': ' : '：';
  const list = (xs: string[]) => (xs.length ? xs.join(r.locale === 'en' ? ', ' : '、') : '—');
  const time = (iso: string | null) => (iso ? formTime(iso, r.zone, r.locale) : '—');
  const bySeverity = SEVERITIES.map((s) => {
    const of = r.findings.filter((f) => f.severity === s);
    return [SEVERITY_NAMES[r.locale][s], of.length, of.filter((f) => !['verified', 'accepted'].includes(f.status)).length, of.filter((f) => f.status === 'verified').length, of.filter((f) => f.status === 'accepted').length].map(String);
  }).filter((row) => row[1] !== '0');
  const sections: ReportDocument['sections'] = [
    {
      heading: w.basics,
      table: {
        header: ['', ''],
        rows: [
          [w.kind, CAMPAIGN_NAMES[c.kind][r.locale === 'en' ? 'en' : 'zh']],
          [w.period, `${c.startsOn} — ${c.endsOn}`],
          [w.lead, c.lead],
          [w.state, STATE_NAMES[r.locale][c.state]],
          [w.scopeUnits, list(c.scopeOrgUnits)],
          [w.scopeAssets, list(c.scopeAssets)],
          [w.description, c.description ?? '—'],
        ],
      },
    },
    { heading: w.campaignFindings, paragraphs: [w.campaignFindingsText(c.findings)], table: { header: [...w.bySeverityHeader], rows: bySeverity }, empty: w.none },
    { heading: w.findingList, empty: w.none, table: { header: [...w.findingListHeader], rows: r.findings.map((f) => [f.hostname ? `${f.ip} ${f.hostname}` : f.ip, f.title, SEVERITY_NAMES[r.locale][f.severity], STATUS_NAMES[r.locale][f.status] ?? f.status, time(f.dueAt)]) } },
  ];
  if (r.review) {
    sections.push({
      heading: w.drill,
      paragraphs: [w.drillText(r.review.met, r.review.missed)],
      empty: w.none,
      table: {
        header: [...w.drillHeader],
        rows: r.review.incidents.flatMap((i) => i.phases.map((p) => [`${i.id} ${i.title}`, PHASE_NAMES[r.locale][p.phase] ?? p.phase, time(p.deadline), time(p.finishedAt), p.met === true ? w.met : p.met === false ? w.missed : w.pending])),
      },
    });
  }
  sections.push({ heading: w.conclusion, paragraphs: [c.conclusion ?? w.noConclusion] });
  return { title: w.campaignTitle(c.title), meta: [`${w.made}${sep}${time(r.generatedAt)}`, `${w.zone}${sep}${r.zone}`], sections };
}
