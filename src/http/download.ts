/** A stored file sent as a download: its type, size, name (any language) and SHA-256, never sniffed. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

export function sendDownload(reply: FastifyReply, f: { contentType: string; size: number; filename: string; sha256: string; stream: Readable }) {
  return reply
    .header('content-type', f.contentType)
    .header('content-length', f.size)
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.filename)}`)
    .header('x-content-sha256', f.sha256)
    .header('x-content-type-options', 'nosniff')
    .send(f.stream);
}

/** A document made now (a report) sent as a download, with its SHA-256. */
export function sendBytes(reply: FastifyReply, f: { contentType: string; filename: string; bytes: Buffer }) {
  return sendDownload(reply, { contentType: f.contentType, size: f.bytes.length, filename: f.filename, sha256: createHash('sha256').update(f.bytes).digest('hex'), stream: Readable.from([f.bytes]) });
}
