/**
 * Emergency plans over REST (issue 15, 应急预案): every version listed, a plan written, changed (a
 * new draft version), approved, its document attached and downloaded.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DomainError } from '../domain/errors.js';
import { PLAN_STATUSES } from '../domain/plans/plan.js';
import { WORKING_PHASES } from '../domain/incident/phase.js';
import { requireActor } from '../http/auth.js';
import { sendDownload } from '../http/download.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import type { PlanService } from './plan.service.js';

const tags = ['plans'];
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Step = Type.Object({ phase: StringEnum(WORKING_PHASES), title: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false });
const Contact = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: Type.Optional(Nullable(Type.String({ maxLength: 100 }))), phone: Type.Optional(Nullable(Type.String({ maxLength: 50 }))), email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))) }, { additionalProperties: false });
/** a plan as written (the API's body, and the CLI's document) */
export const PlanInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    scope: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
    incidentTypes: Type.Array(Type.String({ maxLength: 63 }), { maxItems: 200, description: 'incident types of the grading table it covers (none: all)' }),
    levels: Type.Array(Type.Integer({ minimum: 1, maximum: 4 }), { maxItems: 4, description: 'levels it covers (none: all)' }),
    orgUnits: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 200, description: 'org units it covers (none: all)' }),
    organisation: Type.Optional(Nullable(Type.String({ maxLength: 20000, description: 'the organisation and its duties' }))),
    steps: Type.Array(Step, { maxItems: 200, description: 'response steps, each in a phase: they become the incident’s tasks' }),
    resources: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
    contacts: Type.Array(Contact, { maxItems: 100, description: 'told when the plan starts (their e-mail, through e-mail channels)' }),
    reviewDue: Type.String({ maxLength: 10, description: 'when the plan is looked at again, yyyy-MM-dd' }),
  },
  { additionalProperties: false },
);
const PlanBody = Type.Object({
  id: Type.Integer(),
  planKey: Type.Integer({ description: 'the plan all its versions share' }),
  version: Type.Integer(),
  title: Type.String(),
  status: StringEnum(PLAN_STATUSES),
  scope: Nullable(Type.String()),
  incidentTypes: Type.Array(Type.String()),
  levels: Type.Array(Type.Integer()),
  orgUnits: Type.Array(Type.String()),
  organisation: Nullable(Type.String()),
  steps: Type.Array(Type.Object({ phase: StringEnum(WORKING_PHASES), title: Type.String() })),
  resources: Nullable(Type.String()),
  contacts: Type.Array(Type.Object({ name: Type.String(), role: Type.Optional(Nullable(Type.String())), phone: Type.Optional(Nullable(Type.String())), email: Type.Optional(Nullable(Type.String())) })),
  reviewDue: Type.String(),
  reviewOverdue: Type.Boolean(),
  file: Nullable(Type.Object({ name: Type.String(), size: Type.Integer(), sha256: Type.String() })),
  approvedBy: Nullable(Type.String()),
  approvedAt: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
});

export const planRoutes: FastifyPluginAsyncTypebox<{ plans: PlanService }> = async (app, { plans }) => {
  app.get('/api/plans', { config: { access: 'incident.read' }, schema: { tags, summary: 'Emergency plans (应急预案), every version, the newest plan first and its latest version first; overdue reviews flagged', response: { 200: Type.Array(PlanBody), ...errorResponses } } }, async () => plans.list());
  app.get('/api/plans/:id', { config: { access: 'incident.read' }, schema: { tags, summary: 'One version of a plan', params: Id, response: { 200: PlanBody, ...errorResponses } } }, async (req) => plans.get(req.params.id));
  app.post('/api/plans', { config: { access: 'roster.manage' }, schema: { tags, summary: 'Write a plan: version 1, a draft', body: PlanInput, response: { 201: PlanBody, ...errorResponses } } }, async (req, reply) => reply.code(201).send(await plans.create(requireActor(req), req.body)));
  app.post('/api/plans/:id/versions', { config: { access: 'roster.manage' }, schema: { tags, summary: 'Change a plan: a new draft version (the versions before are kept)', params: Id, body: PlanInput, response: { 201: PlanBody, ...errorResponses } } }, async (req, reply) => reply.code(201).send(await plans.revise(requireActor(req), req.params.id, req.body)));
  app.post('/api/plans/:id/approve', { config: { access: 'roster.manage' }, schema: { tags, summary: 'Approve a draft version; the version approved before it is retired', params: Id, response: { 200: PlanBody, ...errorResponses } } }, async (req) => plans.approve(requireActor(req), req.params.id));
  app.post(
    '/api/plans/:id/file',
    { config: { access: 'roster.manage' }, schema: { tags, summary: 'Attach the plan’s document as written (.docx, .pdf; multipart/form-data, field "file")', params: Id, consumes: ['multipart/form-data'], response: { 201: PlanBody, ...errorResponses, 413: Type.Ref('Error') } } },
    async (req, reply) => {
      if (!req.isMultipart()) throw new DomainError('validation', 'send the file as multipart/form-data in a field named "file"', [{ in: 'headers', field: 'content-type', message: 'must be multipart/form-data' }]);
      const actor = requireActor(req);
      for await (const part of req.parts()) {
        if (part.type === 'field') continue;
        if (part.fieldname !== 'file') {
          part.file.resume();
          continue;
        }
        const file = part;
        return reply.code(201).send(await plans.attach(actor, req.params.id, { filename: file.filename || 'plan', stream: file.file, isTruncated: () => file.file.truncated }));
      }
      throw new DomainError('validation', 'no file: send it in a multipart field named "file"', [{ in: 'body', field: 'file', message: 'is required', rule: 'required' }]);
    },
  );
  app.get('/api/plans/:id/file', { config: { access: 'incident.read' }, schema: { tags, summary: 'Download the plan’s document', params: Id } }, async (req, reply) => sendDownload(reply, await plans.openFile(req.params.id)));
};
