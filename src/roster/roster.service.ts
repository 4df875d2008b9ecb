/**
 * The response organisation and its duty roster (issue 15): teams with their members, edited per
 * org unit; duty shifts imported from a sheet (CSV or Excel, read by csv-parse and exceljs) and
 * exported the same way, handed over with a note; who is on duty now — for the console's header,
 * for notification rules that address "the monitor on duty", and for the forms' reporter and
 * contacts.
 */
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import validator from 'validator';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { type DutyRole, MEMBER_DUTIES, type MemberDuty, type RowProblem, TEAM_KINDS, type TeamKind, readRoster } from '../domain/roster/roster.js';
import { decodeFileText } from '../domain/text.js';
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import type { DB, DutyShiftTable } from '../store/schema.js';
import type { Selectable } from 'kysely';

export interface MemberInput {
  name: string;
  username?: string | null;
  duty: MemberDuty;
  position?: string | null;
  phone?: string | null;
  email?: string | null;
  im?: string | null;
}

export interface TeamInput {
  name: string;
  kind: TeamKind;
  orgUnit: string;
  description?: string | null;
  members: MemberInput[];
}

export interface Shift {
  id: number;
  orgUnit: string;
  role: DutyRole;
  startsAt: string;
  endsAt: string;
  name: string;
  username: string | null;
  phone: string | null;
  email: string | null;
  handoverNote: string | null;
  handedOverAt: string | null;
  handedOverBy: string | null;
}

/** the most shifts one import files */
const MAX_IMPORT = 5000;
const SHEET_HEADER = ['日期', '开始', '结束', '岗位', '姓名', '用户名', '电话', '邮箱', '机构'];
const ROLE_ZH: Record<DutyRole, string> = { command: '指挥', monitor: '监控', analysis: '分析', handling: '处置', expert: '专家' };

function presentShift(r: Selectable<DutyShiftTable>): Shift {
  return { id: Number(r.id), orgUnit: r.org_unit, role: r.role as DutyRole, startsAt: r.starts_at, endsAt: r.ends_at, name: r.name, username: r.username, phone: r.phone, email: r.email, handoverNote: r.handover_note, handedOverAt: r.handed_over_at, handedOverBy: r.handed_over_by };
}

