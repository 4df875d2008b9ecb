/**
 * Scanner output read into findings (issue 15): files written as each tool writes them (from the
 * formats' published schemas: Nmap's nmap.dtd, Greenbone's GMP get_reports response, Tenable's
 * .nessus v2, and the product's baseline CSV template), recognised by their content.
 */
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { findingKey, parseScan } from '../src/domain/findings/scan.js';
import { afterScan, checkMove, dueAt } from '../src/domain/findings/finding.js';
import { decodeFileText } from '../src/domain/text.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures/scans', name), 'utf8');

describe('scan formats', () => {
  it('Nmap XML: every open port of every host up is a finding; a down host is not scanned; filtered ports are not open', () => {
    const s = parseScan(fixture('nmap-q4.xml'));
    expect(s).toMatchObject({ format: 'nmap', scanner: 'Nmap 7.93', startedAt: '2026-11-30T02:00:00.000Z', finishedAt: '2026-11-30T02:01:40.000Z' });
    expect(s.hosts).toEqual([{ ip: '10.164.1.8', hostname: 'sh-fs01.sh.corp' }, { ip: '10.164.1.9', hostname: undefined }]);
    expect(s.findings.map((f) => [f.ip, f.checkId, f.severity])).toEqual([
      ['10.164.1.8', 'port:tcp/135', 'info'],
      ['10.164.1.8', 'port:tcp/139', 'info'],
      ['10.164.1.8', 'port:tcp/445', 'info'],
      ['10.164.1.9', 'port:tcp/22', 'info'],
    ]);
    expect(s.findings[3]).toMatchObject({ title: '22/tcp open (ssh)', evidence: 'OpenSSH 7.4 protocol 2.0', kind: 'open_port', port: 22, protocol: 'tcp' });
  });

  it('OpenVAS / GVM report: each result with its NVT, severity from its score, CVEs from its refs; log results are not findings but their host was scanned', () => {
    const s = parseScan(fixture('gvm-q4.xml'));
    expect(s).toMatchObject({ format: 'openvas', startedAt: '2026-11-30T02:00:05.000Z', finishedAt: '2026-11-30T02:41:12.000Z' });
    expect(s.hosts.map((h) => h.ip)).toEqual(['10.164.1.8', '10.164.1.9']);
    expect(s.findings).toHaveLength(2);
    expect(s.findings[0]).toMatchObject({
      ip: '10.164.1.8',
      hostname: 'sh-fs01.sh.corp',
      port: 445,
      protocol: 'tcp',
      kind: 'vulnerability',
      checkId: 'openvas:1.3.6.1.4.1.25623.1.0.810676',
      severity: 'high',
      cvss: 8.1,
      cves: ['CVE-2017-0143', 'CVE-2017-0144', 'CVE-2017-0145'],
      description: 'This host is missing a critical security update according to Microsoft Bulletin MS17-010.',
      solution: 'The vendor has released updates. Please see the references for more information.',
    });
    expect(s.findings[1]).toMatchObject({ ip: '10.164.1.9', port: 443, severity: 'medium', cves: ['CVE-2011-3389', 'CVE-2015-0204'] });
  });

  it('Nessus v2: each ReportItem with severity 1–4, plugin id and name, CVSS v3 before v2, CVEs; informational plugins are not findings', () => {
    const s = parseScan(fixture('nessus-q4.nessus'));
    expect(s).toMatchObject({ format: 'nessus', startedAt: '2026-11-30T02:00:00.000Z' });
    expect(s.hosts).toEqual([{ ip: '10.164.1.8', hostname: 'sh-fs01.sh.corp' }, { ip: '10.164.1.9', hostname: undefined }]);
    expect(s.findings.map((f) => [f.ip, f.checkId, f.severity, f.cvss])).toEqual([
      ['10.164.1.8', 'nessus:97833', 'critical', 8.1],
      ['10.164.1.8', 'nessus:18405', 'medium', 5.1],
      ['10.164.1.9', 'nessus:70658', 'low', 2.6],
    ]);
    expect(s.findings[0]!.cves).toHaveLength(6);
    expect(s.findings[0]!.title).toContain('MS17-010');
    expect(s.findings[0]!.description).toBe('The remote Windows host is affected by multiple vulnerabilities.');
  });

  it('baseline CSV (Chinese headers, as Excel saves it in GBK): failed items are findings, passed ones are not, each bad line named', () => {
    const bytes = iconv.encode(fixture('baseline-q4.csv'), 'gbk');
    const s = parseScan(decodeFileText(bytes).text);
    expect(s.format).toBe('baseline');
    expect(s.hosts.map((h) => h.ip)).toEqual(['10.164.1.9', '10.164.1.8']);
    expect(s.findings.map((f) => [f.ip, f.checkId, f.severity, f.evidence])).toEqual([
      ['10.164.1.9', 'baseline:CIS-5.2.8', 'high', 'PermitRootLogin yes'],
      ['10.164.1.8', 'baseline:CIS-1.1.1', 'low', '未配置'],
    ]);
    expect(s.findings[0]).toMatchObject({ title: 'SSH 禁止 root 远程登录', description: 'expected: PermitRootLogin no', solution: '修改 /etc/ssh/sshd_config 并重启 sshd' });
    expect(s.problems).toEqual([
      { at: 'line 5', reason: 'result "待定" is neither pass nor fail' },
      { at: 'line 6', reason: '"not-an-ip" is not an IP address' },
    ]);
  });

  it('refuses what it cannot read, saying what it reads; XML that is not well formed names the fault', () => {
    expect(() => parseScan('hello, world')).toThrow(/Nmap XML.*OpenVAS.*Nessus.*baseline CSV/);
    expect(() => parseScan('<nmaprun><host>', 'nmap')).toThrow(/not well-formed XML/);
    expect(() => parseScan('<?xml version="1.0"?><something/>')).toThrow(/not a scan this product reads/);
    // an entity bomb stays small: only XML's own entities are expanded
    const bomb = '<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><nmaprun version="&c;"></nmaprun>';
    const t = performance.now();
    try {
      parseScan(bomb);
    } catch {
      // refused is as good as read small
    }
    expect(performance.now() - t).toBeLessThan(5_000);
  });

  it('a finding is the same check on the same host and port across scans and tools of one kind', () => {
    expect(findingKey({ kind: 'vulnerability', ip: '10.0.0.1', port: 445, protocol: 'tcp', checkId: 'nessus:97833' })).toBe(findingKey({ kind: 'vulnerability', ip: '10.0.0.1', port: 445, protocol: 'tcp', checkId: 'nessus:97833' }));
    expect(findingKey({ kind: 'vulnerability', ip: '10.0.0.1', port: 445, protocol: 'tcp', checkId: 'nessus:97833' })).not.toBe(findingKey({ kind: 'vulnerability', ip: '10.0.0.1', port: 139, protocol: 'tcp', checkId: 'nessus:97833' }));
  });
});

