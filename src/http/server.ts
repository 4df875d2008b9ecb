/**
 * The HTTP server: Fastify with TypeBox schemas, the OpenAPI document at /docs, one error
 * shape, and every /api route behind its declared access rule.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import fastifyStatic from '@fastify/static';
import { loggerOptions } from '../runtime/log.js';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { accountRoutes } from '../account/account.routes.js';
import type { Services } from '../app.js';
import { auditRoutes } from '../audit/audit.routes.js';
import { incidentRoutes } from '../incident/incident.routes.js';
import { intakeRoutes } from '../intake/intake.routes.js';
import { intelRoutes } from '../intel/intel.routes.js';
import { assetRoutes } from '../asset/asset.routes.js';
import { reportRoutes } from '../report/report.routes.js';
import { notifyRoutes } from '../notify/notify.routes.js';
import { commandRoutes } from '../command/command.routes.js';
import { eventsRoutes } from './events.routes.js';
import { statsRoutes } from '../stats/stats.routes.js';
import { StatsService } from '../stats/stats.service.js';
import { findingRoutes } from '../findings/finding.routes.js';
import { periodicRoutes } from '../periodic/periodic.routes.js';
import { rosterRoutes } from '../roster/roster.routes.js';
import { blockRoutes } from '../countermeasures/block.routes.js';
import { regulatoryRoutes } from '../regulatory/regulatory.routes.js';
import { planRoutes } from '../plans/plan.routes.js';
import { detectionRoutes } from '../detection/detection.routes.js';
import { settingsRoutes } from '../settings/settings.routes.js';
import { DomainError } from '../domain/errors.js';
import { registerAuth } from './auth.js';
import { registerScope } from './scope.js';
import { registerCsrfCheck } from './csrf.js';
import { errorHandler } from './errors.js';
import { SHARED_SCHEMAS } from './schemas.js';

/** The built console: beside the compiled server (dist/ui), or from the sources' side under the test runner. */
export function uiDir(): string | undefined {
  for (const dir of [path.resolve(import.meta.dirname, '../ui'), path.resolve(import.meta.dirname, '../../dist/ui')]) {
    if (fs.existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/** One log line per request, when it is answered (Fastify writes two: one as it comes in, one as it is answered). */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    req.log.info({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), ...(error ? { err: error } : {}) }, 'request');
  }
}

export async function buildServer(services: Services, opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(config.logLevel),
    logController: new OneLinePerRequest(),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });

  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  // Security headers on every answer. The console's scripts are its own files (no inline script,
  // no eval); Ant Design and ECharts set inline styles. Served over plain HTTP on the LAN as often
  // as behind TLS, so no upgrade-insecure-requests or HSTS here (the TLS proxy sets HSTS).
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: config.evidenceMaxBytes, files: 1, fields: 10, fieldSize: 4096, parts: 20 }, throwFileSizeLimit: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Bihuan (闭环) API', version: '0.1.0', description: 'Closed-loop security incident response. Authenticate with the session cookie (POST /api/auth/login) or `Authorization: Bearer bh_…`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'bihuan_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Only routes that ask for it are limited (log-in): brute force is what this product detects.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new DomainError('rate_limited', `too many attempts from this address; retry in ${ctx.after}`, { retryAfterSeconds: Math.ceil(ctx.ttl / 1000), reason: 'tooManyAttempts' }),
  });
  registerCsrfCheck(app, config.allowedOrigins);
  registerAuth(app, services.accounts);
  registerScope(app, services.database.db);

  registerHealth(app, services);
  await app.register(accountRoutes, { accounts: services.accounts, config });
  await app.register(incidentRoutes, { incidents: services.incidents });
  await app.register(settingsRoutes, { settings: services.settings });
  await app.register(auditRoutes, { db: services.database.db });
  await app.register(intakeRoutes, { intake: services.intake, gate: { ingestBody: (body, kind, o) => services.gate.ingestBody(body, kind, o) }, search: (q) => services.alertSearch(q), db: services.database.db, bodyLimit: config.ingestBodyLimitBytes });
  await app.register(intelRoutes, { intel: services.intel, bodyLimit: config.ingestBodyLimitBytes });
  await app.register(assetRoutes, { assets: services.assets, bodyLimit: config.ingestBodyLimitBytes });
  await app.register(findingRoutes, { findings: services.findings, work: services.work, db: services.database.db, bodyLimit: config.ingestBodyLimitBytes });
  await app.register(periodicRoutes, { work: services.work, campaigns: services.campaigns });
  await app.register(rosterRoutes, { roster: services.roster, bodyLimit: config.ingestBodyLimitBytes });
  await app.register(planRoutes, { plans: services.plans });
  await app.register(blockRoutes, { blocks: services.blocks });
  await app.register(regulatoryRoutes, { regulatory: services.regulatory });
  await app.register(detectionRoutes, { detection: services.detection, config, db: services.database.db });
  await app.register(reportRoutes, { reports: services.reports });
  await app.register(notifyRoutes, { notify: services.notify });
  await app.register(commandRoutes, { command: services.command });
  await app.register(eventsRoutes, { db: services.database.db, health: services.health });
  await app.register(statsRoutes, { stats: new StatsService(services.database.db, services.now) });

  // The analyst's console (web/, built by Vite into dist/ui): served here, one process for both.
  const ui = uiDir();
  if (ui) {
    // pre-compressed at build time (.br, .gz beside each file: vite.config.ts); the hashed files
    // under assets/ never change (a year, immutable), the page that names them is asked for anew
    await app.register(fastifyStatic, {
      root: ui,
      prefix: '/',
      index: ['index.html'],
      wildcard: false,
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, file) => {
        reply.header('cache-control', /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/plain; charset=utf-8').send('The web console is not built: run `npm run build` (or `npm start`, which builds it). The API document is at /docs.'),
    );
  }
  return app;
}

/** GET /api/health: liveness, database reachability, every background loop and thread. */
function registerHealth(app: FastifyInstance, services: Pick<Services, 'health' | 'database'>): void {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['meta'],
        summary: 'Liveness, database reachability and the state of every background loop',
        description:
          '`status` is `ok`, or `degraded` when a background loop (notify, sla, spread, detection, live, syslog) is failing — the server still answers and the loop retries with back-off — or 503 `unavailable` when the database cannot be read. Error texts are in the server log, not here.',
      },
    },
    async (_req, reply) => {
      const components = services.health.components().map(({ name, state, failures, failingSince, lastSuccessAt, retryAt }) => ({ name, state, failures, failingSince, lastSuccessAt, retryAt }));
      try {
        await services.database.db.selectFrom('org_units').select('code').limit(1).execute();
      } catch (e) {
        app.log.error({ err: e }, 'health check: the database cannot be read');
        return reply.status(503).send({ status: 'unavailable', database: services.database.dialect, reachable: false, components });
      }
      const heap = v8.getHeapStatistics();
      services.health.heapUsed('api', Math.round(heap.used_heap_size / 1048576), Math.round(heap.total_heap_size / 1048576));
      return { status: services.health.degraded() ? 'degraded' : 'ok', database: services.database.dialect, reachable: true, components, heapMB: services.health.heapsMB(), heapCommittedMB: services.health.heapsCommittedMB() };
    },
  );
}

/** A node of the scale-out mode that answers no people (detect, notify): /api/health only, for the orchestrator. */
export async function buildHealthServer(services: Services): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(services.config.logLevel) });
  registerHealth(app, services);
  return app;
}
