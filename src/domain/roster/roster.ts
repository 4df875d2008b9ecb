/**
 * The response organisation and its duty roster (issue 15, 值班表): the teams a Chinese SOC names
 * (指挥组, 监控组, 分析组, 处置组, 专家组, branch contacts), the duty roles a shift is for, and a
 * roster read from a sheet (CSV or Excel rows: date, start, end, role, name, username, phone,
 * e-mail, org unit — Chinese headers too), each shift placed in the organisation's zone (a night
 * shift ending before it starts ends the next day, so no shift is longer than a day). A row that cannot be read is named with its
 * reason; the rest are kept. Pure.
 */
import { DateTime } from 'luxon';
import validator from 'validator';

export const TEAM_KINDS = ['command', 'monitor', 'analysis', 'handling', 'expert', 'branch_contact'] as const;
export type TeamKind = (typeof TEAM_KINDS)[number];
export const MEMBER_DUTIES = ['leader', 'deputy', 'member'] as const;
export type MemberDuty = (typeof MEMBER_DUTIES)[number];
/** what a shift is for: the duty roles of the response organisation */
export const DUTY_ROLES = ['command', 'monitor', 'analysis', 'handling', 'expert'] as const;
export type DutyRole = (typeof DUTY_ROLES)[number];

export const DUTY_NAMES: Record<DutyRole, { zh: string; en: string }> = {
  command: { zh: '指挥', en: 'Command' },
  monitor: { zh: '监控', en: 'Monitor' },
  analysis: { zh: '分析', en: 'Analysis' },
  handling: { zh: '处置', en: 'Handling' },
  expert: { zh: '专家', en: 'Expert' },
};

export interface ShiftRow {
  orgUnit: string;
  role: DutyRole;
  startsAt: string;
  endsAt: string;
  name: string;
  username: string | null;
  phone: string | null;
  email: string | null;
}

export interface RowProblem {
  row: number;
  field: string;
  reason: string;
  rule: string;
  params?: Record<string, string | number>;
}

const HEADERS: Record<string, keyof RawShift> = {
  date: 'date', 日期: 'date',
  start: 'start', 开始: 'start', 开始时间: 'start', 上班: 'start',
  end: 'end', 结束: 'end', 结束时间: 'end', 下班: 'end',
  role: 'role', 岗位: 'role', 角色: 'role', 值班岗位: 'role',
  name: 'name', 姓名: 'name', 值班人: 'name',
  username: 'username', 用户名: 'username', 账号: 'username',
  phone: 'phone', 电话: 'phone', 手机: 'phone', 联系电话: 'phone',
  email: 'email', 邮箱: 'email', 'e-mail': 'email',
  org_unit: 'orgUnit', orgunit: 'orgUnit', 机构: 'orgUnit', 单位: 'orgUnit',
};
const ROLE_WORDS: Record<string, DutyRole> = { 指挥: 'command', 指挥组: 'command', 总体组: 'command', 监控: 'monitor', 监控组: 'monitor', 分析: 'analysis', 分析组: 'analysis', 处置: 'handling', 处置组: 'handling', 专家: 'expert', 专家组: 'expert' };

interface RawShift {
  date: string;
  start: string;
  end: string;
  role: string;
  name: string;
  username: string;
  phone: string;
  email: string;
  orgUnit: string;
}

/** The header row's cells as the roster's fields (unknown columns ignored), or the first that is missing. */
export function rosterColumns(header: readonly string[]): { columns: Array<keyof RawShift | undefined>; missing?: string } {
  const columns = header.map((h) => HEADERS[h.trim().toLowerCase()] ?? HEADERS[h.trim()]);
  for (const need of ['date', 'start', 'end', 'role', 'name'] as const) if (!columns.includes(need)) return { columns, missing: need };
  return { columns };
}

const DATE = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/;
const TIME = /^(\d{1,2})[:：](\d{2})$/;

