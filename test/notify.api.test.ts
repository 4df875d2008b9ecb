/**
 * Notifications for real: a local SMTP server (smtp-server, with authentication) and a local
 * HTTP receiver that checks each webhook kind's body and signature the way DingTalk, WeCom,
 * Feishu, Slack and a generic HMAC receiver do. Retries with back-off and a delivery log;
 * quiet hours except for level 1; bursts gathered into one digest; SLA escalations told once,
 * across a restart.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openServices } from '../src/app.js';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

type Json = Record<string, any>;

interface Received {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const SECRET = 'SEC-test-secret-0123456789';

/** Answers as each service does, after checking the signature the way it does. */
function receiver() {
  const got: Received[] = [];
  const failures = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      got.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body });
      const left = failures.get(url.pathname) ?? 0;
      if (left > 0) {
        failures.set(url.pathname, left - 1);
        res.writeHead(500).end('busy');
        return;
      }
      const json = JSON.parse(body) as Json;
      const reply = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      switch (url.pathname) {
        case '/dingtalk': {
          const ts = url.searchParams.get('timestamp')!;
          const sign = createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');
          if (url.searchParams.get('sign') !== sign) return reply(200, { errcode: 310000, errmsg: 'sign not match' });
          return reply(200, json.msgtype === 'markdown' && json.markdown?.text ? { errcode: 0, errmsg: 'ok' } : { errcode: 40035, errmsg: 'bad body' });
        }
        case '/wecom':
          return reply(200, url.searchParams.get('key') === 'wecom-key' && json.markdown?.content ? { errcode: 0, errmsg: 'ok' } : { errcode: 93000, errmsg: 'invalid webhook url' });
        case '/feishu': {
          const sign = createHmac('sha256', `${json.timestamp}\n${SECRET}`).update('').digest('base64');
          if (json.sign !== sign) return reply(200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' });
          return reply(200, json.msg_type === 'text' && json.content?.text ? { code: 0, msg: 'success', data: {} } : { code: 9499, msg: 'bad' });
        }
        case '/slack':
          return json.text && json.blocks ? res.writeHead(200, { 'content-type': 'text/plain' }).end('ok') : res.writeHead(400).end('invalid_payload');
        case '/hook': {
          const ts = req.headers['x-bihuan-timestamp'] as string;
          const want = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`;
          return req.headers['x-bihuan-signature'] === want ? reply(204, '') : reply(401, { error: 'bad signature' });
        }
        default:
          return reply(404, { error: 'no such hook' });
      }
    });
  });
  return { server, got, failures };
}

function smtp() {
  const mails: Array<{ from: string; to: string[]; subject: string; text: string; incident?: string }> = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: false,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'bihuan' && auth.password === 'smtp-password') cb(null, { user: 'bihuan' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          const to = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address!));
          mails.push({ from: m.from!.value[0]!.address!, to, subject: m.subject ?? '', text: m.text ?? '', incident: m.headers.get('x-bihuan-incident') as string | undefined });
          cb();
        })
        .catch(cb);
    },
  });
  return { server, mails };
}

const listenHttp = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const listenSmtp = (server: SMTPServer) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));

for (const dialect of DIALECTS) {
  describe(`notifications on ${dialect}`, () => {
    let h: Harness;
    const hooks = receiver();
    const mail = smtp();
    let hookBase: string;
    let smtpPort: number;
    const channelIds: Record<string, number> = {};

    beforeAll(async () => {
      // the receivers here run on loopback, which notifications may not reach unless allowed on purpose
      h = await startHarness(dialect, { BIHUAN_NOTIFY_ALLOWED_TARGETS: '127.0.0.1/32' });
      hookBase = `http://127.0.0.1:${await listenHttp(hooks.server)}`;
      smtpPort = await listenSmtp(mail.server);
    });
    afterAll(async () => {
      await h?.close();
      hooks.server.close();
      await new Promise<void>((r) => mail.server.close(() => r()));
    });
    beforeEach(() => {
      hooks.got.length = 0;
      mail.mails.length = 0;
    });

    const run = () => h.services.notify.run();
    const create = async (body: Json) => {
      const r = await h.req({ method: 'POST', url: '/api/incidents', payload: body, as: 'monitor' });
      expect(r.statusCode, r.body).toBe(201);
      return r.json();
    };
    const addChannel = async (body: Json) => {
      const r = await h.req({ method: 'POST', url: '/api/channels', payload: body, as: 'admin' });
      expect(r.statusCode, r.body).toBe(201);
      return r.json();
    };
    const addRule = async (body: Json) => {
      const r = await h.req({ method: 'POST', url: '/api/notification-rules', payload: body, as: 'admin' });
      expect(r.statusCode, r.body).toBe(201);
      return r.json();
    };
    const setRules = async (enabled: (r: Json) => boolean) => {
      for (const r of (await h.req({ method: 'GET', url: '/api/notification-rules', as: 'admin' })).json() as Json[]) {
        const { id, createdAt: _c, ...rest } = r;
        const put = await h.req({ method: 'PUT', url: `/api/notification-rules/${id}`, payload: { ...rest, enabled: enabled(r) }, as: 'admin' });
        expect(put.statusCode, `${put.body} ${JSON.stringify(rest)}`).toBe(200);
      }
    };

    it('configures channels of every kind; secrets are never shown; only admins may', async () => {
      const denied = await h.req({ method: 'POST', url: '/api/channels', payload: { name: 'x', kind: 'slack', config: { url: `${hookBase}/slack` } }, as: 'commander' });
      expect(denied.statusCode).toBe(403);
      const bad = await h.req({ method: 'POST', url: '/api/channels', payload: { name: 'x', kind: 'slack', config: { url: 'ftp://x' } }, as: 'admin' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details[0].field).toBe('config/url');
      channelIds.dingtalk = (await addChannel({ name: '钉钉值班群', kind: 'dingtalk', config: { url: `${hookBase}/dingtalk?access_token=abc` }, secret: SECRET })).id;
      channelIds.wecom = (await addChannel({ name: '企业微信', kind: 'wecom', config: { url: `${hookBase}/wecom?key=wecom-key` } })).id;
      channelIds.feishu = (await addChannel({ name: '飞书', kind: 'feishu', config: { url: `${hookBase}/feishu` }, secret: SECRET })).id;
      channelIds.slack = (await addChannel({ name: 'Slack #soc', kind: 'slack', config: { url: `${hookBase}/slack` } })).id;
      channelIds.webhook = (await addChannel({ name: 'SOAR', kind: 'webhook', config: { url: `${hookBase}/hook` }, secret: SECRET })).id;
      channelIds.email = (await addChannel({ name: '邮件', kind: 'email', config: { host: '127.0.0.1', port: smtpPort, user: 'bihuan', from: 'bihuan@soc.example', to: ['soc@soc.example'] }, secret: 'smtp-password' })).id;
      const list = await h.req({ method: 'GET', url: '/api/channels', as: 'viewer' });
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(SECRET);
      expect(list.body).not.toContain('smtp-password');
      // the webhook URL carries the receiver's key: everyone sees only its scheme and host
      expect(list.json().find((c: Json) => c.kind === 'dingtalk')).toMatchObject({ hasSecret: true, config: { url: `${hookBase}/…` } });
      expect(list.body).not.toContain('access_token');
      expect(list.body).not.toContain('wecom-key');
      const audit = await h.req({ method: 'GET', url: '/api/audit?limit=50', as: 'admin' });
      expect(audit.body).not.toContain(SECRET);
      expect(audit.body).not.toContain('wecom-key');
      // switched off and on again as the console does, with the masked URL: the stored one is kept
      const shown = list.json().find((c: Json) => c.kind === 'wecom');
      const off = await h.req({ method: 'PUT', url: `/api/channels/${shown.id}`, payload: { name: shown.name, kind: shown.kind, config: shown.config, enabled: true }, as: 'admin' });
      expect(off.statusCode, off.body).toBe(200);
      const stored = await h.services.database.db.selectFrom('channels').select('config').where('id', '=', shown.id).executeTakeFirstOrThrow();
      expect(JSON.parse(stored.config).url).toBe(`${hookBase}/wecom?key=wecom-key`);
    });

    it('tells a new level-1 incident to every channel, with the body and signature each receiver checks', async () => {
      for (const [kind, id] of Object.entries(channelIds)) await addRule({ name: `重大事件 → ${kind}`, events: ['incident_created', 'level_raised'], maxLevel: 2, channelId: id, batchSeconds: 0, roles: kind === 'email' ? ['commander'] : undefined });
      const inc = await create({ title: '驱动人生木马：10.164.1.8 访问 t.awcna.com', type: 'trojan', detectedAt: '2026-11-25T01:57:00Z' });
      await create({ title: '外网扫描', type: 'scanning' }); // level 4: nobody is told
      await run();
      const paths = hooks.got.map((g) => g.path).sort();
      expect(paths).toEqual(['/dingtalk', '/feishu', '/hook', '/slack', '/wecom']);
      for (const g of hooks.got) expect(g.body).toContain(inc.id);
      const ding = JSON.parse(hooks.got.find((g) => g.path === '/dingtalk')!.body);
      expect(ding).toMatchObject({ msgtype: 'markdown', at: { isAtAll: true } });
      expect(ding.markdown.text).toContain('【1 级】新事件');
      expect(mail.mails).toHaveLength(1);
      expect(mail.mails[0]).toMatchObject({ from: 'bihuan@soc.example', to: ['soc@soc.example'], incident: inc.id });
      expect(mail.mails[0]!.subject).toContain(`【1 级】新事件：${inc.id}`);
      expect(mail.mails[0]!.text).toContain('木马事件');

      const log = (await h.req({ method: 'GET', url: `/api/notifications?incident=${inc.id}`, as: 'viewer' })).json() as Json[];
      expect(log).toHaveLength(6);
      expect(log.every((n) => n.status === 'sent' && n.attempts === 1)).toBe(true);
      const one = (await h.req({ method: 'GET', url: `/api/notifications/${log[0]!.id}`, as: 'viewer' })).json();
      expect(one.deliveries).toEqual([expect.objectContaining({ ok: true })]);
      // told once: another pass sends nothing more
      hooks.got.length = 0;
      await run();
      expect(hooks.got).toHaveLength(0);
    });

    it('a level raised is told; a wrong signature is a refusal the log shows', async () => {
      const inc = await create({ title: '外网攻击 203.0.113.7', type: 'scanning' });
      await run();
      expect(hooks.got).toHaveLength(0);
      const r = await h.req({ method: 'POST', url: `/api/incidents/${inc.id}/grade`, payload: { type: 'exploitation', reason: '同一来源利用 MS17-010' }, as: 'monitor' });
      expect(r.statusCode).toBe(200);
      // DingTalk's secret changed on their side: our signature no longer matches
      await h.req({ method: 'PUT', url: `/api/channels/${channelIds.dingtalk}`, payload: { name: '钉钉值班群', kind: 'dingtalk', config: { url: `${hookBase}/dingtalk?access_token=abc` }, secret: 'an-old-secret' }, as: 'admin' });
      await run();
      expect(hooks.got.map((g) => g.path).sort()).toEqual(['/dingtalk', '/feishu', '/hook', '/slack', '/wecom']);
      expect(JSON.parse(hooks.got.find((g) => g.path === '/slack')!.body).text).toContain('【2 级】事件升级');
      const log = (await h.req({ method: 'GET', url: `/api/notifications?incident=${inc.id}`, as: 'viewer' })).json() as Json[];
      const ding = log.find((n) => n.channelId === channelIds.dingtalk)!;
      expect(ding).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('sign not match') });
      await h.req({ method: 'PUT', url: `/api/channels/${channelIds.dingtalk}`, payload: { name: '钉钉值班群', kind: 'dingtalk', config: { url: `${hookBase}/dingtalk?access_token=abc` }, secret: SECRET }, as: 'admin' });
      h.clock.advance(1);
      await run();
      const again = (await h.req({ method: 'GET', url: `/api/notifications/${ding.id}`, as: 'viewer' })).json();
      expect(again).toMatchObject({ status: 'sent', attempts: 2 });
      expect(again.deliveries.map((d: Json) => d.ok)).toEqual([false, true]);
    });

    it('retries with back-off, logging each attempt, and gives up after the last', async () => {
      await setRules((r) => r.channelId === channelIds.webhook);
      hooks.failures.set('/hook', 2);
      const inc = await create({ title: '重大木马', type: 'trojan' });
      await run();
      let [n] = (await h.req({ method: 'GET', url: `/api/notifications?incident=${inc.id}`, as: 'viewer' })).json() as Json[];
      expect(n).toMatchObject({ status: 'pending', attempts: 1 });
      expect(Date.parse(n!.dueAt) - h.clock.now().getTime()).toBe(5_000);
      await run(); // not yet due: nothing is sent
      expect(hooks.got).toHaveLength(1);
      h.clock.t = new Date(h.clock.t.getTime() + 5_000);
      await run();
      [n] = (await h.req({ method: 'GET', url: `/api/notifications?incident=${inc.id}`, as: 'viewer' })).json() as Json[];
      expect(n).toMatchObject({ status: 'pending', attempts: 2 });
      expect(Date.parse(n!.dueAt) - h.clock.now().getTime()).toBe(10_000);
      h.clock.t = new Date(h.clock.t.getTime() + 10_000);
      await run();
      const done = (await h.req({ method: 'GET', url: `/api/notifications/${n!.id}`, as: 'viewer' })).json();
      expect(done).toMatchObject({ status: 'sent', attempts: 3 });
      expect(done.deliveries.map((d: Json) => [d.ok, d.statusCode])).toEqual([
        [false, 500],
        [false, 500],
        [true, 204],
      ]);

      // a receiver that is not there: every attempt fails, then the message is dead
      const gone = await addChannel({ name: '失效的 webhook', kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
      await setRules(() => false);
      await addRule({ name: 'to nowhere', events: ['incident_created'], maxLevel: 4, channelId: gone.id, batchSeconds: 0 });
      const lost = await create({ title: '扫描', type: 'scanning' });
      for (let i = 0; i < 8; i++) {
        await run();
        h.clock.advance(61);
      }
      const [dead] = (await h.req({ method: 'GET', url: `/api/notifications?incident=${lost.id}`, as: 'viewer' })).json() as Json[];
      expect(dead).toMatchObject({ status: 'dead', attempts: 8 });
      expect(dead!.lastError).toMatch(/ECONNREFUSED|fetch failed/);
      expect((await h.req({ method: 'GET', url: '/api/notifications?status=dead', as: 'viewer' })).json()).toHaveLength(1);
    });

    it('tells phase changes and the report being sent', async () => {
      await setRules(() => false);
      await addRule({ name: '阶段与上报', events: ['phase_changed', 'report_sent'], maxLevel: 4, channelId: channelIds.slack, batchSeconds: 0 });
      const inc = await create({ title: '钓鱼邮件', type: 'phishing', assets: [{ ip: '10.1.5.20' }] });
      const detail = (await h.req({ method: 'GET', url: `/api/incidents/${inc.id}`, as: 'viewer' })).json();
      for (const t of detail.tasks.filter((t: Json) => t.phase === 'discovery' && t.status === 'open')) {
        await h.req({ method: 'PATCH', url: `/api/incidents/${inc.id}/tasks/${t.id}`, payload: { status: 'done' }, as: 'handler' });
      }
      expect((await h.req({ method: 'POST', url: `/api/incidents/${inc.id}/phase`, payload: { to: 'report' }, as: 'handler' })).statusCode).toBe(200);
      expect((await h.req({ method: 'POST', url: `/api/incidents/${inc.id}/report`, payload: { recipients: '指挥组、处置组', channel: 'email' }, as: 'handler' })).statusCode).toBe(200);
      await run();
      const texts = hooks.got.map((g) => JSON.parse(g.body).text as string);
      expect(texts).toEqual([expect.stringContaining(`【3 级】阶段变更：${inc.id}`), expect.stringContaining(`【3 级】报告已报送：${inc.id}`)]);
    });

    it('holds messages through quiet hours, except for level 1', async () => {
      await setRules(() => false);
      await addRule({ name: '夜间静默', events: ['incident_created'], maxLevel: 4, channelId: channelIds.slack, quietHours: { from: '22:00', to: '07:00' }, batchSeconds: 0 });
      h.clock.t = new Date('2026-11-26T15:30:00Z'); // 23:30 in Shanghai
      const minor = await create({ title: '夜间扫描', type: 'scanning' });
      const major = await create({ title: '夜间木马', type: 'trojan' });
      await run();
      expect(hooks.got.map((g) => JSON.parse(g.body).text)).toEqual([expect.stringContaining(major.id)]);
      const [held] = (await h.req({ method: 'GET', url: `/api/notifications?incident=${minor.id}`, as: 'viewer' })).json() as Json[];
      expect(held).toMatchObject({ status: 'pending', attempts: 0, dueAt: '2026-11-26T23:00:00.000Z' }); // 07:00 local
      h.clock.t = new Date('2026-11-26T23:00:00Z');
      await run();
      expect(hooks.got).toHaveLength(2);
    });

    it('gathers a burst into one digest instead of a message storm', async () => {
      await setRules(() => false);
      await addRule({ name: '爆发汇总', events: ['incident_created'], maxLevel: 4, channelId: channelIds.wecom, batchSeconds: 60 });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await create({ title: `分公司主机 10.164.2.${i} 失陷`, type: 'trojan' })).id);
      await run();
      expect(hooks.got).toHaveLength(1);
      expect(hooks.got[0]!.body).toContain(ids[0]);
      h.clock.t = new Date(h.clock.t.getTime() + 60_000);
      await run();
      expect(hooks.got).toHaveLength(2);
      const digest = JSON.parse(hooks.got[1]!.body).markdown.content as string;
      expect(digest).toContain('汇总：5 条通知，涉及 5 个事件');
      for (const id of ids.slice(1)) expect(digest).toContain(id);
    });

    it('SLA: due soon and overdue are told once each, and a restart in the middle of the countdown changes nothing', async () => {
      await setRules(() => false);
      await addRule({ name: '超时升级', events: ['sla_due_soon', 'sla_overdue'], maxLevel: 4, channelId: channelIds.email, roles: ['commander'], batchSeconds: 0 });
      const commander = await h.req({ method: 'POST', url: '/api/users', payload: { username: 'zhihui', role: 'commander', password: 'a-good-password', email: 'commander@soc.example' }, as: 'admin' });
      expect(commander.statusCode, commander.body).toBe(201);
      const start = h.clock.now();
      // level 1 (hour tier): discovery must be done 30 min after detection
      const inc = await create({ title: '木马：10.164.1.8', type: 'trojan', detectedAt: start.toISOString() });
      await run();
      expect(mail.mails.filter((m) => m.incident === inc.id)).toHaveLength(0);
      h.clock.advance(15);
      await run();
      expect(mail.mails.filter((m) => m.incident === inc.id)).toHaveLength(0);

      // restart: a new process on the same database, the old one gone
      await h.services.notify.stop();
      const restarted = await openServices(h.services.config, { now: h.clock.now });
      try {
        h.clock.advance(6); // 21 min: 9 min left, within the hour tier's 10
        await restarted.notify.run();
        const mine = () => mail.mails.filter((m) => m.incident === inc.id);
        expect(mine().map((m) => m.subject)).toEqual([expect.stringContaining('【1 级】即将超时')]);
        expect(mine()[0]!.to.sort()).toEqual(['commander@soc.example', 'soc@soc.example']);
        h.clock.advance(10); // 31 min: overdue
        await restarted.notify.run();
        await restarted.notify.run();
        await h.services.notify.run(); // the old process, had it lived, would not tell it again
        expect(mine().map((m) => m.subject)).toEqual([expect.stringContaining('即将超时'), expect.stringContaining(`【1 级】已超时：${inc.id}`)]);
        expect(mine()[1]!.text).toContain('升级至指挥组');
      } finally {
        await restarted.close();
      }
    });
  });
}

