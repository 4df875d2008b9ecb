/**
 * Issue 13: CEF carries any device's records — an IDS, a WAF, a honeypot, an antivirus — and a
 * record reaches the rules of its device's class: from the vendor/product table (Chinese vendors
 * included) or the configuration's deviceClasses. Through intake, as the devices send them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceClassOf } from '../src/domain/alert/device-class.js';
import { type Harness, startHarness } from './support/harness.js';

const cef = (vendor: string, product: string, sig: string, name: string, ext: string) => `<134>Nov 25 09:00:00 dev01 CEF:0|${vendor}|${product}|1.0|${sig}|${name}|8|rt=1764032400000 ${ext}`;

describe('device classes of CEF records', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite', { BIHUAN_DEVICE_CLASSES: JSON.stringify([{ vendor: 'Acme', product: 'Sentry', class: 'ids' }]) });
  });
  afterAll(async () => h?.close());

  it('knows the vendors our users run, and the configuration overrides the table', () => {
    expect(deviceClassOf('Qi An Xin', 'SkyEye')).toBe('ids');
    expect(deviceClassOf('奇安信', '天擎')).toBe('antivirus');
    expect(deviceClassOf('Sangfor', 'AF')).toBe('firewall');
    expect(deviceClassOf('NSFOCUS', 'NIPS')).toBe('ids');
    expect(deviceClassOf('Chaitin', 'SafeLine')).toBe('waf');
    expect(deviceClassOf('长亭科技', '谛听')).toBe('honeypot');
    expect(deviceClassOf('ThreatBook', 'HFish')).toBe('honeypot');
    expect(deviceClassOf('ThreatBook', 'TDP')).toBe('ids');
    expect(deviceClassOf('Venustech', '天阗')).toBe('ids');
    expect(deviceClassOf('Topsec', 'NGFW4000')).toBe('firewall');
    expect(deviceClassOf('Huawei', 'USG6000')).toBe('firewall');
    expect(deviceClassOf('Acme', 'Sentry')).toBeUndefined();
    expect(deviceClassOf('Acme', 'Sentry', [{ vendor: 'acme', product: 'sentry', class: 'ids' }])).toBe('ids');
    expect(deviceClassOf('Sangfor', 'AF', [{ vendor: 'Sangfor', class: 'ids' }])).toBe('ids');
  });

  const send = async (lines: string[]) => {
    const r = await h.req({ method: 'POST', url: '/api/alerts', payload: lines.join('\n'), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().rejected, r.body).toBe(0);
    await h.services.detection.idle();
  };
  const incidentOf = async (ip: string) => {
    const alerts = (await h.req({ method: 'GET', url: `/api/alerts?src=${ip}`, as: 'admin' })).json().items as Array<{ incidents: string[]; alert: { event: { category: string[] }; observer: { type?: string } } }>;
    const id = alerts.flatMap((a) => a.incidents)[0];
    return { alerts, type: id ? ((await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'admin' })).json().type as string) : undefined };
  };

  it('a honeypot reporting in CEF raises an (internal) scanning incident on the host that touched it', async () => {
    await send([cef('ThreatBook', 'HFish', 'ssh', 'SSH honeypot login attempt', 'src=10.164.2.77 spt=40000 dst=10.1.99.9 dpt=22 proto=TCP')]);
    const { alerts, type } = await incidentOf('10.164.2.77');
    expect(alerts[0]!.alert.observer.type).toBe('honeypot');
    // from an internal address: 内网扫描
    expect(type).toBe('internal_scanning');
  });

  it("an IDS's exploit report reaches the exploitation rule; a firewall's plain connection log reaches none", async () => {
    await send([cef('Sangfor', 'SIP', '1001', 'Apache Struts2 RCE exploit attempt (S2-045)', 'src=198.51.100.20 dst=10.1.8.20 dpt=8080 cat=Exploit')]);
    const exploit = await incidentOf('198.51.100.20');
    expect(exploit.alerts[0]!.alert.event.category).toContain('intrusion_detection');
    expect(exploit.type).toBe('exploitation');
    await send([cef('Hillstone', 'StoneOS', 'session', 'session end', 'src=198.51.100.21 dst=10.1.8.20 dpt=443 act=permit')]);
    const plain = await incidentOf('198.51.100.21');
    expect(plain.alerts[0]!.alert.event.category).toEqual(['network']);
    expect(plain.type).toBeUndefined();
  });

  it("a device the table does not know is classed by the configuration (deviceClasses)", async () => {
    await send([cef('Acme', 'Sentry', '77', 'SQL injection exploit against /login', 'src=198.51.100.30 dst=10.1.8.20 dpt=80')]);
    const { alerts, type } = await incidentOf('198.51.100.30');
    expect(alerts[0]!.alert.observer.type).toBe('ids');
    expect(type).toBe('exploitation');
  });
});
