/**
 * Issue 13: a Windows brute force is seen whatever layout carries it — Winlogbeat JSON, NXLog's
 * flat JSON, the XML of an EVTX export — through intake, as a device sends it: failed log-ons
 * (4625) and Kerberos pre-authentication failures (4771) count toward the built-in brute-force
 * rule; successes and other events do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const at = (i: number) => new Date(Date.UTC(2026, 10, 24, 23, 0, i * 5)).toISOString();
/** every record its own record number (the same number from the same computer is the same record, stored once) */
let record = 0;

/** One failed log-on (or other event) from `ip` against FS01, in each layout. */
const layouts: Record<string, (i: number, id: number, ip: string, data?: Record<string, string>) => string> = {
  winlogbeat: (i, id, ip, data = {}) =>
    JSON.stringify({
      '@timestamp': at(i),
      message: 'An account failed to log on.',
      winlog: { channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'FS01.corp.example', record_id: ++record, event_id: String(id), event_data: { TargetUserName: 'administrator', IpAddress: ip, IpPort: '50000', LogonType: '3', Status: '0xc000006d', ...data } },
    }),
  nxlog: (i, id, ip, data = {}) =>
    JSON.stringify({ EventID: id, Channel: 'Security', SourceName: 'Microsoft-Windows-Security-Auditing', Hostname: 'FS01.corp.example', '@timestamp': at(i), RecordNumber: ++record, TargetUserName: 'administrator', IpAddress: ip, IpPort: '50000', Status: '0xc000006d', ...data }),
  xml: (i, id, ip, data = {}) =>
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>${id}</EventID><TimeCreated SystemTime='${at(i).replace('Z', '0000Z')}'/><EventRecordID>${++record}</EventRecordID><Channel>Security</Channel><Computer>FS01.corp.example</Computer></System><EventData>${Object.entries({ TargetUserName: 'administrator', IpAddress: ip, IpPort: '50000', Status: '0xc000006d', ...data })
      .map(([k, v]) => `<Data Name='${k}'>${v}</Data>`)
      .join('')}</EventData></Event>`,
};

describe('a Windows brute force in every layout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  const send = async (lines: string[], type = 'application/x-ndjson') => {
    const r = await h.req({ method: 'POST', url: '/api/alerts', payload: lines.join('\n'), headers: { 'content-type': type }, as: 'ingest' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().rejected, r.body).toBe(0);
    await h.services.detection.catchUp();
    await h.services.detection.idle();
  };
  const bruteForces = async (ip: string) => {
    const list = (await h.req({ method: 'GET', url: '/api/incidents?limit=100', as: 'admin' })).json().items as Array<{ id: string; type: string }>;
    const out: string[] = [];
    for (const i of list.filter((x) => x.type === 'brute_force')) {
      const d = (await h.req({ method: 'GET', url: `/api/incidents/${i.id}/detection`, as: 'admin' })).json() as { signals: Array<{ sourceIp: string | null }> };
      if (d.signals.some((s) => s.sourceIp === ip)) out.push(i.id);
    }
    return out;
  };

  /** A 7045 (service installed) in each layout, System log. */
  const service: Record<string, (i: number, imagePath: string) => string> = {
    winlogbeat: (i, imagePath) => JSON.stringify({ '@timestamp': at(i), winlog: { channel: 'System', provider_name: 'Service Control Manager', computer_name: `HOST${i}.corp.example`, record_id: ++record, event_id: 7045, event_data: { ServiceName: 'Svc', ImagePath: imagePath, StartType: 'auto start' } } }),
    nxlog: (i, imagePath) => JSON.stringify({ EventID: 7045, Channel: 'System', SourceName: 'Service Control Manager', Hostname: `HOST${i}.corp.example`, '@timestamp': at(i), RecordNumber: ++record, ServiceName: 'Svc', ImagePath: imagePath }),
    xml: (i, imagePath) =>
      `<Event><System><Provider Name='Service Control Manager'/><EventID>7045</EventID><TimeCreated SystemTime='${at(i).replace('Z', '0000Z')}'/><EventRecordID>${++record}</EventRecordID><Channel>System</Channel><Computer>HOST${i}.corp.example</Computer></System><EventData><Data Name='ServiceName'>Svc</Data><Data Name='ImagePath'>${imagePath}</Data></EventData></Event>`,
  };
  const trojansOn = async (host: string) => {
    const list = (await h.req({ method: 'GET', url: '/api/incidents?limit=100', as: 'admin' })).json().items as Array<{ id: string; type: string }>;
    let n = 0;
    for (const i of list.filter((x) => x.type === 'trojan')) {
      const d = (await h.req({ method: 'GET', url: `/api/incidents/${i.id}/detection`, as: 'admin' })).json() as { signals: Array<{ host: string | null }> };
      if (d.signals.some((s) => s.host?.toLowerCase() === host.toLowerCase())) n++;
    }
    return n;
  };
  let hostNo = 100;
  for (const [name, line] of Object.entries(service)) {
    it(`${name}: a service installed under a look-alike or misplaced system binary's name is a trojan; the genuine one is not`, async () => {
      const cases: Array<[string, number]> = [
        ['%SystemRoot%\\System32\\svchost.exe -k netsvcs', 0],
        ['C:\\Windows\\System32\\svch0st.exe -k netsvcs', 1],
        ['C:\\Windows\\Temp\\scvhost.exe', 1],
        ['"C:\\ProgramData\\lsass.exe"', 1],
      ];
      for (const [path, want] of cases) {
        const i = ++hostNo;
        const text = line(i, path);
        await send([text]);
        expect(await trojansOn(`HOST${i}.corp.example`), `${name} ${path}`).toBe(want);
      }
    });
  }

  let n = 0;
  for (const [name, line] of Object.entries(layouts)) {
    it(`${name}: 4625 failed log-ons against one file server raise a brute force; 4624 successes do not`, async () => {
      const attacker = `198.51.100.${++n}`;
      const bystander = `198.51.100.${100 + n}`;
      await send(Array.from({ length: 12 }, (_, i) => line(i, 4624, bystander, { Status: '0x0' })));
      expect(await bruteForces(bystander)).toHaveLength(0);
      await send(Array.from({ length: 12 }, (_, i) => line(i, 4625, attacker)));
      expect(await bruteForces(attacker)).toHaveLength(1);
    });

    it(`${name}: Kerberos pre-authentication failures (4771) count; granted tickets (4768, status 0x0) do not`, async () => {
      const attacker = `203.0.113.${++n}`;
      const bystander = `203.0.113.${100 + n}`;
      await send(Array.from({ length: 12 }, (_, i) => line(i, 4768, `::ffff:${bystander}`, { Status: '0x0' })));
      expect(await bruteForces(bystander)).toHaveLength(0);
      await send(Array.from({ length: 12 }, (_, i) => line(i, 4771, `::ffff:${attacker}`, { Status: '0x18' })));
      expect(await bruteForces(attacker)).toHaveLength(1);
    });
  }
});
