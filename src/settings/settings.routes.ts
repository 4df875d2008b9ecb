/** Preparation data over REST: grading table, SLA policy, playbooks, org units, export/import. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../http/auth.js';
import { Nullable, Tier, errorResponses } from '../http/schemas.js';
import type { SettingsService } from './settings.service.js';
import { MAX_SOURCE_ZONES } from '../domain/alert/time-zone.js';

const GradingEntry = Type.Object(
  { type: Type.String({ minLength: 1, maxLength: 63 }), nameZh: Type.String({ minLength: 1, maxLength: 100 }), nameEn: Type.String({ minLength: 1, maxLength: 100 }), level: Type.Integer({ minimum: 1, maximum: 4 }) },
  { additionalProperties: false },
);
const GradingTable = Type.Object({ version: Type.Integer(), entries: Type.Array(GradingEntry), note: Nullable(Type.String()), createdAt: Type.String(), createdBy: Type.String() });
const PhaseMinutes = Type.Object(
  { discovery: Type.Integer(), report: Type.Integer(), analysis: Type.Integer(), handling: Type.Integer(), summary: Type.Integer() },
  { additionalProperties: false },
);
const SlaPolicy = Type.Object(
  {
    levels: Type.Object({ '1': Tier, '2': Tier, '3': Tier, '4': Tier }, { additionalProperties: false }),
    tiers: Type.Object({ hour: PhaseMinutes, day: PhaseMinutes, week: PhaseMinutes, month: PhaseMinutes }, { additionalProperties: false }),
  },
  { additionalProperties: false, description: 'level → tier; tier → minutes from detection by which each phase must be finished' },
);
const PlaybookTask = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 80 }),
    phase: Type.String(),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    titleEn: Type.Optional(Type.String({ maxLength: 300 })),
    mandatory: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Playbook = Type.Object({ level: Type.Optional(Type.Integer()), name: Type.String({ minLength: 1, maxLength: 200 }), tasks: Type.Array(PlaybookTask, { maxItems: 200 }) }, { additionalProperties: false });
const OrgUnit = Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }), name: Type.String({ minLength: 1, maxLength: 100 }), kind: Type.Union([Type.Literal('hq'), Type.Literal('branch')]) }, { additionalProperties: false });
const SourceZone = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "syslog header's host name, or the host's address" })),
    product: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'device vendor or product as it names itself (CEF vendor/product, HFish, BIND, a JSON mapping)' })),
    zone: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
const TimeZoneSetting = Type.Object(
  { zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Shanghai' }), sources: Type.Array(SourceZone, { maxItems: MAX_SOURCE_ZONES }) },
  { additionalProperties: false, description: 'the organisation\'s zone (device times without an offset, incident ids, every time on a form) and the sources that keep another' },
);
const tags = ['settings'];

export const settingsRoutes: FastifyPluginAsyncTypebox<{ settings: SettingsService }> = async (app, { settings }) => {
  app.get(
    '/api/settings/time-zone',
    {
      config: { access: 'settings.read' },
      schema: {
        tags,
        summary: 'The time zone in force, and where it comes from (settings, configuration, or the machine — unchosen)',
        response: { 200: Type.Object({ ...TimeZoneSetting.properties, from: Type.Union([Type.Literal('settings'), Type.Literal('configured'), Type.Literal('machine')]) }), ...errorResponses },
      },
    },
    async () => {
      const { setting, from } = await settings.timeZoneInForce();
      return { ...setting, from };
    },
  );
  app.put(
    '/api/settings/time-zone',
    { config: { access: 'settings.write' }, schema: { tags, summary: "Set the organisation's zone and per-source overrides (intake reads them at its next batch)", body: TimeZoneSetting, response: { 200: TimeZoneSetting, ...errorResponses } } },
    async (req) => settings.setTimeZone(requireActor(req), req.body),
  );

  app.get('/api/grading', { config: { access: 'settings.read' }, schema: { tags, summary: 'The current grading table', response: { 200: GradingTable, ...errorResponses } } }, async () => settings.grading());

  app.get(
    '/api/grading/versions',
    {
      config: { access: 'settings.read' },
      schema: { tags, summary: 'Every version of the grading table', response: { 200: Type.Array(Type.Object({ version: Type.Integer(), note: Nullable(Type.String()), createdAt: Type.String(), createdBy: Type.String() })), ...errorResponses } },
    },
    async () => settings.gradingHistory(),
  );

  app.get(
    '/api/grading/versions/:version',
    { config: { access: 'settings.read' }, schema: { tags, summary: 'One version of the grading table', params: Type.Object({ version: Type.Integer({ minimum: 1 }) }), response: { 200: GradingTable, ...errorResponses } } },
    async (req) => settings.gradingAt(req.params.version),
  );

  app.put(
    '/api/grading',
    {
      config: { access: 'settings.write' },
      schema: {
        tags,
        summary: 'Replace the grading table; makes a new version (incidents keep the version that graded them)',
        body: Type.Object({ entries: Type.Array(GradingEntry, { minItems: 1, maxItems: 200 }), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: GradingTable, ...errorResponses },
      },
    },
    async (req) => settings.setGrading(requireActor(req), req.body.entries.map((e) => ({ ...e, level: e.level as 1 | 2 | 3 | 4 })), req.body.note ?? null),
  );

  app.get('/api/sla', { config: { access: 'settings.read' }, schema: { tags, summary: 'Priority tiers and phase deadlines', response: { 200: SlaPolicy, ...errorResponses } } }, async () => settings.sla());
  app.put(
    '/api/sla',
    { config: { access: 'settings.write' }, schema: { tags, summary: 'Set priority tiers and phase deadlines (applies to incidents graded from now on)', body: SlaPolicy, response: { 200: SlaPolicy, ...errorResponses } } },
    async (req) => settings.setSla(requireActor(req), req.body),
  );

  app.get(
    '/api/playbooks',
    { config: { access: 'settings.read' }, schema: { tags, summary: 'The playbook of each level', response: { 200: Type.Record(Type.String(), Playbook), ...errorResponses } } },
    async () => settings.playbooks(),
  );
  app.put(
    '/api/playbooks/:level',
    {
      config: { access: 'settings.write' },
      schema: { tags, summary: "Replace one level's playbook (applies to incidents created or re-graded from now on)", params: Type.Object({ level: Type.Integer({ minimum: 1, maximum: 4 }) }), body: Playbook, response: { 200: Playbook, ...errorResponses } },
    },
    async (req) => settings.setPlaybook(requireActor(req), req.params.level, req.body),
  );

  app.get('/api/org-units', { config: { access: 'settings.read' }, schema: { tags, summary: 'HQ and branches', response: { 200: Type.Array(OrgUnit), ...errorResponses } } }, async () => settings.orgUnits());
  app.put(
    '/api/org-units/:code',
    {
      config: { access: 'settings.write' },
      schema: { tags, summary: 'Add or rename an org unit', params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }) }), body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), kind: Type.Union([Type.Literal('hq'), Type.Literal('branch')]) }, { additionalProperties: false }), response: { 200: OrgUnit, ...errorResponses } },
    },
    async (req) => settings.saveOrgUnit(requireActor(req), { code: req.params.code, ...req.body }),
  );

  app.get(
    '/api/settings/export',
    { config: { access: 'settings.read' }, schema: { tags, summary: 'All settings as one document (import it elsewhere)', response: { 200: Type.Unknown(), ...errorResponses } } },
    async () => settings.exportAll(),
  );
  app.post(
    '/api/settings/import',
    {
      config: { access: 'settings.write' },
      schema: { tags, summary: 'Apply a settings document; validated whole before anything is written', body: Type.Object({}, { additionalProperties: true }), response: { 200: Type.Object({ changed: Type.Array(Type.String()) }), ...errorResponses } },
    },
    async (req) => ({ changed: await settings.importAll(requireActor(req), req.body) }),
  );
};
