/**
 * Reports: the organisation's header fields, the forms (incident report, support request,
 * closing report) drafted from an incident, and every exported version kept — the file in the content-addressed evidence store, its SHA-256
 * and the fields it was made from in `report_exports` — so what was sent stays provable.
 */
import type { OrgTimeZone } from '../settings/org-time-zone.js';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import type { SecretBox } from '../store/secret-box.js';
import { type DraftOptions, checkEdits, draftForm, FORM_KINDS, type FormKind, formMarkdown, FORMS, type FormReport, REPORT_LOCALES, type ReportHeader, type ReportLocale } from '../domain/report/forms.js';
import { writeAudit } from '../audit/audit.repository.js';
import type { EvidenceStore } from '../evidence/evidence.store.js';
import type { IncidentService } from '../incident/incident.service.js';
import { getSetting, putSetting } from '../settings/settings.repository.js';
import type { DB } from '../store/schema.js';

export const REPORT_FORMATS = ['docx', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
const HEADER_KEY = 'report_header';
const FIELD_MAX = 20_000;

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  md: 'text/markdown; charset=utf-8',
};

export interface ReportExport {
  id: number;
  incidentId: string;
  form: string;
  format: ReportFormat;
  locale: ReportLocale;
  version: number;
  sha256: string;
  size: number;
  filename: string;
  createdBy: string;
  createdAt: string;
  /** a support request that hands over access credentials (sealed; read with GET /api/reports/:id/credentials) */
  hasCredentials: boolean;
}

export class ReportService {
  /** who the forms name from the response organisation (the roster's): the reporter, how to reach them, the unit's contacts */
  contacts?: (orgUnit: string, username: string | undefined) => Promise<{ reporter?: string; contact?: string; contacts: string[] }>;
  /** the national grading of an incident, worded, for the regulatory forms (set by the app) */
  national?: (incident: { national: { level: number; category: string } | null }) => Promise<DraftOptions['national']>;

  private async zone(): Promise<string> {
    await this.timeZones.refresh(this.db);
    return this.timeZones.zone;
  }

  constructor(
    private readonly db: Kysely<DB>,
    private readonly incidents: IncidentService,
    private readonly files: EvidenceStore,
    private readonly now: () => Date,
    /** the organisation's zone in force (the settings'): every time on a form */
    private readonly timeZones: OrgTimeZone,
    /** seals the credentials a support request hands over */
    private readonly secrets: SecretBox,
  ) {}

  async header(): Promise<ReportHeader> {
    return (await getSetting<ReportHeader>(this.db, HEADER_KEY)) ?? { unitName: '', systems: [] };
  }

