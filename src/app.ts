/**
 * Wires the product together for one database: opens it, migrates, seeds the defaults, and
 * builds the services. Used by `serve`, the CLI and the tests alike.
 */
import path from 'node:path';
import { AccountService } from './account/account.service.js';
import type { Config } from './config.js';
import { EvidenceStore } from './evidence/evidence.store.js';
import { IncidentService } from './incident/incident.service.js';
import { IntakeService } from './intake/intake.service.js';
import { IntelService } from './intel/intel.service.js';
import { AssetService } from './asset/asset.service.js';
import { DetectionService } from './detection/detection.service.js';
import { ReportService } from './report/report.service.js';
import { NotifyService } from './notify/notify.service.js';
import { CommandService } from './command/command.service.js';
import { RuleLibrary } from './detection/rule-library.js';
import { mappedJson } from './intake/formats/mapped-json.js';
import { SettingsService } from './settings/settings.service.js';
import { type Database, openDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { DEFAULT_POLICY } from './domain/detection/policy.js';

export interface Services {
  database: Database;
  config: Config;
  settings: SettingsService;
  accounts: AccountService;
  incidents: IncidentService;
  intake: IntakeService;
  intel: IntelService;
  assets: AssetService;
  detection: DetectionService;
  reports: ReportService;
  notify: NotifyService;
  command: CommandService;
  evidence: EvidenceStore;
  now: () => Date;
  close(): Promise<void>;
}

export async function openServices(config: Config, opts: { now?: () => Date; migrate?: boolean } = {}): Promise<Services> {
  const now = opts.now ?? (() => new Date());
  const database = openDatabase(config.databaseUrl);
  try {
    if (opts.migrate !== false) await migrateToLatest(database.db);
    const settings = new SettingsService(database.db, now);
    if (opts.migrate !== false) await settings.ensureDefaults();
    const evidence = new EvidenceStore(path.join(config.dataDir, 'evidence'), config.evidenceMaxBytes);
    const accounts = new AccountService(database.db, now, config.sessionTtlMinutes);
    const incidents = new IncidentService(database.db, settings, evidence, now, config.timeZone, database.dialect === 'postgres');
    const intel = new IntelService(database.db, now);
    const assets = new AssetService(database.db, now);
    const intake = new IntakeService(database.db, now, config.timeZone, config.maxRecordBytes, () => intel.matcher(), () => assets.lookupIndex(), config.jsonMappings.map(mappedJson));
    const library = RuleLibrary.load({ builtin: config.detection.builtinRules, dirs: config.detection.rulesDirs, placeholders: config.detection.placeholders, fieldMapping: config.detection.fieldMapping });
    const detection = new DetectionService(database.db, incidents, settings, library, now, { ...DEFAULT_POLICY, windowMs: config.detection.correlationWindowHours * 3_600_000 }, database.dialect === 'postgres');
    const reports = new ReportService(database.db, incidents, evidence, now, config.timeZone);
    const notify = new NotifyService(database.db, now, config.timeZone);
    const command = new CommandService(database.db, notify, now);
    // the spread rule runs in the notification loop, before its scan
    notify.beforeRun = () => command.checkSpread();
    // new alerts are handed to detection after each committed batch (the table is the record it recovers from), one run at a time
    intake.onCommitted = (stored) => {
      detection.offer(stored);
      detection.catchUp().catch((e: unknown) => detection.onError?.(e));
    };
    return {
      database,
      config,
      settings,
      accounts,
      incidents,
      intake,
      intel,
      assets,
      detection,
      reports,
      notify,
      command,
      evidence,
      now,
      close: async () => {
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
