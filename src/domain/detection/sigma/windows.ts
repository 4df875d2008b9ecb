/**
 * Windows events as Sigma sees them: the logsource (service from the channel, category from
 * the Sysmon / PowerShell event id, as the Sigma taxonomy appendix tables them) and the field
 * names Sigma rules use, whichever way the event was shipped — NXLog (flat: EventID, Channel,
 * Hostname, event data at the top), Winlogbeat (winlog.event_id, winlog.event_data.*) or the
 * XML of an EVTX export as intake parses it.
 */
import { type EventLogSource, type FieldMapping, internLogsource, splitPath } from './event.js';

/** Channel (lower case) → Sigma service, from the taxonomy appendix. */
const SERVICES: Record<string, string> = {
  application: 'application',
  'microsoft-windows-application-experience/program-telemetry': 'application-experience',
  'microsoft-windows-application-experience/program-compatibility-assistant': 'application-experience',
  'microsoft-windows-applocker/msi and script': 'applocker',
  'microsoft-windows-applocker/exe and dll': 'applocker',
  'microsoft-windows-applocker/packaged app-deployment': 'applocker',
  'microsoft-windows-applocker/packaged app-execution': 'applocker',
  'microsoft-windows-appmodel-runtime/admin': 'appmodel-runtime',
  'microsoft-windows-appxdeploymentserver/operational': 'appxdeployment-server',
  'microsoft-windows-appxpackaging/operational': 'appxpackaging-om',
  'microsoft-windows-bitlocker/bitlocker management': 'bitlocker',
  'microsoft-windows-bits-client/operational': 'bits-client',
  'microsoft-windows-capi2/operational': 'capi2',
  'microsoft-windows-certificateservicesclient-lifecycle-system/operational': 'certificateservicesclient-lifecycle-system',
  'microsoft-windows-codeintegrity/operational': 'codeintegrity-operational',
  'microsoft-windows-dhcp-server/operational': 'dhcp',
  'microsoft-windows-diagnosis-scripted/operational': 'diagnosis-scripted',
  'microsoft-windows-dns client events/operational': 'dns-client',
  'microsoft-windows-dns-client/operational': 'dns-client',
  'dns server': 'dns-server',
  'microsoft-windows-dns-server/analytical': 'dns-server-analytic',
  'microsoft-windows-dns-server/audit': 'dns-server-audit',
  'microsoft-windows-driverframeworks-usermode/operational': 'driver-framework',
  'microsoft-windows-windows firewall with advanced security/firewall': 'firewall-as',
  'microsoft-windows-hyper-v-worker': 'hyper-v-worker',
  'microsoft-iis-configuration/operational': 'iis-configuration',
  'microsoft-windows-kernel-eventtracing': 'kernel-event-tracing',
  'microsoft-windows-kernel-shimengine/operational': 'kernel-shimengine',
  'microsoft-windows-ldap-client/debug': 'ldap',
  'microsoft-windows-lsa/operational': 'lsa-server',
  'msexchange management': 'msexchange-management',
  'microsoft-windows-ntfs/operational': 'ntfs',
  'microsoft-windows-ntlm/operational': 'ntlm',
  'openssh/operational': 'openssh',
  'microsoft-windows-powershell/operational': 'powershell',
  'powershellcore/operational': 'powershell',
  'windows powershell': 'powershell-classic',
  'microsoft-windows-printservice/admin': 'printservice-admin',
  'microsoft-windows-printservice/operational': 'printservice-operational',
  security: 'security',
  'microsoft-windows-security-mitigations/kernel mode': 'security-mitigations',
  'microsoft-windows-security-mitigations/user mode': 'security-mitigations',
  'microsoft-windows-sense/operational': 'sense',
  'microsoft-servicebus-client/operational': 'servicebus-client',
  'microsoft-servicebus-client/admin': 'servicebus-client',
  'microsoft-windows-shell-core/operational': 'shell-core',
  'microsoft-windows-smbclient/security': 'smbclient-security',
  'microsoft-windows-sysmon/operational': 'sysmon',
  system: 'system',
  'microsoft-windows-taskscheduler/operational': 'taskscheduler',
  'microsoft-windows-terminalservices-localsessionmanager/operational': 'terminalservices-localsessionmanager',
  'microsoft-windows-vhdmp/operational': 'vhdmp',
  'microsoft-windows-windows defender/operational': 'windefend',
  'microsoft-windows-wmi-activity/operational': 'wmi',
};

