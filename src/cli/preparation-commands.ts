/**
 * Preparation on the command line (issue 15): the response organisation and its duty roster
 * (`roster import|export|now|shifts|handover|teams|team-set`) and emergency plans
 * (`plans list|show|create|revise|approve|attach`). Each command calls the same service as the
 * API, as the operator of the installation (audited as `cli:<OS user>`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import type { Services } from '../app.js';
import type { Actor } from '../domain/account/roles.js';
import { DomainError } from '../domain/errors.js';
import type { PlanInput } from '../domain/plans/plan.js';
import { PlanInput as PlanSchema } from '../plans/plan.routes.js';
import { TeamInput as TeamSchema } from '../roster/roster.routes.js';
import type { TeamInput } from '../roster/roster.service.js';
import { int } from './options.js';

interface Context {
  open: () => Promise<Services>;
  print: (s?: string) => void;
  actor: Actor;
  fail: () => void;
}

/** the largest plan or team document read from a file */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** A YAML or JSON document from a file (YAML is a superset of JSON) checked against the API's schema for it, refused naming every field that is wrong. */
function readDocument<T>(file: string, schema: TSchema): T {
  const size = fs.statSync(file).size;
  if (size > MAX_DOCUMENT_BYTES) throw new DomainError('validation', `${file}: ${size} bytes is more than the ${MAX_DOCUMENT_BYTES} a document may have`);
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DomainError('validation', `${file}: not YAML or JSON: ${(e as Error).message}`);
  }
  // YAML reads an unquoted 2027-06-30 as text here (the yaml library's default core schema), as the API expects
  const errors = Value.Errors(schema, doc).filter((e) => e.keyword !== 'boolean');
  if (errors.length) {
    const details = errors.slice(0, 20).map((e) => ({ field: e.instancePath.slice(1) || '(document)', message: e.keyword === 'additionalProperties' ? `has fields it does not know: ${(e.params as { additionalProperties: string[] }).additionalProperties.join(', ')}` : e.message }));
    throw new DomainError('validation', `${file}: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`, details);
  }
  return doc as T;
}

/** A day (2026-12-07) or a local time, in the organisation's zone, as an instant. */
function localInstant(flag: string, value: string, zone: string): string {
  const t = DateTime.fromISO(value, { zone });
  if (!t.isValid) throw new DomainError('validation', `${flag}: "${value}" is not a date (2026-12-07) or a local time (2026-12-07T08:00)`);
  return t.toUTC().toISO()!;
}

/** The period --from/--to name in the organisation's zone: from today, `days` long unless --to says. */
async function period(s: Services, o: { from?: string; to?: string }, days: number): Promise<{ from: string; to: string; zone: string }> {
  await s.timeZones.refresh(s.database.db);
  const zone = s.timeZones.zone;
  const from = o.from ? localInstant('--from', o.from, zone) : DateTime.now().setZone(zone).startOf('day').toUTC().toISO()!;
  const to = o.to ? localInstant('--to', o.to, zone) : DateTime.fromISO(from).plus({ days }).toUTC().toISO()!;
  if (to <= from) throw new DomainError('validation', '--to must come after --from');
  return { from, to, zone };
}

