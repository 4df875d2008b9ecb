/**
 * Stored XSS (issue 11, F1), in a real browser: the DriverLife outbreak replayed with one
 * host's name in the asset inventory replaced by markup that, rendered as HTML, loads an image
 * and calls back to the server. Every screen that shows the name — the hosts table, the spread
 * chart's tooltip (ECharts renders tooltips as HTML), the wall screen — shows it as text, and the
 * browser never makes the request. The pages carry a Content-Security-Policy that forbids inline
 * script, as a second wall.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERLIFE_DIR, prepareDriverLife, replayDriverLife } from '../../src/demo/driverlife.js';
import { CHROMIUM, type Console, SHOTS, signIn, startConsole } from './support.js';

const PASSWORD = 'xss-admin-password';
/** what an attacker names a host: markup that calls home when rendered as HTML */
const PAYLOAD = `<img src=/xss-img onerror=fetch('/xss-fired')>`;

describe.skipIf(!CHROMIUM)('markup in stored data is shown as text (a real browser)', () => {
  let c: Console;
  let s: Console['s'];
  let page: Console['page'];
  let browser: Console['browser'];
  let base: string;
  const fired: string[] = [];

  beforeAll(async () => {
    c = await startConsole('xss', PASSWORD);
    ({ s, page, browser, base } = c);
    c.app.server.on('request', (req: { url?: string }) => {
      if (req.url?.startsWith('/xss-')) fired.push(req.url);
    });
    // the outbreak, with one host's name in the inventory replaced by the payload
    const fixtures = path.join(c.dir, 'driverlife');
    fs.cpSync(DRIVERLIFE_DIR, fixtures, { recursive: true });
    const csv = path.join(fixtures, 'sh-assets.csv');
    fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replace('SH-PC015', PAYLOAD));
    await prepareDriverLife(s, fixtures);
    await replayDriverLife(s, { dir: fixtures, endAt: new Date() });
    await s.notify.run();
    page.on('request', (r) => {
      if (r.url().includes('/xss-')) fired.push(r.url());
    });
    await page.goto(base);
    await signIn(page, 'admin', PASSWORD);
    await page.getByText('未关闭事件').waitFor();
  }, 120_000);
  afterAll(async () => c?.close());

  it('serves the console with a Content-Security-Policy and the usual headers', async () => {
    const res = await fetch(`${base}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/); // served over plain HTTP on the LAN
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const api = await fetch(`${base}/api/health`);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    // the console and the API document work under that policy: nothing refused
    const refused: string[] = [];
    const docs = await browser.newPage();
    docs.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await docs.goto(`${base}/docs`);
    await docs.locator('.swagger-ui .opblock').first().waitFor();
    await docs.goto(base);
    await docs.getByTestId('sign-in').waitFor();
    await docs.close();
    expect(refused).toEqual([]);
  });

  it('shows the host name as text in the hosts table and in the spread chart tooltip', async () => {
    const incident = (await s.incidents.list({ sort: 'created', limit: 1 })).items[0]!;
    await page.goto(`${base}/#/incidents/${incident.id}`);
    const hosts = page.getByTestId('hosts');
    await hosts.getByText(PAYLOAD).waitFor({ timeout: 10_000 }).catch(async (e: unknown) => {
      await page.screenshot({ path: path.join(SHOTS, 'xss-debug.png') });
      throw e;
    });
    // hover along each host's row (the chart's grid: 10 px top, 30 px bottom, 150 px left, 40 px right) until the tooltip names the host
    const chart = page.getByTestId('spread-chart');
    await chart.locator('canvas').first().waitFor();
    const box = (await chart.boundingBox())!;
    const rows = ((await s.detection.incidentDetection(incident.id)).spread.hosts as unknown[]).length;
    let tooltip = '';
    for (let i = 0; i < rows && !tooltip.includes('xss-img'); i++) {
      const y = box.y + 10 + ((i + 0.5) * (box.height - 40)) / rows;
      for (let x = box.x + 150; x < box.x + box.width - 35 && !tooltip.includes('xss-img'); x += 5) {
        await page.mouse.move(x, y);
        tooltip = await chart.innerText();
      }
    }
    expect(tooltip).toContain(PAYLOAD);
    expect(await page.locator('img[src="/xss-img"]').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'xss-spread-tooltip.png') });
  });

  it('shows it as text on the wall screen too, and the browser never called home', async () => {
    await page.goto(`${base}/#/wall`);
    await page.getByTestId('wall-spread').locator('canvas').first().waitFor();
    await page.waitForTimeout(500);
    expect(await page.locator('img[src="/xss-img"]').count()).toBe(0);
    expect(fired).toEqual([]);
  });
});
