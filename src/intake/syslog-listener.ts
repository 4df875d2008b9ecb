/**
 * The syslog way in: UDP datagrams and TCP streams (RFC 6587 octet-counting `LEN SP MSG` or
 * newline-delimited framing, told apart per frame). Messages are collected for a short moment
 * and written in batches; a TCP sender is paused while its batch is written, so a fast sender
 * is slowed, never dropped. Garbage (binary, endless lines, bad lengths) is rejected by count
 * and reason; the listener carries on.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Health } from '../runtime/background.js';
import type { IntakeRecord, IntakeService } from './intake.service.js';

/** records held while the database refuses them; past this, new messages are dropped (and counted) */
const MAX_HELD = 50_000;
/** the UDP socket's receive buffer: a burst waits in the kernel while a batch is written */
const UDP_RECEIVE_BUFFER = 8 << 20;

/** Counts the listener keeps beside what intake stores, per channel (written to the day's intake counters). */
type ListenerCounts = Record<'received' | 'dropped' | 'kernel_dropped' | 'refused_connection', number>;
const ZERO = (): ListenerCounts => ({ received: 0, dropped: 0, kernel_dropped: 0, refused_connection: 0 });

/**
 * Datagrams the kernel dropped for a UDP socket because its receive buffer was full: the `drops`
 * column of /proc/net/udp(6) for the socket bound to this port (Linux; elsewhere undefined).
 */
export function kernelUdpDrops(port: number): number | undefined {
  let total: number | undefined;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const local = cols[1]!;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
      total = (total ?? 0) + Number(cols[cols.length - 1]);
    }
  }
  return total;
}

export interface SyslogAddress {
  host: string;
  port: number;
}

export function parseListenAddress(text: string, key: string): SyslogAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`${key}: "${text}" is not HOST:PORT (e.g. 0.0.0.0:5514)`);
  return { host: m[1] ?? m[2]!, port };
}

type Channel = 'syslog-udp' | 'syslog-tcp';

export class SyslogListener {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private pending: Record<Channel, IntakeRecord[]> = { 'syslog-udp': [], 'syslog-tcp': [] };
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private seq = 0;
  /** failed writes in a row: while above 0, batches wait for the back-off instead of being written at once */
  private failures = 0;
  private retryAt = 0;
  /** messages dropped because the database refused writes for so long that MAX_HELD were waiting */
  dropped = 0;
  private stopped = false;

  private counts: Record<Channel, ListenerCounts> = { 'syslog-udp': ZERO(), 'syslog-tcp': ZERO() };
  private udpPort?: number;
  private kernelDropsSeen?: number;
  private countTimer?: NodeJS.Timeout;

  constructor(
    private readonly intake: IntakeService,
    private readonly log: Pick<Logger, 'warn' | 'error'>,
    private readonly opts: {
      batchSize?: number;
      flushMs?: number;
      health?: Health;
      /** TCP connections at once; more are refused and counted */
      maxConnections?: number;
      /** a TCP connection silent this long is closed */
      idleTimeoutMs?: number;
      /** how often the listener's own counts are written */
      countEveryMs?: number;
      /** the UDP socket's receive buffer in bytes (the kernel may round it) */
      udpReceiveBuffer?: number;
    } = {},
  ) {
    opts.health?.register('syslog');
  }

  /** What the listener has counted and not yet written (for the tests and the log). */
  pendingCounts(): Record<Channel, ListenerCounts> {
    return { 'syslog-udp': { ...this.counts['syslog-udp'] }, 'syslog-tcp': { ...this.counts['syslog-tcp'] } };
  }

