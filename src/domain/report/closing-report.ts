/**
 * The emergency response report (应急处置报告单): the closing document of an incident, with
 * exactly the fields of the Chinese form, pre-filled from the incident — the monitoring
 * information from its detection and alerts, the handling process from its timeline and
 * tasks, problems from open or skipped tasks and the closure's recommendations — and editable
 * before export. Appendices: the timeline and the affected hosts. Pure: no I/O.
 */
import { DateTime } from 'luxon';

export const REPORT_LOCALES = ['zh-CN', 'en'] as const;
export type ReportLocale = (typeof REPORT_LOCALES)[number];

/** The organisation's own header fields, set once in the settings. */
export interface ReportHeader {
  unitName: string;
  /** who signs as reporter by default, and how to reach them */
  reporter?: string;
  contact?: string;
  /** information systems by name, with their main use */
  systems?: Array<{ name: string; use: string }>;
}

/** The form's fields, in its order. */
export interface ClosingReportFields {
  unitName: string;
  reportTime: string;
  reporter: string;
  contact: string;
  systemName: string;
  systemUse: string;
  monitoringInfo: string;
  handlingProcess: string;
  problemsAndRecommendations: string;
  commandOpinion: string;
  leaderSignature: string;
}

export const CLOSING_FIELDS: ReadonlyArray<keyof ClosingReportFields> = [
  'unitName',
  'reportTime',
  'reporter',
  'contact',
  'systemName',
  'systemUse',
  'monitoringInfo',
  'handlingProcess',
  'problemsAndRecommendations',
  'commandOpinion',
  'leaderSignature',
];

export const FIELD_LABELS: Record<ReportLocale, Record<keyof ClosingReportFields, string>> = {
  'zh-CN': {
    unitName: '单位名称',
    reportTime: '报告时间',
    reporter: '报告人',
    contact: '联系方式',
    systemName: '信息系统名称',
    systemUse: '主要用途',
    monitoringInfo: '监控团队上报信息',
    handlingProcess: '主要处理过程及结果',
    problemsAndRecommendations: '存在问题及建议',
    commandOpinion: '总体组处理意见',
    leaderSignature: '总体组组长签字',
  },
  en: {
    unitName: 'Unit name',
    reportTime: 'Report time',
    reporter: 'Reporter',
    contact: 'Contact',
    systemName: 'Information system',
    systemUse: 'Main use',
    monitoringInfo: 'Reported by the monitoring team',
    handlingProcess: 'Main handling process and result',
    problemsAndRecommendations: 'Problems and recommendations',
    commandOpinion: "Command group's opinion",
    leaderSignature: "Command group leader's signature",
  },
};

export const FORM_TEXT: Record<ReportLocale, { title: string; incident: string; appendixTimeline: string; appendixHosts: string; time: string; source: string; event: string; ip: string; hostname: string; orgUnit: string; businessSystem: string; note: string; date: string }> = {
  'zh-CN': {
    title: '应急处置报告单',
    incident: '事件编号',
    appendixTimeline: '附录一：事件时间线',
    appendixHosts: '附录二：受影响主机',
    time: '时间',
    source: '来源',
    event: '事项',
    ip: 'IP 地址',
    hostname: '主机名',
    orgUnit: '机构',
    businessSystem: '业务系统',
    note: '说明',
    date: '日期',
  },
  en: {
    title: 'Emergency Response Report',
    incident: 'Incident',
    appendixTimeline: 'Appendix 1: Timeline',
    appendixHosts: 'Appendix 2: Affected hosts',
    time: 'Time',
    source: 'Source',
    event: 'Event',
    ip: 'IP address',
    hostname: 'Host name',
    orgUnit: 'Org unit',
    businessSystem: 'Business system',
    note: 'Note',
    date: 'Date',
  },
};

