/**
 * Delivery to each kind of channel, as the receiving service expects it: e-mail over SMTP
 * (nodemailer), DingTalk (signed with its timestamp+secret HMAC), WeCom, Feishu/Lark (signed),
 * Slack incoming webhooks, and a generic webhook signed with HMAC-SHA256 over timestamp and
 * body. Each answers whether the receiver took the message, with its status and response.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { TargetPolicy, TargetRefused } from './target-guard.js';

export const CHANNEL_KINDS = ['email', 'dingtalk', 'wecom', 'feishu', 'slack', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface EmailConfig {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when offered */
  secure?: boolean;
  /** accept a self-signed certificate (an internal relay) */
  allowSelfSigned?: boolean;
  user?: string;
  from: string;
  to: string[];
}

export interface WebhookConfig {
  url: string;
}

export interface Channel {
  id: number;
  name: string;
  kind: ChannelKind;
  config: EmailConfig | WebhookConfig;
  secret: string | null;
}

export interface OutgoingMessage {
  subject: string;
  body: string;
  level: number | null;
  incidentId: string | null;
  events: unknown[];
  /** extra e-mail recipients (users of the rule's roles) */
  recipients: string[];
}

export interface DeliveryResult {
  ok: boolean;
  statusCode?: number;
  /** why it failed, short and in Bihuan's words: the status, the receiver's error code and message when its API has them — never the receiver's reply itself (a webhook pointed at an internal service must not read it back) */
  error?: string;
}

const TIMEOUT_MS = 10_000;
/** read of a receiver's reply, to judge it (never stored) */
const REPLY_READ = 16 * 1024;

/** Printable, short: what of a receiver's text may reach the delivery log. */
function sanitize(text: unknown, max = 100): string {
  return String(text ?? '')
    .replace(/[\u0000-\u001f\u007f<>]/g, ' ')
    .trim()
    .slice(0, max);
}

/** DingTalk: sign = Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), timestamp in ms, both in the URL. */
export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', sign);
  return u.toString();
}

/** Feishu/Lark: sign = Base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")), timestamp in seconds, in the body. */
export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');
}

