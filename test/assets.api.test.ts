/** The asset inventory: CSV import (English and Chinese headers), re-import, and alerts enriched with the host. */
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
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
          { row: 9, field: 'orgUnit', reason: expect.stringContaining('org unit "GZ" does not exist') },
          { row: 10, field: 'criticality', reason: expect.stringContaining('"urgent"') },
        ],
      });
      const fs01 = (await h.req({ method: 'GET', url: '/api/assets?q=sh-fs01', as: 'viewer' })).json();
      expect(fs01).toEqual([{ ip: '10.164.1.8', hostname: 'SH-FS01', orgUnit: 'SH', zone: '服务器区', owner: '王磊', businessSystem: '文件共享', criticality: 2 }]);
      expect((await h.req({ method: 'GET', url: '/api/assets?orgUnit=SH&limit=1000', as: 'viewer' })).json()).toHaveLength(121);
      expect((await importCsv('hostname\nx', '', 'admin')).json().message).toContain('no IP column');
      // every problem names its line (an unknown org unit too: it was row -1)
      expect(r.json().problems.every((p: { row: number }) => p.row >= 2)).toBe(true);
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

    it('reads what Excel on Chinese Windows saves (GBK), UTF-8 with a BOM, and a file with a broken line: every bad line named, the good rows kept', async () => {
      const rows = 'IP地址,主机名,机构,区域,责任人,业务系统,重要性\n10.164.9.1,GBK-主机一,SH,办公区,张三,财务系统,高\n10.164.9.2,GBK-主机二,SH,办公区,李四,财务系统,中\n';
      const send = (bytes: Buffer) => h.req({ method: 'POST', url: '/api/assets/import', payload: bytes, headers: { 'content-type': 'text/csv' }, as: 'admin' });
      let r = await send(iconv.encode(rows, 'gbk'));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ imported: 2, problems: [] });
      expect((await h.req({ method: 'GET', url: '/api/assets?q=10.164.9.1', as: 'viewer' })).json()).toEqual([expect.objectContaining({ hostname: 'GBK-主机一', owner: '张三', businessSystem: '财务系统', criticality: 2 })]);
      r = await send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows.replaceAll('GBK-', 'BOM-'))]));
      expect(r.json()).toMatchObject({ imported: 2, problems: [] });
      expect((await h.req({ method: 'GET', url: '/api/assets?q=BOM-主机二', as: 'viewer' })).json()).toHaveLength(1);
      // an unclosed quote on line 3 costs line 3 only; a bad address on line 5 is named; lines 2 and 4 go in
      const broken = 'ip,hostname,org_unit\n10.164.9.11,ok-one,SH\n10.164.9.12,"broken,SH\n10.164.9.13,ok-two,SH\nnot-an-ip,bad,SH\n';
      r = await send(Buffer.from(broken));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().imported).toBe(2);
      expect(r.json().problems).toEqual([
        { row: 3, field: 'line', reason: expect.stringContaining('not CSV'), rule: 'notCsv', params: { detail: expect.any(String) } },
        { row: 5, field: 'ip', reason: '"not-an-ip" is not an IP address', rule: 'notIp', params: { value: 'not-an-ip' } },
      ]);
    });

    it('lists assets in address order a page at a time, finds a network by CIDR, and counts what a filter finds', async () => {
      expect((await importCsv('ip,hostname\n10.99.0.100,c\n10.99.0.10,b\n10.99.0.9,a\n10.99.1.1,elsewhere\n')).statusCode).toBe(200);
      const all = (await h.req({ method: 'GET', url: '/api/assets?q=10.99.0.0/24&limit=10', as: 'viewer' })).json() as Array<{ ip: string }>;
      // .9, .10, .100 — not "10.99.0.10" first as text sorts; 10.99.1.1 is outside the network
      expect(all.map((a) => a.ip)).toEqual(['10.99.0.9', '10.99.0.10', '10.99.0.100']);
      const total = (await h.req({ method: 'GET', url: '/api/assets/count', as: 'viewer' })).json().total as number;
      const pages: string[] = [];
      for (let offset = 0; offset < total; offset += 50) pages.push(...((await h.req({ method: 'GET', url: `/api/assets?limit=50&offset=${offset}`, as: 'viewer' })).json() as Array<{ ip: string }>).map((a) => a.ip));
      expect(pages).toHaveLength(total);
      expect(new Set(pages).size).toBe(total);
      const numeric = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
      expect([...pages].sort((a, b) => numeric(a) - numeric(b))).toEqual(pages);
      expect((await h.req({ method: 'GET', url: '/api/assets/count?q=10.99.0.0/24', as: 'viewer' })).json()).toEqual({ total: 3 });
      expect((await h.req({ method: 'GET', url: '/api/assets/count?q=ELSEWHERE', as: 'viewer' })).json()).toEqual({ total: 1 });
      // part of an address is text (ipaddr would read "10.99" as the address 10.0.0.99)
      expect((await h.req({ method: 'GET', url: '/api/assets/count?q=10.99', as: 'viewer' })).json()).toEqual({ total: 4 });
    });
  });
}
