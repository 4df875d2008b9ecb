/** Password hashing with scrypt (Node's crypto), salted, with parameters stored in the hash. */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
/** 2^17: about 128 MB and a few hundred milliseconds per hash; a stored hash with a smaller N is redone at the next log-in */
export const SCRYPT_N = 131072;
const R = 8;
const P = 1;
const LEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, LEN, { N: SCRYPT_N, r: R, p: P, maxmem: 256 * 1024 * 1024 });
  return `scrypt$${SCRYPT_N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A stored hash made with weaker parameters than today's (rehashed at the next good log-in). */
export function needsRehash(stored: string): boolean {
  const parts = stored.split('$');
  return parts[0] !== 'scrypt' || Number(parts[1]) < SCRYPT_N || Number(parts[2]) < R;
}

/** A random secret for sessions and API tokens (256 bits), URL-safe. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Secrets of 256 random bits are stored as their SHA-256: a leaked table reveals nothing usable. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generatePassword(): string {
  // 18 random bytes → 24 URL-safe characters
  return randomBytes(18).toString('base64url');
}
