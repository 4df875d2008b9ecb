/**
 * The syslog listener on real sockets (loopback): UDP and TCP, RFC 3164 and RFC 5424, newline
 * and octet-counting framing, JSON inside syslog; garbage is counted and the listener goes on.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyslogListener } from '../src/intake/syslog-listener.js';
import { DIALECTS } from './support/dialects.js';
import { type Harness, startHarness } from './support/harness.js';

const fixtures = path.resolve(import.meta.dirname, 'fixtures/intake');
const quiet = { warn: () => undefined, error: () => undefined };

for (const dialect of DIALECTS) {
  describe(`syslog listener on ${dialect}`, () => {
    let h: Harness;
    let listener: SyslogListener;
    let ports: { udp?: number; tcp?: number };
    beforeAll(async () => {
      h = await startHarness(dialect, { BIHUAN_MAX_RECORD_BYTES: '4096' });
      listener = new SyslogListener(h.services.intake, quiet, { flushMs: 20 });
      ports = await listener.start({ udp: { host: '127.0.0.1', port: 0 }, tcp: { host: '127.0.0.1', port: 0 } });
    });
    afterAll(async () => {
      await listener?.stop();
      await h?.close();
    });

    type Item = { channel: string; alert: any; original?: string };
    // alerts and events (log-ins, DNS answers: the lean table, searched by time)
    const search = async (qs: string) => [
      ...((await h.req({ method: 'GET', url: `/api/alerts?${qs}&limit=500`, as: 'viewer' })).json().items as Item[]),
      ...((await h.req({ method: 'GET', url: `/api/alerts?kind=event&from=2000-01-01T00:00:00Z&${qs}&limit=500`, as: 'viewer' })).json().items as Item[]),
    ];
    const waitFor = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
      const until = Date.now() + 5000;
      for (;;) {
        await listener.flush();
        const v = await fn();
        if (ok(v) || Date.now() > until) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    it('takes UDP datagrams: BSD and RFC 5424 sshd lines, CEF, and Suricata EVE JSON sent over syslog', async () => {
      const client = dgram.createSocket('udp4');
      const send = (m: string) => new Promise<void>((resolve) => client.send(Buffer.from(m), ports.udp!, '127.0.0.1', () => resolve()));
      for (const line of fs.readFileSync(path.join(fixtures, 'auth.log'), 'utf8').split('\n').filter(Boolean)) await send(line);
      await send(fs.readFileSync(path.join(fixtures, 'cef.log'), 'utf8').split('\n')[0]!);
      await send(`<14>Dec  2 06:48:11 hq-ids suricata[2201]: ${fs.readFileSync(path.join(fixtures, 'suricata-eve.json'), 'utf8').split('\n')[1]}`);
      client.close();
      const got = await waitFor(() => search(''), (v) => v.length >= 7);
      expect(got.filter((a) => a.channel === 'syslog-udp')).toHaveLength(7);
      // the IDS and firewall alerts in full; the sshd log-ins as events, each with its record
      expect(got.filter((a) => a.alert.observer).map((a) => a.alert.observer.product)).toEqual(expect.arrayContaining(['StoneOS', 'Suricata']));
      expect(got.filter((a) => a.original?.includes(' sshd'))).toHaveLength(5);
    });

    it('takes TCP streams with newline and octet-counting framing, split anywhere across packets', async () => {
      const lines = fs.readFileSync(path.join(fixtures, 'bind-query.log'), 'utf8').split('\n').filter(Boolean);
      const framed = Buffer.concat([
        Buffer.from(`${lines[0]}\n`),
        Buffer.from(`${Buffer.byteLength(lines[1]!)} ${lines[1]}`),
        Buffer.from(`${Buffer.byteLength(lines[2]!)} ${lines[2]}`),
      ]);
      const socket = net.connect(ports.tcp!, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      for (let i = 0; i < framed.length; i += 7) socket.write(framed.subarray(i, i + 7)); // 7-byte packets
      socket.end();
      const got = await waitFor(() => search('format=dns'), (v) => v.length >= 3);
      expect(got.map((a) => a.alert.source.ip).sort()).toEqual(['10.164.1.8', '10.164.2.116', '10.164.2.13']);
      expect(got.every((a) => a.channel === 'syslog-tcp')).toBe(true);
    });

    it('survives garbage: binary datagrams, endless lines and absurd frame lengths are counted as rejects', async () => {
      const client = dgram.createSocket('udp4');
      await new Promise<void>((r) => client.send(Buffer.from([0, 255, 1, 2, 3, 0xfe]), ports.udp!, '127.0.0.1', () => r()));
      await new Promise<void>((r) => client.send(Buffer.alloc(6000, 'a'), ports.udp!, '127.0.0.1', () => r()));
      client.close();
      const endless = net.connect(ports.tcp!, '127.0.0.1');
      await new Promise((r) => endless.once('connect', r));
      endless.write(Buffer.alloc(10_000, 'z'));
      endless.write('\nDec  2 05:00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 2 ssh2\n');
      endless.end();
      const huge = net.connect(ports.tcp!, '127.0.0.1');
      await new Promise((r) => huge.once('connect', r));
      huge.write('99999999 <13>oops');
      await new Promise((r) => huge.once('close', r));
      const rejects = await waitFor(
        async () => (await h.req({ method: 'GET', url: '/api/intake/rejects', as: 'viewer' })).json() as Array<{ reason: string; channel: string }>,
        (v) => v.length >= 4,
      );
      expect(rejects.map((r) => r.reason)).toEqual(
        expect.arrayContaining([
          expect.stringContaining('a line of no known format'),
          'the record is 6000 bytes, over the limit of 4096',
          // the endless line: cut off while streaming, or whole if its newline came in the same packet
          expect.stringMatching(/^(a line of more than 4096 bytes without a newline|the record is 10000 bytes, over the limit of 4096)$/),
          expect.stringContaining('an octet-counted frame of 99999999 bytes'),
        ]),
      );
      // the line after the endless one still got in, and the listener still works
      expect(await waitFor(() => search('src=192.0.2.1'), (v) => v.length === 1)).toHaveLength(1);
    });

    it('reads a device\u2019s local times in the zone listed for the address it sends from, when its header names no listed host', async () => {
      const put = (sources: Array<{ host: string; zone: string }>) => h.req({ method: 'PUT', url: '/api/settings/time-zone', as: 'admin', payload: { zone: 'Asia/Shanghai', sources } });
      expect((await put([{ host: '127.0.0.1', zone: 'Europe/Berlin' }])).statusCode).toBe(200);
      try {
        const client = dgram.createSocket('udp4');
        // the header names "edge-7", listed nowhere; the datagram comes from 127.0.0.1, listed in Berlin
        await new Promise<void>((r) => client.send(Buffer.from('<38>Nov 25 09:00:00 edge-7 sshd[77]: Failed password for root from 198.51.100.77 port 4000 ssh2'), ports.udp!, '127.0.0.1', () => r()));
        client.close();
        const got = await waitFor(() => search('src=198.51.100.77'), (v) => v.length >= 1);
        expect(got[0]!.alert['@timestamp']).toBe('2026-11-25T08:00:00.000Z'); // 09:00 in Berlin (UTC+1), not in Beijing
      } finally {
        await put([]);
      }
    });
  });
}

describe('syslog listener when the database refuses writes', () => {
  it('keeps the messages, retries with back-off, reports itself failing, and stores them all once the database is back', async () => {
    const h = await startHarness('sqlite');
    const { Health } = await import('../src/runtime/background.js');
    const SQLite = (await import('better-sqlite3')).default;
    const health = new Health();
    const listener = new SyslogListener(h.services.intake, quiet, { flushMs: 20, health });
    const ports = await listener.start({ udp: { host: '127.0.0.1', port: 0 } });
    const other = new SQLite(h.db.url.replace(/^sqlite:/, ''));
    try {
      other.exec('ALTER TABLE alerts RENAME TO alerts_away');
      const client = dgram.createSocket('udp4');
      const lines = fs.readFileSync(path.join(fixtures, 'auth.log'), 'utf8').split('\n').filter(Boolean);
      for (const line of lines) await new Promise<void>((resolve) => client.send(Buffer.from(line), ports.udp!, '127.0.0.1', () => resolve()));
      client.close();
      const until = Date.now() + 5000;
      while (!health.degraded() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(health.components().find((c) => c.name === 'syslog')).toMatchObject({ state: 'failing', failures: 1 });
      other.exec('ALTER TABLE alerts_away RENAME TO alerts');
      const back = Date.now() + 10_000;
      while (health.degraded() && Date.now() < back) await new Promise((r) => setTimeout(r, 50));
      expect(health.components().find((c) => c.name === 'syslog')).toMatchObject({ state: 'ok', failures: 0 });
      const stored = (await h.req({ method: 'GET', url: '/api/alerts?kind=event&from=2000-01-01T00:00:00Z&limit=500', as: 'viewer' })).json().items as unknown[];
      // every sshd log-in line (the pam_unix session line is not an alert)
      expect(stored).toHaveLength(lines.filter((l) => !l.includes('pam_unix')).length);
    } finally {
      other.close();
      await listener.stop();
      await h.close();
    }
  });
});

describe('syslog listener limits (F12)', () => {
  it('counts what it received beside what was stored, and the datagrams the kernel dropped while the process was busy', async () => {
    const h = await startHarness('sqlite');
    const listener = new SyslogListener(h.services.intake, quiet, { flushMs: 20, udpReceiveBuffer: 4096, countEveryMs: 60_000 });
    const ports = await listener.start({ udp: { host: '127.0.0.1', port: 0 } });
    try {
      const line = fs.readFileSync(path.join(fixtures, 'auth.log'), 'utf8').split('\n')[0]!;
      // another process blasts datagrams while this one is busy (its event loop blocked): the small buffer overflows
      const { spawn } = await import('node:child_process');
      const sender = spawn(process.execPath, [
        '-e',
        `const s=require('dgram').createSocket('udp4');let n=0;const m=Buffer.from(${JSON.stringify(line)}.padEnd(900,' '));(function go(){for(let i=0;i<50&&n<3000;i++,n++)s.send(m,${ports.udp},'127.0.0.1');if(n<3000)setImmediate(go);else setTimeout(()=>s.close(),100)})()`,
      ]);
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        /* busy: nothing is read from the socket meanwhile */
      }
      await new Promise((r) => sender.once('exit', r));
      await new Promise((r) => setTimeout(r, 300));
      await listener.flush();
      await listener.writeCounts();
      const counters = (await h.req({ method: 'GET', url: '/api/intake/counters', as: 'viewer' })).json() as Array<{ channel: string; outcome: string; count: number }>;
      const of = (outcome: string) => counters.find((c) => c.channel === 'syslog-udp' && c.outcome === outcome)?.count ?? 0;
      expect(of('received')).toBeGreaterThan(0);
      expect(of('kernel_dropped')).toBeGreaterThan(0);
      // (a datagram the sender's own kernel could not send is in neither)
      expect(of('received') + of('kernel_dropped')).toBeLessThanOrEqual(3000);
      expect(of('received') + of('kernel_dropped')).toBeGreaterThan(2500);
      // every datagram read was stored or counted (the same line again is a duplicate)
      expect(of('accepted') + of('duplicate') + of('rejected') + of('skipped')).toBe(of('received'));
    } finally {
      await listener.stop();
      await h.close();
    }
  }, 30_000);

  it('refuses TCP connections past the cap (counted) and closes idle ones', async () => {
    const h = await startHarness('sqlite');
    const listener = new SyslogListener(h.services.intake, quiet, { flushMs: 20, maxConnections: 2, idleTimeoutMs: 300, countEveryMs: 60_000 });
    const ports = await listener.start({ tcp: { host: '127.0.0.1', port: 0 } });
    try {
      const open = () =>
        new Promise<{ socket: net.Socket; closed: Promise<number> }>((resolve) => {
          const socket = net.connect(ports.tcp!, '127.0.0.1', () => resolve({ socket, closed: new Promise((r) => socket.once('close', () => r(Date.now()))) }));
          socket.on('error', () => undefined);
        });
      const started = Date.now();
      const a = await open();
      const b = await open();
      const c = await open();
      // the third is closed by the server at once; the first two when idle
      const cClosed = await c.closed;
      expect(cClosed - started).toBeLessThan(250);
      a.socket.write('Dec  2 04:50:01 sh-fs01 sshd[2121]: Failed password for root from 10.164.2.33 port 52144 ssh2\n');
      const [aClosed, bClosed] = await Promise.all([a.closed, b.closed]);
      expect(aClosed - started).toBeGreaterThanOrEqual(250);
      expect(bClosed - started).toBeGreaterThanOrEqual(250);
      await listener.flush();
      await listener.writeCounts();
      const counters = (await h.req({ method: 'GET', url: '/api/intake/counters', as: 'viewer' })).json() as Array<{ channel: string; outcome: string; count: number }>;
      expect(counters.filter((x) => x.channel === 'syslog-tcp').map((x) => [x.outcome, x.count]).sort()).toEqual([
        ['accepted', 1],
        ['events', 1],
        ['received', 1],
        ['refused_connection', 1],
      ]);
    } finally {
      await listener.stop();
      await h.close();
    }
  });
});