describe('where notifications may go (server-side request forgery)', () => {
  let h: Harness;
  const internal = http.createServer((req, res) => {
    internalHits++;
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ database_password: 'internal-secret-value', errcode: 1, errmsg: 'internal <b>service</b>' }));
  });
  let internalHits = 0;
  let port: number;
  beforeAll(async () => {
    h = await startHarness('sqlite');
    port = await listenHttp(internal);
  });
  afterAll(async () => {
    await h?.close();
    internal.close();
  });

  it('refuses loopback, link-local and metadata targets in every spelling, at saving and again at sending (after DNS), and never shows what a receiver answered', async () => {
    const add = (url: string, kind = 'webhook') => h.req({ method: 'POST', url: '/api/channels', payload: { name: `c ${url}`.slice(0, 100), kind, config: { url } }, as: 'admin' });
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      `http://127.0.0.1:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::1]:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f.1:${port}/`,
      'http://0.0.0.0/',
    ]) {
      const r = await add(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().message, url).toContain('not a permitted target');
    }
    const smtp = await h.req({ method: 'POST', url: '/api/channels', payload: { name: 'relay', kind: 'email', config: { host: '127.0.0.1', port: 25, from: 'a@b.example', to: ['c@d.example'] } }, as: 'admin' });
    expect(smtp.statusCode).toBe(400);

    // a name is resolved when sending: localhost is loopback, so nothing is sent
    const named = await add(`http://localhost:${port}/hook`);
    expect(named.statusCode, named.body).toBe(201);
    const tested = (await h.req({ method: 'POST', url: `/api/channels/${named.json().id}/test`, as: 'admin' })).json();
    expect(tested.deliveries[0]).toMatchObject({ ok: false, error: expect.stringContaining('target refused: localhost resolves to') });
    expect(internalHits).toBe(0);
  });

  it("shows a receiver's refusal as a status and its API's error code, never its reply", async () => {
    const allowed = await startHarness('sqlite', { BIHUAN_NOTIFY_ALLOWED_TARGETS: '127.0.0.1' });
    try {
      const c = await allowed.req({ method: 'POST', url: '/api/channels', payload: { name: 'internal', kind: 'dingtalk', config: { url: `http://127.0.0.1:${port}/robot/send?access_token=t` } }, as: 'admin' });
      expect(c.statusCode, c.body).toBe(201);
      await allowed.req({ method: 'POST', url: `/api/channels/${c.json().id}/test`, as: 'admin' });
      const log = (await allowed.req({ method: 'GET', url: '/api/notifications', as: 'viewer' })).json() as Array<{ id: number }>;
      const one = await allowed.req({ method: 'GET', url: `/api/notifications/${log[0]!.id}`, as: 'viewer' });
      expect(one.body).not.toContain('internal-secret-value');
      expect(one.body).not.toContain('<b>');
      expect(one.json().deliveries[0]).toMatchObject({ ok: false, statusCode: 500, error: 'the receiver refused the message (HTTP 500): error 1 internal  b service /b' });
    } finally {
      await allowed.close();
    }
  });
});