/** What the draft is made from: the incident as the API shows it (only the parts used). */
export interface ReportIncident {
  id: string;
  title: string;
  type: string;
  typeName: { zh: string; en: string };
  level: number;
  phase: string;
  detectedAt: string;
  closedAt: string | null;
  description: string;
  owner: string | null;
  orgUnit: string;
  closure: { resolution: string | null; conclusion: string | null; recommendations: string | null };
  assets: Array<{ ip: string | null; hostname: string | null; businessSystem: string | null; orgUnit: string | null; note: string | null }>;
  observables: Array<{ type: string; value: string; note: string | null }>;
  timeline: Array<{ occurredAt: string; source: string; actor: string; kind: string; text: string }>;
  tasks: Array<{ phase: string; title: string; titleEn: string | null; status: string; note: string | null; doneAt: string | null; doneBy: string | null }>;
  comments: Array<{ author: string; text: string; createdAt: string }>;
  report: { sentAt: string | null; sentTo: string | null };
}

export interface ClosingReport {
  incidentId: string;
  locale: ReportLocale;
  fields: ClosingReportFields;
  timeline: Array<{ time: string; source: string; text: string }>;
  hosts: Array<{ ip: string; hostname: string; orgUnit: string; businessSystem: string; note: string }>;
}

const RESOLUTION: Record<ReportLocale, Record<string, string>> = {
  'zh-CN': { true_positive: '确认为真实安全事件', false_positive: '误报', duplicate: '重复事件', drill: '演练' },
  en: { true_positive: 'confirmed security incident', false_positive: 'false positive', duplicate: 'duplicate', drill: 'drill' },
};

/** Local time to the minute, as the form wants it. */
export function formTime(iso: string, zone: string, locale: ReportLocale): string {
  const t = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  return locale === 'zh-CN' ? t.toFormat("yyyy'年'MM'月'dd'日' HH:mm") : t.toFormat('yyyy-MM-dd HH:mm');
}

const MAX_LINES = 40;

