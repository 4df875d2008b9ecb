/**
 * The embedded default's roles as worker threads under the one `serve` process: the API thread
 * answers people and does nothing else; intake, detection, notifications and unbounded reads
 * each run in a thread of their own with their own database connection. A worker that dies is
 * started again (with back-off) and shows in /api/health meanwhile; calls it was answering fail
 * with 503 and Retry-After, never with a lie.
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { AlertFormat } from '../domain/alert/alert.js';
import { DomainError } from '../domain/errors.js';
import type { AlertQuery, SerializedAnswer } from '../intake/alert.repository.js';
import type { BodyBytes, BodyKind } from '../intake/intake-body.js';
import type { IntakeOutcome } from '../intake/intake.service.js';
import type { ComponentHealth, Health, LoopLogger } from './background.js';
import { LIMITS } from './limits.js';
import { Caller } from './rpc.js';

export type WorkerRole = 'intake' | 'detect' | 'notify' | 'query';

export type FromWorker =
  | { type: 'ready'; syslog?: { udp?: number; tcp?: number } }
  | { type: 'health'; component: ComponentHealth }
  | { type: 'heap'; usedMB: number; committedMB?: number }
  | { type: 'committed' };
export type ToWorker = { type: 'committed' } | { type: 'stop' };

/** The worker entry: the compiled .js beside this file, or (tests, running from the sources) the .ts source through tsx. */
function entry(): { url: URL | string; eval?: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./role-worker.js', import.meta.url) };
  const source = new URL('./role-worker.ts', import.meta.url).href;
  return { url: `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`, eval: true };
}

class RoleThread {
  private worker?: Worker;
  private caller?: Caller;
  private ready?: Promise<FromWorker & { type: 'ready' }>;
  private stopping = false;
  /** an on-demand worker ended for idleness: it starts again with the next call */
  private resting = false;
  private idleTimer?: NodeJS.Timeout;
  private restarts = 0;
  /** bytes of request bodies handed over and not yet answered (intake) */
  inFlightBytes = 0;

  constructor(
    readonly role: WorkerRole,
    private readonly config: Config,
    private readonly health: Health,
    private readonly log: LoopLogger,
    private readonly onMessage: (m: FromWorker) => void,
    /** started by its first call, ended after LIMITS.idleWorkerMs without one (the query worker) */
    private readonly onDemand = false,
  ) {
    health.register(`worker:${role}`);
  }

  start(): Promise<FromWorker & { type: 'ready' }> {
    const { url, eval: evaluate } = entry();
    const worker = new Worker(url, {
      workerData: { role: this.role, config: this.config },
      eval: evaluate,
      resourceLimits: { maxOldGenerationSizeMb: LIMITS.workerHeapMB[this.role], maxYoungGenerationSizeMb: LIMITS.workerYoungMB },
    });
    const caller = new Caller(worker);
    this.worker = worker;
    this.caller = caller;
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (m: unknown) => {
        if (caller.receive(m)) return;
        const msg = m as FromWorker;
        if (msg.type === 'ready') {
          this.health.ok(`worker:${this.role}`);
          resolve(msg);
        } else if (msg.type === 'health') this.health.adopt(msg.component);
        else if (msg.type === 'heap') this.health.heapUsed(this.role, msg.usedMB, msg.committedMB);
        else this.onMessage(msg);
      });
      worker.on('error', (e) => {
        reject(e);
        this.health.failed(`worker:${this.role}`, e);
      });
      worker.on('exit', (code) => {
        caller.failAll(new DomainError('unavailable', `the ${this.role} worker stopped; retry shortly`, { retryAfterSeconds: 2 }));
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.caller = undefined;
        if (this.stopping || this.resting) return;
        reject(new Error(`the ${this.role} worker exited with code ${code} before it was ready`));
        this.restart(code);
      });
    });
    return this.ready;
  }

  private restart(code: number): void {
    this.restarts++;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(this.restarts - 1, 6));
    this.health.failed(`worker:${this.role}`, new Error(`the ${this.role} worker exited (code ${code}); starting it again`), delay);
    setTimeout(() => {
      if (this.stopping) return;
      this.start().then(
        () => {
          this.restarts = 0;
          this.log.info({ role: this.role }, `the ${this.role} worker is running again`);
        },
        () => undefined, // the exit handler has scheduled the next try
      );
    }, delay).unref();
  }

  post(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  async call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.onDemand) return this.callOnDemand<T>(method, args);
    if (!this.caller) throw new DomainError('unavailable', `the ${this.role} worker is starting again; retry shortly`, { retryAfterSeconds: 2 });
    return this.caller.call<T>(method, ...args);
  }

  /** `call`, the buffers in `transfer` handed over to the worker (detached here) instead of copied. */
  async callTransferring<T>(transfer: ArrayBuffer[], method: string, ...args: unknown[]): Promise<T> {
    if (!this.caller) throw new DomainError('unavailable', `the ${this.role} worker is starting again; retry shortly`, { retryAfterSeconds: 2 });
    return this.caller.callTransferring<T>(transfer, method, ...args);
  }

  private async callOnDemand<T>(method: string, args: unknown[]): Promise<T> {
    clearTimeout(this.idleTimer);
    if (!this.worker) {
      this.resting = false;
      await this.start();
    } else await this.ready;
    try {
      return await this.caller!.call<T>(method, ...args);
    } finally {
      if (this.pending === 0) {
        this.idleTimer = setTimeout(() => {
          if (this.pending > 0 || !this.worker) return;
          this.resting = true;
          this.worker.postMessage({ type: 'stop' } satisfies ToWorker);
        }, LIMITS.idleWorkerMs);
        this.idleTimer.unref();
      }
    }
  }

  get pending(): number {
    return this.caller?.pending ?? 0;
  }

  /** Ends the thread: it finishes what it was doing (a batch under way commits), then closes its database. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), LIMITS.workerStopMs);
    await exited;
    clearTimeout(timer);
  }

  /** Ends the thread at once, whatever it is doing (a search over its time limit). */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }
}

