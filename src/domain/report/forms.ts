/**
 * The forms an incident produces, with exactly the fields of their Chinese originals:
 *  - the incident report form (事件上报表): basic facts, handling suggestion, support needed;
 *  - the support request (技术支援申请单) to outside responders;
 *  - the emergency response report (应急处置报告单), the closing document.
 * Each is pre-filled from the incident — monitoring information from its detection and
 * alerts, the handling process from its timeline and tasks, problems from unfinished tasks and
 * the closure's recommendations — and editable before export. Appendices: the timeline and
 * the affected hosts. Pure: no I/O.
 */
import { DateTime } from 'luxon';

export const REPORT_LOCALES = ['zh-CN', 'en'] as const;
export type ReportLocale = (typeof REPORT_LOCALES)[number];

export const FORM_KINDS = ['incident_report', 'support_request', 'closing', 'regulatory_initial', 'regulatory_followup', 'regulatory_summary'] as const;
/** the reports to the regulator (CAC Measures): the first, each follow-up on a significant development, the summary at closure */
export const REGULATORY_FORMS = ['regulatory_initial', 'regulatory_followup', 'regulatory_summary'] as const;
export type FormKind = (typeof FORM_KINDS)[number];

/** The organisation's own header fields, set once in the settings. */
export interface ReportHeader {
  unitName: string;
  /** who signs as reporter by default, and how to reach them */
  reporter?: string;
  contact?: string;
  /** information systems by name, with their main use */
  systems?: Array<{ name: string; use: string }>;
}

interface FieldSpec {
  key: string;
  zh: string;
  en: string;
  /** a field written in paragraphs: the form gives it room */
  long?: boolean;
  /** left blank for the hand (signatures) */
  hand?: boolean;
}

export interface FormSpec {
  kind: FormKind;
  title: Record<ReportLocale, string>;
  /** the form's name in file names */
  fileLabel: string;
  fields: readonly FieldSpec[];
}

const HEAD: FieldSpec[] = [
  { key: 'unitName', zh: '单位名称', en: 'Unit name' },
  { key: 'reportTime', zh: '报告时间', en: 'Report time' },
  { key: 'reporter', zh: '报告人', en: 'Reporter' },
  { key: 'contact', zh: '联系方式', en: 'Contact' },
];

const REGULATORY_HEAD: FieldSpec[] = [
  ...HEAD,
  { key: 'incidentTitle', zh: '事件名称', en: 'Incident' },
  { key: 'nationalCategory', zh: '事件类型（GB/T 20986-2023）', en: 'Category (GB/T 20986-2023)' },
  { key: 'nationalLevel', zh: '事件级别', en: 'Level' },
  { key: 'occurredAt', zh: '事件发现时间', en: 'Discovered at' },
  { key: 'place', zh: '事件发生地点（单位、信息系统）', en: 'Place (unit, information systems)', long: true },
];

