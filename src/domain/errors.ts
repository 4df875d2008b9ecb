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

/**
 * What is wrong with one field. `message` is English for logs, the CLI and API users; `rule`
 * (with `params`) names the rule that was broken, so that the console words it in its own
 * language: the JSON Schema keywords (required, maxLength, enum …) and the product's own
 * (FIELD_RULES). A problem without a rule is shown with its message.
 */
export interface FieldProblem {
  field: string;
  message: string;
  rule?: FieldRule;
  params?: Record<string, string | number>;
}

/** The rules a field problem may name beyond the JSON Schema keywords; the console has a wording for each. */
export const FIELD_RULES = ['required', 'blank', 'maxLength', 'minLength', 'text', 'json', 'instant', 'future', 'passwordShort', 'passwordLong', 'passwordCommon', 'passwordRepetitive', 'passwordName', 'duplicateName', 'unknownAlerts'] as const;
export type FieldRule = (typeof FIELD_RULES)[number] | (string & {});

/**
 * Why a request was refused, beyond its code, for the console to word (`details.reason`, its
 * parameters beside it in `details`): sign-in and rate limits, and every conflict a person can meet.
 */
export type ErrorReason =
  | 'badCredentials'
  | 'totpRequired'
  | 'totpWrong'
  | 'sessionExpired'
  | 'signInRequired'
  | 'tokenInvalid'
  | 'tooManyAttempts'
  | 'busy'
  | 'incidentClosed'
  | 'alreadyGraded'
  | 'invalidMove'
  | 'playbookTaskCancel'
  | 'usernameTaken'
  | 'lastAdmin'
  | 'totpSetUp'
  | 'totpNotStarted'
  | 'nameTaken'
  | 'warningSame'
  | 'noWarning'
  | 'warningAcked'
  | 'concurrentChange'
  | 'alertsOnIncident'
  | 'occurrenceOpen'
  | 'campaignClosed'
  | 'planNotDraft';

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

export function validationError(field: string, message: string, rule?: FieldRule, params?: Record<string, string | number>): DomainError {
  const problem: FieldProblem = { field, message };
  if (rule) problem.rule = rule;
  if (params) problem.params = params;
  return new DomainError('validation', `${field}: ${message}`, [problem]);
}

export function notFound(what: string, id: string | number): DomainError {
  return new DomainError('not_found', `${what} ${id} does not exist`, { entity: what, id });
}