/** Pre-fills the form from the incident; `edits` (a person's corrections) win over every pre-filled field. */
export function draftClosingReport(
  incident: ReportIncident,
  opts: { header: ReportHeader; locale: ReportLocale; zone: string; now: string; reporter?: string; edits?: Partial<ClosingReportFields> },
): ClosingReport {
  const { header, locale, zone } = opts;
  const zh = locale === 'zh-CN';
  const when = (iso: string) => formTime(iso, zone, locale);
  const typeName = zh ? incident.typeName.zh : incident.typeName.en;
  const systems = [...new Set(incident.assets.map((a) => a.businessSystem).filter((s): s is string => !!s))];
  const known = new Map((header.systems ?? []).map((s) => [s.name, s.use]));
  const hostList = incident.assets.map((a) => a.ip ?? a.hostname).filter((h): h is string => !!h);
  const indicators = incident.observables.filter((o) => o.type !== 'ip' || (o.note ?? '').includes('intelligence')).map((o) => o.value);
  const attackers = incident.observables.filter((o) => o.type === 'ip' && (o.note ?? '').includes('attacking')).map((o) => o.value);
  const alerts = incident.timeline.filter((t) => t.kind === 'alert');
  const actions = incident.timeline.filter((t) => t.kind !== 'alert');

  const monitoring = [
    zh
      ? `${when(incident.detectedAt)} 监控发现${typeName}（${incident.level} 级），事件编号 ${incident.id}：${incident.title}。`
      : `${when(incident.detectedAt)}: the monitoring team detected ${typeName} (level ${incident.level}), incident ${incident.id}: ${incident.title}.`,
    hostList.length ? (zh ? `受影响主机 ${hostList.length} 台：${hostList.slice(0, 50).join('、')}${hostList.length > 50 ? ' 等' : ''}。` : `${hostList.length} affected host(s): ${hostList.slice(0, 50).join(', ')}${hostList.length > 50 ? ', …' : ''}.`) : '',
    indicators.length ? (zh ? `威胁指标：${indicators.join('、')}。` : `Indicators: ${indicators.join(', ')}.`) : '',
    attackers.length ? (zh ? `攻击来源：${attackers.join('、')}。` : `Attacking sources: ${attackers.join(', ')}.`) : '',
    ...alerts.slice(0, MAX_LINES).map((a) => `${when(a.occurredAt)} ${a.text}`),
    alerts.length > MAX_LINES ? (zh ? `（另有 ${alerts.length - MAX_LINES} 条告警，见附录一）` : `(${alerts.length - MAX_LINES} more alerts: see appendix 1)`) : '',
  ].filter(Boolean);

  const done = incident.tasks.filter((t) => t.status === 'done');
  const resolution = incident.closure.resolution ? RESOLUTION[locale][incident.closure.resolution] ?? incident.closure.resolution : undefined;
  const handling = [
    ...actions.slice(0, MAX_LINES).map((a) => `${when(a.occurredAt)} ${a.text}`),
    actions.length > MAX_LINES ? (zh ? `（另有 ${actions.length - MAX_LINES} 条记录，见附录一）` : `(${actions.length - MAX_LINES} more entries: see appendix 1)`) : '',
    done.length ? (zh ? `已完成处置任务：${done.map((t) => t.title).join('；')}。` : `Tasks done: ${done.map((t) => t.titleEn ?? t.title).join('; ')}.`) : '',
    resolution || incident.closure.conclusion
      ? zh
        ? `处置结果：${[resolution, incident.closure.conclusion].filter(Boolean).join('。')}`
        : `Result: ${[resolution, incident.closure.conclusion].filter(Boolean).join('. ')}`
      : '',
  ].filter(Boolean);

  const unfinished = incident.tasks.filter((t) => t.status === 'open' || t.status === 'in_progress' || t.status === 'skipped');
  const problems = [
    ...unfinished.map((t) =>
      zh ? `未完成任务：${t.title}${t.status === 'skipped' ? '（已跳过）' : ''}${t.note ? `：${t.note}` : ''}` : `Not done: ${t.titleEn ?? t.title}${t.status === 'skipped' ? ' (skipped)' : ''}${t.note ? `: ${t.note}` : ''}`,
    ),
    incident.closure.recommendations ? (zh ? `建议：${incident.closure.recommendations}` : `Recommendations: ${incident.closure.recommendations}`) : '',
  ].filter(Boolean);

  const fields: ClosingReportFields = {
    unitName: header.unitName,
    reportTime: when(opts.now),
    reporter: opts.reporter ?? header.reporter ?? incident.owner ?? '',
    contact: header.contact ?? '',
    systemName: systems.join(zh ? '、' : ', '),
    systemUse: systems.map((s) => known.get(s)).filter(Boolean).join(zh ? '；' : '; '),
    monitoringInfo: monitoring.join('\n'),
    handlingProcess: handling.join('\n'),
    problemsAndRecommendations: problems.join('\n'),
    commandOpinion: '',
    leaderSignature: '',
  };
  for (const k of CLOSING_FIELDS) {
    const v = opts.edits?.[k];
    if (typeof v === 'string') fields[k] = v;
  }
  return {
    incidentId: incident.id,
    locale,
    fields,
    timeline: incident.timeline.map((t) => ({ time: when(t.occurredAt), source: t.source, text: t.text })),
    hosts: incident.assets.map((a) => ({ ip: a.ip ?? '', hostname: a.hostname ?? '', orgUnit: a.orgUnit ?? '', businessSystem: a.businessSystem ?? '', note: a.note ?? '' })),
  };
}

/** Markdown: the form as a two-column table, then the appendices. */
export function closingReportMarkdown(r: ClosingReport): string {
  const labels = FIELD_LABELS[r.locale];
  const text = FORM_TEXT[r.locale];
  const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  const out = [`# ${text.title}`, '', `${text.incident}: ${r.incidentId}`, '', `| | |`, `|---|---|`];
  for (const k of CLOSING_FIELDS) out.push(`| **${labels[k]}** | ${cell(r.fields[k])} |`);
  out.push('', `## ${text.appendixTimeline}`, '', `| ${text.time} | ${text.source} | ${text.event} |`, '|---|---|---|');
  for (const t of r.timeline) out.push(`| ${cell(t.time)} | ${cell(t.source)} | ${cell(t.text)} |`);
  out.push('', `## ${text.appendixHosts}`, '', `| ${text.ip} | ${text.hostname} | ${text.orgUnit} | ${text.businessSystem} | ${text.note} |`, '|---|---|---|---|---|');
  for (const h of r.hosts) out.push(`| ${cell(h.ip)} | ${cell(h.hostname)} | ${cell(h.orgUnit)} | ${cell(h.businessSystem)} | ${cell(h.note)} |`);
  return out.join('\n') + '\n';
}
