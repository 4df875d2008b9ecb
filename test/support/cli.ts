/** The `bihuan` CLI run in this process against a test database (its data directory, Beijing time). */
import { runCli } from '../../src/cli/program.js';
import type { TestDatabase } from './dialects.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export function cliOn(t: Pick<TestDatabase, 'url' | 'dataDir'>, env: Record<string, string> = {}): (...args: string[]) => Promise<CliRun> {
  return async (...args) => {
    let out = '';
    let err = '';
    const code = await runCli(['--database', t.url, ...args], {
      out: (s) => (out += s),
      err: (s) => (err += s),
      env: { BIHUAN_DATA_DIR: t.dataDir, BIHUAN_TIMEZONE: 'Asia/Shanghai', PATH: process.env.PATH, ...env },
    });
    return { code, out, err };
  };
}
