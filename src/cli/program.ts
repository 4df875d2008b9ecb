/**
 * The CLI program. It works on the database directly (as the operator of this installation,
 * audited as `cli:<os user>`), so it is usable before any account exists and when the server
 * is down.
 */
import { driverLifeReplayed, prepareDriverLife, replayDriverLife, replayDriverLifeLive } from '../demo/driverlife.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { decodeFileText } from '../domain/text.js';
import YAML from 'yaml';
import { type Services, openServices } from '../app.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import type { Actor } from '../domain/account/roles.js';
import { ROLES } from '../domain/account/roles.js';
import { DomainError } from '../domain/errors.js';
import { isUtc } from '../domain/alert/time-zone.js';
import type { GradingEntry, Level } from '../domain/grading/grading.js';
import { OBSERVABLE_TYPES } from '../domain/incident/incident.js';
import { PHASES, type Phase } from '../domain/incident/phase.js';
import { SORTS, type IncidentSort } from '../incident/incident.repository.js';
import type { AssetInput, ObservableInput } from '../incident/incident.service.js';
import { buildHealthServer, buildServer } from '../http/server.js';
import { DatabaseOpenError, dialectOf, openDatabase, sqlitePath } from '../store/database.js';
import { backupTo, restoreFrom } from '../store/backup.js';
import { verifyAuditChain } from '../audit/audit.repository.js';
import { migrateToLatest } from '../store/migrate.js';
import { storageConflict } from '../store/errors.js';
import { printIncident, printIncidentList, printGrading } from './print.js';
import { addDetectionCommands } from './detection-commands.js';
import { addPeriodicCommands } from './periodic-commands.js';
import { addPreparationCommands } from './preparation-commands.js';
import { addBlockCommands } from './block-commands.js';
import { addRegulatoryCommands } from './regulatory-commands.js';
import { int } from './options.js';
import { ALERT_FORMATS, type AlertFormat } from '../domain/alert/alert.js';
import { instant } from '../domain/text.js';
import { INTEL_FORMATS, type IntelFormat } from '../domain/alert/indicator.js';
import { searchAlerts } from '../intake/alert.repository.js';
import { maybeGunzip, readLines } from '../intake/lines.js';
import { type SyslogListener, startConfiguredSyslog } from '../intake/syslog-listener.js';
import { startHeapTrim } from '../runtime/heap-trim.js';
import { RoleWorkers } from '../runtime/role-workers.js';
import { purgeExpired } from '../intake/retention.js';
import { NODE_ROLES, type NodeRole, type RunningRole, servesApi, startRole } from '../runtime/scale-out.js';

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A YAML (or JSON) document from a file, or a validation error naming the file. */
function readDocument(file: string): unknown {
  try {
    return YAML.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new DomainError('validation', `${file}: ${(e as Error).message}`);
  }
}

/** A file opened for reading, or the reason it cannot be (a stream would report it only once read). */
async function openReadable(file: string): Promise<fs.ReadStream> {
  const handle = await fs.promises.open(file, 'r');
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  }
  return handle.createReadStream();
}

/** The zone device times without an offset are read in, where it comes from — and a warning when it is UTC and nobody chose it (a container's default). */
function timeZoneLines(s: Services): string[] {
  const { setting: tz, from: source } = s.timeZones.current();
  const from = { settings: '设置 → 时区, saved in the settings', configured: s.config.configFile ? `BIHUAN_TIMEZONE or ${s.config.configFile}` : 'BIHUAN_TIMEZONE', machine: "the machine's zone, not chosen" }[source];
  const lines = [`  time zone:     ${tz.zone} (${from})${tz.sources.length ? `; ${tz.sources.length} source(s) keep their own` : ''}`];
  if (source === 'machine' && isUtc(tz.zone)) {
    lines.push(`  warning: device times without an offset (syslog RFC 3164, BIND, CEF rt, HFish) are read as UTC because no time zone was chosen; a Beijing device's events would land 8 hours off. Choose the organisation's zone in 设置 → 时区 (Settings → Time zone) or BIHUAN_TIMEZONE, e.g. Asia/Shanghai.`);
  }
  return lines;
}

/** records per transaction when reading files (measured on SQLite: 2000 is ~30% faster than 500, as fast as 5000 with ~35 MB less peak RSS) */
export const FILE_BATCH = 2000;


