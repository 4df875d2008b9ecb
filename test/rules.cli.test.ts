/**
 * Rule authors and hunters on the command line: `rules list`, `rules test RULE EVENTS…` (which
 * events matched and why, bad rules named with file and line), and `hunt --rules DIR FILES…`
 * filing the hits on an incident's timeline with the report as evidence.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOn } from './support/cli.js';
import { DIALECTS, type TestDatabase, createTestDatabase } from './support/dialects.js';

const FX = path.resolve(import.meta.dirname, 'fixtures');
const SIGMA_WINDOWS = path.resolve(import.meta.dirname, '../../shared/data/sigma-rules/rules/windows');

for (const dialect of DIALECTS) {
  describe(`bihuan rules and hunt on ${dialect}`, () => {
    let t: TestDatabase;
    let dir: string;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      dir = fs.mkdtempSync(path.join(t.dataDir, 'rules-'));
    });
    afterAll(async () => t?.drop());

    const cli = (...args: string[]) => cliOn(t)(...args);

    it('rules list shows the built-in pack, each rule with the incident type it raises', async () => {
      const r = await cli('rules', 'list');
      expect(r.code).toBe(0);
      expect(r.out).toContain('builtin/threat_intel.yml:1  [critical] Threat-intelligence hit - host contacts a known C&C domain or address → trojan');
      expect(r.out).toMatch(/\[correlation event_count\] Brute force - many failed logins from one source → brute_force/);
      expect(r.out).toMatch(/\d+ rules, 3 correlations loaded; 0 refused/);
    });

    it('rules test shows which events matched and which selections made them match', async () => {
      const rule = path.join(dir, 'rdp_from_internet.yml');
      fs.writeFileSync(
        rule,
        [
          'title: RDP log-on from the internet',
          'logsource: {product: windows, service: security}',
          'detection:',
          '  logon: {EventID: 4624, LogonType: 10}',
          "  internal: {IpAddress|cidr: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']}",
          '  condition: logon and not internal',
          'level: high',
        ].join('\n'),
      );
      const r = await cli('rules', 'test', rule, path.join(FX, 'driverlife', 'sh-fs01-winlogbeat.ndjson'));
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('2019-12-01T20:46:05.000Z');
      expect(r.out).toContain('sh-fs01-winlogbeat.ndjson:1  [high] RDP log-on from the internet');
      expect(r.out).toContain('matched: logon   host: SH-FS01.sh.corp');
      expect(r.out).toContain('1 rules, 0 correlations; 2 events; 1 matches');
      const json = JSON.parse((await cli('rules', 'test', rule, path.join(FX, 'driverlife', 'sh-fs01-winlogbeat.ndjson'), '--json')).out);
      expect(json.matches).toEqual([expect.objectContaining({ line: 1, selections: ['logon'], rule: expect.objectContaining({ title: 'RDP log-on from the internet', line: 1 }) })]);
    });

    it('a bad rule is named with file, line and reason, and the test fails', async () => {
      const rule = path.join(dir, 'broken.yml');
      fs.writeFileSync(rule, 'title: broken\nlogsource: {product: windows}\ndetection:\n  sel:\n    CommandLine|re: "a(b"\n  condition: sel\n');
      const r = await cli('rules', 'test', rule, path.join(FX, 'driverlife', 'sh-fs01-winlogbeat.ndjson'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/refused .*broken\.yml:5 \[invalid regular expression\] CommandLine: invalid regular expression \/a\(b\//);
    });

    it('tests correlation rules over event files too', async () => {
      const rule = path.join(dir, 'many_rdp_probes.yml');
      fs.writeFileSync(
        rule,
        [
          'title: probes from one host',
          'correlation: {type: event_count, rules: [probe], group-by: [source.ip], timespan: 5m, condition: {gte: 2}}',
          '---',
          'title: probe',
          'name: probe',
          'logsource: {category: intrusion_detection}',
          "detection: {sel: {rule.name|contains: 'ET SCAN'}, condition: sel}",
        ].join('\n'),
      );
      const json = JSON.parse((await cli('rules', 'test', rule, path.join(FX, 'driverlife', 'hq-honeypot-eve.json'), '--json')).out);
      expect(json.correlationMatches).toEqual([expect.objectContaining({ group: { 'source.ip': '10.164.2.33' }, value: 2, events: [expect.objectContaining({ line: 2 }), expect.objectContaining({ line: 3 })] })]);
    });

    it.skipIf(!fs.existsSync(SIGMA_WINDOWS))('hunt runs the SigmaHQ Windows rules over a host\u2019s logs and files the hits on an incident', async () => {
      const created = await cli('incident', 'create', '--title', '上海文件服务器失陷', '--type', 'trojan');
      expect(created.code, created.err).toBe(0);
      const id = /INC-\d{8}-\d{4}/.exec(created.out)![0];
      const r = await cli('hunt', '--rules', SIGMA_WINDOWS, path.join(FX, 'driverlife', 'sh-fs01-winlogbeat.ndjson'), '--incident', id);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('External Remote RDP Logon from Public IP');
      expect(r.out).toContain(`${id}: 1 hits on the timeline; report attached as evidence`);
      const shown = JSON.parse((await cli('incident', 'show', id, '--json')).out);
      expect(shown.timeline).toContainEqual(expect.objectContaining({ occurredAt: '2019-12-01T20:46:05.000Z', source: 'hunt', text: expect.stringContaining('External Remote RDP Logon from Public IP') }));
      expect(shown.evidence).toEqual([expect.objectContaining({ filename: expect.stringMatching(/^hunt-.*\.json$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    });

    it('rules test reads records as intake does: the configured device classes, and with --enrich the saved time zone setting', async () => {
      const rule = path.join(dir, 'ids_report.yml');
      fs.writeFileSync(rule, 'title: any IDS report\nid: 5b9a1c2e-1111-4a6e-9d3f-2a7c4e6b8d01\nlogsource: { category: intrusion_detection }\ndetection: { ids: { observer.type: ids }, condition: ids }\nlevel: high\n');
      const events = path.join(dir, 'acme.cef');
      fs.writeFileSync(events, '<134>Nov 25 09:00:00 sensor-9 CEF:0|Acme|Sentry|1.0|77|odd request|8|src=198.51.100.30 dst=10.1.8.20 dpt=80\n');
      // a device the table does not know: no match until the configuration classes it
      expect(JSON.parse((await cli('rules', 'test', rule, events, '--json')).out).matches).toHaveLength(0);
      const classed = cliOn(t, { BIHUAN_DEVICE_CLASSES: JSON.stringify([{ vendor: 'Acme', class: 'ids' }]) });
      const plain = JSON.parse((await classed('rules', 'test', rule, events, '--json')).out);
      expect(plain.matches).toHaveLength(1);
      // read in the configured zone (Beijing) …
      expect(plain.matches[0].time).toMatch(/-11-25T01:00:00\.000Z$/);
      // … and with --enrich in the zone the settings keep for that host (Berlin)
      const settings = path.join(dir, 'zones.yaml');
      fs.writeFileSync(settings, 'timeZone:\n  zone: Asia/Shanghai\n  sources:\n    - host: sensor-9\n      zone: Europe/Berlin\n');
      expect((await classed('settings', 'import', settings)).code).toBe(0);
      const enriched = JSON.parse((await classed('rules', 'test', rule, events, '--json', '--enrich')).out);
      expect(enriched.matches[0].time).toBe(plain.matches[0].time.replace('T01:00', 'T08:00'));
    });
  });
}
