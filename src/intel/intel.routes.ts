/** Threat intelligence over REST: import a feed file, look indicators up, list the feeds. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { INTEL_FORMATS, type IntelFormat } from '../domain/alert/indicator.js';
import { DomainError } from '../domain/errors.js';
import { requireActor } from '../http/auth.js';
import { StringEnum, errorResponses } from '../http/schemas.js';
import type { IntelService } from './intel.service.js';

const tags = ['threat intelligence'];

export const intelRoutes: FastifyPluginAsyncTypebox<{ intel: IntelService; bodyLimit: number }> = async (app, { intel, bodyLimit }) => {
  app.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
  if (!app.hasContentTypeParser('text/plain')) app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));

  app.post(
    '/api/intel/import',
    {
      bodyLimit,
      config: { access: 'intel.write' },
      schema: {
        tags,
        summary: 'Import an indicator list: plain lines, CSV (indicator/value, type, confidence, description), a STIX 2.1 bundle or a MISP event (JSON). Alerts are matched against it from now on.',
        querystring: Type.Object(
          {
            source: Type.String({ minLength: 1, maxLength: 100, description: 'the feed, e.g. 360-TI, CNCERT, own-honeypot' }),
            format: Type.Optional(StringEnum(INTEL_FORMATS)),
            confidence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'for entries that carry none' })),
          },
          { additionalProperties: false },
        ),
        consumes: ['text/plain', 'text/csv', 'application/json'],
        response: {
          200: Type.Object({ source: Type.String(), format: Type.String(), indicators: Type.Integer(), indexed: Type.Integer(), skipped: Type.Array(Type.Object({ entry: Type.Integer(), reason: Type.String() })) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const body = req.body as unknown;
      if (body === undefined || body === null || body === '') throw new DomainError('validation', 'the body is empty: send the indicator file', [{ in: 'body', field: '(root)', message: 'empty' }]);
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return intel.import(requireActor(req), text, { source: req.query.source, format: req.query.format as IntelFormat | undefined, confidence: req.query.confidence });
    },
  );

  app.get(
    '/api/intel/indicators',
    {
      config: { access: 'alerts.read' },
      schema: {
        tags,
        summary: 'Look indicators up (newest first)',
        querystring: Type.Object(
          { value: Type.Optional(Type.String({ maxLength: 2048 })), source: Type.Optional(Type.String({ maxLength: 100 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              type: Type.String(),
              value: Type.String(),
              source: Type.String(),
              confidence: Type.Union([Type.Integer(), Type.Null()]),
              description: Type.Union([Type.String(), Type.Null()]),
              updatedAt: Type.String(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => intel.list({ ...req.query, limit: req.query.limit ?? 100 }),
  );

  app.get(
    '/api/intel/sources',
    {
      config: { access: 'alerts.read' },
      schema: { tags, summary: 'Feeds and their indicator counts', response: { 200: Type.Array(Type.Object({ source: Type.String(), indicators: Type.Integer(), updatedAt: Type.Unknown() })), ...errorResponses } },
    },
    async () => intel.sources(),
  );
};
