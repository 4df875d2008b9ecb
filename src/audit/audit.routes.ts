import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { errorResponses } from '../http/schemas.js';
import type { DB } from '../store/schema.js';
import { listAudit, verifyAuditChain } from './audit.repository.js';

export const auditRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<DB> }> = async (app, { db }) => {
  app.get(
    '/api/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail, newest first (who, when, what, before/after)',
        querystring: Type.Object(
          {
            entityType: Type.Optional(Type.String({ maxLength: 50 })),
            entityId: Type.Optional(Type.String({ maxLength: 100 })),
            actor: Type.Optional(Type.String({ maxLength: 100 })),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            from: Type.Optional(Type.String({ format: 'date-time', description: 'rows at or after this time' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'rows before this time' })),
            before: Type.Optional(Type.Integer({ minimum: 1, description: 'cursor: rows with a smaller id' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(
            Type.Object({ id: Type.Integer(), at: Type.String(), actor: Type.String(), action: Type.String(), entityType: Type.String(), entityId: Type.String(), before: Type.Unknown(), after: Type.Unknown() }),
          ),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const iso = (v?: string) => (v ? new Date(v).toISOString() : undefined);
      return listAudit(db, { ...req.query, from: iso(req.query.from), to: iso(req.query.to), limit: req.query.limit ?? 100 });
    },
  );

  app.get(
    '/api/audit/verify',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: "Checks the audit trail's hash chain (as `bihuan audit verify` does): intact, or the first row changed, removed or inserted",
        response: { 200: Type.Object({ ok: Type.Boolean(), rows: Type.Integer(), unchained: Type.Integer(), broken: Type.Optional(Type.Object({ id: Type.Integer(), reason: Type.String() })) }), ...errorResponses },
      },
    },
    async () => verifyAuditChain(db),
  );
};
