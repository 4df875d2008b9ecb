/** Alerts over REST: the batch way in (JSON array or NDJSON), search, one alert with its raw record, rejects and counters, network zones. */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { ALERT_FORMATS, type AlertFormat } from '../domain/alert/alert.js';
import { scopedOrgUnit } from '../http/scope.js';
import { requireActor } from '../http/auth.js';
import { StringEnum, errorResponses } from '../http/schemas.js';
import type { DB } from '../store/schema.js';
import { type AlertQuery, type SerializedAnswer, getAlert, isSerialized, type searchAlerts } from './alert.repository.js';
import type { IntakeOutcome, IntakeService } from './intake.service.js';
import { type BodyBytes, type BodyKind, ownBytes } from './intake-body.js';

const Problem = Type.Object({ line: Type.Integer(), reason: Type.String(), format: Type.Optional(Type.String()) });
const Outcome = Type.Object({
  accepted: Type.Integer({ description: 'new records stored (on disk before this answer): alerts and events' }),
  events: Type.Integer({ description: 'of those accepted, records that are only context (a log-in, a DNS answer, a Windows event): kept lean, searchable at GET /api/events; detection sees them like alerts' }),
  duplicates: Type.Integer({ description: 'records already stored (same source id or same content)' }),
  skipped: Type.Integer({ description: 'well-formed records that are not security events (e.g. Suricata flow records)' }),
  rejected: Type.Integer(),
  errors: Type.Boolean(),
  rejects: Type.Array(Problem, { description: 'line (or array position, from 1) and reason of each rejected record (first 1000)' }),
  skips: Type.Array(Problem),
});
const tags = ['alerts'];

/** Where a request's alerts are read and stored: intake itself (one process), or the intake worker. */
export interface IntakeGate {
  ingestBody(body: BodyBytes, kind: BodyKind, opts: { channel: string; format?: AlertFormat }): Promise<IntakeOutcome>;
}