  /** Adds the kernel's drops since the last look and writes every count to the day's intake counters. */
  async writeCounts(): Promise<void> {
    if (this.udpPort !== undefined) {
      const drops = kernelUdpDrops(this.udpPort);
      if (drops !== undefined) {
        if (this.kernelDropsSeen !== undefined && drops > this.kernelDropsSeen) this.counts['syslog-udp'].kernel_dropped += drops - this.kernelDropsSeen;
        this.kernelDropsSeen = drops;
      }
    }
    for (const channel of ['syslog-udp', 'syslog-tcp'] as const) {
      const c = this.counts[channel];
      if (!Object.values(c).some((n) => n > 0)) continue;
      this.counts[channel] = ZERO();
      try {
        await this.intake.addCounters(channel, c);
      } catch (e) {
        // kept for the next time
        for (const k of Object.keys(c) as Array<keyof ListenerCounts>) this.counts[channel][k] += c[k];
        this.log.warn({ err: e }, 'syslog: the listener counts could not be written; kept for the next time');
      }
    }
  }

  async start(addr: { udp?: SyslogAddress; tcp?: SyslogAddress }): Promise<{ udp?: number; tcp?: number }> {
    const bound: { udp?: number; tcp?: number } = {};
    if (addr.udp) {
      const { host, port } = addr.udp;
      const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: this.opts.udpReceiveBuffer ?? UDP_RECEIVE_BUFFER });
      socket.on('message', (msg, rinfo) => {
        this.counts['syslog-udp'].received++;
        this.take('syslog-udp', msg.toString('utf8').replace(/[\r\n\0]+$/, ''), msg.length, rinfo.address);
      });
      socket.on('error', (e) => this.log.error({ err: e }, 'syslog UDP socket error'));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => resolve());
      });
      this.udp = socket;
      bound.udp = socket.address().port;
      this.udpPort = bound.udp;
      this.kernelDropsSeen = kernelUdpDrops(bound.udp);
    }
    if (addr.tcp) {
      const server = net.createServer((s) => this.connection(s));
      server.on('error', (e) => this.log.error({ err: e }, 'syslog TCP server error'));
      // past the cap a new connection is closed at once (and counted): one sender cannot hold every socket
      server.maxConnections = this.opts.maxConnections ?? 1000;
      server.on('drop', () => this.counts['syslog-tcp'].refused_connection++);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(addr.tcp!.port, addr.tcp!.host, () => resolve());
      });
      this.tcp = server;
      bound.tcp = (server.address() as net.AddressInfo).port;
    }
    this.countTimer = setInterval(() => void this.writeCounts(), this.opts.countEveryMs ?? 10_000);
    this.countTimer.unref();
    return bound;
  }

  private connection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.opts.idleTimeoutMs ?? 5 * 60_000, () => socket.destroy());
    const sender = socket.remoteAddress;
    let buf: Buffer = Buffer.alloc(0);
    let discarding = false; // inside a newline-framed message that was too long
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (buf.length === 0) break;
        if (discarding) {
          const nl = buf.indexOf(0x0a);
          if (nl === -1) {
            buf = Buffer.alloc(0);
            break;
          }
          buf = buf.subarray(nl + 1);
          discarding = false;
          continue;
        }
        // RFC 6587 octet counting: "LEN SP MSG"
        const m = /^(\d{1,10}) /.exec(buf.subarray(0, 12).toString('latin1'));
        if (m) {
          const len = Number(m[1]);
          const start = m[0].length;
          if (len > this.intake.maxRecordBytes) {
            this.reject('syslog-tcp', `an octet-counted frame of ${len} bytes, over the limit of ${this.intake.maxRecordBytes}; connection closed`);
            socket.destroy();
            return;
          }
          if (buf.length < start + len) break;
          this.counts['syslog-tcp'].received++;
          this.take('syslog-tcp', buf.subarray(start, start + len).toString('utf8').replace(/[\r\n\0]+$/, ''), len, sender);
          buf = buf.subarray(start + len);
          continue;
        }
        const nl = buf.indexOf(0x0a);
        if (nl === -1) {
          if (buf.length > this.intake.maxRecordBytes) {
            this.reject('syslog-tcp', `a line of more than ${this.intake.maxRecordBytes} bytes without a newline`);
            buf = Buffer.alloc(0);
            discarding = true;
          }
          break;
        }
        this.counts['syslog-tcp'].received++;
        this.take('syslog-tcp', buf.subarray(0, nl).toString('utf8').replace(/[\r\0]+$/, ''), nl, sender);
        buf = buf.subarray(nl + 1);
      }
      if (this.pending['syslog-tcp'].length >= (this.opts.batchSize ?? 500)) {
        socket.pause();
        void this.flush().finally(() => socket.resume());
      }
    });
  }

  private held(): number {
    return this.pending['syslog-udp'].length + this.pending['syslog-tcp'].length;
  }

  private take(channel: Channel, text: string, bytes: number, from?: string): void {
    this.seq++;
    if (this.held() >= MAX_HELD) {
      this.counts[channel].dropped++;
      if (this.dropped++ % 10_000 === 0) this.log.error({ dropped: this.dropped, held: MAX_HELD }, 'syslog: the database has refused writes for a while and the backlog is full; new messages are dropped until it recovers');
      return;
    }
    if (bytes > this.intake.maxRecordBytes) this.pending[channel].push({ line: this.seq, tooLong: bytes });
    else if (text.trim()) this.pending[channel].push({ line: this.seq, text, sender: from?.replace(/^::ffff:/, '') });
    this.schedule();
  }

  private reject(channel: Channel, reason: string): void {
    this.seq++;
    this.pending[channel].push({ line: this.seq, problem: reason });
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const wait = this.retryAt - Date.now();
    if (this.failures > 0 && wait > 0) this.timer ??= setTimeout(() => void this.flush(), wait);
    else if (this.held() >= (this.opts.batchSize ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 200);
  }

  /** Writes what has arrived; resolves when it is on disk. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(async () => {
      for (const channel of ['syslog-udp', 'syslog-tcp'] as const) {
        const batch = this.pending[channel];
        if (batch.length === 0) continue;
        this.pending[channel] = [];
        try {
          await this.intake.ingest(batch, { channel });
          this.failures = 0;
          this.opts.health?.ok('syslog');
        } catch (e) {
          // kept, in order, ahead of what arrived meanwhile, and written again after a back-off
          this.pending[channel] = batch.concat(this.pending[channel]);
          this.failures++;
          const backoff = Math.min(60_000, 1000 * 2 ** Math.min(this.failures - 1, 16));
          this.retryAt = Date.now() + backoff;
          if (this.opts.health) this.opts.health.failed('syslog', e, backoff);
          else this.log.error({ err: e, records: batch.length, retryInMs: backoff }, 'syslog batch could not be stored; kept and retried');
          break;
        }
      }
      if (this.failures > 0 && this.held() > 0) this.schedule();
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.countTimer);
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
    await this.flush();
    await this.writeCounts();
  }
}

/** The listeners the configuration asks for (none when neither address is set), started; with the ports they bound. */
export async function startConfiguredSyslog(
  intake: IntakeService,
  log: Pick<Logger, 'warn' | 'error'>,
  health: Health,
  cfg: { syslogUdp?: string; syslogTcp?: string; syslogTcpMaxConnections: number; syslogTcpIdleSeconds: number },
): Promise<{ listener?: SyslogListener; ports: { udp?: number; tcp?: number } }> {
  if (!cfg.syslogUdp && !cfg.syslogTcp) return { ports: {} };
  const listener = new SyslogListener(intake, log, { health, maxConnections: cfg.syslogTcpMaxConnections, idleTimeoutMs: cfg.syslogTcpIdleSeconds * 1000 });
  const ports = await listener.start({
    udp: cfg.syslogUdp ? parseListenAddress(cfg.syslogUdp, 'BIHUAN_SYSLOG_UDP') : undefined,
    tcp: cfg.syslogTcp ? parseListenAddress(cfg.syslogTcp, 'BIHUAN_SYSLOG_TCP') : undefined,
  });
  return { listener, ports };
}
