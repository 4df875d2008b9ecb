/**
 * What `bihuan serve` writes (issue 14: two JSON lines per request buried the start-up banner):
 * one line per request; JSON when the output is not a terminal (a log shipper's input), readable
 * lines when it is (BIHUAN_LOG_FORMAT=pretty is what the CLI picks on a TTY).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe } from './support/serve-process.js';

describe('the server log', () => {
  let p: ServeProcess | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-logs-'));
  afterEach(() => {
    p?.proc.kill('SIGTERM');
    p = undefined;
  });

  const requestLines = async (format?: string) => {
    p = await startServe({ BIHUAN_DATA_DIR: dir, BIHUAN_LOG_LEVEL: 'info', BIHUAN_ADMIN_PASSWORD: 'logs-test-password-1', ...(format ? { BIHUAN_LOG_FORMAT: format } : {}) });
    const before = p.out().length;
    await fetch(`${p.url}/api/health`);
    await fetch(`${p.url}/api/incidents`);
    await new Promise((r) => setTimeout(r, 500));
    return p.out().slice(before).split('\n').filter((l) => l.includes('/api/'));
  };

  it('not on a terminal: one JSON line per request, with method, address, status and time', async () => {
    const lines = await requestLines();
    expect(lines).toHaveLength(2);
    const [health, list] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(health).toMatchObject({ msg: 'request', method: 'GET', url: '/api/health', status: 200 });
    expect(list).toMatchObject({ msg: 'request', url: '/api/incidents', status: 401 });
    expect(typeof list!.ms).toBe('number');
  });

  it('pretty (what a terminal gets): readable lines, not JSON, the banner first', async () => {
    const lines = await requestLines('pretty');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/INFO.*request.*\/api\/health/);
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(p!.out().indexOf('is running at')).toBeLessThan(p!.out().indexOf('/api/health'));
  });
});
