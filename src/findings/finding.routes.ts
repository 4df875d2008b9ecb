/**
 * Scans and findings over REST (issue 15, periodic work): a scan file posted as it came from the
 * tool (Nmap XML, OpenVAS/GVM report XML, Nessus .nessus, the baseline CSV template), the
 * findings list with its filters, a finding worked by hand, and the counts of a quarter view.
 */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { branchOf } from '../store/scope.js';
import { requireActor } from '../http/auth.js';
import { scopedOrgUnit } from '../http/scope.js';
import { DateTime, Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { validationError } from '../domain/errors.js';
import { FINDING_STATUSES, type FindingStatus } from '../domain/findings/finding.js';
import { SCAN_FORMATS, SEVERITIES, type Severity } from '../domain/findings/scan.js';
import type { FindingService } from './finding.service.js';
import type { Kysely } from 'kysely';
import type { WorkService } from '../periodic/work.service.js';
import type { DB } from '../store/schema.js';
import { requireCampaignInScope, requireOccurrenceInScope } from '../store/scope.js';

const tags = ['findings'];
const Severity = StringEnum(SEVERITIES);
const Status = StringEnum(FINDING_STATUSES);
const FindingBody = Type.Object({
  id: Type.Integer(),
  kind: Type.String({ description: 'vulnerability, open_port or baseline' }),
  source: Type.String({ description: 'the scan format that found it' }),
  checkId: Type.String(),
  ip: Type.String(),
  hostname: Nullable(Type.String()),
  port: Nullable(Type.Integer()),
  protocol: Nullable(Type.String()),
  orgUnit: Nullable(Type.String()),
  title: Type.String(),
  severity: Severity,
  cvss: Nullable(Type.Number()),
  cves: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  solution: Nullable(Type.String()),
  evidence: Nullable(Type.String()),
  status: Status,
  moves: Type.Array(Status, { description: 'where a person may move it from here' }),
  statusNote: Nullable(Type.String()),
  statusBy: Nullable(Type.String()),
  statusAt: Type.String(),
  acceptedUntil: Nullable(Type.String()),
  dueAt: Nullable(Type.String()),
  overdue: Type.Boolean(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  closedAt: Nullable(Type.String()),
  reopened: Type.Integer({ description: 'how often a scan (or a person) opened it again' }),
  incidentId: Nullable(Type.String()),
  campaignId: Nullable(Type.Integer({ description: 'the campaign that found it' })),
});
const Problem = Type.Object({ at: Type.String(), reason: Type.String() });
const listOf = <T extends string>(values: readonly T[]) => Type.String({ pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`, description: `one or several, comma-separated: ${values.join(', ')}` });

export const findingRoutes: FastifyPluginAsyncTypebox<{ findings: FindingService; work: WorkService; db: Kysely<DB>; bodyLimit: number }> = async (app, { findings, work, db, bodyLimit }) => {
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // the file as the tool wrote it, whatever it calls its type
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/scans',
      {
        bodyLimit,
        config: { access: 'findings.manage' },
        schema: {
          tags,
          summary: 'Import a scan file as the tool wrote it: Nmap XML (-oX), an OpenVAS/GVM report (XML), a Nessus .nessus file, or the baseline-check CSV template (item, title, host, result, severity, expected, actual). New findings open with a due date by severity; those found again are updated (reopened after a fix); those a scanned host no longer shows are verified.',
          querystring: Type.Object(
            {
              format: Type.Optional(StringEnum(SCAN_FORMATS, { description: 'force a format instead of recognising it' })),
              filename: Type.Optional(Type.String({ maxLength: 255 })),
              orgUnit: Type.Optional(Type.String({ maxLength: 32, description: 'the org unit of hosts the network zones do not place' })),
              occurrence: Type.Optional(Type.Integer({ minimum: 1, description: 'the occurrence of recurring work this scan is: it is done (issues or passed) with the scan as its evidence' })),
              campaign: Type.Optional(Type.Integer({ minimum: 1, description: 'the campaign this scan belongs to: its findings carry it' })),
            },
            { additionalProperties: false },
          ),
          consumes: ['application/xml', 'text/xml', 'text/csv', 'application/octet-stream'],
          response: {
            201: Type.Object({ id: Type.Integer(), format: Type.String(), scanner: Type.String(), filename: Nullable(Type.String()), hosts: Type.Integer(), found: Type.Integer(), new: Type.Integer(), seen: Type.Integer(), reopened: Type.Integer(), closed: Type.Integer(), problems: Type.Array(Problem), occurrence: Type.Optional(Type.Object({ id: Type.Integer(), status: Type.String(), result: Nullable(Type.String()) })) }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const orgUnit = scopedOrgUnit(req, req.query.orgUnit);
        const { occurrence, campaign } = req.query;
        // what the scan is for is checked before it is filed: another branch's is not there
        if (occurrence !== undefined) await requireOccurrenceInScope(db, req.actor, occurrence);
        if (campaign !== undefined) await requireCampaignInScope(db, req.actor, campaign);
        const actor = requireActor(req);
        if (occurrence !== undefined) await work.occurrence(occurrence); // 404 before the file is filed
        const r = await findings.importScan(actor, body, { format: req.query.format, filename: req.query.filename, orgUnit, branch: branchOf(req.actor), campaignId: campaign });
        if (occurrence === undefined) return reply.code(201).send(r);
        const done = await work.recordScan(actor, occurrence, r);
        return reply.code(201).send({ ...r, occurrence: { id: done.id, status: done.status, result: done.result } });
      },
    );
  });

  app.get(
    '/api/scans',
    {
      config: { access: 'findings.read' },
      schema: {
        tags,
        summary: 'Scans imported, newest first, each with what it changed',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Type.Object({ id: Type.Integer(), format: Type.String(), scanner: Type.String(), filename: Nullable(Type.String()), sha256: Type.String(), startedAt: Nullable(Type.String()), importedAt: Type.String(), importedBy: Type.String(), hosts: Type.Integer(), found: Type.Optional(Type.Integer()), new: Type.Optional(Type.Integer()), seen: Type.Optional(Type.Integer()), reopened: Type.Optional(Type.Integer()), closed: Type.Optional(Type.Integer()), problems: Type.Optional(Type.Integer()) })), ...errorResponses },
      },
    },
    async (req) => findings.scans(req.query.limit ?? 50),
  );

  app.get(
    '/api/findings',
    {
      config: { access: 'findings.read' },
      schema: {
        tags,
        summary: 'Findings, the nearest due date first (then the most severe), with the total the filter finds',
        querystring: Type.Object(
          {
            status: Type.Optional(listOf(FINDING_STATUSES)),
            severity: Type.Optional(listOf(SEVERITIES)),
            orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
            ip: Type.Optional(Type.String({ maxLength: 64 })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'text in the title, a CVE, the check, the host name, or the address' })),
            overdue: Type.Optional(Type.Boolean()),
            scan: Type.Optional(Type.Integer({ minimum: 1, description: 'found (first or last) by this scan' })),
            incident: Type.Optional(Type.String({ maxLength: 40, description: "the findings on this incident's affected hosts, and those it exploited" })),
            campaign: Type.Optional(Type.Integer({ minimum: 1, description: 'found by this campaign' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(FindingBody), total: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      return findings.list({
        status: q.status?.split(',') as FindingStatus[] | undefined,
        severity: q.severity?.split(',') as Severity[] | undefined,
        orgUnit: scopedOrgUnit(req, q.orgUnit),
        branch: branchOf(req.actor),
        ip: q.ip,
        q: q.q,
        overdue: q.overdue,
        scan: q.scan,
        incident: q.incident,
        campaign: q.campaign,
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      });
    },
  );

  app.get(
    '/api/findings/hosts',
    {
      config: { access: 'findings.read' },
      schema: {
        tags,
        summary: 'The open findings (open, fixing) of each of these hosts, by severity, with the overdue ones — hosts without any are left out',
        querystring: Type.Object({ ip: Type.Optional(Type.String({ maxLength: 200 * 46, description: 'comma-separated addresses, at most 200' })), orgUnit: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Type.Object({ ip: Type.String(), open: Type.Integer(), overdue: Type.Integer(), bySeverity: Type.Record(Type.String(), Type.Integer()) })), ...errorResponses },
      },
    },
    async (req) => {
      const ips = [...new Set((req.query.ip ?? '').split(',').map((x) => x.trim()).filter(Boolean))];
      if (ips.length > 200) throw validationError('ip', `${ips.length} addresses is more than the 200 one request may name`, 'maxItems', { limit: 200 });
      return findings.openByHost({ ips, orgUnit: scopedOrgUnit(req, req.query.orgUnit), branch: branchOf(req.actor) });
    },
  );

  app.get(
    '/api/findings/summary',
    {
      config: { access: 'findings.read' },
      schema: {
        tags,
        summary: 'Findings counted by severity: open, overdue, closed, accepted, and the mean days to fix',
        querystring: Type.Object({ orgUnit: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ total: Type.Integer(), bySeverity: Type.Record(Type.String(), Type.Object({ open: Type.Integer(), overdue: Type.Integer(), closed: Type.Integer(), accepted: Type.Integer(), meanDaysToFix: Nullable(Type.Number()) })) }),
          ...errorResponses,
        },
      },
    },
    async (req) => findings.summary({ orgUnit: scopedOrgUnit(req, req.query.orgUnit), branch: branchOf(req.actor) }),
  );

  app.patch(
    '/api/findings/:id',
    {
      config: { access: 'findings.manage' },
      schema: {
        tags,
        summary: 'Work a finding: fixing, fixed, verified (say how), accepted as a risk (reason and a date within a year to look again), open again; a note; the incident that exploited it',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          {
            status: Type.Optional(Status),
            note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
            acceptedUntil: Type.Optional(Nullable(DateTime())),
            incidentId: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: FindingBody, ...errorResponses },
      },
    },
    async (req) => findings.update(requireActor(req), req.params.id, req.body),
  );
};
