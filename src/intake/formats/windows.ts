/**
 * Windows Security (and other channel) events, as Winlogbeat ships them (`winlog.*`) and as
 * NXLog flattens them (`EventID`, `Channel`, fields at the top level), or as the XML of an EVTX
 * export. The Security, System and Sysmon event ids a rule can use (log-ons and their failures,
 * Kerberos and NTLM validation, lock-outs, account and group changes, processes, services,
 * scheduled tasks, cleared logs, Sysmon's process/network/file/registry/DNS events) get their ECS
 * category, type, action and outcome, alike in every layout; every event keeps its event data
 * under `winlog.event_data` (names with spaces also without them, as Sigma spells them).
 */
import type { Alert } from '../../domain/alert/alert.js';
import { type FormatParser, jsonObject, num, str, text as asText, zoneFor } from '../format.js';
import { ParseError } from '../parse-error.js';
import { isoTime, localTime } from '../time.js';
import { XMLParser } from 'fast-xml-parser';
import { masqueradeOf } from '../../domain/detection/masquerade.js';

interface Common {
  eventId: number;
  channel?: string;
  provider?: string;
  computer?: string;
  recordId?: string;
  timestamp: string;
  data: Record<string, string>;
  message?: string;
}

const NXLOG_META = new Set([
  'EventID', 'Channel', 'SourceName', 'ProviderGuid', 'Hostname', 'host', 'EventTime', 'EventReceivedTime', '@timestamp', '@version', 'RecordNumber',
  'Keywords', 'SeverityValue', 'Severity', 'EventType', 'Opcode', 'OpcodeValue', 'ExecutionProcessID', 'ThreadID', 'SourceModuleName',
  'SourceModuleType', 'Message', 'tags', 'port', 'Category', 'Task', 'Version', 'ActivityID', 'AccountType', 'AccountName', 'Domain', 'UserID',
]);

function stringify(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The leaves of event-specific XML (UserData: 1102 log cleared, Defender, AppLocker…) as event data. */
function userDataLeaves(o: unknown, data: Record<string, string>, prefix = ''): void {
  if (!o || typeof o !== 'object') return;
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('@') || k === 'xmlns') continue;
    if (v && typeof v === 'object') userDataLeaves(v, data, k);
    else if (v !== null && v !== undefined) data[k === '#text' ? prefix : k] ??= String(v);
  }
}

/** Event-data names with spaces (Defender's "Threat Name") also as Sigma spells them ("ThreatName"). */
function withSigmaNames(data: Record<string, string>): Record<string, string> {
  for (const k of Object.keys(data)) {
    if (!/\s/.test(k)) continue;
    const name = k.replace(/\s+/g, '');
    if (name && data[name] === undefined) data[name] = data[k]!;
  }
  return data;
}

function fromWinlogbeat(j: Record<string, any>, zone: string): Common {
  const w = j.winlog;
  const eventId = Number(w.event_id);
  if (!Number.isInteger(eventId)) throw new ParseError('winlog.event_id is not a number');
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.event_data ?? {})) data[k] = stringify(v);
  // Winlogbeat ships UserData apart (winlog.user_data): rules read it as event data
  userDataLeaves(w.user_data, data);
  return {
    eventId,
    channel: str(w.channel),
    provider: str(w.provider_name),
    computer: str(w.computer_name) ?? str(j.host?.name),
    recordId: str(w.record_id),
    timestamp: isoTime(j['@timestamp'], zone, '@timestamp'),
    data: withSigmaNames(data),
    message: str(j.message),
  };
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => name === 'Data', processEntities: true });

const text = (v: unknown): string | undefined => (v && typeof v === 'object' ? str((v as Record<string, unknown>)['#text']) : str(v));

