/**
 * Periodic work and campaigns over REST (issue 15): work items with their schedules, occurrences
 * ended with a result and evidence, the quarter view and its report; campaigns with their scope,
 * findings recorded by hand, a drill's review and the summary report.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../http/auth.js';
import { sendBytes, sendDownload } from '../http/download.js';
import { scopedOrgUnit } from '../http/scope.js';
import { Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { DomainError } from '../domain/errors.js';
import { CAMPAIGN_KINDS, CAMPAIGN_STATES } from '../domain/periodic/campaign.js';
import { OCCURRENCE_RESULTS, OCCURRENCE_STATUSES, type OccurrenceStatus, WORK_KINDS } from '../domain/periodic/schedule.js';
import { SEVERITIES } from '../domain/findings/scan.js';
import { type ReportDocument, documentMarkdown } from '../domain/report/document.js';
import { REPORT_LOCALES } from '../domain/report/forms.js';
import { WORKING_PHASES } from '../domain/incident/phase.js';
import { documentDocx } from '../report/document.docx.js';
import { branchOf } from '../store/scope.js';
import type { CampaignService } from './campaign.service.js';
import type { WorkService } from './work.service.js';

const tags = ['periodic'];
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Quarter = Type.String({ pattern: '^\\d{4}Q[1-4]$', description: 'a quarter such as 2026Q4 (the current one when absent)' });
const ReportFormat = StringEnum(['docx', 'md'] as const, { default: 'docx' });

const WorkItemInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    kind: StringEnum(WORK_KINDS),
    rrule: Type.String({ minLength: 1, maxLength: 500, description: 'an iCalendar RRULE (RFC 5545) such as FREQ=MONTHLY;BYMONTHDAY=1 or FREQ=WEEKLY;BYDAY=MO; at most daily' }),
    start: Type.String({ maxLength: 16, description: "the first occurrence: local date and time yyyy-MM-ddTHH:mm in the organisation's zone" }),
    dueDays: Type.Integer({ minimum: 1, maximum: 366, description: 'days from an occurrence to its due date' }),
    owner: Type.String({ minLength: 1, maxLength: 64, description: 'the username who does the work' }),
    orgUnit: Type.String({ minLength: 1, maxLength: 32 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const WorkItemBody = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  kind: StringEnum(WORK_KINDS),
  rrule: Type.String(),
  start: Type.String(),
  dueDays: Type.Integer(),
  owner: Type.String(),
  orgUnit: Type.String(),
  description: Nullable(Type.String()),
  enabled: Type.Boolean(),
  next: Nullable(Type.String({ description: 'the next occurrence' })),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const OccurrenceBody = Type.Object({
  id: Type.Integer(),
  itemId: Type.Integer(),
  title: Type.String(),
  kind: StringEnum(WORK_KINDS),
  owner: Type.String(),
  orgUnit: Type.String(),
  scheduledAt: Type.String(),
  dueAt: Type.String(),
  status: StringEnum(OCCURRENCE_STATUSES),
  overdue: Type.Boolean(),
  result: Nullable(StringEnum(OCCURRENCE_RESULTS)),
  note: Nullable(Type.String()),
  scanId: Nullable(Type.Integer()),
  evidence: Nullable(Type.Object({ filename: Type.String(), size: Type.Integer(), sha256: Type.String() })),
  doneAt: Nullable(Type.String()),
  doneBy: Nullable(Type.String()),
  escalatedAt: Nullable(Type.String()),
});
const Figures = Type.Object({
  orgUnit: Type.String(),
  occurrences: Type.Object({ scheduled: Type.Integer(), onTime: Type.Integer(), late: Type.Integer(), skipped: Type.Integer(), overdue: Type.Integer(), notYetDue: Type.Integer(), onTimeRate: Nullable(Type.Number()) }),
  findings: Type.Object({ opened: Type.Integer(), closed: Type.Integer(), openAtEnd: Type.Integer(), overdueAtEnd: Type.Integer() }),
  meanDaysToFix: Type.Record(Type.String(), Nullable(Type.Number())),
});
const CampaignInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    kind: StringEnum(CAMPAIGN_KINDS),
    scopeOrgUnits: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 200 }),
    scopeAssets: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 2000, description: 'addresses and CIDR ranges' }),
    startsOn: Type.String({ maxLength: 10, description: 'yyyy-MM-dd' }),
    endsOn: Type.String({ maxLength: 10, description: 'yyyy-MM-dd' }),
    lead: Type.String({ minLength: 1, maxLength: 64, description: 'the username who leads it' }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
  },
  { additionalProperties: false },
);
const CampaignBody = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  kind: StringEnum(CAMPAIGN_KINDS),
  state: StringEnum(CAMPAIGN_STATES),
  scopeOrgUnits: Type.Array(Type.String()),
  scopeAssets: Type.Array(Type.String()),
  startsOn: Type.String(),
  endsOn: Type.String(),
  lead: Type.String(),
  description: Nullable(Type.String()),
  conclusion: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  closedBy: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  findings: Type.Object({ total: Type.Integer(), open: Type.Integer(), closed: Type.Integer(), accepted: Type.Integer() }),
  incidents: Type.Integer({ description: 'exercise incidents opened by this drill' }),
});
const HandFinding = Type.Object(
  {
    ip: Type.String({ minLength: 1, maxLength: 64 }),
    hostname: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    port: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 65535 }))),
    protocol: Type.Optional(Nullable(StringEnum(['tcp', 'udp'] as const))),
    checkId: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'the tester’s own id of the finding; the same id again is the same finding' }))),
    title: Type.String({ minLength: 1, maxLength: 500 }),
    severity: StringEnum(SEVERITIES),
    cvss: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 10 }))),
    cves: Type.Optional(Type.Array(Type.String({ maxLength: 30 }), { maxItems: 100 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
    solution: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
    evidence: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
  },
  { additionalProperties: false },
);
const ScanResult = Type.Object({ id: Type.Integer(), format: Type.String(), scanner: Type.String(), filename: Nullable(Type.String()), hosts: Type.Integer(), found: Type.Integer(), new: Type.Integer(), seen: Type.Integer(), reopened: Type.Integer(), closed: Type.Integer(), problems: Type.Array(Type.Object({ at: Type.String(), reason: Type.String() })) });
const PhaseReviewBody = Type.Object({ phase: StringEnum(WORKING_PHASES), deadline: Type.String(), finishedAt: Nullable(Type.String()), met: Nullable(Type.Boolean()), minutesOver: Nullable(Type.Integer()) });

async function sendReport(reply: Parameters<typeof sendBytes>[0], doc: ReportDocument, format: 'docx' | 'md', name: string) {
  if (format === 'md') return sendBytes(reply, { contentType: 'text/markdown; charset=utf-8', filename: `${name}.md`, bytes: Buffer.from(documentMarkdown(doc), 'utf8') });
  return sendBytes(reply, { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', filename: `${name}.docx`, bytes: await documentDocx(doc) });
}

export const periodicRoutes: FastifyPluginAsyncTypebox<{ work: WorkService; campaigns: CampaignService }> = async (app, { work, campaigns }) => {
  app.get(
    '/api/periodic/items',
    {
      config: { access: 'findings.read' },
      schema: { tags, summary: 'Recurring work items with their schedules and next occurrence', querystring: Type.Object({ orgUnit: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }), response: { 200: Type.Array(WorkItemBody), ...errorResponses } },
    },
    async (req) => work.items({ orgUnit: scopedOrgUnit(req, req.query.orgUnit) }),
  );

  app.post(
    '/api/periodic/items',
    {
      config: { access: 'findings.manage' },
      schema: { tags, summary: 'Plan recurring work: a schedule (RRULE from a local first time), owner, org unit and days to finish each occurrence; occurrences a quarter back and a month ahead are laid out at once', body: WorkItemInput, response: { 201: WorkItemBody, ...errorResponses } },
    },
    async (req, reply) => reply.code(201).send(await work.createItem(requireActor(req), { ...req.body, orgUnit: scopedOrgUnit(req, req.body.orgUnit)! })),
  );

  app.put(
    '/api/periodic/items/:id',
    {
      config: { access: 'findings.manage' },
      schema: { tags, summary: 'Change a work item (disable it with enabled: false); occurrences not yet due that the new schedule drops are removed', params: Id, body: WorkItemInput, response: { 200: WorkItemBody, ...errorResponses } },
    },
    async (req) => work.updateItem(requireActor(req), req.params.id, { ...req.body, orgUnit: scopedOrgUnit(req, req.body.orgUnit)! }),
  );

  app.get(
    '/api/periodic/occurrences',
    {
      config: { access: 'findings.read' },
      schema: {
        tags,
        summary: 'Occurrences of recurring work, the nearest due date first, with the total the filter finds',
        querystring: Type.Object(
          {
            item: Type.Optional(Type.Integer({ minimum: 1 })),
            status: Type.Optional(Type.String({ pattern: `^(${OCCURRENCE_STATUSES.join('|')})(,(${OCCURRENCE_STATUSES.join('|')}))*$` })),
            overdue: Type.Optional(Type.Boolean()),
            orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
            owner: Type.Optional(Type.String({ maxLength: 64 })),
            from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'scheduled at or after' })),
            to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'scheduled before' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(OccurrenceBody), total: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      return work.occurrences({ item: q.item, status: q.status?.split(',') as OccurrenceStatus[] | undefined, overdue: q.overdue, orgUnit: scopedOrgUnit(req, q.orgUnit), owner: q.owner, from: q.from && new Date(q.from).toISOString(), to: q.to && new Date(q.to).toISOString(), limit: q.limit ?? 100, offset: q.offset ?? 0 });
    },
  );

  app.patch(
    '/api/periodic/occurrences/:id',
    {
      config: { access: 'findings.manage' },
      schema: {
        tags,
        summary: 'End an occurrence — done with a result (passed, issues, failed), or skipped with a reason — or open it again; name the scan imported for it',
        params: Id,
        body: Type.Object(
          { status: StringEnum(OCCURRENCE_STATUSES), result: Type.Optional(Nullable(StringEnum(OCCURRENCE_RESULTS))), note: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))), scanId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))) },
          { additionalProperties: false },
        ),
        response: { 200: OccurrenceBody, ...errorResponses },
      },
    },
    async (req) => work.updateOccurrence(requireActor(req), req.params.id, req.body),
  );

  app.post(
    '/api/periodic/occurrences/:id/evidence',
    {
      config: { access: 'findings.manage' },
      schema: { tags, summary: 'Attach the evidence of an occurrence (multipart/form-data, field "file"): a report, a screenshot, a signed sheet. Stored with its SHA-256; a new file replaces the one named before.', params: Id, consumes: ['multipart/form-data'], response: { 201: OccurrenceBody, ...errorResponses, 413: Type.Ref('Error') } },
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw new DomainError('validation', 'send the file as multipart/form-data in a field named "file"', [{ in: 'headers', field: 'content-type', message: 'must be multipart/form-data' }]);
      const actor = requireActor(req);
      for await (const part of req.parts()) {
        if (part.type === 'field') continue;
        if (part.fieldname !== 'file') {
          part.file.resume();
          continue;
        }
        const file = part;
        return reply.code(201).send(await work.addEvidence(actor, req.params.id, { filename: file.filename || 'evidence.bin', stream: file.file, isTruncated: () => file.file.truncated }));
      }
      throw new DomainError('validation', 'no file: send it in a multipart field named "file"', [{ in: 'body', field: 'file', message: 'is required', rule: 'required' }]);
    },
  );

  app.get(
    '/api/periodic/occurrences/:id/evidence',
    { config: { access: 'findings.read' }, schema: { tags, summary: 'Download the evidence of an occurrence', params: Id } },
    async (req, reply) => sendDownload(reply, await work.openEvidence(req.params.id)),
  );

  app.get(
    '/api/periodic/quarter',
    {
      config: { access: 'findings.read' },
      schema: {
        tags,
        summary: 'The quarter view: per org unit, recurring work done on time, late, skipped, overdue; findings opened, closed, open and overdue at the end; mean days to fix by severity; what is overdue',
        querystring: Type.Object({ quarter: Type.Optional(Quarter), orgUnit: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            quarter: Type.String(),
            from: Type.String(),
            to: Type.String(),
            zone: Type.String(),
            unitNames: Type.Record(Type.String(), Type.String()),
            units: Type.Array(Figures),
            total: Figures,
            overdueWork: Type.Array(OccurrenceBody),
            overdueFindings: Type.Array(Type.Object({ ip: Type.String(), hostname: Nullable(Type.String()), title: Type.String(), severity: StringEnum(SEVERITIES), dueAt: Nullable(Type.String()), status: Type.String() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => work.quarter(req.query.quarter, scopedOrgUnit(req, req.query.orgUnit)),
  );

  app.get(
    '/api/periodic/quarter/report',
    {
      config: { access: 'findings.read' },
      schema: {
        tags,
        summary: 'The quarterly report of periodic work, as Word (.docx) or Markdown, in Chinese or English',
        querystring: Type.Object({ quarter: Type.Optional(Quarter), orgUnit: Type.Optional(Type.String({ maxLength: 32 })), format: Type.Optional(ReportFormat), locale: Type.Optional(StringEnum(REPORT_LOCALES)) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const orgUnit = scopedOrgUnit(req, req.query.orgUnit);
      const { document, quarter } = await work.quarterReport(req.query.quarter, orgUnit, req.query.locale ?? 'zh-CN');
      return sendReport(reply, document, req.query.format ?? 'docx', `periodic-${quarter}${orgUnit ? `-${orgUnit}` : ''}`);
    },
  );

  // ------------------------------------------------------------ campaigns

  app.get(
    '/api/campaigns',
    {
      config: { access: 'findings.read' },
      schema: { tags, summary: 'Special campaigns (专项行动), the latest start first, with their state and findings counted', querystring: Type.Object({ kind: Type.Optional(StringEnum(CAMPAIGN_KINDS)), orgUnit: Type.Optional(Type.String({ maxLength: 32, description: 'those whose scope names this org unit' })) }, { additionalProperties: false }), response: { 200: Type.Array(CampaignBody), ...errorResponses } },
    },
    async (req) => campaigns.list({ orgUnit: scopedOrgUnit(req, req.query.orgUnit), kind: req.query.kind }),
  );

  app.post(
    '/api/campaigns',
    { config: { access: 'findings.manage' }, schema: { tags, summary: 'Plan a campaign: kind, scope (org units, hosts and ranges), period, lead', body: CampaignInput, response: { 201: CampaignBody, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await campaigns.create(requireActor(req), req.body)),
  );

  app.get(
    '/api/campaigns/:id',
    { config: { access: 'findings.read' }, schema: { tags, summary: 'One campaign', params: Id, response: { 200: CampaignBody, ...errorResponses } } },
    async (req) => campaigns.get(req.params.id),
  );

  app.put(
    '/api/campaigns/:id',
    { config: { access: 'findings.manage' }, schema: { tags, summary: 'Change a campaign (not once closed)', params: Id, body: CampaignInput, response: { 200: CampaignBody, ...errorResponses } } },
    async (req) => campaigns.update(requireActor(req), req.params.id, req.body),
  );

  app.post(
    '/api/campaigns/:id/close',
    {
      config: { access: 'findings.manage' },
      schema: { tags, summary: 'Close a campaign with its conclusion', params: Id, body: Type.Object({ conclusion: Type.String({ minLength: 1, maxLength: 20000 }) }, { additionalProperties: false }), response: { 200: CampaignBody, ...errorResponses } },
    },
    async (req) => campaigns.close(requireActor(req), req.params.id, req.body.conclusion),
  );

  app.post(
    '/api/campaigns/:id/findings',
    {
      config: { access: 'findings.manage' },
      schema: {
        tags,
        summary: "Record findings by hand for a campaign (a penetration test's report, a sweep's results): tracked to closure like a scan's, closed by hand (no scan verifies them)",
        params: Id,
        body: Type.Object({ findings: Type.Array(HandFinding, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }),
        response: { 201: ScanResult, ...errorResponses },
      },
    },
    async (req, reply) => {
      return reply.code(201).send(await campaigns.recordFindings(requireActor(req), req.params.id, req.body.findings, branchOf(req.actor)));
    },
  );

  app.get(
    '/api/campaigns/:id/review',
    {
      config: { access: 'findings.read' },
      schema: {
        tags,
        summary: "A drill's review: each phase of each exercise incident it opened against its SLA deadline",
        params: Id,
        response: { 200: Type.Object({ incidents: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), level: Type.Integer(), phase: Type.String(), closedAt: Nullable(Type.String()), phases: Type.Array(PhaseReviewBody) })), met: Type.Integer(), missed: Type.Integer() }), ...errorResponses },
      },
    },
    async (req) => {
      return campaigns.review(req.params.id);
    },
  );

  app.get(
    '/api/campaigns/:id/report',
    {
      config: { access: 'findings.read' },
      schema: { tags, summary: "A campaign's summary report as Word (.docx) or Markdown, in Chinese or English: scope, period, findings by severity and state, a drill's review, the conclusion", params: Id, querystring: Type.Object({ format: Type.Optional(ReportFormat), locale: Type.Optional(StringEnum(REPORT_LOCALES)) }, { additionalProperties: false }) },
    },
    async (req, reply) => {
      return sendReport(reply, await campaigns.report(req.params.id, req.query.locale ?? 'zh-CN'), req.query.format ?? 'docx', `campaign-${req.params.id}`);
    },
  );
};
