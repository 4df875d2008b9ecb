/**
 * The message bus of the scale-out mode (issue 12): NATS JetStream between intake and
 * detection, and NATS request/reply from API nodes to intake nodes.
 *
 * - Stored alerts are published to `<stream>.alerts.<k>`, k the alert's partition (PARTITIONS in
 *   all) by its correlation key: the attacking or acting address (source, else the host), so
 *   every window of a rule grouped by it lives on one detection worker. A message carries the
 *   alerts of one stored batch and one partition, with a message id the stream de-duplicates.
 * - Detection worker i of N reads the partitions k ≡ i (mod N), each through a durable consumer
 *   of its own with one message in flight, and acknowledges a message only after its effects
 *   committed (detection marks the partition's stream sequence on the same transaction, so a
 *   message delivered again after a crash is not filed twice).
 * - An API node hands a request's body to whichever intake node is free (queue group) and
 *   answers what intake answered; NATS carries at most its max payload (1 MiB by default):
 *   larger batches go straight to an intake node's own HTTP port.
 */
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager, type NatsConnection, RetentionPolicy, StorageType, type Subscription, connect, nanos } from 'nats';
import type { AlertFormat } from '../domain/alert/alert.js';
import { PARTITIONS, partitionOf } from '../domain/detection/partition.js';
import { DomainError, type ErrorCode } from '../domain/errors.js';
import type { BodyKind } from '../intake/intake-body.js';
import type { IntakeOutcome, StoredAlertInMemory } from '../intake/intake.service.js';

/** A message of alerts is at most this large (under NATS's default max payload of 1 MiB). */
const MAX_MESSAGE_BYTES = 900 * 1024;
/** How long the stream remembers message ids (a batch published again within it is stored once). */
const DUPLICATE_WINDOW_MS = 10 * 60_000;
/** How long the stream keeps alerts that no consumer acknowledged. */
const MAX_AGE_MS = 7 * 86_400_000;
/** A message not acknowledged within this is delivered again (a worker that died with it); a worker still at it says so every ACK_WAIT_MS / 3. */
export const ACK_WAIT_MS = 15_000;

/** `i/N` (worker i of N, from 0) → the numbers, or a clear error. */
export function parseShare(text: string, key: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > PARTITIONS || index >= count) throw new DomainError('validation', `${key}: "${text}" is not i/N with 0 ≤ i < N ≤ ${PARTITIONS} (this worker's number and how many detection workers there are), e.g. 0/2`);
  return { index, count };
}

export interface AlertMessage {
  alerts: StoredAlertInMemory[];
}

interface IntakeRequest {
  body: string;
  kind: BodyKind;
  format?: AlertFormat;
}

type IntakeReply = { value: IntakeOutcome } | { error: { code: ErrorCode; message: string; details?: unknown } };

