/**
 * Detection over REST: why an incident is what it is (signals, spread, level history), merge
 * and split by hand, the rules in force and the ones refused, rule testing (in a worker, time-
 * and size-bounded), alert triage and suppressions.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Config } from '../config.js';
import { ALERT_FORMATS } from '../domain/alert/alert.js';
import { DomainError } from '../domain/errors.js';
import { requireActor } from '../http/auth.js';
import { DateTime, StringEnum, errorResponses } from '../http/schemas.js';
import { scopedOrgUnit } from '../http/scope.js';
import { requireAlertInScope } from '../store/scope.js';
import type { DB } from '../store/schema.js';
import { TRIAGE_VERDICTS, type DetectionService } from './detection.service.js';
import { runRuleTestJob } from './rule-test.runner.js';

const tags = ['detection'];
const Params = Type.Object({ id: Type.String({ maxLength: 40 }) });
const NumericId = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Loose = Type.Object({}, { additionalProperties: true });
const RULE_TEST_BODY = 4 * 1024 * 1024;
const RULE_TEST_EVENTS = 10_000;

export const detectionRoutes: FastifyPluginAsyncTypebox<{ detection: DetectionService; config: Config; db: Kysely<DB> }> = async (app, { detection, config, db }) => {
  app.get(
    '/api/incidents/:id/detection',
    {
      config: { access: 'incident.read' },
      schema: {
        tags,
        summary: 'Why the incident is what it is: the rules that fired on which alerts (with why), the spread over hosts (first host, order of infection, share per branch), and the level history with reasons',
        params: Params,
        response: {
          200: Type.Object({
            signals: Type.Array(Loose),
            spread: Type.Object({ firstHost: Type.Optional(Loose), hosts: Type.Array(Loose), branches: Type.Array(Loose) }),
            levelHistory: Type.Array(Loose),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => detection.incidentDetection(req.params.id),
  );

  app.post(
    '/api/incidents/:id/merge',
    {
      config: { access: 'incident.merge' },
      schema: {
        tags,
        summary: 'Merge other incidents into this one (their hosts, observables, timeline and detection signals move here; each is closed as a duplicate)',
        params: Params,
        body: Type.Object({ from: Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 100 }), reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (req) => detection.merge(requireActor(req), req.params.id, req.body.from, req.body.reason),
  );

  app.post(
    '/api/incidents/:id/split',
    {
      config: { access: 'incident.merge' },
      schema: {
        tags,
        summary: 'Split detection signals off into a new incident (with their hosts and the most severe of their types)',
        params: Params,
        body: Type.Object({ signals: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10_000 }), reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 201: Loose, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await detection.split(requireActor(req), req.params.id, req.body.signals, req.body.reason)),
  );

  const AlertIds = Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500, description: 'alert ids, as the alert list shows them' });
  const Filed = Type.Object({ incidentId: Type.String(), created: Type.Boolean(), added: Type.Integer({ description: 'alerts filed (those on the incident already are skipped)' }) });
  /** a branch user files only alerts that touch their branch (the ones the alert list shows them) */
  const requireAlertsInScope = async (req: FastifyRequest, ids: number[]) => {
    for (const id of new Set(ids)) await requireAlertInScope(db, req.actor, id);
  };

  app.post(
    '/api/incidents/:id/alerts',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'File alerts picked by hand onto this open incident: one signal of the incident, their hosts its assets, their outside sources and intelligence hits its indicators',
        params: Params,
        body: Type.Object({ alerts: AlertIds, note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
        response: { 200: Filed, ...errorResponses },
      },
    },
    async (req) => {
      await requireAlertsInScope(req, req.body.alerts);
      return detection.fileAlertsByHand(requireActor(req), { incidentId: req.params.id }, req.body.alerts, req.body.note);
    },
  );

  app.post(
    '/api/incidents/from-alerts',
    {
      config: { access: 'incident.create' },
      schema: {
        tags,
        summary: 'Create an incident from alerts picked by hand (graded from its type; detected at the earliest alert unless given); the alerts are filed onto it',
        body: Type.Object(
          {
            alerts: AlertIds,
            title: Type.String({ minLength: 1, maxLength: 200 }),
            type: Type.String({ minLength: 1, maxLength: 63, description: 'an incident type of the grading table' }),
            description: Type.Optional(Type.String({ maxLength: 20000 })),
            level: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, description: 'only to deviate from the grading table; needs levelReason' })),
            levelReason: Type.Optional(Type.String({ maxLength: 2000 })),
            orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
            ownerId: Type.Optional(Type.Integer({ minimum: 1 })),
            detectedAt: Type.Optional(DateTime({ description: 'when the incident was detected; default: its earliest alert' })),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Filed, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { alerts, note, ...create } = req.body;
      const orgUnit = scopedOrgUnit(req, create.orgUnit);
      await requireAlertsInScope(req, alerts);
      const filed = await detection.fileAlertsByHand(requireActor(req), { create: { ...create, orgUnit } }, alerts, note);
      return reply.code(201).header('location', `/api/incidents/${filed.incidentId}`).send(filed);
    },
  );

  app.get(
    '/api/rules',
    {
      config: { access: 'alerts.read' },
      schema: {
        tags,
        summary: 'The rules in force (built-in pack and configured directories), the correlation rules, and the refused ones with file, line and reason',
        response: { 200: Type.Object({ rules: Type.Array(Loose), correlations: Type.Array(Loose), refusals: Type.Array(Loose) }) },
      },
    },
    async () => {
      const lib = detection.rules;
      return {
        rules: lib.rules.map((r) => ({ id: r.id ?? null, name: r.name ?? null, title: r.title, level: r.level ?? null, status: r.status ?? null, logsource: r.logsource, incidentType: typeof r.document.incident_type === 'string' ? r.document.incident_type : null, tags: r.tags, file: r.source.file, line: r.source.line })),
        correlations: lib.correlations.map((r) => ({ id: r.id ?? null, title: r.title, type: r.type, rules: r.rules, groupBy: r.groupBy, timespan: r.timespan, incidentType: typeof r.document.incident_type === 'string' ? r.document.incident_type : null, file: r.source.file, line: r.source.line })),
        refusals: lib.refusals,
      };
    },
  );

  app.post(
    '/api/rules/test',
    {
      bodyLimit: RULE_TEST_BODY,
      config: { access: 'rules.test' },
      schema: {
        tags,
        summary: `Run a rule (Sigma YAML, one or more documents) over sample events in any intake format (one per line; at most ${RULE_TEST_EVENTS}); answers which events matched and why. Nothing is stored; the work stops after 10 s.`,
        body: Type.Object(
          {
            rule: Type.String({ minLength: 1, maxLength: 256 * 1024 }),
            events: Type.String({ maxLength: RULE_TEST_BODY }),
            format: Type.Optional(StringEnum(ALERT_FORMATS)),
            withBuiltin: Type.Optional(Type.Boolean({ description: 'also load the built-in pack (for correlations referencing its rules)' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (req) => {
      const report = await runRuleTestJob({
        ruleText: req.body.rule,
        eventsText: req.body.events,
        format: req.body.format,
        withBuiltin: req.body.withBuiltin ?? false,
        timeZone: config.timeZone,
        maxRecordBytes: config.maxRecordBytes,
        maxEvents: RULE_TEST_EVENTS,
        placeholders: config.detection.placeholders,
        fieldMapping: config.detection.fieldMapping,
        jsonMappings: config.jsonMappings,
      });
      // the author's own rule refused: a clear 400 naming line and problem, not a report of nothing
      const own = report.refusals.filter((r) => r.file === 'rule.yml');
      if (own.length) {
        throw new DomainError(
          'validation',
          `the rule was refused: ${own.map((r) => `line ${r.line}: ${r.category}: ${r.reason}`).join('; ')}`,
          own.map((r) => ({ in: 'body', field: 'rule', line: r.line, category: r.category, message: r.reason })),
        );
      }
      return report;
    },
  );

  app.post(
    '/api/alerts/:id/triage',
    {
      config: { access: 'alerts.triage' },
      schema: {
        tags,
        summary: 'Triage an alert: true positive, false positive or ignored, with a reason; a false positive or ignored alert may suppress its pattern (rules fired on it, its source and indicator) until an expiry (default 30 days)',
        params: NumericId,
        body: Type.Object(
          {
            verdict: StringEnum(TRIAGE_VERDICTS),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            suppress: Type.Optional(Type.Boolean()),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (req) => detection.triage(requireActor(req), req.params.id, req.body),
  );

  app.get(
    '/api/suppressions',
    { config: { access: 'alerts.read' }, schema: { tags, summary: 'Suppressions (newest first, 1000 at most), with how often each held a match back', response: { 200: Type.Array(Loose) } } },
    async () => detection.suppressions(),
  );

  app.delete(
    '/api/suppressions/:id',
    { config: { access: 'alerts.triage' }, schema: { tags, summary: 'Lift a suppression', params: NumericId, response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses } } },
    async (req) => {
      await detection.removeSuppression(requireActor(req), req.params.id);
      return { removed: req.params.id };
    },
  );
};
