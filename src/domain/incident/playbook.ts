/**
 * Playbooks (处置预案): for each level, the ordered tasks per phase an incident of that level
 * gets. Drawn from the field: the seven-step minimum when no plan exists, the intrusion-analysis
 * checklist, and containment / eradication / recovery. Editable; planning a level change is a
 * pure diff so the record of finished work is never lost.
 */
import { validationError } from '../errors.js';
import { type Level, LEVELS } from '../grading/grading.js';
import { type TaskStatus, type WorkingPhase, WORKING_PHASES, isTaskOpen } from './phase.js';

export interface PlaybookTask {
  /** stable key, unique within a playbook, e.g. `analysis.processes` */
  key: string;
  phase: WorkingPhase;
  title: string;
  titleEn: string;
  mandatory: boolean;
}

export interface Playbook {
  level: Level;
  name: string;
  tasks: PlaybookTask[];
}

export type Playbooks = Record<`${Level}`, Playbook>;

const t = (key: string, phase: WorkingPhase, title: string, titleEn: string, mandatory = true): PlaybookTask => ({
  key,
  phase,
  title,
  titleEn,
  mandatory,
});

/** The seven-step minimum (no emergency plan yet): the spine of every default playbook. */
const MINIMUM = {
  collect: t('discovery.collect', 'discovery', '收集并持续监控相关事件', 'Collect and monitor the related events'),
  confirm: t('discovery.confirm', 'discovery', '初步分析并确认事件（类型、范围、级别）', 'First analysis and confirmation (type, scope, level)'),
  decide: t('discovery.decide', 'discovery', '判断能否独立处置，否则提出支援申请', 'Decide whether the team can handle it alone; otherwise request support'),
  report: t('report.send', 'report', '填写事件上报表，报送指挥组和处置组', 'Fill in the incident report form and send it to the command group and handling team'),
  notify: t('report.contact', 'report', '及时通报联系人', 'Inform the contact person in time'),
  record: t('handling.record', 'handling', '详细记录处置过程', 'Record every handling step in detail'),
  writeReport: t('summary.report', 'summary', '编写应急处置报告单', 'Write the emergency response report'),
  review: t('summary.review', 'summary', '总结复盘并报送指挥组', 'Review the incident and report to the command group'),
};

const ANALYSIS = {
  processes: t('analysis.processes', 'analysis', '排查可疑进程', 'Check processes for anything suspicious'),
  ports: t('analysis.ports', 'analysis', '排查异常端口和网络连接', 'Check open ports and network connections'),
  services: t('analysis.services', 'analysis', '排查服务和计划任务', 'Check services and scheduled tasks'),
  registry: t('analysis.registry', 'analysis', '排查注册表启动项', 'Check registry autostart entries'),
  accounts: t('analysis.accounts', 'analysis', '排查异常账号', 'Check for unknown or changed accounts'),
  logs: t('analysis.logs', 'analysis', '分析安全日志', 'Analyse the security logs'),
  tracePath: t('analysis.trace_path', 'analysis', '攻击溯源：还原攻击路径', 'Trace the attack path'),
  patientZero: t('analysis.first_host', 'analysis', '攻击溯源：确定首个失陷主机', 'Find the first compromised host'),
  source: t('analysis.source', 'analysis', '攻击溯源：确定攻击来源', "Identify the attacker's source"),
};

const HANDLING = {
  block: t('handling.block', 'handling', '遏制：在安全设备上封禁攻击IP/端口/URL', 'Containment: block attacking IPs, ports and URLs on the security devices'),
  tighten: t('handling.tighten', 'handling', '遏制：收紧放行扫描或漏洞利用的策略', 'Containment: tighten the rules that let scans or exploits through', false),
  isolate: t('handling.isolate', 'handling', '遏制：隔离受影响主机', 'Containment: isolate the affected hosts'),
  patch: t('handling.patch', 'handling', '根除：修复被利用的漏洞（系统、应用）', 'Eradication: fix the exploited vulnerabilities (OS, applications)'),
  removeMalware: t('handling.remove_malware', 'handling', '恢复：清除木马和后门', 'Recovery: remove trojans and backdoors'),
  resetAccounts: t('handling.reset_accounts', 'handling', '恢复：重置账号和密码', 'Recovery: reset accounts and passwords'),
  restore: t('handling.restore', 'handling', '恢复：恢复服务端口、重新部署应用', 'Recovery: restore service ports and redeploy applications', false),
};

