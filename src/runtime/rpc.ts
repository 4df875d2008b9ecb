/**
 * Calls between the threads of one process (the API thread and its role workers): a request
 * carries an id, its answer the same id with a value or an error. A DomainError crosses as its
 * code, message and details and is rebuilt on the caller's side, so a bad record sent to the
 * intake worker is answered 400 exactly as if the API thread had read it.
 */
import { DomainError, type ErrorCode } from '../domain/errors.js';

export interface Port {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

interface Request {
  rpc: 'call';
  id: number;
  method: string;
  args: unknown[];
}

interface Answer {
  rpc: 'answer';
  id: number;
  value?: unknown;
  error?: { domain?: { code: ErrorCode; details?: unknown }; message: string };
}

export type Handlers = Record<string, (...args: never[]) => unknown>;

/** The worker's side: answers calls with its handlers; other messages go to `other`. */
export function serveCalls(port: Port, handlers: Handlers, other?: (message: unknown) => void): void {
  port.on('message', (m) => {
    const msg = m as Partial<Request>;
    if (msg?.rpc !== 'call') return other?.(m);
    const handler = handlers[msg.method!];
    const answer = (a: Omit<Answer, 'rpc' | 'id'>) => port.postMessage({ rpc: 'answer', id: msg.id, ...a });
    if (!handler) return answer({ error: { message: `no method ${String(msg.method)}` } });
    Promise.resolve()
      .then(() => (handler as (...args: unknown[]) => unknown)(...(msg.args ?? [])))
      .then(
        (value) => answer({ value }),
        (e: unknown) =>
          answer({ error: e instanceof DomainError ? { domain: { code: e.code, details: e.details }, message: e.message } : { message: e instanceof Error ? `${(e as { code?: string }).code ? `${(e as { code?: string }).code}: ` : ''}${e.message}` : String(e) } }),
      );
  });
}

/** The caller's side: `call` answers what the other side's handler answered, or throws what it threw. */
export class Caller {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  constructor(private readonly port: Port) {}

  /** Called with every message the port receives; returns false for messages that are not answers. */
  receive(m: unknown): boolean {
    const a = m as Partial<Answer>;
    if (a?.rpc !== 'answer') return false;
    const w = this.waiting.get(a.id!);
    if (!w) return true;
    this.waiting.delete(a.id!);
    if (a.error) w.reject(a.error.domain ? new DomainError(a.error.domain.code, a.error.message, a.error.domain.details) : new Error(a.error.message));
    else w.resolve(a.value);
    return true;
  }

  get pending(): number {
    return this.waiting.size;
  }

  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.callTransferring<T>([], method, ...args);
  }

  /** `call`, the buffers in `transfer` moved to the other side (detached here) instead of copied. */
  callTransferring<T>(transfer: readonly ArrayBuffer[], method: string, ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ rpc: 'call', id, method, args } satisfies Request, transfer);
    });
  }

  /** Every call still waiting fails with `e` (the other side ended). */
  failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