export class RoleWorkers {
  private readonly threads: Record<WorkerRole, RoleThread>;
  private queries = 0;

  constructor(config: Config, health: Health, log: LoopLogger) {
    const relay = (m: FromWorker) => {
      // a committed batch: detection runs now instead of at its next interval
      if (m.type === 'committed') this.threads.detect.post({ type: 'committed' });
    };
    this.threads = {
      intake: new RoleThread('intake', config, health, log, relay),
      detect: new RoleThread('detect', config, health, log, relay),
      notify: new RoleThread('notify', config, health, log, relay),
      query: new RoleThread('query', config, health, log, relay, true),
    };
  }

  /** Starts every role; answers the ports the syslog listeners bound (intake's). */
  async start(): Promise<{ syslog?: { udp?: number; tcp?: number } }> {
    const [intake] = await Promise.all([this.threads.intake.start(), this.threads.detect.start(), this.threads.notify.start()]);
    return { syslog: intake.syslog };
  }

  /**
   * A request's alerts, to the intake worker. Back-pressure: while more request bodies wait for
   * storage than LIMITS.intakeInFlightBytes, a sender is asked to come back (503, Retry-After)
   * instead of being queued without bound.
   */
  /** A request body stored by the intake worker, which takes its bytes over (`body` is empty afterwards). */
  async ingestBody(body: BodyBytes, kind: BodyKind, opts: { channel: string; format?: AlertFormat }): Promise<IntakeOutcome> {
    const intake = this.threads.intake;
    const bytes = body.byteLength;
    if (intake.inFlightBytes > 0 && intake.inFlightBytes + bytes > LIMITS.intakeInFlightBytes) {
      throw new DomainError('unavailable', `intake is behind: ${Math.round(intake.inFlightBytes / 1024)} KiB of alerts wait for storage; send this again shortly`, { retryAfterSeconds: 1 });
    }
    intake.inFlightBytes += bytes;
    try {
      return await intake.callTransferring<IntakeOutcome>([body], 'ingestBody', body, kind, opts);
    } finally {
      intake.inFlightBytes -= bytes;
    }
  }

  /**
   * A search, in the query worker, stopped (the worker ended and started again) when it runs
   * past LIMITS.searchTimeoutMs. At most LIMITS.searchesWaiting wait their turn. The page comes
   * back as JSON text, sent as it is.
   */
  async searchAlerts(q: AlertQuery): Promise<SerializedAnswer> {
    const query = this.threads.query;
    if (this.queries >= LIMITS.searchesWaiting) throw new DomainError('rate_limited', `${this.queries} searches are running or waiting; retry in a few seconds`, { retryAfterSeconds: 2 });
    this.queries++;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new DomainError('unavailable', `the search ran longer than ${LIMITS.searchTimeoutMs / 1000} s and was stopped: narrow the time range or add an address, type or rule`, { retryAfterSeconds: 1 }));
          void query.kill();
        }, LIMITS.searchTimeoutMs);
      });
      return await Promise.race([query.call<SerializedAnswer>('searchAlerts', q), timeout]);
    } finally {
      clearTimeout(timer);
      this.queries--;
    }
  }

  async stop(): Promise<void> {
    // intake first (its last batches commit), then the rest
    await this.threads.intake.stop();
    await Promise.all([this.threads.detect.stop(), this.threads.notify.stop(), this.threads.query.stop()]);
  }
}
