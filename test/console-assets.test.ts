/**
 * How the console reaches the browser (issue 14: a 2.48 MB script sent uncompressed): every file
 * pre-compressed (brotli, gzip) and sent in the form the browser accepts, hashed files cached for
 * good and the page that names them asked for anew, and the bundle split by screen so that the
 * log-in page loads at most 400 kB compressed.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

describe('the console as it is served', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  const get = (url: string, encoding?: string) => h.app.inject({ method: 'GET', url, headers: encoding ? { 'accept-encoding': encoding } : {} });

  it('sends the log-in page in ≤ 400 kB of brotli, each file compressed and cached by its hash', async () => {
    const page = await get('/', 'br, gzip');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    const html = page.headers['content-encoding'] === 'br' ? brotliDecompressSync(page.rawPayload).toString() : page.body;
    const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    let total = 0;
    for (const f of files) {
      const r = await get(f, 'gzip, deflate, br, zstd');
      expect(r.statusCode, f).toBe(200);
      expect(r.headers['content-encoding'], f).toBe('br');
      expect(r.headers['cache-control'], f).toBe('public, max-age=31536000, immutable');
      expect(String(r.headers.vary), f).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(r.rawPayload).length, f).toBeGreaterThan(r.rawPayload.length);
      total += r.rawPayload.length;
    }
    expect(total).toBeLessThanOrEqual(400 * 1024);
    // the charts are not part of it: they come with the screens that draw them
    expect(html).not.toMatch(/Chart-/);
  });

  it('sends gzip to a browser that takes only gzip, and the file itself to one that takes neither', async () => {
    const html = (await get('/')).body;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const gz = await get(script, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await get(script);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
  });
});
