/** The wall screen's figures over REST. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { branchOf } from '../store/scope.js';
import { StringEnum } from '../http/schemas.js';
import type { StatsService } from './stats.service.js';

export const statsRoutes: FastifyPluginAsyncTypebox<{ stats: StatsService }> = async (app, { stats }) => {
  app.get(
    '/api/stats',
    {
      config: { access: 'incident.read' },
      schema: {
        tags: ['stats'],
        summary: 'Alerts per hour by category over a day (up to `to`, default now; when that day is empty, the last day that had alerts), top external sources, open incidents per branch, MTTD / MTTA / MTTR in minutes over `periodDays`',
        querystring: Type.Object(
          {
            to: Type.Optional(Type.String({ format: 'date-time' })),
            periodDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
            exercises: Type.Optional(StringEnum(['exclude', 'include', 'only'] as const, { description: 'exercise (drill) incidents in the figures: left out (default), included, or alone' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async (req) => stats.overview({ ...req.query, branch: branchOf(req.actor) }),
  );
};
