/**
 * How every part logs (pino): JSON lines, one per event — what a log shipper reads — or, on a
 * terminal, human-readable lines (pino-pretty) so that the start-up banner is not buried.
 * `BIHUAN_LOG_FORMAT=json|pretty` decides; unset, the CLI picks pretty when its output is a
 * terminal (and sets the variable, so that its worker threads log the same way).
 */
import type { LoggerOptions } from 'pino';

/** secrets a request carries never reach a log line */
export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

export function chooseLogFormat(env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true): void {
  if (env.BIHUAN_LOG_FORMAT !== 'json' && env.BIHUAN_LOG_FORMAT !== 'pretty') env.BIHUAN_LOG_FORMAT = tty ? 'pretty' : 'json';
}

export function loggerOptions(level: string, base?: Record<string, unknown>): LoggerOptions {
  const pretty = process.env.BIHUAN_LOG_FORMAT === 'pretty';
  return {
    level,
    redact: LOG_REDACT,
    ...(base ? { base } : {}),
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname', singleLine: true } } } : {}),
  };
}
