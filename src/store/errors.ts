/**
 * Storage errors a user can cause (mostly two people doing the same thing at once) as
 * DomainErrors, the same way on both dialects.
 */
import { DomainError } from '../domain/errors.js';

export function storageConflict(e: unknown): DomainError | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  // PostgreSQL unique_violation; SQLite unique / primary-key constraint
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new DomainError('conflict', 'this conflicts with an existing record or a change made at the same moment; reload and retry', { reason: 'concurrentChange' });
  }
  return undefined;
}
