/**
 * What a rule sees of a stored alert: the normalized fields, and beneath them the device's
 * original record (read only when a rule asks for a field the normalized alert lacks, and only
 * when the record can hold it).
 */
import { describe, expect, it } from 'vitest';
import { normalizeRecords } from '../intake/intake.service.js';
import { alertEvent } from './alert-event.js';

async function normalized(text: string) {
  for await (const r of normalizeRecords([{ line: 1, text }], { timeZone: 'Asia/Shanghai', now: new Date('2026-11-25T00:00:00Z'), maxRecordBytes: 65536, mapped: [] })) {
    if ('alert' in r) return r;
  }
  throw new Error('not an alert');
}

const EVE = JSON.stringify({
  timestamp: '2019-12-02T06:48:09.412877+0800',
  event_type: 'alert',
  src_ip: '10.164.2.15',
  src_port: 49812,
  dest_ip: '10.1.99.10',
  dest_port: 445,
  proto: 'TCP',
  'tls.sni': 'flat.example',
  alert: { action: 'allowed', gid: 1, signature_id: 2024218, rev: 3, signature: 'ET EXPLOIT Possible ETERNALBLUE MS17-010 Echo Response', category: 'Attempted Administrator Privilege Gain', severity: 1 },
});

describe('the event view of an alert', () => {
  it('finds normalized fields, then fields only the original record has (nested or a dotted key), and nothing else', async () => {
    const r = await normalized(EVE);
    const event = alertEvent(r.alert, r.format, r.original, {});
    expect(event.field('source.ip').values).toEqual(['10.164.2.15']);
    expect(event.field('alert.signature_id').values).toEqual([2024218]);
    expect(event.field('alert.rev').values).toEqual([3]);
    expect(event.field('tls.sni').values).toEqual(['flat.example']);
    expect(event.field('dns.question.name').present).toBe(false);
    expect(event.field('http.hostname').present).toBe(false);
    // keyword searches see the original too
    expect(event.keywords().lowers).toContain('allowed');
  });

  it('a record that is not JSON is no underlay', async () => {
    const r = await normalized('02-Dec-2019 04:57:03.214 queries: info: client @0x7f3a5c0e8f10 10.164.1.8#53211 (t.awcna.com): query: t.awcna.com IN A + (10.1.1.53)');
    const event = alertEvent(r.alert, r.format, r.original, {});
    expect(event.field('dns.question.name').values).toEqual(['t.awcna.com']);
    expect(event.field('queries').present).toBe(false);
  });
});