/** Sysmon event id → categories. */
const SYSMON: Record<number, string[]> = {
  1: ['process_creation'],
  2: ['file_change'],
  3: ['network_connection'],
  4: ['sysmon_status'],
  5: ['process_termination'],
  6: ['driver_load'],
  7: ['image_load'],
  8: ['create_remote_thread'],
  9: ['raw_access_thread'],
  10: ['process_access'],
  11: ['file_event'],
  12: ['registry_event', 'registry_add', 'registry_delete'],
  13: ['registry_event', 'registry_set'],
  14: ['registry_event', 'registry_rename'],
  15: ['create_stream_hash'],
  16: ['sysmon_status'],
  17: ['pipe_created'],
  18: ['pipe_created'],
  19: ['wmi_event'],
  20: ['wmi_event'],
  21: ['wmi_event'],
  22: ['dns_query'],
  23: ['file_delete'],
  24: ['clipboard_capture'],
  25: ['process_tampering'],
  26: ['file_delete_detected'],
  27: ['file_block_executable'],
  28: ['file_block_shredding'],
  29: ['file_executable_detected'],
  255: ['sysmon_error'],
};

export function windowsService(channel: string): string | undefined {
  return SERVICES[channel.toLowerCase()];
}

/** The Sigma logsource of a Windows event, from its channel and event id (and, for Sysmon 12, its EventType). */
export function windowsLogsource(channel: string | undefined, eventId: number | undefined, eventType?: string): EventLogSource {
  const service = channel ? windowsService(channel) : undefined;
  let categories: string[] = [];
  if (service === 'sysmon' && eventId !== undefined) {
    categories = SYSMON[eventId] ?? [];
    if (eventId === 12 && eventType) {
      // CreateKey → registry_add; DeleteKey / DeleteValue → registry_delete
      categories = ['registry_event', /delete/i.test(eventType) ? 'registry_delete' : 'registry_add'];
    }
  } else if (service === 'security' && eventId === 4688) categories = ['process_creation'];
  else if (service === 'powershell' && eventId === 4103) categories = ['ps_module'];
  else if (service === 'powershell' && eventId === 4104) categories = ['ps_script'];
  else if (service === 'powershell-classic') {
    const c = ({ 400: 'ps_classic_start', 600: 'ps_classic_provider_start', 800: 'ps_classic_script' } as Record<number, string>)[eventId ?? -1];
    if (c) categories = [c];
  }
  return internLogsource('windows', service, categories);
}

/**
 * Where a Sigma field may be found when the event has no field of that name: the Winlogbeat
 * layout, NXLog's names, Security 4688's names for the Sysmon process-creation fields (as
 * pySigma's Windows audit pipeline maps them), and the normalized alert's ECS names.
 */
export const DEFAULT_FIELD_MAPPING: FieldMapping = {
  EventID: ['winlog.event_id', 'event.code'],
  Channel: ['winlog.channel', 'log.channel'],
  Provider_Name: ['SourceName', 'ProviderName', 'winlog.provider_name'],
  Computer: ['Hostname', 'ComputerName', 'winlog.computer_name', 'host.name'],
  ComputerName: ['Computer', 'Hostname', 'winlog.computer_name', 'host.name'],
  Hostname: ['Computer', 'winlog.computer_name', 'host.name'],
  Image: ['NewProcessName', 'process.executable'],
  ParentImage: ['ParentProcessName', 'process.parent.executable'],
  CommandLine: ['ProcessCommandLine', 'process.command_line'],
  User: ['user.name', 'SubjectUserName'],
  TargetUserName: ['user.target.name', 'user.name'],
  IpAddress: ['source.ip'],
  IpPort: ['source.port'],
  LogonType: ['winlog.logon.type'],
  ServiceName: ['service.name'],
  ImagePath: ['ServiceFileName', 'service.executable'],
  // network and proxy / web rules
  SourceIp: ['source.ip'],
  DestinationIp: ['destination.ip'],
  SourcePort: ['source.port'],
  DestinationPort: ['destination.port'],
  DestinationHostname: ['destination.domain', 'url.domain'],
  src_ip: ['source.ip'],
  dst_ip: ['destination.ip'],
  src_port: ['source.port'],
  dst_port: ['destination.port'],
  query: ['dns.question.name'],
  QueryName: ['dns.question.name'],
  'c-uri': ['url.full', 'url.original'],
  'cs-uri-query': ['url.query'],
  'c-useragent': ['user_agent.original'],
  'cs-method': ['http.request.method'],
  'sc-status': ['http.response.status_code'],
  'cs-host': ['url.domain', 'destination.domain'],
};

