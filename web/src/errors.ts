/**
 * What the server refused, worded in the console's language: by the error's code and reason, and
 * for a field by the rule it broke with that rule's parameters (the server's English message is
 * only the fallback, for a rule the console does not know). Field names a user typed into are
 * named as the forms name them.
 */
import { useContext } from 'react';
import { ApiError } from './api';
import { ALL_KEYS, LangContext, type Lang, translate, type WordKey } from './i18n';

type Words = { zh: string; en: string };

const CODES: Record<string, Words> = {
  unauthenticated: { zh: '未登录或登录已失效，请重新登录', en: 'Not signed in, or the session has expired: sign in again' },
  forbidden: { zh: '当前角色无权执行此操作', en: 'Your role may not do this' },
  not_found: { zh: '要操作的对象不存在（可能已被删除）', en: 'It does not exist (it may have been removed)' },
  conflict: { zh: '当前状态不允许此操作', en: 'Its current state does not allow this' },
  gate_refused: { zh: '阶段门禁未通过', en: 'A phase gate refused the move' },
  payload_too_large: { zh: '内容过大，超过服务器允许的大小', en: 'Too large for the server' },
  rate_limited: { zh: '操作过于频繁，请 {n} 秒后再试', en: 'Too many attempts: try again in {n} s' },
  unavailable: { zh: '服务器繁忙，请 {n} 秒后再试', en: 'The server is busy: try again in {n} s' },
  internal: { zh: '服务器内部错误，请联系管理员查看服务器日志', en: 'Internal server error: the administrator finds the cause in the server log' },
  network: { zh: '无法连接服务器', en: 'Cannot reach the server' },
};

const REASONS: Record<string, Words> = {
  badCredentials: { zh: '用户名或密码错误，或账户已停用、已锁定', en: 'Wrong user name or password, or the account is disabled or locked' },
  totpRequired: { zh: '请输入身份验证器应用中的 6 位动态口令', en: 'Enter the 6-digit code of your authenticator app' },
  totpWrong: { zh: '动态口令错误、已过期或已使用', en: 'The one-time code is wrong, expired or used already' },
  sessionExpired: { zh: '登录已过期，请重新登录', en: 'The session has expired: sign in again' },
  signInRequired: { zh: '请先登录', en: 'Sign in first' },
  tokenInvalid: { zh: 'API 令牌无效、已撤销或已过期', en: 'The API token is unknown, revoked or expired' },
  tooManyAttempts: { zh: '尝试次数过多，请 {n} 秒后再试', en: 'Too many attempts from this address: try again in {n} s' },
  busy: { zh: '服务器繁忙，请 {n} 秒后再试', en: 'The server is busy: try again in {n} s' },
  incidentClosed: { zh: '事件 {id} 已关闭：请先重新打开（回退到处理中的阶段）再修改', en: 'Incident {id} is closed: reopen it (move it back to a working phase) to change it' },
  alreadyGraded: { zh: '事件已是该类型和级别（{level} 级），无需重新定级', en: 'The incident has this type and level (level {level}) already' },
  invalidMove: { zh: '不能从「{from}」阶段移到「{to}」阶段', en: 'Cannot move from the {from} phase to the {to} phase' },
  playbookTaskCancel: { zh: '预案任务不能取消，请填写说明后跳过', en: 'A playbook task is not cancelled: skip it with a note' },
  usernameTaken: { zh: '用户名 {username} 已存在', en: 'A user named {username} exists already' },
  lastAdmin: { zh: '这是最后一个启用的管理员：请先设置另一名管理员', en: 'This is the last active admin: make another admin first' },
  totpSetUp: { zh: '动态口令已设置；如需重置，请联系管理员', en: 'One-time codes are set up already; an admin can reset them' },
  totpNotStarted: { zh: '请先开始设置动态口令', en: 'Start the one-time code set-up first' },
  nameTaken: { zh: '名称「{name}」已存在', en: 'The name “{name}” is taken' },
  warningSame: { zh: '预警级别已是 {level}', en: 'The warning level is {level} already' },
  noWarning: { zh: '当前没有需要确认的预警', en: 'There is no warning to acknowledge' },
  warningAcked: { zh: '{orgUnit} 已确认过本次预警', en: '{orgUnit} acknowledged this warning already' },
  concurrentChange: { zh: '与已有记录或他人同时所做的修改冲突，请刷新后重试', en: 'This conflicts with an existing record or a change made at the same moment: reload and retry' },
  alertsOnIncident: { zh: '所选告警都已在事件 {id} 中', en: 'Every selected alert is on incident {id} already' },
  occurrenceOpen: { zh: '该次工作尚未结束', en: 'This occurrence is not ended' },
  planNotDraft: { zh: '只有草稿版本可以批准（该版本为{status}）', en: 'Only a draft version is approved (this one is {status})' },
  campaignClosed: { zh: '专项行动 {id} 已结束，不能再变更', en: 'Campaign {id} is closed: nothing more can be filed or changed' },
  blockExists: { zh: '{value} 已在封禁列表 {list} 中（#{blockId}）：请续期该条目', en: '{value} is on list {list} already (#{blockId}): renew that entry instead' },
  blockNotPending: { zh: '该封禁不在待审批状态（{status}）', en: 'This block is not waiting for approval ({status})' },
  approveOwnBlock: { zh: '封禁须由另一人审批：这是您本人提出的申请', en: 'A second person approves a block: you asked for this one' },
  blockEnded: { zh: '该封禁已结束（{status}）', en: 'This block has ended already ({status})' },
  internalSource: { zh: '内部地址不在边界封禁：请隔离该主机', en: 'An internal address is not blocked at the edge: isolate the host instead' },
  taskExists: { zh: '已有任务 #{taskId} 在修补该漏洞', en: 'Task #{taskId} patches this finding already' },
  nationalMissing: { zh: '该事件尚未确定国家分级：请先确认', en: 'This incident has no national level yet: confirm it first' },
  blockNotActive: { zh: '只有生效中的封禁可以续期（当前为 {status}），已结束的请重新封禁', en: 'Only a block in force is renewed (this one is {status}): block it again' },
};