/** An Excel cell as the text a person sees: dates as 2026-12-01, times of day as 08:00. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    // Excel keeps dates and times as "floating" instants: read in UTC; a time alone lies on 1899-12-30
    const d = DateTime.fromJSDate(v, { zone: 'utc' });
    return d.year < 1900 ? d.toFormat('HH:mm') : d.hour || d.minute ? d.toFormat('yyyy-MM-dd HH:mm') : d.toFormat('yyyy-MM-dd');
  }
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    return '';
  }
  return String(v);
}

export class RosterService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date,
    private readonly zones: OrgTimeZone,
  ) {}

  // ------------------------------------------------------------ teams

  async teams(orgUnit?: string) {
    let q = this.db.selectFrom('teams').selectAll().orderBy('org_unit').orderBy('id');
    if (orgUnit) q = q.where('org_unit', '=', orgUnit);
    const teams = await q.execute();
    const members = teams.length ? await this.db.selectFrom('team_members').selectAll().where('team_id', 'in', teams.map((t) => t.id)).orderBy('id').execute() : [];
    return teams.map((t) => ({
      id: Number(t.id),
      name: t.name,
      kind: t.kind as TeamKind,
      orgUnit: t.org_unit,
      description: t.description,
      members: members.filter((m) => Number(m.team_id) === Number(t.id)).map((m) => ({ name: m.name, username: m.username, duty: m.duty as MemberDuty, position: m.position, phone: m.phone, email: m.email, im: m.im })),
      updatedAt: t.updated_at,
    }));
  }

  /** A team and its members (the members given replace those there were). */
  async saveTeam(actor: Actor, id: number | undefined, input: TeamInput) {
    requirePermission(actor, 'roster.manage', 'edit the response organisation');
    const name = input.name.trim();
    if (!name) throw validationError('name', 'is required', 'blank');
    if (!(TEAM_KINDS as readonly string[]).includes(input.kind)) throw validationError('kind', `must be one of ${TEAM_KINDS.join(', ')}`, 'enum', { values: TEAM_KINDS.join(', ') });
    const members = input.members.map((m, i) => {
      const member = m.name.trim();
      if (!member) throw validationError(`members/${i}/name`, 'is required', 'blank');
      if (!(MEMBER_DUTIES as readonly string[]).includes(m.duty)) throw validationError(`members/${i}/duty`, `must be one of ${MEMBER_DUTIES.join(', ')}`, 'enum', { values: MEMBER_DUTIES.join(', ') });
      const email = m.email?.trim() || null;
      if (email && !validator.isEmail(email)) throw validationError(`members/${i}/email`, `"${email.slice(0, 100)}" is not an e-mail address`, 'email');
      return { name: member.slice(0, 100), username: m.username?.trim() || null, duty: m.duty, position: m.position?.trim().slice(0, 100) || null, phone: m.phone?.trim().slice(0, 50) || null, email, im: m.im?.trim().slice(0, 100) || null };
    });
    const at = this.now().toISOString();
    const teamId = await this.db.transaction().execute(async (trx) => {
      if (!(await trx.selectFrom('org_units').select('code').where('code', '=', input.orgUnit).executeTakeFirst())) throw validationError('orgUnit', `org unit "${input.orgUnit.slice(0, 32)}" does not exist`, 'unknownOrgUnit', { code: input.orgUnit.slice(0, 32) });
      const values = { name: name.slice(0, 100), kind: input.kind, org_unit: input.orgUnit, description: input.description?.trim().slice(0, 2000) || null, updated_at: at };
      let tid: number;
      if (id === undefined) tid = Number((await trx.insertInto('teams').values({ ...values, created_at: at }).returning('id').executeTakeFirstOrThrow()).id);
      else {
        const r = await trx.updateTable('teams').set(values).where('id', '=', id).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound('team', id);
        await trx.deleteFrom('team_members').where('team_id', '=', id).execute();
        tid = id;
      }
      if (members.length) await trx.insertInto('team_members').values(members.map((m) => ({ ...m, team_id: tid }))).execute();
      await writeAudit(trx, { actor, action: id === undefined ? 'team.create' : 'team.update', entityType: 'team', entityId: String(tid), after: { ...values, members: members.length }, at });
      return tid;
    });
    return (await this.teams()).find((t) => t.id === teamId)!;
  }

  async deleteTeam(actor: Actor, id: number) {
    requirePermission(actor, 'roster.manage', 'edit the response organisation');
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('teams').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound('team', id);
      await writeAudit(trx, { actor, action: 'team.delete', entityType: 'team', entityId: String(id), at: this.now().toISOString() });
    });
  }

  // ------------------------------------------------------------ the roster

  async shifts(q: { from: string; to: string; orgUnit?: string }): Promise<Shift[]> {
    let query = this.db.selectFrom('duty_shifts').selectAll().where('ends_at', '>', q.from).where('starts_at', '<', q.to).orderBy('starts_at').orderBy('role').limit(5000);
    if (q.orgUnit) query = query.where('org_unit', '=', q.orgUnit);
    return (await query.execute()).map(presentShift);
  }

  /** Who is on duty at `at` (now): per org unit and role, the shifts that cover it. */
  async onDuty(orgUnit?: string, at = this.now()): Promise<Shift[]> {
    const t = at.toISOString();
    let query = this.db.selectFrom('duty_shifts').selectAll().where('starts_at', '<=', t).where('ends_at', '>', t).orderBy('org_unit').orderBy('role').orderBy('starts_at');
    if (orgUnit) query = query.where('org_unit', '=', orgUnit);
    return (await query.execute()).map(presentShift);
  }

  /** The e-mail addresses of whoever is on duty now in `roles` for `orgUnit` — headquarters' when the unit has nobody on duty. */
  async onDutyEmails(db: Kysely<DB>, roles: readonly string[], orgUnit: string, at: string): Promise<string[]> {
    const rows = await db.selectFrom('duty_shifts').select(['org_unit', 'email']).where('role', 'in', [...roles]).where('starts_at', '<=', at).where('ends_at', '>', at).where('email', 'is not', null).execute();
    const own = rows.filter((r) => r.org_unit === orgUnit);
    return [...new Set((own.length ? own : rows.filter((r) => r.org_unit === 'HQ')).map((r) => r.email!))];
  }

  /** A sheet of shifts (CSV in UTF-8 or GBK, or an Excel .xlsx) filed: the rows read are kept, those that are not are named. A shift filed before is not filed twice. */
  async importShifts(actor: Actor, content: Buffer, opts: { orgUnit?: string; branch?: string } = {}): Promise<{ imported: number; unchanged: number; problems: RowProblem[] }> {
    requirePermission(actor, 'roster.manage', 'import the duty roster');
    const rows = await this.sheetRows(content);
    await this.zones.refresh(this.db);
    const units = new Set((await this.db.selectFrom('org_units').select('code').execute()).map((u) => u.code));
    const { shifts, problems } = readRoster(rows, this.zones.zone, opts.branch ?? opts.orgUnit ?? 'HQ', units);
    const mine = opts.branch ? shifts.filter((s) => s.orgUnit === opts.branch) : shifts;
    if (opts.branch) for (const s of shifts.filter((x) => x.orgUnit !== opts.branch)) problems.push({ row: 0, field: 'orgUnit', reason: `${s.name} (${s.orgUnit}): not your branch ${opts.branch}, left out`, rule: 'otherBranch', params: { branch: opts.branch } });
    if (mine.length > MAX_IMPORT) throw validationError('file', `at most ${MAX_IMPORT} shifts per import`, 'maxItems', { limit: MAX_IMPORT });
    if (!mine.length && problems.length) throw new DomainError('validation', `no shift could be read: ${problems[0]!.reason}`, problems.slice(0, 100).map((p) => ({ field: p.field, message: `row ${p.row}: ${p.reason}`, rule: p.rule, params: p.params, line: p.row })));
    const at = this.now().toISOString();
    let imported = 0;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < mine.length; i += 200) {
        const r = await trx
          .insertInto('duty_shifts')
          .values(mine.slice(i, i + 200).map((s) => ({ org_unit: s.orgUnit, role: s.role, starts_at: s.startsAt, ends_at: s.endsAt, name: s.name, username: s.username, phone: s.phone, email: s.email, created_by: actorLabel(actor), created_at: at })))
          .onConflict((oc) => oc.columns(['org_unit', 'role', 'starts_at', 'name']).doNothing())
          .executeTakeFirst();
        imported += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      await writeAudit(trx, { actor, action: 'roster.import', entityType: 'roster', entityId: '-', after: { shifts: mine.length, imported, problems: problems.length }, at });
    });
    return { imported, unchanged: mine.length - imported, problems };
  }

  private async sheetRows(content: Buffer): Promise<string[][]> {
    if (!content.length) throw validationError('file', 'the file is empty', 'blank');
    // an .xlsx is a zip (PK…); anything else is read as CSV
    if (content[0] === 0x50 && content[1] === 0x4b) {
      const book = new ExcelJS.Workbook();
      try {
        await book.xlsx.load(content as unknown as ArrayBuffer);
      } catch (e) {
        throw validationError('file', `not an Excel workbook: ${(e as Error).message}`, 'notXlsx', { detail: (e as Error).message.slice(0, 200) });
      }
      const sheet = book.worksheets[0];
      if (!sheet) throw validationError('file', 'the workbook has no sheet', 'blank');
      const rows: string[][] = [];
      sheet.eachRow({ includeEmpty: false }, (row) => {
        const values = row.values as ExcelJS.CellValue[];
        rows.push(values.slice(1).map(cellText));
      });
      return rows;
    }
    const text = decodeFileText(content).text;
    try {
      return parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
    } catch (e) {
      throw validationError('file', `not CSV: ${(e as Error).message}`, 'notCsv', { detail: (e as Error).message.slice(0, 200) });
    }
  }

  /** The roster of a period as a sheet people edit and import again: CSV (UTF-8 with a BOM, for Excel) or .xlsx. */
  async exportShifts(q: { from: string; to: string; orgUnit?: string }, format: 'csv' | 'xlsx'): Promise<Buffer> {
    await this.zones.refresh(this.db);
    const zone = this.zones.zone;
    const rows = (await this.shifts(q)).map((s) => {
      const start = DateTime.fromISO(s.startsAt, { zone: 'utc' }).setZone(zone);
      const end = DateTime.fromISO(s.endsAt, { zone: 'utc' }).setZone(zone);
      return [start.toFormat('yyyy-MM-dd'), start.toFormat('HH:mm'), end.toFormat('HH:mm'), ROLE_ZH[s.role], s.name, s.username ?? '', s.phone ?? '', s.email ?? '', s.orgUnit];
    });
    if (format === 'csv') return Buffer.from(`\ufeff${stringify([SHEET_HEADER, ...rows])}`, 'utf8');
    const book = new ExcelJS.Workbook();
    book.creator = 'Bihuan';
    const sheet = book.addWorksheet('值班表');
    sheet.addRow(SHEET_HEADER).font = { bold: true };
    for (const r of rows) sheet.addRow(r);
    sheet.columns.forEach((c, i) => (c.width = [12, 8, 8, 8, 12, 14, 16, 26, 8][i]));
    return Buffer.from(await book.xlsx.writeBuffer());
  }

  /** The outgoing person's handover note on a shift. */
  async handover(actor: Actor, id: number, note: string): Promise<Shift> {
    requirePermission(actor, 'incident.update', 'hand over a shift');
    const text = note.trim();
    if (!text) throw validationError('note', 'say what the next shift must know', 'blank');
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('duty_shifts').set({ handover_note: text.slice(0, 4000), handed_over_at: at, handed_over_by: actorLabel(actor) }).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound('shift', id);
      await writeAudit(trx, { actor, action: 'shift.handover', entityType: 'shift', entityId: String(id), after: { note: text.slice(0, 200) }, at });
    });
    return presentShift(await this.db.selectFrom('duty_shifts').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  async removeShift(actor: Actor, id: number): Promise<void> {
    requirePermission(actor, 'roster.manage', 'change the duty roster');
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('duty_shifts').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound('shift', id);
      await writeAudit(trx, { actor, action: 'shift.delete', entityType: 'shift', entityId: String(id), at: this.now().toISOString() });
    });
  }

  /**
   * Who the forms name (报告人, 联系方式, contacts): the person exporting when the organisation lists
   * them (their name and phone), else the command or monitor on duty for the unit (headquarters'
   * when it has none); and the unit's branch contacts.
   */
  async formContacts(orgUnit: string, username: string | undefined): Promise<{ reporter?: string; contact?: string; contacts: string[] }> {
    const member = username ? await this.db.selectFrom('team_members').select(['name', 'phone', 'email']).where('username', '=', username).executeTakeFirst() : undefined;
    const at = this.now().toISOString();
    let reporter = member ? { name: member.name, reach: member.phone ?? member.email } : undefined;
    if (!reporter) {
      const duty = await this.db.selectFrom('duty_shifts').select(['org_unit', 'role', 'name', 'phone', 'email']).where('role', 'in', ['command', 'monitor']).where('starts_at', '<=', at).where('ends_at', '>', at).execute();
      const pick = duty.find((d) => d.org_unit === orgUnit && d.role === 'command') ?? duty.find((d) => d.org_unit === orgUnit) ?? duty.find((d) => d.org_unit === 'HQ' && d.role === 'command') ?? duty.find((d) => d.org_unit === 'HQ');
      if (pick) reporter = { name: pick.name, reach: pick.phone ?? pick.email };
    }
    const branch = await this.db
      .selectFrom('team_members as m')
      .innerJoin('teams as t', 't.id', 'm.team_id')
      .select(['m.name', 'm.duty', 'm.phone', 'm.email', 'm.position'])
      .where('t.kind', '=', 'branch_contact')
      .where('t.org_unit', '=', orgUnit)
      .orderBy('m.id')
      .execute();
    const order: Record<string, number> = { leader: 0, deputy: 1, member: 2 };
    const contacts = branch.sort((a, b) => (order[a.duty] ?? 3) - (order[b.duty] ?? 3)).map((m) => [m.name, m.position, m.phone ?? m.email].filter(Boolean).join(' '));
    return { reporter: reporter?.name, contact: reporter?.reach ?? undefined, contacts };
  }
}