describe('a finding’s life', () => {
  const now = new Date('2026-11-30T00:00:00Z');
  it('is due by severity: critical in a week, high a month, medium a quarter, low half a year, info never', () => {
    expect(dueAt('critical', now)).toBe('2026-12-07T00:00:00.000Z');
    expect(dueAt('high', now)).toBe('2026-12-30T00:00:00.000Z');
    expect(dueAt('info', now)).toBeNull();
  });
  it('a later scan closes what it no longer finds, reopens what returns, and leaves a running acceptance alone', () => {
    expect(afterScan('open', false, null, now)).toEqual({ status: 'verified', outcome: 'closed' });
    expect(afterScan('fixed', false, null, now)).toEqual({ status: 'verified', outcome: 'closed' });
    expect(afterScan('fixed', true, null, now)).toEqual({ status: 'open', outcome: 'reopened' });
    expect(afterScan('verified', true, null, now)).toEqual({ status: 'open', outcome: 'reopened' });
    expect(afterScan('open', true, null, now)).toEqual({ status: 'open', outcome: 'seen' });
    expect(afterScan('accepted', true, '2027-01-01T00:00:00Z', now)).toEqual({ status: 'accepted', outcome: 'seen' });
    expect(afterScan('accepted', true, '2026-11-01T00:00:00Z', now)).toEqual({ status: 'open', outcome: 'reopened' });
  });
  it('a person moves it along; accepting a risk needs a reason and a date within a year; verifying says how', () => {
    expect(() => checkMove('open', 'fixing', {}, now)).not.toThrow();
    expect(() => checkMove('open', 'verified', { note: 'x' }, now)).toThrow(/open finding moves to fixing or fixed or accepted/);
    expect(() => checkMove('open', 'accepted', { note: '业务需要' }, now)).toThrow(/date/);
    expect(() => checkMove('open', 'accepted', { note: '业务需要', acceptedUntil: '2028-01-01T00:00:00Z' }, now)).toThrow(/366 days/);
    expect(() => checkMove('open', 'accepted', { note: '业务需要', acceptedUntil: '2027-03-01T00:00:00Z' }, now)).not.toThrow();
    expect(() => checkMove('fixed', 'verified', {}, now)).toThrow(/how it was verified/);
  });
});