export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const actor: Actor = { kind: 'cli', label: os.userInfo().username };
  const print = (s = '') => io.out(`${s}\n`);
  const printErr = (s: string) => io.err(`${s}\n`);
  let services: Services | undefined;
  /** set by a command that finished but must report failure (e.g. rejected records) */
  let exitCode = 0;

  const program = new Command('bihuan')
    .description('Bihuan (闭环): closed-loop security incident response')
    .option('-c, --config <file>', 'YAML configuration file (or BIHUAN_CONFIG)')
    .option('--database <url>', 'database URL (or BIHUAN_DATABASE_URL): sqlite:PATH or postgres://…')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  let announced = false;
  const config = (env: Record<string, string | undefined> = {}): Config => {
    const g = program.opts<{ config?: string; database?: string }>();
    const cfg = loadConfig({ ...io.env, ...env, ...(g.config ? { BIHUAN_CONFIG: g.config } : {}) }, g.database ? { databaseUrl: g.database } : {});
    // say which file was read (./bihuan.yaml is read when present, without being named)
    if (cfg.configFile && !announced) io.err(`configuration: ${cfg.configFile}\n`);
    announced = true;
    return cfg;
  };
  const open = async (): Promise<Services> => (services ??= await openServices(config()));
  addPeriodicCommands(program, { open, print, actor, fail: () => (exitCode = 1) });
  addPreparationCommands(program, { open, print, actor, fail: () => (exitCode = 1) });
  addBlockCommands(program, { open, print, actor });
  addRegulatoryCommands(program, { open, print, actor });
  addDetectionCommands(program, {
    config,
    open,
    print,
    err: io.err,
    actor,
    fail: () => {
      exitCode = 1;
    },
  });

  /** One role of the scale-out mode in this process (src/runtime/scale-out.ts). */
  const serveRole = async (role: NodeRole, o: { port?: number; host?: string; partition?: string }) => {
    const cfg = config();
    if (o.port !== undefined) cfg.port = o.port;
    if (o.host) cfg.host = o.host;
    const s = await openServices(cfg);
    const admin = role === 'api' ? await s.accounts.ensureFirstAdmin({ kind: 'system', label: 'first-start' }, cfg.adminPassword) : undefined;
    const app = servesApi(role) ? await buildServer(s) : await buildHealthServer(s);
    s.health.useLogger(app.log);
    process.on('unhandledRejection', (e) => s.health.failed('process', e));
    let running: RunningRole;
    try {
      running = await startRole(role, s, app.log, { partition: o.partition });
    } catch (e) {
      await app.close();
      await s.close();
      throw e;
    }
    await app.listen({ port: cfg.port, host: cfg.host });
    const addr = app.server.address();
    const url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${typeof addr === 'object' && addr ? addr.port : cfg.port}`;
    print(`Bihuan (闭环) ${running.describe} is running at ${url}${servesApi(role) ? '' : ' (/api/health only)'}`);
    print(`  database:      ${s.database.describe}`);
    for (const l of timeZoneLines(s)) print(l);
    if (running.syslog?.udp) print(`  syslog (UDP):  ${running.syslog.udp}`);
    if (running.syslog?.tcp) print(`  syslog (TCP):  ${running.syslog.tcp}`);
    if (admin?.created) print(`First start: the admin account "${admin.username}" was created${admin.generatedPassword ? `, password ${admin.generatedPassword} (shown only this once)` : ' with BIHUAN_ADMIN_PASSWORD'}.`);
    print('Press Ctrl+C to stop.');
    const stop = async () => {
      await app.close();
      await running.stop();
      await s.close();
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    await new Promise<void>((resolve) => app.server.once('close', () => resolve()));
  };

  const serve = async (o: { port?: number; host?: string; demo?: boolean; demoDelay?: number; demoPace?: number; demoAtOnce?: boolean; originalTimes?: boolean; dataDir?: string; role?: string; partition?: string }) => {
      if (o.role !== undefined) {
        if (!(NODE_ROLES as readonly string[]).includes(o.role)) throw new DomainError('validation', `--role: "${o.role}" is not a role (${NODE_ROLES.join(', ')})`);
        if (o.demo) throw new DomainError('validation', '--demo runs in the embedded default (bihuan serve without --role)');
        return serveRole(o.role as NodeRole, o);
      }
      if (o.partition !== undefined) throw new DomainError('validation', '--partition is for detection workers: bihuan serve --role detect --partition i/N');
      const cfg = config(o.dataDir ? { BIHUAN_DATA_DIR: o.dataDir } : {});
      if (o.port !== undefined) cfg.port = o.port;
      if (o.host) cfg.host = o.host;
      const s = await openServices(cfg);
      const admin = await s.accounts.ensureFirstAdmin({ kind: 'system', label: 'first-start' }, cfg.adminPassword);
      const app = await buildServer(s);
      // background work — detection catching up with alerts stored while the server was down (or by
      // the CLI), notifications, SLA escalations, the spread rule — from what is stored, so a restart
      // repeats and forgets nothing; a failing loop backs off and shows in /api/health, never ends the process
      process.on('unhandledRejection', (e) => s.health.failed('process', e));
      let syslogPorts: { udp?: number; tcp?: number } | undefined;
      let syslog: SyslogListener | undefined;
      let workers: RoleWorkers | undefined;
      let trim: ReturnType<typeof startHeapTrim> | undefined;
      if (cfg.workers === 'threads') {
        // the API thread answers people; intake, detection, notifications and searches have threads of their own
        workers = new RoleWorkers(cfg, s.health, app.log);
        const w = workers;
        s.gate = { ingestBody: (body, kind, opts) => w.ingestBody(body, kind, opts) };
        s.alertSearch = (q) => w.searchAlerts(q);
        syslogPorts = (await workers.start()).syslog;
        // this thread only answers: its heap is kept near what it holds (the workers bound theirs)
        trim = startHeapTrim((e) => app.log.warn({ err: e }, 'the API thread could not ask for a heap collection; its memory is left to V8'));
      } else {
        s.startBackground(app.log);
        const started = await startConfiguredSyslog(s.intake, app.log, s.health, cfg);
        syslog = started.listener;
        syslogPorts = started.ports;
      }
      await app.listen({ port: cfg.port, host: cfg.host });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
      const shown = cfg.host === '0.0.0.0' || cfg.host === '::' ? 'localhost' : cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
      const url = `http://${shown}:${port}`;
      print('');
      print(`Bihuan (闭环) is running at ${url}`);
      print(`  API document:  ${url}/docs`);
      print(`  database:      ${s.database.describe}`);
      for (const l of timeZoneLines(s)) print(l);
      if (!cfg.secretKey) print(`  secret key:    ${path.join(path.resolve(cfg.dataDir), 'secret.key')} (seals stored secrets; keep it, apart from backups — or set BIHUAN_SECRET_KEY)`);
      if (syslogPorts?.udp) print(`  syslog (UDP):  ${cfg.syslogUdp!.replace(/:\d+$/, '')}:${syslogPorts.udp}`);
      if (syslogPorts?.tcp) print(`  syslog (TCP):  ${cfg.syslogTcp!.replace(/:\d+$/, '')}:${syslogPorts.tcp}`);
      if (admin.created) {
        print('');
        print('First start: the admin account was created.');
        print(`  user name:  ${admin.username}`);
        if (admin.generatedPassword) {
          print(`  password:   ${admin.generatedPassword}`);
          print('  (shown only this once — keep it; set BIHUAN_ADMIN_PASSWORD before the first start to choose it)');
        } else {
          print('  password:   the value of BIHUAN_ADMIN_PASSWORD');
        }
        print(`  sign in:    curl -c cookies.txt -H 'content-type: application/json' -d '{"username":"admin","password":"…"}' ${url}/api/auth/login`);
      }
      print('');
      print(`Open ${url} in a browser for the console (中文; English at the top right).`);
      if (o.demo) {
        // a first look: the DriverLife outbreak, replayed through intake and detection into this database
        await prepareDriverLife(s);
        const header = await s.reports.header();
        if (!header.unitName) await s.reports.setHeader({ kind: 'system', label: 'demo' }, { ...header, unitName: '演示单位（Bihuan demo）', systems: [{ name: '文件共享', use: '上海分公司内部文件共享服务' }] });
        let replay: Promise<void> | undefined;
        if (await driverLifeReplayed(s)) {
          // a rerun adds nothing: the outbreak is in this database already
          const ids = (await s.incidents.list({ sort: 'created', limit: 20 })).items.map((i) => i.id);
          print(`Demo: the outbreak was replayed into ${s.database.describe} before (${ids.join(', ') || 'no incidents'}); nothing added. To replay it afresh, stop the demo and remove ${path.resolve(cfg.dataDir)}.`);
        } else if (o.originalTimes || o.demoAtOnce || o.demoDelay) {
          print(`Demo: replaying the DriverLife (驱动人生) outbreak${o.originalTimes ? ' at its 2019 device times' : ', moved to end now'}${o.demoDelay ? `, one record every ${o.demoDelay} ms — watch the queue` : ''}…`);
          replay = replayDriverLife(s, { delayMs: o.demoDelay ?? 0, endAt: o.originalTimes ? undefined : new Date() }).then(async (ids) => {
            await s.notify.run();
            print(`Demo: ${ids.length} incident(s) from the outbreak: ${ids.join(', ')}`);
          });
        } else {
          const pace = o.demoPace ?? 120;
          print(`Demo: replaying the DriverLife (驱动人生) outbreak as it arrived, ${pace}× faster (its two hours in ${Math.round(7_060 / pace)} s), each record at the time it is sent — watch the queue; SLA clocks start as each incident appears…`);
          replay = replayDriverLifeLive(s, { speedup: pace }).then(async (ids) => {
            await s.notify.run();
            print(`Demo: ${ids.length} incident(s) from the outbreak: ${ids.join(', ')}`);
          });
        }
        if (replay && o.demoAtOnce) await replay;
        else if (replay && o.originalTimes && !o.demoDelay) await replay;
        else replay?.catch((e: unknown) => app.log.error({ err: e }, 'demo replay failed'));
      }
      print('Press Ctrl+C to stop.');
      const stop = async () => {
        await syslog?.stop();
        trim?.stop();
        await workers?.stop();
        await app.close();
        await s.close();
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      await new Promise<void>((resolve) => app.server.once('close', () => resolve()));
  };

  program
    .command('serve')
    .description('run the server (web console, API, OpenAPI document at /docs) on the configured database')
    .option('-p, --port <port>', 'port (or BIHUAN_PORT; default 8080)', int('port'))
    .option('-H, --host <host>', 'address to bind (or BIHUAN_HOST; default 127.0.0.1)')
    .option('--demo', 'also load the DriverLife outbreak (see `bihuan demo`)')
    .option('--demo-delay <ms>', 'with --demo: milliseconds between replayed records, so incidents appear live', int('demo-delay'))
    .option('--original-times', 'with --demo: keep the outbreak\'s 2019 device times (default: moved so that it ends now)')
    .option('--role <role>', `scale-out: run one role in this process — ${NODE_ROLES.join(', ')} — over PostgreSQL and NATS JetStream (BIHUAN_BUS_URL); see docs/deploy.md`)
    .option('--partition <i/N>', 'with --role detect: this is detection worker i of N (from 0), e.g. 0/2 (default 0/1)')
    // on an existing installation the outbreak is loaded at once (moved to end now), unless paced
    .action((o: Parameters<typeof serve>[0]) => serve({ ...o, demoAtOnce: o.demo && !o.demoDelay && !o.originalTimes ? true : undefined }));

  program
    .command('demo')
    .description('a first look: run the server on a data directory of its own and replay the DriverLife (驱动人生) outbreak into it — zones, inventory, threat intelligence, then the devices\' alerts as they arrived, faster — so the console fills within a minute. A rerun adds nothing (the outbreak is there already)')
    .option('-p, --port <port>', 'port (or BIHUAN_PORT; default 8080)', int('port'))
    .option('-H, --host <host>', 'address to bind (or BIHUAN_HOST; default 127.0.0.1)')
    .option('--data-dir <dir>', 'the demo\'s data directory (default: BIHUAN_DATA_DIR if set, else ./data-demo — never the ./data of `npm start`)')
    .option('--pace <n>', 'how many times faster than it happened (default 120: the outbreak\'s two hours in a minute)', int('pace'))
    .option('--at-once', 'replay every record at once, moved so that the outbreak ends now (SLA clocks then read two hours in)')
    .option('--delay <ms>', 'like --at-once, but one record every <ms> milliseconds', int('delay'))
    .option('--original-times', 'keep the outbreak\'s 2019 device times (replayed at once)')
    .action((o: { port?: number; host?: string; dataDir?: string; pace?: number; atOnce?: boolean; delay?: number; originalTimes?: boolean }) =>
      serve({ port: o.port, host: o.host, dataDir: o.dataDir ?? (io.env.BIHUAN_DATA_DIR ? undefined : 'data-demo'), demo: true, demoPace: o.pace && o.pace > 0 ? o.pace : undefined, demoAtOnce: o.atOnce, demoDelay: o.delay, originalTimes: o.originalTimes }),
    );

  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (the server also does this at start)')
    .action(async () => {
      const cfg = config();
      const database = openDatabase(cfg.databaseUrl);
      try {
        const { applied } = await migrateToLatest(database.db);
        print(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
        print(`database: ${database.describe}`);
      } finally {
        await database.close();
      }
    });

  program
    .command('purge')
    .description('delete what is past its retention: alerts stored more than BIHUAN_ALERT_RETENTION_DAYS ago (default 365), events more than BIHUAN_EVENT_RETENTION_DAYS (default 180); alerts on incidents or with a verdict are kept. The server does this every hour.')
    .option('--dry-run', 'only count what would be deleted')
    .option('--json', 'JSON output')
    .action(async (o: { dryRun?: boolean; json?: boolean }) => {
      const s = await open();
      const days = { alerts: s.config.alertRetentionDays, events: s.config.eventRetentionDays };
      const out = await purgeExpired(s.database.db, s.now(), days, { dryRun: o.dryRun });
      if (o.json) print(JSON.stringify({ dryRun: !!o.dryRun, ...out }));
      else {
        const verb = o.dryRun ? 'would delete' : 'deleted';
        print(`${verb} ${out.alerts} alert(s) stored before ${out.alertsBefore} (${days.alerts} days) and ${out.events} event(s) stored before ${out.eventsBefore} (${days.events} days); alerts on incidents or with a verdict are kept`);
      }
    });

  program
    .command('backup <file>')
    .description('back up the embedded database and the evidence store (evidence and exported reports) into one new file, while the server runs (SQLite online backup); on PostgreSQL use pg_dump, see the README')
    .action(async (file: string) => {
      const cfg = config();
      const database = openDatabase(cfg.databaseUrl);
      try {
        const b = await backupTo(database, path.join(cfg.dataDir, 'evidence'), file, new Date());
        print(`backup written to ${b.file}: ${b.tables.incidents ?? 0} incident(s), ${b.tables.alerts ?? 0} alert(s), ${b.tables.events ?? 0} event(s), ${b.tables.audit_log ?? 0} audit row(s), ${b.files} stored file(s) of ${b.bytes} bytes`);
        print('keep the secret key (BIHUAN_SECRET_KEY or the data directory\'s secret.key) apart from it: the backup holds channel secrets encrypted with it');
      } finally {
        await database.close();
      }
    });
  program
    .command('restore <file>')
    .description('replace the embedded database and fill the evidence store from a backup, after checking it whole; the server must be stopped')
    .option('--force', 'replace a database that holds incidents already')
    .action(async (file: string, o: { force?: boolean }) => {
      const cfg = config();
      if (dialectOf(cfg.databaseUrl) === 'postgres') throw new DomainError('validation', 'bihuan restore restores the embedded SQLite database; on PostgreSQL use pg_restore (see the README)');
      const b = restoreFrom(file, sqlitePath(cfg.databaseUrl), path.join(cfg.dataDir, 'evidence'), { force: o.force });
      print(`restored ${b.file} (made ${b.createdAt}): ${b.tables.incidents ?? 0} incident(s), ${b.tables.alerts ?? 0} alert(s), ${b.tables.events ?? 0} event(s), ${b.files} stored file(s)`);
      print(`into ${path.resolve(sqlitePath(cfg.databaseUrl))}; start the server as usual`);
    });

  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check the audit trail\'s hash chain; names the first row that was changed, removed or inserted around it (exit code 1 then)')
    .action(async () => {
      const s = await open();
      const v = await verifyAuditChain(s.database.db);
      const unchained = v.unchained ? ` (${v.unchained} earlier row(s) predate the chain and are not checked)` : '';
      if (v.ok) {
        print(`audit trail intact: ${v.rows} row(s) chained${unchained}`);
        return;
      }
      print(`audit trail BROKEN at row ${v.broken!.id}: ${v.broken!.reason}; ${v.rows} row(s) before it are intact${unchained}`);
      exitCode = 1;
    });

  const user = program.command('user').description('accounts');
  user
    .command('add <username>')
    .description('add a user; without --password one is generated and printed once')
    .addOption(new Option('-r, --role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .option('-n, --name <display name>', 'display name')
    .option('--password <password>', 'password (at least 10 characters)')
    .option('--org <code>', 'org unit')
    .action(async (username: string, o: { role: string; name?: string; password?: string; org?: string }) => {
      const s = await open();
      const { user: u, generatedPassword } = await s.accounts.createUser(actor, { username, role: o.role, displayName: o.name, password: o.password, orgUnit: o.org });
      print(`created user ${u.username} (id ${u.id}, role ${u.role})`);
      if (generatedPassword) print(`password: ${generatedPassword}   (shown only this once)`);
    });
  user
    .command('list')
    .description('list users')
    .action(async () => {
      const s = await open();
      for (const u of await s.accounts.listUsers()) print(`${String(u.id).padStart(4)}  ${u.username.padEnd(20)} ${u.role.padEnd(10)} ${u.disabled ? 'disabled' : ''}`);
    });

  const incident = program.command('incident').description('incidents');
  incident
    .command('list')
    .description('list incidents (default: least SLA time left first)')
    .option('--level <levels>', 'level(s), e.g. 1 or 1,2')
    .addOption(new Option('--phase <phase>', 'phase').choices([...PHASES]))
    .option('--type <type>', 'incident type')
    .option('--owner <userId>', 'owner user id', int('owner'))
    .option('--org <code>', 'org unit')
    .option('--overdue', 'only overdue')
    .option('-q, --text <text>', 'text in id, title, description, observables, assets')
    .addOption(new Option('--sort <sort>', 'sort order').choices([...SORTS]).default('due'))
    .option('--limit <n>', 'page size (1–200)', int('limit'), 50)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'JSON output')
    .action(async (o: { level?: string; phase?: Phase; type?: string; owner?: number; org?: string; overdue?: boolean; text?: string; sort: IncidentSort; limit: number; cursor?: string; json?: boolean }) => {
      const s = await open();
      if (o.level && !/^[1-4](,[1-4])*$/.test(o.level)) throw new DomainError('validation', `--level: "${o.level}" is not a level or a comma-separated list of levels 1–4`);
      if (o.limit < 1 || o.limit > 200) throw new DomainError('validation', '--limit: must be from 1 to 200');
      const page = await s.incidents.list({
        levels: o.level?.split(',').map((l) => Number(l) as Level),
        phases: o.phase ? [o.phase] : undefined,
        type: o.type,
        ownerId: o.owner,
        orgUnit: o.org,
        overdue: o.overdue,
        q: o.text,
        sort: o.sort,
        limit: o.limit,
        cursor: o.cursor,
      });
      if (o.json) print(JSON.stringify(page, null, 2));
      else printIncidentList(print, page);
    });

  incident
    .command('show <id>')
    .description('one incident with tasks, timeline and history')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      const s = await open();
      const d = await s.incidents.get(id);
      if (o.json) print(JSON.stringify(d, null, 2));
      else printIncident(print, d, s.now());
    });

  incident
    .command('create')
    .description('create an incident: graded from the grading table, with its playbook tasks and deadlines')
    .requiredOption('-t, --title <title>', 'title')
    .requiredOption('--type <type>', 'incident type from the grading table (see `bihuan grading show`)')
    .option('-d, --description <text>', 'description')
    .option('--level <level>', 'level 1–4, only to deviate from the grading table (needs --level-reason)', int('level'))
    .option('--level-reason <text>', 'why the level differs from the table')
    .option('--org <code>', 'org unit (default: HQ)')
    .option('--owner <userId>', 'owner user id', int('owner'))
    .option('--team <team>', 'team, e.g. 处置组')
    .option('--detected-at <time>', 'when it was detected (ISO-8601); deadlines count from it')
    .option('--asset <ip|hostname>', 'affected asset (repeatable)', collect)
    .option('--observable <type:value>', `observable (repeatable); types: ${OBSERVABLE_TYPES.join(', ')}`, collect)
    .option('--json', 'JSON output')
    .action(async (o: { title: string; type: string; description?: string; level?: number; levelReason?: string; org?: string; owner?: number; team?: string; detectedAt?: string; asset?: string[]; observable?: string[]; json?: boolean }) => {
      const s = await open();
      const d = await s.incidents.create(actor, {
        title: o.title,
        type: o.type,
        description: o.description,
        level: o.level,
        levelReason: o.levelReason,
        orgUnit: o.org,
        ownerId: o.owner,
        team: o.team,
        detectedAt: o.detectedAt,
        assets: (o.asset ?? []).map(assetArg),
        observables: (o.observable ?? []).map(observableArg),
      });
      if (o.json) print(JSON.stringify(d, null, 2));
      else {
        print(`created ${d.id}: level ${d.level} ${d.typeName.zh}, ${d.priorityTier} tier, ${d.tasks.length} playbook tasks`);
        print(`next: report due ${d.deadlines.report}`);
      }
    });

  incident
    .command('advance <id> <phase>')
    .description(`move an incident to a phase (${PHASES.join(' → ')}); going back needs --reason`)
    .option('--reason <text>', 'reason (required to go back, to reopen, or with --override)')
    .option('--override', 'admin: move although gates refuse (recorded with the reason)')
    .action(async (id: string, phase: string, o: { reason?: string; override?: boolean }) => {
      const s = await open();
      const d = await s.incidents.move(actor, id, { to: phase, reason: o.reason, override: o.override });
      print(`${d.id} is now in phase ${d.phase}${d.phaseDueAt ? ` (due ${d.phaseDueAt})` : ''}`);
    });

  incident
    .command('grade <id>')
    .description('change the level and/or type; re-plans deadlines and tasks')
    .option('--level <level>', 'new level 1–4', int('level'))
    .option('--type <type>', 'new incident type')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { level?: number; type?: string; reason: string }) => {
      const s = await open();
      const d = await s.incidents.grade(actor, id, o);
      print(`${d.id}: level ${d.level} (${d.typeName.zh}), ${d.priorityTier} tier; ${d.phase} due ${d.phaseDueAt ?? '-'}`);
    });

  incident
    .command('update <id>')
    .description('edit facts and closure data')
    .option('--title <title>')
    .option('--description <text>')
    .option('--owner <userId>', 'owner user id', int('owner'))
    .option('--team <team>')
    .option('--org <code>')
    .addOption(new Option('--resolution <resolution>').choices(['true_positive', 'false_positive', 'duplicate', 'drill']))
    .option('--conclusion <text>')
    .option('--recommendations <text>')
    .action(async (id: string, o: { title?: string; description?: string; owner?: number; team?: string; org?: string; resolution?: string; conclusion?: string; recommendations?: string }) => {
      const s = await open();
      const d = await s.incidents.update(actor, id, {
        title: o.title,
        description: o.description,
        ownerId: o.owner,
        team: o.team,
        orgUnit: o.org,
        resolution: o.resolution,
        conclusion: o.conclusion,
        recommendations: o.recommendations,
      });
      print(`updated ${d.id}`);
    });

  incident
    .command('asset <id>')
    .description('add an affected asset')
    .option('--ip <ip>')
    .option('--hostname <name>')
    .option('--system <name>', 'business system')
    .option('--org <code>', 'org unit of the asset')
    .action(async (id: string, o: { ip?: string; hostname?: string; system?: string; org?: string }) => {
      const s = await open();
      const r = await s.incidents.addAsset(actor, id, { ip: o.ip, hostname: o.hostname, businessSystem: o.system, orgUnit: o.org });
      print(`added asset ${r.id} to ${id}`);
    });

  incident
    .command('observable <id> <type> <value>')
    .description(`add an observable (${OBSERVABLE_TYPES.join(', ')})`)
    .action(async (id: string, type: string, value: string) => {
      const s = await open();
      const r = await s.incidents.addObservable(actor, id, { type, value });
      print(`observable ${r.id} on ${id}`);
    });

  incident
    .command('report-sent <id>')
    .description('record that the incident report (事件上报表) was sent')
    .requiredOption('--to <recipients>', 'who received it, e.g. "指挥组, 处置组"')
    .option('--channel <channel>', 'email, phone, im …', 'email')
    .option('--at <time>', 'when it was sent (ISO-8601; default now)')
    .action(async (id: string, o: { to: string; channel: string; at?: string }) => {
      const s = await open();
      await s.incidents.recordReportSent(actor, id, { recipients: o.to, channel: o.channel, sentAt: o.at });
      print(`recorded: report of ${id} sent to ${o.to}`);
    });

  incident
    .command('task <id> <taskIds...>')
    .description('set the status of tasks (default: done)')
    .addOption(new Option('--status <status>').choices(['open', 'in_progress', 'done', 'skipped']).default('done'))
    .option('--note <text>', 'note (required to skip)')
    .action(async (id: string, taskIds: string[], o: { status: string; note?: string }) => {
      const s = await open();
      for (const t of taskIds) {
        const task = await s.incidents.updateTask(actor, id, int('taskId')(t), { status: o.status, note: o.note });
        print(`task ${task.id} ${task.status}: ${task.title}`);
      }
    });

  incident
    .command('timeline <id> <occurredAt> <text>')
    .description('add a timeline entry at the time it happened (ISO-8601)')
    .option('--source <source>', 'where it came from', 'manual')
    .action(async (id: string, occurredAt: string, text: string, o: { source: string }) => {
      const s = await open();
      await s.incidents.addTimelineEntry(actor, id, { occurredAt, text, source: o.source });
      print(`added to the timeline of ${id}`);
    });

  incident
    .command('why <id>')
    .description('why detection filed the incident: its signals (rule, level, count, where, the fields that matched or the correlation that fired), the hosts in the order they were hit and the first one — what the console shows, without a server')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      const s = await open();
      const why = await s.detection.incidentDetection(id);
      if (o.json) {
        print(JSON.stringify(why, null, 2));
        return;
      }
      if (!why.signals.length) print(`${id}: no detection signals (opened by hand)`);
      for (const x of why.signals) {
        const target = x.indicator ?? x.destinationIp ?? (x.host !== x.sourceIp ? x.host : null);
        const where = [x.sourceIp ?? x.host, target].filter(Boolean).join(' → ');
        print(`${x.firstSeen}${x.lastSeen !== x.firstSeen ? ` … ${x.lastSeen}` : ''}  ${x.rule.title}  [${x.type}, level ${x.level}] ×${x.count}${where ? `  ${where}` : ''}`);
        const e = x.explanation;
        if (e.kind === 'correlation') print(`    correlation ${String(e.type)}: ${JSON.stringify(e.group)} = ${JSON.stringify(e.value)}, ${JSON.stringify(e.condition)} within ${String(e.timespan)} (${String(e.from)} – ${String(e.to)})`);
        else if (Array.isArray(e.selections)) {
          // the selections of the rule that matched, and what the alert said
          print(`    matched: ${(e.selections as unknown[]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ')}${typeof e.message === 'string' ? ` — ${e.message.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`);
        }
        if (x.rule.file) print(`    rule ${x.rule.file}; alerts ${x.alertIds.slice(0, 10).join(', ')}${x.alertIds.length > 10 ? ' …' : ''}`);
      }
      if (why.spread.hosts.length) {
        print(`hosts, in the order they were hit (first: ${why.spread.firstHost?.host ?? '-'}):`);
        for (const h of why.spread.hosts) print(`  ${h.order}. ${h.host}${h.hostname ? ` (${h.hostname})` : ''}${h.orgUnit ? ` [${h.orgUnit}]` : ''}  ${h.firstSeen}  ${h.evidence.rule}`);
      }
      for (const l of why.levelHistory) print(`level ${l.fromLevel ?? '-'} → ${l.toLevel} at ${l.at} by ${l.actor}: ${l.reason}`);
    });

  program
    .command('ingest [files...]')
    .description('read alerts from files (plain or gzip) or standard input ("-" or none), streaming; formats are detected per record. Exit status 0 when everything readable was stored (rejected records are reported and counted), 1 when a file could not be read or none of its records could be stored; --strict: 1 when any record was rejected')
    .addOption(new Option('--format <format>', 'force a format').choices([...ALERT_FORMATS]))
    .option('--json', 'JSON output')
    .option('--strict', 'exit 1 when any record was rejected')
    .option('--no-detect', 'store only: run no detection rules here (the server picks the alerts up when it next starts or receives alerts)')
    .action(async (files: string[], o: { format?: AlertFormat; json?: boolean; strict?: boolean; detect: boolean }) => {
      const s = await open();
      // a bulk import without rules: the stored alerts wait for the server's detection (it resumes from its cursor)
      if (!o.detect) s.intake.onCommitted = undefined;
      const inputs = files.length ? files : ['-'];
      let failed = false;
      // SQLite: commits do not wait for the disk during the import; each file's line is printed only
      // once everything so far is on disk (bulk().durable())
      const bulk = s.database.bulk?.();
      try {
        for (const file of inputs) {
          let outcome;
          try {
            const source = file === '-' ? process.stdin : await openReadable(file);
            const stream = await maybeGunzip(source);
            const records = readLines(stream, s.config.maxRecordBytes);
            // files: large transactions (each is acknowledged, i.e. printed, only once committed)
            outcome = await s.intake.ingest(records, { channel: file === '-' ? 'stdin' : 'file', format: o.format, batchSize: FILE_BATCH });
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (!code || !/^E[A-Z]+$/.test(code)) throw e;
            failed = true;
            if (o.json) print(JSON.stringify({ file, error: `cannot read ${file}: ${(e as Error).message}` }));
            else printErr(`error: cannot read ${file}: ${(e as Error).message}`);
            continue;
          }
          bulk?.durable();
          // a file none of whose records could be stored failed; rejects beside stored records are reported, not failures (unless --strict)
          const stored = outcome.accepted + outcome.duplicates;
          failed ||= outcome.rejected > 0 && (o.strict || stored === 0);
          if (o.json) print(JSON.stringify({ file, ...outcome }));
          else {
            print(`${file}: ${outcome.accepted} accepted (${outcome.events} of them events), ${outcome.duplicates} duplicates, ${outcome.skipped} skipped, ${outcome.rejected} rejected`);
            for (const r of outcome.rejects.slice(0, 20)) print(`  line ${r.line}: ${r.reason}`);
            if (outcome.rejects.length > 20) print(`  … ${outcome.rejected - 20} more rejects: bihuan alerts rejects`);
          }
        }
      } finally {
        bulk?.end();
      }
      if (failed) exitCode = 1;
    });

  const alerts = program.command('alerts').description('stored alerts');
  alerts
    .command('search')
    .description('search alerts, newest first; --events searches the events instead (records that are only context: log-ins, DNS answers, Windows events)')
    .option('--from <time>', 'from (ISO-8601)')
    .option('--to <time>', 'until (ISO-8601)')
    .option('--ip <ip|cidr>', 'source or destination')
    .option('--src <ip|cidr>', 'source')
    .option('--dst <ip|cidr>', 'destination')
    .addOption(new Option('--format <format>').choices([...ALERT_FORMATS]))
    .option('--rule <text>', 'rule name contains')
    .option('--org <code>', 'org unit of source or destination')
    .option('--indicator <value>', 'matched threat indicator (* for any)')
    .option('--host <name>', 'host name (any case)')
    .option('--events', 'search the events (the 7 days up to the newest event unless --from is given)')
    .option('-q, --text <text>', 'free text (the last 7 days unless --from is given)')
    .option('--limit <n>', 'how many per page (1–500)', int('limit'), 50)
    .option('--cursor <cursor>', 'the next page: the cursor the previous page printed')
    .option('--all', 'every page (with --json: one JSON document per line)')
    .option('--json', 'JSON output')
    .action(async (o: { from?: string; to?: string; ip?: string; src?: string; dst?: string; format?: string; rule?: string; org?: string; indicator?: string; host?: string; events?: boolean; text?: string; limit: number; cursor?: string; all?: boolean; json?: boolean }) => {
      const s = await open();
      const iso = (v: string | undefined, f: string) => (v === undefined ? undefined : instant(f, v));
      const line = (a: Awaited<ReturnType<typeof searchAlerts>>['items'][number]) =>
        `${a.timestamp}  ${a.format.padEnd(8)} ${(a.alert.source?.ip ?? '-').padEnd(15)} → ${(a.alert.destination?.ip ?? '-').padEnd(15)} ${(a.alert.rule?.name ?? a.alert.message ?? a.alert.event.action ?? '').replace(/\s+/g, ' ').slice(0, 300)}`;
      let cursor = o.cursor;
      let shown = 0;
      for (;;) {
        const page = await searchAlerts(s.database.db, {
          from: iso(o.from, '--from'),
          to: iso(o.to, '--to'),
          ip: o.ip,
          src: o.src,
          dst: o.dst,
          format: o.format,
          rule: o.rule,
          orgUnit: o.org,
          indicator: o.indicator,
          host: o.host,
          kind: o.events ? 'event' : undefined,
          q: o.text,
          limit: Math.min(Math.max(o.limit, 1), 500),
          cursor,
        }, s.now());
        shown += page.items.length;
        if (o.all) {
          for (const a of page.items) print(o.json ? JSON.stringify(a) : line(a));
        } else if (o.json) print(JSON.stringify(page, null, 2));
        else {
          for (const a of page.items) print(line(a));
          if (page.nextCursor) print(`more: --cursor '${page.nextCursor}'`);
        }
        if (!o.all || !page.nextCursor) break;
        cursor = page.nextCursor;
      }
      if (!shown && !o.json) print(o.events ? 'no events' : 'no alerts');
    });
  alerts
    .command('rejects')
    .description('recently rejected records, newest first')
    .option('--limit <n>', 'how many', int('limit'), 50)
    .action(async (o: { limit: number }) => {
      const s = await open();
      const list = await s.intake.recentRejects(Math.min(Math.max(o.limit, 1), 1000));
      if (!list.length) print('no rejected records');
      for (const r of list) print(`${r.at}  ${r.channel} line ${r.line ?? '-'}: ${r.reason}${r.sample ? `\n    ${r.sample.slice(0, 200)}` : ''}`);
    });

  const intel = program.command('intel').description('threat intelligence (威胁情报)');
  intel
    .command('import <file>')
    .description('import indicators: plain lines, CSV, a STIX 2.1 bundle or a MISP event; alerts are matched against them')
    .requiredOption('--source <name>', 'the feed, e.g. 360-TI')
    .addOption(new Option('--format <format>', 'instead of detecting it').choices([...INTEL_FORMATS]))
    .option('--confidence <0-100>', 'for entries that carry none', int('confidence'))
    .action(async (file: string, o: { source: string; format?: IntelFormat; confidence?: number }) => {
      const s = await open();
      const r = await s.intel.import(actor, decodeFileText(fs.readFileSync(file)).text, o);
      print(`${file}: ${r.indicators} indicators from ${r.source} (${r.format}); ${r.skipped.length} entries skipped; ${r.indexed} indicators loaded in all`);
      for (const x of r.skipped.slice(0, 20)) print(`  entry ${x.entry}: ${x.reason}`);
    });
  intel
    .command('sources')
    .description('the feeds and how many indicators each has')
    .action(async () => {
      const s = await open();
      const list = await s.intel.sources();
      if (!list.length) print('no indicators');
      for (const x of list) print(`${x.source.padEnd(30)} ${String(x.indicators).padStart(9)}  ${String(x.updatedAt ?? '')}`);
    });

  const assets = program.command('assets').description('the asset inventory (资产台账)');
  assets
    .command('import <file>')
    .description('import hosts from CSV (ip, hostname, org_unit, zone, owner, business_system, criticality; Chinese headers too)')
    .option('--replace', 'the file is the whole inventory: remove hosts it does not list')
    .action(async (file: string, o: { replace?: boolean }) => {
      const s = await open();
      const r = await s.assets.import(actor, decodeFileText(fs.readFileSync(file)).text, { replace: o.replace });
      print(`${file}: ${r.imported} hosts imported, ${r.removed} removed; ${r.total} in the inventory`);
      for (const p of r.problems.slice(0, 20)) print(`  ${p.row > 0 ? `row ${p.row}` : 'row'} ${p.field}: ${p.reason}`);
      if (r.problems.length) exitCode = 1;
    });
  assets
    .command('list')
    .description('list hosts')
    .option('--org <code>', 'org unit')
    .option('-q, --text <text>', 'ip, hostname, business system or owner contains')
    .option('--limit <n>', 'how many', int('limit'), 200)
    .action(async (o: { org?: string; text?: string; limit: number }) => {
      const s = await open();
      const list = await s.assets.list({ orgUnit: o.org, q: o.text, limit: Math.min(Math.max(o.limit, 1), 1000) });
      if (!list.length) print('no assets');
      for (const a of list) print(`${a.ip.padEnd(16)} ${(a.hostname ?? '-').padEnd(20)} ${(a.orgUnit ?? '-').padEnd(6)} ${(a.businessSystem ?? '-').padEnd(16)} ${a.criticality ?? '-'}`);
    });

  const grading = program.command('grading').description('the incident grading table (事件定级表)');
  grading
    .command('show')
    .description('show the current grading table')
    .option('--version <n>', 'an earlier version', int('version'))
    .option('--json', 'JSON output')
    .action(async (o: { version?: number; json?: boolean }) => {
      const s = await open();
      const t = o.version ? await s.settings.gradingAt(o.version) : await s.settings.grading();
      if (o.json) print(JSON.stringify(t, null, 2));
      else printGrading(print, t);
    });
  grading
    .command('set [type] [level]')
    .description('set one type\'s level (adds the type when --name-zh and --name-en are given), or replace the table from --file')
    .option('--name-zh <name>', 'Chinese name')
    .option('--name-en <name>', 'English name')
    .option('--file <file>', 'YAML/JSON list of {type, nameZh, nameEn, level} replacing the table')
    .option('--note <text>', 'note for this version')
    .action(async (type: string | undefined, level: string | undefined, o: { nameZh?: string; nameEn?: string; file?: string; note?: string }) => {
      const s = await open();
      let t;
      if (o.file) {
        const doc = YAML.parse(fs.readFileSync(o.file, 'utf8')) as unknown;
        const entries = Array.isArray(doc) ? doc : (doc as { entries?: unknown })?.entries;
        if (!Array.isArray(entries)) throw new DomainError('validation', `${o.file}: expected a list of {type, nameZh, nameEn, level} (or {entries: [...]})`);
        t = await s.settings.setGrading(actor, entries as GradingEntry[], o.note ?? `from ${o.file}`);
      } else {
        if (!type || !level) throw new DomainError('validation', 'give TYPE and LEVEL (e.g. `bihuan grading set brute_force 2`) or --file');
        t = await s.settings.setGradingLevel(actor, type, int('level')(level), { nameZh: o.nameZh, nameEn: o.nameEn }, o.note);
      }
      print(`grading table version ${t.version} saved`);
      printGrading(print, t);
    });

  const settings = program.command('settings').description('grading table, SLA tiers, playbooks, org units, network zones and time zone as one YAML document');
  settings
    .command('export')
    .description('write all settings as YAML (stdout or --file)')
    .option('--file <file>', 'write to this file')
    .action(async (o: { file?: string }) => {
      const s = await open();
      const text = YAML.stringify(await s.settings.exportAll());
      if (o.file) {
        fs.writeFileSync(o.file, text);
        print(`settings written to ${o.file}`);
      } else io.out(text);
    });
  settings
    .command('import <file>')
    .description('apply a settings document (YAML or JSON); all of it is checked before anything is written')
    .action(async (file: string) => {
      const s = await open();
      const doc = readDocument(file);
      const changed = await s.settings.importAll(actor, doc);
      print(changed.length ? `changed: ${changed.join(', ')}` : 'nothing changed: the settings already match');
    });

  const orgUnits = program.command('org-unit').description('headquarters and branches (机构): what alerts, incidents and users belong to');
  orgUnits
    .command('list')
    .description('the org units')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const s = await open();
      const units = await s.settings.orgUnits();
      const zones = await s.intake.networkZones();
      if (o.json) print(JSON.stringify(units.map((u) => ({ ...u, ranges: zones.orgUnits[u.code] ?? [] }))));
      else for (const u of units) print(`${u.code}  ${u.name}  (${u.kind})${zones.orgUnits[u.code]?.length ? `  ${zones.orgUnits[u.code]!.join(', ')}` : ''}`);
    });
  orgUnits
    .command('set <code> <name>')
    .description('add an org unit or rename one (its ranges are set with network set)')
    .addOption(new Option('--kind <kind>', 'headquarters or a branch').choices(['hq', 'branch']).default('branch'))
    .action(async (code: string, name: string, o: { kind: string }) => {
      const s = await open();
      const unit = await s.settings.saveOrgUnit(actor, { code, name, kind: o.kind });
      print(`org unit ${unit.code} (${unit.name}, ${unit.kind}) saved`);
    });

  const network = program.command('network').description("the network zones: internal ranges, internet-facing hosts, each org unit's ranges (what makes an address internal and a branch's)");
  network
    .command('show')
    .description('print the network zones as YAML (--json: JSON)')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const s = await open();
      const zones = await s.intake.networkZones();
      if (o.json) print(JSON.stringify(zones, null, 2));
      else io.out(YAML.stringify(zones));
    });
  network
    .command('set <file>')
    .description('replace the network zones with a YAML or JSON document ({internal, internetFacing, orgUnits}); checked whole before anything is written')
    .action(async (file: string) => {
      const s = await open();
      const doc = readDocument(file);
      const zones = await s.intake.setNetworkZones(actor, doc);
      print(`network zones set: ${zones.internal.length} internal range(s), ${zones.internetFacing.length} internet-facing, ${Object.keys(zones.orgUnits).length} org unit(s)`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (caught) {
    const e = storageConflict(caught) ?? caught;
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof DomainError) {
      io.err(`error [${e.code}]: ${e.message}\n`);
      const gates = (e.details as { gates?: Array<{ gate: string; message: string }> } | undefined)?.gates;
      if (gates) for (const g of gates) io.err(`  gate ${g.gate}: ${g.message}\n`);
      return 1;
    }
    if (e instanceof ConfigError) {
      io.err(`error [config]: ${e.message}\n`);
      return 1;
    }
    if (e instanceof DatabaseOpenError) {
      io.err(`error [database]: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await services?.close();
  }
}

function assetArg(v: string): AssetInput {
  return /^[0-9a-f.:]+$/i.test(v) && /[.:]/.test(v) ? { ip: v } : { hostname: v };
}

function observableArg(v: string): ObservableInput {
  const i = v.indexOf(':');
  if (i < 1) throw new DomainError('validation', `--observable: "${v}" should be TYPE:VALUE, e.g. domain:t.awcna.com`);
  return { type: v.slice(0, i), value: v.slice(i + 1) };
}
