/**
 * Two-factor sign-in in a real browser (issue 11, F10): an admin of a server that requires
 * one-time codes of admins signs in, may only set them up, adds the key (read off the page, as an
 * authenticator app would), confirms with a code, and from then on the sign-in asks for a code.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildServer, uiDir } from '../../src/http/server.js';

const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const SHOTS = path.resolve(import.meta.dirname, '../../test-results/e2e');
const PASSWORD = 'totp-admin-password';

if (!CHROMIUM) console.log('[bihuan tests] browser tests SKIPPED: no Chromium found (apt-get install chromium; .ci/run does)');

describe.skipIf(!CHROMIUM)('one-time codes in a real browser', () => {
  let s: Services;
  let app: Awaited<ReturnType<typeof buildServer>>;
  let browser: Browser;
  let page: Page;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    if (!uiDir()) throw new Error('the web console is not built (the test setup builds it: see test/support/global-setup.ts)');
    fs.mkdirSync(SHOTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-totp-'));
    s = await openServices(loadConfig({ BIHUAN_DATA_DIR: dir, BIHUAN_TIMEZONE: 'Asia/Shanghai', BIHUAN_REQUIRE_TOTP_FOR_ADMIN: 'true' }, { logLevel: 'silent' }));
    await s.accounts.ensureFirstAdmin({ kind: 'system', label: 'e2e' }, PASSWORD);
    app = await buildServer(s, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await s?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes an admin set up one-time codes first, then asks for a code at sign-in', async () => {
    await page.goto(base);
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByTestId('sign-in').click();
    await page.getByText('管理员须使用动态口令登录：请先完成设置').waitFor();
    await page.getByTestId('totp-start').click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    // the QR code for the phone, drawn in the page (the policy allows data: images)
    await page.getByTestId('totp-qr').waitFor();
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    await page.getByTestId('totp-confirm-code').fill(totp.generate());
    await page.screenshot({ path: path.join(SHOTS, 'totp-setup.png') });
    await page.getByTestId('totp-confirm').click();
    await page.getByText('未关闭事件').waitFor();
    // signed out and in again: the code is asked for after the password
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('totp-code').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'totp-sign-in.png') });
    // the code just used is good once: wait for the next one
    const used = totp.generate();
    let next = used;
    while (next === used) {
      await page.waitForTimeout(1000);
      next = totp.generate();
    }
    await page.getByTestId('totp-code').fill(next);
    await page.getByTestId('sign-in').click();
    await page.getByText('未关闭事件').waitFor();
    expect((await s.accounts.totpState(1, 'admin')).enabled).toBe(true);
  }, 90_000);
});