/** a roster row that could not be read (an import's row problems, and the refusal when none could) */
const ROSTER_ROWS: Record<string, Words> = {
  shiftDate: { zh: '“{value}”不是日期（如 2026-12-01）', en: '“{value}” is not a date (such as 2026-12-01)' },
  clockTime: { zh: '“{value}”不是时刻（如 08:00）', en: '“{value}” is not a time of day (such as 08:00)' },
  dutyRole: { zh: '“{value}”不是值班岗位（指挥、监控、分析、处置、专家）', en: '“{value}” is not a duty role (command, monitor, analysis, handling, expert)' },
  shiftName: { zh: '未填写值班人姓名', en: 'Who is on duty is not named' },
  shiftUnit: { zh: '机构“{code}”不存在', en: 'No org unit “{code}”' },
  shiftEmail: { zh: '“{value}”不是电子邮件地址', en: '“{value}” is not an e-mail address' },
  emptySheet: { zh: '表格是空的', en: 'The sheet is empty' },
  rosterColumn: { zh: '值班表缺少“{column}”列（日期、开始、结束、岗位、姓名）', en: 'The roster has no “{column}” column (date, start, end, role, name)' },
};

/** a broken rule of one field: {field} and the rule's parameters are filled in */
const RULES: Record<string, Words> = {
  required: { zh: '{field}为必填项', en: '{field} is required' },
  blank: { zh: '{field}不能为空', en: '{field} must not be blank' },
  additionalProperties: { zh: '{field}不是可识别的字段', en: '{field} is not a known field' },
  maxLength: { zh: '{field}最多 {limit} 个字符', en: '{field}: at most {limit} characters' },
  minLength: { zh: '{field}至少 {limit} 个字符', en: '{field}: at least {limit} characters' },
  maxItems: { zh: '{field}最多 {limit} 项', en: '{field}: at most {limit} items' },
  blockTooWide: { zh: '{field}：/{bits} 范围过大，不能封禁 /8 及更大的网段（IPv6 /32）', en: '{field}: a /{bits} is too wide — a range as wide as a /8 (IPv6 /32) is never blocked from here' },
  notBlockable: { zh: '{field}不是可封禁的地址', en: '{field} is not an address that can be blocked' },
  notDomain: { zh: '{field}不是域名', en: '{field} is not a domain name' },
  notUrl: { zh: '{field}不是 http(s) 网址', en: '{field} is not an http(s) URL' },
  notHash: { zh: '{field}不是 MD5、SHA-1 或 SHA-256 十六进制哈希', en: '{field} is not an MD5, SHA-1 or SHA-256 hash in hex' },
  blockTooLong: { zh: '{field}最长为 {days} 天后：到期时再续期', en: '{field}: at most {days} days from now — renew it when the time comes' },
  blockRenewEarlier: { zh: '{field}须晚于当前到期时间 {expiresAt}', en: '{field} must be later than the present expiry {expiresAt}' },
  listName: { zh: '{field}：列表名为 1–40 个小写字母、数字、- 或 _', en: '{field}: a list name is 1–40 lowercase letters, digits, - or _' },
  findingNotOnIncident: { zh: '{field}：该漏洞所在主机 {ip} 不是本事件的受影响主机', en: '{field}: the finding is on {ip}, which is not a host of this incident' },
  nationalCategory: { zh: '{field}：“{category}”不在事件分类表中', en: '{field}: “{category}” is not a category of the table' },
  categoryCode: { zh: '{field}：分类代码为 1–20 个字母、数字、.、_ 或 -', en: '{field}: a code is 1–20 letters, digits, ., _ or -' },
  categoryParent: { zh: '{field}：“{parent}”不是表中的大类', en: '{field}: “{parent}” is not a category of the table' },
  notAllowEntry: { zh: '{field}不是地址、网段或域名', en: '{field} is not an address, a CIDR or a domain' },
  minItems: { zh: '{field}至少 {limit} 项', en: '{field}: at least {limit} items' },
  maximum: { zh: '{field}不能大于 {limit}', en: '{field} may not be more than {limit}' },
  minimum: { zh: '{field}不能小于 {limit}', en: '{field} may not be less than {limit}' },
  enum: { zh: '{field}须为以下之一：{values}', en: '{field} must be one of {values}' },
  type: { zh: '{field}的类型不正确', en: '{field} has the wrong type' },
  format: { zh: '{field}格式不正确', en: '{field} is not well formed' },
  pattern: { zh: '{field}格式不正确', en: '{field} is not well formed' },
  text: { zh: '{field}须为文本', en: '{field} must be text' },
  json: { zh: '请求内容不是有效的 JSON', en: 'The request is not valid JSON' },
  instant: { zh: '{field}不是有效的日期时间', en: '{field} is not a valid date and time' },
  future: { zh: '{field}不能晚于当前时间', en: '{field} may not be in the future' },
  passwordShort: { zh: '密码至少 {limit} 个字符', en: 'The password needs at least {limit} characters' },
  passwordLong: { zh: '密码最多 {limit} 个字符', en: 'The password may have at most {limit} characters' },
  passwordCommon: { zh: '该密码是攻击者最先尝试的常见密码之一，请换一个', en: 'That password is one attackers try first: choose another' },
  passwordRepetitive: { zh: '密码中不同的字符太少，请换一个', en: 'The password repeats too few characters: choose another' },
  passwordName: { zh: '密码不能是用户名或基于用户名', en: 'The password may not be, or be built on, the user name' },
  duplicateName: { zh: '名称「{name}」重复', en: 'The name “{name}” is used twice' },
  unknownAlerts: { zh: '告警 {ids} 不存在', en: 'No alert {ids}' },
  findingMove: { zh: '不能从「{from}」改为「{to}」', en: 'A finding cannot move from {from} to {to}' },
  sameStatus: { zh: '已经是该状态', en: 'It has that status already' },
  otherBranch: { zh: '扫描结果中没有本机构（{branch}）的主机', en: 'None of the scanned hosts is in your branch {branch}' },
  unknownScan: { zh: '无法识别的文件：支持 Nmap XML、OpenVAS/GVM 报告 XML、Nessus .nessus 和基线检查 CSV 模板', en: 'Not a file this product reads: Nmap XML, OpenVAS/GVM report XML, Nessus .nessus or the baseline-check CSV template' },
  notXml: { zh: '不是格式正确的 XML：{detail}', en: 'Not well-formed XML: {detail}' },
  noHosts: { zh: '文件中没有被扫描的主机', en: 'The file names no scanned host' },
  missingColumn: { zh: '基线 CSV 缺少“{column}”列', en: 'The baseline CSV has no “{column}” column' },
  unknownIncident: { zh: '事件 {id} 不存在', en: 'No incident {id}' },
  rrule: { zh: '{field}不是有效的重复规则（RRULE），例如 FREQ=MONTHLY;BYMONTHDAY=1', en: '{field} is not a repeat rule (RRULE) such as FREQ=MONTHLY;BYMONTHDAY=1' },
  rruleTooOften: { zh: '周期工作最频繁为每天一次：FREQ 须为 DAILY、WEEKLY、MONTHLY 或 YEARLY，时刻写在首次时间中', en: 'Work recurs at most daily: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, the time of day goes in the first time' },
  rruleOnly: { zh: '只填写规则本身（FREQ=…），首次时间单独填写', en: 'Give the rule alone (FREQ=…); the first time goes in its own field' },
  localDateTime: { zh: '{field}须为本地日期时间，如 2026-12-01T09:00', en: '{field} must be a local date and time such as 2026-12-01T09:00' },
  unknownUser: { zh: '没有启用的用户「{username}」', en: 'No active user “{username}”' },
  unknownOrgUnit: { zh: '机构「{code}」不存在', en: 'No org unit “{code}”' },
  date: { zh: '{field}须为日期，如 2026-12-01', en: '{field} must be a date such as 2026-12-01' },
  endBeforeStart: { zh: '结束日期早于开始日期', en: 'It ends before it starts' },
  ip: { zh: '{field}不是有效的 IP 地址', en: '{field} is not an IP address' },
  unknownCampaign: { zh: '专项行动 {id} 不存在', en: 'No campaign {id}' },
  notDrill: { zh: '专项行动 {id} 不是演练：只有演练可以开启演练事件', en: 'Campaign {id} is not a drill: only a drill opens exercise incidents' },
  unknownScanId: { zh: '扫描 {id} 不存在', en: 'No scan {id}' },
  notCsv: { zh: '不是有效的 CSV：{detail}', en: 'Not valid CSV: {detail}' },
  quarter: { zh: '{field}须为季度，如 2026Q4', en: '{field} must be a quarter such as 2026Q4' },
  email: { zh: '{field}不是有效的电子邮件地址', en: '{field} is not an e-mail address' },
  notXlsx: { zh: '不是有效的 Excel 工作簿：{detail}', en: 'Not an Excel workbook: {detail}' },
  ...ROSTER_ROWS,
  unknownType: { zh: '“{type}”不是定级表中的事件类型', en: '“{type}” is not an incident type of the grading table' },
  resultOnlyDone: { zh: '只有已完成的工作才有结果', en: 'Only a done occurrence has a result' },
};

