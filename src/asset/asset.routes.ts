/** The asset inventory over REST: CSV import (merge or replace) and look-up. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { decodeFileText } from '../domain/text.js';
import { DomainError } from '../domain/errors.js';
import { scopedOrgUnit } from '../http/scope.js';
import { requireActor } from '../http/auth.js';
import { Nullable, errorResponses } from '../http/schemas.js';
import type { AssetService } from './asset.service.js';

const tags = ['assets'];
const AssetBody = Type.Object({
  ip: Type.String(),
  hostname: Nullable(Type.String()),
  orgUnit: Nullable(Type.String()),
  zone: Nullable(Type.String()),
  owner: Nullable(Type.String()),
  businessSystem: Nullable(Type.String()),
  criticality: Nullable(Type.Integer()),
});

export const assetRoutes: FastifyPluginAsyncTypebox<{ assets: AssetService; bodyLimit: number }> = async (app, { assets, bodyLimit }) => {
  // the bytes as sent: a CSV saved by Excel on Chinese Windows is GBK, not UTF-8 (decodeFileText)
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, decodeFileText(body as Buffer).text));

  app.post(
    '/api/assets/import',
    {
      bodyLimit,
      config: { access: 'settings.write' },
      schema: {
        tags,
        summary: 'Import the asset inventory from CSV (ip, hostname, org_unit, zone, owner, business_system, criticality; Chinese headers too). replace=true removes hosts the file does not list.',
        querystring: Type.Object({ replace: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        consumes: ['text/csv'],
        response: {
          200: Type.Object({ imported: Type.Integer(), removed: Type.Integer(), total: Type.Integer(), problems: Type.Array(Type.Object({ row: Type.Integer(), field: Type.String(), reason: Type.String({ description: 'in English' }), rule: Type.String({ description: 'which check the row failed (notCsv, notIp, criticality, duplicateIp, unknownOrgUnit), for a client to word it' }), params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])) })) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      if (typeof req.body !== 'string' || !req.body.trim()) throw new DomainError('validation', 'send the CSV as text/csv', [{ in: 'body', field: '(root)', message: 'empty or not CSV' }]);
      return assets.import(requireActor(req), req.body, { replace: req.query.replace });
    },
  );

  app.get(
    '/api/assets',
    {
      config: { access: 'alerts.read' },
      schema: {
        tags,
        summary: 'Look up assets',
        querystring: Type.Object(
          {
            orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'an address or CIDR (10.164.2.0/24), else text in the address, hostname, business system or owner' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(AssetBody), ...errorResponses },
      },
    },
    async (req) => assets.list({ ...req.query, orgUnit: scopedOrgUnit(req, req.query.orgUnit), limit: req.query.limit ?? 200 }),
  );

  app.get(
    '/api/assets/count',
    {
      config: { access: 'alerts.read' },
      schema: {
        tags,
        summary: 'How many assets a filter finds',
        querystring: Type.Object({ orgUnit: Type.Optional(Type.String({ maxLength: 32 })), q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ total: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => ({ total: await assets.count({ ...req.query, orgUnit: scopedOrgUnit(req, req.query.orgUnit) }) }),
  );
};
