/**
 * Issue 13: every built-in rule, fed through intake in every device layout that can carry its
 * evidence — Suricata EVE, each Windows layout (Winlogbeat, NXLog, EVTX XML), CEF per device class,
 * HFish, sshd behind both syslog headers, BIND and JSON DNS — raises its incident. A rule tested
 * only in the layout it was written for hides the layouts it never sees.
 *
 * The same table is README's "which rule sees which formats": the last test holds the two equal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const T0 = Date.UTC(2026, 10, 25, 1, 0, 0);
const at = (i: number) => new Date(T0 + i * 5000);
const iso = (i: number) => at(i).toISOString();
/** the same instant as a Beijing device writes it (the harness's zone is Asia/Shanghai) */
const beijing = (i: number) => new Date(at(i).getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const bsd = (i: number) => {
  const d = new Date(at(i).getTime() + 8 * 3600_000);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
};
let seq = 1000;

// ---- the layouts -------------------------------------------------------------------------------

type Layout = 'Suricata EVE' | 'Winlogbeat' | 'NXLog' | 'EVTX XML' | 'CEF IDS' | 'CEF WAF' | 'CEF firewall' | 'CEF honeypot' | 'CEF antivirus' | 'CEF mail' | 'HFish' | 'sshd (RFC 3164)' | 'sshd (RFC 5424)' | 'BIND' | 'JSON DNS';
const LAYOUTS: Layout[] = ['Suricata EVE', 'Winlogbeat', 'NXLog', 'EVTX XML', 'CEF IDS', 'CEF WAF', 'CEF firewall', 'CEF honeypot', 'CEF antivirus', 'CEF mail', 'HFish', 'sshd (RFC 3164)', 'sshd (RFC 5424)', 'BIND', 'JSON DNS'];

const eveAlert = (i: number, src: string, dst: string, port: number, signature: string, category: string) =>
  JSON.stringify({ timestamp: iso(i).replace('Z', '+0000'), flow_id: ++seq, in_iface: 'ens192', event_type: 'alert', src_ip: src, src_port: 40000 + i, dest_ip: dst, dest_port: port, proto: 'TCP', alert: { action: 'allowed', gid: 1, signature_id: 2000000 + seq, rev: 1, signature, category, severity: 1 } });

/** a device of each class, as CEF behind a syslog header; half the records carry rt as epoch ms, half as the device's local time */
const CEF_DEVICES: Record<string, [vendor: string, product: string]> = {
  'CEF IDS': ['Sangfor', 'SIP'],
  'CEF WAF': ['Chaitin', 'SafeLine'],
  'CEF firewall': ['Hillstone', 'StoneOS'],
  'CEF honeypot': ['长亭科技', '谛听'],
  'CEF antivirus': ['Qi An Xin', '天擎'],
  'CEF mail': ['Coremail', 'Mail Gateway'],
};
const cef = (layout: Layout, i: number, name: string, ext: string) => {
  const [vendor, product] = CEF_DEVICES[layout]!;
  const rt = i % 2 ? `rt=${at(i).getTime()}` : `rt=${bsd(i).replace(/^(\w+) +(\d+) /, '$1 $2 2026 ')}`;
  return `<134>${bsd(i)} dev-${layout.split(' ')[1]!.toLowerCase()} CEF:0|${vendor}|${product}|1.0|${++seq}|${name}|8|${rt} externalId=${seq} ${ext}`;
};

/** a Windows event in each of its three layouts */
const windows = (layout: Layout, i: number, id: number, channel: string, provider: string, computer: string, data: Record<string, string>) => {
  const record = ++seq;
  if (layout === 'Winlogbeat') return JSON.stringify({ '@timestamp': iso(i), winlog: { channel, provider_name: provider, computer_name: computer, record_id: record, event_id: String(id), event_data: data } });
  if (layout === 'NXLog') return JSON.stringify({ EventID: id, Channel: channel, SourceName: provider, Hostname: computer, EventTime: beijing(i), RecordNumber: record, ...data });
  const fields = Object.entries(data)
    .map(([k, v]) => `<Data Name='${k}'>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Data>`)
    .join('');
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${provider}'/><EventID>${id}</EventID><TimeCreated SystemTime='${iso(i).replace('Z', '0000Z')}'/><EventRecordID>${record}</EventRecordID><Channel>${channel}</Channel><Computer>${computer}</Computer></System><EventData>${fields}</EventData></Event>`;
};
const WINDOWS: Layout[] = ['Winlogbeat', 'NXLog', 'EVTX XML'];
const SECURITY = ['Security', 'Microsoft-Windows-Security-Auditing'] as const;
const SYSMON = ['Microsoft-Windows-Sysmon/Operational', 'Microsoft-Windows-Sysmon'] as const;
const DEFENDER = ['Microsoft-Windows-Windows Defender/Operational', 'Microsoft-Windows-Windows Defender'] as const;

const sshd = (layout: Layout, i: number, host: string, message: string) =>
  layout === 'sshd (RFC 3164)' ? `<38>${bsd(i)} ${host} sshd[${2000 + i}]: ${message}` : `<38>1 ${beijing(i).replace(' ', 'T')}+08:00 ${host} sshd ${2000 + i} - - ${message}`;

const dnsQuery = (layout: Layout, i: number, client: string, name: string) =>
  layout === 'BIND'
    ? `${bsd(i).replace(/^(\w+) +(\d+) (.*)$/, (_s, m: string, d: string, t: string) => `${d.padStart(2, '0')}-${m}-2026 ${t}.000`)} queries: info: client @0x7f3a5c0e8f10 ${client}#53211 (${name}): query: ${name} IN A + (10.1.1.53)`
    : JSON.stringify({ timestamp: `${beijing(i).replace(' ', 'T')}+08:00`, client_ip: client, query: name, qtype: 'A', server: '10.1.1.53', id: `q-${++seq}` });

// ---- the cases: rule × layout ------------------------------------------------------------------

interface Case {
  /** the built-in rule file that must fire */
  rule: string;
  layout: Layout;
  /** the incident type it raises */
  type: string;
  /** the records (k: this case's number, for its own addresses and names) */
  records: (k: number) => string[];
  /** threat indicators the case needs in the intelligence first */
  intel?: (k: number) => string[];
}

const ATTACKER = (k: number) => `198.51.100.${k}`;
const VICTIM = (k: number) => `10.2.${k}.10`;
const times = (n: number) => Array.from({ length: n }, (_, i) => i);

const CASES: Case[] = [
  // threat intelligence: the host that looked up or connected to a C&C is the one compromised
  ...(['BIND', 'JSON DNS'] as Layout[]).map((layout): Case => ({ rule: 'threat_intel', layout, type: 'trojan', intel: (k) => [`c2-${k}.evil.example`], records: (k) => [dnsQuery(layout, 1, `10.3.${k}.5`, `c2-${k}.evil.example`)] })),
  { rule: 'threat_intel', layout: 'Suricata EVE', type: 'trojan', intel: (k) => [`c2-${k}.evil.example`], records: (k) => [JSON.stringify({ timestamp: iso(1).replace('Z', '+0000'), flow_id: ++seq, event_type: 'dns', src_ip: `10.3.${k}.5`, src_port: 53211, dest_ip: '10.1.1.53', dest_port: 53, proto: 'UDP', dns: { type: 'query', id: 1, rrname: `c2-${k}.evil.example`, rrtype: 'A' } })] },
  { rule: 'threat_intel', layout: 'CEF firewall', type: 'trojan', intel: (k) => [`203.0.113.${k}`], records: (k) => [cef('CEF firewall', 1, 'session start', `src=10.3.${k}.5 spt=50000 dst=203.0.113.${k} dpt=443 proto=TCP act=permit`)] },
  { rule: 'threat_intel', layout: 'CEF IDS', type: 'trojan', intel: (k) => [`203.0.113.${k}`], records: (k) => [cef('CEF IDS', 1, 'HTTPS session', `src=10.3.${k}.5 spt=50000 dst=203.0.113.${k} dpt=443 proto=TCP`)] },
  ...WINDOWS.map((layout): Case => ({
    rule: 'threat_intel',
    layout,
    type: 'trojan',
    intel: (k) => [`c2-${k}.evil.example`],
    records: (k) => [windows(layout, 1, 22, ...SYSMON, `WS-${k}.corp.example`, { QueryName: `c2-${k}.evil.example`, QueryStatus: '0', Image: 'C:\\Windows\\System32\\svchost.exe' })],
  })),

  // IDS / WAF signatures
  { rule: 'ids_trojan', layout: 'Suricata EVE', type: 'trojan', records: (k) => [eveAlert(1, ATTACKER(k), VICTIM(k), 443, 'ET TROJAN Win32/Agent CnC Beacon', 'A Network Trojan was detected')] },
  { rule: 'ids_trojan', layout: 'CEF IDS', type: 'trojan', records: (k) => [cef('CEF IDS', 1, '木马后门通信 Trojan backdoor C&C traffic', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=8443 proto=TCP`)] },
  { rule: 'ids_trojan', layout: 'CEF WAF', type: 'trojan', records: (k) => [cef('CEF WAF', 1, 'Webshell upload', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=443 request=https://portal.example.com/upload/x.jsp act=blocked`)] },
  { rule: 'ids_trojan', layout: 'CEF firewall', type: 'trojan', records: (k) => [cef('CEF firewall', 1, 'Trojan.Win32.Agent C&C traffic', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=8080 proto=TCP cat=Virus act=deny`)] },
  { rule: 'ids_exploitation', layout: 'Suricata EVE', type: 'exploitation', records: (k) => [eveAlert(1, ATTACKER(k), VICTIM(k), 8080, 'ET EXPLOIT Apache Struts2 OGNL RCE', 'Attempted Administrator Privilege Gain')] },
  { rule: 'ids_exploitation', layout: 'CEF IDS', type: 'exploitation', records: (k) => [cef('CEF IDS', 1, 'Apache Log4j2 Remote Code Execution (CVE-2021-44228)', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=8080 cat=Exploit`)] },
  { rule: 'ids_exploitation', layout: 'CEF WAF', type: 'exploitation', records: (k) => [cef('CEF WAF', 1, 'SQL Injection', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=443 request=https://portal.example.com/login?user\\='or 1\\=1 act=blocked`)] },
  { rule: 'ids_exploitation', layout: 'CEF honeypot', type: 'exploitation', records: (k) => [cef('CEF honeypot', 1, 'MS17-010 EternalBlue exploit', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=445`)] },
  { rule: 'ids_exploitation', layout: 'CEF firewall', type: 'exploitation', records: (k) => [cef('CEF firewall', 1, 'IPS: 命令执行漏洞利用 Struts2 attack', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=8080 cat=Intrusion act=deny`)] },
  { rule: 'ids_bruteforce', layout: 'Suricata EVE', type: 'brute_force', records: (k) => [eveAlert(1, ATTACKER(k), VICTIM(k), 22, 'ET POLICY SSH Brute Force Attempt', 'Attempted Administrator Privilege Gain')] },
  { rule: 'ids_bruteforce', layout: 'CEF IDS', type: 'brute_force', records: (k) => [cef('CEF IDS', 1, 'SMB 口令暴力破解 brute force', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=445`)] },
  { rule: 'ids_bruteforce', layout: 'CEF WAF', type: 'brute_force', records: (k) => [cef('CEF WAF', 1, 'Login brute force', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=443 request=https://portal.example.com/login act=blocked`)] },
  { rule: 'ids_bruteforce', layout: 'CEF honeypot', type: 'brute_force', records: (k) => [cef('CEF honeypot', 1, 'RDP brute force', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=3389`)] },
  { rule: 'ids_bruteforce', layout: 'CEF firewall', type: 'brute_force', records: (k) => [cef('CEF firewall', 1, 'SQL Server brute force', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=1433 cat=Intrusion act=deny`)] },
  { rule: 'ids_scanning', layout: 'Suricata EVE', type: 'scanning', records: (k) => [eveAlert(1, ATTACKER(k), VICTIM(k), 80, 'ET SCAN NMAP OS Detection Probe', 'Attempted Information Leak')] },
  { rule: 'ids_scanning', layout: 'CEF IDS', type: 'scanning', records: (k) => [cef('CEF IDS', 1, 'Nmap 端口扫描', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=80`)] },
  { rule: 'ids_scanning', layout: 'CEF WAF', type: 'scanning', records: (k) => [cef('CEF WAF', 1, 'Acunetix web scanner', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=443 request=https://portal.example.com/acunetix-wvs-test act=blocked`)] },
  { rule: 'ids_scanning', layout: 'CEF honeypot', type: 'scanning', records: (k) => [cef('CEF honeypot', 1, 'Telnet honeypot contact', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=23`)] },
  { rule: 'ids_scanning', layout: 'HFish', type: 'scanning', records: (k) => [JSON.stringify({ id: String(++seq), model: 'new', project: 'Redis蜜罐', type: 'REDIS', agent: `hp-${k}`, ip: ATTACKER(k), country: '', region: '', city: '', info: 'INFO', time: beijing(1) })] },

  // many failed log-ons from one source
  ...(['sshd (RFC 3164)', 'sshd (RFC 5424)'] as Layout[]).map((layout): Case => ({ rule: 'auth_bruteforce', layout, type: 'brute_force', records: (k) => times(12).map((i) => sshd(layout, i, `srv-${k}`, `Failed password for root from ${ATTACKER(k)} port ${50000 + i} ssh2`)) })),
  ...WINDOWS.map((layout): Case => ({
    rule: 'auth_bruteforce',
    layout,
    type: 'brute_force',
    records: (k) => times(12).map((i) => windows(layout, i, 4625, ...SECURITY, `FS-${k}.corp.example`, { TargetUserName: 'administrator', IpAddress: ATTACKER(k), IpPort: String(50000 + i), LogonType: '3', Status: '0xc000006d' })),
  })),
  { rule: 'auth_bruteforce', layout: 'CEF firewall', type: 'brute_force', records: (k) => times(12).map((i) => cef('CEF firewall', i, 'SSL VPN 用户登录失败 login failed', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=443 suser=admin`)) },
  { rule: 'auth_bruteforce', layout: 'HFish', type: 'brute_force', records: (k) => times(12).map((i) => JSON.stringify({ id: String(++seq), model: 'new', project: 'SSH蜜罐', type: 'SSH', agent: `hp-${k}`, ip: ATTACKER(k), country: '', region: '', city: '', info: `root&&pass${i}`, time: beijing(i) })) },

  // one source touching many ports, or many hosts
  { rule: 'network_scanning', layout: 'Suricata EVE', type: 'scanning', records: (k) => times(25).map((i) => eveAlert(i, ATTACKER(k), VICTIM(k), 1000 + i, 'ET POLICY Inbound connection to an unusual port', 'Misc activity')) },
  { rule: 'network_scanning', layout: 'CEF firewall', type: 'scanning', records: (k) => times(25).map((i) => cef('CEF firewall', i, 'policy deny', `src=${ATTACKER(k)} dst=10.2.${k}.${10 + i} dpt=445 proto=TCP act=deny`)) },
  { rule: 'network_scanning', layout: 'CEF IDS', type: 'scanning', records: (k) => times(25).map((i) => cef('CEF IDS', i, 'Suspicious inbound connection', `src=${ATTACKER(k)} dst=${VICTIM(k)} dpt=${2000 + i} proto=TCP`)) },

  // mail gateways
  { rule: 'phishing', layout: 'CEF mail', type: 'phishing', records: (k) => [cef('CEF mail', 1, '钓鱼邮件 Phishing mail quarantined', `src=${ATTACKER(k)} suser=hr@evil.example duser=user${k}@corp.example act=quarantine`)] },

  // Windows: a service from a binary posing as a system binary (System 7045, Security 4697)
  ...WINDOWS.flatMap((layout): Case[] => [
    { rule: 'windows_trojan_service', layout, type: 'trojan', records: (k) => [windows(layout, 1, 7045, 'System', 'Service Control Manager', `SRV-${k}.corp.example`, { ServiceName: 'Ddriver', ImagePath: 'C:\\Windows\\SysWOW64\\drivers\\svchost.exe', StartType: 'auto start' })] },
    { rule: 'windows_trojan_service', layout, type: 'trojan', records: (k) => [windows(layout, 1, 4697, ...SECURITY, `SRV-${k}.corp.example`, { SubjectUserName: 'SYSTEM', ServiceName: 'WinHelp', ServiceFileName: 'C:\\ProgramData\\scvhost.exe', ServiceStartType: '2' })] },
  ]),

  // antivirus / EDR (one malware name a case: the same malware on several hosts is one outbreak, one incident)
  ...WINDOWS.map((layout): Case => ({
    rule: 'antivirus_malware',
    layout,
    type: 'trojan',
    records: (k) => [windows(layout, 1, 1116, ...DEFENDER, `PC-${k}.corp.example`, { 'Product Name': 'Microsoft Defender Antivirus', 'Threat Name': `Trojan:Win32/CoinMiner.${k}!MTB`, 'Threat ID': String(2147735505 + k), 'Category Name': 'Trojan', Path: 'file:_C:\\Users\\Public\\miner.exe', 'Detection User': 'CORP\\alice' })],
  })),
  { rule: 'antivirus_malware', layout: 'CEF antivirus', type: 'trojan', records: (k) => [cef('CEF antivirus', 1, '发现木马 Trojan.Win32.Miner', `dst=10.3.${k}.20 dhost=pc-${k} fname=C:\\\\Users\\\\Public\\\\miner.exe fileHash=${'ab'.repeat(32)} act=quarantine`)] },
];

const RULE_FILES = fs
  .readdirSync(path.resolve(import.meta.dirname, '../rules/builtin'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => f.replace(/\.yml$/, ''))
  .sort();

/** README's table: a row a rule, a column a layout, ✓ where a case here proves it. */
function formatTable(): string {
  const used = LAYOUTS.filter((l) => CASES.some((c) => c.layout === l));
  const lines = [`| rule | ${used.join(' | ')} |`, `|---|${used.map(() => ':-:').join('|')}|`];
  for (const rule of RULE_FILES) lines.push(`| \`${rule}\` | ${used.map((l) => (CASES.some((c) => c.rule === rule && c.layout === l) ? '✓' : '')).join(' | ')} |`);
  return lines.join('\n');
}

describe('every built-in rule in every layout that can carry its evidence', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  const incidentIds = async () => ((await h.req({ method: 'GET', url: '/api/incidents?limit=200', as: 'admin' })).json().items as Array<{ id: string }>).map((i) => i.id);
  const send = async (lines: string[]) => {
    const r = await h.req({ method: 'POST', url: '/api/alerts', payload: lines.join('\n'), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().rejected, r.body).toBe(0);
    await h.services.detection.idle();
  };

  CASES.forEach((c, n) => {
    it(`${c.rule} × ${c.layout}`, async () => {
      const k = n + 1;
      if (c.intel) {
        const r = await h.req({ method: 'POST', url: `/api/intel/import?source=case-${k}&confidence=90`, payload: c.intel(k).join('\n'), headers: { 'content-type': 'text/plain' }, as: 'monitor' });
        expect(r.statusCode, r.body).toBe(200);
      }
      const before = new Set(await incidentIds());
      await send(c.records(k));
      const fresh = (await incidentIds()).filter((id) => !before.has(id));
      const raised: string[] = [];
      for (const id of fresh) {
        const detail = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'admin' })).json() as { type: string };
        const why = (await h.req({ method: 'GET', url: `/api/incidents/${id}/detection`, as: 'admin' })).json() as { signals: Array<{ rule: { file: string | null } }> };
        const files = why.signals.map((s) => path.basename(s.rule.file ?? '').replace(/\.yml(:\d+)?$/, ''));
        raised.push(`${detail.type}: ${files.join(', ')}`);
        if (detail.type === c.type && files.includes(c.rule)) return;
      }
      expect.fail(`no new ${c.type} incident by ${c.rule}; raised: ${raised.join(' | ') || 'nothing'}`);
    });
  });

  it('an antivirus\u2019s housekeeping and harmless finds (EICAR, adware) raise nothing', async () => {
    const before = new Set(await incidentIds());
    await send([
      cef('CEF antivirus', 2, 'Virus definitions updated 病毒库升级', 'dhost=pc-900 act=update'),
      cef('CEF antivirus', 3, 'EICAR-Test-File detected', 'dhost=pc-901 fname=eicar.com act=quarantine'),
      windows('Winlogbeat', 4, 1116, ...DEFENDER, 'PC-902.corp.example', { 'Threat Name': 'PUA:Win32/Presenoker', Path: 'file:_C:\\Users\\bob\\setup.exe' }),
    ]);
    expect((await incidentIds()).filter((id) => !before.has(id))).toEqual([]);
  });

  it('README lists the formats each built-in rule sees (this table)', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
    const want = formatTable();
    expect(readme.includes(want), `README.md should hold this table:\n${want}`).toBe(true);
    // every built-in rule has at least one layout proven
    for (const rule of RULE_FILES) expect(CASES.some((c) => c.rule === rule), rule).toBe(true);
  });
});