/** the fields people type into, as the forms name them (the last part of a field path) */
const FIELDS: Record<string, Words> = {
  title: { zh: '标题', en: 'Title' },
  type: { zh: '类型', en: 'Type' },
  level: { zh: '级别', en: 'Level' },
  levelReason: { zh: '定级原因', en: 'Level reason' },
  reason: { zh: '原因', en: 'Reason' },
  description: { zh: '描述', en: 'Description' },
  value: { zh: '指标值', en: 'Value' },
  ip: { zh: 'IP', en: 'IP' },
  hostname: { zh: '主机名', en: 'Host name' },
  businessSystem: { zh: '业务系统', en: 'Business system' },
  orgUnit: { zh: '机构', en: 'Org unit' },
  note: { zh: '说明', en: 'Note' },
  tags: { zh: '标签', en: 'Tags' },
  password: { zh: '密码', en: 'Password' },
  newPassword: { zh: '新密码', en: 'New password' },
  username: { zh: '用户名', en: 'Username' },
  displayName: { zh: '姓名', en: 'Name' },
  unitName: { zh: '单位名称', en: 'Unit name' },
  conclusion: { zh: '结论', en: 'Conclusion' },
  resolution: { zh: '处置结论', en: 'Resolution' },
  recipients: { zh: '报送对象', en: 'Recipients' },
  text: { zh: '内容', en: 'Text' },
  occurredAt: { zh: '发生时间', en: 'Time' },
  detectedAt: { zh: '发现时间', en: 'Detected' },
  instructions: { zh: '指令内容', en: 'Instructions' },
  internetFacing: { zh: '是否面向互联网', en: 'Internet-facing' },
  criticality: { zh: '重要程度', en: 'Criticality' },
  cidr: { zh: '网段', en: 'CIDR' },
  zone: { zh: '时区', en: 'Time zone' },
  name: { zh: '名称', en: 'Name' },
  code: { zh: '代码', en: 'Code' },
  line: { zh: '整行', en: 'Line' },
  file: { zh: '文件', en: 'File' },
  alerts: { zh: '告警', en: 'Alerts' },
  status: { zh: '状态', en: 'Status' },
  acceptedUntil: { zh: '复核日期', en: 'Look-again date' },
  incidentId: { zh: '事件', en: 'Incident' },
  rrule: { zh: '重复规则', en: 'Repeat rule' },
  start: { zh: '首次时间', en: 'First time' },
  dueDays: { zh: '完成期限（天）', en: 'Days to finish' },
  owner: { zh: '负责人', en: 'Owner' },
  kind: { zh: '类别', en: 'Kind' },
  result: { zh: '结果', en: 'Result' },
  lead: { zh: '负责人', en: 'Lead' },
  startsOn: { zh: '开始日期', en: 'Start date' },
  endsOn: { zh: '结束日期', en: 'End date' },
  scopeOrgUnits: { zh: '范围机构', en: 'Scope org units' },
  scopeAssets: { zh: '范围主机与网段', en: 'Scope hosts and ranges' },
  campaignId: { zh: '专项行动', en: 'Campaign' },
  scanId: { zh: '扫描', en: 'Scan' },
  findings: { zh: '问题', en: 'Findings' },
  quarter: { zh: '季度', en: 'Quarter' },
  members: { zh: '成员', en: 'Members' },
  email: { zh: '邮箱', en: 'E-mail' },
  end: { zh: '结束时间', en: 'End' },
  date: { zh: '日期', en: 'Date' },
  onDuty: { zh: '值班岗位', en: 'On-duty roles' },
  reviewDue: { zh: '复审日期', en: 'Review date' },
  steps: { zh: '响应步骤', en: 'Response steps' },
  contacts: { zh: '联系人', en: 'Contacts' },
  incidentTypes: { zh: '事件类型', en: 'Incident types' },
  levels: { zh: '级别', en: 'Levels' },
};

