/**
 * Wires the product together for one database: opens it, migrates, seeds the defaults, and
 * builds the services. Used by `serve`, the CLI and the tests alike.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { AccountService } from './account/account.service.js';
import { type Config, ConfigError } from './config.js';
import { SecretBox } from './store/secret-box.js';
import { EvidenceStore } from './evidence/evidence.store.js';
import { IncidentService } from './incident/incident.service.js';
import { IntakeService } from './intake/intake.service.js';
import { IntelService } from './intel/intel.service.js';
import { FindingService } from './findings/finding.service.js';
import { CampaignService } from './periodic/campaign.service.js';
import { WorkService } from './periodic/work.service.js';
import { RosterService } from './roster/roster.service.js';
import { PlanService } from './plans/plan.service.js';
import { BlockService } from './countermeasures/block.service.js';
import { RegulatoryService } from './regulatory/regulatory.service.js';
import { AssetService } from './asset/asset.service.js';
import { DetectionService } from './detection/detection.service.js';
import { ReportService } from './report/report.service.js';
import { NotifyService } from './notify/notify.service.js';
import { TargetPolicy } from './notify/target-guard.js';
import { CommandService } from './command/command.service.js';
import { RuleLibrary } from './detection/rule-library.js';
import { mappedJson } from './intake/formats/mapped-json.js';
import { SettingsService } from './settings/settings.service.js';
import { OrgTimeZone } from './settings/org-time-zone.js';
import { type Database, openDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { DEFAULT_POLICY } from './domain/detection/policy.js';
import { BackgroundLoop, Health, type LoopLogger } from './runtime/background.js';
import type { IntakeGate } from './intake/intake.routes.js';
import { bodyText, ingestBody } from './intake/intake-body.js';
import { purgeExpired } from './intake/retention.js';
import { type AlertQuery, type SerializedAnswer, searchAlerts } from './intake/alert.repository.js';

export interface Services {
  database: Database;
  config: Config;
  settings: SettingsService;
  accounts: AccountService;
  incidents: IncidentService;
  intake: IntakeService;
  intel: IntelService;
  findings: FindingService;
  /** recurring work, its occurrences and the quarter view (issue 15) */
  work: WorkService;
  campaigns: CampaignService;
  /** the response organisation's teams and the duty roster */
  roster: RosterService;
  /** emergency plans (应急预案), started on the incidents they cover */
  plans: PlanService;
  /** countermeasures: block lists served to firewalls, verified by the alerts after them (issue 16) */
  blocks: BlockService;
  /** the national grading and the regulator's clock (issue 16) */
  regulatory: RegulatoryService;
  assets: AssetService;
  detection: DetectionService;
  reports: ReportService;
  notify: NotifyService;
  command: CommandService;
  evidence: EvidenceStore;
  /** the organisation's time zone in force (saved setting, else configuration, else the machine's) */
  timeZones: OrgTimeZone;
  now: () => Date;
  /** what the background loops say of themselves (GET /api/health) */
  health: Health;
  /** where HTTP intake's bodies are read and stored: here, or (serve) the intake worker */
  gate: IntakeGate;
  /** free-text alert search: here, or (serve) the query worker, bounded in time */
  /** a page of alerts: objects, or (from the query worker) the page written as JSON already */
  alertSearch: (q: AlertQuery) => Promise<Awaited<ReturnType<typeof searchAlerts>> | SerializedAnswer>;
  /** starts the server's background loops (notifications, SLA, spread rule, detection catching up), or only those named; close() stops them */
  startBackground(log: LoopLogger, only?: readonly LoopName[]): void;
  /** runs a loop's pass now (or right after the one under way) */
  trigger(loop: LoopName): void;
  close(): Promise<void>;
}

