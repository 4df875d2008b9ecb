/**
 * Reports over REST: the organisation's header fields; the forms — incident report (事件上报表),
 * support request (技术支援申请单), emergency response report (应急处置报告单) — drafted from an
 * incident; their export as Word or Markdown (each version kept with its SHA-256), the list of
 * versions, their download and the fields each was made from.
 */
import { sendDownload } from '../http/download.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../http/auth.js';
import { StringEnum, errorResponses } from '../http/schemas.js';
import { FORM_KINDS, REPORT_LOCALES } from '../domain/report/forms.js';
import { REPORT_FORMATS, type ReportService } from './report.service.js';

const tags = ['reports'];
const Params = Type.Object({ id: Type.String({ maxLength: 40 }) });
const FormParams = Type.Object({ id: Type.String({ maxLength: 40 }), form: StringEnum(FORM_KINDS) });
const Loose = Type.Object({}, { additionalProperties: true });
const Header = Type.Object(
  {
    unitName: Type.String({ minLength: 1, maxLength: 200 }),
    reporter: Type.Optional(Type.String({ maxLength: 100 })),
    contact: Type.Optional(Type.String({ maxLength: 200 })),
    systems: Type.Optional(Type.Array(Type.Object({ name: Type.String({ maxLength: 200 }), use: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }), { maxItems: 500 })),
  },
  { additionalProperties: false },
);
const Fields = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 20_000 }), { description: 'field key → text; keys not on the form are refused' });
const Export = Type.Object({
  id: Type.Integer(),
  incidentId: Type.String(),
  form: Type.String(),
  format: Type.String(),
  locale: Type.String(),
  version: Type.Integer(),
  sha256: Type.String(),
  size: Type.Integer(),
  filename: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  hasCredentials: Type.Boolean({ description: 'a support request that hands over access credentials, sealed at rest: GET /api/reports/{exportId}/credentials' }),
});

export const reportRoutes: FastifyPluginAsyncTypebox<{ reports: ReportService }> = async (app, { reports }) => {
  app.get('/api/report-header', { config: { access: 'settings.read' }, schema: { tags, summary: 'The organisation header of every report (unit name, reporter, contact, information systems and their use)', response: { 200: Loose } } }, async () =>
    reports.header(),
  );
  app.put(
    '/api/report-header',
    { config: { access: 'settings.write' }, schema: { tags, summary: 'Set the organisation header of every report', body: Header, response: { 200: Loose, ...errorResponses } } },
    async (req) => reports.setHeader(requireActor(req), req.body),
  );

  app.get(
    '/api/incidents/:id/reports/:form',
    {
      config: { access: 'incident.read' },
      schema: {
        tags,
        summary: 'A form drafted from the incident, as it would be exported now: incident_report (事件上报表), support_request (技术支援申请单) or closing (应急处置报告单)',
        params: FormParams,
        querystring: Type.Object({ locale: Type.Optional(StringEnum(REPORT_LOCALES)) }),
        response: { 200: Loose, ...errorResponses },
      },
    },
    async (req) => reports.draft(requireActor(req), req.params.id, req.params.form, req.query.locale),
  );

  app.post(
    '/api/incidents/:id/reports/:form',
    {
      config: { access: 'incident.update' },
      schema: {
        tags,
        summary: 'Export a form as Word (.docx) or Markdown, with edited fields; the file is kept as a new version of that form with its SHA-256',
        params: FormParams,
        body: Type.Object(
          {
            format: StringEnum(REPORT_FORMATS),
            locale: Type.Optional(StringEnum(REPORT_LOCALES)),
            fields: Type.Optional(Fields),
            credentials: Type.Optional(
              Type.String({ maxLength: 4000, description: 'support requests only: the access credentials handed over to the support team — sealed at rest (AES-GCM), never written into the document, read back only by the command group (audited)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Export, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await reports.exportForm(requireActor(req), req.params.id, req.params.form, req.body)),
  );

  app.get(
    '/api/incidents/:id/reports',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'Every exported report version of the incident, newest first', params: Params, response: { 200: Type.Array(Export), ...errorResponses } } },
    async (req) => reports.exports(req.params.id),
  );

  app.get(
    '/api/reports/:exportId',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'The fields and appendices an exported version was made from, exactly as exported', params: Type.Object({ exportId: Type.Integer({ minimum: 1 }) }), response: { 200: Loose, ...errorResponses } } },
    async (req) => reports.exportContent(req.params.exportId),
  );

  app.get(
    '/api/reports/:exportId/credentials',
    {
      config: { access: 'secrets.read' },
      schema: {
        tags,
        summary: 'The access credentials a support request hands over, opened for the command group; every reading is audited',
        params: Type.Object({ exportId: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Object({ credentials: Type.String() }), ...errorResponses },
      },
    },
    async (req) => reports.credentials(requireActor(req), req.params.exportId),
  );

  app.get(
    '/api/reports/:exportId/download',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'Download an exported report version, byte for byte as exported', params: Type.Object({ exportId: Type.Integer({ minimum: 1 }) }) } },
    async (req, reply) => {
      const e = await reports.open(req.params.exportId);
      return sendDownload(reply, e);
    },
  );
};