function fill(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** a field path as a person reads it: `systems/2/name` → 名称（第 3 项） */
export function fieldName(path: string, lang: Lang): string {
  const parts = path.split('/').filter((p) => p && p !== '(root)');
  const last = [...parts].reverse().find((p) => !/^\d+$/.test(p));
  const index = parts.find((p) => /^\d+$/.test(p));
  const name = last ? (FIELDS[last]?.[lang] ?? last) : lang === 'zh' ? '请求' : 'The request';
  if (index === undefined) return name;
  return lang === 'zh' ? `${name}（第 ${Number(index) + 1} 项）` : `${name} (item ${Number(index) + 1})`;
}

interface Problem {
  field?: string;
  message?: string;
  rule?: string;
  params?: Record<string, string | number>;
  line?: number;
}

/** a refusal's parameters as a person reads them: phases and warning levels by their names */
function wordedParams(d: Record<string, unknown>, lang: Lang): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(d)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    // a phase, or a finding's status; a warning level
    const keys = (k === 'from' || k === 'to' ? [`phase_${v}`, `finding_${v}`] : k === 'level' && typeof v === 'string' ? [`warning_${v}`] : []) as WordKey[];
    const key = keys.find((x) => (ALL_KEYS as string[]).includes(x));
    out[k] = key ? translate(lang, key) : v;
  }
  return out;
}

