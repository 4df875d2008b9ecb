/**
 * Live updates for open screens, as server-sent events: whenever incidents change (a new
 * timeline entry: an alert joined, a colleague moved a phase, a report was exported) or the
 * warning level does, every connected console is told which incidents changed, within a second.
 * The change is read from the stored timeline, so it works the same whichever process (server,
 * CLI, another node on PostgreSQL) made it.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';

const POLL_MS = 1000;
const KEEPALIVE_MS = 25_000;
const MAX_CLIENTS = 500;

export const eventsRoutes: FastifyPluginAsync<{ db: Kysely<DB> }> = async (app, { db }) => {
  let clients = 0;
  const open = new Set<import('node:http').ServerResponse>();
  // a closing server ends the streams, or it would wait for every browser to leave
  app.addHook('onClose', async () => {
    for (const res of open) res.end();
  });
  app.get('/api/events', { config: { access: 'incident.read' }, schema: { tags: ['live'], summary: 'Server-sent events: `incidents` (ids that changed) and `warning` whenever they change' } }, async (req, reply) => {
    if (clients >= MAX_CLIENTS) return reply.code(503).send({ code: 'unavailable', message: 'too many live connections; retry later' });
    clients++;
    const top = async () => Number((await db.selectFrom('timeline_entries').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
    const warningTop = async () => Number((await db.selectFrom('warnings').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
    let seen = await top();
    let seenWarning = await warningTop();
    reply.hijack();
    open.add(reply.raw);
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.raw.write(`retry: 3000\n\n`);
    let busy = false;
    const poll = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        const now = await top();
        if (now > seen) {
          const rows = await db.selectFrom('timeline_entries').select('incident_id').distinct().where('id', '>', seen).where('id', '<=', now).limit(500).execute();
          reply.raw.write(`event: incidents\ndata: ${JSON.stringify(rows.map((r) => r.incident_id))}\n\n`);
          seen = now;
        }
        const w = await warningTop();
        if (w > seenWarning) {
          reply.raw.write(`event: warning\ndata: ${w}\n\n`);
          seenWarning = w;
        }
      })()
        .catch((e: unknown) => req.log.warn({ err: e }, 'live update poll failed'))
        .finally(() => (busy = false));
    }, POLL_MS);
    const keepalive = setInterval(() => reply.raw.write(`: keep-alive\n\n`), KEEPALIVE_MS);
    req.raw.on('close', () => {
      clearInterval(poll);
      clearInterval(keepalive);
      clients--;
      open.delete(reply.raw);
    });
  });
};
