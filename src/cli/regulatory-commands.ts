/**
 * The regulator's clock on the command line (issue 16): the operator type and category table
 * (`bihuan regulatory show|set`), an incident's national grading (`bihuan regulatory grade`) and
 * its reports to the regulator recorded as sent (`bihuan regulatory reported`).
 */
import type { Command } from 'commander';
import type { Services } from '../app.js';
import type { Actor } from '../domain/account/roles.js';
import { DomainError } from '../domain/errors.js';
import { NATIONAL_LEVEL_NAMES, type NationalLevel, OPERATOR_TYPES, REGULATORY_REPORT_KINDS, type RegulatoryReportKind } from '../domain/regulatory/national.js';
import { int } from './options.js';

interface Context {
  open: () => Promise<Services>;
  print: (s?: string) => void;
  actor: Actor;
}

export function addRegulatoryCommands(program: Command, { open, print, actor }: Context): void {
  const reg = program.command('regulatory').description('the regulator’s clock: national grading (GB/T 20986-2023) and the report deadline (CAC Measures: 1/2/4 h)');
  reg
    .command('show')
    .description('the operator type, the deadline it sets and the category table')
    .option('--json', 'one JSON document')
    .action(async (o: { json?: boolean }) => {
      const s = await (await open()).regulatory.settings();
      if (o.json) return print(JSON.stringify(s));
      print(`operator type: ${s.operatorType} — report III and graver within ${s.reportHours} h of discovery to ${s.reportTo.en} (${s.reportTo.zh})`);
      for (const c of s.categories) print(`${c.parent ? '    ' : ''}${c.code.padEnd(8)} ${c.zh} / ${c.en}`);
    });
  reg
    .command('set')
    .description(`set the operator type: ${OPERATOR_TYPES.join(', ')}`)
    .requiredOption('--operator <type>', OPERATOR_TYPES.join(', '))
    .action(async (o: { operator: string }) => {
      const s = await (await open()).regulatory.setSettings(actor, { operatorType: o.operator });
      print(`operator type ${s.operatorType}: ${s.reportHours} h`);
    });
  reg
    .command('grade <incident>')
    .description('confirm the national level (1 = I … 4 = IV) and category; without --level, the proposal')
    .option('--level <n>', '1 (I) to 4 (IV)', int('level'))
    .option('--category <code>', 'a code of the category table')
    .option('--reason <text>', 'why, when it differs from the proposal')
    .action(async (id: string, o: { level?: number; category?: string; reason?: string }) => {
      const s = await open();
      const p = await s.regulatory.proposal(id);
      print(`proposed: ${NATIONAL_LEVEL_NAMES[p.level].roman} ${p.category} ${p.categoryName.zh} — ${p.reason.en}`);
      await s.regulatory.confirm(actor, id, { level: o.level ?? p.level, category: o.category ?? p.category, reason: o.reason });
      const n = (await s.incidents.get(id)).national!;
      print(`${id}: national level ${NATIONAL_LEVEL_NAMES[n.level as NationalLevel].roman}, ${n.category}${n.dueAt ? `; report due ${n.dueAt}` : '; no report due'}`);
    });
  reg
    .command('reported <incident>')
    .description(`record a report to the regulator as sent: ${REGULATORY_REPORT_KINDS.join(', ')}`)
    .requiredOption('--to <whom>', 'whom it went to')
    .option('--kind <kind>', REGULATORY_REPORT_KINDS.join(', '), 'initial')
    .action(async (id: string, o: { to: string; kind: string }) => {
      if (!(REGULATORY_REPORT_KINDS as readonly string[]).includes(o.kind)) throw new DomainError('validation', `--kind: "${o.kind}" is not one of ${REGULATORY_REPORT_KINDS.join(', ')}`);
      const s = await open();
      await s.regulatory.reportSent(actor, id, { kind: o.kind as RegulatoryReportKind, to: o.to });
      print(`${id}: ${o.kind} report to ${o.to} recorded`);
    });
}