/** An `<Event>` element of an EVTX XML export (the same element wevtutil and Event Viewer write). */
function fromEventXml(source: string, zone: string): Common {
  let doc: Record<string, any>;
  try {
    doc = xml.parse(source, true) as Record<string, any>;
  } catch (e) {
    throw new ParseError(`not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  const ev = doc.Event;
  const sys = ev?.System;
  if (!sys) throw new ParseError('an <Event> without <System>');
  const eventId = Number(text(sys.EventID));
  if (!Number.isInteger(eventId)) throw new ParseError('<EventID> is not a number');
  const data: Record<string, string> = {};
  const datas: Array<Record<string, unknown>> = ev.EventData?.Data ?? [];
  datas.forEach((d, i) => {
    const name = str(d['@Name']) ?? `Data${i}`;
    data[name] = typeof d === 'object' ? String(d['#text'] ?? '') : String(d);
  });
  // UserData carries event-specific XML (e.g. 1102 log cleared): its leaves become event data
  for (const v of Object.values((ev.UserData ?? {}) as Record<string, unknown>)) userDataLeaves(v, data);
  const t = sys.TimeCreated?.['@SystemTime'];
  return {
    eventId,
    channel: text(sys.Channel),
    provider: str(sys.Provider?.['@Name']),
    computer: text(sys.Computer),
    recordId: text(sys.EventRecordID),
    timestamp: isoTime(typeof t === 'string' ? t.replace(/(\.\d{3})\d+/, '$1') : t, zone, 'TimeCreated/@SystemTime'),
    data: withSigmaNames(data),
  };
}

function fromNxlog(j: Record<string, any>, zone: string): Common {
  const eventId = Number(j.EventID);
  if (!Number.isInteger(eventId)) throw new ParseError('EventID is not a number');
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(j)) if (!NXLOG_META.has(k) && v !== null && v !== undefined) data[k] = stringify(v);
  const timestamp = j['@timestamp'] ? isoTime(j['@timestamp'], zone, '@timestamp') : j.EventTime ? localTime(asText(j.EventTime), zone, 'EventTime') : undefined;
  if (!timestamp) throw new ParseError('no @timestamp or EventTime');
  return {
    eventId,
    channel: str(j.Channel),
    provider: str(j.SourceName),
    computer: str(j.Hostname) ?? str(j.host),
    recordId: str(j.RecordNumber),
    timestamp,
    data: withSigmaNames(data),
    message: str(j.Message)?.split(/\r?\n/)[0],
  };
}

const ip = (v: string | undefined) => (v && v !== '-' && v !== '::1' && v !== '127.0.0.1' ? v.replace(/^::ffff:/, '') : undefined);

type Outcome = 'success' | 'failure' | 'unknown';
/** How an event id reads in ECS (as Elastic's Winlogbeat security and Sysmon modules describe them). */
interface Meaning {
  category: string[];
  type: string[];
  action: string;
  /** fixed, or read from the event's Status/FailureReason (Kerberos, NTLM: 0x0 is success) */
  outcome: Outcome | 'status';
  /** whose account it is about: the target (log-ons, account changes) or the subject (who acted) */
  user?: 'target' | 'subject';
  /** what a device calls an alert (an antivirus detection), not context */
  kind?: 'alert';
}

const auth = (type: string, action: string, outcome: Meaning['outcome']): Meaning => ({ category: ['authentication'], type: [type], action, outcome, user: 'target' });
const iam = (type: string[], action: string): Meaning => ({ category: ['iam'], type, action, outcome: 'success', user: 'target' });

/** Security log (Microsoft-Windows-Security-Auditing). */
const SECURITY: Record<number, Meaning> = {
  4624: auth('start', 'logged-in', 'success'),
  4625: auth('start', 'logon-failed', 'failure'),
  4634: auth('end', 'logged-out', 'success'),
  4647: auth('end', 'logged-out', 'success'),
  4648: auth('start', 'logged-in-explicit', 'success'),
  4672: { category: ['iam'], type: ['admin'], action: 'logged-in-special', outcome: 'success', user: 'subject' },
  4768: auth('start', 'kerberos-authentication-ticket-requested', 'status'),
  4769: auth('start', 'kerberos-service-ticket-requested', 'status'),
  4771: auth('start', 'kerberos-preauth-failed', 'failure'),
  4776: auth('start', 'credential-validated', 'status'),
  4740: iam(['user', 'change'], 'locked-out-user-account'),
  4767: iam(['user', 'change'], 'unlocked-user-account'),
  4720: iam(['user', 'creation'], 'added-user-account'),
  4722: iam(['user', 'change'], 'enabled-user-account'),
  4723: iam(['user', 'change'], 'changed-password'),
  4724: iam(['user', 'change'], 'reset-password'),
  4725: iam(['user', 'change'], 'disabled-user-account'),
  4726: iam(['user', 'deletion'], 'deleted-user-account'),
  4738: iam(['user', 'change'], 'modified-user-account'),
  4728: iam(['group', 'change'], 'added-member-to-group'),
  4732: iam(['group', 'change'], 'added-member-to-group'),
  4756: iam(['group', 'change'], 'added-member-to-group'),
  4729: iam(['group', 'change'], 'removed-member-from-group'),
  4733: iam(['group', 'change'], 'removed-member-from-group'),
  4757: iam(['group', 'change'], 'removed-member-from-group'),
  4688: { category: ['process'], type: ['start'], action: 'created-process', outcome: 'success', user: 'subject' },
  4689: { category: ['process'], type: ['end'], action: 'exited-process', outcome: 'success', user: 'subject' },
  4697: { category: ['configuration'], type: ['creation'], action: 'service-installed', outcome: 'success', user: 'subject' },
  4698: { category: ['configuration'], type: ['creation'], action: 'scheduled-task-created', outcome: 'success', user: 'subject' },
  1102: { category: ['host'], type: ['deletion'], action: 'audit-log-cleared', outcome: 'success', user: 'subject' },
};

/** System log. */
const SYSTEM: Record<number, Meaning> = {
  7045: { category: ['configuration'], type: ['creation'], action: 'service-installed', outcome: 'success' },
  104: { category: ['host'], type: ['deletion'], action: 'event-log-cleared', outcome: 'success' },
};

/** Sysmon (Microsoft-Windows-Sysmon/Operational). */
const SYSMON: Record<number, Meaning> = {
  1: { category: ['process'], type: ['start'], action: 'process-created', outcome: 'success' },
  3: { category: ['network'], type: ['connection', 'start'], action: 'network-connection', outcome: 'success' },
  5: { category: ['process'], type: ['end'], action: 'process-terminated', outcome: 'success' },
  7: { category: ['process'], type: ['change'], action: 'image-loaded', outcome: 'success' },
  8: { category: ['process'], type: ['change'], action: 'created-remote-thread', outcome: 'success' },
  10: { category: ['process'], type: ['access'], action: 'process-accessed', outcome: 'success' },
  11: { category: ['file'], type: ['creation'], action: 'file-created', outcome: 'success' },
  12: { category: ['configuration', 'registry'], type: ['change'], action: 'registry-object-added-or-deleted', outcome: 'success' },
  13: { category: ['configuration', 'registry'], type: ['change'], action: 'registry-value-set', outcome: 'success' },
  22: { category: ['network'], type: ['protocol', 'info'], action: 'dns-query', outcome: 'success' },
  23: { category: ['file'], type: ['deletion'], action: 'file-deleted', outcome: 'success' },
};

/** Microsoft Defender Antivirus (Microsoft-Windows-Windows Defender/Operational): what it found and did. */
const DEFENDER: Record<number, Meaning> = {
  1006: { category: ['malware', 'file'], type: ['info'], action: 'malware-detected', outcome: 'success', user: 'subject', kind: 'alert' },
  1015: { category: ['malware', 'process'], type: ['info'], action: 'suspicious-behavior-detected', outcome: 'success', user: 'subject', kind: 'alert' },
  1116: { category: ['malware', 'file'], type: ['info'], action: 'malware-detected', outcome: 'success', user: 'subject', kind: 'alert' },
  1117: { category: ['malware', 'file'], type: ['change'], action: 'malware-action-taken', outcome: 'success', user: 'subject', kind: 'alert' },
  1118: { category: ['malware', 'file'], type: ['change'], action: 'malware-action-failed', outcome: 'failure', user: 'subject', kind: 'alert' },
  1119: { category: ['malware', 'file'], type: ['change'], action: 'malware-action-failed', outcome: 'failure', user: 'subject', kind: 'alert' },
};

/** Each log's table. */
const MEANINGS: Record<'security' | 'system' | 'sysmon' | 'defender', Record<number, Meaning>> = { security: SECURITY, system: SYSTEM, sysmon: SYSMON, defender: DEFENDER };

/** Kerberos and NTLM result codes: 0x0 is success, anything else a failure. */
function statusOutcome(d: Record<string, string>): Outcome {
  const status = str(d.Status) ?? str(d.FailureCode) ?? str(d.ResultCode);
  if (status === undefined) return 'unknown';
  return /^(0x)?0+$/i.test(status.trim()) ? 'success' : 'failure';
}

/** Which log an event came from: its channel, or (a layout that dropped it) its provider. */
function logOf(c: Common): 'security' | 'system' | 'sysmon' | 'defender' | undefined {
  const channel = c.channel?.toLowerCase() ?? '';
  const provider = c.provider?.toLowerCase() ?? '';
  if (channel === 'security' || provider === 'microsoft-windows-security-auditing') return 'security';
  if (channel.includes('sysmon') || provider === 'microsoft-windows-sysmon') return 'sysmon';
  if (channel.includes('windows defender') || provider === 'microsoft-windows-windows defender') return 'defender';
  if (channel === 'system' || provider === 'service control manager' || provider === 'microsoft-windows-eventlog') return 'system';
  return undefined;
}

function meaning(c: Common): Partial<Alert> {
  const d = c.data;
  const log = logOf(c);
  const m = log ? MEANINGS[log][c.eventId] : undefined;
  if (!m) return { event: { kind: 'event', category: log === 'sysmon' ? ['host', 'process'] : ['host'], code: String(c.eventId) } };
  const outcome = m.outcome === 'status' ? statusOutcome(d) : m.outcome;
  const target = { name: str(d.TargetUserName), domain: str(d.TargetDomainName) };
  const subject = { name: str(d.SubjectUserName) ?? str(d.User), domain: str(d.SubjectDomainName) };
  const out: Partial<Alert> = {
    event: { kind: m.kind ?? 'event', category: [...m.category], type: m.type, action: m.action, outcome, code: String(c.eventId) },
    user: m.user === 'target' ? (target.name ? target : subject.name ? subject : undefined) : m.user === 'subject' && subject.name ? subject : undefined,
  };
  // where it came from: the log-on's client (IpAddress, or Workstation for NTLM), Sysmon's network source
  const sourceIp = ip(str(d.IpAddress)) ?? ip(str(d.SourceIp)) ?? ip(str(d.ClientAddress));
  const workstation = str(d.WorkstationName) ?? str(d.Workstation);
  if (sourceIp || (workstation && workstation !== '-')) out.source = { ip: sourceIp, port: num(d.IpPort) || num(d.SourcePort) || undefined, domain: workstation && workstation !== '-' ? workstation : undefined };
  if (log === 'sysmon' && c.eventId === 3) out.destination = { ip: ip(str(d.DestinationIp)), port: num(d.DestinationPort) || undefined, domain: str(d.DestinationHostname) };
  if (c.eventId === 4688) {
    out.process = { executable: str(d.NewProcessName), command_line: str(d.CommandLine), pid: num(d.NewProcessId), parent: { executable: str(d.ParentProcessName), pid: num(d.ProcessId) } };
  } else if (log === 'sysmon' && (c.eventId === 1 || c.eventId === 5)) {
    out.process = { executable: str(d.Image), command_line: str(d.CommandLine), pid: num(d.ProcessId), parent: { executable: str(d.ParentImage), pid: num(d.ParentProcessId) } };
  }
  if (log === 'sysmon' && c.eventId === 22) out.dns = str(d.QueryName) ? { question: { name: str(d.QueryName)! } } : undefined;
  if (log === 'defender') {
    // what it found (Sigma's ThreatName), where, and the binary's path
    const threat = str(d.ThreatName) ?? str(d['Threat Name']);
    if (threat) out.rule = { name: threat, id: str(d.ThreatID) ?? str(d['Threat ID']), category: str(d.CategoryName) ?? str(d['Category Name']) };
    const path = str(d.Path)?.replace(/^file:_/i, '').split(';')[0];
    if (path) out.file = { path: path.slice(0, 1000), name: path.split(/[\\/]/).pop() };
  }
  if (c.eventId === 4720) out.message = `user account ${d.TargetUserName ?? ''} created by ${d.SubjectUserName ?? ''}`;
  return out;
}

export const windows: FormatParser = {
  format: 'windows',
  detect: (text, json) => {
    if (json === undefined) return text.startsWith('<Event') && text.includes('<System>');
    const j = json as Record<string, any> | undefined;
    return !!j && typeof j === 'object' && ((typeof j.winlog === 'object' && j.winlog !== null && 'event_id' in j.winlog) || ('EventID' in j && ('Channel' in j || 'SourceName' in j)));
  },
  parse(_text, json, ctx) {
    const j = json === undefined ? undefined : jsonObject(json, 'a Windows event');
    // a time without an offset (NXLog's EventTime) is the computer's local time: its zone, else the organisation's
    const zone = zoneFor(ctx, { host: str(j?.winlog?.computer_name) ?? str(j?.Hostname) ?? str(j?.host?.name ?? j?.host), product: 'Windows' });
    const c = j === undefined ? fromEventXml(_text, zone) : j.winlog ? fromWinlogbeat(j, zone) : fromNxlog(j, zone);
    const m = meaning(c);
    // a service's binary or a new process posing as a system binary (wrong folder, look-alike name)
    const program = c.data.ImagePath ?? c.data.ServiceFileName ?? c.data.Image ?? c.data.NewProcessName;
    const posing = masqueradeOf(program);
    const alert: Alert = {
      '@timestamp': c.timestamp,
      message: m.message ?? c.message,
      event: { ...m.event!, dataset: `windows.${(c.channel ?? 'unknown').toLowerCase()}` },
      user: m.user,
      source: m.source,
      destination: m.destination,
      dns: m.dns,
      process: m.process,
      rule: m.rule,
      file: m.file,
      host: { name: c.computer },
      observer: { vendor: 'Microsoft', product: 'Windows', type: 'host', hostname: c.computer },
      masquerade: posing ? { ...posing, path: program!.slice(0, 1000) } : undefined,
      winlog: { event_id: c.eventId, channel: c.channel, provider_name: c.provider, computer_name: c.computer, record_id: c.recordId, event_data: c.data },
    };
    return { alert, sourceId: c.recordId && c.computer ? `win:${c.computer}:${c.channel ?? ''}:${c.recordId}` : undefined };
  },
};
