/**
 * The console's words in both languages: every key has zh-CN and en (the type makes a missing
 * translation a build error). zh-CN is the default; the choice is kept in the browser.
 */
import { createContext, useContext } from 'react';

const WORDS = {
  appName: { zh: '闭环', en: 'Bihuan' },
  tagline: { zh: '安全事件闭环管理', en: 'Closed-loop incident response' },
  username: { zh: '用户名', en: 'Username' },
  password: { zh: '密码', en: 'Password' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出', en: 'Sign out' },
  signInFailed: { zh: '登录失败', en: 'Sign-in failed' },
  dashboard: { zh: '态势', en: 'Dashboard' },
  incidents: { zh: '事件', en: 'Incidents' },
  alerts: { zh: '告警', en: 'Alerts' },
  settings: { zh: '设置', en: 'Settings' },
  language: { zh: 'English', en: '中文' },
  openIncidents: { zh: '未关闭事件', en: 'Open incidents' },
  overdue: { zh: '已超时', en: 'Overdue' },
  dueSoon: { zh: '即将到期', en: 'Due soon' },
  byLevel: { zh: '按级别', en: 'By level' },
  byPhase: { zh: '按阶段', en: 'By phase' },
  byBranch: { zh: '按机构', en: 'By branch' },
  warningLevel: { zh: '全网预警', en: 'Warning level' },
  level: { zh: '级别', en: 'Level' },
  levelN: { zh: '{n} 级', en: 'Level {n}' },
  phase: { zh: '阶段', en: 'Phase' },
  type: { zh: '类型', en: 'Type' },
  title: { zh: '标题', en: 'Title' },
  orgUnit: { zh: '机构', en: 'Org unit' },
  owner: { zh: '负责人', en: 'Owner' },
  slaLeft: { zh: 'SLA 剩余', en: 'SLA left' },
  detectedAt: { zh: '发现时间', en: 'Detected' },
  id: { zh: '编号', en: 'ID' },
  keyboardHint: { zh: 'j/k 上下移动，o 打开', en: 'j/k to move, o to open' },
  tasks: { zh: '本阶段检查项', en: 'This phase’s checklist' },
  markDone: { zh: '完成', en: 'Done' },
  nextPhase: { zh: '进入下一阶段', en: 'Next phase' },
  refused: { zh: '无法进入下一阶段', en: 'The move was refused' },
  timeline: { zh: '时间线', en: 'Timeline' },
  hosts: { zh: '受影响主机', en: 'Affected hosts' },
  firstHost: { zh: '首个失陷主机', en: 'First host' },
  spreadShare: { zh: '机构受影响比例', en: 'Share per branch' },
  levelHistory: { zh: '定级记录', en: 'Level history' },
  reports: { zh: '报告', en: 'Reports' },
  exportClosing: { zh: '导出应急处置报告单', en: 'Export closing report' },
  exportIncidentReport: { zh: '导出事件上报表', en: 'Export incident report' },
  recordReportSent: { zh: '登记已上报', en: 'Record report sent' },
  resolution: { zh: '处置结论', en: 'Resolution' },
  conclusion: { zh: '结论', en: 'Conclusion' },
  recommendations: { zh: '建议', en: 'Recommendations' },
  save: { zh: '保存', en: 'Save' },
  closed: { zh: '已关闭', en: 'Closed' },
  none: { zh: '无', en: 'None' },
  loading: { zh: '加载中…', en: 'Loading…' },
  minutes: { zh: '{n} 分钟', en: '{n} min' },
  overdueBy: { zh: '超时 {t}', en: 'overdue by {t}' },
  phase_discovery: { zh: '发现', en: 'Discovery' },
  phase_report: { zh: '上报', en: 'Report' },
  phase_analysis: { zh: '分析', en: 'Analysis' },
  phase_handling: { zh: '处置', en: 'Handling' },
  phase_summary: { zh: '总结', en: 'Summary' },
  phase_closed: { zh: '关闭', en: 'Closed' },
  true_positive: { zh: '真实事件', en: 'True positive' },
  false_positive: { zh: '误报', en: 'False positive' },
  sourceAlerts: { zh: '告警', en: 'alert' },
  live: { zh: '实时', en: 'Live' },
  notFound: { zh: '未找到', en: 'Not found' },
  warning_normal: { zh: '正常', en: 'Normal' },
  warning_elevated: { zh: '关注', en: 'Elevated' },
  warning_high: { zh: '高危', en: 'High' },
  warning_critical: { zh: '紧急', en: 'Critical' },
  unacknowledged: { zh: '未确认机构', en: 'Not acknowledged' },
  alertsPerHour: { zh: '每小时告警（按类别）', en: 'Alerts per hour by category' },
  lastActiveDay: { zh: '（最近有告警的 24 小时）', en: '(the last 24 hours with alerts)' },
  topSources: { zh: '攻击来源 Top 10', en: 'Top attacking sources' },
  mttd: { zh: '平均发现时间 MTTD', en: 'MTTD' },
  mtta: { zh: '平均响应时间 MTTA', en: 'MTTA' },
  mttr: { zh: '平均处置时间 MTTR', en: 'MTTR' },
  lastDays: { zh: '近 {n} 天', en: 'last {n} days' },
  search: { zh: '搜索', en: 'Search' },
  freeText: { zh: '全文', en: 'Free text' },
  addressOrCidr: { zh: 'IP 或网段', en: 'IP or CIDR' },
  rule: { zh: '规则', en: 'Rule' },
  onlyIndicators: { zh: '仅威胁情报命中', en: 'Threat-intelligence hits only' },
  time: { zh: '时间', en: 'Time' },
  category: { zh: '类别', en: 'Category' },
  sourceToDestination: { zh: '源 → 目的', en: 'Source → destination' },
  indicator: { zh: '威胁指标', en: 'Indicator' },
  raw: { zh: '原始记录', en: 'Raw record' },
  triage: { zh: '研判', en: 'Triage' },
  ignored: { zh: '忽略', en: 'Ignore' },
  reason: { zh: '原因', en: 'Reason' },
  suppress: { zh: '抑制同类告警（30 天）', en: 'Suppress this pattern (30 days)' },
  triaged: { zh: '已研判', en: 'Triaged' },
  more: { zh: '更多', en: 'More' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type WordKey = keyof typeof WORDS;
export type Lang = 'zh' | 'en';

export function translate(lang: Lang, key: WordKey, vars: Record<string, string | number> = {}): string {
  let s: string = WORDS[key][lang];
  for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

export const ALL_KEYS = Object.keys(WORDS) as WordKey[];

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({ lang: 'zh', setLang: () => undefined });

export function useT() {
  const { lang } = useContext(LangContext);
  return (key: WordKey, vars?: Record<string, string | number>) => translate(lang, key, vars);
}
