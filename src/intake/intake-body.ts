/**
 * A request body of alerts, as the HTTP way in receives it (the raw text: a JSON array or one
 * object, or NDJSON / plain lines), read into records and stored. Runs where intake runs — the
 * intake worker in the embedded default — so the thread that answers people never parses.
 */
import type { AlertFormat } from '../domain/alert/alert.js';
import { DomainError } from '../domain/errors.js';
import type { IntakeOutcome, IntakeRecord, IntakeService } from './intake.service.js';

export type BodyKind = 'json' | 'text';

/**
 * A request body as the HTTP way in hands it on: bytes in an ArrayBuffer of their own, so the
 * API thread can transfer them to the intake worker (issue 12, memory: a body kept as a string on
 * the API thread while intake stores it outlives two scavenges and piles up in its old space).
 */
export type BodyBytes = ArrayBuffer;

/** The body's bytes in a buffer of their own (never a view of a pooled or shared one, which could not be transferred). */
export function ownBytes(body: Uint8Array): BodyBytes {
  const own = new ArrayBuffer(body.byteLength);
  new Uint8Array(own).set(body);
  return own;
}

/** The body as text (UTF-8, as HTTP clients send it). */
export function bodyText(body: BodyBytes): string {
  return Buffer.from(body).toString('utf8');
}

function* jsonRecords(body: unknown): Generator<IntakeRecord> {
  const items = Array.isArray(body) ? body : [body];
  let line = 0;
  for (const item of items) {
    line++;
    if (typeof item === 'string') yield { line, text: item };
    else {
      let text: string;
      try {
        text = JSON.stringify(item);
      } catch {
        yield { line, problem: 'the record is too deeply nested to read' };
        continue;
      }
      yield { line, text };
    }
  }
}

function* textRecords(body: string): Generator<IntakeRecord> {
  let line = 0;
  for (const text of body.split('\n')) {
    line++;
    yield { line, text: text.replace(/\r$/, '') };
  }
}

/** Seconds a sender is asked to wait when storage cannot take a batch now. */
export const STORAGE_RETRY_SECONDS = 5;

export async function ingestBody(intake: IntakeService, body: string, kind: BodyKind, opts: { channel: string; format?: AlertFormat }): Promise<IntakeOutcome> {
  if (body.trim() === '') throw new DomainError('validation', 'the body is empty: send a JSON array of records or one record per line', [{ in: 'body', field: '(root)', message: 'empty' }]);
  let records: Iterable<IntakeRecord>;
  if (kind === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      const why = (e as Error).message;
      throw new DomainError('validation', `body: not valid JSON (${why}); send a JSON array of records, or NDJSON as application/x-ndjson`, [{ in: 'body', field: '(root)', message: why }]);
    }
    if (parsed === null || parsed === '') throw new DomainError('validation', 'the body is empty: send a JSON array of records or one record per line', [{ in: 'body', field: '(root)', message: 'empty' }]);
    records = jsonRecords(parsed);
  } else records = textRecords(body);
  try {
    return await intake.ingest(records, opts);
  } catch (e) {
    if (e instanceof DomainError) throw e;
    // storage refused or failed: nothing unstored is acknowledged; what a batch before stored is a duplicate when resent
    throw new DomainError('unavailable', `storage cannot take alerts now (${(e as Error).message?.slice(0, 200) ?? String(e)}); nothing of this request is acknowledged — send it again (what was already stored is recognised as a duplicate)`, {
      retryAfterSeconds: STORAGE_RETRY_SECONDS,
    });
  }
}
