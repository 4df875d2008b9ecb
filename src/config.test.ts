import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to an SQLite file under ./data on 127.0.0.1:8080', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe(`sqlite:${path.resolve('data', 'bihuan.db')}`);
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, cookieSecure: 'auto' });
  });

  it('reads a YAML file and lets environment variables win over it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-cfg-'));
    const file = path.join(dir, 'bihuan.yaml');
    fs.writeFileSync(file, 'port: 9000\ntimeZone: Asia/Shanghai\ndatabaseUrl: postgres://bihuan@db/bihuan\n');
    expect(loadConfig({ BIHUAN_CONFIG: file })).toMatchObject({ port: 9000, timeZone: 'Asia/Shanghai', databaseUrl: 'postgres://bihuan@db/bihuan' });
    expect(loadConfig({ BIHUAN_CONFIG: file, BIHUAN_PORT: '9100' }).port).toBe(9100);
    fs.writeFileSync(file, 'prot: 9000\n');
    expect(() => loadConfig({ BIHUAN_CONFIG: file })).toThrow(`configuration ${file}: prot: unknown key`);
  });

  it('stops on a bad value, naming the key', () => {
    expect(() => loadConfig({ BIHUAN_PORT: 'eighty' })).toThrow('configuration BIHUAN_PORT: must be a whole number from 0 to 65535, got "eighty"');
    expect(() => loadConfig({ BIHUAN_TIMEZONE: 'Mars/Olympus' })).toThrow('BIHUAN_TIMEZONE: "Mars/Olympus" is not an IANA time zone');
    expect(() => loadConfig({ BIHUAN_COOKIE_SECURE: 'maybe' })).toThrow('BIHUAN_COOKIE_SECURE: must be one of auto, always, never');
    expect(() => loadConfig({ BIHUAN_ADMIN_PASSWORD: 'short' })).toThrow(/BIHUAN_ADMIN_PASSWORD: must be a good password: .*at least 12 characters/);
  });
});