/** One refused request in the console's language. */
export function errorText(e: unknown, lang: Lang): string {
  // a file the console read itself that is not JSON (a network-zone document)
  if (e instanceof SyntaxError) return `${RULES.json![lang]}${lang === 'zh' ? '：' : ': '}${e.message}`;
  if (!(e instanceof ApiError)) return e instanceof TypeError ? CODES.network![lang] : e instanceof Error ? e.message : String(e);
  const code = e.body.code ?? 'internal';
  const details = e.body.details as (Problem[] | { reason?: string; retryAfterSeconds?: number } | undefined);
  if (code === 'validation' && Array.isArray(details) && details.length) {
    const lines = details.slice(0, 5).map((d) => {
      const words = d.rule ? RULES[d.rule] : undefined;
      const where = d.line !== undefined ? (lang === 'zh' ? `第 ${d.line} 行：` : `line ${d.line}: `) : '';
      if (words) return where + fill(words[lang], { field: fieldName(d.field ?? '', lang), ...wordedParams(d.params ?? {}, lang) });
      return `${where}${fieldName(d.field ?? '', lang)}${lang === 'zh' ? '：' : ': '}${d.message ?? ''}`;
    });
    if (details.length > 5) lines.push(lang === 'zh' ? `……另有 ${details.length - 5} 处` : `… ${details.length - 5} more`);
    return lines.join(lang === 'zh' ? '；' : '; ');
  }
  const single = !Array.isArray(details) ? (details as (Record<string, string | number> & { reason?: string; retryAfterSeconds?: number }) | undefined) : undefined;
  const n = single?.retryAfterSeconds ?? 5;
  const reason = single?.reason ? REASONS[single.reason] : undefined;
  if (reason) return fill(reason[lang], { ...wordedParams(single!, lang), n });
  const words = CODES[code];
  if (!words) return e.message;
  // a conflict's own message says what state refused it: kept beside the wording
  return code === 'conflict' && e.body.message ? `${fill(words[lang], { n })}${lang === 'zh' ? '：' : ': '}${e.body.message}` : fill(words[lang], { n });
}

