/**
 * Secrets at rest (issue 11): channel secrets (SMTP passwords, signing keys) and the credentials
 * a support request hands over are stored sealed with AES-256-GCM (node:crypto) under one key
 * from the configuration (`BIHUAN_SECRET_KEY`, 32 bytes in base64 or hex) or, when none is
 * configured, a key file created once in the data directory (`secret.key`, readable by its owner
 * only). A sealed value reads `enc:v1:` + base64(nonce ‖ tag ‖ ciphertext); a database, a backup
 * or an export without the key shows none of them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const PREFIX = 'enc:v1:';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** The key from its configured text (32 bytes as base64 or 64 hex digits). */
  static fromText(text: string, where: string): SecretBox {
    const t = text.trim();
    const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
    if (key.length !== 32) throw new Error(`${where}: the secret key must be 32 bytes, as base64 (44 characters) or 64 hex digits; make one with: openssl rand -base64 32`);
    return new SecretBox(key);
  }

  /** The key file in the data directory, created (owner-only) when missing. */
  static fromFile(file: string): SecretBox {
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    }
    return SecretBox.fromText(fs.readFileSync(file, 'utf8'), file);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), ct]).toString('base64');
  }

  /** Opens a sealed value; a value stored before sealing existed is returned as it is. */
  open(value: string): string {
    if (!SecretBox.isSealed(value)) return value;
    const raw = Buffer.from(value.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('a stored secret cannot be opened with this secret key (was the key changed or lost?)');
    }
  }
}
