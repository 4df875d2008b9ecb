/**
 * Two-factor sign-in in a real browser (issue 11, F10): an admin of a server that requires
 * one-time codes of admins signs in, may only set them up, adds the key (read off the page, as an
 * authenticator app would), confirms with a code, and from then on the sign-in asks for a code.
 */
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, type Console, SHOTS, signIn, startConsole } from './support.js';

const PASSWORD = 'totp-admin-password';

describe.skipIf(!CHROMIUM)('one-time codes in a real browser', () => {
  let c: Console;
  beforeAll(async () => {
    c = await startConsole('totp', PASSWORD, { BIHUAN_REQUIRE_TOTP_FOR_ADMIN: 'true' });
  }, 60_000);
  afterAll(async () => c?.close());

  it('makes an admin set up one-time codes first, then asks for a code at sign-in', async () => {
    const { page, s } = c;
    await page.goto(c.base);
    await signIn(page, 'admin', PASSWORD);
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
    await signIn(page, 'admin', PASSWORD);
    await page.getByTestId('totp-code').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'totp-sign-in.png') });
    // the code just used is good once: the app's next code (the server allows one step of clock drift)
    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    await page.getByTestId('totp-code').fill(next);
    await page.getByTestId('sign-in').click();
    await page.getByText('未关闭事件').waitFor();
    expect((await s.accounts.totpState(1, 'admin')).enabled).toBe(true);
  }, 90_000);
});
