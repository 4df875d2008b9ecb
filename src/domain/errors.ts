/**
 * The one error type of the product. Every failure a user can cause or meet is a DomainError
 * with a stable `code`; the HTTP edge maps codes to statuses, the CLI prints them.
 */
export type ErrorCode =
  | 'validation' // 400: input is malformed; details name the field
  | 'unauthenticated' // 401: no or bad credentials
  | 'forbidden' // 403: authenticated, but the role may not do this
  | 'not_found' // 404
  | 'conflict' // 409: the state does not allow it (duplicate, already closed …)
  | 'gate_refused' // 409: a phase gate refused the move; details list the gates
  | 'payload_too_large' // 413
  | 'rate_limited' // 429: too many attempts; details say when to retry
  | 'unavailable' // 503: the server cannot take this now (storage behind or failing); details say when to retry
  | 'internal'; // 500

export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function validationError(field: string, message: string): DomainError {
  return new DomainError('validation', `${field}: ${message}`, [{ field, message } satisfies FieldProblem]);
}

export function notFound(what: string, id: string | number): DomainError {
  return new DomainError('not_found', `${what} ${id} does not exist`, { entity: what, id });
}
