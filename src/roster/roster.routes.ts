/**
 * The response organisation and the duty roster over REST (issue 15): teams with their members;
 * shifts listed, imported from a sheet (CSV or .xlsx, as the file came), exported the same way,
 * handed over with a note; who is on duty now.
 */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../http/auth.js';
import { sendBytes } from '../http/download.js';
import { scopedOrgUnit } from '../http/scope.js';
import { DateTime, Nullable, StringEnum, errorResponses } from '../http/schemas.js';
import { DUTY_ROLES, MEMBER_DUTIES, TEAM_KINDS } from '../domain/roster/roster.js';
import { branchOf } from '../store/scope.js';
import type { RosterService } from './roster.service.js';

const tags = ['roster'];
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Member = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    username: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'their account, when they have one' }))),
    duty: StringEnum(MEMBER_DUTIES),
    position: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
    email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
    im: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'WeCom, DingTalk or another IM account' }))),
  },
  { additionalProperties: false },
);
/** a team as written (the API's body, and the CLI's document) */
export const TeamInput = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), kind: StringEnum(TEAM_KINDS), orgUnit: Type.String({ minLength: 1, maxLength: 32 }), description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))), members: Type.Array(Member, { maxItems: 200 }) },
  { additionalProperties: false },
);
const TeamBody = Type.Object({ id: Type.Integer(), name: Type.String(), kind: StringEnum(TEAM_KINDS), orgUnit: Type.String(), description: Nullable(Type.String()), members: Type.Array(Type.Object({ name: Type.String(), username: Nullable(Type.String()), duty: StringEnum(MEMBER_DUTIES), position: Nullable(Type.String()), phone: Nullable(Type.String()), email: Nullable(Type.String()), im: Nullable(Type.String()) })), updatedAt: Type.String() });
const ShiftBody = Type.Object({ id: Type.Integer(), orgUnit: Type.String(), role: StringEnum(DUTY_ROLES), startsAt: Type.String(), endsAt: Type.String(), name: Type.String(), username: Nullable(Type.String()), phone: Nullable(Type.String()), email: Nullable(Type.String()), handoverNote: Nullable(Type.String()), handedOverAt: Nullable(Type.String()), handedOverBy: Nullable(Type.String()) });
const Period = { from: Type.Optional(DateTime({ description: 'default: now' })), to: Type.Optional(DateTime({ description: 'default: two weeks after from' })), orgUnit: Type.Optional(Type.String({ maxLength: 32 })) };

function period(q: { from?: string; to?: string }) {
  const from = q.from ? new Date(q.from) : new Date(Date.now() - 86_400_000);
  const to = q.to ? new Date(q.to) : new Date(from.getTime() + 15 * 86_400_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

export const rosterRoutes: FastifyPluginAsyncTypebox<{ roster: RosterService; bodyLimit: number }> = async (app, { roster, bodyLimit }) => {
  app.get(
    '/api/teams',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'The response organisation: teams (指挥组, 监控组, 分析组, 处置组, 专家组, branch contacts) with their members', querystring: Type.Object({ orgUnit: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }), response: { 200: Type.Array(TeamBody), ...errorResponses } } },
    async (req) => roster.teams(scopedOrgUnit(req, req.query.orgUnit)),
  );
  app.post(
    '/api/teams',
    { config: { access: 'roster.manage' }, schema: { tags, summary: 'Add a team with its members', body: TeamInput, response: { 201: TeamBody, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await roster.saveTeam(requireActor(req), undefined, req.body)),
  );
  app.put(
    '/api/teams/:id',
    { config: { access: 'roster.manage' }, schema: { tags, summary: 'Change a team; the members given replace those there were', params: Id, body: TeamInput, response: { 200: TeamBody, ...errorResponses } } },
    async (req) => roster.saveTeam(requireActor(req), req.params.id, req.body),
  );
  app.delete(
    '/api/teams/:id',
    { config: { access: 'roster.manage' }, schema: { tags, summary: 'Remove a team', params: Id, response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses } } },
    async (req) => {
      await roster.deleteTeam(requireActor(req), req.params.id);
      return { removed: req.params.id };
    },
  );

  app.get(
    '/api/duty/now',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'Who is on duty now, per org unit and duty role', querystring: Type.Object({ orgUnit: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }), response: { 200: Type.Array(ShiftBody), ...errorResponses } } },
    async (req) => roster.onDuty(scopedOrgUnit(req, req.query.orgUnit)),
  );
  app.get(
    '/api/duty/shifts',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'The duty roster (值班表) of a period, in time order', querystring: Type.Object(Period, { additionalProperties: false }), response: { 200: Type.Array(ShiftBody), ...errorResponses } } },
    async (req) => roster.shifts({ ...period(req.query), orgUnit: scopedOrgUnit(req, req.query.orgUnit) }),
  );
  app.get(
    '/api/duty/shifts/export',
    { config: { access: 'incident.read' }, schema: { tags, summary: 'The duty roster of a period as a sheet to edit and import again: CSV (UTF-8 with BOM) or Excel .xlsx', querystring: Type.Object({ ...Period, format: Type.Optional(StringEnum(['csv', 'xlsx'] as const, { default: 'xlsx' })) }, { additionalProperties: false }) } },
    async (req, reply) => {
      const format = req.query.format ?? 'xlsx';
      const p = period(req.query);
      const bytes = await roster.exportShifts({ ...p, orgUnit: scopedOrgUnit(req, req.query.orgUnit) }, format);
      return sendBytes(reply, { contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `值班表-${p.from.slice(0, 10)}.${format}`, bytes });
    },
  );
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/duty/shifts/import',
      {
        bodyLimit,
        config: { access: 'roster.manage' },
        schema: {
          tags,
          summary: 'Import the duty roster from a sheet as it was saved: CSV (UTF-8 or GBK) or Excel .xlsx, columns 日期/date, 开始/start, 结束/end, 岗位/role (指挥, 监控, 分析, 处置, 专家), 姓名/name and optionally 用户名/username, 电话/phone, 邮箱/email, 机构/org_unit. A night shift ending before it starts ends the next day; rows that cannot be read are named, the rest kept; a shift imported before is not filed twice.',
          querystring: Type.Object({ orgUnit: Type.Optional(Type.String({ maxLength: 32, description: 'the org unit of rows that name none (default HQ)' })) }, { additionalProperties: false }),
          consumes: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'],
          response: { 201: Type.Object({ imported: Type.Integer(), unchanged: Type.Integer(), problems: Type.Array(Type.Object({ row: Type.Integer(), field: Type.String(), reason: Type.String(), rule: Type.String(), params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))) })) }), ...errorResponses },
        },
      },
      async (req, reply) => reply.code(201).send(await roster.importShifts(requireActor(req), Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), { orgUnit: req.query.orgUnit, branch: branchOf(req.actor) })),
    );
  });
  app.post(
    '/api/duty/shifts/:id/handover',
    { config: { access: 'incident.update' }, schema: { tags, summary: 'Hand a shift over: what the next shift must know', params: Id, body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false }), response: { 200: ShiftBody, ...errorResponses } } },
    async (req) => roster.handover(requireActor(req), req.params.id, req.body.note),
  );
  app.delete(
    '/api/duty/shifts/:id',
    { config: { access: 'roster.manage' }, schema: { tags, summary: 'Remove a shift from the roster', params: Id, response: { 200: Type.Object({ removed: Type.Integer() }), ...errorResponses } } },
    async (req) => {
      await roster.removeShift(requireActor(req), req.params.id);
      return { removed: req.params.id };
    },
  );
};
