/**
 * The emergency response report (应急处置报告单) of the DriverLife outbreak, through the API:
 * drafted from the incident the devices' alerts made, edited, exported as Word and Markdown,
 * read back from the .docx itself, every version kept with a SHA-256 that matches the bytes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { docxText } from './support/files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const fx = (...p: string[]) => fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures', ...p), 'utf8');
const INFECTED = ['10.164.1.8', '10.164.2.15', '10.164.2.116', '10.164.2.13', '10.164.2.56', '10.164.2.91', '10.164.2.33'];

for (const dialect of DIALECTS) {
  describe(`the closing report on ${dialect}`, () => {
    let h: Harness;
    let id: string;
    beforeAll(async () => {
      h = await startHarness(dialect);
      await h.req({ method: 'PUT', url: '/api/org-units/SH', payload: { name: '上海分公司', kind: 'branch' }, as: 'admin' });
      await h.req({ method: 'PUT', url: '/api/network', payload: JSON.parse(fx('driverlife', 'network.json')), as: 'admin' });
      await h.req({ method: 'POST', url: '/api/assets/import', payload: fx('driverlife', 'sh-assets.csv'), headers: { 'content-type': 'text/csv' }, as: 'admin' });
      await h.req({ method: 'POST', url: '/api/intel/import?source=driverlife-feed&confidence=90', payload: fx('driverlife', 'threat-intel.txt'), headers: { 'content-type': 'text/plain' }, as: 'monitor' });
      for (const f of ['hq-dns-query.log', 'hq-honeypot-eve.json']) {
        const r = await h.req({ method: 'POST', url: '/api/alerts', payload: fx('driverlife', f), headers: { 'content-type': 'text/plain' }, as: 'ingest' });
        expect(r.statusCode).toBe(200);
        await h.services.detection.idle();
      }
      const list = (await h.req({ method: 'GET', url: '/api/incidents', as: 'viewer' })).json().items;
      expect(list).toHaveLength(1);
      id = list[0].id;
    });
    afterAll(async () => h?.close());

    it('refuses to export without the unit name, and lets only those who work incidents set and export', async () => {
      let r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/closing`, payload: { format: 'docx' }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toContain('report-header');
      r = await h.req({ method: 'PUT', url: '/api/report-header', payload: { unitName: '某集团公司' }, as: 'handler' });
      expect(r.statusCode).toBe(403);
      r = await h.req({ method: 'PUT', url: '/api/report-header', payload: { unitName: '某集团公司', contact: '021-5555 0100', reporter: '值班员 张三', systems: [{ name: '办公网', use: '上海分公司日常办公' }] }, as: 'admin' });
      expect(r.statusCode, r.body).toBe(200);
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/closing`, payload: { format: 'docx' }, as: 'viewer' });
      expect(r.statusCode).toBe(403);
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/closing`, payload: { format: 'pdf' }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/closing`, payload: { format: 'md', fields: { signature: 'x' } }, as: 'handler' });
      expect(r.statusCode).toBe(400);
      expect((await h.req({ method: 'POST', url: '/api/incidents/INC-20000101-0001/reports/closing', payload: { format: 'md' }, as: 'handler' })).statusCode).toBe(404);
    });

    it('drafts the form from the incident: monitoring information from its alerts, hosts in the appendix', async () => {
      const r = await h.req({ method: 'GET', url: `/api/incidents/${id}/reports/closing`, as: 'viewer' });
      expect(r.statusCode, r.body).toBe(200);
      const draft = r.json();
      expect(draft.fields).toMatchObject({ unitName: '某集团公司', reporter: '值班员 张三', contact: '021-5555 0100', reportTime: '2026年11月25日 10:00（Asia/Shanghai，UTC+08:00）', commandOpinion: '', leaderSignature: '' });
      // detected at 04:57 local time, the C&C domain, the first host
      expect(draft.fields.monitoringInfo).toContain('2019年12月02日 04:57');
      expect(draft.fields.monitoringInfo).toContain('t.awcna.com');
      expect(draft.fields.monitoringInfo).toContain('10.164.1.8');
      expect(draft.fields.monitoringInfo).toContain('1 级');
      // the C&C contacted, not the DNS server that answered
      expect(draft.fields.monitoringInfo).toContain('10.164.1.8 → t.awcna.com');
      // the hosts' business systems, from the asset inventory
      expect(draft.fields.systemName).toContain('文件共享');
      expect(draft.hosts.map((x: { ip: string }) => x.ip).sort()).toEqual([...INFECTED].sort());
      expect(draft.timeline.some((t: { time: string }) => t.time === '2019年12月02日 06:48')).toBe(true);
      expect(draft.fields.problemsAndRecommendations).toContain('未完成任务');
      // the appendices speak the form's language: who wrote each entry, the product's own host notes
      expect(new Set(draft.timeline.map((t: { source: string }) => t.source))).not.toContain('system');
      expect(draft.timeline.map((t: { source: string }) => t.source)).toContain('系统');
      expect(draft.hosts.map((x: { note: string }) => x.note).join()).not.toMatch(/[a-z]/);
      const en = (await h.req({ method: 'GET', url: `/api/incidents/${id}/reports/closing?locale=en`, as: 'viewer' })).json();
      expect(en.fields.monitoringInfo).toContain('2019-12-02 04:57: the monitoring team detected');
      expect(en.timeline.map((t: { source: string }) => t.source)).toContain('System');
      expect(en.hosts.map((x: { note: string }) => x.note).join()).not.toMatch(/[\u4e00-\u9fff]/);
    });

    it('exports Word and Markdown with the edits, keeps each version with the SHA-256 of its bytes', async () => {
      const opinion = '同意处置结论。各分公司立即排查驱动人生木马，封禁 t.awcna.com。';
      let r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/closing`, payload: { format: 'docx', fields: { commandOpinion: opinion } }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      const docx = r.json();
      expect(docx).toMatchObject({ version: 1, format: 'docx', locale: 'zh-CN', filename: `${id}-应急处置报告单-v1.docx` });
      const file = await h.req({ method: 'GET', url: `/api/reports/${docx.id}/download`, as: 'viewer' });
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toContain('wordprocessingml');
      expect(createHash('sha256').update(file.rawPayload).digest('hex')).toBe(docx.sha256);
      expect(file.headers['x-content-sha256']).toBe(docx.sha256);
      const text = docxText(file.rawPayload);
      for (const label of ['应急处置报告单', '单位名称', '报告时间', '报告人', '联系方式', '信息系统名称', '主要用途', '监控团队上报信息', '主要处理过程及结果', '存在问题及建议', '总体组处理意见', '总体组组长签字']) {
        expect(text).toContain(label);
      }
      expect(text).toContain('某集团公司');
      expect(text).toContain(opinion);
      expect(text).toContain('2019年12月02日 04:57');
      for (const ip of INFECTED) expect(text).toContain(ip);
      // the form is a bordered table
      const xml = strFromU8(unzipSync(new Uint8Array(file.rawPayload))['word/document.xml']!);
      expect(xml).toMatch(/<w:tblBorders>[^]*<w:insideH w:val="single"/);

      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/closing`, payload: { format: 'md', locale: 'en' }, as: 'handler' });
      expect(r.statusCode, r.body).toBe(201);
      const md = r.json();
      expect(md.version).toBe(2);
      const mdFile = await h.req({ method: 'GET', url: `/api/reports/${md.id}/download`, as: 'viewer' });
      expect(createHash('sha256').update(mdFile.rawPayload).digest('hex')).toBe(md.sha256);
      expect(mdFile.body).toContain('# Emergency Response Report');
      expect(mdFile.body).toContain('| **Unit name** | 某集团公司 |');

      const versions = (await h.req({ method: 'GET', url: `/api/incidents/${id}/reports`, as: 'viewer' })).json();
      expect(versions.map((v: { version: number; sha256: string }) => [v.version, v.sha256])).toEqual([
        [2, md.sha256],
        [1, docx.sha256],
      ]);
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${id}`, as: 'viewer' })).json();
      expect(detail.timeline.filter((t: { kind: string }) => t.kind === 'report')).toHaveLength(2);
      // what was sent, field by field
      const sent = (await h.req({ method: 'GET', url: `/api/reports/${docx.id}`, as: 'viewer' })).json();
      expect(sent.fields.commandOpinion).toBe(opinion);
    });

    it('drafts and exports the incident report form and the support request, versioned per form', async () => {
      const draft = (await h.req({ method: 'GET', url: `/api/incidents/${id}/reports/incident_report`, as: 'viewer' })).json();
      expect(draft.fields).toMatchObject({ incidentType: '木马事件', incidentLevel: '1 级', detectedAt: '2019年12月02日 04:57（Asia/Shanghai，UTC+08:00）', recipients: '指挥组、处置组' });
      expect(draft.fields.affectedAssets).toContain('受影响主机 7 台');
      expect(draft.fields.symptoms).toContain('t.awcna.com');
      let r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/incident_report`, payload: { format: 'docx', fields: { supportNeeded: '需要总部安全团队现场支援' } }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ form: 'incident_report', version: 1, filename: `${id}-事件上报表-v1.docx` });
      let text = docxText((await h.req({ method: 'GET', url: `/api/reports/${r.json().id}/download`, as: 'viewer' })).rawPayload);
      for (const label of ['事件上报表', '事件类型', '事件级别', '影响范围', '事件现象', '处置建议', '需要的支持', '需要总部安全团队现场支援']) expect(text).toContain(label);

      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/support_request`, payload: { format: 'docx', fields: { supportMode: '现场' } }, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ form: 'support_request', version: 1 });
      text = docxText((await h.req({ method: 'GET', url: `/api/reports/${r.json().id}/download`, as: 'viewer' })).rawPayload);
      for (const label of ['技术支援申请单', '攻击结果', '支援方式', '已收集日志', '所需访问权限', '联系人', '现场']) expect(text).toContain(label);
      expect(text).toContain('不写入本表');

      r = await h.req({ method: 'POST', url: `/api/incidents/${id}/reports/incident_report`, payload: { format: 'md', fields: { monitoringInfo: 'x' } }, as: 'monitor' });
      expect(r.statusCode).toBe(400);
      expect(r.json().details[0]).toMatchObject({ field: 'fields/monitoringInfo' });
      expect((await h.req({ method: 'GET', url: `/api/incidents/${id}/reports/memo`, as: 'viewer' })).statusCode).toBe(400);
    });
  });
}
