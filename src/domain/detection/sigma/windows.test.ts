import { describe, expect, it } from 'vitest';
import { SigmaEvent, internLogsource, valueAt } from './event.js';
import { flattenWindowsRecord, windowsExtraText, windowsLogsource, windowsValueAt } from './windows.js';

/** Winlogbeat-layout records, with the collisions flattening has rules for */
const RECORDS: Array<Record<string, unknown>> = [
  {
    '@timestamp': '2026-11-25T08:00:00Z',
    message: 'An account failed to log on.',
    winlog: { channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'SH-DC01', event_id: 4625, event_data: { TargetUserName: 'administrator', IpAddress: '203.0.113.9', LogonType: '3' } },
  },
  // the record's own key wins over event data of that name; event data over system fields
  { message: 'top', TargetUserName: 'top-level', winlog: { channel: 'Security', event_id: '4624', event_data: { TargetUserName: 'data', Channel: 'from data', 'dotted.name': 'x', nested: { a: 1 } } } },
  { EventID: 7, winlog: { channel: 'System', event_id: 'not a number', event_data: { EventID: 'data id' } } },
  { winlog: { event_id: 'abc', event_data: { constructor: 'odd', toString: 'odder', list: ['a', 2, null] } } },
  { winlog: { channel: 'Application' } },
  { nxlog: 'flat', EventID: 4688, Channel: 'Security' },
];
const PATHS = [
  'TargetUserName', 'IpAddress', 'LogonType', 'EventID', 'Channel', 'Computer', 'Provider_Name', 'message', 'winlog.event_id', 'winlog.event_data.TargetUserName',
  'dotted.name', 'nested.a', 'nested.b', 'constructor', 'toString', 'list', 'winlog', 'missing', 'missing.deeper', 'nxlog', '@timestamp',
];

/** a record read in place the way AlertEvent reads a Winlogbeat alert */
class WindowsEvent extends SigmaEvent {
  protected override own(path: string): unknown {
    return windowsValueAt(this.doc, path);
  }

  protected override ownText(out: string[]): void {
    super.ownText(out);
    windowsExtraText(this.doc, out);
  }
}

describe('a Windows record read in place', () => {
  it('gives every field the flattened copy gives', () => {
    for (const record of RECORDS) {
      const flat = flattenWindowsRecord(record);
      for (const path of PATHS) expect(windowsValueAt(record, path), `${path} in ${JSON.stringify(record)}`).toEqual(valueAt(flat, path));
    }
  });

  it('gives keyword searches the same strings as the flattened copy', () => {
    for (const record of RECORDS) {
      const inPlace = new Set(new WindowsEvent(record, {}, 0).keywords().raw);
      const copied = new Set(new SigmaEvent(flattenWindowsRecord(record), {}, 0).keywords().raw);
      expect([...inPlace].sort(), JSON.stringify(record)).toEqual([...copied].sort());
    }
  });
});

describe('logsources shared by events of a kind', () => {
  it('are one object per product, service and categories, and a name cannot pass for another', () => {
    expect(windowsLogsource('Microsoft-Windows-Sysmon/Operational', 1)).toBe(windowsLogsource('microsoft-windows-sysmon/operational', 1));
    expect(windowsLogsource('Microsoft-Windows-Sysmon/Operational', 1)).toEqual({ product: 'windows', service: 'sysmon', categories: ['process_creation'] });
    const a = internLogsource('windows|security', undefined, []);
    const b = internLogsource('windows', 'security', []);
    expect(a).not.toBe(b);
    expect(a.product).toBe('windows|security');
    expect(internLogsource('x', undefined, ['a,b'])).not.toBe(internLogsource('x', undefined, ['a', 'b']));
    expect(internLogsource('x', undefined, ['a'])).not.toBe(internLogsource('x', 'a', []));
    expect(Object.isFrozen(b) && Object.isFrozen(b.categories)).toBe(true);
  });
});
