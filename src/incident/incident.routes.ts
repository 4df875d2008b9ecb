/** REST routes for incidents: thin — validate (TypeBox), authorize (route access), call the service. */
import { sendDownload } from '../http/download.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {} from '@fastify/multipart';
import { Type } from 'typebox';
import { DomainError } from '../domain/errors.js';
import type { Level } from '../domain/grading/grading.js';
import type { Phase } from '../domain/incident/phase.js';
import { requireActor } from '../http/auth.js';
import { scopedOrgUnit } from '../http/scope.js';
import { branchOf } from '../store/scope.js';
import {
  AssetInput,
  DateTime,
  IncidentId,
  IncidentListQuery,
  Nullable,
  ObservableInput,
  ObservableMarking,
  ObservableType,
  Phase as PhaseSchema,
  Resolution,
  TaskStatus,
  WorkingPhase,
  Tags,
  errorResponses,
} from '../http/schemas.js';
import type { IncidentService } from './incident.service.js';

const Params = Type.Object({ id: IncidentId });
const Child = Type.Integer({ minimum: 1 });
const AssetParams = Type.Object({ id: IncidentId, assetId: Child });
const ObservableParams = Type.Object({ id: IncidentId, observableId: Child });
const TaskParams = Type.Object({ id: IncidentId, taskId: Child });
const EvidenceParams = Type.Object({ id: IncidentId, evidenceId: Child });
const Detail = { 200: Type.Ref('IncidentDetail'), ...errorResponses };
const Created = Type.Object({ id: Type.Integer() });
const tags = ['incidents'];

