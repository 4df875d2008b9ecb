/**
 * The time zone as a first-class setting (issue 13): device times without an offset are read in
 * the organisation's zone saved in the settings, or in their source's own (syslog host, device
 * product); the setting travels in the settings export; forms name the zone; the server says
 * on start which zone it reads times in, and warns when it is UTC and nobody chose it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe } from './support/serve-process.js';

const SSHD = (host: string) => `<38>Dec  2 09:30:00 ${host} sshd[4242]: Failed password for root from 203.0.113.77 port 40222 ssh2`;
const CEF = (vendor: string, product: string, src: string) => `CEF:0|${vendor}|${product}|1.0|100|Port scan|5|rt=Dec 02 2019 09:30:00 src=${src} dst=10.1.1.5`;

for (const dialect of DIALECTS) {
  describe(`the time zone setting on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      // the configuration says UTC, as a container's machine zone would
      h = await startHarness(dialect, { BIHUAN_TIMEZONE: 'UTC' });
      h.clock.t = new Date('2019-12-02T12:00:00Z');
    });
    afterAll(async () => h?.close());

    const send = async (lines: string[]) => {
      const r = await h.req({ method: 'POST', url: '/api/alerts', as: 'ingest', headers: { 'content-type': 'text/plain' }, payload: lines.join('\n') });
      expect(r.statusCode, r.body).toBe(200);
    };
    const timeOf = async (q: string, kind = 'event') => {
      const r = await h.req({ method: 'GET', url: `/api/alerts?kind=${kind}&q=${encodeURIComponent(q)}&from=2019-12-01T00:00:00Z&to=2019-12-03T00:00:00Z`, as: 'viewer' });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().items.map((i: { timestamp: string }) => i.timestamp);
    };

    it('reads offset-less device times in the saved zone, or in the zone of their host or product', async () => {
      expect((await h.req({ method: 'GET', url: '/api/settings/time-zone', as: 'viewer' })).json()).toEqual({ zone: 'UTC', sources: [], from: 'configured' });
      const put = await h.req({
        method: 'PUT',
        url: '/api/settings/time-zone',
        as: 'admin',
        payload: { zone: 'Asia/Shanghai', sources: [{ host: 'fra-bastion', zone: 'Europe/Berlin' }, { product: 'OldIDS', zone: 'UTC' }] },
      });
      expect(put.statusCode, put.body).toBe(200);
      expect((await h.req({ method: 'GET', url: '/api/settings/time-zone', as: 'viewer' })).json()).toMatchObject({ zone: 'Asia/Shanghai', from: 'settings' });

      await send([SSHD('bj-bastion'), SSHD('FRA-BASTION')]);
      // 09:30 in Beijing is 01:30 UTC; 09:30 in Berlin (winter) is 08:30 UTC
      expect((await timeOf('bj-bastion')).map((t: string) => new Date(t).toISOString())).toEqual(['2019-12-02T01:30:00.000Z']);
      expect((await timeOf('FRA-BASTION')).map((t: string) => new Date(t).toISOString())).toEqual(['2019-12-02T08:30:00.000Z']);

      await send([CEF('Qi An Xin', 'TianYan', '203.0.113.78'), CEF('Acme', 'OldIDS', '203.0.113.79')]);
      const cef = async (src: string) => {
        const all = [];
        for (const kind of ['alert', 'event']) all.push(...(await h.req({ method: 'GET', url: `/api/alerts?kind=${kind}&src=${src}&from=2019-12-01T00:00:00Z&to=2019-12-03T00:00:00Z`, as: 'viewer' })).json().items);
        return all.map((i: { timestamp: string }) => new Date(i.timestamp).toISOString());
      };
      // a device without an override: the organisation's zone; the product with its own: UTC
      expect(await cef('203.0.113.78')).toEqual(['2019-12-02T01:30:00.000Z']);
      expect(await cef('203.0.113.79')).toEqual(['2019-12-02T09:30:00.000Z']);
    });

    it('refuses a zone that does not exist, naming the field, and keeps the saved one', async () => {
      const bad = await h.req({ method: 'PUT', url: '/api/settings/time-zone', as: 'admin', payload: { zone: 'Asia/Shanghai', sources: [{ host: 'x', zone: 'Mars/Olympus' }] } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0]).toMatchObject({ field: 'sources/0/zone' });
      expect(bad.json().message).toContain('Mars/Olympus');
      const both = await h.req({ method: 'PUT', url: '/api/settings/time-zone', as: 'admin', payload: { zone: 'UTC', sources: [{ host: 'x', product: 'y', zone: 'UTC' }] } });
      expect(both.statusCode).toBe(400);
      expect((await h.req({ method: 'PUT', url: '/api/settings/time-zone', as: 'handler', payload: { zone: 'UTC', sources: [] } })).statusCode).toBe(403);
      expect((await h.req({ method: 'GET', url: '/api/settings/time-zone', as: 'viewer' })).json()).toMatchObject({ zone: 'Asia/Shanghai' });
    });

    it('travels in the settings export and import', async () => {
      const doc = (await h.req({ method: 'GET', url: '/api/settings/export', as: 'admin' })).json();
      expect(doc.timeZone).toEqual({ zone: 'Asia/Shanghai', sources: [{ host: 'fra-bastion', zone: 'Europe/Berlin' }, { product: 'OldIDS', zone: 'UTC' }] });
      const imported = await h.req({ method: 'POST', url: '/api/settings/import', as: 'admin', payload: { timeZone: { zone: 'Europe/Berlin', sources: [] } } });
      expect(imported.json()).toEqual({ changed: ['timeZone'] });
      expect((await h.req({ method: 'GET', url: '/api/settings/time-zone', as: 'viewer' })).json()).toEqual({ zone: 'Europe/Berlin', sources: [], from: 'settings' });
      const refused = await h.req({ method: 'POST', url: '/api/settings/import', as: 'admin', payload: { timeZone: { zone: 'Nowhere/Town', sources: [] } } });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().details[0].field).toBe('timeZone/zone');
      await h.req({ method: 'PUT', url: '/api/settings/time-zone', as: 'admin', payload: { zone: 'Asia/Shanghai', sources: [] } });
    });

    it('names the zone on the forms it prints times on', async () => {
      const inc = (await h.req({ method: 'POST', url: '/api/incidents', as: 'monitor', payload: { title: '爆破', type: 'brute_force' } })).json();
      const form = await h.req({ method: 'GET', url: `/api/incidents/${inc.id}/reports/incident_report`, as: 'viewer' });
      expect(form.statusCode, form.body).toBe(200);
      const fields = form.json().fields as Record<string, string>;
      expect(fields.reportTime).toBe('2019年12月02日 20:00（Asia/Shanghai，UTC+08:00）');
      expect(fields.detectedAt).toContain('（Asia/Shanghai，UTC+08:00）');
    });
  });
}

describe('bihuan serve on start', () => {
  it('says which zone it reads device times in, and warns when it is UTC and was not chosen', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-tz-'));
    const run = async (env: Record<string, string>) => {
      const s = await startServe({ BIHUAN_DATA_DIR: dir, BIHUAN_ADMIN_PASSWORD: 'Time-zone-test-1', TZ: 'UTC', ...env });
      s.proc.kill('SIGTERM');
      await new Promise((r) => s.proc.once('exit', r));
      return s.out();
    };
    try {
      const unchosen = await run({});
      expect(unchosen).toContain("time zone:     UTC (the machine's zone, not chosen)");
      expect(unchosen).toContain('warning: device times without an offset');
      const chosen = await run({ BIHUAN_TIMEZONE: 'Asia/Shanghai' });
      expect(chosen).toContain('time zone:     Asia/Shanghai (BIHUAN_TIMEZONE)');
      expect(chosen).not.toContain('warning: device times');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
