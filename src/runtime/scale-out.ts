/**
 * The scale-out mode (issue 12): `bihuan serve --role api|intake|detect|notify`, any number of
 * each, over one PostgreSQL database and NATS JetStream (docs/deploy.md).
 *
 * - api: the console and the API; hands HTTP alert batches to an intake node over NATS.
 * - intake: reads and stores (batches handed over, its own HTTP port, syslog), then publishes
 *   what it stored to the stream through the outbox.
 * - detect (`--partition i/N`): worker i of N; runs the rules over its partitions of the stream.
 * - notify: notifications, SLA deadlines, the spread rule (one node at a time holds the lock).
 */
import { NOTIFY_LOOPS, type Services } from '../app.js';
import { Bus, parseShare } from '../bus/bus.js';
import { BusOutbox } from '../bus/outbox.js';
import { partitionsOf } from '../domain/detection/partition.js';
import { DomainError } from '../domain/errors.js';
import { bodyText, ingestBody } from '../intake/intake-body.js';
import { type SyslogListener, startConfiguredSyslog } from '../intake/syslog-listener.js';
import type { Logger } from 'pino';
import { BackgroundLoop } from './background.js';

export const NODE_ROLES = ['api', 'intake', 'detect', 'notify'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** Which roles answer people over HTTP with the whole API; the others serve /api/health only. */
export function servesApi(role: NodeRole): boolean {
  return role === 'api' || role === 'intake';
}

export interface RunningRole {
  describe: string;
  syslog?: { udp?: number; tcp?: number };
  stop(): Promise<void>;
}

export async function startRole(role: NodeRole, s: Services, log: Pick<Logger, 'info' | 'warn' | 'error'>, opts: { partition?: string }): Promise<RunningRole> {
  const cfg = s.config;
  if (s.database.dialect !== 'postgres') throw new DomainError('validation', `--role ${role}: the scale-out roles share one PostgreSQL database (BIHUAN_DATABASE_URL=postgres://…); the embedded SQLite default runs every role in one process (bihuan serve)`);
  if (role === 'notify') {
    s.startBackground(log, NOTIFY_LOOPS);
    return { describe: 'notify: notifications, SLA deadlines, the spread rule', stop: async () => undefined };
  }
  if (!cfg.busUrl) throw new DomainError('validation', `--role ${role} needs the NATS server the roles talk over: set BIHUAN_BUS_URL (e.g. nats://127.0.0.1:4222)`);
  const bus = await Bus.connect(cfg.busUrl, cfg.busStream);
  s.health.register('bus');
  switch (role) {
    case 'api': {
      s.gate = { ingestBody: (body, kind, o) => bus.requestIntake(bodyText(body), kind, o.format) };
      return { describe: `api: console and API; alert batches to intake nodes over ${cfg.busUrl}`, stop: () => bus.close() };
    }
    case 'intake': {
      const outbox = new BusOutbox(s.database.db, bus, s.now, log, s.intake);
      s.intake.outbox = outbox;
      // detection is the detect nodes' work: they hear of stored alerts through the stream
      s.intake.onCommitted = undefined;
      const subscription = bus.serveIntake((body, kind, format) => ingestBody(s.intake, body, kind, { channel: 'http', format }));
      const sweep = new BackgroundLoop('outbox', () => outbox.sweep(), s.health, { intervalMs: 10_000 });
      sweep.start();
      let syslog: SyslogListener | undefined;
      const started = await startConfiguredSyslog(s.intake, log, s.health, cfg);
      syslog = started.listener;
      return {
        describe: `intake: stores alerts (its own HTTP port, batches from api nodes, syslog) and publishes them to ${cfg.busStream} on ${cfg.busUrl}`,
        syslog: started.ports,
        stop: async () => {
          subscription.unsubscribe();
          await syslog?.stop();
          syslog = undefined;
          await sweep.stop();
          await bus.close();
        },
      };
    }
    case 'detect': {
      const { index, count } = parseShare(opts.partition ?? '0/1', '--partition');
      const partitions = partitionsOf(index, count);
      const replayed = await s.detection.rebuildPartitions(partitions);
      let running = true;
      const failed = (e: unknown) => s.health.failed('detection', e);
      const loops = partitions.map((k) =>
        bus.consumePartition(
          k,
          async (alerts, seq) => {
            await s.detection.processPartition(k, alerts, seq);
            s.health.ok('detection');
          },
          () => running,
          failed,
        ),
      );
      return {
        describe: `detect ${index}/${count}: partitions ${partitions.join(', ')} of ${cfg.busStream} (${replayed} alerts replayed into the correlation windows)`,
        stop: async () => {
          running = false;
          await Promise.all(loops);
          await bus.close();
        },
      };
    }
  }
}