/**
 * A Windows record in Sigma's flat field names: Winlogbeat's event data lifted to the top,
 * its system fields under their Sigma names; an NXLog record is already flat.
 */
export function flattenWindowsRecord(record: Record<string, unknown>): Record<string, unknown> {
  const winlog = record.winlog as Record<string, unknown> | undefined;
  if (!winlog || typeof winlog !== 'object') return record;
  const flat: Record<string, unknown> = { ...record };
  const data = winlog.event_data as Record<string, unknown> | undefined;
  if (data && typeof data === 'object') for (const [k, v] of Object.entries(data)) if (!(k in flat)) flat[k] = v;
  const system: Record<string, unknown> = {
    EventID: winlog.event_id === undefined ? undefined : Number(winlog.event_id),
    Channel: winlog.channel,
    Computer: winlog.computer_name,
    Provider_Name: winlog.provider_name,
  };
  for (const [k, v] of Object.entries(system)) if (v !== undefined && !(k in flat)) flat[k] = v;
  return flat;
}

const SYSTEM_FIELDS = new Set(['EventID', 'Channel', 'Computer', 'Provider_Name']);

/** `flattenWindowsRecord(record)[key]`, read from the record as it is. */
function flatKey(record: Record<string, unknown>, key: string): unknown {
  if (key in record) return record[key];
  const winlog = record.winlog as Record<string, unknown> | undefined;
  if (!winlog || typeof winlog !== 'object') return undefined;
  const data = winlog.event_data as Record<string, unknown> | undefined;
  if (data && typeof data === 'object' && Object.hasOwn(data, key)) return data[key];
  if (!SYSTEM_FIELDS.has(key)) return undefined;
  switch (key) {
    case 'EventID':
      return winlog.event_id === undefined ? undefined : Number(winlog.event_id);
    case 'Channel':
      return winlog.channel;
    case 'Computer':
      return winlog.computer_name;
    default:
      return winlog.provider_name;
  }
}

/**
 * `valueAt(flattenWindowsRecord(record), path)` without building the flat copy: a Winlogbeat
 * alert is read in place (the copy costs more than the rules' matching of a live alert).
 */
export function windowsValueAt(record: Record<string, unknown>, path: string): unknown {
  const flat = flatKey(record, path);
  if (flat !== undefined || !path.includes('.')) return flat;
  const parts = splitPath(path);
  let cur = flatKey(record, parts[0]!);
  for (let i = 1; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[parts[i]!];
    if (cur === undefined) return undefined;
  }
  return cur;
}

/**
 * What the flat layout's text holds beyond the record's own strings: the record holds every value
 * it does (event data nested), but for an event id the flat layout turns into a number.
 */
export function windowsExtraText(record: Record<string, unknown>, out: string[]): void {
  const winlog = record.winlog as Record<string, unknown> | undefined;
  if (!('EventID' in record) && winlog && typeof winlog === 'object' && winlog.event_id !== undefined) {
    const data = winlog.event_data as Record<string, unknown> | undefined;
    if (!(data && typeof data === 'object' && Object.hasOwn(data, 'EventID'))) out.push(String(Number(winlog.event_id)));
  }
}
