/**
 * Findings of scans and checks (issue 15, periodic work): a scan file imported — its findings
 * matched to what earlier scans found (one check on one host and port is one finding), new ones
 * opened with a due date by severity, returning ones reopened, and what a scanned host no longer
 * shows verified — each finding placed in its org unit by the network zones and named by the
 * inventory; then worked by hand to closure or accepted as a risk. One transaction per import.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { writeAudit } from '../audit/audit.repository.js';
import { type Actor, actorLabel, requirePermission } from '../domain/account/roles.js';
import { ZoneMap, parseIp } from '../domain/alert/network.js';
import { DomainError, notFound, validationError } from '../domain/errors.js';
import { type FindingStatus, FINDING_STATUSES, OPEN_STATUSES, afterScan, checkMove, dueAt, movesFrom } from '../domain/findings/finding.js';
import { type ParsedScan, type ScanFormat, type Severity, SEVERITIES, findingKey, parseScan } from '../domain/findings/scan.js';
import { containsText } from '../store/like.js';
import { decodeFileText } from '../domain/text.js';
import type { DB, FindingRow } from '../store/schema.js';
import { readNetworkZones } from '../settings/settings.service.js';

export interface Finding {
  id: number;
  kind: string;
  source: string;
  checkId: string;
  ip: string;
  hostname: string | null;
  port: number | null;
  protocol: string | null;
  orgUnit: string | null;
  title: string;
  severity: Severity;
  cvss: number | null;
  cves: string[];
  description: string | null;
  solution: string | null;
  evidence: string | null;
  status: FindingStatus;
  /** where a person may move it from here */
  moves: readonly FindingStatus[];
  statusNote: string | null;
  statusBy: string | null;
  statusAt: string;
  acceptedUntil: string | null;
  dueAt: string | null;
  overdue: boolean;
  firstSeen: string;
  lastSeen: string;
  closedAt: string | null;
  reopened: number;
  incidentId: string | null;
  /** the campaign that found it */
  campaignId: number | null;
}

/** a finding a person records (a penetration test's, say) */
export interface HandFinding {
  ip: string;
  hostname?: string | null;
  port?: number | null;
  protocol?: 'tcp' | 'udp' | null;
  checkId?: string | null;
  title: string;
  severity: Severity;
  cvss?: number | null;
  cves?: string[];
  description?: string | null;
  solution?: string | null;
  evidence?: string | null;
}

/** what is filed: a scan file read, or findings recorded by hand (`manual`) */
type ParsedFindings = Omit<ParsedScan, 'format'> & { format: ScanFormat | 'manual' };

export interface ScanImport {
  id: number;
  format: ScanFormat | 'manual';
  scanner: string;
  filename: string | null;
  hosts: number;
  /** findings in the file; new, seen again, reopened, closed (no longer found on a scanned host) */
  found: number;
  new: number;
  seen: number;
  reopened: number;
  closed: number;
  problems: Array<{ at: string; reason: string }>;
}

export interface FindingQuery {
  status?: FindingStatus[];
  severity?: Severity[];
  orgUnit?: string;
  /** a branch user's list */
  branch?: string;
  ip?: string;
  q?: string;
  overdue?: boolean;
  scan?: number;
  /** the findings on an incident's affected hosts, and those it exploited */
  incident?: string;
  campaign?: number;
  limit: number;
  offset: number;
}

const SEVERITY_ORDER = `case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`;