/**
 * Shifts from a sheet's rows (the header first). `zone`: the organisation's; `defaultOrgUnit`:
 * for rows that name none; `units`: the org units there are.
 */
export function readRoster(rows: readonly (readonly string[])[], zone: string, defaultOrgUnit: string, units: ReadonlySet<string>): { shifts: ShiftRow[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const shifts: ShiftRow[] = [];
  if (!rows.length) return { shifts, problems: [{ row: 1, field: 'file', reason: 'the sheet is empty', rule: 'emptySheet' }] };
  const { columns, missing } = rosterColumns(rows[0]!);
  if (missing) return { shifts, problems: [{ row: 1, field: missing, reason: `no "${missing}" column (date, start, end, role, name; or 日期, 开始, 结束, 岗位, 姓名)`, rule: 'rosterColumn', params: { column: missing } }] };
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i]!;
    if (cells.every((c) => !String(c ?? '').trim())) continue;
    const raw = {} as RawShift;
    columns.forEach((k, j) => {
      if (k) raw[k] = String(cells[j] ?? '').trim();
    });
    const row = i + 1;
    const bad = (field: string, reason: string, rule: string, params?: Record<string, string | number>) => problems.push({ row, field, reason, rule, ...(params ? { params } : {}) });
    const d = DATE.exec(raw.date ?? '');
    const s = TIME.exec(raw.start ?? '');
    const e = TIME.exec(raw.end ?? '');
    if (!d) { bad('date', `"${raw.date ?? ''}" is not a date (2026-12-01)`, 'shiftDate', { value: (raw.date ?? '').slice(0, 30) }); continue; }
    if (!s) { bad('start', `"${raw.start ?? ''}" is not a time of day (08:00)`, 'clockTime', { value: (raw.start ?? '').slice(0, 30) }); continue; }
    if (!e) { bad('end', `"${raw.end ?? ''}" is not a time of day (20:00)`, 'clockTime', { value: (raw.end ?? '').slice(0, 30) }); continue; }
    const day = { year: Number(d[1]), month: Number(d[2]), day: Number(d[3]) };
    const start = DateTime.fromObject({ ...day, hour: Number(s[1]), minute: Number(s[2]) }, { zone });
    let end = DateTime.fromObject({ ...day, hour: Number(e[1]), minute: Number(e[2]) }, { zone });
    if (!start.isValid || !end.isValid) { bad('date', `"${raw.date} ${raw.start}–${raw.end}" is not a real time`, 'shiftDate', { value: `${raw.date} ${raw.start}`.slice(0, 30) }); continue; }
    // a night shift (20:00–08:00) ends the next day
    if (end <= start) end = end.plus({ days: 1 });
    const role = (DUTY_ROLES as readonly string[]).includes(raw.role?.toLowerCase() ?? '') ? (raw.role.toLowerCase() as DutyRole) : ROLE_WORDS[raw.role ?? ''];
    if (!role) { bad('role', `"${raw.role ?? ''}" is not a duty role (${DUTY_ROLES.join(', ')}; 指挥, 监控, 分析, 处置, 专家)`, 'dutyRole', { value: (raw.role ?? '').slice(0, 30) }); continue; }
    const name = raw.name ?? '';
    if (!name) { bad('name', 'who is on duty is not named', 'shiftName'); continue; }
    const orgUnit = raw.orgUnit || defaultOrgUnit;
    if (!units.has(orgUnit)) { bad('orgUnit', `org unit "${orgUnit}" does not exist`, 'shiftUnit', { code: orgUnit.slice(0, 32) }); continue; }
    const email = raw.email || null;
    if (email && !validator.isEmail(email)) { bad('email', `"${email}" is not an e-mail address`, 'shiftEmail', { value: email.slice(0, 100) }); continue; }
    shifts.push({ orgUnit, role, startsAt: start.toUTC().toISO()!, endsAt: end.toUTC().toISO()!, name: name.slice(0, 100), username: raw.username || null, phone: raw.phone?.slice(0, 50) || null, email });
  }
  return { shifts, problems };
}
