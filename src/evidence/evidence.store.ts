/**
 * Evidence files on disk, content-addressed by SHA-256 under `<dataDir>/evidence`. A file is
 * streamed to a temporary name while hashed and counted, fsynced, then renamed into place: a
 * crash never leaves a half file under a real name, and the size limit is enforced while
 * streaming (nothing over the limit is kept).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../domain/errors.js';

export interface StoredFile {
  sha256: string;
  size: number;
}

export class EvidenceStore {
  constructor(
    readonly root: string,
    readonly maxBytes: number,
  ) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new DomainError('validation', 'not a SHA-256 digest');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(source: Readable, isTruncated?: () => boolean): Promise<StoredFile> {
    const tmpDir = path.join(this.root, 'tmp');
    await fs.promises.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const max = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > max) {
          cb(new DomainError('payload_too_large', `evidence file is larger than the limit of ${max} bytes`, { limitBytes: max }));
          return;
        }
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      // flush: the file is fsynced before it closes, so the rename below publishes durable bytes
      await pipeline(source, meter, fs.createWriteStream(tmp, { mode: 0o600, flush: true }));
      if (isTruncated?.()) {
        throw new DomainError('payload_too_large', `evidence file is larger than the limit of ${max} bytes`, { limitBytes: max });
      }
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
    const sha256 = hash.digest('hex');
    const final = this.pathOf(sha256);
    await fs.promises.mkdir(path.dirname(final), { recursive: true });
    await fs.promises.rename(tmp, final);
    await fsyncDir(path.dirname(final));
    return { sha256, size };
  }

  open(sha256: string): fs.ReadStream {
    const p = this.pathOf(sha256);
    if (!fs.existsSync(p)) throw new DomainError('not_found', `evidence content ${sha256} is missing from ${this.root}`);
    return fs.createReadStream(p);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.promises.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
