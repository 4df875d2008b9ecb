/**
 * A real `bihuan serve` process for a test: started from the sources with the environment the
 * test gives (nothing of the test runner's), its output collected, resolved once it says it is
 * running — or rejected with its output when it exits or does not start within 20 s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServeProcess {
  proc: ChildProcess;
  /** everything it printed so far (stdout and stderr) */
  out: () => string;
  url: string;
  /** its exit code once it exited, undefined while it runs */
  exited: () => number | null | undefined;
}

export function startServe(env: Record<string, string | undefined>, args = ['serve', '--port', '0']): Promise<ServeProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exit: number | null | undefined;
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  proc.on('exit', (code) => (exit = code));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const check = setInterval(() => {
      const m = /is running at (http:\/\/\S+)/.exec(out);
      if (m && out.includes('Press Ctrl+C to stop.')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ proc, out: () => out, url: m[1]!, exited: () => exit });
      } else if (exit !== undefined) {
        clearInterval(check);
        clearTimeout(timer);
        reject(new Error(`server exited with ${exit}:\n${out}`));
      }
    }, 50);
  });
}
