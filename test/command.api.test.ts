/**
 * The command group's reach, on the DriverLife outbreak: the level-1 incident spreading over
 * the branch raises the organisation-wide warning by itself, broadcast to the branches (a real
 * HTTP receiver) with the C&C indicators; each branch acknowledges; lowering needs a reason.
 * An order sends the infected hosts to the branch, which reports each one until all are clean.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const fx = (...p: string[]) => fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures', ...p), 'utf8');
const INFECTED = ['10.164.1.8', '10.164.2.15', '10.164.2.116', '10.164.2.13', '10.164.2.56', '10.164.2.91', '10.164.2.33'];

for (const dialect of DIALECTS) {
  describe(`warnings and orders on ${dialect}`, () => {
    let h: Harness;
    let id: string;
    const got: Json[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        got.push({ path: req.url, ...(JSON.parse(body) as Json) });
        res.writeHead(204).end();
      });
    });
    const as = async (username: string, role: string, orgUnit: string | null) => {
      const r = await h.req({ method: 'POST', url: '/api/users', payload: { username, role, password: 'a-good-password', orgUnit }, as: 'admin' });
      expect(r.statusCode, r.body).toBe(201);
      const t = await h.services.accounts.createToken({ kind: 'system', label: 'test' }, r.json().user.id, 'test');
      return { authorization: `Bearer ${t.token}` };
    };
    let shUser: Record<string, string>;
    let bjUser: Record<string, string>;

    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_NOTIFY_ALLOWED_TARGETS: '127.0.0.1' }); // its webhook receiver runs on loopback
      const port = await new Promise<number>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve((receiver.address() as AddressInfo).port)));
      await h.req({ method: 'PUT', url: '/api/org-units/SH', payload: { name: '上海分公司', kind: 'branch' }, as: 'admin' });
      await h.req({ method: 'PUT', url: '/api/org-units/BJ', payload: { name: '北京分公司', kind: 'branch' }, as: 'admin' });
      await h.req({ method: 'PUT', url: '/api/network', payload: JSON.parse(fx('driverlife', 'network.json')), as: 'admin' });
      await h.req({ method: 'POST', url: '/api/assets/import', payload: fx('driverlife', 'sh-assets.csv'), headers: { 'content-type': 'text/csv' }, as: 'admin' });
      await h.req({ method: 'POST', url: '/api/intel/import?source=driverlife-feed&confidence=90', payload: fx('driverlife', 'threat-intel.txt'), headers: { 'content-type': 'text/plain' }, as: 'monitor' });
      const all = await h.req({ method: 'POST', url: '/api/channels', payload: { name: '全网广播', kind: 'webhook', config: { url: `http://127.0.0.1:${port}/all` } }, as: 'admin' });
      const sh = await h.req({ method: 'POST', url: '/api/channels', payload: { name: '上海分公司群', kind: 'webhook', config: { url: `http://127.0.0.1:${port}/sh` } }, as: 'admin' });
      await h.req({ method: 'POST', url: '/api/notification-rules', payload: { name: '全网预警广播', events: ['warning_changed'], maxLevel: 4, channelId: all.json().id, batchSeconds: 0 }, as: 'admin' });
      await h.req({ method: 'POST', url: '/api/notification-rules', payload: { name: '上海指令', events: ['order_issued'], maxLevel: 4, orgUnits: ['SH'], channelId: sh.json().id, batchSeconds: 0 }, as: 'admin' });
      shUser = await as('sh-admin', 'handler', 'SH');
      bjUser = await as('bj-admin', 'handler', 'BJ');
    });
    afterAll(async () => {
      await h?.close();
      receiver.close();
    });

    it('the outbreak spreading over the branch raises the warning by itself, broadcast with the C&C indicators', async () => {
      for (const f of ['hq-dns-query.log', 'hq-honeypot-eve.json']) {
        await h.req({ method: 'POST', url: '/api/alerts', payload: fx('driverlife', f), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
        await h.services.detection.idle();
      }
      id = (await h.req({ method: 'GET', url: '/api/incidents', as: 'viewer' })).json().items[0].id;
      expect((await h.req({ method: 'GET', url: '/api/warning', as: 'viewer' })).json().level).toBe('normal');
      await h.services.notify.run();
      const w = (await h.req({ method: 'GET', url: '/api/warning', as: 'viewer' })).json();
      expect(w).toMatchObject({ level: 'high', name: '高危', source: 'rule', incidentId: id, previousLevel: 'normal' });
      expect(w.reason).toContain('7 台主机');
      expect(w.reasonEn).toBe(`Level-1 incident ${id} has spread to 7 hosts (≥ 5): warning raised automatically`);
      expect(w.indicators.map((i: Json) => i.value)).toEqual(expect.arrayContaining(['t.awcna.com', 'down.ackng.com']));
      expect(w.branches).toEqual([
        { orgUnit: 'BJ', name: '北京分公司', acknowledged: null },
        { orgUnit: 'SH', name: '上海分公司', acknowledged: null },
      ]);
      const broadcast = got.find((g) => g.path === '/all');
      expect(broadcast?.subject).toContain('全网预警');
      expect(broadcast?.body).toContain('t.awcna.com');
      // the rule fires once per incident
      await h.services.notify.run();
      expect((await h.req({ method: 'GET', url: '/api/warning/history', as: 'viewer' })).json()).toHaveLength(1);
    });

    it('each branch acknowledges for itself; lowering needs a reason', async () => {
      let r = await h.req({ method: 'POST', url: '/api/warning/ack', payload: { orgUnit: 'SH' }, headers: bjUser });
      expect(r.statusCode).toBe(403);
      r = await h.req({ method: 'POST', url: '/api/warning/ack', payload: { orgUnit: 'SH', note: '已启动排查' }, headers: shUser });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().branches.find((b: Json) => b.orgUnit === 'SH').acknowledged).toMatchObject({ by: 'sh-admin', note: '已启动排查' });
      expect((await h.req({ method: 'POST', url: '/api/warning/ack', payload: { orgUnit: 'SH' }, headers: shUser })).statusCode).toBe(409);
      expect((await h.req({ method: 'PUT', url: '/api/warning', payload: { level: 'critical' }, headers: shUser })).statusCode).toBe(403);
      r = await h.req({ method: 'PUT', url: '/api/warning', payload: { level: 'elevated' }, as: 'commander' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0].field).toBe('reason');
      r = await h.req({ method: 'PUT', url: '/api/warning', payload: { level: 'critical', reason: '北京分公司发现同类木马', incidentId: id }, as: 'commander' });
      expect(r.statusCode, r.body).toBe(200);
      // a new warning: every branch acknowledges it again
      expect(r.json().branches.every((b: Json) => b.acknowledged === null)).toBe(true);
      // a reason a person wrote has no English twin: it is shown as written
      expect(r.json()).toMatchObject({ reason: '北京分公司发现同类木马', reasonEn: null });
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(detail.timeline.some((t: Json) => t.kind === 'warning' && t.text.includes('高危 → 紧急'))).toBe(true);
    });

    it('an order sends the branch its infected hosts; the branch reports each until all are clean', async () => {
      let r = await h.req({ method: 'POST', url: `/api/incidents/${id}/orders`, payload: { orgUnit: 'SH', instructions: '断网隔离，清除驱动人生木马并修补 MS17-010' }, headers: shUser });
      expect(r.statusCode).toBe(403);
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/orders`, payload: { orgUnit: 'SH', instructions: '断网隔离，清除驱动人生木马并修补 MS17-010' }, as: 'commander' });
      expect(r.statusCode, r.body).toBe(201);
      const order = r.json();
      expect(order.hosts.map((x: Json) => x.host).sort()).toEqual([...INFECTED].sort());
      expect(order.progress).toMatchObject({ total: 7, done: 0, byState: { pending: 7 } });
      expect(order.title).toMatch(/^排查并清除 7 台主机（/);
      expect(order.titleEn).toMatch(/^Find and clean 7 host\(s\) \(Trojan/);
      await h.services.notify.run();
      const told = got.find((g) => g.path === '/sh');
      expect(told?.body).toContain('10.164.1.8');

      expect((await h.req({ method: 'PUT', url: `/api/orders/${order.id}/hosts/10.164.1.8`, payload: { state: 'found' }, headers: bjUser })).statusCode).toBe(404); // another branch's order is out of its reach (tenancy)
      expect((await h.req({ method: 'PUT', url: `/api/orders/${order.id}/hosts/10.9.9.9`, payload: { state: 'found' }, headers: shUser })).statusCode).toBe(404);
      for (const [i, host] of INFECTED.entries()) {
        for (const state of ['found', 'isolated', i === 0 ? 'rebuilt' : 'cleaned']) {
          r = await h.req({ method: 'PUT', url: `/api/orders/${order.id}/hosts/${host}`, payload: { state }, headers: shUser });
          expect(r.statusCode, r.body).toBe(200);
        }
      }
      expect(r.json()).toMatchObject({ completedAt: expect.any(String), progress: { total: 7, done: 7, byState: { cleaned: 6, rebuilt: 1 } } });
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(detail.timeline.find((t: Json) => t.kind === 'order_done')?.text).toContain('7 台主机全部处置');
      // back from done needs a reason, and reopens the order
      r = await h.req({ method: 'PUT', url: `/api/orders/${order.id}/hosts/10.164.2.15`, payload: { state: 'found' }, headers: shUser });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'PUT', url: `/api/orders/${order.id}/hosts/10.164.2.15`, payload: { state: 'found', note: '复查发现木马进程仍在' }, headers: shUser });
      expect(r.json()).toMatchObject({ completedAt: null, progress: { done: 6 } });
      expect((await h.req({ method: 'GET', url: '/api/orders?orgUnit=SH&open=true', as: 'viewer' })).json()).toHaveLength(1);
    });
  });
}