/** why a row of an imported file was not taken (the server's `rule` and `params`) */
const ROW_RULES: Record<string, Words> = {
  ...ROSTER_ROWS,
  notCsv: { zh: '不是有效的 CSV 行：{detail}', en: 'Not a CSV line: {detail}' },
  notIp: { zh: '“{value}”不是 IP 地址', en: '“{value}” is not an IP address' },
  criticality: { zh: '“{value}”不是有效的重要程度（1–4，或 核心/高/中/低）', en: '“{value}” is not a criticality (1–4, or critical/high/medium/low)' },
  duplicateIp: { zh: '{ip} 与第 {row} 行重复，以本行为准', en: '{ip} appears in row {row} too: this later row wins' },
  unknownOrgUnit: { zh: '{ip}：机构“{orgUnit}”不存在（已有：{known}）', en: '{ip}: no org unit “{orgUnit}” (known: {known})' },
};

/** One row an import did not take, in the console's language (the server's English reason for a rule the console does not know). */
export function rowProblemText(p: { reason: string; rule?: string; params?: Record<string, string | number> }, lang: Lang): string {
  const words = p.rule ? ROW_RULES[p.rule] : undefined;
  return words ? fill(words[lang], p.params ?? {}) : p.reason;
}

/** `errorText` in the chosen language. */
export function useErrorText(): (e: unknown) => string {
  const { lang } = useContext(LangContext);
  return (e) => errorText(e, lang);
}
