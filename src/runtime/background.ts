/**
 * Work the server does by itself (notifications, SLA deadlines, the spread rule, detection
 * catching up, live updates, syslog batches): each a named loop that can never end the process.
 * A failed pass is logged with its loop's name and how often it failed in a row, retried after a
 * back-off (the interval doubled per failure, up to a ceiling), and shown in the health report
 * until a pass succeeds again.
 */

export type LoopState = 'ok' | 'failing';

export interface ComponentHealth {
  name: string;
  state: LoopState;
  /** failed passes in a row (0 when the last pass succeeded) */
  failures: number;
  /** when the current run of failures began */
  failingSince?: string;
  /** the last failure's error, shortened (for operators: the log has the whole cause) */
  lastError?: string;
  lastSuccessAt?: string;
  /** when a failing loop tries again */
  retryAt?: string;
}

export interface LoopLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const SILENT: LoopLogger = { error: () => undefined, warn: () => undefined, info: () => undefined };

function describeError(e: unknown): string {
  const text = e instanceof Error ? `${(e as { code?: unknown }).code ? `${String((e as { code?: unknown }).code)}: ` : ''}${e.message}` : String(e);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** What every background part of this process says about itself; read by GET /api/health. */
export class Health {
  private readonly parts = new Map<string, ComponentHealth>();
  /** told of every change (a role worker forwards its parts to the API thread's report) */
  onChange?: (part: ComponentHealth) => void;

  constructor(
    private readonly now: () => Date = () => new Date(),
    private log: LoopLogger = SILENT,
  ) {}

  useLogger(log: LoopLogger): void {
    this.log = log;
  }

  /** A pass of `name` succeeded. */
  ok(name: string): void {
    const p = this.parts.get(name);
    const at = this.now().toISOString();
    if (p && p.state === 'failing') this.log.info({ loop: name, failures: p.failures }, `background loop ${name} recovered after ${p.failures} failed pass(es)`);
    this.set({ name, state: 'ok', failures: 0, lastSuccessAt: at });
  }

  /** A part of another thread, as it reported itself. */
  adopt(part: ComponentHealth): void {
    this.parts.set(part.name, part);
  }

  private set(part: ComponentHealth): void {
    this.parts.set(part.name, part);
    this.onChange?.(part);
  }

  /** A pass of `name` failed; returns how many have failed in a row. `retryInMs` is logged and shown. */
  failed(name: string, e: unknown, retryInMs?: number): number {
    const prev = this.parts.get(name);
    const at = this.now();
    const failures = (prev?.state === 'failing' ? prev.failures : 0) + 1;
    this.set({
      name,
      state: 'failing',
      failures,
      failingSince: prev?.state === 'failing' ? prev.failingSince : at.toISOString(),
      lastError: describeError(e),
      lastSuccessAt: prev?.lastSuccessAt,
      ...(retryInMs !== undefined ? { retryAt: new Date(at.getTime() + retryInMs).toISOString() } : {}),
    });
    const retry = retryInMs !== undefined ? `; retrying in ${Math.round(retryInMs / 100) / 10} s` : '; the next pass retries';
    // the first three failures in a row, then the 10th, 100th, 1000th …: a failing disk must not flood the log
    if (failures > 3 && !Number.isInteger(Math.log10(failures))) return failures;
    this.log.error({ loop: name, failures, err: e, ...(retryInMs !== undefined ? { retryInMs } : {}) }, `background loop ${name} failed (${failures} in a row)${retry}`);
    return failures;
  }

  /** Registers a part before its first pass, so the report lists it from the start. */
  register(name: string): void {
    if (!this.parts.has(name)) this.set({ name, state: 'ok', failures: 0 });
  }

  /** heap in use and heap reserved (committed) per thread (MB), as each last reported it */
  private readonly heaps = new Map<string, number>();
  private readonly committed = new Map<string, number>();

  heapUsed(thread: string, mb: number, committedMB?: number): void {
    this.heaps.set(thread, mb);
    if (committedMB !== undefined) this.committed.set(thread, committedMB);
  }

  heapsMB(): Record<string, number> {
    return Object.fromEntries([...this.heaps].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** the heap each thread holds from the system (used, free and fragmented), which is what its resident memory follows */
  heapsCommittedMB(): Record<string, number> {
    return Object.fromEntries([...this.committed].sort(([a], [b]) => a.localeCompare(b)));
  }

  components(): ComponentHealth[] {
    return [...this.parts.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  degraded(): boolean {
    for (const p of this.parts.values()) if (p.state === 'failing') return true;
    return false;
  }
}

export interface LoopOptions {
  intervalMs: number;
  /** the longest wait between retries of a failing loop */
  maxBackoffMs?: number;
}

/**
 * One named loop: runs `pass` every `intervalMs` (one pass at a time), backs off after
 * failures, and reports each pass to the health report. Its timers never keep the process up.
 */
export class BackgroundLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private failures = 0;
  /** triggered while a pass was under way: run again right after it */
  private again = false;

  constructor(
    readonly name: string,
    private readonly pass: () => Promise<unknown>,
    private readonly health: Health,
    private readonly opts: LoopOptions,
  ) {
    health.register(name);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.opts.intervalMs);
  }

  /** Stops the loop; resolves when a pass under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs a pass now (or right after the one under way) instead of waiting for the interval. */
  trigger(): void {
    if (this.stopped || this.failures > 0) return; // a failing loop keeps its back-off
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Records the outcome of a pass run outside the loop (the same work triggered by a request or by intake). */
  observe(p: Promise<unknown>): void {
    p.then(
      () => {
        this.failures = 0;
        this.health.ok(this.name);
      },
      (e: unknown) => {
        this.failures++;
        this.health.failed(this.name, e, this.delay());
      },
    );
  }

  private delay(): number {
    if (this.failures === 0) return this.opts.intervalMs;
    const max = this.opts.maxBackoffMs ?? 60_000;
    return Math.min(max, Math.max(this.opts.intervalMs, 1000) * 2 ** Math.min(this.failures - 1, 20));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running) return; // the pass under way reschedules
    this.timer = undefined;
    const run = (async () => {
      try {
        await this.pass();
        this.failures = 0;
        this.health.ok(this.name);
      } catch (e) {
        this.failures++;
        this.health.failed(this.name, e, this.delay());
      }
    })();
    this.running = run;
    await run;
    this.running = undefined;
    const soon = this.again && this.failures === 0;
    this.again = false;
    this.schedule(soon ? 0 : this.delay());
  }
}
