/**
 * Windows Security (and other channel) events, as Winlogbeat ships them (`winlog.*`) and as
 * NXLog flattens them (`EventID`, `Channel`, fields at the top level). 4624, 4625, 4688 and
 * 4720 get their meaning in ECS; every event keeps its event data under `winlog.event_data`.
 */
import type { Alert } from '../../domain/alert/alert.js';
import { type FormatParser, jsonObject, num, str, text as asText } from '../format.js';
import { ParseError } from '../parse-error.js';
import { isoTime, localTime } from '../time.js';
import { XMLParser } from 'fast-xml-parser';

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

function fromWinlogbeat(j: Record<string, any>, zone: string): Common {
  const w = j.winlog;
  const eventId = Number(w.event_id);
  if (!Number.isInteger(eventId)) throw new ParseError('winlog.event_id is not a number');
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.event_data ?? {})) data[k] = stringify(v);
  return {
    eventId,
    channel: str(w.channel),
    provider: str(w.provider_name),
    computer: str(w.computer_name) ?? str(j.host?.name),
    recordId: str(w.record_id),
    timestamp: isoTime(j['@timestamp'], zone, '@timestamp'),
    data,
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
  const walk = (o: unknown, prefix = ''): void => {
    if (!o || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      if (k.startsWith('@')) continue;
      if (v && typeof v === 'object') walk(v, k);
      else data[k === '#text' ? prefix : k] = String(v);
    }
  };
  for (const v of Object.values((ev.UserData ?? {}) as Record<string, unknown>)) walk(v);
  const t = sys.TimeCreated?.['@SystemTime'];
  return {
    eventId,
    channel: text(sys.Channel),
    provider: str(sys.Provider?.['@Name']),
    computer: text(sys.Computer),
    recordId: text(sys.EventRecordID),
    timestamp: isoTime(typeof t === 'string' ? t.replace(/(\.\d{3})\d+/, '$1') : t, zone, 'TimeCreated/@SystemTime'),
    data,
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
    data,
    message: str(j.Message)?.split(/\r?\n/)[0],
  };
}

const ip = (v: string | undefined) => (v && v !== '-' && v !== '::1' && v !== '127.0.0.1' ? v.replace(/^::ffff:/, '') : undefined);

function meaning(c: Common): Partial<Alert> {
  const d = c.data;
  const logon = (outcome: 'success' | 'failure', action: string): Partial<Alert> => ({
    event: { kind: 'event', category: ['authentication'], type: ['start'], action, outcome, code: String(c.eventId) },
    user: { name: str(d.TargetUserName), domain: str(d.TargetDomainName) },
    source: { ip: ip(str(d.IpAddress)), port: num(d.IpPort) || undefined, domain: str(d.WorkstationName) },
  });
  const security = c.channel?.toLowerCase() === 'security';
  if (security) {
    switch (c.eventId) {
      case 4624:
        return logon('success', 'logged-in');
      case 4625:
        return logon('failure', 'logon-failed');
      case 4688:
        return {
          event: { kind: 'event', category: ['process'], type: ['start'], action: 'created-process', outcome: 'success', code: '4688' },
          user: { name: str(d.SubjectUserName), domain: str(d.SubjectDomainName) },
          process: { executable: str(d.NewProcessName), command_line: str(d.CommandLine), pid: num(d.NewProcessId), parent: { executable: str(d.ParentProcessName), pid: num(d.ProcessId) } },
        };
      case 4720:
        return {
          event: { kind: 'event', category: ['iam'], type: ['user', 'creation'], action: 'added-user-account', outcome: 'success', code: '4720' },
          user: { name: str(d.TargetUserName), domain: str(d.TargetDomainName) },
          message: `user account ${d.TargetUserName ?? ''} created by ${d.SubjectUserName ?? ''}`,
        };
    }
  }
  return { event: { kind: 'event', category: c.channel?.toLowerCase().includes('sysmon') ? ['host', 'process'] : ['host'], code: String(c.eventId) } };
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
    const c = j === undefined ? fromEventXml(_text, ctx.timeZone) : j.winlog ? fromWinlogbeat(j, ctx.timeZone) : fromNxlog(j, ctx.timeZone);
    const m = meaning(c);
    const alert: Alert = {
      '@timestamp': c.timestamp,
      message: m.message ?? c.message,
      event: { ...m.event!, dataset: `windows.${(c.channel ?? 'unknown').toLowerCase()}` },
      user: m.user,
      source: m.source,
      process: m.process,
      host: { name: c.computer },
      observer: { vendor: 'Microsoft', product: 'Windows', type: 'host', hostname: c.computer },
      winlog: { event_id: c.eventId, channel: c.channel, provider_name: c.provider, computer_name: c.computer, record_id: c.recordId, event_data: c.data },
    };
    return { alert, sourceId: c.recordId && c.computer ? `win:${c.computer}:${c.channel ?? ''}:${c.recordId}` : undefined };
  },
};