  async setHeader(actor: Actor, input: ReportHeader): Promise<ReportHeader> {
    requirePermission(actor, 'settings.write', 'change the report header');
    const unitName = input.unitName.trim();
    if (!unitName) throw validationError('unitName', 'is required: the unit name heads every report');
    const names = new Set<string>();
    for (const [i, s] of (input.systems ?? []).entries()) {
      if (!s.name.trim()) throw validationError(`systems/${i}/name`, 'is required');
      if (names.has(s.name.trim())) throw validationError(`systems/${i}/name`, `"${s.name}" is listed twice`);
      names.add(s.name.trim());
    }
    const header: ReportHeader = { unitName, reporter: input.reporter?.trim() || undefined, contact: input.contact?.trim() || undefined, systems: (input.systems ?? []).map((s) => ({ name: s.name.trim(), use: s.use.trim() })) };
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const before = await getSetting<ReportHeader>(trx, HEADER_KEY);
      await putSetting(trx, HEADER_KEY, header, at, actorLabel(actor));
      await writeAudit(trx, { actor, action: 'settings.report_header', entityType: 'settings', entityId: HEADER_KEY, before, after: header, at });
    });
    return header;
  }

  /** A form as it would be exported now, pre-filled from the incident, with `edits` applied. */
  async draft(actor: Actor, incidentId: string, form: FormKind, locale: ReportLocale = 'zh-CN', edits?: Record<string, string>): Promise<FormReport> {
    if (!FORM_KINDS.includes(form)) throw validationError('form', `must be one of ${FORM_KINDS.join(', ')}`);
    if (!REPORT_LOCALES.includes(locale)) throw validationError('locale', `must be one of ${REPORT_LOCALES.join(', ')}`);
    const problems = checkEdits(form, edits, FIELD_MAX);
    if (problems.length) throw new DomainError('validation', `${problems[0]!.field}: ${problems[0]!.message}`, problems);
    const incident = await this.incidents.get(incidentId);
    // the business system of a host detection named comes from the asset inventory
    const missing = incident.assets.filter((a) => !a.businessSystem && a.ip).map((a) => a.ip!);
    if (missing.length) {
      const known = new Map<string, string>();
      for (let i = 0; i < missing.length; i += 500) {
        for (const r of await this.db.selectFrom('assets').select(['ip', 'business_system']).where('ip', 'in', missing.slice(i, i + 500)).where('business_system', 'is not', null).execute()) known.set(r.ip, r.business_system!);
      }
      incident.assets = incident.assets.map((a) => (!a.businessSystem && a.ip && known.has(a.ip) ? { ...a, businessSystem: known.get(a.ip)! } : a));
    }
    const header = await this.header();
    const username = actor.kind === 'user' ? actor.username : undefined;
    // the organisation's people before the header's free text: the one exporting, else who is on duty
    const roster = await this.contacts?.(incident.orgUnit, username);
    return draftForm(form, incident, {
      header,
      locale,
      zone: await this.zone(),
      now: this.now().toISOString(),
      reporter: roster?.reporter ?? header.reporter ?? username,
      contact: roster?.reporter ? roster.contact : undefined,
      contacts: roster?.contacts,
      edits,
      national: await this.national?.(incident),
    });
  }

  /** Renders a form, keeps the file and its SHA-256 as a new version of that form, and returns the version. */
  async exportForm(actor: Actor, incidentId: string, form: FormKind, input: { format: ReportFormat; locale?: ReportLocale; fields?: Record<string, string>; credentials?: string }): Promise<ReportExport> {
    requirePermission(actor, 'incident.update', 'export reports');
    if (!REPORT_FORMATS.includes(input.format)) throw validationError('format', `must be one of ${REPORT_FORMATS.join(', ')}`);
    const credentials = input.credentials?.trim() || undefined;
    if (credentials && form !== 'support_request') throw validationError('credentials', 'only a support request hands over access credentials');
    const report = await this.draft(actor, incidentId, form, input.locale ?? 'zh-CN', input.fields);
    if (!report.fields.unitName?.trim()) throw validationError('fields/unitName', 'the unit name is empty: set the report header (PUT /api/report-header) or give fields.unitName');
    // the Word library is loaded on the first export (it is the largest module; most threads never need it)
    const bytes = input.format === 'docx' ? await (await import('./form.docx.js')).formDocx(report) : Buffer.from(formMarkdown(report), 'utf8');
    const stored = await this.files.put(Readable.from([bytes]));
    const at = this.now().toISOString();
    const label = FORMS[form].fileLabel;
    const id = await this.db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('report_exports').select((eb) => eb.fn.max('version').as('v')).where('incident_id', '=', incidentId).where('form', '=', form).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      const row = await trx
        .insertInto('report_exports')
        .values({
          incident_id: incidentId,
          form,
          format: input.format,
          locale: report.locale,
          version,
          sha256: stored.sha256,
          size: stored.size,
          content: JSON.stringify(report),
          created_by: actorLabel(actor),
          created_at: at,
          // sealed beside the export, never in the document (which says they are handed over separately)
          credentials: credentials ? this.secrets.seal(credentials) : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('timeline_entries')
        .values({ incident_id: incidentId, occurred_at: at, recorded_at: at, source: 'system', actor: actorLabel(actor), kind: 'report', text: `导出${label}第 ${version} 版（${input.format}，SHA-256 ${stored.sha256.slice(0, 16)}…）`, data: JSON.stringify({ export: Number(row.id), form, version, sha256: stored.sha256 }) })
        .execute();
      await writeAudit(trx, { actor, action: 'report.export', entityType: 'incident', entityId: incidentId, after: { form, format: input.format, version, sha256: stored.sha256, size: stored.size, credentialsSealed: !!credentials }, at });
      return Number(row.id);
    });
    return this.export(id);
  }

  /** The fields a kept version was made from, exactly as exported. */
  async exportContent(id: number): Promise<FormReport> {
    const row = await this.db.selectFrom('report_exports').select('content').where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('report export', id);
    return JSON.parse(row.content) as FormReport;
  }

  async exports(incidentId: string): Promise<ReportExport[]> {
    await this.incidents.get(incidentId);
    const rows = await this.db.selectFrom('report_exports').selectAll().where('incident_id', '=', incidentId).orderBy('id', 'desc').execute();
    return rows.map(present);
  }

  async export(id: number): Promise<ReportExport> {
    const row = await this.db.selectFrom('report_exports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('report export', id);
    return present(row);
  }

  /** The credentials a support request hands over, opened for one who may read them; each reading is audited. */
  async credentials(actor: Actor, id: number): Promise<{ credentials: string }> {
    requirePermission(actor, 'secrets.read', 'read handed-over credentials');
    const row = await this.db.selectFrom('report_exports').select(['incident_id', 'credentials']).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('report export', id);
    if (!row.credentials) throw new DomainError('not_found', `report export ${id} hands over no credentials`);
    const credentials = this.secrets.open(row.credentials);
    await writeAudit(this.db, { actor, action: 'report.credentials.read', entityType: 'report_export', entityId: id, after: { incidentId: row.incident_id }, at: this.now().toISOString() });
    return { credentials };
  }

  async open(id: number) {
    const e = await this.export(id);
    return { ...e, contentType: CONTENT_TYPES[e.format], stream: this.files.open(e.sha256) };
  }
}

function present(r: { id: number; incident_id: string; form: string; format: string; locale: string; version: number; sha256: string; size: number | string; created_by: string; created_at: string; credentials?: string | null }): ReportExport {
  const format = r.format as ReportFormat;
  return {
    id: Number(r.id),
    incidentId: r.incident_id,
    form: r.form,
    format,
    locale: r.locale as ReportLocale,
    version: Number(r.version),
    sha256: r.sha256,
    size: Number(r.size),
    filename: `${r.incident_id}-${FORMS[r.form as FormKind]?.fileLabel ?? r.form}-v${r.version}.${format}`,
    createdBy: r.created_by,
    createdAt: r.created_at,
    hasCredentials: !!r.credentials,
  };
}
