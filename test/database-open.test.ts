/**
 * A database that cannot be opened says which file and why (issue 11), through the CLI and the
 * server alike — never a bare "unable to open database file" with a stack.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-open-'));
const root = path.resolve(import.meta.dirname, '..');

const cli = async (url: string, ...args: string[]) => {
  let err = '';
  const code = await runCli(['--database', url, ...args], { out: () => undefined, err: (s) => (err += s), env: { BIHUAN_DATA_DIR: dir, PATH: process.env.PATH } });
  return { code, err };
};

describe('a database that cannot be opened', () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names the file and the reason: another program’s file, a directory, a path through a file, a directory it may not write', async () => {
    const notDb = path.join(dir, 'notes.db');
    fs.writeFileSync(notDb, 'these are not the droids you are looking for, and not SQLite either');
    const before = fs.readFileSync(notDb);
    expect(await cli(`sqlite:${notDb}`, 'db', 'migrate')).toEqual({ code: 1, err: `error [database]: cannot open the database ${notDb}: the file is not a SQLite database (another program’s file, or damaged)\n` });
    // and nothing was written to it
    expect(fs.readFileSync(notDb)).toEqual(before);
    expect((await cli(`sqlite:${dir}`, 'incident', 'list')).err).toBe(`error [database]: cannot open the database ${dir}: it is a directory, not a file (EISDIR)\n`);
    expect((await cli(`sqlite:${notDb}/x.db`, 'db', 'migrate')).err).toContain('a part of its path is a file, not a directory (ENOTDIR)');
    expect((await cli('sqlite:/proc/bihuan.db', 'db', 'migrate')).err).toContain('cannot open the database /proc/bihuan.db: the file cannot be created in /proc');
  });

  it('stops the server with the same words and exit code 1', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0'], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, BIHUAN_DATABASE_URL: `sqlite:${dir}` }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error [database]: cannot open the database ${dir}: it is a directory, not a file`);
    expect(r.stderr).not.toContain('    at ');
  });
});