export function addPreparationCommands(program: Command, { open, print, actor, fail }: Context): void {
  const roster = program.command('roster').description('the response organisation (应急组织) and its duty roster (值班表): teams with members, shifts imported from a sheet, who is on duty now');
  roster
    .command('import <file>')
    .description('file the shifts of a sheet as saved: .xlsx, or CSV in UTF-8 or GBK; English or Chinese headers (日期, 开始, 结束, 岗位, 姓名, 用户名, 电话, 邮箱, 机构)')
    .option('--org <code>', 'the org unit of rows that name none')
    .action(async (file: string, o: { org?: string }) => {
      const s = await open();
      const r = await s.roster.importShifts(actor, fs.readFileSync(file), { orgUnit: o.org });
      print(`${path.basename(file)}: ${r.imported} shifts imported, ${r.unchanged} already there, ${r.problems.length} rows not imported`);
      for (const p of r.problems.slice(0, 50)) print(`  row ${p.row}: ${p.field} — ${p.reason}`);
      if (r.problems.length > 50) print(`  … ${r.problems.length - 50} more`);
      if (r.problems.length) fail();
    });
  roster
    .command('export <file>')
    .description('write the roster of a period as a sheet that imports again (.xlsx or .csv by the file name)')
    .option('--from <day>', 'first day (default: today)')
    .option('--to <day>', 'the day after the last (default: 31 days after --from)')
    .option('--org <code>', 'one org unit')
    .action(async (file: string, o: { from?: string; to?: string; org?: string }) => {
      const s = await open();
      const { from, to } = await period(s, o, 31);
      const format = file.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
      fs.writeFileSync(file, await s.roster.exportShifts({ from, to, orgUnit: o.org }, format));
      print(`wrote ${file} (${format}, ${(await s.roster.shifts({ from, to, orgUnit: o.org })).length} shifts)`);
    });
  roster
    .command('now')
    .description('who is on duty now, per org unit and role')
    .option('--org <code>', 'one org unit')
    .option('--json', 'one JSON document')
    .action(async (o: { org?: string; json?: boolean }) => {
      const s = await open();
      const on = await s.roster.onDuty(o.org);
      if (o.json) return print(JSON.stringify(on));
      if (!on.length) print('nobody is on duty now');
      for (const x of on) print(`${x.orgUnit.padEnd(6)} ${x.role.padEnd(9)} ${x.name}${x.phone ? `  ${x.phone}` : ''}${x.email ? `  ${x.email}` : ''}  until ${x.endsAt}  (#${x.id})`);
    });
  roster
    .command('shifts')
    .description('the shifts of a period')
    .option('--from <day>', 'first day (default: today)')
    .option('--to <day>', 'the day after the last (default: 7 days after --from)')
    .option('--org <code>', 'one org unit')
    .action(async (o: { from?: string; to?: string; org?: string }) => {
      const s = await open();
      const { from, to, zone } = await period(s, o, 7);
      const list = await s.roster.shifts({ from, to, orgUnit: o.org });
      if (!list.length) print('no shifts');
      for (const x of list) {
        const local = (t: string) => DateTime.fromISO(t).setZone(zone).toFormat('yyyy-MM-dd HH:mm');
        print(`#${String(x.id).padEnd(5)} ${local(x.startsAt)} – ${local(x.endsAt).slice(11)}  ${x.orgUnit.padEnd(6)} ${x.role.padEnd(9)} ${x.name}${x.handoverNote ? `  [handed over: ${x.handoverNote.slice(0, 60)}]` : ''}`);
      }
    });
  roster
    .command('handover <shift> <note>')
    .description('the outgoing person\'s handover note on a shift (shown to the next one)')
    .action(async (shift: string, note: string) => {
      const s = await open();
      const x = await s.roster.handover(actor, int('shift')(shift), note);
      print(`shift #${x.id} (${x.name}, ${x.role}) handed over at ${x.handedOverAt}`);
    });
  roster
    .command('teams')
    .description('the response organisation: teams (指挥组/总体组, 监控组, 分析组, 处置组, 专家组, branch contacts) with their members')
    .option('--org <code>', 'one org unit')
    .option('--json', 'one JSON document')
    .action(async (o: { org?: string; json?: boolean }) => {
      const s = await open();
      const teams = await s.roster.teams(o.org);
      if (o.json) return print(JSON.stringify(teams));
      if (!teams.length) print('no teams');
      for (const t of teams) {
        print(`#${t.id} ${t.orgUnit} ${t.kind}: ${t.name}`);
        for (const m of t.members) print(`    ${m.duty.padEnd(7)} ${m.name}${m.position ? ` (${m.position})` : ''}${m.phone ? `  ${m.phone}` : ''}${m.email ? `  ${m.email}` : ''}${m.im ? `  IM ${m.im}` : ''}`);
      }
    });
  roster
    .command('team-set <file>')
    .description('add a team, or replace one (--id), from a YAML or JSON document: name, kind, orgUnit, description, members [{name, duty, position, phone, email, im, username}]')
    .option('--id <id>', 'the team to replace', int('id'))
    .action(async (file: string, o: { id?: number }) => {
      const s = await open();
      const t = await s.roster.saveTeam(actor, o.id, readDocument<TeamInput>(file, TeamSchema));
      print(`team #${t.id} ${t.orgUnit} ${t.kind}: ${t.name} saved, ${t.members.length} members`);
    });

  const plans = program.command('plans').description('emergency plans (应急预案): versioned, approved, reviewed; started on the incidents they cover');
  plans
    .command('list')
    .description('every plan, its versions newest first; overdue reviews marked')
    .option('--json', 'one JSON document')
    .action(async (o: { json?: boolean }) => {
      const s = await open();
      const list = await s.plans.list();
      if (o.json) return print(JSON.stringify(list));
      if (!list.length) print('no plans');
      for (const p of list) print(`#${String(p.id).padEnd(4)} v${p.version} ${p.status.padEnd(8)} review ${p.reviewDue}${p.reviewOverdue ? ' OVERDUE' : ''}  types ${p.incidentTypes.join(',') || 'any'} · levels ${p.levels.join(',') || 'any'} · units ${p.orgUnits.join(',') || 'all'}  ${p.title}`);
    });
  plans
    .command('show <id>')
    .description('one plan version: its scope, duties, steps per phase, resources and contacts')
    .option('--json', 'one JSON document')
    .action(async (id: string, o: { json?: boolean }) => {
      const s = await open();
      const p = await s.plans.get(int('id')(id));
      if (o.json) return print(JSON.stringify(p));
      print(`#${p.id} ${p.title} — version ${p.version}, ${p.status}${p.approvedBy ? ` (approved by ${p.approvedBy} ${p.approvedAt})` : ''}`);
      print(`  covers types ${p.incidentTypes.join(', ') || 'any'}; levels ${p.levels.join(', ') || 'any'}; org units ${p.orgUnits.join(', ') || 'all'}`);
      print(`  review due ${p.reviewDue}${p.reviewOverdue ? ' (OVERDUE)' : ''}${p.file ? ` · document ${p.file.name} sha256 ${p.file.sha256}` : ''}`);
      if (p.scope) print(`  scope: ${p.scope}`);
      if (p.organisation) print(`  organisation and duties: ${p.organisation}`);
      print('  steps:');
      for (const st of p.steps) print(`    ${st.phase.padEnd(9)} ${st.title}`);
      if (p.resources) print(`  resources: ${p.resources}`);
      if (p.contacts.length) print('  contacts:');
      for (const c of p.contacts) print(`    ${c.name}${c.role ? ` (${c.role})` : ''}${c.phone ? `  ${c.phone}` : ''}${c.email ? `  ${c.email}` : ''}`);
    });
  plans
    .command('create <file>')
    .description('a new plan (a draft, version 1) from a YAML or JSON document: title, scope, incidentTypes, levels, orgUnits, organisation, steps [{phase, title}], resources, contacts [{name, role, phone, email}], reviewDue')
    .action(async (file: string) => {
      const s = await open();
      const p = await s.plans.create(actor, readDocument<PlanInput>(file, PlanSchema));
      print(`plan #${p.id} "${p.title}" v${p.version} saved as a draft (approve it: bihuan plans approve ${p.id})`);
    });
  plans
    .command('revise <id> <file>')
    .description('a new draft version of a plan from a YAML or JSON document (the approved one stays in force until this is approved)')
    .action(async (id: string, file: string) => {
      const s = await open();
      const p = await s.plans.revise(actor, int('id')(id), readDocument<PlanInput>(file, PlanSchema));
      print(`plan #${p.id} "${p.title}" v${p.version} saved as a draft`);
    });
  plans
    .command('approve <id>')
    .description('approve a draft version: it is started on the incidents it covers, and the version approved before retires')
    .action(async (id: string) => {
      const s = await open();
      const p = await s.plans.approve(actor, int('id')(id));
      print(`plan #${p.id} "${p.title}" v${p.version} approved`);
    });
  plans
    .command('attach <id> <file>')
    .description('keep the plan\'s document (.docx or .pdf) with it, with its SHA-256')
    .action(async (id: string, file: string) => {
      const s = await open();
      const p = await s.plans.attach(actor, int('id')(id), { filename: path.basename(file), stream: fs.createReadStream(file) });
      print(`plan #${p.id}: document ${p.file?.name} (${p.file?.size} bytes) sha256 ${p.file?.sha256}`);
    });
}
