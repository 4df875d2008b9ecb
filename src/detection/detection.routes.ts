/**
 * Detection over REST: why an incident is what it is (signals, spread, level history), the
 * rules in force and the ones refused, rule testing, alert triage and suppressions.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DetectionService } from './detection.service.js';

const tags = ['detection'];
const Params = Type.Object({ id: Type.String({ maxLength: 40 }) });
const Loose = Type.Object({}, { additionalProperties: true });

export const detectionRoutes: FastifyPluginAsyncTypebox<{ detection: DetectionService }> = async (app, { detection }) => {
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
        },
      },
    },
    async (req) => detection.incidentDetection(req.params.id),
  );
};
