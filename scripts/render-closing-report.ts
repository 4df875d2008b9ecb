/**
 * `npm run render-report [-- OUT_DIR]`: the DriverLife outbreak replayed into a fresh embedded
 * database, its incident walked through every phase to closed as a team would, and its
 * emergency response report (应急处置报告单) exported as .docx — then rendered to PDF and PNG
 * with LibreOffice and pdftoppm (Debian: libreoffice-writer-nogui, poppler-utils,
 * fonts-noto-cjk) so a person can look at the page as it would be printed and signed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { prepareDriverLife, replayDriverLife } from '../src/demo/driverlife.js';
import type { Actor } from '../src/domain/account/roles.js';
import { PHASES } from '../src/domain/incident/phase.js';

const out = path.resolve(process.argv[2] ?? 'report-render');
const which = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};

const data = fs.mkdtempSync(path.join(os.tmpdir(), 'bihuan-render-'));
const s = await openServices(loadConfig({ BIHUAN_DATA_DIR: data, BIHUAN_TIMEZONE: 'Asia/Shanghai' }, { logLevel: 'silent' }));
const actor: Actor = { kind: 'system', label: '值班员 张三' };
try {
  await prepareDriverLife(s);
  const [id] = await replayDriverLife(s);
  if (!id) throw new Error('the DriverLife replay made no incident');
  await s.reports.setHeader(actor, { unitName: '某集团公司信息安全应急响应中心', reporter: '值班员 张三', contact: '021-5555 0100', systems: [{ name: '文件共享', use: '上海分公司内部文件共享服务' }] });

  // the night as the team worked it: notes at the times they happened, then every phase's tasks
  const notes: Array<[string, string]> = [
    ['2019-12-02T09:00:00+08:00', '指挥组确认事件，定为 1 级木马事件，启动应急预案'],
    ['2019-12-02T10:30:00+08:00', '在 SH-FS01（10.164.1.8）发现伪装为 svchost 的木马服务，来源为互联网 RDP 弱口令登录'],
    ['2019-12-02T11:00:00+08:00', '在出口防火墙封禁 t.awcna.com、down.ackng.com 及相关 IP；上海分公司 7 台失陷主机断网隔离'],
    ['2019-12-02T16:00:00+08:00', '各失陷主机清除木马、修补 MS17-010、重置口令；SH-FS01 重装系统后恢复服务'],
  ];
  for (const [at, text] of notes) await s.incidents.addTimelineEntry(actor, id, { occurredAt: at, text, source: 'manual' });
  for (const phase of PHASES.filter((p) => p !== 'closed')) {
    const incident = await s.incidents.get(id);
    for (const t of incident.tasks.filter((t) => t.phase === phase && (t.status === 'open' || t.status === 'in_progress'))) {
      await s.incidents.updateTask(actor, id, t.id, { status: 'done' });
    }
    if (phase === 'report') await s.incidents.recordReportSent(actor, id, { recipients: '指挥组、处置组', channel: 'email', sentAt: '2019-12-02T09:10:00+08:00' });
    if (phase === 'summary') {
      await s.incidents.update(actor, id, {
        resolution: 'true_positive',
        conclusion: '上海分公司文件服务器 SH-FS01 因 RDP 弱口令被入侵并植入驱动人生木马，木马经 MS17-010 在内网扩散至 7 台主机；已全部清除，业务已恢复。',
        recommendations: '关闭互联网暴露的 RDP；全网修补 MS17-010；启用强口令策略与登录失败锁定；威胁情报命中告警纳入 7×24 值守。',
      });
    }
    await s.incidents.move(actor, id, { to: PHASES[PHASES.indexOf(phase) + 1]! });
  }
  const version = await s.reports.exportForm(actor, id, 'closing', { format: 'docx', fields: { commandOpinion: '同意处置结论与整改建议，由各分公司在两周内完成整改并报总部复核。' } });
  fs.mkdirSync(out, { recursive: true });
  const docx = path.join(out, 'closing-report.docx');
  const chunks: Buffer[] = [];
  for await (const c of (await s.reports.open(version.id)).stream) chunks.push(c as Buffer);
  fs.writeFileSync(docx, Buffer.concat(chunks));
  console.log(`${docx}  (${id}, version ${version.version}, SHA-256 ${version.sha256})`);
  if (!which('soffice')) {
    console.log('soffice is not installed: apt-get install libreoffice-writer-nogui poppler-utils fonts-noto-cjk to render PDF and PNG');
  } else {
    execFileSync('soffice', ['--headless', '--norestore', `-env:UserInstallation=file://${path.join(data, 'lo-profile')}`, '--convert-to', 'pdf', '--outdir', out, docx], { stdio: 'pipe', timeout: 180_000 });
    const pdf = path.join(out, 'closing-report.pdf');
    console.log(pdf);
    if (which('pdftoppm')) {
      execFileSync('pdftoppm', ['-png', '-r', '80', pdf, path.join(out, 'closing-report-page')], { timeout: 120_000 });
      for (const f of fs.readdirSync(out).filter((f) => f.endsWith('.png')).sort()) console.log(path.join(out, f));
    }
  }
} finally {
  await s.close();
  fs.rmSync(data, { recursive: true, force: true });
}
