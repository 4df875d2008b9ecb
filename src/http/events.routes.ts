/**
 * Live updates for open screens, as server-sent events: whenever incidents change (a new
 * timeline entry: an alert joined, a colleague moved a phase, a report was exported) or the
 * warning level does, every connected console is told which incidents changed, within a second.
 * The change is read from the stored timeline, so it works the same whichever process (server,
 * CLI, another node on PostgreSQL) made it. One poll serves every connection, and only while
 * any is open.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Health } from '../runtime/background.js';
import type { DB } from '../store/schema.js';
import { incidentTouches } from '../store/scope.js';

const POLL_MS = 1000;
const KEEPALIVE_MS = 25_000;
const MAX_CLIENTS = 500;
/** live streams one user may hold at once (a console per screen, a wall, a few tabs): one viewer cannot starve an admin */
export const MAX_STREAMS_PER_USER = 8;

export const eventsRoutes: FastifyPluginAsync<{ db: Kysely<DB>; health: Health }> = async (app, { db, health }) => {
  health.register('live');
  const open = new Set<ServerResponse>();
  /** the branch a stream's user is confined to: told only of incidents that touch it */
  const streamBranch = new Map<ServerResponse, string>();
  const perUser = new Map<number, number>();
  let seen = 0;
  let seenWarning = 0;
  let poll: NodeJS.Timeout | undefined;
  let keepalive: NodeJS.Timeout | undefined;
  let busy = false;

  const top = async () => Number((await db.selectFrom('timeline_entries').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
  const warningTop = async () => Number((await db.selectFrom('warnings').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
  const broadcast = (text: string) => {
    for (const res of open) res.write(text);
  };
  const check = async () => {
    const now = await top();
    if (now > seen) {
      const rows = await db.selectFrom('timeline_entries').select('incident_id').distinct().where('id', '>', seen).where('id', '<=', now).limit(500).execute();
      const ids = [...new Set(rows.map((r) => r.incident_id))];
      // a branch's streams hear only of incidents that touch the branch (one query per branch listening)
      const perBranch = new Map<string, string[]>();
      for (const branch of new Set(streamBranch.values())) {
        const touching = ids.length ? await db.selectFrom('incidents').select('id').where('id', 'in', ids).where((eb) => incidentTouches(eb, branch)).execute() : [];
        perBranch.set(branch, touching.map((r) => r.id));
      }
      for (const res of open) {
        const branch = streamBranch.get(res);
        const told = branch === undefined ? ids : (perBranch.get(branch) ?? []);
        if (told.length) res.write(`event: incidents\ndata: ${JSON.stringify(told)}\n\n`);
      }
      seen = now;
    }
    const w = await warningTop();
    if (w > seenWarning) {
      broadcast(`event: warning\ndata: ${w}\n\n`);
      seenWarning = w;
    }
  };
  const stop = () => {
    clearInterval(poll);
    clearInterval(keepalive);
    poll = keepalive = undefined;
  };

  // a closing server ends the streams, or it would wait for every browser to leave
  app.addHook('onClose', async () => {
    stop();
    for (const res of open) res.end();
  });

  app.get('/api/events', { config: { access: 'incident.read' }, schema: { tags: ['live'], summary: 'Server-sent events: `incidents` (ids that changed) and `warning` whenever they change' } }, async (req, reply) => {
    if (open.size >= MAX_CLIENTS) return reply.code(503).send({ code: 'unavailable', message: 'too many live connections; retry later' });
    const user = req.actor?.kind === 'user' ? req.actor.userId : 0;
    const mine = perUser.get(user) ?? 0;
    if (mine >= MAX_STREAMS_PER_USER) {
      return reply.code(429).header('retry-after', '30').send({ code: 'rate_limited', message: `you have ${mine} live streams open already (at most ${MAX_STREAMS_PER_USER}): close a tab or screen`, details: { retryAfterSeconds: 30 } });
    }
    perUser.set(user, mine + 1);
    if (!poll) {
      // the first listener: start from what is there now, then poll for all
      [seen, seenWarning] = await Promise.all([top(), warningTop()]);
      poll = setInterval(() => {
        if (busy) return;
        busy = true;
        void check()
          .then(
            () => health.ok('live'),
            (e: unknown) => health.failed('live', e, POLL_MS),
          )
          .finally(() => (busy = false));
      }, POLL_MS);
      keepalive = setInterval(() => broadcast(`: keep-alive\n\n`), KEEPALIVE_MS);
    }
    reply.hijack();
    open.add(reply.raw);
    if (req.actor?.kind === 'user' && req.actor.branch) streamBranch.set(reply.raw, req.actor.branch);
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.raw.write(`retry: 3000\n\n`);
    req.raw.on('close', () => {
      open.delete(reply.raw);
      streamBranch.delete(reply.raw);
      const left = (perUser.get(user) ?? 1) - 1;
      if (left > 0) perUser.set(user, left);
      else perUser.delete(user);
      if (open.size === 0) stop();
    });
  });
};
