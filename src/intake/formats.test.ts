/** Every parser on small samples in the field names its tool really emits (test/fixtures/intake). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../domain/alert/alert.js';
import { detectFormat, readRecord } from './detect.js';
import type { ParseResult } from './format.js';
import { parseSyslog } from './syslog.js';
import { windows } from './formats/windows.js';

const dir = path.resolve(import.meta.dirname, '../../test/fixtures/intake');
const ctx = { timeZone: 'Asia/Shanghai', now: new Date('2019-12-02T12:00:00+08:00') };

function parseFile(name: string): Array<{ format: string; result: ParseResult }> {
  return fs
    .readFileSync(path.join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const c = readRecord(line);
      const p = detectFormat(c);
      return { format: p.format, result: p.parse(c.text, c.json, ctx) };
    });
}
const alertOf = (r: ParseResult): Alert => {
  if (!('alert' in r)) throw new Error(`skipped: ${r.skip}`);
  return r.alert;
};

describe('Suricata EVE', () => {
  it('detects every line as Suricata and normalizes alert, dns, http, anomaly; skips other event types with the reason', () => {
    const out = parseFile('suricata-eve.json');
    expect(out.map((o) => o.format)).toEqual(Array(5).fill('suricata'));
    const [dnsQ, alert, http, anomaly] = out.map((o) => o.result).slice(0, 4).map(alertOf) as [Alert, Alert, Alert, Alert];
    expect(dnsQ).toMatchObject({
      '@timestamp': '2019-12-01T20:57:02.512Z',
      event: { kind: 'event', category: ['network'], action: 'dns_query' },
      source: { ip: '10.164.1.8', port: 53211 },
      dns: { question: { name: 't.awcna.com', type: 'A' }, type: 'query' },
      observer: { vendor: 'OISF', product: 'Suricata', type: 'ids' },
      network: { transport: 'udp' },
    });
    expect(alert).toMatchObject({
      event: { kind: 'alert', category: ['intrusion_detection', 'network'], severity: 1, action: 'allowed' },
      rule: { name: 'ET EXPLOIT Possible ETERNALBLUE MS17-010 Echo Response', id: '2024218', category: 'Attempted Administrator Privilege Gain' },
      source: { ip: '10.164.2.15' },
      destination: { ip: '10.1.20.5', port: 445 },
    });
    expect(http).toMatchObject({ url: { full: 'http://down.ackng.com/if.bin', domain: 'down.ackng.com' }, http: { request: { method: 'GET' }, response: { status_code: 200 } } });
    expect(anomaly).toMatchObject({ event: { action: 'decoder.ipv4.trunc_pkt' }, rule: { category: 'decode' } });
    expect(out[4]!.result).toEqual({ skip: 'suricata event_type "flow" is not taken (alert, dns, http, anomaly)' });
  });
});

describe('sshd', () => {
  it('reads failed, invalid-user and accepted log-ins from BSD and RFC 5424 syslog lines', () => {
    const out = parseFile('auth.log');
    expect(out.map((o) => o.format)).toEqual(Array(6).fill('sshd'));
    expect(alertOf(out[0]!.result)).toMatchObject({
      '@timestamp': '2019-12-01T20:50:01.000Z',
      event: { category: ['authentication'], action: 'ssh_login_failed', outcome: 'failure' },
      user: { name: 'root' },
      source: { ip: '10.164.2.33', port: 52144 },
      host: { name: 'sh-fs01' },
    });
    expect(alertOf(out[1]!.result)).toMatchObject({ event: { action: 'ssh_invalid_user' }, user: { name: 'admin' } });
    expect(alertOf(out[2]!.result)).toMatchObject({ event: { action: 'ssh_invalid_user', outcome: 'failure' }, user: { name: 'oracle' }, source: { port: 52150 } });
    expect(alertOf(out[3]!.result)).toMatchObject({ event: { action: 'ssh_login', outcome: 'success' }, user: { name: 'ops' }, rule: { name: 'ssh publickey' } });
    expect(out[4]!.result).toEqual({ skip: expect.stringContaining('not a log-in attempt') });
    expect(alertOf(out[5]!.result)).toMatchObject({ '@timestamp': '2019-12-01T20:52:00.123Z', host: { name: 'hq-jump' }, source: { ip: '198.51.100.23' }, user: { name: 'test' } });
  });
});

describe('Windows events', () => {
  it('reads Winlogbeat JSON: 4624, 4625, 4688, 4720 with their ECS meaning and the event data kept', () => {
    const out = parseFile('winlogbeat-security.ndjson');
    expect(out.map((o) => o.format)).toEqual(Array(4).fill('windows'));
    const [ok, fail, proc, user] = out.map((o) => alertOf(o.result)) as [Alert, Alert, Alert, Alert];
    expect(ok).toMatchObject({ event: { category: ['authentication'], action: 'logged-in', outcome: 'success', code: '4624' }, user: { name: 'administrator' }, source: { ip: '45.77.10.3', port: 51234 }, host: { name: 'SH-FS01.corp.example' } });
    expect(ok.winlog).toMatchObject({ event_id: 4624, channel: 'Security', record_id: '88120', event_data: { LogonType: '10' } });
    expect(fail).toMatchObject({ event: { action: 'logon-failed', outcome: 'failure' } });
    expect(proc).toMatchObject({ event: { category: ['process'], action: 'created-process' }, process: { executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', pid: 0x1c30, parent: { executable: 'C:\\Windows\\System32\\svchost.exe' } } });
    expect(proc.process?.command_line).toContain('t.awcna.com');
    expect(user).toMatchObject({ event: { category: ['iam'], action: 'added-user-account' }, user: { name: 'k8h3d' } });
    expect(out[0]!.result).toMatchObject({ sourceId: 'win:SH-FS01.corp.example:Security:88120' });
  });

  it('reads NXLog-flattened events as in the recorded datasets, Sysmon included', () => {
    const out = parseFile('nxlog-security.ndjson');
    const [fail, sysmon] = out.map((o) => alertOf(o.result)) as [Alert, Alert];
    expect(fail).toMatchObject({ '@timestamp': '2020-09-18T17:07:52.058Z', event: { action: 'logon-failed' }, user: { name: 'pgustavo', domain: 'THESHIRE' }, source: { ip: '172.18.39.5' } });
    expect(fail.message).toBe('An account failed to log on.');
    // no @timestamp: EventTime is local time in the configured zone
    // Sysmon 1 is a process start in ECS, its image the process's executable
    expect(sysmon).toMatchObject({ '@timestamp': '2020-09-18T05:05:52.000Z', event: { category: ['process'], type: ['start'], action: 'process-created', code: '1' }, process: { executable: 'C:\\windows\\system32\\wbem\\WmiApSrv.exe' }, winlog: { event_id: 1, event_data: { Image: 'C:\\windows\\system32\\wbem\\WmiApSrv.exe' } } });
    expect(sysmon.winlog?.event_data).not.toHaveProperty('EventTime');
  });

  it('gives every Windows event id a rule can use its ECS meaning, alike in all three layouts; UserData and spaced names reach the event data', () => {
    const cases: Array<[number, string, Record<string, string>, Partial<Alert['event']>]> = [
      [4624, 'Security', {}, { category: ['authentication'], action: 'logged-in', outcome: 'success' }],
      [4625, 'Security', { Status: '0xc000006d' }, { category: ['authentication'], action: 'logon-failed', outcome: 'failure' }],
      [4648, 'Security', {}, { category: ['authentication'], action: 'logged-in-explicit', outcome: 'success' }],
      [4740, 'Security', {}, { category: ['iam'], action: 'locked-out-user-account' }],
      [4768, 'Security', { Status: '0x0' }, { category: ['authentication'], outcome: 'success' }],
      [4768, 'Security', { Status: '0x6' }, { category: ['authentication'], outcome: 'failure' }],
      [4771, 'Security', { Status: '0x18' }, { category: ['authentication'], action: 'kerberos-preauth-failed', outcome: 'failure' }],
      [4776, 'Security', { Status: '0xc000006a' }, { category: ['authentication'], action: 'credential-validated', outcome: 'failure' }],
      [4732, 'Security', {}, { category: ['iam'], type: ['group', 'change'] }],
      [7045, 'System', {}, { category: ['configuration'], action: 'service-installed' }],
      [3, 'Microsoft-Windows-Sysmon/Operational', {}, { category: ['network'], action: 'network-connection' }],
    ];
    const layouts = (id: number, channel: string, data: Record<string, string>) => [
      JSON.stringify({ '@timestamp': '2026-11-24T01:00:00Z', winlog: { channel, event_id: id, computer_name: 'DC01', event_data: { TargetUserName: 'alice', IpAddress: '::ffff:10.1.2.3', ...data } } }),
      JSON.stringify({ '@timestamp': '2026-11-24T01:00:00Z', EventID: id, Channel: channel, Hostname: 'DC01', TargetUserName: 'alice', IpAddress: '::ffff:10.1.2.3', ...data }),
      `<Event><System><EventID>${id}</EventID><TimeCreated SystemTime='2026-11-24T01:00:00.0000000Z'/><Channel>${channel}</Channel><Computer>DC01</Computer></System><EventData>${Object.entries({ TargetUserName: 'alice', IpAddress: '::ffff:10.1.2.3', ...data }).map(([k, v]) => `<Data Name='${k}'>${v}</Data>`).join('')}</EventData></Event>`,
    ];
    for (const [id, channel, data, want] of cases) {
      for (const line of layouts(id, channel, data)) {
        const alert = alertOf(windows.parse(line, line.startsWith('{') ? JSON.parse(line) : undefined, ctx));
        expect(alert.event, `${id} ${line.slice(0, 40)}`).toMatchObject({ kind: 'event', code: String(id), ...want });
        if (want.category?.[0] === 'authentication') expect(alert.source?.ip).toBe('10.1.2.3');
      }
    }
    // Winlogbeat's winlog.user_data and names with spaces (Defender's "Threat Name")
    const cleared = { '@timestamp': '2026-11-24T01:00:00Z', winlog: { channel: 'Security', event_id: 1102, user_data: { LogFileCleared: { SubjectUserName: 'mallory' } } } };
    expect(alertOf(windows.parse('', cleared, ctx)).winlog?.event_data).toMatchObject({ SubjectUserName: 'mallory' });
    const defender = { '@timestamp': '2026-11-24T01:00:00Z', winlog: { channel: 'Microsoft-Windows-Windows Defender/Operational', event_id: 1116, event_data: { 'Threat Name': 'HackTool:Win32/Mimikatz' } } };
    expect(alertOf(windows.parse('', defender, ctx)).winlog?.event_data).toMatchObject({ ThreatName: 'HackTool:Win32/Mimikatz', 'Threat Name': 'HackTool:Win32/Mimikatz' });
  });

  it('reads the real recorded dataset when it is present', () => {
    const zip = path.resolve(import.meta.dirname, '../../../shared/data/windows-events/empire_dcom_shellwindows_stager.zip');
    if (!fs.existsSync(zip)) {
      console.log(`skipped: ${zip} is absent (shared data)`);
      return;
    }
    try {
      execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    } catch {
      console.log('skipped: the recorded Windows dataset needs the unzip command, which is not installed');
      return;
    }
    // a few thousand lines from the real file, via unzip's stdout (Node has no zip reader built in)
    const text = execFileSync('unzip', ['-p', zip], { maxBuffer: 64 << 20 }).toString('utf8').split('\n').slice(0, 3000);
    let parsed = 0;
    for (const line of text.filter((l: string) => l.trim())) {
      const c = readRecord(line);
      expect(detectFormat(c).format).toBe('windows');
      const r = detectFormat(c).parse(c.text, c.json, ctx);
      if ('alert' in r) parsed++;
    }
    expect(parsed).toBeGreaterThan(2900);
  });
});

describe('DNS query logs', () => {
  it('reads BIND query-log lines, plain and behind syslog', () => {
    const out = parseFile('bind-query.log').map((o) => alertOf(o.result));
    expect(out.map((a) => [a['@timestamp'], a.source?.ip, a.dns?.question.name])).toEqual([
      ['2019-12-01T20:57:00.118Z', '10.164.1.8', 't.awcna.com'],
      ['2019-12-01T21:02:12.554Z', '10.164.2.116', 'down.ackng.com'],
      ['2019-12-01T21:19:31.000Z', '10.164.2.13', 'down.ackng.com'],
    ]);
    expect(out[0]).toMatchObject({ destination: { ip: '10.1.1.53' }, observer: { product: 'BIND' } });
    expect(out[2]!.observer?.hostname).toBe('hq-dns1');
  });
  it('reads the generic JSON form, with ISO or epoch times', () => {
    const out = parseFile('dns.ndjson').map((o) => alertOf(o.result));
    expect(out.map((a) => [a['@timestamp'], a.source?.ip, a.dns?.question.name])).toEqual([
      ['2019-12-01T21:27:00.000Z', '10.164.2.56', 't.awcna.com'],
      ['2019-12-01T21:28:00.000Z', '10.164.2.91', 't.awcna.com'],
    ]);
  });
});

describe('CEF', () => {
  it('reads CEF behind a syslog header and bare, with escapes and both kinds of rt', () => {
    const out = parseFile('cef.log');
    expect(out.map((o) => o.format)).toEqual(['cef', 'cef']);
    const [fw, waf] = out.map((o) => alertOf(o.result)) as [Alert, Alert];
    expect(fw).toMatchObject({
      '@timestamp': '2019-12-01T22:50:12.000Z',
      event: { kind: 'alert', action: 'deny', severity: 8 },
      rule: { id: '4001', name: 'SQL Server brute force', category: 'Intrusion' },
      source: { ip: '10.164.2.33', port: 51001 },
      destination: { ip: '10.1.30.8', port: 1433 },
      observer: { vendor: 'Hillstone', product: 'StoneOS', hostname: 'hq-fw01' },
      message: 'MSSQL login failures from 10.164.2.33',
    });
    expect(out[0]!.result).toMatchObject({ sourceId: 'cef:Hillstone:StoneOS:77120' });
    expect(waf).toMatchObject({ '@timestamp': '2019-12-02T02:15:00.000Z', event: { severity: 8 }, url: { full: "https://portal.example.com/login?user='or 1=1" } });
  });
});

describe('bad records', () => {
  it('say what is wrong', () => {
    expect(() => readRecord('{"event_type": "alert",')).toThrow('not valid JSON');
    expect(() => detectFormat(readRecord('hello world'))).toThrow('a line of no known format');
    expect(() => detectFormat(readRecord('{"a": 1}'))).toThrow('JSON of no known format');
    const c = readRecord('{"timestamp":"yesterday","event_type":"alert","src_ip":"1.1.1.1","alert":{"signature":"x"}}');
    expect(() => detectFormat(c).parse(c.text, c.json, ctx)).toThrow('timestamp "yesterday" is not a date-time');
    expect(() => parseSyslog('<999>Dec  2 04:50:01 h sshd[1]: x', 'UTC', ctx.now)).toThrow('out of range');
  });
});

describe('Windows events exported as XML', () => {
  it('reads <Event> elements across lines and several on a line, with EventData and UserData', async () => {
    const { xmlEventRecords } = await import('./xml-events.js');
    const lines = fs.readFileSync(path.join(dir, 'security-export.xml'), 'utf8').split('\n').map((text, i) => ({ line: i + 1, text }));
    const records = [];
    for await (const r of xmlEventRecords(lines, 65536)) records.push(r);
    expect(records.map((r) => r.line)).toEqual([3, 17, 17, 18]);
    const parsed = records.map((r) => {
      const c = readRecord(r.text!);
      const p = detectFormat(c);
      expect(p.format).toBe('windows');
      try {
        return p.parse(c.text, c.json, ctx);
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
    expect(alertOf(parsed[0] as ParseResult)).toMatchObject({
      '@timestamp': '2019-12-01T20:45:51.123Z',
      event: { action: 'logon-failed', outcome: 'failure', code: '4625' },
      user: { name: 'administrator' },
      source: { ip: '198.51.100.45', port: 50119 },
      winlog: { event_id: 4625, channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', record_id: '88119', event_data: { LogonType: '10', Status: '0xc000006d' } },
    });
    expect(parsed[0]).toMatchObject({ sourceId: 'win:SH-FS01.sh.corp:Security:88119' });
    expect(alertOf(parsed[1] as ParseResult)).toMatchObject({ event: { action: 'added-user-account' }, user: { name: 'k8h3d' } });
    expect(alertOf(parsed[2] as ParseResult).winlog).toMatchObject({ event_id: 1102, event_data: { SubjectUserName: 'administrator' } });
    expect(parsed[3]).toEqual({ error: '<EventID> is not a number' });
  });
});

describe('HFish', () => {
  it('reads WebHook JSON and API rows, with the honeypot as protocol and port, and refuses updates without an attacker', () => {
    const lines = fs.readFileSync(path.join(dir, 'hfish.ndjson'), 'utf8').split('\n').filter(Boolean);
    const parse = (line: string) => {
      const c = readRecord(line);
      const p = detectFormat(c);
      expect(p.format).toBe('hfish');
      return p.parse(c.text, c.json, ctx);
    };
    expect(parse(lines[0]!)).toMatchObject({
      sourceId: 'hfish:hq-honeypot-01:1207',
      alert: {
        '@timestamp': '2019-12-01T22:50:11.000Z',
        event: { kind: 'alert', action: 'honeypot_ssh' },
        source: { ip: '10.164.2.33' },
        destination: { port: 22 },
        user: { name: 'root' },
        rule: { name: 'HFish SSH honeypot: SSH蜜罐' },
        observer: { product: 'HFish', type: 'honeypot', hostname: 'hq-honeypot-01' },
      },
    });
    expect(parse(lines[1]!)).toMatchObject({ alert: { destination: { port: 3306 }, network: { protocol: 'mysql' } } });
    expect(() => parse(lines[2]!)).toThrow('without "ip"');
  });
});

describe('records the fuzzer found mishandled (each was a crash or swallowed the records after it)', () => {
  const outcomes = async (texts: string[]) => {
    const { normalizeRecords } = await import('./intake.service.js');
    const out: Array<{ line: number; ok: boolean; reason?: string }> = [];
    for await (const r of normalizeRecords(texts.map((text, i) => ({ line: i + 1, text })), { timeZone: 'Asia/Shanghai', now: new Date('2026-11-29T00:00:00Z'), maxRecordBytes: 65536, mapped: [] })) {
      out.push({ line: r.line, ok: 'alert' in r && !!r.alert, reason: 'reason' in r ? r.reason : undefined });
    }
    return out;
  };
  const SSHD = 'Dec  2 04:50:01 sh-fs01 sshd[2121]: Failed password for root from 10.164.2.33 port 52144 ssh2';

  it('a stray <EventRecordID> line is one rejected record, not the start of an event that eats the lines after it', async () => {
    const got = await outcomes(["<EventRecordID>88119</EventRecordID><Correlation/>", SSHD]);
    expect(got.map((o) => [o.line, o.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('an <Event> never closed is rejected when the next record begins, which is read as itself', async () => {
    const got = await outcomes(["<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>4625</EventID>", SSHD, '{"timestamp":"2019-12-02T04:57:00+08:00","client_ip":"10.164.2.91","query":"t.awcna.com","qtype":"A"}']);
    expect(got).toEqual([
      { line: 1, ok: false, reason: 'an <Event> element without its </Event> (line 2 begins another record)' },
      { line: 2, ok: true },
      { line: 3, ok: true },
    ]);
  });

  it('a time out of any device’s range, a line given to a JSON format, an array for an object: clear rejections', async () => {
    const got = await outcomes(['{"timestamp":-8640000000000.001,"client_ip":"10.164.2.91","query":"t.awcna.com"}', '[]']);
    expect(got[0]!.reason).toMatch(/timestamp "-8640000000000\.001" is (out of range|not a time)/);
    expect(got[1]!.reason).toBeTruthy();
    const c = readRecord(SSHD);
    expect(() => detectFormat(c, 'suricata').parse(c.text, c.json, { timeZone: 'UTC', now: new Date() })).toThrow('not a Suricata EVE record: that is a JSON object, this is a line of text');
  });
});

describe('crafted JSON values where devices write text', () => {
  it('an object whose toString is not a function is no text: rejected or left out, never a crash', () => {
    const { text } = { text: '{"timestamp":"2019-12-02T05:27:00+08:00","client_ip":{"toString":""},"query":"t.awcna.com","qtype":"A"}' };
    const c = readRecord(text);
    const parse = () => detectFormat(c).parse(c.text, c.json, { timeZone: 'Asia/Shanghai', now: new Date('2026-11-29T00:00:00Z') });
    expect(parse).not.toThrow(TypeError);
    const eve = '{"timestamp":"2019-12-02T04:50:00.000000+0800","event_type":"alert","src_ip":"203.0.113.7","alert":{"signature":{"toString":""},"signature_id":1}}';
    const e = readRecord(eve);
    expect(() => detectFormat(e).parse(e.text, e.json, { timeZone: 'Asia/Shanghai', now: new Date() })).toThrow('an alert event without alert.signature');
  });
});
