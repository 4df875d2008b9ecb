/** The one place where errors become HTTP responses: `{code, message, details}`. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../domain/errors.js';
import { storageConflict } from '../store/errors.js';

export const STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gate_refused: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function fieldOf(issue: AjvIssue): string {
  const base = issue.instancePath.replace(/^\//, '');
  const missing = issue.params.missingProperty ?? issue.params.additionalProperty;
  return [base, missing].filter((s) => s !== undefined && s !== '').join('/') || '(root)';
}

/** the limit or the allowed values of a broken schema keyword, for the console's wording */
function paramsOf(issue: AjvIssue): Record<string, string | number> | undefined {
  const p = issue.params;
  if (typeof p.limit === 'number') return { limit: p.limit };
  if (Array.isArray(p.allowedValues)) return { values: p.allowedValues.join(', ') };
  if (typeof p.format === 'string') return { format: p.format };
  if (typeof p.type === 'string') return { type: p.type };
  return undefined;
}

/**
 * A value of a nullable field (anyOf: null or the type) that fails reports three issues: "must be
 * null", the rule it broke, and "must match a schema in anyOf". Only the rule it broke is what
 * the person got wrong; the other two are dropped (kept when nothing else is left).
 */
function nullableCollapsed(issues: AjvIssue[]): AjvIssue[] {
  const anyOf = new Set(issues.filter((i) => i.keyword === 'anyOf').map((i) => i.instancePath));
  if (!anyOf.size) return issues;
  const kept = issues.filter((i) => !(anyOf.has(i.instancePath) && (i.keyword === 'anyOf' || (i.keyword === 'type' && i.params.type === 'null'))));
  return kept.length ? kept : issues;
}

function messageOf(issue: AjvIssue): string {
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'additionalProperties') return 'is not a known field';
  if (issue.keyword === 'enum') return `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`;
  return issue.message ?? issue.keyword;
}

export function toErrorBody(error: unknown): { status: number; body: { code: ErrorCode; message: string; details?: unknown } } {
  error = storageConflict(error) ?? error;
  if (error instanceof DomainError) {
    return { status: STATUS[error.code], body: { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) } };
  }
  const fe = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fe.validation) {
    const where = fe.validationContext ?? 'body';
    const details = nullableCollapsed(fe.validation).map((v) => {
      const params = paramsOf(v);
      return { in: where, field: fieldOf(v), message: messageOf(v), rule: v.keyword, ...(params && { params }) };
    });
    return { status: 400, body: { code: 'validation', message: details.map((d) => `${d.in} ${d.field}: ${d.message}`).join('; '), details } };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
      return { status: 413, body: { code: 'payload_too_large', message: fe.message } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { code: 'validation', message: `body: ${fe.message}`, details: [{ in: 'body', field: '(root)', message: fe.message, rule: 'json' }] } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return { status: 415, body: { code: 'validation', message: fe.message, details: [{ in: 'headers', field: 'content-type', message: fe.message }] } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { code: fe.statusCode === 404 ? 'not_found' : 'validation', message: fe.message } };
  }
  return { status: 500, body: { code: 'internal', message: 'internal error' } };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(error);
  const retry = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof retry === 'number' && (status === 429 || status === 503)) void reply.header('retry-after', String(retry));
  if (body.code === 'internal') {
    request.log.error({ err: error }, 'request failed');
    body.message = `internal error (request ${request.id}); the server log has the cause`;
  }
  void reply.status(status).send(body);
}