export const intakeRoutes: FastifyPluginAsyncTypebox<{ intake: IntakeService; gate: IntakeGate; search: (q: AlertQuery) => Promise<Awaited<ReturnType<typeof searchAlerts>> | SerializedAnswer>; db: Kysely<DB>; bodyLimit: number }> = async (
  app,
  { intake, gate, search, db, bodyLimit },
) => {
  // The batch way in takes its body as bytes, JSON included: it is read where intake runs, never
  // on the thread that answers people, and handed on in a buffer of its own that the intake worker
  // takes over (nothing of it stays on this thread's heap). (Its own scope: the other routes keep Fastify's JSON.)
  await app.register(async (scope) => {
    const batch = scope.withTypeProvider<TypeBoxTypeProvider>();
    batch.removeContentTypeParser(['application/json']);
    batch.addContentTypeParser(['application/json', 'application/x-ndjson', 'application/ndjson', 'text/plain'], { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, ownBytes(body as Buffer)));
    batch.post(
      '/api/alerts',
      {
        bodyLimit,
        config: { access: 'alerts.ingest' },
        schema: {
          tags,
          summary: 'Send alerts: a JSON array (or one object), or NDJSON / text lines. Each record is answered: accepted, duplicate, skipped or rejected with its line and reason.',
          description: 'Answered once what was accepted is on disk. 503 with `Retry-After` when storage cannot keep up or fails: nothing of that request is acknowledged; send it again (records already stored come back as duplicates).',
          querystring: Type.Object({ format: Type.Optional(StringEnum(ALERT_FORMATS, { description: 'force a format instead of detecting it per record' })) }, { additionalProperties: false }),
          consumes: ['application/json', 'application/x-ndjson', 'text/plain'],
          response: { 200: Outcome, ...errorResponses, 413: Type.Ref('Error'), 503: Type.Ref('Error') },
        },
      },
      async (req) => {
        requireActor(req);
        const body = req.body instanceof ArrayBuffer ? req.body : new ArrayBuffer(0);
        // handed on: the worker takes the bytes over (the request keeps none of them)
        req.body = undefined;
        const kind = /^application\/json/i.test(req.headers['content-type'] ?? '') ? 'json' : 'text';
        const outcome = await gate.ingestBody(body, kind, { channel: 'http', format: req.query.format as AlertFormat | undefined });
        return { ...outcome, errors: outcome.rejected > 0 };
      },
    );
  });

  app.get(
    '/api/alerts',
    {
      config: { access: 'alerts.read' },
      schema: {
        tags,
        summary: 'Search alerts, newest (device time) first',
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            ip: Type.Optional(Type.String({ maxLength: 64, description: 'address or CIDR, source or destination' })),
            src: Type.Optional(Type.String({ maxLength: 64, description: 'source address or CIDR' })),
            dst: Type.Optional(Type.String({ maxLength: 64, description: 'destination address or CIDR' })),
            format: Type.Optional(StringEnum(ALERT_FORMATS)),
            kind: Type.Optional(StringEnum(['alert', 'event'] as const, { description: 'event: search the events — records that are only context (log-ins, DNS answers, Windows events), kept lean — by time, address, host, user, branch, category, format or text in the record; the 7 days up to `to` (or the newest event) unless `from` is given. Without it: alerts (what a device calls an alert, matched an indicator, or became evidence on an incident)' })),
            host: Type.Optional(Type.String({ maxLength: 255, description: 'host name (any case)' })),
            category: Type.Optional(Type.String({ maxLength: 50, description: 'ECS event.category, e.g. authentication' })),
            rule: Type.Optional(Type.String({ maxLength: 200 })),
            orgUnit: Type.Optional(Type.String({ maxLength: 32, description: 'branch (org unit) of source or destination' })),
            indicator: Type.Optional(Type.String({ maxLength: 2048, description: 'a matched threat indicator, or * for any' })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'text in the message, rule, DNS name, URL, user or host; searches the last 7 days unless `from` is given, and stops after 10 s (503: narrow it)' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            cursor: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                timestamp: Type.String(),
                receivedAt: Type.String(),
                format: Type.String(),
                channel: Type.String(),
                alert: Type.Unknown(),
                incidents: Type.Array(Type.String(), { description: 'the incidents detection filed the alert on' }),
                triage: Type.Union([Type.Null(), Type.Object({ verdict: Type.String(), reason: Type.String(), actor: Type.String(), at: Type.String() })]),
                original: Type.Optional(Type.String({ description: 'events: the record as it came in' })),
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const toIso = (v?: string) => (v ? new Date(v).toISOString() : undefined);
      const page = await search({ ...req.query, orgUnit: scopedOrgUnit(req, req.query.orgUnit), from: toIso(req.query.from), to: toIso(req.query.to), limit: req.query.limit ?? 100 });
      // written as JSON where it was found (the query worker): sent as it is
      return isSerialized(page) ? reply.type('application/json; charset=utf-8').send(page.json) : page;
    },
  );

  app.get(
    '/api/alerts/:id',
    {
      config: { access: 'alerts.read' },
      schema: {
        tags,
        summary: 'One alert, with the record exactly as it came in',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Object({ id: Type.Integer(), timestamp: Type.String(), receivedAt: Type.String(), format: Type.String(), channel: Type.String(), alert: Type.Unknown(), original: Type.String() }), ...errorResponses },
      },
    },
    async (req) => getAlert(db, req.params.id),
  );

  app.get(
    '/api/intake/rejects',
    {
      config: { access: 'alerts.read' },
      schema: {
        tags,
        summary: 'Recently rejected records (the last 10000 are kept), newest first',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }, { additionalProperties: false }),
        response: {
          200: Type.Array(Type.Object({ id: Type.Integer(), at: Type.String(), channel: Type.String(), line: Type.Union([Type.Integer(), Type.Null()]), format: Type.Union([Type.String(), Type.Null()]), reason: Type.String(), sample: Type.String() })),
          ...errorResponses,
        },
      },
    },
    async (req) => intake.recentRejects(req.query.limit ?? 100),
  );

  app.get(
    '/api/intake/counters',
    {
      config: { access: 'alerts.read' },
      schema: {
        tags,
        summary: 'Records per day, way in and outcome (accepted, duplicate, skipped, rejected)',
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 7 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Type.Object({ day: Type.String(), channel: Type.String(), outcome: Type.String(), count: Type.Integer() })), ...errorResponses },
      },
    },
    async (req) => intake.counters(req.query.days ?? 7),
  );

  const Zones = Type.Object(
    {
      internal: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10000 }),
      internetFacing: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10000 }),
      orgUnits: Type.Record(Type.String(), Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10000 })),
    },
    { additionalProperties: false },
  );
  app.get('/api/network', { config: { access: 'settings.read' }, schema: { tags: ['settings'], summary: 'Network zones: internal networks, internet-facing hosts, org units by CIDR', response: { 200: Zones, ...errorResponses } } }, async () =>
    intake.networkZones(),
  );
  app.put(
    '/api/network',
    { config: { access: 'settings.write' }, schema: { tags: ['settings'], summary: 'Set the network zones (applies to alerts from now on)', body: Zones, response: { 200: Zones, ...errorResponses } } },
    async (req) => intake.setNetworkZones(requireActor(req), req.body),
  );
};
