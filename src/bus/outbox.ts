/**
 * Intake's side of the bus: every stored batch is named in the outbox on its own transaction,
 * published after the commit, and struck from the outbox once the stream acknowledged it. What a
 * crash or an unreachable NATS left in the outbox is published again by `sweep` (any intake
 * node; the stream de-duplicates a batch published twice within its duplicate window).
 */
import type { Kysely } from 'kysely';
import type { StoredAlertInMemory } from '../intake/intake.service.js';
import type { LoopLogger } from '../runtime/background.js';
import type { DB } from '../store/schema.js';
import type { Bus } from './bus.js';

/** An outbox row this old is taken to be abandoned (its node died or NATS failed) and is published again. */
const ABANDONED_MS = 30_000;

export class BusOutbox {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly bus: Bus,
    private readonly now: () => Date,
    private readonly log: LoopLogger,
    /** reads stored records back by id (alerts and lean events): intake's store */
    private readonly records: { readStored(db: Kysely<DB>, ids: readonly number[]): Promise<Map<number, StoredAlertInMemory>> },
  ) {}

  async record(trx: Kysely<DB>, stored: StoredAlertInMemory[]): Promise<number> {
    const row = await trx
      .insertInto('bus_outbox')
      .values({ alert_ids: JSON.stringify(stored.map((a) => a.id)), created_at: this.now().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** After the commit: to the stream, then off the outbox. A failure leaves the row for `sweep` (the alerts are stored either way). */
  async publish(stored: StoredAlertInMemory[], row: number): Promise<void> {
    try {
      await this.bus.publish(stored, `b${row}`);
      await this.db.deleteFrom('bus_outbox').where('id', '=', row).execute();
    } catch (e) {
      this.log.warn({ err: e, outboxRow: row }, 'bus: a stored batch could not be published now; the outbox publishes it again');
    }
  }

  /** Publishes the abandoned rows again; answers how many. */
  async sweep(): Promise<number> {
    const before = new Date(this.now().getTime() - ABANDONED_MS).toISOString();
    const rows = await this.db.selectFrom('bus_outbox').selectAll().where('created_at', '<', before).orderBy('id').limit(100).execute();
    for (const r of rows) {
      const ids = JSON.parse(r.alert_ids) as number[];
      const read = await this.records.readStored(this.db, ids);
      await this.bus.publish(
        ids.flatMap((id) => read.get(id) ?? []),
        `b${r.id}`,
      );
      await this.db.deleteFrom('bus_outbox').where('id', '=', r.id).execute();
    }
    return rows.length;
  }
}
