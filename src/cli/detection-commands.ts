/**
 * Detection on the command line: the rules in force (`rules list`), testing a rule against
 * event files (`rules test`), and hunting through logs collected from a host with a whole rule
 * set (`hunt`), optionally filing the hits on an incident's timeline with the report as
 * evidence. Testing and hunting read the files through intake's parsers and store nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import type { Services } from '../app.js';
import type { Config } from '../config.js';
import type { Actor } from '../domain/account/roles.js';
import { ALERT_FORMATS, type AlertFormat } from '../domain/alert/alert.js';
import { LEVELS, type SigmaLevel } from '../domain/detection/sigma/rule.js';
import { RuleLibrary } from '../detection/rule-library.js';
import { type EventSource, type RuleRunReport, runRules } from '../detection/rule-test.js';
import { normalizeRecords } from '../intake/intake.service.js';
import { maybeGunzip, readLines } from '../intake/lines.js';
import { mappedJson } from '../intake/formats/mapped-json.js';

interface Context {
  config: () => Config;
  open: () => Promise<Services>;
  print: (s?: string) => void;
  err: (s: string) => void;
  actor: Actor;
  fail: () => void;
}

/** timeline entries a hunt files on an incident at most (the evidence report holds every hit) */
const HUNT_TIMELINE_LIMIT = 200;

async function sources(files: string[], maxRecordBytes: number): Promise<EventSource[]> {
  const out: EventSource[] = [];
  for (const file of files) {
    const stream = await maybeGunzip(file === '-' ? process.stdin : fs.createReadStream(file));
    out.push({ name: file, records: readLines(stream, maxRecordBytes) });
  }
  return out;
}

function library(cfg: Config, dirs: string[], builtin: boolean): RuleLibrary {
  return RuleLibrary.load({ builtin, dirs: dirs.map((d) => path.resolve(d)), placeholders: cfg.detection.placeholders, fieldMapping: cfg.detection.fieldMapping });
}

async function run(ctx: Context, lib: RuleLibrary, files: string[], o: { format?: AlertFormat; minLevel?: SigmaLevel; enrich?: boolean }): Promise<RuleRunReport> {
  const cfg = ctx.config();
  const services = o.enrich ? await ctx.open() : undefined;
  const mapped = cfg.jsonMappings.map(mappedJson);
  // as intake reads them: the configured device classes; with --enrich, the saved time zone setting too
  const zones = services?.timeZones;
  const normalize = (records: Parameters<typeof normalizeRecords>[0], format: AlertFormat | undefined) =>
    normalizeRecords(records, { format, timeZone: zones?.zone ?? cfg.timeZone, zoneOf: zones?.zoneOf, now: new Date(), maxRecordBytes: cfg.maxRecordBytes, mapped, deviceClasses: cfg.deviceClasses });
  return runRules(lib, await sources(files, cfg.maxRecordBytes), normalize, {
    format: o.format,
    minLevel: o.minLevel,
    enrich: services ? (a) => services.intake.enrich(a) : undefined,
  });
}

function printReport(ctx: Context, report: RuleRunReport, json: boolean | undefined): void {
  if (json) {
    ctx.print(JSON.stringify(report));
    return;
  }
  for (const r of report.refusals) ctx.err(`refused ${r.file}:${r.line} [${r.category}] ${r.reason}\n`);
  for (const m of report.matches) {
    ctx.print(`${m.time}  ${m.file}:${m.line}  [${m.rule.level ?? '-'}] ${m.rule.title}`);
    ctx.print(`    matched: ${m.selections.join(', ') || '(condition)'}${m.host ? `   host: ${m.host}` : ''}`);
    ctx.print(`    ${m.summary}`);
  }
  for (const c of report.correlationMatches) {
    ctx.print(`${c.from} … ${c.to}  [correlation] ${c.rule.title}: ${JSON.stringify(c.group)} value ${c.value}, events ${c.events.map((e) => `${e.file}:${e.line}`).join(' ')}`);
  }
  for (const r of report.rejected.slice(0, 20)) ctx.err(`rejected ${r.file}:${r.line} ${r.reason}\n`);
  ctx.print(
    `${report.rules} rules, ${report.correlations} correlations${report.refusals.length ? `, ${report.refusals.length} refused` : ''}; ${report.events} events; ${report.matchCount} matches${report.truncated ? ` (first ${report.matches.length} listed)` : ''}, ${report.correlationMatches.length} correlation matches${report.rejected.length ? `; ${report.rejected.length} records rejected` : ''}`,
  );
}