export const FORMS: Record<FormKind, FormSpec> = {
  incident_report: {
    kind: 'incident_report',
    title: { 'zh-CN': '事件上报表', en: 'Incident Report Form' },
    fileLabel: '事件上报表',
    fields: [
      ...HEAD,
      { key: 'incidentTitle', zh: '事件名称', en: 'Incident' },
      { key: 'incidentType', zh: '事件类型', en: 'Incident type' },
      { key: 'incidentLevel', zh: '事件级别', en: 'Level' },
      { key: 'detectedAt', zh: '发现时间', en: 'Detected at' },
      { key: 'affectedAssets', zh: '影响范围（受影响资产）', en: 'Scope (affected assets)', long: true },
      { key: 'symptoms', zh: '事件现象', en: 'Symptoms', long: true },
      { key: 'handlingSuggestion', zh: '处置建议', en: 'Handling suggestion', long: true },
      { key: 'supportNeeded', zh: '需要的支持', en: 'Support needed', long: true },
      { key: 'recipients', zh: '报送对象', en: 'Sent to' },
    ],
  },
  support_request: {
    kind: 'support_request',
    title: { 'zh-CN': '技术支援申请单', en: 'Support Request' },
    fileLabel: '技术支援申请单',
    fields: [
      ...HEAD,
      { key: 'symptoms', zh: '事件现象', en: 'Symptoms', long: true },
      { key: 'incidentType', zh: '事件类型', en: 'Incident type' },
      { key: 'occurredAt', zh: '发生时间', en: 'Time of occurrence' },
      { key: 'affectedTargets', zh: '影响目标（业务系统、主机）', en: 'Affected targets (systems, hosts)', long: true },
      { key: 'attackResult', zh: '攻击结果（已获权限、有形及无形损失、被窃取/破坏/篡改的数据）', en: 'Attack result (privileges gained, losses, data stolen, destroyed or altered)', long: true },
      { key: 'supportNeeded', zh: '支援需求（遏制、排查、溯源）', en: 'Support needed (containment, investigation, tracing)', long: true },
      { key: 'supportMode', zh: '支援方式（远程/现场）', en: 'Mode (remote / on site)' },
      { key: 'logsCollected', zh: '已收集日志', en: 'Logs collected', long: true },
      { key: 'accessNeeded', zh: '所需访问权限', en: 'Access needed', long: true },
      { key: 'contacts', zh: '联系人（客户联系人、系统/主机管理员）', en: 'Contacts (customer, system / host administrators)', long: true },
    ],
  },
  closing: {
    kind: 'closing',
    title: { 'zh-CN': '应急处置报告单', en: 'Emergency Response Report' },
    fileLabel: '应急处置报告单',
    fields: [
      ...HEAD,
      { key: 'systemName', zh: '信息系统名称', en: 'Information system' },
      { key: 'systemUse', zh: '主要用途', en: 'Main use' },
      { key: 'monitoringInfo', zh: '监控团队上报信息', en: 'Reported by the monitoring team', long: true },
      { key: 'handlingProcess', zh: '主要处理过程及结果', en: 'Main handling process and result', long: true },
      { key: 'problemsAndRecommendations', zh: '存在问题及建议', en: 'Problems and recommendations', long: true },
      { key: 'commandOpinion', zh: '总体组处理意见', en: "Command group's opinion", long: true },
      { key: 'leaderSignature', zh: '总体组组长签字', en: "Command group leader's signature", hand: true },
    ],
  },
  regulatory_initial: {
    kind: 'regulatory_initial',
    title: { 'zh-CN': '网络安全事件报告', en: 'Cybersecurity Incident Report' },
    fileLabel: '网络安全事件报告',
    fields: [
      ...REGULATORY_HEAD,
      { key: 'impact', zh: '影响和危害', en: 'Impact and harm', long: true },
      { key: 'measures', zh: '已采取的措施及效果', en: 'Measures taken and their effect', long: true },
      { key: 'furtherMeasures', zh: '拟进一步采取的措施', en: 'Further measures planned', long: true },
      { key: 'supportRequested', zh: '需要支持协助的事项', en: 'Support requested', long: true },
      { key: 'scenePreservation', zh: '现场保护情况', en: 'Preservation of the scene', long: true },
      { key: 'reportedTo', zh: '报告对象', en: 'Reported to' },
    ],
  },
  regulatory_followup: {
    kind: 'regulatory_followup',
    title: { 'zh-CN': '网络安全事件续报', en: 'Cybersecurity Incident Follow-up Report' },
    fileLabel: '网络安全事件续报',
    fields: [
      ...REGULATORY_HEAD,
      { key: 'developments', zh: '事件进展（重大变化）', en: 'Developments (significant changes)', long: true },
      { key: 'measures', zh: '已采取的措施及效果', en: 'Measures taken and their effect', long: true },
      { key: 'furtherMeasures', zh: '拟进一步采取的措施', en: 'Further measures planned', long: true },
      { key: 'supportRequested', zh: '需要支持协助的事项', en: 'Support requested', long: true },
      { key: 'reportedTo', zh: '报告对象', en: 'Reported to' },
    ],
  },
  regulatory_summary: {
    kind: 'regulatory_summary',
    title: { 'zh-CN': '网络安全事件总结报告', en: 'Cybersecurity Incident Summary Report' },
    fileLabel: '网络安全事件总结报告',
    fields: [
      ...REGULATORY_HEAD,
      { key: 'cause', zh: '事件原因', en: 'Cause', long: true },
      { key: 'measures', zh: '应急处置措施', en: 'Response measures', long: true },
      { key: 'rectification', zh: '整改情况', en: 'Rectification', long: true },
      { key: 'accountability', zh: '责任追究情况', en: 'Accountability', long: true },
      { key: 'reportedTo', zh: '报告对象', en: 'Reported to' },
    ],
  },
};

