/**
 * What every browser test starts from: the real server on a new data directory with its first
 * admin, Debian's Chromium driven by playwright-core, a page at 1366×768 in Chinese and
 * Shanghai time, and the screenshot folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { openServices, type Services } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildServer, uiDir } from '../../src/http/server.js';

export const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
export const SHOTS = path.resolve(import.meta.dirname, '../../test-results/e2e');

if (!CHROMIUM) console.log('[bihuan tests] browser tests SKIPPED: no Chromium found (apt-get install chromium; .ci/run does)');

export interface Console {
  s: Services;
  app: Awaited<ReturnType<typeof buildServer>>;
  base: string;
  dir: string;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** The server (configured by `env` beside a new data directory) and a browser page, not yet signed in. */
export async function startConsole(name: string, adminPassword: string, env: Record<string, string> = {}, page: { acceptDownloads?: boolean } = {}): Promise<Console> {
  if (!uiDir()) throw new Error('the web console is not built (the test setup builds it: see test/support/global-setup.ts)');
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bihuan-${name}-`));
  const s = await openServices(loadConfig({ BIHUAN_DATA_DIR: dir, BIHUAN_TIMEZONE: 'Asia/Shanghai', ...env }, { logLevel: 'silent' }));
  await s.accounts.ensureFirstAdmin({ kind: 'system', label: 'e2e' }, adminPassword);
  const app = await buildServer(s, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const p = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...page });
  return {
    s,
    app,
    base,
    dir,
    browser,
    page: p,
    close: async () => {
      await browser.close();
      await app.close();
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in on the log-in form (without waiting for what comes next). */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByTestId('sign-in').click();
}