export const DEFAULT_PLAYBOOKS: Playbooks = {
  '1': {
    level: 1,
    name: '一级事件处置预案（木马、内网攻击）',
    tasks: [
      MINIMUM.collect, MINIMUM.confirm, MINIMUM.decide,
      MINIMUM.report, MINIMUM.notify,
      ...Object.values(ANALYSIS),
      HANDLING.block, HANDLING.isolate, HANDLING.tighten, HANDLING.patch, HANDLING.removeMalware, HANDLING.resetAccounts, HANDLING.restore, MINIMUM.record,
      MINIMUM.writeReport, MINIMUM.review,
    ],
  },
  '2': {
    level: 2,
    name: '二级事件处置预案（高危漏洞利用）',
    tasks: [
      MINIMUM.collect, MINIMUM.confirm, MINIMUM.decide,
      MINIMUM.report, MINIMUM.notify,
      t('analysis.exploit_traces', 'analysis', '检查主机是否留有漏洞利用痕迹', 'Check the hosts for traces of exploitation'),
      ANALYSIS.processes, ANALYSIS.accounts, ANALYSIS.logs, { ...ANALYSIS.source, mandatory: false },
      HANDLING.block, HANDLING.tighten, HANDLING.patch, { ...HANDLING.removeMalware, mandatory: false }, MINIMUM.record,
      MINIMUM.writeReport, MINIMUM.review,
    ],
  },
  '3': {
    level: 3,
    name: '三级事件处置预案（爆破、钓鱼）',
    tasks: [
      MINIMUM.collect, MINIMUM.confirm,
      MINIMUM.report,
      t('analysis.success_check', 'analysis', '确认是否有登录成功或用户点击/回复', 'Check whether any login succeeded or any user clicked or replied'),
      { ...ANALYSIS.logs, mandatory: false },
      HANDLING.block, { ...HANDLING.resetAccounts, mandatory: false }, { ...MINIMUM.record, mandatory: false },
      MINIMUM.writeReport,
    ],
  },
  '4': {
    level: 4,
    name: '四级事件处置预案（扫描）',
    tasks: [
      MINIMUM.confirm,
      { ...MINIMUM.report, mandatory: false },
      t('analysis.exposure', 'analysis', '核查被扫描资产暴露的服务', 'Check which services the scanned assets expose', false),
      { ...HANDLING.block, mandatory: false },
      MINIMUM.writeReport,
    ],
  },
};

const KEY = /^[a-z][a-z0-9_.-]{0,79}$/;

export function validatePlaybook(level: Level, input: { name?: unknown; tasks?: unknown }): Playbook {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 200) throw validationError('name', 'a playbook name of 1–200 characters is required');
  if (!Array.isArray(input.tasks)) throw validationError('tasks', 'must be a list of tasks');
  if (input.tasks.length > 200) throw validationError('tasks', 'at most 200 tasks');
  const keys = new Set<string>();
  const tasks = input.tasks.map((raw: unknown, i: number): PlaybookTask => {
    const task = raw as Record<string, unknown>;
    const at = `tasks/${i}`;
    if (typeof task?.key !== 'string' || !KEY.test(task.key)) throw validationError(`${at}/key`, 'a key of lower-case letters, digits, ".", "_" or "-" is required');
    if (keys.has(task.key)) throw validationError(`${at}/key`, `key "${task.key}" appears twice`);
    keys.add(task.key);
    if (!(WORKING_PHASES as readonly unknown[]).includes(task.phase)) {
      throw validationError(`${at}/phase`, `must be one of ${WORKING_PHASES.join(', ')}`);
    }
    const title = typeof task.title === 'string' ? task.title.trim() : '';
    if (!title || title.length > 300) throw validationError(`${at}/title`, 'a title of 1–300 characters is required');
    const titleEn = typeof task.titleEn === 'string' && task.titleEn.trim() ? task.titleEn.trim().slice(0, 300) : title;
    if (task.mandatory !== undefined && typeof task.mandatory !== 'boolean') throw validationError(`${at}/mandatory`, 'must be true or false');
    return { key: task.key, phase: task.phase as WorkingPhase, title, titleEn, mandatory: task.mandatory !== false };
  });
  return { level, name, tasks };
}

export function validatePlaybooks(input: unknown): Playbooks {
  const obj = input as Record<string, { name?: unknown; tasks?: unknown }> | null;
  if (!obj || typeof obj !== 'object') throw validationError('playbooks', 'must be an object keyed by level 1–4');
  const out = {} as Playbooks;
  for (const l of LEVELS) {
    const pb = obj[`${l}`];
    if (!pb) throw validationError(`playbooks/${l}`, 'missing: every level needs a playbook (it may have no tasks)');
    try {
      out[`${l}`] = validatePlaybook(l, pb);
    } catch (e) {
      if (e instanceof Error && 'details' in e) {
        const d = (e as { details: Array<{ field: string; message: string }> }).details;
        throw validationError(`playbooks/${l}/${d[0]?.field ?? ''}`, d[0]?.message ?? e.message);
      }
      throw e;
    }
  }
  return out;
}

export interface ExistingTask {
  id: number;
  playbookKey: string | null;
  status: TaskStatus;
}

export interface TaskPlan {
  /** playbook tasks the incident does not have yet */
  add: PlaybookTask[];
  /**
   * existing open tasks (by id) to bring in line with the playbook (title, mandatory flag,
   * due); `revive` marks tasks an earlier re-plan cancelled, which become open again
   */
  update: Array<{ id: number; task: PlaybookTask; revive: boolean }>;
  /** open playbook tasks that the new playbook no longer has: cancelled, never deleted */
  cancel: number[];
}

/**
 * What a (re)plan against `playbook` does to the incident's tasks. Manual tasks are never
 * touched; finished playbook tasks are kept as they are.
 */
export function planTasks(playbook: Playbook, existing: readonly ExistingTask[]): TaskPlan {
  const byKey = new Map(existing.filter((e) => e.playbookKey).map((e) => [e.playbookKey as string, e]));
  const wanted = new Set(playbook.tasks.map((task) => task.key));
  const add: PlaybookTask[] = [];
  const update: TaskPlan['update'] = [];
  for (const task of playbook.tasks) {
    const have = byKey.get(task.key);
    if (!have) add.push(task);
    else if (have.status === 'cancelled') update.push({ id: have.id, task, revive: true });
    else if (isTaskOpen(have.status)) update.push({ id: have.id, task, revive: false });
  }
  const cancel = existing
    .filter((e) => e.playbookKey && !wanted.has(e.playbookKey) && isTaskOpen(e.status))
    .map((e) => e.id);
  return { add, update, cancel };
}
