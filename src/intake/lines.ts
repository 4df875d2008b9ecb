/**
 * Reads records from a byte stream line by line without ever holding more than one bounded
 * record: a line longer than `maxBytes` is reported by number and skipped up to its newline.
 * Gzip input is recognised by its magic bytes and inflated on the fly.
 */
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export type LineItem = { line: number; text: string } | { line: number; tooLong: number };

export async function* readLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<LineItem> {
  const decoder = new StringDecoder('utf8');
  let line = 0;
  let pending = '';
  let overflow = 0; // bytes of the current overlong line seen so far (0: not overlong)
  for await (const chunk of input) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    while (text.length > 0) {
      const nl = text.indexOf('\n');
      const part = nl === -1 ? text : text.slice(0, nl);
      if (overflow > 0) overflow += Buffer.byteLength(part);
      else if (pending.length + part.length > maxBytes) {
        overflow = Buffer.byteLength(pending) + Buffer.byteLength(part);
        pending = '';
      } else pending += part;
      if (nl === -1) break;
      line++;
      if (overflow > 0) yield { line, tooLong: overflow };
      else yield { line, text: pending.replace(/\r$/, '') };
      pending = '';
      overflow = 0;
      text = text.slice(nl + 1);
    }
  }
  const rest = decoder.end();
  if (rest) pending += rest;
  if (overflow > 0) yield { line: line + 1, tooLong: overflow };
  else if (pending.length > 0) yield { line: line + 1, text: pending.replace(/\r$/, '') };
}

/** Passes the stream through gunzip when its first two bytes are the gzip magic number. */
export async function maybeGunzip(source: Readable): Promise<Readable> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  const out = new PassThrough();
  const head: Buffer | undefined = first.done ? undefined : Buffer.from(first.value);
  const gz = !!head && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const rest = async function* () {
    if (head) yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  };
  const body = PassThrough.from(rest());
  if (gz) return body.pipe(createGunzip()).on('error', (e) => out.destroy(e)).pipe(out);
  return body;
}
