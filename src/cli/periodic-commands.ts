/**
 * Periodic work and campaigns on the command line (issue 15): scans imported and findings worked
 * (`periodic import-scan|findings|finding`), recurring work planned and ended (`periodic
 * plan|items|due|done|skip`), the quarterly report written (`periodic quarter`); campaigns planned,
 * their findings recorded from a tester's CSV, closed and summarised (`campaign …`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Command } from 'commander';
import type { Services } from '../app.js';
import type { Actor } from '../domain/account/roles.js';
import { DomainError } from '../domain/errors.js';
import { FINDING_STATUSES, type FindingStatus } from '../domain/findings/finding.js';
import { SCAN_FORMATS, SEVERITIES, type ScanFormat, type Severity } from '../domain/findings/scan.js';
import { CAMPAIGN_KINDS } from '../domain/periodic/campaign.js';
import { OCCURRENCE_RESULTS, WORK_KINDS } from '../domain/periodic/schedule.js';
import { type ReportDocument, documentMarkdown } from '../domain/report/document.js';
import { REPORT_LOCALES } from '../domain/report/forms.js';
import { decodeFileText } from '../domain/text.js';
import type { HandFinding } from '../findings/finding.service.js';
import { documentDocx } from '../report/document.docx.js';
import { commaChoices, int } from './options.js';

interface Context {
  open: () => Promise<Services>;
  print: (s?: string) => void;
  actor: Actor;
  fail: () => void;
}

/** An option that is one of `allowed`, or a refusal naming them. */
function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new DomainError('validation', `${flag}: "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

/** A report written to `out` (.docx or .md by its extension, or --format); the path written. */
async function writeReport(doc: ReportDocument, out: string, format: string | undefined): Promise<string> {
  const kind = format ?? (out.endsWith('.md') ? 'md' : 'docx');
  if (kind !== 'md' && kind !== 'docx') throw new DomainError('validation', `--format: "${kind}" is not one of docx, md`);
  fs.writeFileSync(out, kind === 'md' ? documentMarkdown(doc) : await documentDocx(doc));
  return out;
}

/** A tester's findings as CSV: ip, port, title, severity, description, solution, check_id (or the Chinese headers). */
export function handFindingsCsv(text: string): HandFinding[] {
  const HEADERS: Record<string, keyof HandFinding | 'check_id'> = { ip: 'ip', 地址: 'ip', 主机: 'ip', port: 'port', 端口: 'port', title: 'title', 问题: 'title', 名称: 'title', severity: 'severity', 严重程度: 'severity', 风险等级: 'severity', description: 'description', 描述: 'description', solution: 'solution', 整改建议: 'solution', check_id: 'check_id', 编号: 'check_id' };
  const LEVELS: Record<string, Severity> = { 严重: 'critical', 高: 'high', 高危: 'high', 中: 'medium', 中危: 'medium', 低: 'low', 低危: 'low', 信息: 'info' };
  let rows: Array<Record<string, string>>;
  try {
    rows = parseCsv(text, { columns: (h: string[]) => h.map((x) => HEADERS[x.trim().toLowerCase()] ?? HEADERS[x.trim()] ?? x.trim()), skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    throw new DomainError('validation', `not CSV: ${(e as Error).message}`);
  }
  return rows.map((r, i) => {
    const severity = (SEVERITIES as readonly string[]).includes(r.severity?.toLowerCase() ?? '') ? (r.severity!.toLowerCase() as Severity) : LEVELS[r.severity ?? ''];
    if (!severity) throw new DomainError('validation', `row ${i + 2}: severity "${r.severity ?? ''}" is not one of ${SEVERITIES.join(', ')} (or 严重/高危/中危/低危/信息)`);
    const port = r.port ? Number(r.port) : null;
    if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new DomainError('validation', `row ${i + 2}: port "${r.port}" is not a port number`);
    return { ip: r.ip ?? '', port, title: r.title ?? '', severity, description: r.description || null, solution: r.solution || null, checkId: r.check_id || null };
  });
}

export function addPeriodicCommands(program: Command, { open, print, actor, fail }: Context): void {
  const periodic = program.command('periodic').description('periodic work (周期性任务): recurring work and its occurrences, scans and baseline checks with their findings tracked to closure, the quarterly report');
  periodic
    .command('import-scan <file>')
    .description('import a scan as the tool wrote it: Nmap XML (-oX), an OpenVAS/GVM report (XML), a Nessus .nessus file, or the baseline-check CSV (item, title, host, result, severity, expected, actual)')
    .option('--format <format>', `force the format (${SCAN_FORMATS.join(', ')}) instead of recognising it`)
    .option('--org <code>', 'the org unit of hosts the network zones do not place')
    .option('--occurrence <id>', 'the occurrence of recurring work this scan is: it is ended with the scan as evidence', int('occurrence'))
    .option('--campaign <id>', 'the campaign this scan belongs to', int('campaign'))
    .action(async (file: string, o: { format?: string; org?: string; occurrence?: number; campaign?: number }) => {
      const format = o.format === undefined ? undefined : choice<ScanFormat>('--format', o.format, SCAN_FORMATS);
      const s = await open();
      if (o.occurrence !== undefined) await s.work.occurrence(o.occurrence);
      const r = await s.findings.importScan(actor, fs.readFileSync(file), { filename: path.basename(file), format, orgUnit: o.org, campaignId: o.campaign });
      print(`${file}: ${r.format} (${r.scanner}), ${r.hosts} hosts, ${r.found} findings — ${r.new} new, ${r.seen} seen again, ${r.reopened} reopened, ${r.closed} closed (no longer found)`);
      for (const p of r.problems.slice(0, 20)) print(`  ${p.at}: ${p.reason}`);
      if (o.occurrence !== undefined) {
        const x = await s.work.recordScan(actor, o.occurrence, r);
        print(`occurrence #${x.id} ${x.title}: ${x.status}${x.result ? ` (${x.result})` : ''}`);
      }
      if (r.problems.length) fail();
    });
  periodic
    .command('findings')
    .description('findings, the nearest due date first')
    .option('--status <list>', `comma-separated: ${FINDING_STATUSES.join(', ')} (default: open, fixing)`, 'open,fixing')
    .option('--severity <list>', `comma-separated: ${SEVERITIES.join(', ')}`)
    .option('--org <code>', 'org unit')
    .option('--overdue', 'only those past their due date')
    .option('-q, --text <text>', 'title, CVE, check, host name or address')
    .option('--limit <n>', 'how many', int('limit'), 100)
    .option('--json', 'one JSON document')
    .action(async (o: { status: string; severity?: string; org?: string; overdue?: boolean; text?: string; limit: number; json?: boolean }) => {
      const s = await open();
      const r = await s.findings.list({ status: commaChoices('--status', o.status, FINDING_STATUSES), severity: o.severity === undefined ? undefined : commaChoices('--severity', o.severity, SEVERITIES), orgUnit: o.org, overdue: o.overdue, q: o.text, limit: Math.min(Math.max(o.limit, 1), 1000), offset: 0 });
      if (o.json) return print(JSON.stringify(r));
      if (!r.items.length) print('no findings');
      for (const f of r.items) print(`#${String(f.id).padEnd(5)} ${f.severity.padEnd(8)} ${f.status.padEnd(8)} ${`${f.ip}${f.port ? `:${f.port}` : ''}`.padEnd(22)} ${(f.dueAt ?? '-').slice(0, 10)}${f.overdue ? ' OVERDUE' : ''}  ${f.title.slice(0, 80)}`);
      if (r.total > r.items.length) print(`… ${r.total - r.items.length} more`);
    });
  periodic
    .command('finding <id> <status>')
    .description(`move a finding along: ${FINDING_STATUSES.join(', ')} (accepted needs --note and --until; verified needs --note)`)
    .option('--note <text>', 'the reason, or how it was fixed or verified')
    .option('--until <date>', 'accepted: when the risk is looked at again (within a year)')
    .action(async (id: string, status: string, o: { note?: string; until?: string }) => {
      if (!(FINDING_STATUSES as readonly string[]).includes(status)) throw new DomainError('validation', `"${status}" is not one of ${FINDING_STATUSES.join(', ')}`);
      const s = await open();
      const f = await s.findings.update(actor, Number(id), { status: status as FindingStatus, note: o.note, acceptedUntil: o.until });
      print(`#${f.id} ${f.title}: ${f.status}${f.acceptedUntil ? ` until ${f.acceptedUntil.slice(0, 10)}` : ''}`);
    });

  periodic
    .command('plan <title>')
    .description('plan recurring work: a repeat rule (RRULE), its first local time, days to finish each occurrence, owner and org unit')
    .requiredOption('--kind <kind>', WORK_KINDS.join(', '))
    .requiredOption('--rrule <rule>', 'an iCalendar RRULE, e.g. FREQ=MONTHLY;BYMONTHDAY=1 (at most daily)')
    .requiredOption('--start <local>', "the first occurrence in the organisation's zone: yyyy-MM-ddTHH:mm")
    .requiredOption('--owner <username>', 'who does the work')
    .option('--due-days <n>', 'days from an occurrence to its due date', int('due-days'), 7)
    .option('--org <code>', 'org unit', 'HQ')
    .action(async (title: string, o: { kind: string; rrule: string; start: string; owner: string; dueDays: number; org: string }) => {
      const s = await open();
      const item = await s.work.createItem(actor, { title, kind: choice('--kind', o.kind, WORK_KINDS), rrule: o.rrule, start: o.start, dueDays: o.dueDays, owner: o.owner, orgUnit: o.org });
      print(`#${item.id} ${item.title}: ${item.rrule} from ${item.start}, next ${item.next ?? '-'}`);
    });
  periodic
    .command('items')
    .description('recurring work items')
    .option('--org <code>', 'org unit')
    .action(async (o: { org?: string }) => {
      const s = await open();
      const items = await s.work.items({ orgUnit: o.org });
      if (!items.length) print('no recurring work');
      for (const i of items) print(`#${String(i.id).padEnd(4)} ${i.kind.padEnd(18)} ${i.orgUnit.padEnd(6)} ${i.owner.padEnd(12)} next ${(i.next ?? '-').slice(0, 16)}  ${i.rrule}  ${i.title}`);
    });
  periodic
    .command('due')
    .description('occurrences still to do, the nearest due date first')
    .option('--overdue', 'only those past their due date')
    .option('--org <code>', 'org unit')
    .option('--limit <n>', 'how many', int('limit'), 100)
    .option('--json', 'one JSON document')
    .action(async (o: { overdue?: boolean; org?: string; limit: number; json?: boolean }) => {
      const s = await open();
      const r = await s.work.occurrences({ status: ['pending'], overdue: o.overdue, orgUnit: o.org, limit: Math.min(Math.max(o.limit, 1), 500), offset: 0 });
      if (o.json) return print(JSON.stringify(r));
      if (!r.items.length) print('nothing due');
      for (const x of r.items) print(`#${String(x.id).padEnd(5)} due ${x.dueAt.slice(0, 16)}${x.overdue ? ' OVERDUE' : '        '} ${x.orgUnit.padEnd(6)} ${x.owner.padEnd(12)} ${x.title}`);
    });
  periodic
    .command('done <occurrence>')
    .description(`end an occurrence done, with its result (${OCCURRENCE_RESULTS.join(', ')}) and, if any, its evidence file`)
    .requiredOption('--result <result>', OCCURRENCE_RESULTS.join(', '))
    .option('--note <text>', 'what was done or found')
    .option('--evidence <file>', 'the report, screenshot or signed sheet')
    .action(async (id: string, o: { result: string; note?: string; evidence?: string }) => {
      const s = await open();
      let x = await s.work.updateOccurrence(actor, Number(id), { status: 'done', result: choice('--result', o.result, OCCURRENCE_RESULTS), note: o.note });
      if (o.evidence) x = await s.work.addEvidence(actor, x.id, { filename: path.basename(o.evidence), stream: fs.createReadStream(o.evidence) });
      print(`#${x.id} ${x.title}: done (${x.result})${x.evidence ? `, evidence ${x.evidence.filename} sha256 ${x.evidence.sha256}` : ''}`);
    });
  periodic
    .command('skip <occurrence>')
    .description('skip an occurrence, saying why')
    .requiredOption('--note <text>', 'why it is skipped')
    .action(async (id: string, o: { note: string }) => {
      const s = await open();
      const x = await s.work.updateOccurrence(actor, Number(id), { status: 'skipped', note: o.note });
      print(`#${x.id} ${x.title}: skipped — ${x.note}`);
    });
  periodic
    .command('quarter')
    .description('write the quarterly report of periodic work (.docx or Markdown)')
    .option('--quarter <q>', 'e.g. 2026Q4 (default: this quarter)')
    .option('--org <code>', 'one org unit')
    .option('--locale <locale>', REPORT_LOCALES.join(', '), 'zh-CN')
    .option('--format <format>', 'docx or md (default: by the output file name)')
    .option('-o, --out <file>', 'where to write it (default: periodic-<quarter>.docx)')
    .action(async (o: { quarter?: string; org?: string; locale: string; format?: string; out?: string }) => {
      const s = await open();
      const { document, quarter } = await s.work.quarterReport(o.quarter, o.org, choice('--locale', o.locale, REPORT_LOCALES));
      print(`${await writeReport(document, o.out ?? `periodic-${quarter}${o.format === 'md' ? '.md' : '.docx'}`, o.format)}: ${document.title}`);
    });

  const campaign = program.command('campaign').description('special campaigns (专项行动): password reviews, endpoint sweeps, penetration and phishing tests, drills');
  campaign
    .command('create <title>')
    .description('plan a campaign')
    .requiredOption('--kind <kind>', CAMPAIGN_KINDS.join(', '))
    .requiredOption('--from <date>', 'first day, yyyy-MM-dd')
    .requiredOption('--to <date>', 'last day, yyyy-MM-dd')
    .requiredOption('--lead <username>', 'who leads it')
    .option('--org <list>', 'comma-separated org units in scope', '')
    .option('--scope <list>', 'comma-separated addresses and CIDR ranges in scope', '')
    .option('--description <text>', 'what it is for')
    .action(async (title: string, o: { kind: string; from: string; to: string; lead: string; org: string; scope: string; description?: string }) => {
      const s = await open();
      const c = await s.campaigns.create(actor, { title, kind: choice('--kind', o.kind, CAMPAIGN_KINDS), startsOn: o.from, endsOn: o.to, lead: o.lead, scopeOrgUnits: o.org.split(',').filter(Boolean), scopeAssets: o.scope.split(',').filter(Boolean), description: o.description });
      print(`#${c.id} ${c.title}: ${c.kind}, ${c.startsOn} — ${c.endsOn}, ${c.state}`);
    });
  campaign
    .command('list')
    .description('campaigns, the latest start first')
    .action(async () => {
      const s = await open();
      const list = await s.campaigns.list();
      if (!list.length) print('no campaigns');
      for (const c of list) print(`#${String(c.id).padEnd(4)} ${c.kind.padEnd(17)} ${c.state.padEnd(8)} ${c.startsOn} — ${c.endsOn}  findings ${c.findings.open} open / ${c.findings.total}  ${c.title}`);
    });
  campaign
    .command('record <campaign> <csv>')
    .description("record a tester's findings from CSV (ip, port, title, severity, description, solution, check_id; Chinese headers too)")
    .action(async (id: string, file: string) => {
      const s = await open();
      const r = await s.campaigns.recordFindings(actor, Number(id), handFindingsCsv(decodeFileText(fs.readFileSync(file)).text));
      print(`${file}: ${r.found} findings — ${r.new} new, ${r.seen} recorded before`);
      for (const p of r.problems.slice(0, 20)) print(`  ${p.at}: ${p.reason}`);
      if (r.problems.length) fail();
    });
  campaign
    .command('close <campaign>')
    .description('close a campaign with its conclusion')
    .requiredOption('--conclusion <text>', 'what it found, what is left, what changes')
    .action(async (id: string, o: { conclusion: string }) => {
      const s = await open();
      const c = await s.campaigns.close(actor, Number(id), o.conclusion);
      print(`#${c.id} ${c.title}: closed`);
    });
  campaign
    .command('report <campaign>')
    .description("write a campaign's summary report (.docx or Markdown)")
    .option('--locale <locale>', REPORT_LOCALES.join(', '), 'zh-CN')
    .option('--format <format>', 'docx or md (default: by the output file name)')
    .option('-o, --out <file>', 'where to write it (default: campaign-<id>.docx)')
    .action(async (id: string, o: { locale: string; format?: string; out?: string }) => {
      const s = await open();
      const doc = await s.campaigns.report(Number(id), choice('--locale', o.locale, REPORT_LOCALES));
      print(`${await writeReport(doc, o.out ?? `campaign-${id}${o.format === 'md' ? '.md' : '.docx'}`, o.format)}: ${doc.title}`);
    });
}