export const incidentRoutes: FastifyPluginAsyncTypebox<{ incidents: IncidentService }> = async (app, { incidents }) => {
  app.get(
    '/api/incidents',
    {
      config: { access: 'incident.read' },
      schema: {
        tags,
        summary: 'List incidents with filters, sorting and cursor pagination',
        querystring: IncidentListQuery,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('IncidentSummary')), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      return incidents.list({
        levels: q.level?.split(',').map((l) => Number(l) as Level),
        phases: q.phase?.split(',') as Phase[] | undefined,
        type: q.type,
        ownerId: q.owner,
        orgUnit: q.orgUnit,
        branch: branchOf(req.actor),
        overdue: q.overdue,
        tag: q.tag,
        exercise: q.exercise,
        q: q.q,
        sort: q.sort ?? 'due',
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    },
  );

  app.post(
    '/api/incidents',
    {
      config: { access: 'incident.create' },
      schema: {
        tags,
        summary: 'Create an incident; it is graded from the grading table and gets its playbook tasks',
        body: Type.Object(
          {
            title: Type.String({ minLength: 1, maxLength: 200 }),
            description: Type.Optional(Type.String({ maxLength: 20000 })),
            type: Type.String({ minLength: 1, maxLength: 63, description: 'an incident type of the grading table, e.g. trojan' }),
            level: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, description: 'only to deviate from the grading table; needs levelReason' })),
            levelReason: Type.Optional(Type.String({ maxLength: 2000 })),
            orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
            ownerId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
            team: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
            detectedAt: Type.Optional(DateTime({ description: 'when the incident was detected; deadlines count from it' })),
            assets: Type.Optional(Type.Array(AssetInput, { maxItems: 1000 })),
            observables: Type.Optional(Type.Array(ObservableInput, { maxItems: 1000 })),
            tags: Type.Optional(Tags),
            exercise: Type.Optional(Type.Boolean({ description: 'an exercise (演练) incident, walked through the real loop and kept out of the real figures' })),
            campaignId: Type.Optional(Type.Integer({ minimum: 1, description: 'the drill (a campaign of kind drill, not closed) this exercise belongs to; makes it an exercise' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('IncidentDetail'), ...errorResponses },
      },
    },
    async (req, reply) => {
      const created = await incidents.create(requireActor(req), { ...req.body, orgUnit: scopedOrgUnit(req, req.body.orgUnit) });
      return reply.status(201).header('location', `/api/incidents/${created.id}`).send(created);
    },
  );

  app.get(
    '/api/observables',
    {
      config: { access: 'incident.read' },
      schema: {
        tags,
        summary: 'Indicators (observables) of every incident whose value holds the text — an address, a domain, a hash… — newest sighting first, each with its incident: the pivot from an indicator',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'text the value holds; without it the newest sightings' })),
            type: Type.Optional(ObservableType),
            orgUnit: Type.Optional(Type.String({ maxLength: 32, description: 'only incidents of this org unit' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              type: Type.String(),
              value: Type.String(),
              note: Nullable(Type.String()),
              tlp: Nullable(Type.String()),
              tags: Type.Array(Type.String()),
              firstSeen: Type.String(),
              lastSeen: Type.String(),
              incident: Type.Object({ id: Type.String(), title: Type.String(), titleEn: Nullable(Type.String()), level: Type.Integer(), phase: Type.String(), orgUnit: Type.String() }),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => incidents.searchObservables({ text: req.query.q, type: req.query.type, orgUnit: scopedOrgUnit(req, req.query.orgUnit), branch: branchOf(req.actor), limit: req.query.limit ?? 50 }),
  );

  app.get('/api/incidents/:id', { config: { access: 'incident.read' }, schema: { tags, summary: 'One incident with all its parts', params: Params, response: Detail } }, async (req) =>
    incidents.get(req.params.id),
  );

  app.patch(
    '/api/incidents/:id',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Edit an incident (facts, owner, closure data)',
        params: Params,
        body: Type.Object(
          {
            title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            description: Type.Optional(Type.String({ maxLength: 20000 })),
            ownerId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
            team: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
            orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
            detectedAt: Type.Optional(DateTime()),
            resolution: Type.Optional(Nullable(Resolution)),
            conclusion: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
            recommendations: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
            tags: Type.Optional(Tags),
            exercise: Type.Optional(Type.Boolean({ description: 'an exercise (演练): kept out of the real figures' })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: Detail,
      },
    },
    async (req) => incidents.update(requireActor(req), req.params.id, req.body.orgUnit === undefined ? req.body : { ...req.body, orgUnit: scopedOrgUnit(req, req.body.orgUnit) }),
  );

  app.post(
    '/api/incidents/:id/phase',
    {
      config: { access: 'incident.advance' },
      schema: {
        tags,
        summary: 'Move to another phase; gates may refuse (409 gate_refused lists them); an admin may override with a reason',
        params: Params,
        body: Type.Object(
          { to: PhaseSchema, reason: Type.Optional(Type.String({ maxLength: 2000 })), override: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: Detail,
      },
    },
    async (req) => incidents.move(requireActor(req), req.params.id, req.body),
  );

  app.post(
    '/api/incidents/:id/grade',
    {
      config: { access: 'incident.grade' },
      schema: {
        tags,
        summary: 'Change the type and/or level; deadlines and playbook tasks are re-planned',
        params: Params,
        body: Type.Object(
          { type: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })), level: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })), reason: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: Detail,
      },
    },
    async (req) => incidents.grade(requireActor(req), req.params.id, req.body),
  );

  app.post(
    '/api/incidents/:id/report',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Record that the incident report (事件上报表) was sent',
        params: Params,
        body: Type.Object(
          {
            recipients: Type.String({ minLength: 1, maxLength: 1000, description: 'who received it, e.g. 指挥组, 处置组' }),
            channel: Type.Optional(Type.String({ maxLength: 50, description: 'email, phone, im, paper …' })),
            sentAt: Type.Optional(DateTime()),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: Detail,
      },
    },
    async (req) => incidents.recordReportSent(requireActor(req), req.params.id, req.body),
  );

  app.post(
    '/api/incidents/:id/assets',
    { config: { access: 'incident.update' }, schema: { tags, summary: 'Add an affected asset', params: Params, body: AssetInput, response: { 201: Created, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await incidents.addAsset(requireActor(req), req.params.id, req.body)),
  );
  app.patch(
    '/api/incidents/:id/assets/:assetId',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Edit an affected asset: hostname, business system, org unit, note (its address stays: remove it and add another)',
        params: AssetParams,
        body: Type.Object(
          {
            hostname: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
            businessSystem: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
            orgUnit: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
            note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Created, ...errorResponses },
      },
    },
    async (req) => incidents.editAsset(requireActor(req), req.params.id, req.params.assetId, req.body.orgUnit ? { ...req.body, orgUnit: scopedOrgUnit(req, req.body.orgUnit) } : req.body),
  );
  app.delete(
    '/api/incidents/:id/assets/:assetId',
    { config: { access: 'incident.update' }, schema: { tags, summary: 'Remove an affected asset', params: AssetParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (req, reply) => {
      await incidents.removeAsset(requireActor(req), req.params.id, req.params.assetId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/incidents/:id/observables',
    {
      config: { access: 'incident.update' },
      schema: { tags, summary: 'Add an observable (or widen its first/last seen)', params: Params, body: ObservableInput, response: { 201: Created, ...errorResponses } },
    },
    async (req, reply) => reply.status(201).send(await incidents.addObservable(requireActor(req), req.params.id, req.body)),
  );
  app.patch(
    '/api/incidents/:id/observables/:observableId',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Edit an observable: its note, TLP, PAP and tags (tags given replace them)',
        params: ObservableParams,
        body: Type.Object({ note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))), ...ObservableMarking }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: Created, ...errorResponses },
      },
    },
    async (req) => incidents.editObservable(requireActor(req), req.params.id, req.params.observableId, req.body),
  );
  app.delete(
    '/api/incidents/:id/observables/:observableId',
    { config: { access: 'incident.update' }, schema: { tags, summary: 'Remove an observable', params: ObservableParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (req, reply) => {
      await incidents.removeObservable(requireActor(req), req.params.id, req.params.observableId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/incidents/:id/timeline',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Add a timeline entry at the time the thing happened',
        params: Params,
        body: Type.Object(
          { occurredAt: DateTime(), text: Type.String({ minLength: 1, maxLength: 5000 }), source: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 201: Created, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await incidents.addTimelineEntry(requireActor(req), req.params.id, req.body)),
  );

  app.post(
    '/api/incidents/:id/comments',
    {
      config: { access: 'incident.update' },
      schema: { tags, summary: 'Comment', params: Params, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 20000 }) }, { additionalProperties: false }), response: { 201: Created, ...errorResponses } },
    },
    async (req, reply) => reply.status(201).send(await incidents.addComment(requireActor(req), req.params.id, req.body.text)),
  );

  app.post(
    '/api/incidents/:id/recovery-tasks',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Eradication and recovery: a handling task to patch a finding of periodic work on one of its hosts (done → the finding is fixed), or to reset an account’s password',
        params: Params,
        body: Type.Union([
          Type.Object({ kind: Type.Literal('patch'), findingId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
          Type.Object({ kind: Type.Literal('password_reset'), account: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        ]),
        response: { 201: Created, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await incidents.addRecoveryTask(requireActor(req), req.params.id, req.body)),
  );

  app.post(
    '/api/incidents/:id/tasks',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Add a task to a phase',
        params: Params,
        body: Type.Object(
          {
            phase: WorkingPhase,
            title: Type.String({ minLength: 1, maxLength: 300 }),
            mandatory: Type.Optional(Type.Boolean()),
            assigneeId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
            dueAt: Type.Optional(Nullable(DateTime())),
          },
          { additionalProperties: false },
        ),
        response: { 201: Created, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await incidents.addTask(requireActor(req), req.params.id, req.body)),
  );
  app.patch(
    '/api/incidents/:id/tasks/:taskId',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Update a task: status (done, skipped with a note …), assignee, note, due',
        params: TaskParams,
        body: Type.Object(
          {
            status: Type.Optional(TaskStatus),
            assigneeId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
            note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
            dueAt: Type.Optional(Nullable(DateTime())),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Ref('Task'), ...errorResponses },
      },
    },
    async (req) => incidents.updateTask(requireActor(req), req.params.id, req.params.taskId, req.body),
  );

  app.post(
    '/api/incidents/:id/evidence',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Upload an evidence file (multipart/form-data, field "file"; optional field "note"). Stored with its SHA-256.',
        params: Params,
        consumes: ['multipart/form-data'],
        response: { 201: Type.Object({ id: Type.Integer(), sha256: Type.String(), size: Type.Integer(), filename: Type.String() }), ...errorResponses, 413: Type.Ref('Error') },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw new DomainError('validation', 'send the file as multipart/form-data in a field named "file"', [{ in: 'headers', field: 'content-type', message: 'must be multipart/form-data' }]);
      const actor = requireActor(req);
      let note: string | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === 'note') note = String(part.value);
          continue;
        }
        if (part.fieldname !== 'file') {
          part.file.resume();
          continue;
        }
        const file = part;
        const result = await incidents.addEvidence(actor, req.params.id, {
          filename: file.filename || 'evidence.bin',
          contentType: file.mimetype,
          stream: file.file,
          note,
          isTruncated: () => file.file.truncated,
        });
        return reply.status(201).send(result);
      }
      throw new DomainError('validation', 'no file: send it in a multipart field named "file"', [{ in: 'body', field: 'file', message: 'is required' }]);
    },
  );

  app.get(
    '/api/incidents/:id/evidence/:evidenceId',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'Download an evidence file', params: EvidenceParams } },
    async (req, reply) => {
      const e = await incidents.openEvidence(req.params.id, req.params.evidenceId);
      return sendDownload(reply, e);
    },
  );
};