/** How often each background loop runs when all is well (a failing one backs off up to a minute). */
export const LOOP_INTERVALS = { notify: 2000, sla: 5000, spread: 2000, detection: 5000, retention: 3_600_000, periodic: 60_000, blocks: 30_000 } as const;
/** the loops of the notification role (a worker thread in the embedded default, the notify process at scale) */
export const NOTIFY_LOOPS: readonly LoopName[] = ['notify', 'sla', 'spread', 'retention', 'periodic', 'blocks'];
export type LoopName = keyof typeof LOOP_INTERVALS;

/** The key that seals secrets at rest: the configured one, or the data directory's key file (made once). */
function secretBox(config: Config): SecretBox {
  try {
    return config.secretKey ? SecretBox.fromText(config.secretKey, 'BIHUAN_SECRET_KEY') : SecretBox.fromFile(path.join(config.dataDir, 'secret.key'));
  } catch (e) {
    throw new ConfigError('secretKey', (e as Error).message);
  }
}

export async function openServices(config: Config, opts: { now?: () => Date; migrate?: boolean } = {}): Promise<Services> {
  const now = opts.now ?? (() => new Date());
  const database = openDatabase(config.databaseUrl);
  try {
    if (opts.migrate !== false) await migrateToLatest(database.db);
    const secrets = secretBox(config);
    const settings = new SettingsService(database.db, now, { zone: config.timeZone, from: config.timeZoneFrom });
    const zones = await OrgTimeZone.load(settings, database.db);
    if (opts.migrate !== false) await settings.ensureDefaults();
    const evidence = new EvidenceStore(path.join(config.dataDir, 'evidence'), config.evidenceMaxBytes);
    const accounts = new AccountService(database.db, now, config.sessionTtlMinutes, { attempts: config.lockoutAttempts, minutes: config.lockoutMinutes }, secrets, config.requireTotpForAdmin);
    const incidents = new IncidentService(database.db, settings, evidence, now, zones, database.dialect === 'postgres');
    const intel = new IntelService(database.db, now);
    const assets = new AssetService(database.db, now);
    const intake = new IntakeService(database.db, now, zones, config.maxRecordBytes, () => intel.matcher(), () => assets.lookupIndex(), config.jsonMappings.map(mappedJson));
    intake.deviceClasses = config.deviceClasses;
    intake.forgetCaches = () => {
      intel.forget();
      assets.forget();
    };
    const library = RuleLibrary.load({ builtin: config.detection.builtinRules, dirs: config.detection.rulesDirs, placeholders: config.detection.placeholders, fieldMapping: config.detection.fieldMapping });
    const detection = new DetectionService(database.db, incidents, settings, intake, library, now, { ...DEFAULT_POLICY, windowMs: config.detection.correlationWindowHours * 3_600_000 }, database.dialect === 'postgres');
    const reports = new ReportService(database.db, incidents, evidence, now, zones, secrets);
    const notify = new NotifyService(database.db, now, zones, new TargetPolicy(config.notifyAllowedTargets), secrets);
    if (opts.migrate !== false) await notify.sealStoredSecrets();
    const command = new CommandService(database.db, notify, now);
    // notify.run() (one whole pass, as the tests and the demo call it) checks the spread rule first
    notify.beforeRun = () => command.checkSpread();
    const roster = new RosterService(database.db, now, zones);
    // notification rules may address whoever is on duty; the forms name the reporter from the roster
    notify.onDutyEmails = (db, roles, orgUnit, at) => roster.onDutyEmails(db, roles, orgUnit, at);
    reports.contacts = (orgUnit, username) => roster.formContacts(orgUnit, username);
    const plans = new PlanService(database.db, now, zones, settings, evidence);
    incidents.plans = (db, incident) => plans.startFor(db, incident);
    const findings = new FindingService(database.db, now);
    const blocks = new BlockService(database.db, now, zones);
    const regulatory = new RegulatoryService(database.db, now, zones);
    // the regulator's deadline is escalated like the phase deadlines
    notify.regulatoryDue = (db) => regulatory.dueForEscalation(db);
    reports.national = (incident) => regulatory.worded(incident);
    // the handling gate says how the incident's blocks went in the alerts after them
    incidents.blockFacts = (db, id) => blocks.handlingFacts(db, id);
    const work = new WorkService(database.db, now, zones, evidence, notify);
    const health = new Health(now);
    // each loop a pass at a time, one after another on the notification chain (they share its tables)
    // on PostgreSQL several nodes may run these loops (scale-out): a pass runs where it holds the
    // notification lock (taken after this process's own passes, one at a time), so a notification
    // is sent once and a deadline escalated once
    const exclusive = <T>(pass: () => Promise<T>, lock = 'bihuan:notify') => () =>
      database.dialect === 'postgres'
        ? database.db.transaction().execute(async (trx) => {
            const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(${lock})) as ok`.execute(trx);
            return rows[0]?.ok ? pass() : undefined;
          })
        : pass();
    const loops = {
      spread: new BackgroundLoop('spread', () => notify.oneAtATime(exclusive(() => command.checkSpread())), health, { intervalMs: LOOP_INTERVALS.spread }),
      notify: new BackgroundLoop('notify', () => notify.oneAtATime(exclusive(async () => (await notify.scanTimelines()) + (await notify.deliverDue()))), health, { intervalMs: LOOP_INTERVALS.notify }),
      retention: new BackgroundLoop('retention', exclusive(() => purgeExpired(database.db, now(), { alerts: config.alertRetentionDays, events: config.eventRetentionDays }), 'bihuan:retention'), health, { intervalMs: LOOP_INTERVALS.retention }),
      sla: new BackgroundLoop('sla', () => notify.oneAtATime(exclusive(() => notify.scanDeadlines())), health, { intervalMs: LOOP_INTERVALS.sla }),
      // recurring work: occurrences laid out a month ahead, each past its due date escalated once
      periodic: new BackgroundLoop('periodic', () => notify.oneAtATime(exclusive(() => work.checkOverdue())), health, { intervalMs: LOOP_INTERVALS.periodic }),
      // block-list entries past their expiry leave the lists (they already do at read time) and say so on the incident
      blocks: new BackgroundLoop('blocks', () => notify.oneAtATime(exclusive(() => blocks.expireDue())), health, { intervalMs: LOOP_INTERVALS.blocks }),
      // alerts stored by another process (the CLI) or while a run failed are picked up here
      detection: new BackgroundLoop('detection', () => detection.catchUp(), health, { intervalMs: LOOP_INTERVALS.detection }),
    };
    // new alerts are handed to detection after each committed batch (the table is the record it recovers from), one run at a time
    intake.onCommitted = (stored) => {
      detection.offer(stored);
      const run = detection.catchUp();
      loops.detection.observe(run);
      // detection shares this thread: when it falls behind, intake waits for its run rather than
      // outrun it (what it stored past detection's hands would be read back and parsed again)
      if (detection.behind) return run.then(
        () => undefined,
        () => undefined,
      );
    };
    return {
      database,
      config,
      settings,
      accounts,
      incidents,
      intake,
      intel,
      findings,
      work,
      campaigns: new CampaignService(database.db, now, zones, findings),
      roster,
      plans,
      blocks,
      regulatory,
      assets,
      detection,
      reports,
      notify,
      command,
      evidence,
      timeZones: zones,
      now,
      health,
      gate: { ingestBody: (body, kind, o) => ingestBody(intake, bodyText(body), kind, o) },
      alertSearch: (q) => searchAlerts(database.db, q, now()),
      startBackground: (log, only) => {
        health.useLogger(log);
        for (const [name, loop] of Object.entries(loops)) if (!only || only.includes(name as LoopName)) loop.start();
      },
      trigger: (name) => loops[name].trigger(),
      close: async () => {
        await Promise.all(Object.values(loops).map((l) => l.stop()));
        await notify.stop();
        await detection.idle();
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}
