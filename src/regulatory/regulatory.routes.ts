/**
 * The regulator's clock over REST (issue 16): the operator type and the national category table;
 * an incident's proposed and confirmed national level and category; the report to the regulator
 * recorded as sent (its forms are exported like the others: regulatory_initial, _followup, _summary).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OPERATOR_TYPES, REGULATORY_REPORT_KINDS } from '../domain/regulatory/national.js';
import { requireActor } from '../http/auth.js';
import { DateTime, Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import type { RegulatoryService } from './regulatory.service.js';

const tags = ['regulatory'];
const Params = Type.Object({ id: Type.String({ maxLength: 40 }) });
const Category = Type.Object({ code: Type.String({ minLength: 1, maxLength: 20 }), zh: Type.String({ minLength: 1, maxLength: 100 }), en: Type.String({ minLength: 1, maxLength: 100 }), parent: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false });
const Settings = Type.Object({
  operatorType: StringEnum(OPERATOR_TYPES, { description: 'cii: critical-information-infrastructure operator (1 h); state_organ: a central or state organ (2 h); other (4 h)' }),
  categories: Type.Array(Category),
  reportHours: Type.Integer(),
  reportTo: Type.Object({ zh: Type.String(), en: Type.String() }),
});
const Words = Type.Object({ zh: Type.String(), en: Type.String() });

export const regulatoryRoutes: FastifyPluginAsyncTypebox<{ regulatory: RegulatoryService }> = async (app, { regulatory }) => {
  app.get('/api/regulatory', { config: { access: 'settings.read' }, schema: { tags, summary: 'The operator type (which sets the reporting deadline) and the GB/T 20986-2023 category table', response: { 200: Settings, ...errorResponses } } }, async () => regulatory.settings());
  app.put(
    '/api/regulatory',
    { config: { access: 'settings.write' }, schema: { tags, summary: 'Change the operator type (open deadlines follow) or the category table', body: Type.Object({ operatorType: Type.Optional(StringEnum(OPERATOR_TYPES)), categories: Type.Optional(Type.Array(Category, { minItems: 1, maxItems: 500 })) }, { additionalProperties: false }), response: { 200: Settings, ...errorResponses } } },
    async (req) => regulatory.setSettings(requireActor(req), req.body),
  );
  app.get(
    '/api/incidents/:id/national',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'The national level and category Bihuan proposes for the incident (from its level and its hosts’ importance), with why', params: Params, response: { 200: Type.Object({ level: Type.Integer(), category: Type.String(), categoryName: Words, reason: Words }), ...errorResponses } } },
    async (req) => regulatory.proposal(req.params.id),
  );
  app.put(
    '/api/incidents/:id/national',
    {
      config: { access: 'incident.grade' },
      schema: {
        tags,
        summary: 'Confirm the national level (1 = I … 4 = IV) and category; a reason is needed when it differs from the proposal. III and graver start the reporting clock.',
        params: Params,
        body: Type.Object({ level: Type.Integer({ minimum: 1, maximum: 4 }), category: Type.String({ minLength: 1, maxLength: 20 }), reason: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await regulatory.confirm(requireActor(req), req.params.id, { level: req.body.level, category: req.body.category, reason: req.body.reason ?? undefined });
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/incidents/:id/regulatory-report',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Record a report to the regulator as sent: the first (stops the clock), a follow-up, or the summary',
        params: Params,
        body: Type.Object({ kind: StringEnum(REGULATORY_REPORT_KINDS), to: Type.String({ minLength: 1, maxLength: 500 }), sentAt: Type.Optional(DateTime()) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await regulatory.reportSent(requireActor(req), req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );
};
