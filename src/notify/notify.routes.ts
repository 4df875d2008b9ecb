/**
 * Notifications over REST: channels (secrets written, never read back), rules, a test message
 * per channel, and the delivery log (every message with every attempt).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DUTY_ROLES } from '../domain/roster/roster.js';
import { requireActor } from '../http/auth.js';
import { StringEnum, errorResponses } from '../http/schemas.js';
import { EVENT_KINDS } from '../domain/notify/notify.js';
import type { NotifyService } from './notify.service.js';
import { CHANNEL_KINDS } from './senders.js';

const tags = ['notifications'];
const Loose = Type.Object({}, { additionalProperties: true });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const ChannelBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: StringEnum(CHANNEL_KINDS),
    config: Type.Record(Type.String({ maxLength: 40 }), Type.Unknown(), { description: 'webhooks: {url}; email: {host, port, secure?, allowSelfSigned?, user?, from, to: [addresses]}' }),
    secret: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 500 })], { description: 'signing secret (DingTalk, Feishu, generic webhook) or SMTP password; never returned; omit to keep the stored one' })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
// null first in each union: the validator coerces types, and would turn null into [null] for an array branch tried first
const RuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    events: Type.Array(StringEnum(EVENT_KINDS), { minItems: 1, maxItems: EVENT_KINDS.length }),
    maxLevel: Type.Integer({ minimum: 1, maximum: 4, description: 'tell of incidents of this level or more severe (1 is the most severe)' }),
    orgUnits: Type.Optional(Type.Union([Type.Null(), Type.Array(Type.String({ maxLength: 32 }), { maxItems: 200 })])),
    roles: Type.Optional(Type.Union([Type.Null(), Type.Array(Type.String({ maxLength: 20 }), { maxItems: 10 })], { description: 'e-mail channels: also send to the users of these roles (of the incident’s org unit) with an e-mail address' })),
    onDuty: Type.Optional(Type.Union([Type.Null(), Type.Array(StringEnum(DUTY_ROLES), { maxItems: DUTY_ROLES.length })], { description: 'e-mail channels: also send to whoever is on duty in these roles (the duty roster: the unit’s, else headquarters’)' })),
    channelId: Type.Integer({ minimum: 1 }),
    quietHours: Type.Optional(Type.Union([Type.Null(), Type.Object({ from: Type.String({ maxLength: 5 }), to: Type.String({ maxLength: 5 }) }, { additionalProperties: false })], { description: 'local clock times; level-1 incidents are told even then' })),
    batchSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'after a message, further ones within this window are gathered into one digest (default 60; 0: never)' })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const notifyRoutes: FastifyPluginAsyncTypebox<{ notify: NotifyService }> = async (app, { notify }) => {
  app.get('/api/channels', { config: { access: 'settings.read' }, schema: { tags, summary: 'Notification channels (secrets are never shown: only whether one is set)', response: { 200: Type.Array(Loose) } } }, async () => notify.channels());
  app.post('/api/channels', { config: { access: 'settings.write' }, schema: { tags, summary: 'Add a channel', body: ChannelBody, response: { 201: Loose, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(await notify.saveChannel(requireActor(req), undefined, req.body)),
  );
  app.put('/api/channels/:id', { config: { access: 'settings.write' }, schema: { tags, summary: 'Change a channel', params: IdParams, body: ChannelBody, response: { 200: Loose, ...errorResponses } } }, async (req) =>
    notify.saveChannel(requireActor(req), req.params.id, req.body),
  );
  app.delete('/api/channels/:id', { config: { access: 'settings.write' }, schema: { tags, summary: 'Remove a channel (and its rules)', params: IdParams, response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses } } }, async (req) => {
    await notify.deleteChannel(requireActor(req), req.params.id);
    return { removed: req.params.id };
  });
  app.post('/api/channels/:id/test', { config: { access: 'settings.write' }, schema: { tags, summary: 'Send a test message through the channel now; answers the message with its delivery attempt', params: IdParams, response: { 200: Loose, ...errorResponses } } }, async (req) =>
    notify.testChannel(requireActor(req), req.params.id),
  );

  app.get('/api/notification-rules', { config: { access: 'settings.read' }, schema: { tags, summary: 'Who is told what and when', response: { 200: Type.Array(Loose) } } }, async () => notify.rules());
  app.post('/api/notification-rules', { config: { access: 'settings.write' }, schema: { tags, summary: 'Add a notification rule', body: RuleBody, response: { 201: Loose, ...errorResponses } } }, async (req, reply) =>
    reply.code(201).send(await notify.saveRule(requireActor(req), undefined, req.body)),
  );
  app.put('/api/notification-rules/:id', { config: { access: 'settings.write' }, schema: { tags, summary: 'Change a notification rule', params: IdParams, body: RuleBody, response: { 200: Loose, ...errorResponses } } }, async (req) =>
    notify.saveRule(requireActor(req), req.params.id, req.body),
  );
  app.delete('/api/notification-rules/:id', { config: { access: 'settings.write' }, schema: { tags, summary: 'Remove a notification rule', params: IdParams, response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses } } }, async (req) => {
    await notify.deleteRule(requireActor(req), req.params.id);
    return { removed: req.params.id };
  });

  app.get(
    '/api/notifications',
    {
      config: { access: 'settings.read' },
      schema: {
        tags,
        summary: 'The delivery log: messages newest first (pending, sent, or dead after every retry)',
        querystring: Type.Object({ status: Type.Optional(StringEnum(['pending', 'sent', 'dead'] as const)), incident: Type.Optional(Type.String({ maxLength: 40 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Loose) },
      },
    },
    async (req) => notify.notifications({ status: req.query.status, incidentId: req.query.incident, limit: req.query.limit }),
  );
  app.get('/api/notifications/:id', { config: { access: 'settings.read' }, schema: { tags, summary: 'One message with every delivery attempt', params: IdParams, response: { 200: Loose, ...errorResponses } } }, async (req) => notify.notification(req.params.id));
};
