import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** Newest modification time under a directory. */
function newest(dir: string): number {
  let t = 0;
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) t = Math.max(t, fs.statSync(path.join(dir, f)).mtimeMs);
  return t;
}

/** Says once, clearly, which halves of the suite run; builds the web console the server and browser tests serve. */
export default function setup(): void {
  const pg = process.env.BIHUAN_TEST_PG_URL;
  if (pg) console.log(`[bihuan tests] dialects: sqlite, postgres (${pg.replace(/\/\/([^:@/]+):[^@]+@/, '//$1:***@')})`);
  else console.log('[bihuan tests] dialects: sqlite only — PostgreSQL tests SKIPPED because BIHUAN_TEST_PG_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)');
  const index = path.join(root, 'dist/ui/index.html');
  if (!fs.existsSync(index) || fs.statSync(index).mtimeMs < newest(path.join(root, 'web'))) {
    console.log('[bihuan tests] building the web console (vite build) for the server and browser tests');
    // the production build that npm start serves: vitest sets NODE_ENV=test, which would make Vite bundle React's
    // and Ant Design's development builds (several times slower, and not what a user gets)
    execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: root, stdio: 'pipe', env: { ...process.env, NODE_ENV: 'production' } });
  }
}
