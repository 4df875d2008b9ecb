/**
 * The server's refusals as the console words them (issue 14: English server messages reached the
 * zh console — log-in failure, rate limit, body validation "body internetFacing: is required", a
 * raw JSON.parse error, "password最少10个字符"). Real answers of the real server, read by the
 * console's own errorText in both languages.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

// the console's own modules (web/src is type-checked by its own tsconfig, for the browser)
type ApiErrorLike = Error & { status: number };
const web = path.resolve(import.meta.dirname, '../web/src');
const { ApiError } = (await import(path.join(web, 'api.ts'))) as { ApiError: new (status: number, body: unknown) => ApiErrorLike };
const { errorText, rowProblemText } = (await import(path.join(web, 'errors.ts'))) as {
  errorText: (e: unknown, lang: 'zh' | 'en') => string;
  rowProblemText: (p: { reason: string; rule?: string; params?: Record<string, string | number> }, lang: 'zh' | 'en') => string;
};

describe('server errors worded by the console', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  /** the answer of a request as the console's api() would throw it */
  const refused = async (opts: Parameters<Harness['req']>[0]) => {
    const r = await h.req(opts);
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    return new ApiError(r.statusCode, r.json());
  };
  const CJK = /[\u4e00-\u9fff]/;

  it('a failed log-in, in either language, never in the other', async () => {
    const e = await refused({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'not-the-password-at-all' } });
    expect(errorText(e, 'zh')).toBe('用户名或密码错误，或账户已停用、已锁定');
    expect(errorText(e, 'en')).toBe('Wrong user name or password, or the account is disabled or locked');
  });

  it('body validation names the field as the form does, with the broken rule and its limit', async () => {
    let e = await refused({ method: 'PUT', url: '/api/network', payload: { internal: [], orgUnits: {} }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe('是否面向互联网为必填项');
    expect(errorText(e, 'en')).toContain('Internet-facing is required');
    expect(errorText(e, 'en')).not.toMatch(CJK);
    e = await refused({ method: 'POST', url: '/api/incidents', payload: { title: 'x'.repeat(201), type: 'trojan' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe('标题最多 200 个字符');
    expect(errorText(e, 'en')).toBe('Title: at most 200 characters');
    e = await refused({ method: 'POST', url: '/api/incidents', payload: { title: 'x', type: 'trojan', colour: 'red' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe('colour不是可识别的字段');
  });

  it('a body that is not JSON, and a password the policy refuses', async () => {
    let e = await refused({ method: 'POST', url: '/api/incidents', payload: '{"title": ', headers: { 'content-type': 'application/json' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe('请求内容不是有效的 JSON');
    e = await refused({ method: 'POST', url: '/api/users', payload: { username: 'newbie', role: 'viewer', password: 'short-pw' }, as: 'admin' });
    // the schema's or the policy's length rule: worded either way, never "password最少…" half in English
    expect(errorText(e, 'zh')).toMatch(/^密码至少 \d+ 个字符$/);
    expect(errorText(e, 'en')).toMatch(/^(The password needs at least|Password: at least) \d+ characters$/);
    e = await refused({ method: 'POST', url: '/api/users', payload: { username: 'newbie', role: 'viewer', password: 'password1234' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe('该密码是攻击者最先尝试的常见密码之一，请换一个');
  });

  it('an unknown incident, a forbidden edit, the log-in rate limit', async () => {
    let e = await refused({ method: 'GET', url: '/api/incidents/INC-20261130-9999', as: 'admin' });
    expect(errorText(e, 'zh')).toBe('要操作的对象不存在（可能已被删除）');
    e = await refused({ method: 'POST', url: '/api/incidents', payload: { title: 'x', type: 'trojan' }, as: 'viewer' });
    expect(errorText(e, 'en')).toBe('Your role may not do this');
    let last: ApiErrorLike | undefined;
    for (let i = 0; i < 40 && last?.status !== 429; i++) last = await refused({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'wrong-password-000' } });
    expect(last?.status).toBe(429);
    expect(errorText(last, 'zh')).toMatch(/^尝试次数过多，请 \d+ 秒后再试$/);
  });

  it('conflicts in the chosen language with their facts: a closed incident, a regrade to what it is, a wrong move, a taken name, a saved filter named twice', async () => {
    const inc = (await h.req({ method: 'POST', url: '/api/incidents', payload: { title: '冲突', type: 'scanning' }, as: 'admin' })).json();
    let e = await refused({ method: 'POST', url: `/api/incidents/${inc.id}/grade`, payload: { level: inc.level, type: 'scanning', reason: 'same' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe(`事件已是该类型和级别（${inc.level} 级），无需重新定级`);
    expect(errorText(e, 'en')).toBe(`The incident has this type and level (level ${inc.level}) already`);
    e = await refused({ method: 'POST', url: `/api/incidents/${inc.id}/phase`, payload: { to: 'summary' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe('不能从「发现」阶段移到「总结」阶段');
    expect(errorText(e, 'en')).toBe('Cannot move from the Discovery phase to the Summary phase');
    await h.req({ method: 'POST', url: `/api/incidents/${inc.id}/phase`, payload: { to: 'closed', override: true, reason: 'test' }, as: 'admin' });
    e = await refused({ method: 'PATCH', url: `/api/incidents/${inc.id}`, payload: { title: '改' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe(`事件 ${inc.id} 已关闭：请先重新打开（回退到处理中的阶段）再修改`);
    expect(errorText(e, 'en')).not.toMatch(CJK);
    e = await refused({ method: 'POST', url: '/api/users', payload: { username: 'admin', role: 'viewer', password: 'a-good-long-password' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe('用户名 admin 已存在');
    e = await refused({ method: 'PUT', url: '/api/me/filters', payload: [{ name: '我的', filter: {} }, { name: '我的', filter: {} }], as: 'admin' });
    expect(errorText(e, 'zh')).toBe('名称「我的」重复');
    expect(errorText(e, 'en')).toBe('The name “我的” is used twice');
  });

  it('every row an asset import did not take, in the chosen language', async () => {
    const r = await h.req({ method: 'POST', url: '/api/assets/import', payload: 'ip,hostname,criticality,org_unit\n10.0.0.1,a,9,\n10.0.0.999,b,1,\n10.0.0.2,c,1,NOPE\n10.0.0.3,d,1,\n10.0.0.3,e,1,\n', headers: { 'content-type': 'text/csv' }, as: 'admin' });
    expect(r.statusCode, r.body).toBe(200);
    const problems = r.json().problems as Array<{ reason: string; rule: string; params: Record<string, string | number> }>;
    expect(problems.map((p) => p.rule).sort()).toEqual(['criticality', 'duplicateIp', 'notIp', 'unknownOrgUnit']);
    const zh = problems.map((p) => rowProblemText(p, 'zh'));
    expect(zh).toEqual(expect.arrayContaining(['“9”不是有效的重要程度（1–4，或 核心/高/中/低）', '“10.0.0.999”不是 IP 地址', '10.0.0.3 与第 5 行重复，以本行为准']));
    expect(zh.find((x) => x.startsWith('10.0.0.2'))).toMatch(/^10\.0\.0\.2：机构“NOPE”不存在/);
    for (const p of problems) expect(rowProblemText(p, 'en')).not.toMatch(CJK);
  });

  it('a finding moved the wrong way and a file that is no scan, in the chosen language', async () => {
    const nessus = (await import('node:fs')).readFileSync(path.join(import.meta.dirname, 'fixtures/scans/nessus-q4.nessus'));
    expect((await h.req({ method: 'POST', url: '/api/scans', payload: nessus, headers: { 'content-type': 'application/octet-stream' }, as: 'admin' })).statusCode).toBe(201);
    const id = (await h.req({ method: 'GET', url: '/api/findings?limit=1', as: 'admin' })).json().items[0].id as number;
    let e = await refused({ method: 'PATCH', url: `/api/findings/${id}`, payload: { status: 'verified', note: 'x' }, as: 'admin' });
    expect(errorText(e, 'zh')).toBe('不能从「待整改」改为「已验证」');
    expect(errorText(e, 'en')).toBe('A finding cannot move from Open to Verified');
    e = await refused({ method: 'POST', url: '/api/scans', payload: 'hello', headers: { 'content-type': 'text/plain' }, as: 'admin' });
    expect(errorText(e, 'zh')).toMatch(/^无法识别的文件/);
  });
});
