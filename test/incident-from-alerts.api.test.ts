/**
 * Alerts picked by hand become an incident, or join one (issue 14: "create an incident … from
 * one or more selected alerts"), over HTTP on each dialect: alerts no rule matched (a device's
 * own policy alerts) are filed as one signal of a new incident detected at the earliest of them,
 * their internal hosts its assets and their outside source its indicator; the alert list then
 * names the incident; alerts already on it are not filed twice; unknown alerts, a closed incident,
 * a viewer and another branch's alerts are refused, and nothing is half-made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;
const SYSTEM = { kind: 'system', label: 'test' } as const;

let flow = 1;
/** a Suricata EVE policy alert (no built-in rule makes an incident of it) */
function policy(time: string, src: string, dst: string): string {
  return JSON.stringify({
    timestamp: time,
    flow_id: 7_000_000 + flow++,
    event_type: 'alert',
    src_ip: src,
    src_port: 50000 + flow,
    dest_ip: dst,
    dest_port: 443,
    proto: 'TCP',
    alert: { action: 'allowed', gid: 1, signature_id: 2013028, rev: 1, signature: 'ET POLICY curl User-Agent Outbound', category: 'Potential Corporate Privacy Violation', severity: 3 },
  });
}

for (const dialect of DIALECTS) {
  describe(`incidents from alerts picked by hand on ${dialect}`, () => {
    let h: Harness;
    let ids: number[] = [];
    let incident: string;
    const branchHeaders: Record<string, string> = {};

    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'SH', name: '上海分公司', kind: 'branch' });
      await h.services.settings.saveOrgUnit(SYSTEM, { code: 'BJ', name: '北京分公司', kind: 'branch' });
      await h.services.intake.setNetworkZones(SYSTEM, { internal: ['10.0.0.0/8'], internetFacing: [], orgUnits: { SH: ['10.164.0.0/16'], BJ: ['10.2.0.0/16'] } });
      const { user } = await h.services.accounts.createUser(SYSTEM, { username: 'sh.handler', role: 'handler', password: 'a-good-long-password', orgUnit: 'SH' });
      branchHeaders.authorization = `Bearer ${(await h.services.accounts.createToken(SYSTEM, user.id, 'test')).token}`;
      const r = await h.req({
        method: 'POST',
        url: '/api/alerts',
        as: 'ingest',
        headers: { 'content-type': 'text/plain' },
        payload: [
          policy('2026-11-25T09:05:00.000000+0800', '198.51.100.20', '10.164.3.7'),
          policy('2026-11-25T09:01:00.000000+0800', '198.51.100.20', '10.164.3.7'),
          policy('2026-11-25T09:09:00.000000+0800', '198.51.100.20', '10.164.3.8'),
          policy('2026-11-25T09:10:00.000000+0800', '198.51.100.21', '10.2.0.9'),
        ].join('\n'),
      });
      expect(r.statusCode, r.body).toBe(200);
      await h.services.detection.idle();
      const list = (await h.req({ method: 'GET', url: '/api/alerts?q=curl&limit=10', as: 'viewer' })).json().items as Json[];
      ids = list.map((a) => Number(a.id)).sort((a, b) => a - b);
      expect(ids).toHaveLength(4);
      // no rule made an incident of them
      expect(list.every((a) => a.incidents.length === 0)).toBe(true);
    });
    afterAll(async () => h?.close());

    it('makes a new incident of two alerts: detected at the earliest, the host an asset, the source an indicator, the alerts one signal', async () => {
      const r = await h.req({ method: 'POST', url: '/api/incidents/from-alerts', as: 'handler', payload: { alerts: [ids[0], ids[1]], title: '可疑 curl 外联', type: 'exploitation', note: '同一来源，人工研判' } });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ created: true, added: 2 });
      incident = r.json().incidentId;
      expect(r.headers.location).toBe(`/api/incidents/${incident}`);
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${incident}`, as: 'viewer' })).json();
      expect(detail).toMatchObject({ title: '可疑 curl 外联', type: 'exploitation', phase: 'discovery' });
      expect(detail.detectedAt).toBe('2026-11-25T01:01:00.000Z');
      expect(detail.assets.map((a: Json) => a.ip)).toEqual(['10.164.3.7']);
      expect(detail.observables).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'ip', value: '198.51.100.20' })]));
      expect(detail.timeline.some((t: Json) => t.text.includes('人工关联 2 条告警') && t.text.includes('同一来源，人工研判') && t.actor === 'handler-user' && t.source === 'manual')).toBe(true);
      const why = (await h.req({ method: 'GET', url: `/api/incidents/${incident}/detection`, as: 'viewer' })).json();
      expect(why.signals).toHaveLength(1);
      expect(why.signals[0]).toMatchObject({ rule: { key: 'manual' }, count: 2, sourceIp: '198.51.100.20', destinationIp: '10.164.3.7' });
      expect(why.signals[0].alertIds.sort()).toEqual([ids[0], ids[1]]);
      // the alert list names the incident
      const listed = (await h.req({ method: 'GET', url: '/api/alerts?q=curl&limit=10', as: 'viewer' })).json().items as Json[];
      expect(listed.filter((a) => a.incidents.includes(incident)).map((a) => Number(a.id)).sort()).toEqual([ids[0], ids[1]]);
    });

    it('adds more alerts to the open incident, skipping those on it already; all on it already is a conflict', async () => {
      let r = await h.req({ method: 'POST', url: `/api/incidents/${incident}/alerts`, as: 'handler', payload: { alerts: [ids[1], ids[2]] } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual({ incidentId: incident, created: false, added: 1 });
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${incident}`, as: 'viewer' })).json();
      expect(detail.assets.map((a: Json) => a.ip).sort()).toEqual(['10.164.3.7', '10.164.3.8']);
      r = await h.req({ method: 'POST', url: `/api/incidents/${incident}/alerts`, as: 'handler', payload: { alerts: [ids[0], ids[2]] } });
      expect(r.statusCode, r.body).toBe(409);
    });

    it('refuses unknown alerts (saying which), a viewer, too many alerts, an unknown type and a closed incident — and makes nothing', async () => {
      const before = (await h.req({ method: 'GET', url: '/api/incidents?limit=100', as: 'viewer' })).json().items.length;
      let r = await h.req({ method: 'POST', url: '/api/incidents/from-alerts', as: 'handler', payload: { alerts: [ids[3], 999_999], title: 'x', type: 'exploitation' } });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'alerts', rule: 'unknownAlerts', params: { ids: '999999' } });
      r = await h.req({ method: 'POST', url: '/api/incidents/from-alerts', as: 'handler', payload: { alerts: [ids[3]], title: 'x', type: 'no_such_type' } });
      expect(r.statusCode, r.body).toBe(400);
      r = await h.req({ method: 'POST', url: '/api/incidents/from-alerts', as: 'handler', payload: { alerts: Array.from({ length: 501 }, (_, i) => i + 1), title: 'x', type: 'exploitation' } });
      expect(r.statusCode, r.body).toBe(400);
      r = await h.req({ method: 'POST', url: '/api/incidents/from-alerts', as: 'viewer', payload: { alerts: [ids[3]], title: 'x', type: 'exploitation' } });
      expect(r.statusCode, r.body).toBe(403);
      expect((await h.req({ method: 'GET', url: '/api/incidents?limit=100', as: 'viewer' })).json().items.length).toBe(before);

      const closed = await h.req({ method: 'POST', url: '/api/incidents', as: 'admin', payload: { title: '已关闭', type: 'scanning' } });
      const closedId = closed.json().id as string;
      expect((await h.req({ method: 'POST', url: `/api/incidents/${closedId}/phase`, as: 'admin', payload: { to: 'closed', override: true, reason: '测试' } })).statusCode).toBeLessThan(300);
      r = await h.req({ method: 'POST', url: `/api/incidents/${closedId}/alerts`, as: 'handler', payload: { alerts: [ids[3]] } });
      expect(r.statusCode, r.body).toBe(409);
    });

    it("keeps a branch user to their branch's alerts: another branch's alert is not found, their own is filed onto an incident of their branch", async () => {
      let r = await h.app.inject({ method: 'POST', url: '/api/incidents/from-alerts', headers: branchHeaders, payload: { alerts: [ids[3]], title: '北京的告警', type: 'exploitation' } });
      expect(r.statusCode, r.body).toBe(404);
      r = await h.app.inject({ method: 'POST', url: '/api/incidents/from-alerts', headers: branchHeaders, payload: { alerts: [ids[2]], title: '上海的告警', type: 'exploitation', orgUnit: 'BJ' } });
      expect(r.statusCode, r.body).toBe(403);
      r = await h.app.inject({ method: 'POST', url: '/api/incidents/from-alerts', headers: branchHeaders, payload: { alerts: [ids[2]], title: '上海的告警', type: 'exploitation' } });
      expect(r.statusCode, r.body).toBe(201);
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${r.json().incidentId}`, as: 'viewer' })).json();
      expect(detail.orgUnit).toBe('SH');
    });
  });
}