export function addDetectionCommands(program: Command, ctx: Context): void {
  const rules = program.command('rules').description('detection rules (Sigma)');

  rules
    .command('list')
    .description('the rules in force (built-in pack and the configured directories) and the ones refused, with file, line and reason')
    .option('--json', 'JSON output')
    .action((o: { json?: boolean }) => {
      const cfg = ctx.config();
      const lib = library(cfg, cfg.detection.rulesDirs, cfg.detection.builtinRules);
      if (o.json) {
        ctx.print(JSON.stringify({ rules: lib.rules.map((r) => ({ id: r.id, title: r.title, level: r.level, file: r.source.file, line: r.source.line, incidentType: r.document.incident_type })), correlations: lib.correlations.map((r) => ({ id: r.id, title: r.title, type: r.type, file: r.source.file })), refusals: lib.refusals }));
        return;
      }
      for (const r of lib.rules) ctx.print(`${r.source.file}:${r.source.line}  [${r.level ?? '-'}] ${r.title}${typeof r.document.incident_type === 'string' ? ` → ${r.document.incident_type}` : ''}`);
      for (const r of lib.correlations) ctx.print(`${r.source.file}:${r.source.line}  [correlation ${r.type}] ${r.title}${typeof r.document.incident_type === 'string' ? ` → ${r.document.incident_type}` : ''}`);
      const byReason: Record<string, number> = {};
      for (const r of lib.refusals) byReason[r.category] = (byReason[r.category] ?? 0) + 1;
      for (const r of lib.refusals) ctx.print(`refused ${r.file}:${r.line} [${r.category}] ${r.reason}`);
      ctx.print(`${lib.rules.length} rules, ${lib.correlations.length} correlations loaded; ${lib.refusals.length} refused${lib.refusals.length ? ` ${JSON.stringify(byReason)}` : ''}`);
    });

  rules
    .command('test <rule> <events...>')
    .description('run one rule file (or directory) over event files in any intake format; shows which events matched and why; stores nothing')
    .addOption(new Option('--format <format>', 'force the events\' format').choices([...ALERT_FORMATS]))
    .option('--with-builtin', 'also load the built-in pack (for correlations that reference its rules)')
    .option('--enrich', 'apply the stored network zones, time zone setting, threat intelligence and asset inventory, as intake would')
    .option('--json', 'JSON output')
    .action(async (rule: string, events: string[], o: { format?: AlertFormat; withBuiltin?: boolean; enrich?: boolean; json?: boolean }) => {
      const lib = library(ctx.config(), [rule], !!o.withBuiltin);
      const report = await run(ctx, lib, events, o);
      printReport(ctx, report, o.json);
      // the rule under test did not load: that is the answer the author needs, as a failure
      if (lib.rules.length + lib.correlations.length === 0 || report.refusals.length) ctx.fail();
    });

  program
    .command('hunt <files...>')
    .description('hunt through logs collected from a host with whole rule sets (e.g. the SigmaHQ corpus), as Chainsaw and Hayabusa do; optionally file the hits on an incident')
    .requiredOption('-r, --rules <dir>', 'rule directory or file (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--format <format>', 'force the events\' format').choices([...ALERT_FORMATS]))
    .addOption(new Option('--min-level <level>', 'leave out matches of rules below this level').choices([...LEVELS]))
    .option('--incident <id>', 'put the hits on this incident\'s timeline (device times) and attach the full report as evidence')
    .option('--with-builtin', 'also load the built-in pack')
    .option('--enrich', 'apply the stored zones, threat intelligence and asset inventory')
    .option('--json', 'JSON output')
    .action(async (files: string[], o: { rules: string[]; format?: AlertFormat; minLevel?: SigmaLevel; incident?: string; withBuiltin?: boolean; enrich?: boolean; json?: boolean }) => {
      const lib = library(ctx.config(), o.rules, !!o.withBuiltin);
      const report = await run(ctx, lib, files, o);
      printReport(ctx, { ...report, refusals: o.json ? report.refusals : [] }, o.json);
      if (!o.json && report.refusals.length) ctx.err(`${report.refusals.length} rules refused (bihuan rules test DIR shows each with its reason)\n`);
      if (!o.incident) return;
      const s = await ctx.open();
      const incident = await s.incidents.get(o.incident);
      const listed = report.matches.slice(0, HUNT_TIMELINE_LIMIT);
      for (const m of listed) {
        await s.incidents.addTimelineEntry(ctx.actor, incident.id, {
          occurredAt: Date.parse(m.time) <= Date.now() ? m.time : new Date().toISOString(),
          source: 'hunt',
          text: `狩猎命中 hunt hit [${m.rule.level ?? '-'}] ${m.rule.title}${m.host ? ` @ ${m.host}` : ''}：${m.summary}`.slice(0, 5000),
        });
      }
      const body = Buffer.from(JSON.stringify({ files, ruleDirs: o.rules, huntedAt: new Date().toISOString(), ...report }, null, 2));
      const evidence = await s.incidents.addEvidence(ctx.actor, incident.id, {
        filename: `hunt-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
        contentType: 'application/json',
        stream: Readable.from([body]),
        note: `bihuan hunt: ${report.matchCount} hits over ${report.events} events from ${files.join(', ')}`.slice(0, 2000),
      });
      ctx.print(`${incident.id}: ${listed.length} hits on the timeline${report.matchCount > listed.length ? ` (of ${report.matchCount}; all in the report)` : ''}; report attached as evidence ${JSON.stringify(evidence)}`);
    });
}
