/**
 * One role of the embedded default, in its own thread with its own database connection (SQLite
 * WAL: readers never wait for the writer): `intake` reads and stores (HTTP bodies handed over by
 * the API thread, and the syslog listeners), `detect` runs the rules over what intake stored,
 * `notify` sends notifications and watches SLA deadlines and the spread rule, `query` answers
 * unbounded reads (free-text search) so that they never hold up the API thread. Started by
 * RoleWorkers (role-workers.ts); tells the API thread of its health, and of each committed batch.
 */
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { loggerOptions } from './log.js';
import { NOTIFY_LOOPS, openServices } from '../app.js';
import type { Config } from '../config.js';
import { bodyText, ingestBody } from '../intake/intake-body.js';
import { startConfiguredSyslog } from '../intake/syslog-listener.js';
import { type SerializedAnswer, searchAlerts } from '../intake/alert.repository.js';
import { LIMITS } from './limits.js';
import { serveCalls } from './rpc.js';
import { setThisThreadNice } from './thread-priority.js';
import type { WorkerRole, FromWorker, ToWorker } from './role-workers.js';

const { role, config } = workerData as { role: WorkerRole; config: Config };
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const log = pino(loggerOptions(config.logLevel, { role }));

const s = await openServices(config, { migrate: false });
s.health.useLogger(log);
s.health.onChange = (component) => post({ type: 'health', component });
for (const component of s.health.components()) post({ type: 'health', component });

let stop = async () => {
  await s.close();
};

switch (role) {
  case 'intake': {
    // intake stores; detection is another thread's work: it is told that a batch committed
    let logLookedAt = 0;
    s.intake.onCommitted = async () => {
      post({ type: 'committed' });
      // the writer keeps the write-ahead log from growing without end beside searches (SQLite)
      if (Date.now() - logLookedAt < LIMITS.walCheckMs) return;
      logLookedAt = Date.now();
      try {
        await s.database.restartLog?.(LIMITS.walRestartMB * 1048576, LIMITS.walRestartWaitMs);
      } catch (e) {
        log.warn({ err: e }, 'the write-ahead log could not be restarted; tried again shortly');
      }
    };
    const { listener, ports } = await startConfiguredSyslog(s.intake, log, s.health, config);
    serveCalls(port, { ingestBody: (body: ArrayBuffer, kind: 'json' | 'text', opts: { channel: string; format?: never }) => ingestBody(s.intake, bodyText(body), kind, opts) }, onMessage);
    stop = async () => {
      await listener?.stop();
      await s.close();
    };
    post({ type: 'ready', syslog: ports });
    break;
  }
  case 'detect':
    s.startBackground(log, ['detection']);
    port.on('message', onMessage);
    post({ type: 'ready' });
    break;
  case 'notify':
    s.startBackground(log, NOTIFY_LOOPS);
    port.on('message', onMessage);
    post({ type: 'ready' });
    break;
  case 'query':
    // a search yields the processors to intake and detection when they are busy
    if (!setThisThreadNice(LIMITS.searchThreadNice)) log.debug('query worker: could not lower its CPU priority (not Linux?)');
    // the page goes back as JSON text: a string crosses threads in one copy, and the API thread sends it as it is
    serveCalls(port, { searchAlerts: async (q: Parameters<typeof searchAlerts>[1]): Promise<SerializedAnswer> => ({ json: JSON.stringify(await searchAlerts(s.database.db, q, s.now())) }) }, onMessage);
    post({ type: 'ready' });
    break;
}

function onMessage(m: unknown): void {
  const msg = m as ToWorker;
  if (msg.type === 'committed') s.trigger('detection');
  else if (msg.type === 'stop') {
    void stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, `${role} worker: stopping failed`);
        process.exit(1);
      },
    );
  }
}

// the heap this thread uses, for /api/health (a leak shows there before the heap limit ends the thread)
setInterval(() => {
  const h = v8.getHeapStatistics();
  post({ type: 'heap', usedMB: Math.round(h.used_heap_size / 1048576), committedMB: Math.round(h.total_heap_size / 1048576) });
}, 5000).unref();

// a failure nobody awaited is reported, never the end of the thread
process.on('unhandledRejection', (e) => s.health.failed(`${role}-worker`, e));