export class FindingService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Reads a scan file (`format` forced, else recognised) and files its findings (for a campaign, when named). */
  async importScan(actor: Actor, content: Uint8Array, opts: { filename?: string; format?: ScanFormat; orgUnit?: string; branch?: string; campaignId?: number } = {}): Promise<ScanImport> {
    requirePermission(actor, 'findings.manage', 'import scans');
    // a baseline CSV saved by Excel on Chinese Windows is GBK; XML is UTF-8 as its declaration says
    const text = decodeFileText(Buffer.from(content.buffer, content.byteOffset, content.byteLength)).text;
    if (!text.trim()) throw validationError('file', 'the file is empty', 'blank');
    const parsed = parseScan(text, opts.format);
    const sha256 = createHash('sha256').update(content).digest('hex');
    return this.fileParsed(actor, parsed, { ...opts, sha256 });
  }

  /**
   * Findings a person records (a penetration test's, a phishing test's, a sweep's): filed like a
   * scan's — one "scan" of format `manual` holding them — but no later scan verifies them and
   * leaving one out of a later list closes nothing: they are worked to closure by hand.
   */
  async recordByHand(actor: Actor, items: HandFinding[], opts: { campaignId?: number; orgUnit?: string; branch?: string; reporter?: string }): Promise<ScanImport> {
    requirePermission(actor, 'findings.manage', 'record findings');
    if (!items.length) throw validationError('findings', 'name at least one finding', 'minItems', { limit: 1 });
    const parsed: ParsedFindings = { format: 'manual', scanner: (opts.reporter ?? actorLabel(actor)).slice(0, 200), hosts: [], findings: [], problems: [] };
    for (const [i, f] of items.entries()) {
      const ip = parseIp(f.ip.trim());
      if (!ip) throw validationError(`findings/${i}/ip`, `"${f.ip.slice(0, 64)}" is not an IP address`, 'ip');
      const title = f.title.trim();
      if (!title) throw validationError(`findings/${i}/title`, 'is required', 'blank');
      const address = ip.toString();
      parsed.hosts.push({ ip: address, hostname: f.hostname?.trim() || undefined });
      parsed.findings.push({
        ip: address,
        hostname: f.hostname?.trim() || undefined,
        port: f.port ?? undefined,
        protocol: f.port ? (f.protocol ?? 'tcp') : undefined,
        kind: 'vulnerability',
        checkId: `manual:${opts.campaignId ?? '-'}:${(f.checkId?.trim() || title).slice(0, 200)}`,
        title,
        severity: f.severity,
        cvss: f.cvss ?? undefined,
        cves: [...new Set((f.cves ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean))],
        description: f.description?.trim() || undefined,
        solution: f.solution?.trim() || undefined,
        evidence: f.evidence?.trim() || undefined,
      });
    }
    const sha256 = createHash('sha256').update(JSON.stringify(items)).digest('hex');
    return this.fileParsed(actor, parsed, { ...opts, sha256 });
  }

  private async fileParsed(actor: Actor, parsed: ParsedFindings, opts: { sha256: string; filename?: string; orgUnit?: string; branch?: string; campaignId?: number }): Promise<ScanImport> {
    const zones = new ZoneMap(await readNetworkZones(this.db));
    if (opts.branch) {
      // a branch files findings of its own hosts only: another branch's are named and left out
      const outside = new Set(parsed.hosts.filter((h) => (zones.describe(h.ip).org_unit ?? opts.branch) !== opts.branch).map((h) => h.ip));
      if (outside.size && outside.size === parsed.hosts.length) throw validationError('file', `none of the scanned hosts is in your branch ${opts.branch}`, 'otherBranch', { branch: opts.branch });
      for (const ip of outside) parsed.problems.push({ at: ip, reason: `not in your branch ${opts.branch}: left out` });
      parsed.hosts = parsed.hosts.filter((h) => !outside.has(h.ip));
      parsed.findings = parsed.findings.filter((f) => !outside.has(f.ip));
    }
    if (parsed.hosts.length === 0) throw validationError('file', `the ${parsed.format} file names no host that was scanned${parsed.problems.length ? `; first problem: ${parsed.problems[0]!.reason}` : ''}`, 'noHosts');
    if (opts.campaignId !== undefined) {
      const campaign = await this.db.selectFrom('campaigns').select('closed_at').where('id', '=', opts.campaignId).executeTakeFirst();
      if (!campaign) throw validationError('campaign', `no campaign ${opts.campaignId}`, 'unknownCampaign', { id: opts.campaignId });
      if (campaign.closed_at) throw new DomainError('conflict', `campaign ${opts.campaignId} is closed`, { reason: 'campaignClosed', id: opts.campaignId });
    }
    return this.db.transaction().execute((trx) => this.file(trx, actor, parsed, { sha256: opts.sha256, zones, filename: opts.filename, orgUnit: opts.orgUnit, campaignId: opts.campaignId }));
  }

  private async file(trx: Kysely<DB>, actor: Actor, parsed: ParsedFindings, c: { sha256: string; zones: ZoneMap; filename?: string; orgUnit?: string; campaignId?: number }): Promise<ScanImport> {
    const now = this.now();
    const at = now.toISOString();
    const seenAt = parsed.finishedAt ?? parsed.startedAt ?? at;
    const scan = await trx
      .insertInto('scans')
      .values({ format: parsed.format, scanner: parsed.scanner.slice(0, 200), filename: c.filename?.slice(0, 255) ?? null, sha256: c.sha256, org_unit: c.orgUnit ?? null, started_at: parsed.startedAt ?? null, imported_at: at, imported_by: actorLabel(actor), hosts: parsed.hosts.length, summary: '{}', campaign_id: c.campaignId ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const scanId = Number(scan.id);
    const names = new Map<string, string>();
    for (let i = 0; i < parsed.hosts.length; i += 500) {
      for (const a of await trx.selectFrom('assets').select(['ip', 'hostname']).where('ip', 'in', parsed.hosts.slice(i, i + 500).map((h) => h.ip)).execute()) if (a.hostname) names.set(a.ip, a.hostname);
    }
    // the same check on the same host may appear twice in one file (two scan passes): counted once
    const byKey = new Map(parsed.findings.map((f) => [findingKey(f), f]));
    const counts = { found: byKey.size, new: 0, seen: 0, reopened: 0, closed: 0 };
    const known = new Map<string, FindingRow>();
    const hostIps = [...new Set(parsed.hosts.map((h) => h.ip))];
    for (let i = 0; i < hostIps.length; i += 500) {
      // every finding of the same kinds on the hosts this scan looked at: found again, or gone
      for (const r of await trx.selectFrom('findings').selectAll().where('ip', 'in', hostIps.slice(i, i + 500)).where('source', '=', parsed.format).execute()) known.set(r.key, r);
    }
    for (const [key, f] of byKey) {
      const row = known.get(key);
      if (!row) {
        await trx
          .insertInto('findings')
          .values({
            key,
            kind: f.kind,
            source: parsed.format,
            check_id: f.checkId.slice(0, 300),
            ip: f.ip,
            hostname: (f.hostname ?? names.get(f.ip) ?? null)?.slice(0, 255) ?? null,
            port: f.port ?? null,
            protocol: f.protocol ?? null,
            org_unit: c.zones.describe(f.ip).org_unit ?? c.orgUnit ?? null,
            title: f.title.slice(0, 500),
            severity: f.severity,
            cvss: f.cvss ?? null,
            cves: JSON.stringify(f.cves.slice(0, 100)),
            description: f.description ?? null,
            solution: f.solution ?? null,
            evidence: f.evidence ?? null,
            status: 'open',
            status_note: null,
            status_by: null,
            status_at: at,
            accepted_until: null,
            due_at: dueAt(f.severity, now),
            first_seen: seenAt,
            last_seen: seenAt,
            first_scan_id: scanId,
            last_scan_id: scanId,
            closed_at: null,
            incident_id: null,
            created_at: at,
            campaign_id: c.campaignId ?? null,
          })
          .execute();
        counts.new++;
        continue;
      }
      // a scan older than what is known of the finding (a file imported late) says nothing about now
      if (seenAt < row.last_seen) {
        counts.seen++;
        continue;
      }
      const next = afterScan(row.status as FindingStatus, true, row.accepted_until, now);
      const reopened = next.outcome === 'reopened';
      await trx
        .updateTable('findings')
        .set({
          last_seen: seenAt,
          last_scan_id: scanId,
          severity: f.severity,
          cvss: f.cvss ?? null,
          title: f.title.slice(0, 500),
          evidence: f.evidence ?? null,
          ...(c.campaignId !== undefined && row.campaign_id === null ? { campaign_id: c.campaignId } : {}),
          ...(reopened ? { status: 'open', status_note: `scan #${scanId} found it again`, status_by: actorLabel(actor), status_at: at, closed_at: null, accepted_until: null, due_at: dueAt(f.severity, now), reopened: row.reopened + 1 } : {}),
        })
        .where('id', '=', row.id)
        .execute();
      if (reopened) counts.reopened++;
      else counts.seen++;
    }
    // what a person recorded by hand is closed by hand: a later list that leaves it out says nothing
    for (const [key, row] of parsed.format === 'manual' ? [] : known) {
      if (byKey.has(key) || seenAt < row.last_seen) continue;
      const next = afterScan(row.status as FindingStatus, false, row.accepted_until, now);
      if (next.outcome !== 'closed') continue;
      await trx.updateTable('findings').set({ status: 'verified', status_note: `scan #${scanId} no longer finds it`, status_by: actorLabel(actor), status_at: at, closed_at: at, last_scan_id: scanId }).where('id', '=', row.id).execute();
      counts.closed++;
    }
    const problems = parsed.problems.slice(0, 1000);
    await trx.updateTable('scans').set({ summary: JSON.stringify({ ...counts, problems: problems.length }) }).where('id', '=', scanId).execute();
    await writeAudit(trx, { actor, action: 'scan.import', entityType: 'scan', entityId: String(scanId), after: { format: parsed.format, filename: c.filename ?? null, sha256: c.sha256, hosts: parsed.hosts.length, ...counts, problems: problems.length }, at });
    return { id: scanId, format: parsed.format, scanner: parsed.scanner, filename: c.filename ?? null, hosts: parsed.hosts.length, ...counts, problems };
  }

  async list(q: FindingQuery): Promise<{ items: Finding[]; total: number }> {
    const at = this.now().toISOString();
    let query = this.db.selectFrom('findings');
    if (q.status?.length) query = query.where('status', 'in', q.status);
    if (q.severity?.length) query = query.where('severity', 'in', q.severity);
    if (q.orgUnit) query = query.where('org_unit', '=', q.orgUnit);
    if (q.branch) query = query.where('org_unit', '=', q.branch);
    if (q.ip) query = query.where('ip', '=', q.ip);
    if (q.scan !== undefined) query = query.where((eb) => eb.or([eb('first_scan_id', '=', q.scan!), eb('last_scan_id', '=', q.scan!)]));
    if (q.incident !== undefined) {
      const id = q.incident;
      query = query.where((eb) => eb.or([eb('incident_id', '=', id), eb('ip', 'in', eb.selectFrom('affected_assets').select('ip').where('incident_id', '=', id).where('ip', 'is not', null))]));
    }
    if (q.campaign !== undefined) query = query.where('campaign_id', '=', q.campaign);
    if (q.overdue) query = query.where('status', 'in', [...OPEN_STATUSES]).where('due_at', '<', at);
    if (q.q) query = query.where((eb) => eb.or([containsText('title', q.q!), containsText('cves', q.q!), containsText('check_id', q.q!), containsText('hostname', q.q!), eb('ip', '=', q.q!)]));
    const total = Number((await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await query
      .selectAll()
      // the nearest due date first (none last), then the most severe
      .orderBy(sql`coalesce(due_at, '9999')`)
      .orderBy(sql.raw(SEVERITY_ORDER))
      .orderBy('id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { items: rows.map((r) => present(r, at)), total };
  }

  async get(id: number): Promise<Finding> {
    const row = await this.db.selectFrom('findings').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('finding', String(id));
    return present(row, this.now().toISOString());
  }

  async scans(limit: number) {
    const rows = await this.db.selectFrom('scans').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), format: r.format, scanner: r.scanner, filename: r.filename, sha256: r.sha256, startedAt: r.started_at, importedAt: r.imported_at, importedBy: r.imported_by, hosts: r.hosts, ...(JSON.parse(r.summary) as Record<string, number>) }));
  }

  /** A person's move of a finding (fixing, fixed, verified, accepted with reason and expiry, open again), or its incident. */
  async update(actor: Actor, id: number, input: { status?: FindingStatus; note?: string | null; acceptedUntil?: string | null; incidentId?: string | null }): Promise<Finding> {
    requirePermission(actor, 'findings.manage', 'work on findings');
    const now = this.now();
    const at = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('findings').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('finding', String(id));
      const changes: Partial<FindingRow> = {};
      if (input.status !== undefined) {
        if (!(FINDING_STATUSES as readonly string[]).includes(input.status)) throw validationError('status', `must be one of ${FINDING_STATUSES.join(', ')}`, 'enum', { values: FINDING_STATUSES.join(', ') });
        checkMove(row.status as FindingStatus, input.status, input, now);
        changes.status = input.status;
        changes.status_note = input.note?.trim().slice(0, 2000) || null;
        changes.status_by = actorLabel(actor);
        changes.status_at = at;
        changes.accepted_until = input.status === 'accepted' ? new Date(input.acceptedUntil!).toISOString() : null;
        changes.closed_at = input.status === 'verified' ? at : null;
        if (input.status === 'open' && (row.status === 'verified' || row.status === 'accepted')) {
          changes.reopened = row.reopened + 1;
          changes.due_at = dueAt(row.severity as Severity, now);
        }
      } else if (input.note !== undefined) changes.status_note = input.note?.trim().slice(0, 2000) || null;
      if (input.incidentId !== undefined) {
        if (input.incidentId !== null && !(await trx.selectFrom('incidents').select('id').where('id', '=', input.incidentId).executeTakeFirst())) throw validationError('incidentId', `no incident ${input.incidentId}`, 'unknownIncident', { id: input.incidentId });
        changes.incident_id = input.incidentId;
      }
      if (Object.keys(changes).length === 0) throw validationError('body', 'nothing to change: give a status, a note or an incident', 'required');
      await trx.updateTable('findings').set(changes).where('id', '=', id).execute();
      await writeAudit(trx, { actor, action: 'finding.update', entityType: 'finding', entityId: String(id), before: { status: row.status, incident: row.incident_id }, after: { ...changes }, at });
      return present({ ...row, ...changes } as FindingRow, at);
    });
  }

  /** Counts for a quarter view: by status and severity, overdue, and mean days to fix by severity (those closed). */
  /** The open findings of each of these hosts counted by severity, with the overdue ones: what the asset list shows beside a host. */
  async openByHost(q: { ips: readonly string[]; orgUnit?: string; branch?: string }): Promise<Array<{ ip: string; open: number; overdue: number; bySeverity: Record<string, number> }>> {
    if (!q.ips.length) return [];
    const at = this.now().toISOString();
    let query = this.db
      .selectFrom('findings')
      .select((eb) => ['ip', 'severity', eb.fn.countAll().as('n'), eb.fn.sum(eb.case().when('due_at', '<', at).then(1).else(0).end()).as('late')])
      .where('ip', 'in', [...q.ips])
      .where('status', 'in', [...OPEN_STATUSES])
      .groupBy(['ip', 'severity']);
    if (q.orgUnit) query = query.where('org_unit', '=', q.orgUnit);
    if (q.branch) query = query.where('org_unit', '=', q.branch);
    const hosts = new Map<string, { ip: string; open: number; overdue: number; bySeverity: Record<string, number> }>();
    for (const r of await query.execute()) {
      const h = hosts.get(r.ip) ?? { ip: r.ip, open: 0, overdue: 0, bySeverity: {} };
      h.open += Number(r.n);
      h.overdue += Number(r.late ?? 0);
      h.bySeverity[r.severity] = Number(r.n);
      hosts.set(r.ip, h);
    }
    return q.ips.filter((ip) => hosts.has(ip)).map((ip) => hosts.get(ip)!);
  }

  async summary(q: { orgUnit?: string; branch?: string; campaign?: number }) {
    const at = this.now().toISOString();
    let query = this.db.selectFrom('findings').select(['status', 'severity', 'due_at', 'first_seen', 'closed_at']);
    if (q.campaign !== undefined) query = query.where('campaign_id', '=', q.campaign);
    if (q.orgUnit) query = query.where('org_unit', '=', q.orgUnit);
    if (q.branch) query = query.where('org_unit', '=', q.branch);
    const rows = await query.execute();
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, { open: 0, overdue: 0, closed: 0, accepted: 0, meanDaysToFix: null as number | null }]));
    const fixDays = new Map<string, number[]>();
    for (const r of rows) {
      const b = bySeverity[r.severity]!;
      if ((OPEN_STATUSES as readonly string[]).includes(r.status) || r.status === 'fixed') {
        b.open++;
        if (r.due_at && r.due_at < at && r.status !== 'fixed') b.overdue++;
      } else if (r.status === 'accepted') b.accepted++;
      else {
        b.closed++;
        if (r.closed_at) fixDays.set(r.severity, [...(fixDays.get(r.severity) ?? []), (Date.parse(r.closed_at) - Date.parse(r.first_seen)) / 86_400_000]);
      }
    }
    for (const [s, days] of fixDays) bySeverity[s]!.meanDaysToFix = Math.round((days.reduce((a, b) => a + b, 0) / days.length) * 10) / 10;
    return { total: rows.length, bySeverity };
  }
}

function present(r: FindingRow, now: string): Finding {
  const status = r.status as FindingStatus;
  return {
    id: Number(r.id),
    kind: r.kind,
    source: r.source,
    checkId: r.check_id,
    ip: r.ip,
    hostname: r.hostname,
    port: r.port,
    protocol: r.protocol,
    orgUnit: r.org_unit,
    title: r.title,
    severity: r.severity as Severity,
    cvss: r.cvss === null ? null : Number(r.cvss),
    cves: JSON.parse(r.cves) as string[],
    description: r.description,
    solution: r.solution,
    evidence: r.evidence,
    status,
    moves: movesFrom(status),
    statusNote: r.status_note,
    statusBy: r.status_by,
    statusAt: r.status_at,
    acceptedUntil: r.accepted_until,
    dueAt: r.due_at,
    overdue: OPEN_STATUSES.includes(status) && r.due_at !== null && r.due_at < now,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    closedAt: r.closed_at,
    reopened: Number(r.reopened),
    incidentId: r.incident_id,
    campaignId: r.campaign_id === null ? null : Number(r.campaign_id),
  };
}