export class Bus {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    /** the stream's name; subjects are prefixed with it, so that installations (and test runs) sharing a NATS server never meet */
    readonly stream: string,
  ) {}

  static async connect(url: string, stream: string): Promise<Bus> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: url, name: `bihuan-${process.pid}`, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
    } catch (e) {
      throw new DomainError('unavailable', `cannot reach NATS at ${url}: ${(e as Error).message} (the scale-out mode needs NATS with JetStream, see docs/deploy.md)`);
    }
    const jsm = await nc.jetstreamManager();
    const bus = new Bus(nc, jsm, nc.jetstream(), stream);
    await bus.ensureStream();
    return bus;
  }

  private subject(k: number): string {
    return `${this.stream}.alerts.${k}`;
  }

  private get intakeSubject(): string {
    return `${this.stream}.intake`;
  }

  private async ensureStream(): Promise<void> {
    const config = {
      name: this.stream,
      subjects: [`${this.stream}.alerts.*`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(MAX_AGE_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    };
    try {
      await this.jsm.streams.info(this.stream);
    } catch {
      try {
        await this.jsm.streams.add(config);
      } catch (e) {
        // another node made it meanwhile
        await this.jsm.streams.info(this.stream).catch(() => {
          throw e;
        });
      }
    }
  }

  /**
   * Publishes stored alerts, one message per partition (split where large), each acknowledged by
   * the stream before this resolves. `batch` names the stored batch: the same batch published
   * again (the outbox after a crash) is de-duplicated by the stream.
   */
  async publish(stored: readonly StoredAlertInMemory[], batch: string): Promise<void> {
    const byPartition = new Map<number, StoredAlertInMemory[]>();
    for (const a of stored) {
      const k = partitionOf(a.alert);
      const list = byPartition.get(k) ?? [];
      list.push(a);
      byPartition.set(k, list);
    }
    const acks: Promise<unknown>[] = [];
    for (const [k, alerts] of byPartition) {
      let part = 0;
      let chunk: string[] = [];
      let size = 0;
      const send = () => {
        if (!chunk.length) return;
        const data = Buffer.from(`{"alerts":[${chunk.join(',')}]}`);
        acks.push(this.js.publish(this.subject(k), data, { msgID: `${batch}-p${k}-${part++}` }));
        chunk = [];
        size = 0;
      };
      for (const a of alerts) {
        const text = JSON.stringify(a);
        if (size + text.length > MAX_MESSAGE_BYTES) send();
        chunk.push(text);
        size += text.length;
      }
      send();
    }
    await Promise.all(acks);
  }

  /** An intake node: answers the API nodes' requests (one node of the queue group takes each). */
  serveIntake(handle: (body: string, kind: BodyKind, format?: AlertFormat) => Promise<IntakeOutcome>): Subscription {
    return this.nc.subscribe(this.intakeSubject, {
      queue: 'intake',
      callback: (err, msg) => {
        if (err) return;
        void (async () => {
          let reply: IntakeReply;
          try {
            const req = JSON.parse(Buffer.from(msg.data).toString('utf8')) as IntakeRequest;
            reply = { value: await handle(req.body, req.kind, req.format) };
          } catch (e) {
            reply =
              e instanceof DomainError
                ? { error: { code: e.code, message: e.message, details: e.details } }
                : { error: { code: 'unavailable', message: `intake failed: ${(e as Error).message}`, details: { retryAfterSeconds: 5 } } };
          }
          msg.respond(Buffer.from(JSON.stringify(reply)));
        })();
      },
    });
  }

  /** An API node: a request's body to an intake node, its answer back. */
  async requestIntake(body: string, kind: BodyKind, format?: AlertFormat): Promise<IntakeOutcome> {
    const data = Buffer.from(JSON.stringify({ body, kind, format } satisfies IntakeRequest));
    const max = this.nc.info?.max_payload ?? 1024 * 1024;
    if (data.length > max) {
      throw new DomainError('payload_too_large', `this batch is ${Math.ceil(data.length / 1024)} KiB; an API node hands at most ${Math.floor(max / 1024)} KiB to intake over NATS: send smaller batches, or send this one to an intake node (bihuan serve --role intake)`);
    }
    let answer;
    try {
      answer = await this.nc.request(this.intakeSubject, data, { timeout: 60_000 });
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new DomainError('unavailable', code === '503' ? 'no intake node is running: start one (bihuan serve --role intake)' : `intake did not answer: ${(e as Error).message}`, { retryAfterSeconds: 5 });
    }
    const reply = JSON.parse(Buffer.from(answer.data).toString('utf8')) as IntakeReply;
    if ('error' in reply) throw new DomainError(reply.error.code, reply.error.message, reply.error.details);
    return reply.value;
  }

  /**
   * Reads one partition as a durable consumer: `handle` gets each message's alerts and stream
   * sequence and resolves once their effects committed; the message is acknowledged then. A
   * message whose handling failed is not acknowledged: the stream delivers it again.
   */
  async consumePartition(k: number, handle: (alerts: StoredAlertInMemory[], seq: number) => Promise<void>, running: () => boolean, onError: (e: unknown) => void): Promise<void> {
    const durable = `detect-p${k}`;
    try {
      await this.jsm.consumers.info(this.stream, durable);
    } catch {
      // one message in flight per partition: the partition is filed in stream order (a message
      // delivered again comes before the next), so its stream sequence tells what was filed
      await this.jsm.consumers.add(this.stream, { durable_name: durable, filter_subject: this.subject(k), ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(ACK_WAIT_MS), max_ack_pending: 1 });
    }
    const consumer = await this.js.consumers.get(this.stream, durable);
    while (running()) {
      try {
        const messages = await consumer.fetch({ max_messages: 1, expires: 1000 });
        for await (const m of messages) {
          const { alerts } = JSON.parse(Buffer.from(m.data).toString('utf8')) as AlertMessage;
          const working = setInterval(() => m.working(), ACK_WAIT_MS / 3);
          try {
            await handle(alerts, m.seq);
            await m.ackAck();
          } catch (e) {
            m.nak(2000);
            onError(e);
          } finally {
            clearInterval(working);
          }
        }
      } catch (e) {
        if (!running()) break;
        onError(e);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Messages of a partition not yet acknowledged by its consumer (0 when it does not exist yet). */
  async pending(k: number): Promise<number> {
    try {
      const info = await this.jsm.consumers.info(this.stream, `detect-p${k}`);
      return info.num_pending + info.num_ack_pending;
    } catch {
      return 0;
    }
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
