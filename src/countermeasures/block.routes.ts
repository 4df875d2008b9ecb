/**
 * Countermeasures over REST (issue 16): block-list entries made from an incident, approved by a
 * second person where needed, renewed and lifted; the allow-list; the read-only tokens of the
 * devices that pull the lists; and the lists themselves as external dynamic lists
 * (`GET /edl/<list>/<kind>.txt`: plain text, one entry a line, ETag / If-None-Match), outside
 * /api because firewalls, not people, read them — each request authorized by a list token.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BLOCK_KINDS, BLOCK_STATUSES, type BlockKind, type BlockStatus, LIST_NAME } from '../domain/countermeasures/block.js';
import { DomainError } from '../domain/errors.js';
import { requireActor } from '../http/auth.js';
import { DateTime, Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { branchOf } from '../store/scope.js';
import type { BlockService } from './block.service.js';

const tags = ['countermeasures'];
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Verification = Type.Object({
  state: StringEnum(['waiting', 'quiet', 'seen'] as const, { description: 'waiting: under 30 min since the block and not seen; quiet: not seen for 30 min or more; seen: seen within the last 30 min' }),
  seenAfter: Type.Integer({ description: 'alerts carrying it since the block' }),
  lastSeen: Nullable(Type.String()),
  seenBy: Type.Array(Type.String(), { description: 'the devices that saw it after the block' }),
  quietMinutes: Type.Integer(),
});
const BlockBody = Type.Object({
  id: Type.Integer(),
  list: Type.String(),
  kind: StringEnum(BLOCK_KINDS),
  value: Type.String({ description: 'as served: an address or CIDR, a domain (*.example.com for its subdomains), a URL without its scheme, a hash' }),
  status: StringEnum(BLOCK_STATUSES),
  incidentId: Nullable(Type.String()),
  orgUnit: Type.String(),
  reason: Type.String(),
  owner: Type.String(),
  approvalReason: Nullable(Type.Object({ zh: Type.String(), en: Type.String() })),
  requestedBy: Type.String(),
  approvedBy: Nullable(Type.String()),
  approvedAt: Nullable(Type.String()),
  activatedAt: Nullable(Type.String()),
  expiresAt: Type.String(),
  endedAt: Nullable(Type.String()),
  endedBy: Nullable(Type.String()),
  endReason: Nullable(Type.String()),
  createdAt: Type.String(),
  verification: Nullable(Verification),
});
const AllowEntry = Type.Object({ value: Type.String({ minLength: 1, maxLength: 100 }), note: Type.Optional(Nullable(Type.String({ maxLength: 200 }))) }, { additionalProperties: false });

export const blockRoutes: FastifyPluginAsyncTypebox<{ blocks: BlockService }> = async (app, { blocks }) => {
  app.get(
    '/api/blocks',
    {
      config: { access: 'incident.read' },
      schema: {
        tags,
        summary: 'Block-list entries, the newest first, each in force with how the alerts after it went',
        querystring: Type.Object(
          {
            incident: Type.Optional(Type.String({ maxLength: 40 })),
            status: Type.Optional(Type.String({ maxLength: 60, description: `comma-separated: ${BLOCK_STATUSES.join(', ')}` })),
            kind: Type.Optional(StringEnum(BLOCK_KINDS)),
            list: Type.Optional(Type.String({ maxLength: 40 })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(BlockBody), total: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const statuses = q.status?.split(',').filter(Boolean);
      const bad = statuses?.find((x) => !(BLOCK_STATUSES as readonly string[]).includes(x));
      if (bad) throw new DomainError('validation', `status: "${bad}" is not one of ${BLOCK_STATUSES.join(', ')}`, [{ in: 'querystring', field: 'status', message: `must be one of ${BLOCK_STATUSES.join(', ')}`, rule: 'enum', params: { values: BLOCK_STATUSES.join(', ') } }]);
      const branch = branchOf(req.actor);
      if (branch && q.orgUnit && q.orgUnit !== branch) throw new DomainError('forbidden', `you act for the branch ${branch}`, { branch });
      return blocks.list({ incident: q.incident, status: statuses as BlockStatus[] | undefined, kind: q.kind, list: q.list, q: q.q, branch: branch ?? q.orgUnit, limit: q.limit ?? 100, offset: q.offset ?? 0 });
    },
  );

  app.get('/api/blocks/:id', { config: { access: 'incident.read' }, schema: { tags, summary: 'One block-list entry', params: Id, response: { 200: BlockBody, ...errorResponses } } }, async (req) => blocks.get(req.params.id));

  app.post(
    '/api/incidents/:id/blocks',
    {
      config: { access: 'blocks.manage' },
      schema: {
        tags,
        summary: 'Block an address or network, a domain, a URL or a file hash for this incident: in force at once, or waiting for a second person when it covers a critical host or the allow-list (409 when it is on the list already)',
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        body: Type.Object(
          {
            kind: StringEnum(BLOCK_KINDS),
            value: Type.String({ minLength: 1, maxLength: 2048 }),
            list: Type.Optional(Type.String({ maxLength: 40, description: 'the list it goes on (default "default"): what a firewall object pulls' })),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            owner: Type.Optional(Type.String({ maxLength: 64, description: 'the user answerable for it (default: you)' })),
            expiresAt: Type.Optional(DateTime({ description: 'when it ends (default by the incident level: 1 → 30 days, 2 → 14, 3 → 7, 4 → 3; at most a year)' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: BlockBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const b = await blocks.create(requireActor(req), { ...req.body, incidentId: req.params.id });
      return reply.code(201).send(b);
    },
  );

  app.post(
    '/api/incidents/:id/blocks/from-alerts',
    {
      config: { access: 'blocks.manage' },
      schema: {
        tags,
        summary: 'Block the outside addresses the chosen alerts came from, for this incident: each once; those refused (on the list already, internal) are named and the others go in',
        params: Type.Object({ id: Type.String({ maxLength: 40 }) }),
        body: Type.Object({ alerts: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500 }), reason: Type.String({ minLength: 1, maxLength: 2000 }), list: Type.Optional(Type.String({ maxLength: 40 })), expiresAt: Type.Optional(DateTime()) }, { additionalProperties: false }),
        response: { 201: Type.Object({ blocked: Type.Array(BlockBody), skipped: Type.Array(Type.Object({ value: Type.String(), reason: Type.String(), error: Type.Object({ code: Type.String(), details: Type.Unknown() }, { description: 'the refusal as the API answers it, for the console to word' }) })) }), ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await blocks.fromAlerts(requireActor(req), req.params.id, req.body, { branch: branchOf(req.actor) })),
  );

  app.post('/api/blocks/:id/approve', { config: { access: 'blocks.approve' }, schema: { tags, summary: 'Approve a block waiting for a second person (not the one who asked)', params: Id, response: { 200: BlockBody, ...errorResponses } } }, async (req) => blocks.approve(requireActor(req), req.params.id));
  app.post(
    '/api/blocks/:id/lift',
    { config: { access: 'blocks.manage' }, schema: { tags, summary: 'Lift a block early, or refuse one waiting for approval, with the reason', params: Id, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }), response: { 200: BlockBody, ...errorResponses } } },
    async (req) => blocks.lift(requireActor(req), req.params.id, req.body.reason),
  );
  app.post(
    '/api/blocks/:id/renew',
    { config: { access: 'blocks.manage' }, schema: { tags, summary: 'Keep a block in force longer: to the expiry given, or the level’s default from now', params: Id, body: Type.Object({ expiresAt: Type.Optional(DateTime()) }, { additionalProperties: false }), response: { 200: BlockBody, ...errorResponses } } },
    async (req) => blocks.renew(requireActor(req), req.params.id, req.body),
  );

  app.get('/api/block-allowlist', { config: { access: 'settings.read' }, schema: { tags, summary: 'What is never blocked without a second person: addresses, networks, domains (DNS servers, gateways, own domains)', response: { 200: Type.Array(AllowEntry), ...errorResponses } } }, async () => blocks.allowList());
  app.put(
    '/api/block-allowlist',
    { config: { access: 'settings.write' }, schema: { tags, summary: 'Replace the allow-list', body: Type.Array(AllowEntry, { maxItems: 2000 }), response: { 200: Type.Array(AllowEntry), ...errorResponses } } },
    async (req) => blocks.setAllowList(requireActor(req), req.body),
  );

  app.get('/api/list-tokens', { config: { access: 'settings.write' }, schema: { tags, summary: 'The read-only tokens firewalls and proxies pull the block lists with', response: { 200: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), prefix: Type.String(), createdBy: Type.String(), createdAt: Type.String(), lastUsedAt: Nullable(Type.String()), revokedAt: Nullable(Type.String()) })), ...errorResponses } } }, async () => blocks.listTokens());
  app.post(
    '/api/list-tokens',
    { config: { access: 'settings.write' }, schema: { tags, summary: 'A new read-only list token (shown once: bhl_…)', body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }), response: { 201: Type.Object({ id: Type.Integer(), name: Type.String(), token: Type.String(), prefix: Type.String() }), ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await blocks.createListToken(requireActor(req), req.body.name)),
  );
  app.delete('/api/list-tokens/:id', { config: { access: 'settings.write' }, schema: { tags, summary: 'Revoke a list token', params: Id, response: { 204: Type.Null(), ...errorResponses } } }, async (req, reply) => {
    await blocks.revokeListToken(requireActor(req), req.params.id);
    return reply.code(204).send(null);
  });

  // ---------------------------------------------------------------- the lists firewalls pull
  app.get(
    '/edl/:list/:file',
    {
      schema: {
        // not the API: read by firewalls with a list token (see POST /api/list-tokens), so outside the API document and its access table
        hide: true,
        tags,
        summary: 'An external dynamic list: the entries in force of one kind on one list, one a line (PAN-OS EDL, FortiGate external threat feed, Sangfor/Hillstone URL lists). Authorized by a list token: Authorization: Bearer bhl_…, or HTTP basic with the token as the password. ETag / If-None-Match answer 304 when unchanged.',
        params: Type.Object({ list: Type.String({ maxLength: 40 }), file: Type.String({ maxLength: 20, description: 'ip.txt, domain.txt, url.txt or hash.txt' }) }),
        headers: Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 400 })), 'if-none-match': Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.String(), 304: Type.String({ maxLength: 0 }), 401: Type.Ref('Error'), 404: Type.Ref('Error') },
      },
    },
    async (req, reply) => {
      const auth = req.headers.authorization ?? '';
      const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
      const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth)?.[1];
      const token = bearer ?? (basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') : undefined);
      if (!token || !(await blocks.authenticateListToken(token))) {
        reply.header('www-authenticate', 'Basic realm="bihuan block lists", charset="UTF-8"');
        throw new DomainError('unauthenticated', 'send a list token: Authorization: Bearer bhl_…, or basic authentication with the token as the password', { reason: 'tokenInvalid' });
      }
      const kind = /^(ip|domain|url|hash)\.txt$/.exec(req.params.file)?.[1] as BlockKind | undefined;
      if (!kind || !LIST_NAME.test(req.params.list)) throw new DomainError('not_found', `no list ${req.params.list}/${req.params.file}: the lists are /edl/<list>/ip.txt, domain.txt, url.txt and hash.txt`, { entity: 'list', id: `${req.params.list}/${req.params.file}` });
      const { text, etag } = await blocks.edl(req.params.list, kind);
      reply.header('etag', etag).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
      const match = req.headers['if-none-match'];
      if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) return reply.code(304).send('');
      return reply.type('text/plain; charset=utf-8').send(text);
    },
  );
};