/** Generic webhook: X-Bihuan-Signature = "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)). */
export function webhookSignature(secret: string, timestampSec: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`;
}

/** The receiver's own error code and message (DingTalk/WeCom errcode+errmsg, Feishu code+msg), sanitized. */
function apiError(text: string): string {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const code = j.errcode ?? j.code ?? j.StatusCode;
    const msg = j.errmsg ?? j.msg ?? j.StatusMessage;
    return code === undefined && msg === undefined ? '' : `: error ${sanitize(code, 20)}${msg !== undefined ? ` ${sanitize(msg)}` : ''}`;
  } catch {
    return '';
  }
}

function post(url: string, body: string, headers: Record<string, string>, judge: (status: number, text: string) => boolean, policy: TargetPolicy): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
      policy.checkHost(u.hostname);
    } catch (e) {
      resolve({ ok: false, error: e instanceof TargetRefused ? `target refused: ${e.message}` : 'not a URL' });
      return;
    }
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(
      u,
      { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers }, timeout: TIMEOUT_MS, lookup: policy.lookup() as never },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < REPLY_READ) text += chunk;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = judge(status, text);
          resolve({ ok, statusCode: status, error: ok ? undefined : `the receiver refused the message (HTTP ${status})${apiError(text)}` });
        });
        res.on('error', () => resolve({ ok: false, statusCode: res.statusCode, error: 'the reply broke off' }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EREFUSED_TARGET') resolve({ ok: false, error: `target refused: ${e.message}` });
      else if (e.code === 'ETIMEDOUT') resolve({ ok: false, error: `no answer within ${TIMEOUT_MS / 1000} s` });
      else resolve({ ok: false, error: `could not reach ${u.host}: ${sanitize(e.code ?? e.message, 60)}` });
    });
    req.end(body);
  });
}

const jsonField = (text: string, field: string): unknown => {
  try {
    return (JSON.parse(text) as Record<string, unknown>)[field];
  } catch {
    return undefined;
  }
};

export async function deliver(channel: Channel, m: OutgoingMessage, now: Date, policy: TargetPolicy): Promise<DeliveryResult> {
  const ts = now.getTime();
  switch (channel.kind) {
    case 'email': {
      const c = channel.config as EmailConfig;
      const to = [...new Set([...c.to, ...m.recipients])];
      if (!to.length) return { ok: false, error: 'no recipients: the channel lists none and no user of the rule’s roles has an e-mail address' };
      // connect to the address checked, naming the server for TLS
      let address: string;
      try {
        address = (await policy.resolve(c.host)).address;
      } catch (e) {
        return { ok: false, error: e instanceof TargetRefused ? `target refused: ${e.message}` : `could not resolve ${c.host}: ${sanitize((e as NodeJS.ErrnoException).code ?? (e as Error).message, 60)}` };
      }
      // loaded when mail is first sent: most threads never send any (issue 12, memory)
      const nodemailer = (await import('nodemailer')).default;
      const transport = nodemailer.createTransport({
        host: address,
        port: c.port,
        secure: c.secure ?? false,
        auth: c.user ? { user: c.user, pass: channel.secret ?? '' } : undefined,
        tls: { servername: c.host, ...(c.allowSelfSigned ? { rejectUnauthorized: false } : {}) },
        connectionTimeout: TIMEOUT_MS,
        greetingTimeout: TIMEOUT_MS,
        socketTimeout: TIMEOUT_MS,
      });
      try {
        const info = await transport.sendMail({ from: c.from, to, subject: m.subject, text: m.body, headers: m.incidentId ? { 'X-Bihuan-Incident': m.incidentId } : undefined });
        const rejected = (info.rejected ?? []).map(String);
        if (rejected.length && rejected.length === to.length) return { ok: false, error: `every recipient was refused: ${sanitize(rejected.join(', '), 300)}` };
        return { ok: true, error: rejected.length ? `refused recipients: ${sanitize(rejected.join(', '), 300)}` : undefined };
      } catch (e) {
        const err = e as Error & { responseCode?: number; code?: string };
        return { ok: false, statusCode: err.responseCode, error: err.responseCode ? `the mail server refused (SMTP ${err.responseCode})` : `could not send: ${sanitize(err.code ?? err.message, 80)}` };
      } finally {
        transport.close();
      }
    }
    case 'dingtalk': {
      const { url } = channel.config as WebhookConfig;
      const target = channel.secret ? dingtalkSignedUrl(url, channel.secret, ts) : url;
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: m.subject, text: m.body }, at: { isAtAll: m.level === 1 } });
      return post(target, body, {}, (s, t) => s === 200 && jsonField(t, 'errcode') === 0, policy);
    }
    case 'wecom': {
      const { url } = channel.config as WebhookConfig;
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { content: `**${m.subject}**\n${m.body}` } });
      return post(url, body, {}, (s, t) => s === 200 && jsonField(t, 'errcode') === 0, policy);
    }
    case 'feishu': {
      const { url } = channel.config as WebhookConfig;
      const sec = Math.floor(ts / 1000);
      const signed = channel.secret ? { timestamp: String(sec), sign: feishuSign(channel.secret, sec) } : {};
      const body = JSON.stringify({ ...signed, msg_type: 'text', content: { text: `${m.subject}\n${m.body}` } });
      return post(url, body, {}, (s, t) => s === 200 && (jsonField(t, 'code') === 0 || jsonField(t, 'StatusCode') === 0), policy);
    }
    case 'slack': {
      const { url } = channel.config as WebhookConfig;
      const body = JSON.stringify({ text: m.subject, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: m.body.slice(0, 2900) } }] });
      return post(url, body, {}, (s, t) => s === 200 && t.trim() === 'ok', policy);
    }
    case 'webhook': {
      const { url } = channel.config as WebhookConfig;
      const sec = Math.floor(ts / 1000);
      const body = JSON.stringify({ subject: m.subject, body: m.body, level: m.level, incidentId: m.incidentId, events: m.events, sentAt: now.toISOString() });
      const headers: Record<string, string> = { 'x-bihuan-timestamp': String(sec) };
      if (channel.secret) headers['x-bihuan-signature'] = webhookSignature(channel.secret, sec, body);
      return post(url, body, headers, (s) => s >= 200 && s < 300, policy);
    }
  }
}