export const FORM_TEXT: Record<ReportLocale, { incident: string; appendixTimeline: string; appendixHosts: string; time: string; source: string; event: string; ip: string; hostname: string; orgUnit: string; businessSystem: string; note: string; date: string }> = {
  'zh-CN': {
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

/** What a draft is made from: the incident as the API shows it (only the parts used). */
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
  evidence?: Array<{ filename: string; note: string | null }>;
  /** an exercise (演练): the form says so in its title */
  exercise?: boolean;
}

export interface FormReport {
  form: FormKind;
  incidentId: string;
  exercise?: boolean;
  locale: ReportLocale;
  fields: Record<string, string>;
  timeline: Array<{ time: string; source: string; text: string }>;
  hosts: Array<{ ip: string; hostname: string; orgUnit: string; businessSystem: string; note: string }>;
}

/** Why an edit is refused: the field is not on the form, or is not text. */
export function checkEdits(kind: FormKind, edits: Record<string, unknown> | undefined, maxLength: number): Array<{ field: string; message: string }> {
  const keys = new Set(FORMS[kind].fields.map((f) => f.key));
  const problems: Array<{ field: string; message: string }> = [];
  for (const [k, v] of Object.entries(edits ?? {})) {
    if (!keys.has(k)) problems.push({ field: `fields/${k}`, message: `is not a field of the ${kind} form (fields: ${[...keys].join(', ')})` });
    else if (typeof v !== 'string') problems.push({ field: `fields/${k}`, message: 'must be text' });
    else if (v.length > maxLength) problems.push({ field: `fields/${k}`, message: `is ${v.length} characters, over the limit of ${maxLength}` });
  }
  return problems;
}

const RESOLUTION: Record<ReportLocale, Record<string, string>> = {
  'zh-CN': { true_positive: '确认为真实安全事件', false_positive: '误报', duplicate: '重复事件', drill: '演练' },
  en: { true_positive: 'confirmed security incident', false_positive: 'false positive', duplicate: 'duplicate', drill: 'drill' },
};

/** Local time to the minute, as the forms want it. */
export function formTime(iso: string, zone: string, locale: ReportLocale): string {
  const t = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  return locale === 'zh-CN' ? t.toFormat("yyyy'年'MM'月'dd'日' HH:mm") : t.toFormat('yyyy-MM-dd HH:mm');
}

/** The zone a form's times are in, named: `Asia/Shanghai (UTC+08:00)` (its offset at that time). */
export function zoneLabel(iso: string, zone: string, locale: ReportLocale): string {
  const t = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  return locale === 'zh-CN' ? `${zone}，UTC${t.toFormat('ZZ')}` : `${zone}, UTC${t.toFormat('ZZ')}`;
}

const MAX_LINES = 40;

export interface DraftOptions {
  header: ReportHeader;
  locale: ReportLocale;
  zone: string;
  now: string;
  reporter?: string;
  /** how to reach the reporter (the roster's), before the header's */
  contact?: string;
  /** the unit's contacts from the response organisation (name, position, phone) */
  contacts?: string[];
  edits?: Record<string, string>;
  /** the national grading and whom the operator reports to (the regulatory forms) */
  national?: { level: number; roman: string; levelName: { zh: string; en: string }; category: string; categoryName: { zh: string; en: string }; reportTo: { zh: string; en: string } };
}

/** Pre-fills a form from the incident; `edits` (a person's corrections) win over every pre-filled field. */
export function draftForm(kind: FormKind, incident: ReportIncident, opts: DraftOptions): FormReport {
  const { header, locale, zone } = opts;
  const zh = locale === 'zh-CN';
  const when = (iso: string) => formTime(iso, zone, locale);
  // a zero-width space after each 、 lets a line break between addresses, never inside one
  const list = (xs: string[]) => xs.join(zh ? '、\u200b' : ', ');
  const typeName = zh ? incident.typeName.zh : incident.typeName.en;
  const systems = [...new Set(incident.assets.map((a) => a.businessSystem).filter((s): s is string => !!s))];
  const known = new Map((header.systems ?? []).map((s) => [s.name, s.use]));
  const hostList = incident.assets.map((a) => a.ip ?? a.hostname).filter((h): h is string => !!h);
  const indicators = incident.observables.filter((o) => o.type !== 'ip' || (o.note ?? '').includes('intelligence')).map((o) => o.value);
  const attackers = incident.observables.filter((o) => o.type === 'ip' && (o.note ?? '').includes('attacking')).map((o) => o.value);
  const alerts = incident.timeline.filter((t) => t.kind === 'alert');
  const actions = incident.timeline.filter((t) => t.kind !== 'alert');
  const lines = (entries: typeof alerts, more: (n: number) => string) => [
    ...entries.slice(0, MAX_LINES).map((a) => `${when(a.occurredAt)} ${a.text}`),
    entries.length > MAX_LINES ? more(entries.length - MAX_LINES) : '',
  ];
  const hostsText = hostList.length
    ? zh
      ? `受影响主机 ${hostList.length} 台：${list(hostList.slice(0, 50))}${hostList.length > 50 ? ' 等' : ''}。`
      : `${hostList.length} affected host(s): ${list(hostList.slice(0, 50))}${hostList.length > 50 ? ', …' : ''}.`
    : '';
  const systemsText = systems.length ? (zh ? `涉及业务系统：${list(systems)}。` : `Business systems: ${list(systems)}.`) : '';
  const indicatorText = indicators.length ? (zh ? `威胁指标：${list(indicators)}。` : `Indicators: ${list(indicators)}.`) : '';
  const attackerText = attackers.length ? (zh ? `攻击来源：${list(attackers)}。` : `Attacking sources: ${list(attackers)}.`) : '';
  const alertLines = lines(alerts, (n) => (zh ? `（另有 ${n} 条告警，见附录一）` : `(${n} more alerts: see appendix 1)`));
  const detected = zh
    ? `${when(incident.detectedAt)} 监控发现${typeName}（${incident.level} 级），事件编号 ${incident.id}：${incident.title}。`
    : `${when(incident.detectedAt)}: the monitoring team detected ${typeName} (level ${incident.level}), incident ${incident.id}: ${incident.title}.`;
  const tasksOf = (phase: string) => incident.tasks.filter((t) => t.phase === phase && t.status !== 'cancelled').map((t) => (zh ? t.title : (t.titleEn ?? t.title)));
  const unfinished = incident.tasks.filter((t) => t.status === 'open' || t.status === 'in_progress' || t.status === 'skipped');
  const done = incident.tasks.filter((t) => t.status === 'done');
  const resolution = incident.closure.resolution ? (RESOLUTION[locale][incident.closure.resolution] ?? incident.closure.resolution) : undefined;
  const join = (xs: string[]) => xs.filter(Boolean).join('\n');

  // the form's own times name the zone every time on it is in
  const zoned = (iso: string) => `${when(iso)}${zh ? `（${zoneLabel(iso, zone, locale)}）` : ` (${zoneLabel(iso, zone, locale)})`}`;
  const head: Record<string, string> = {
    unitName: header.unitName,
    reportTime: zoned(opts.now),
    reporter: opts.reporter ?? header.reporter ?? incident.owner ?? '',
    contact: opts.contact ?? header.contact ?? '',
  };
  let fields: Record<string, string>;
  if (kind === 'incident_report') {
    fields = {
      ...head,
      incidentTitle: `${incident.id} ${incident.title}`,
      incidentType: typeName,
      incidentLevel: zh ? `${incident.level} 级` : `level ${incident.level}`,
      detectedAt: zoned(incident.detectedAt),
      affectedAssets: join([hostsText, systemsText]),
      symptoms: join([incident.description, indicatorText, attackerText, ...alertLines]),
      handlingSuggestion: join([...tasksOf('analysis'), ...tasksOf('handling')].map((t, i) => `${i + 1}. ${t}`)),
      supportNeeded: '',
      recipients: zh ? '指挥组、处置组' : 'command group, handling team',
    };
  } else if (kind === 'support_request') {
    const logs = (incident.evidence ?? []).map((e) => `${e.filename}${e.note ? `（${e.note}）` : ''}`);
    fields = {
      ...head,
      symptoms: join([incident.description, indicatorText, attackerText, ...alertLines.slice(0, 10)]),
      incidentType: typeName,
      occurredAt: when(incident.detectedAt),
      affectedTargets: join([systemsText, hostsText]),
      attackResult: '',
      supportNeeded: '',
      supportMode: '',
      logsCollected: logs.length ? join(logs) : '',
      // credentials are never written into a form: they go over a secure channel
      accessNeeded: zh ? '（登录凭据通过安全渠道另行提供，不写入本表）' : '(credentials are handed over separately through a secure channel, never on this form)',
      contacts: opts.contacts?.length ? [[head.reporter, head.contact].filter(Boolean).join(' '), ...opts.contacts].filter(Boolean).join('\n') : [header.reporter, header.contact].filter(Boolean).join(zh ? '，' : ', '),
    };
  } else if (kind === 'regulatory_initial' || kind === 'regulatory_followup' || kind === 'regulatory_summary') {
    const n = opts.national;
    const blocksDone = actions.filter((a) => a.kind === 'block_added').map((a) => a.text);
    const common: Record<string, string> = {
      ...head,
      incidentTitle: `${incident.id} ${incident.title}`,
      nationalCategory: n ? `${n.category} ${zh ? n.categoryName.zh : n.categoryName.en}` : '',
      nationalLevel: n ? (zh ? `${n.roman} 级（${n.levelName.zh}）` : `${n.roman} (${n.levelName.en})`) : '',
      occurredAt: zoned(incident.detectedAt),
      place: join([header.unitName, systemsText, hostsText]),
      reportedTo: n ? (zh ? n.reportTo.zh : n.reportTo.en) : '',
    };
    const measures = join([...done.map((t) => `${zh ? t.title : (t.titleEn ?? t.title)}`), ...blocksDone].map((x, i) => `${i + 1}. ${x}`));
    const planned = join(incident.tasks.filter((t) => t.status === 'open' || t.status === 'in_progress').map((t, i) => `${i + 1}. ${zh ? t.title : (t.titleEn ?? t.title)}`));
    if (kind === 'regulatory_initial') {
      fields = {
        ...common,
        impact: join([incident.description, hostsText, systemsText, indicatorText, attackerText]),
        measures,
        furtherMeasures: planned,
        supportRequested: '',
        scenePreservation: (incident.evidence ?? []).length ? (zh ? `已保全证据 ${(incident.evidence ?? []).length} 份：${list((incident.evidence ?? []).map((e) => e.filename))}` : `${(incident.evidence ?? []).length} piece(s) of evidence preserved: ${list((incident.evidence ?? []).map((e) => e.filename))}`) : '',
      };
    } else if (kind === 'regulatory_followup') {
      fields = { ...common, developments: join(lines(actions.slice(-MAX_LINES), () => '')), measures, furtherMeasures: planned, supportRequested: '' };
    } else {
      fields = {
        ...common,
        cause: join([incident.closure.conclusion ?? '', attackerText]),
        measures,
        rectification: join([incident.closure.recommendations ?? '', ...unfinished.map((t) => (zh ? `未完成：${t.title}` : `Not done: ${t.titleEn ?? t.title}`))]),
        accountability: '',
      };
    }
  } else {
    fields = {
      ...head,
      systemName: list(systems),
      systemUse: systems.map((s) => known.get(s)).filter(Boolean).join(zh ? '；' : '; '),
      monitoringInfo: join([detected, hostsText, indicatorText, attackerText, ...alertLines]),
      handlingProcess: join([
        ...lines(actions, (n) => (zh ? `（另有 ${n} 条记录，见附录一）` : `(${n} more entries: see appendix 1)`)),
        done.length ? (zh ? `已完成处置任务：${done.map((t) => t.title).join('；')}。` : `Tasks done: ${done.map((t) => t.titleEn ?? t.title).join('; ')}.`) : '',
        resolution || incident.closure.conclusion
          ? zh
            ? `处置结果：${[resolution, incident.closure.conclusion].filter(Boolean).join('。')}`
            : `Result: ${[resolution, incident.closure.conclusion].filter(Boolean).join('. ')}`
          : '',
      ]),
      problemsAndRecommendations: join([
        ...unfinished.map((t) =>
          zh ? `未完成任务：${t.title}${t.status === 'skipped' ? '（已跳过）' : ''}${t.note ? `：${t.note}` : ''}` : `Not done: ${t.titleEn ?? t.title}${t.status === 'skipped' ? ' (skipped)' : ''}${t.note ? `: ${t.note}` : ''}`,
        ),
        incident.closure.recommendations ? (zh ? `建议：${incident.closure.recommendations}` : `Recommendations: ${incident.closure.recommendations}`) : '',
      ]),
      commandOpinion: '',
      leaderSignature: '',
    };
  }
  for (const [k, v] of Object.entries(opts.edits ?? {})) if (k in fields) fields[k] = v;
  return {
    form: kind,
    incidentId: incident.id,
    ...(incident.exercise ? { exercise: true } : {}),
    locale,
    fields,
    timeline: incident.timeline.map((t) => ({ time: when(t.occurredAt), source: SOURCE_WORDS[t.source]?.[zh ? 0 : 1] ?? t.source, text: t.text })),
    hosts: incident.assets.map((a) => ({ ip: a.ip ?? '', hostname: a.hostname ?? '', orgUnit: a.orgUnit ?? '', businessSystem: a.businessSystem ?? '', note: noteIn(a.note ?? '', zh) })),
  };
}

/** who wrote a timeline entry, as the appendix names it [zh, en]; a device or source a person typed stays as typed */
const SOURCE_WORDS: Record<string, [string, string]> = { system: ['系统', 'System'], manual: ['人工记录', 'Recorded by hand'], detection: ['自动检测', 'Detection'] };

/** the product's own two-language host notes ("失陷主机 compromised") in the form's language; a person's note as written */
const BILINGUAL_NOTES: Record<string, [string, string]> = { '失陷主机 compromised': ['失陷主机', 'compromised'], '受攻击主机 targeted': ['受攻击主机', 'targeted'], '告警涉及主机 in the alerts': ['告警涉及主机', 'in the alerts'] };
function noteIn(note: string, zh: boolean): string {
  const words = BILINGUAL_NOTES[note];
  return words ? words[zh ? 0 : 1] : note;
}

/** The form's title in its language, marked 演练 / Exercise for an exercise incident. */
export function formTitle(r: Pick<FormReport, 'form' | 'locale' | 'exercise'>): string {
  const title = FORMS[r.form].title[r.locale];
  return r.exercise ? (r.locale === 'zh-CN' ? `${title}（演练）` : `${title} (Exercise)`) : title;
}

/** Markdown: the form as a two-column table, then the appendices. */
export function formMarkdown(r: FormReport): string {
  const spec = FORMS[r.form];
  const text = FORM_TEXT[r.locale];
  const zh = r.locale === 'zh-CN';
  const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  const out = [`# ${formTitle(r)}`, '', `${text.incident}: ${r.incidentId}`, '', `| | |`, `|---|---|`];
  for (const f of spec.fields) out.push(`| **${zh ? f.zh : f.en}** | ${cell(r.fields[f.key] ?? '')} |`);
  out.push('', `## ${text.appendixTimeline}`, '', `| ${text.time} | ${text.source} | ${text.event} |`, '|---|---|---|');
  for (const t of r.timeline) out.push(`| ${cell(t.time)} | ${cell(t.source)} | ${cell(t.text)} |`);
  out.push('', `## ${text.appendixHosts}`, '', `| ${text.ip} | ${text.hostname} | ${text.orgUnit} | ${text.businessSystem} | ${text.note} |`, '|---|---|---|---|---|');
  for (const h of r.hosts) out.push(`| ${cell(h.ip)} | ${cell(h.hostname)} | ${cell(h.orgUnit)} | ${cell(h.businessSystem)} | ${cell(h.note)} |`);
  return out.join('\n') + '\n';
}
