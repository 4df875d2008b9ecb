/** The CLI against a real database: migrate, users, the incident loop, grading and settings. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOn } from './support/cli.js';
import { docxText } from './support/files.js';
import { DIALECTS, type TestDatabase, createTestDatabase } from './support/dialects.js';

for (const dialect of DIALECTS) {
  describe(`bihuan CLI on ${dialect}`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
    });
    afterAll(async () => t?.drop());

    const cli = (...args: string[]) => cliOn(t)(...args);
    const ok = async (...args: string[]) => {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}\n${r.err}`).toBe(0);
      return r.out;
    };

    it('migrates the database, and says so once', async () => {
      expect(await ok('db', 'migrate')).toContain('applied: 20261125T1100_foundation');
      expect(await ok('db', 'migrate')).toContain('up to date');
    });

    it('says which configuration file it read', async () => {
      const file = path.join(t.dataDir, 'bihuan.yaml');
      fs.mkdirSync(t.dataDir, { recursive: true });
      fs.writeFileSync(file, 'loginAttemptsPerMinute: 20\n');
      const r = await cli('--config', file, 'db', 'migrate');
      expect(r.code, r.err).toBe(0);
      expect(r.err).toBe(`configuration: ${file}\n`);
      expect((await cli('db', 'migrate')).err).toBe('');
    });

    it('shows and sets the network zones (network show|set), refusing a bad document whole', async () => {
      const file = path.join(t.dataDir, 'network.yaml');
      fs.mkdirSync(t.dataDir, { recursive: true });
      fs.writeFileSync(file, 'internal: [10.0.0.0/8, 192.168.0.0/16]\ninternetFacing: [10.1.8.20]\norgUnits: {}\n');
      expect(await ok('network', 'set', file)).toContain('network zones set: 2 internal range(s), 1 internet-facing, 0 org unit(s)');
      const shown = JSON.parse(await ok('network', 'show', '--json'));
      expect(shown).toMatchObject({ internetFacing: ['10.1.8.20/32'], orgUnits: {} });
      expect(shown.internal).toEqual(expect.arrayContaining(['10.0.0.0/8', '192.168.0.0/16']));
      expect(await ok('network', 'show')).toContain('- 10.0.0.0/8');
      fs.writeFileSync(file, 'internal: [10.0.0.0/33]\ninternetFacing: []\norgUnits: {}\n');
      const bad = await cli('network', 'set', file);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain('internal');
      expect(JSON.parse(await ok('network', 'show', '--json')).internal).toEqual(shown.internal);
      // a branch from the CLI, then its ranges
      expect(await ok('org-unit', 'set', 'SZ', '深圳分公司')).toContain('org unit SZ (深圳分公司, branch) saved');
      fs.writeFileSync(file, 'internal: [10.0.0.0/8]\ninternetFacing: []\norgUnits: { SZ: [10.30.0.0/16] }\n');
      expect(await ok('network', 'set', file)).toContain('1 org unit(s)');
      expect(JSON.parse(await ok('org-unit', 'list', '--json'))).toContainEqual({ code: 'SZ', name: '深圳分公司', kind: 'branch', ranges: ['10.30.0.0/16'] });
      expect(await ok('org-unit', 'list')).toContain('SZ  深圳分公司  (branch)  10.30.0.0/16');
      expect((await cli('org-unit', 'set', 'SZ', '深圳', '--kind', 'province')).code).toBe(2);
    });

    it('adds users with a generated password shown once', async () => {
      const out = await ok('user', 'add', 'wang.wu', '--role', 'handler', '--name', '王五');
      expect(out).toMatch(/created user wang\.wu \(id \d+, role handler\)\npassword: [\w-]{20,}/);
      const bad = await cli('user', 'add', 'x', '--role', 'king');
      expect(bad.code).toBe(2);
      expect(bad.err).toContain("Allowed choices are admin, commander, handler, monitor, viewer");
    });

    it('walks an incident from discovery to closed, printing the gate that refuses each bad move', async () => {
      const created = JSON.parse(
        await ok('incident', 'create', '--title', '10.164.1.8 请求 C&C 域名', '--type', 'trojan', '--detected-at', '2019-12-02T04:57:00+08:00', '--observable', 'domain:t.awcna.com', '--json'),
      );
      const id: string = created.id;
      expect(created).toMatchObject({ level: 1, priorityTier: 'hour', phase: 'discovery' });

      let r = await cli('incident', 'advance', id, 'report');
      expect(r.code).toBe(1);
      expect(r.err).toContain('error [gate_refused]');
      expect(r.err).toContain('gate scope_missing');
      expect(r.err).toContain('gate mandatory_tasks_open');

      await ok('incident', 'asset', id, '--ip', '10.164.1.8', '--hostname', 'sh-fileserver');
      const doneAll = async (phase: string) => {
        const d = JSON.parse(await ok('incident', 'show', id, '--json'));
        const open = d.tasks.filter((x: { phase: string; status: string }) => x.phase === phase && x.status === 'open').map((x: { id: number }) => String(x.id));
        if (open.length) await ok('incident', 'task', id, ...open);
      };
      await doneAll('discovery');
      expect(await ok('incident', 'advance', id, 'report')).toContain(`${id} is now in phase report`);
      await doneAll('report');
      r = await cli('incident', 'advance', id, 'analysis');
      expect(r.err).toContain('gate report_not_sent');
      await ok('incident', 'report-sent', id, '--to', '指挥组, 处置组');
      await ok('incident', 'advance', id, 'analysis');
      await doneAll('analysis');
      await ok('incident', 'advance', id, 'handling');
      await ok('incident', 'timeline', id, '2019-12-02T10:30:00+08:00', '分公司管理员找到若干主机，杀毒软件无法清除');
      await doneAll('handling');
      await ok('incident', 'advance', id, 'summary');
      await doneAll('summary');
      r = await cli('incident', 'advance', id, 'closed');
      expect(r.err).toContain('gate resolution_missing');
      await ok('incident', 'update', id, '--resolution', 'true_positive', '--conclusion', '驱动人生木马，已清除', '--recommendations', '关闭对外 RDP');
      await ok('incident', 'advance', id, 'closed');

      const shown = await ok('incident', 'show', id);
      expect(shown).toContain(`${id}  10.164.1.8 请求 C&C 域名`);
      expect(shown).toContain('phase closed');
      expect(shown).toContain('分公司管理员找到若干主机');
      const list = await ok('incident', 'list', '--phase', 'closed');
      expect(list).toContain(id);
      expect(await ok('incident', 'list', '--level', '4')).toContain('no incidents');
    });

    it('imports scans and works their findings (periodic import-scan|findings|finding)', async () => {
      const scans = path.join(import.meta.dirname, 'fixtures/scans');
      expect(await ok('periodic', 'import-scan', path.join(scans, 'nessus-q4.nessus'))).toContain('nessus (Nessus), 2 hosts, 3 findings — 3 new');
      const list = JSON.parse(await ok('periodic', 'findings', '--json', '--severity', 'critical')) as { items: Array<{ id: number; title: string }>; total: number };
      expect(list.total).toBe(1);
      expect(await ok('periodic', 'findings')).toMatch(/critical\s+open\s+10\.164\.1\.8:445/);
      expect(await ok('periodic', 'finding', String(list.items[0]!.id), 'fixed', '--note', 'KB4013389')).toContain(': fixed');
      const refused = await cli('periodic', 'finding', String(list.items[0]!.id), 'accepted');
      expect(refused.code).not.toBe(0);
      expect(refused.err).toMatch(/fixed finding moves to open or fixing or verified/);
      const bad = await cli('periodic', 'import-scan', path.join(scans, 'nmap-q4.xml'), '--format', 'qualys');
      expect(bad.code).not.toBe(0);
      expect(bad.err).toContain('--format: "qualys" is not one of nmap, openvas, nessus, baseline');
      // a baseline CSV with a bad line: the good rows kept, the bad lines named, exit code 1
      const baseline = await cli('periodic', 'import-scan', path.join(scans, 'baseline-q4.csv'));
      expect(baseline.code).toBe(1);
      expect(baseline.out).toContain('line 6: "not-an-ip" is not an IP address');
    });

    it('plans recurring work, ends an occurrence with its evidence, writes the quarterly report; runs a campaign from a tester\'s CSV (periodic plan|due|done|quarter, campaign …)', async () => {
      // the CLI keeps the real clock: a quarterly check from the first day of this quarter, a quarter to finish it
      const now = new Date();
      const q = Math.floor(now.getUTCMonth() / 3);
      const quarter = `${now.getUTCFullYear()}Q${q + 1}`;
      const start = `${now.getUTCFullYear()}-${String(q * 3 + 1).padStart(2, '0')}-01T09:00`;
      const planned = await ok('periodic', 'plan', '季度基线检查', '--kind', 'baseline_check', '--rrule', 'FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1', '--start', start, '--owner', 'wang.wu', '--due-days', '100');
      expect(planned).toMatch(new RegExp(`^#\\d+ 季度基线检查: FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1 from ${start}`));
      expect(await ok('periodic', 'items')).toContain('baseline_check');
      const due = JSON.parse(await ok('periodic', 'due', '--json')) as { items: Array<{ id: number; title: string; scheduledAt: string }> };
      const october = due.items.find((x) => x.title === '季度基线检查' && x.scheduledAt.startsWith(start.slice(0, 7)))!;
      const evidence = path.join(t.dataDir, 'baseline-signed.pdf');
      fs.writeFileSync(evidence, '%PDF-1.4 signed sheet');
      expect(await ok('periodic', 'done', String(october.id), '--result', 'passed', '--evidence', evidence)).toMatch(/: done \(passed\), evidence baseline-signed\.pdf sha256 [0-9a-f]{64}/);
      const bad = await cli('periodic', 'done', String(october.id), '--result', 'great');
      expect(bad.err).toContain('--result: "great" is not one of passed, issues, failed');
      const rule = await cli('periodic', 'plan', 'x', '--kind', 'other', '--rrule', 'FREQ=HOURLY', '--start', '2026-10-01T09:00', '--owner', 'wang.wu');
      expect(rule.err).toContain('rrule: work recurs at most daily');
      const out = path.join(t.dataDir, 'q.md');
      expect(await ok('periodic', 'quarter', '--quarter', quarter, '-o', out)).toContain(`${quarter.slice(0, 4)} 年第 ${q + 1} 季度周期性工作报告`);
      // this quarter's check, done within its hundred days: on time
      expect(fs.readFileSync(out, 'utf8')).toContain('| 总部（HQ） | 1 | 1 | 0 | 0 | 0 | 0 | 100% |');

      const day = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10);
      const created = await ok('campaign', 'create', '外网渗透测试', '--kind', 'penetration_test', '--from', day(-30), '--to', day(30), '--lead', 'wang.wu', '--scope', '10.164.0.0/16');
      const id = /^#(\d+)/.exec(created)![1]!;
      const csv = path.join(t.dataDir, 'pentest.csv');
      fs.writeFileSync(csv, '编号,主机,端口,问题,风险等级,整改建议\nPT-1,10.164.1.8,8080,Tomcat 弱口令,高危,修改口令\nPT-2,10.164.1.9,,目录遍历,中危,\n');
      expect(await ok('campaign', 'record', id, csv)).toContain('2 findings — 2 new');
      expect(await ok('campaign', 'list')).toMatch(/penetration_test\s+running .* findings 2 open \/ 2\s+外网渗透测试/);
      const wrong = path.join(t.dataDir, 'wrong.csv');
      fs.writeFileSync(wrong, 'ip,title,severity\n10.164.1.8,x,urgent\n');
      expect((await cli('campaign', 'record', id, wrong)).err).toContain('row 2: severity "urgent" is not one of');
      expect(await ok('campaign', 'close', id, '--conclusion', '高危问题已整改')).toContain(': closed');
      const report = path.join(t.dataDir, 'campaign.docx');
      expect(await ok('campaign', 'report', id, '-o', report, '--locale', 'en')).toContain('Campaign summary: 外网渗透测试');
      expect(docxText(fs.readFileSync(report))).toContain('2 findings: 0 closed, 2 still open');
    });

    it('runs the response organisation and the duty roster (roster import|now|shifts|export|handover|team-set|teams)', async () => {
      // today in the organisation's zone (the CLI runs on the real clock): two shifts cover the whole day, one of them now
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      const sheet = path.join(t.dataDir, 'roster.csv');
      fs.writeFileSync(sheet, `日期,开始,结束,岗位,姓名,电话,邮箱\n${today},00:00,12:00,监控,张三,139-0000-0003,zhang.san@example.cn\n${today},12:00,00:00,监控,李雷,139-0000-0004,li.lei@example.cn\n${today},09:00,18:00,保洁,某人,,\n`);
      const imported = await cli('roster', 'import', sheet);
      expect(imported.code).toBe(1); // a row was not filed: said, and the others kept
      expect(imported.out).toContain('roster.csv: 2 shifts imported, 0 already there, 1 rows not imported');
      expect(imported.out).toMatch(/row 4: role — "保洁" is not a duty role/);
      const now = JSON.parse(await ok('roster', 'now', '--json')) as Array<{ id: number; name: string; role: string }>;
      expect(now).toHaveLength(1);
      expect(['张三', '李雷']).toContain(now[0]!.name);
      expect(await ok('roster', 'now')).toMatch(/HQ\s+monitor\s+(张三|李雷)/);
      expect(await ok('roster', 'shifts', '--from', today)).toContain('李雷');
      // exported as a workbook, it imports again unchanged
      const book = path.join(t.dataDir, 'roster.xlsx');
      expect(await ok('roster', 'export', book, '--from', today)).toContain('(xlsx, 2 shifts)');
      expect(fs.readFileSync(book).subarray(0, 2).toString()).toBe('PK');
      expect(await ok('roster', 'import', book)).toContain('0 shifts imported, 2 already there, 0 rows not imported');
      expect(await ok('roster', 'handover', String(now[0]!.id), '10.164.1.8 仍在隔离，等待处置组确认')).toContain('handed over');
      expect(await ok('roster', 'shifts', '--from', today)).toContain('[handed over: 10.164.1.8 仍在隔离');
      // the response organisation from a YAML document; a wrong one is refused naming its fields
      const team = path.join(t.dataDir, 'team.yaml');
      fs.writeFileSync(team, 'name: 监控组\nkind: monitor\norgUnit: HQ\nmembers:\n  - { name: 张三, duty: leader, phone: 139-0000-0003, email: zhang.san@example.cn }\n  - { name: 李雷, duty: deputy, im: lilei-wecom }\n');
      expect(await ok('roster', 'team-set', team)).toMatch(/team #\d+ HQ monitor: 监控组 saved, 2 members/);
      expect(await ok('roster', 'teams')).toMatch(/deputy\s+李雷\s+IM lilei-wecom/);
      fs.writeFileSync(team, 'name: 监控组\nkind: watchers\norgUnit: HQ\nmembers: [{ name: 张三, duty: boss }]\ncolour: red\n');
      const wrong = await cli('roster', 'team-set', team);
      expect(wrong.code).not.toBe(0);
      expect(wrong.err).toContain('kind');
      expect(wrong.err).toContain('members/0/duty');
      expect(wrong.err).toContain('has fields it does not know: colour');
      expect(JSON.parse(await ok('roster', 'teams', '--json'))).toHaveLength(1);
    });

    it('writes, approves and shows emergency plans (plans create|revise|approve|attach|list|show)', async () => {
      const file = path.join(t.dataDir, 'plan.yaml');
      fs.writeFileSync(file, [
        'title: 勒索病毒应急预案',
        'incidentTypes: [trojan, internal_scanning]',
        'levels: [1, 2]',
        'orgUnits: []',
        'organisation: 总体组组长负责指挥，处置组负责隔离',
        'steps:',
        '  - { phase: handling, title: 断开受感染主机网络 }',
        '  - { phase: analysis, title: 确认勒索家族与加密范围 }',
        'contacts: [{ name: 王五, role: 总体组组长, phone: 139-0000-0001, email: wang.wu@example.cn }]',
        'reviewDue: "2027-06-30"',
      ].join('\n'));
      const created = await ok('plans', 'create', file);
      const id = /plan #(\d+)/.exec(created)![1]!;
      expect(created).toContain('v1 saved as a draft');
      expect(await ok('plans', 'approve', id)).toContain('v1 approved');
      const doc = path.join(t.dataDir, 'plan.pdf');
      fs.writeFileSync(doc, '%PDF-1.4 勒索病毒应急预案');
      expect(await ok('plans', 'attach', id, doc)).toMatch(/document plan\.pdf \(\d+ bytes\) sha256 [0-9a-f]{64}/);
      const shown = await ok('plans', 'show', id);
      expect(shown).toContain('covers types trojan, internal_scanning; levels 1, 2; org units all');
      expect(shown).toMatch(/handling\s+断开受感染主机网络/);
      expect(shown).toContain('王五 (总体组组长)');
      const revised = await ok('plans', 'revise', id, file);
      expect(revised).toContain('v2 saved as a draft');
      expect(await ok('plans', 'list')).toMatch(/v2 draft .*勒索病毒应急预案[\s\S]*v1 approved/);
      fs.writeFileSync(file, 'title: ""\nincidentTypes: trojan\nlevels: [5]\norgUnits: []\nsteps: []\ncontacts: []\nreviewDue: "2027-06-30"\n');
      const wrong = await cli('plans', 'create', file);
      expect(wrong.code).not.toBe(0);
      expect(wrong.err).toContain('title');
      expect(wrong.err).toContain('incidentTypes');
      expect(wrong.err).toContain('levels/0');
      expect(JSON.parse(await ok('plans', 'list', '--json'))).toHaveLength(2);
    });

    it('blocks from an incident and serves the list (block add|list|lift|renew|token)', async () => {
      const created = await ok('incident', 'create', '--title', '外部 445 扫描', '--type', 'trojan', '--asset', '10.164.1.8');
      const id = /INC-\d{8}-\d{4}/.exec(created)![0];
      expect(await ok('block', 'add', id, 'ip', '203.0.113.7', '--reason', '扫描来源')).toMatch(/^#\d+\s+active\s+ip\s+203\.0\.113\.7/);
      const wide = await cli('block', 'add', id, 'ip', '10.0.0.0/8', '--reason', 'x');
      expect(wide.code).not.toBe(0);
      expect(wide.err).toContain('a range as wide as a /8');
      const list = JSON.parse(await ok('block', 'list', '--incident', id, '--json')) as { items: Array<{ id: number; value: string; verification: { state: string } }> };
      expect(list.items.map((b) => [b.value, b.verification.state])).toEqual([['203.0.113.7', 'waiting']]);
      const blockId = String(list.items[0]!.id);
      expect(await ok('block', 'renew', blockId, '--until', new Date(Date.now() + 40 * 86_400_000).toISOString())).toContain('active');
      const token = /: (bhl_\S+)/.exec(await ok('block', 'token', 'create', 'PA-3220'))![1]!;
      const s = await (await import('../src/app.js')).openServices((await import('../src/config.js')).loadConfig({ BIHUAN_DATABASE_URL: t.url, BIHUAN_DATA_DIR: t.dataDir }, { logLevel: 'silent' }), { migrate: false });
      try {
        expect(await s.blocks.authenticateListToken(token)).toBe(true);
        expect((await s.blocks.edl('default', 'ip')).text).toBe('203.0.113.7\n');
        expect(await ok('block', 'lift', blockId, '--reason', '误封')).toContain('lifted');
        expect((await s.blocks.edl('default', 'ip')).text).toBe('');
      } finally {
        await s.close();
      }
      expect(await ok('block', 'token', 'list')).toContain('PA-3220');
      expect(await ok('block', 'token', 'list')).not.toContain(token);
    });

    it('grades an incident nationally and records its report to the regulator (regulatory show|set|grade|reported)', async () => {
      expect(await ok('regulatory', 'show')).toContain('operator type: other — report III and graver within 4 h');
      expect(await ok('regulatory', 'set', '--operator', 'state_organ')).toContain('2 h');
      const created = await ok('incident', 'create', '--title', '勒索软件加密财务服务器', '--type', 'trojan', '--asset', '10.164.1.30');
      const id = /INC-\d{8}-\d{4}/.exec(created)![0];
      const graded = await ok('regulatory', 'grade', id, '--level', '2', '--category', 'MI-5', '--reason', '核心财务系统被加密');
      expect(graded).toMatch(/proposed: III MI-3 特洛伊木马事件/);
      expect(graded).toMatch(new RegExp(`${id}: national level II, MI-5; report due `));
      expect(await ok('regulatory', 'reported', id, '--to', '本单位网信部门')).toContain('initial report to 本单位网信部门 recorded');
      expect((await cli('regulatory', 'set', '--operator', 'bank')).code).not.toBe(0);
    });

    it('says clearly what is wrong with bad input', async () => {
      let r = await cli('incident', 'create', '--title', 'x', '--type', 'ddos');
      expect(r.code).toBe(1);
      expect(r.err).toContain('error [validation]: type: "ddos" is not an incident type');
      r = await cli('incident', 'show', 'INC-20200101-0001');
      expect(r.err).toContain('error [not_found]: incident INC-20200101-0001 does not exist');
      r = await cli('incident', 'create', '--title', 'x', '--type', 'trojan', '--observable', 'ip:999.1.1.1');
      expect(r.err).toContain('observables/0/value');
    });

    it('shows and edits the grading table; settings export and import round-trip through YAML', async () => {
      expect(await ok('grading', 'show')).toContain('internal_brute_force');
      const set = await ok('grading', 'set', 'brute_force', '2');
      expect(set).toContain('grading table version 2 saved');
      expect(set).toMatch(/brute_force\s+level 2/);
      expect(await ok('grading', 'show', '--version', '1')).toMatch(/brute_force\s+level 3/);
      const file = path.join(t.dataDir, 'settings.yaml');
      await ok('settings', 'export', '--file', file);
      const yaml = fs.readFileSync(file, 'utf8');
      expect(yaml).toContain('nameZh: 爆破事件');
      fs.writeFileSync(file, yaml.replace('code: HQ', 'code: HQ\n    ').concat('\n'));
      expect(await ok('settings', 'import', file)).toContain('nothing changed');
      fs.writeFileSync(file, `${yaml}\nbogus: 1\n`);
      const r = await cli('settings', 'import', file);
      expect(r.code).toBe(1);
      expect(r.err).toContain('bogus');
    });
  });
}
