/**
 * Table shapes as Kysely sees them. Timestamps are ISO-8601 UTC strings (`toISOString()`) in
 * both dialects: they sort as text, compare as text, and come back identical from SQLite and
 * PostgreSQL, so one query path serves both. Booleans are 0/1 integers for the same reason.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Id = Generated<number>;

export interface OrgUnitTable {
  code: string;
  name: string;
  kind: string; // hq | branch
  created_at: string;
}

export interface UserTable {
  id: Id;
  username: string;
  display_name: string;
  role: string;
  password_hash: string | null;
  disabled: number;
  org_unit: string | null;
  email: string | null;
  created_at: string;
  updated_at: string;
  /** failed log-ins in a row (reset by a good one) */
  failed_logins: Generated<number>;
  /** locked after too many failed log-ins, until this time (or an admin unlocks it) */
  locked_until: string | null;
  /** RFC 6238 secret (sealed); enabled once the user confirmed a first code */
  totp_secret: string | null;
  totp_enabled: Generated<number>;
  /** the last time step whose code was used (a code is good once) */
  totp_last_step: number | string | null;
}

export interface SessionTable {
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface ApiTokenTable {
  id: Id;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  /** 1: a service token (a machine's), which a password change or disabling its user does not revoke */
  service: Generated<number>;
}

export interface GradingVersionTable {
  version: number;
  entries: string; // JSON GradingEntry[]
  note: string | null;
  created_at: string;
  created_by: string;
}

export interface SettingTable {
  key: string;
  value: string; // JSON
  updated_at: string;
  updated_by: string;
}

export interface IncidentCounterTable {
  day: string;
  last: number;
}

export interface IncidentTable {
  id: string;
  title: string;
  /** English wording of a title the product wrote; null: show `title` */
  title_en: string | null;
  description: string;
  type: string;
  level: number;
  grading_version: number;
  priority_tier: string;
  phase: string;
  phase_entered_at: string;
  phase_due_at: string | null;
  deadlines: string; // JSON Deadlines
  owner_id: number | null;
  team: string | null;
  org_unit: string;
  detected_at: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  closed_at: string | null;
  report_sent_at: string | null;
  report_sent_to: string | null;
  report_channel: string | null;
  resolution: string | null;
  conclusion: string | null;
  recommendations: string | null;
  /** JSON array of tags */
  tags: Generated<string>;
  /** 1: an exercise (drill) incident, kept out of the real figures */
  exercise: Generated<number>;
  /** the campaign (a drill) that opened it */
  campaign_id: Generated<number | null>;
  /** the emergency plan started on it */
  plan_id: Generated<number | null>;
  /** GB/T 20986-2023 level as a person confirmed it: 1 = I 特别重大 … 4 = IV 一般; null: not graded */
  national_level: Generated<number | null>;
  national_category: Generated<string | null>;
  national_reason: Generated<string | null>;
  national_by: Generated<string | null>;
  national_at: Generated<string | null>;
  /** the report to the regulator is due (national level III and graver) */
  regulatory_due_at: Generated<string | null>;
  regulatory_reported_at: Generated<string | null>;
  regulatory_reported_to: Generated<string | null>;
}

export interface AffectedAssetTable {
  id: Id;
  incident_id: string;
  ip: string | null;
  hostname: string | null;
  business_system: string | null;
  org_unit: string | null;
  note: string | null;
  created_at: string;
}

export interface ObservableTable {
  id: Id;
  incident_id: string;
  type: string;
  value: string;
  first_seen: string;
  last_seen: string;
  note: string | null;
  /** TLP 2.0 level (OBSERVABLE_TLP), null: not marked */
  tlp: string | null;
  /** PAP level (OBSERVABLE_PAP), null: not marked */
  pap: string | null;
  /** JSON array of tags */
  tags: Generated<string>;
  created_at: string;
}

export interface TimelineEntryTable {
  id: Id;
  incident_id: string;
  occurred_at: string;
  recorded_at: string;
  source: string;
  actor: string;
  kind: string;
  /** a sentence in the default language (zh-CN) */
  text: string;
  /** the same facts, structured (JSON), so any language can render them */
  data: string | null;
}

export interface TaskTable {
  id: Id;
  incident_id: string;
  phase: string;
  title: string;
  title_en: string | null;
  mandatory: number;
  status: string;
  assignee_id: number | null;
  due_at: string | null;
  playbook_key: string | null;
  note: string | null;
  created_at: string;
  updated_at: string;
  done_at: string | null;
  done_by: string | null;
  /** a patch task: the finding of periodic work it fixes */
  finding_id: Generated<number | null>;
}

export interface CommentTable {
  id: Id;
  incident_id: string;
  author: string;
  author_id: number | null;
  text: string;
  created_at: string;
}

export interface EvidenceTable {
  id: Id;
  incident_id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  note: string | null;
  uploaded_by: string;
  uploaded_at: string;
}

export interface PhaseChangeTable {
  id: Id;
  incident_id: string;
  from_phase: string;
  to_phase: string;
  at: string;
  actor: string;
  reason: string | null;
  override: number;
  bypassed: string | null; // JSON GateRefusal[]
}

export interface LevelChangeTable {
  id: Id;
  incident_id: string;
  from_type: string | null;
  to_type: string;
  from_level: number | null;
  to_level: number;
  grading_version: number;
  at: string;
  actor: string;
  reason: string;
  reason_en: string | null;
}

export interface AuditTable {
  id: Id;
  at: string;
  actor: string;
  actor_user_id: number | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: string | null;
  after: string | null;
  /** the hash of the row before this one (the chain: `bihuan audit verify`) */
  prev_hash: string | null;
  /** SHA-256 over prev_hash and this row's fields */
  hash: string | null;
}

export interface AlertTable {
  id: Generated<number>;
  ts: string;
  received_at: string;
  format: string;
  channel: string;
  dedup_key: string;
  kind: string;
  category: string;
  action: string | null;
  outcome: string | null;
  severity: number | null;
  source_ip: string | null;
  source_ip_key: string | null;
  source_port: number | null;
  source_internal: number | null;
  source_org_unit: string | null;
  destination_ip: string | null;
  destination_ip_key: string | null;
  destination_port: number | null;
  destination_internal: number | null;
  destination_org_unit: string | null;
  dns_question_name: string | null;
  user_name: string | null;
  host_name: string | null;
  rule_name: string | null;
  rule_id: string | null;
  observer_vendor: string | null;
  observer_product: string | null;
  observer_type: string | null;
  network_transport: string | null;
  url_full: string | null;
  file_hash: string | null;
  indicator: string | null;
  message: string | null;
  /** the normalized alert (JSON) */
  doc: string;
  /** the record exactly as it came in */
  original: string;
}

/** A record that is only context (src/store/migrations/20261129T1500_events.ts): lean, no normalized document. */
export interface EventTable {
  id: Generated<number>;
  ts: string;
  received_at: string;
  format: string;
  channel: string;
  dedup_key: string;
  category: string;
  action: string | null;
  outcome: string | null;
  source_ip: string | null;
  source_ip_key: string | null;
  source_org_unit: string | null;
  destination_ip: string | null;
  destination_ip_key: string | null;
  destination_org_unit: string | null;
  host_name: string | null;
  user_name: string | null;
  original: string;
}

export interface IntakeCounterTable {
  day: string;
  channel: string;
  outcome: string;
  n: ColumnType<number | string, number, number>;
}

export interface IntakeRejectTable {
  id: Generated<number>;
  at: string;
  channel: string;
  line: number | null;
  format: string | null;
  reason: string;
  sample: string;
}

export interface IndicatorRowTable {
  id: Generated<number>;
  type: string;
  value: string;
  source: string;
  confidence: number | null;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface AssetTable {
  ip: string;
  hostname: string | null;
  org_unit: string | null;
  zone: string | null;
  owner: string | null;
  business_system: string | null;
  criticality: number | null;
  updated_at: string;
  /** the address as a sortable fixed-width key (ipKey): address order, CIDR ranges */
  ip_key: string | null;
}

export interface DetectionSignalTable {
  id: Generated<number>;
  incident_id: string;
  signature: string;
  rule_key: string;
  rule_title: string;
  rule_file: string | null;
  type: string;
  level: number;
  first_seen: string;
  last_seen: string;
  count: number;
  first_alert_id: number | null;
  last_alert_id: number | null;
  source_ip: string | null;
  destination_ip: string | null;
  host_ip: string | null;
  indicator: string | null;
  /** JSON: why the rule matched (selections, correlation group and value) */
  explanation: string;
  created_at: string;
}

export interface SignalAlertTable {
  signal_id: number;
  alert_id: number;
}

export interface IncidentKeyTable {
  family: string;
  key: string;
  incident_id: string;
  last_seen: string;
}

export interface BusOutboxTable {
  id: Generated<number | string>;
  /** JSON array of the alert ids */
  alert_ids: string;
  created_at: string;
}

export interface DetectionStateTable {
  name: string;
  value: string;
}

export interface AlertTriageTable {
  alert_id: number;
  verdict: string;
  reason: string;
  actor: string;
  at: string;
  expires_at: string | null;
  suppression_id: number | null;
}

export interface SuppressionTable {
  id: Generated<number>;
  rule_key: string | null;
  source_ip: string | null;
  indicator: string | null;
  reason: string;
  actor: string;
  created_at: string;
  expires_at: string | null;
  hits: Generated<number>;
  last_hit_at: string | null;
}

export interface ReportExportTable {
  id: Generated<number>;
  incident_id: string;
  form: string;
  format: string;
  locale: string;
  version: number;
  sha256: string;
  size: number;
  /** the report (fields and appendices) the file was made from, JSON */
  content: string;
  created_by: string;
  created_at: string;
  /** support requests: the access credentials handed over, sealed (SecretBox); never in the document */
  credentials: string | null;
}

export interface ChannelTable {
  id: Generated<number>;
  name: string;
  kind: string;
  config: string;
  secret: string | null;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface NotificationRuleTable {
  id: Generated<number>;
  name: string;
  /** JSON array of event kinds */
  events: string;
  max_level: number;
  org_units: string | null;
  roles: string | null;
  /** JSON array of duty roles: also whoever is on duty in them (their e-mail) */
  on_duty: Generated<string | null>;
  channel_id: number;
  quiet_from: string | null;
  quiet_to: string | null;
  batch_seconds: number;
  enabled: number;
  created_at: string;
}

export interface NotificationTable {
  id: Generated<number>;
  rule_id: number | null;
  channel_id: number;
  group_key: string;
  digest: number;
  /** JSON array of the events it tells of */
  events: string;
  incident_id: string | null;
  level: number | null;
  subject: string;
  body: string;
  recipients: string | null;
  status: string;
  attempts: number;
  due_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface DeliveryAttemptTable {
  id: Generated<number>;
  notification_id: number;
  at: string;
  ok: number;
  status_code: number | null;
  response: string | null;
  error: string | null;
  duration_ms: number;
}

export interface SlaEscalationTable {
  incident_id: string;
  phase: string;
  step: string;
  deadline: string;
  fired_at: string;
}

export interface WarningTable {
  id: Generated<number>;
  level: string;
  previous_level: string;
  reason: string;
  reason_en: string | null;
  /** JSON array of {type, value} */
  indicators: string;
  incident_id: string | null;
  source: string;
  raised_by: string;
  raised_at: string;
}

export interface WarningAckTable {
  warning_id: number;
  org_unit: string;
  acked_by: string;
  acked_at: string;
  note: string | null;
}

export interface OrderTable {
  id: Generated<number>;
  incident_id: string;
  org_unit: string;
  title: string;
  title_en: string | null;
  instructions: string;
  assignee_id: number | null;
  due_at: string | null;
  created_by: string;
  created_at: string;
  completed_at: string | null;
}

export interface OrderHostTable {
  order_id: number;
  host: string;
  hostname: string | null;
  state: string;
  note: string | null;
  updated_by: string | null;
  updated_at: string;
}

export interface ScanTable {
  id: Id;
  format: string;
  scanner: string;
  filename: string | null;
  sha256: string;
  org_unit: string | null;
  started_at: string | null;
  imported_at: string;
  imported_by: string;
  hosts: number;
  /** JSON: { found, new, seen, reopened, closed, problems } */
  summary: string;
  campaign_id: number | null;
}

export interface FindingTable {
  id: Id;
  key: string;
  kind: string;
  source: string;
  check_id: string;
  ip: string;
  hostname: string | null;
  port: number | null;
  protocol: string | null;
  org_unit: string | null;
  title: string;
  severity: string;
  cvss: number | null;
  /** JSON array of CVE ids */
  cves: string;
  description: string | null;
  solution: string | null;
  evidence: string | null;
  status: string;
  status_note: string | null;
  status_by: string | null;
  status_at: string;
  accepted_until: string | null;
  due_at: string | null;
  first_seen: string;
  last_seen: string;
  first_scan_id: number;
  last_scan_id: number;
  closed_at: string | null;
  reopened: Generated<number>;
  incident_id: string | null;
  created_at: string;
  campaign_id: number | null;
}

export interface WorkItemTable {
  id: Id;
  title: string;
  kind: string;
  rrule: string;
  start_local: string;
  due_days: number;
  owner: string;
  org_unit: string;
  description: string | null;
  enabled: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface WorkOccurrenceTable {
  id: Id;
  item_id: number;
  scheduled_at: string;
  due_at: string;
  status: string;
  result: string | null;
  note: string | null;
  scan_id: number | null;
  evidence_sha256: string | null;
  evidence_filename: string | null;
  evidence_size: number | null;
  done_at: string | null;
  done_by: string | null;
  escalated_at: string | null;
}

export interface CampaignTable {
  id: Id;
  title: string;
  kind: string;
  /** JSON array of org unit codes */
  scope_org_units: string;
  /** JSON array of addresses and CIDR ranges */
  scope_assets: string;
  starts_on: string;
  ends_on: string;
  lead: string;
  description: string | null;
  conclusion: string | null;
  closed_at: string | null;
  closed_by: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface TeamTable {
  id: Id;
  name: string;
  kind: string;
  org_unit: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface TeamMemberTable {
  id: Id;
  team_id: number;
  name: string;
  username: string | null;
  duty: string;
  position: string | null;
  phone: string | null;
  email: string | null;
  im: string | null;
}

export interface DutyShiftTable {
  id: Id;
  org_unit: string;
  role: string;
  starts_at: string;
  ends_at: string;
  name: string;
  username: string | null;
  phone: string | null;
  email: string | null;
  handover_note: string | null;
  handed_over_at: string | null;
  handed_over_by: string | null;
  created_by: string;
  created_at: string;
}

export interface PlanTable {
  id: Id;
  plan_key: number | null;
  version: number;
  title: string;
  status: string;
  scope: string | null;
  /** JSON arrays */
  incident_types: string;
  levels: string;
  org_units: string;
  organisation: string | null;
  /** JSON [{phase, title}] */
  steps: string;
  resources: string | null;
  /** JSON [{name, role, phone, email}] */
  contacts: string;
  review_due: string;
  file_sha256: string | null;
  file_name: string | null;
  file_size: number | null;
  approved_by: string | null;
  approved_at: string | null;
  created_by: string;
  created_at: string;
}

export interface BlockTable {
  id: Generated<number>;
  list: string;
  kind: string;
  value: string;
  key_from: string | null;
  key_to: string | null;
  incident_id: string | null;
  org_unit: string;
  reason: string;
  owner: string;
  /** pending (waits for a second person), active, lifted, expired, rejected */
  status: string;
  approval_reason: string | null;
  requested_by: string;
  requested_by_id: number | null;
  approved_by: string | null;
  approved_at: string | null;
  activated_at: string | null;
  expires_at: string;
  ended_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface ListTokenTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  prefix: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface DB {
  blocks: BlockTable;
  list_tokens: ListTokenTable;
  plans: PlanTable;
  teams: TeamTable;
  team_members: TeamMemberTable;
  duty_shifts: DutyShiftTable;
  work_items: WorkItemTable;
  work_occurrences: WorkOccurrenceTable;
  campaigns: CampaignTable;
  scans: ScanTable;
  findings: FindingTable;
  warnings: WarningTable;
  warning_acks: WarningAckTable;
  orders: OrderTable;
  order_hosts: OrderHostTable;
  channels: ChannelTable;
  notification_rules: NotificationRuleTable;
  notifications: NotificationTable;
  delivery_attempts: DeliveryAttemptTable;
  sla_escalations: SlaEscalationTable;
  report_exports: ReportExportTable;
  detection_signals: DetectionSignalTable;
  signal_alerts: SignalAlertTable;
  incident_keys: IncidentKeyTable;
  detection_state: DetectionStateTable;
  alert_triage: AlertTriageTable;
  bus_outbox: BusOutboxTable;
  suppressions: SuppressionTable;
  assets: AssetTable;
  indicators: IndicatorRowTable;
  alerts: AlertTable;
  events: EventTable;
  intake_counters: IntakeCounterTable;
  intake_rejects: IntakeRejectTable;
  org_units: OrgUnitTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  grading_versions: GradingVersionTable;
  settings: SettingTable;
  incident_counters: IncidentCounterTable;
  incidents: IncidentTable;
  affected_assets: AffectedAssetTable;
  observables: ObservableTable;
  timeline_entries: TimelineEntryTable;
  tasks: TaskTable;
  comments: CommentTable;
  evidence: EvidenceTable;
  phase_changes: PhaseChangeTable;
  level_changes: LevelChangeTable;
  audit_log: AuditTable;
}

export type IncidentRow = Selectable<IncidentTable>;
export type FindingRow = Selectable<FindingTable>;
export type WorkItemRow = Selectable<WorkItemTable>;
export type WorkOccurrenceRow = Selectable<WorkOccurrenceTable>;
export type CampaignRow = Selectable<CampaignTable>;
export type PlanRow = Selectable<PlanTable>;
export type BlockRow = Selectable<BlockTable>;
export type NewIncidentRow = Insertable<IncidentTable>;
export type TaskRow = Selectable<TaskTable>;
export type UserRow = Selectable<UserTable>;
