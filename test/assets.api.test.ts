/** The asset inventory: CSV import (English and Chinese headers), re-import, and alerts enriched with the host. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const fx = (...p: string[]) => fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures', ...p), 'utf8');

for (const dialect of DIALECTS) {
  describe(`asset inventory on ${dialect}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.req({ method: 'PUT', url: '/api/org-units/SH', payload: { name: '上海分公司', kind: 'branch' }, as: 'admin' });
    });
    afterAll(async () => h?.close());

    const importCsv = (csv: string, qs = '', as: 'admin' | 'monitor' = 'admin') => h.req({ method: 'POST', url: `/api/assets/import${qs}`, payload: csv, headers: { 'content-type': 'text/csv' }, as });

    it('imports CSV with English or Chinese headers, keeping good rows and naming the bad ones', async () => {
      let r = await importCsv(fx('driverlife', 'sh-assets.csv'));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ imported: 121, removed: 0, total: 121, problems: [] });
      r = await importCsv(fx('assets', 'hq.csv'));
      expect(r.json()).toMatchObject({
        imported: 6,
        total: 127,
        problems: [
          { row: 8, field: 'ip', reason: '"10.1.5.300" is not an IP address' },
          { row: 10, field: 'criticality', reason: expect.stringContaining('"urgent"') },
          { field: 'orgUnit', reason: expect.stringContaining('org unit "GZ" does not exist') },
        ],
      });
      const fs01 = (await h.req({ method: 'GET', url: '/api/assets?q=sh-fs01', as: 'viewer' })).json();
      expect(fs01).toEqual([{ ip: '10.164.1.8', hostname: 'SH-FS01', orgUnit: 'SH', zone: '服务器区', owner: '王磊', businessSystem: '文件共享', criticality: 2 }]);
      expect((await h.req({ method: 'GET', url: '/api/assets?orgUnit=SH&limit=1000', as: 'viewer' })).json()).toHaveLength(121);
      expect((await importCsv('hostname\nx', '', 'admin')).json().message).toContain('no IP column');
      expect((await importCsv(fx('assets', 'hq.csv'), '', 'monitor')).statusCode).toBe(403);
    });

    it('enriches alerts with the host behind each address; the inventory decides the org unit', async () => {
      const eve = fx('driverlife', 'hq-honeypot-eve.json').split('\n')[0]!;
      const r = await h.req({ method: 'POST', url: '/api/alerts', payload: eve, headers: { 'content-type': 'application/x-ndjson' }, as: 'ingest' });
      expect(r.json()).toMatchObject({ accepted: 1 });
      const a = (await h.req({ method: 'GET', url: '/api/alerts?rule=eternalblue', as: 'viewer' })).json().items[0].alert;
      // no network zones for SH are configured here: the inventory alone places the host
      expect(a.source).toEqual({ ip: '10.164.2.15', port: 49812, internal: true, org_unit: 'SH', asset: { hostname: 'SH-PC015', business_system: '办公终端', criticality: 4, owner: '分公司IT', zone: '办公区' } });
      expect(a.destination).toMatchObject({ ip: '10.1.99.10', org_unit: 'HQ', asset: { hostname: 'HQ-HONEY-SMB', business_system: 'honeypot' } });
    });

    it('re-import keeps the inventory current; replace removes hosts the file no longer lists', async () => {
      const updated = 'ip,hostname,org_unit,business_system\n10.164.1.8,SH-FS01-NEW,SH,文件共享\n';
      let r = await importCsv(updated);
      expect(r.json()).toMatchObject({ imported: 1, removed: 0, total: 127 });
      expect((await h.req({ method: 'GET', url: '/api/assets?q=10.164.1.8', as: 'viewer' })).json()[0]).toMatchObject({ hostname: 'SH-FS01-NEW', zone: null });
      r = await importCsv(updated, '?replace=true');
      expect(r.json()).toMatchObject({ imported: 1, removed: 126, total: 1 });
    });
  });
}
