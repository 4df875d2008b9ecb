/**
 * Delivery to each kind of channel, as the receiving service expects it: e-mail over SMTP
 * (nodemailer), DingTalk (signed with its timestamp+secret HMAC), WeCom, Feishu/Lark (signed),
 * Slack incoming webhooks, and a generic webhook signed with HMAC-SHA256 over timestamp and
 * body. Each answers whether the receiver took the message, with its status and response.
 */
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';

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
  response?: string;
  error?: string;
}

const TIMEOUT_MS = 10_000;
const RESPONSE_KEEP = 2000;

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

async function post(url: string, body: string, headers: Record<string, string>, judge: (status: number, text: string) => boolean): Promise<DeliveryResult> {
  try {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    const text = (await r.text()).slice(0, RESPONSE_KEEP);
    const ok = judge(r.status, text);
    return { ok, statusCode: r.status, response: text, error: ok ? undefined : `the receiver refused the message (HTTP ${r.status}): ${text.slice(0, 300)}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return { ok: false, error: `${err.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : err.message}${err.cause?.message ? `: ${err.cause.message}` : ''}` };
  }
}

const jsonField = (text: string, field: string): unknown => {
  try {
    return (JSON.parse(text) as Record<string, unknown>)[field];
  } catch {
    return undefined;
  }
};

export async function deliver(channel: Channel, m: OutgoingMessage, now: Date): Promise<DeliveryResult> {
  const ts = now.getTime();
  switch (channel.kind) {
    case 'email': {
      const c = channel.config as EmailConfig;
      const to = [...new Set([...c.to, ...m.recipients])];
      if (!to.length) return { ok: false, error: 'no recipients: the channel lists none and no user of the rule’s roles has an e-mail address' };
      const transport = nodemailer.createTransport({
        host: c.host,
        port: c.port,
        secure: c.secure ?? false,
        auth: c.user ? { user: c.user, pass: channel.secret ?? '' } : undefined,
        tls: c.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
        connectionTimeout: TIMEOUT_MS,
        greetingTimeout: TIMEOUT_MS,
        socketTimeout: TIMEOUT_MS,
      });
      try {
        const info = await transport.sendMail({ from: c.from, to, subject: m.subject, text: m.body, headers: m.incidentId ? { 'X-Bihuan-Incident': m.incidentId } : undefined });
        const rejected = (info.rejected ?? []).map(String);
        if (rejected.length && rejected.length === to.length) return { ok: false, response: info.response, error: `every recipient was refused: ${rejected.join(', ')}` };
        return { ok: true, response: `${info.response}${rejected.length ? `; refused: ${rejected.join(', ')}` : ''}`.slice(0, RESPONSE_KEEP) };
      } catch (e) {
        const err = e as Error & { responseCode?: number; response?: string };
        return { ok: false, statusCode: err.responseCode, response: err.response?.slice(0, RESPONSE_KEEP), error: err.message };
      } finally {
        transport.close();
      }
    }
    case 'dingtalk': {
      const { url } = channel.config as WebhookConfig;
      const target = channel.secret ? dingtalkSignedUrl(url, channel.secret, ts) : url;
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: m.subject, text: m.body }, at: { isAtAll: m.level === 1 } });
      return post(target, body, {}, (s, t) => s === 200 && jsonField(t, 'errcode') === 0);
    }
    case 'wecom': {
      const { url } = channel.config as WebhookConfig;
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { content: `**${m.subject}**\n${m.body}` } });
      return post(url, body, {}, (s, t) => s === 200 && jsonField(t, 'errcode') === 0);
    }
    case 'feishu': {
      const { url } = channel.config as WebhookConfig;
      const sec = Math.floor(ts / 1000);
      const signed = channel.secret ? { timestamp: String(sec), sign: feishuSign(channel.secret, sec) } : {};
      const body = JSON.stringify({ ...signed, msg_type: 'text', content: { text: `${m.subject}\n${m.body}` } });
      return post(url, body, {}, (s, t) => s === 200 && (jsonField(t, 'code') === 0 || jsonField(t, 'StatusCode') === 0));
    }
    case 'slack': {
      const { url } = channel.config as WebhookConfig;
      const body = JSON.stringify({ text: m.subject, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: m.body.slice(0, 2900) } }] });
      return post(url, body, {}, (s, t) => s === 200 && t.trim() === 'ok');
    }
    case 'webhook': {
      const { url } = channel.config as WebhookConfig;
      const sec = Math.floor(ts / 1000);
      const body = JSON.stringify({ subject: m.subject, body: m.body, level: m.level, incidentId: m.incidentId, events: m.events, sentAt: now.toISOString() });
      const headers: Record<string, string> = { 'x-bihuan-timestamp': String(sec) };
      if (channel.secret) headers['x-bihuan-signature'] = webhookSignature(channel.secret, sec, body);
      return post(url, body, headers, (s) => s >= 200 && s < 300);
    }
  }
}
