/**
 * The command group over REST: the organisation-wide warning level with each branch's
 * acknowledgement, and orders to branches with each host's state.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { scopedOrgUnit } from '../http/scope.js';
import { requireActor } from '../http/auth.js';
import { StringEnum, errorResponses } from '../http/schemas.js';
import { HOST_STATES, WARNING_LEVELS } from '../domain/command/command.js';
import type { CommandService } from './command.service.js';

const tags = ['command'];
const Loose = Type.Object({}, { additionalProperties: true });
const Indicators = Type.Array(Type.Object({ type: Type.String({ maxLength: 20 }), value: Type.String({ maxLength: 2048 }) }, { additionalProperties: false }), { maxItems: 1000 });

export const commandRoutes: FastifyPluginAsyncTypebox<{ command: CommandService }> = async (app, { command }) => {
  app.get('/api/warning', { config: { access: 'incident.read' }, schema: { tags, summary: 'The organisation-wide warning level (全网预警), its indicators and each branch’s acknowledgement', response: { 200: Loose } } }, async () => command.warning());
  app.get('/api/warning/history', { config: { access: 'incident.read' }, schema: { tags, summary: 'Every change of the warning level, newest first', response: { 200: Type.Array(Loose) } } }, async () => command.warningHistory());
  app.put(
    '/api/warning',
    {
      config: { access: 'warning.manage' },
      schema: {
        tags,
        summary: 'Raise or lower the warning level (lowering needs a reason); above normal it is broadcast to every branch with the indicators (default: the incident’s)',
        body: Type.Object({ level: StringEnum(WARNING_LEVELS), reason: Type.Optional(Type.String({ maxLength: 2000 })), indicators: Type.Optional(Indicators), incidentId: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (req) => command.setWarning(requireActor(req), req.body),
  );
  app.post(
    '/api/warning/ack',
    {
      config: { access: 'incident.update' },
      schema: { tags, summary: 'A branch acknowledges the current warning', body: Type.Object({ orgUnit: Type.String({ maxLength: 32 }), note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }), response: { 200: Loose, ...errorResponses } },
    },
    async (req) => command.acknowledge(requireActor(req), req.body),
  );

  app.post(
    '/api/incidents/:id/orders',
    {
      config: { access: 'orders.issue' },
      schema: {
        tags,
        summary: 'Send an order to a branch: a host list (default: the incident’s hosts in that branch) to find, isolate and clean',
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        body: Type.Object(
          {
            orgUnit: Type.String({ maxLength: 32 }),
            hosts: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 10_000 })),
            title: Type.Optional(Type.String({ maxLength: 200 })),
            instructions: Type.String({ minLength: 1, maxLength: 5000 }),
            assigneeId: Type.Optional(Type.Integer({ minimum: 1 })),
            dueAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await command.issueOrder(requireActor(req), req.params.id, req.body)),
  );
  app.get(
    '/api/orders',
    {
      config: { access: 'incident.read' },
      schema: { tags, summary: 'Orders to branches with each host’s state', querystring: Type.Object({ incident: Type.Optional(Type.String({ maxLength: 40 })), orgUnit: Type.Optional(Type.String({ maxLength: 32 })), open: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: { 200: Type.Array(Loose) } },
    },
    async (req) => command.orders({ incidentId: req.query.incident, orgUnit: scopedOrgUnit(req, req.query.orgUnit), open: req.query.open }),
  );
  app.get('/api/orders/:id', { config: { access: 'incident.read' }, schema: { tags, summary: 'One order', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: Loose, ...errorResponses } } }, async (req) => command.order(req.params.id));
  app.put(
    '/api/orders/:id/hosts/:host',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Report a host’s state: found, isolated, cleaned, rebuilt (done when cleaned or rebuilt)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }), host: Type.String({ maxLength: 255 }) }),
        body: Type.Object({ state: StringEnum(HOST_STATES), note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (req) => command.setHostState(requireActor(req), req.params.id, req.params.host, req.body),
  );
};
