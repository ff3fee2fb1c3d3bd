/**
 * @module confd/syslog/forwarder
 * Sends audit records off the box to the remote syslog collectors of /system/syslog/remote:
 * TCP with octet-counting framing (RFC 6587), or UDP datagrams (RFC 5426). Each TCP collector
 * has a bounded queue: while it is unreachable records wait there, the oldest dropped (and
 * counted, and announced to the collector once it is back) when the queue is full; the
 * connection is retried with a capped back-off. Nothing here ever blocks or fails a commit.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AuditRecord } from '../store/audit-chain.js';
import { SEVERITIES, formatAuditMessage, formatLossMessage, frameOctetCounted, severityOf, type MessageContext, type SeverityName } from './rfc5424.js';

export interface RemoteSpec {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  /** Lowest severity sent. */
  readonly severity: SeverityName;
}

export interface ForwarderOptions {
  readonly log: Logger;
  readonly context: () => MessageContext;
  /** Records a TCP collector's queue holds while it is unreachable. */
  readonly queueLimit?: number;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

export interface RemoteStats {
  readonly remote: string;
  readonly protocol: 'tcp' | 'udp';
  readonly connected: boolean;
  readonly queued: number;
  readonly sent: number;
  readonly dropped: number;
}

export const DEFAULT_QUEUE_LIMIT = 10_000;

const keyOf = (r: RemoteSpec) => `${r.protocol}:${r.host}:${r.port}:${r.severity}`;
const nameOf = (r: RemoteSpec) => (isIP(r.host) === 6 ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`);

interface Remote {
  readonly spec: RemoteSpec;
  readonly name: string;
  send(frame: string): void;
  unreachable(): boolean;
  stats(): RemoteStats;
  close(): void;
}

class TcpRemote implements Remote {
  readonly name: string;
  private socket: Socket | null = null;
  private connected = false;
  private readonly queue: Buffer[] = [];
  private sent = 0;
  private dropped = 0;
  private announced = 0;
  private failed = false;
  private retryMs: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(readonly spec: RemoteSpec, private readonly o: Required<Omit<ForwarderOptions, 'context' | 'log'>> & ForwarderOptions) {
    this.name = nameOf(spec);
    this.retryMs = o.retryMinMs;
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const s = new Socket();
    this.socket = s;
    s.setNoDelay(true);
    s.setKeepAlive(true, 30_000);
    s.on('connect', () => {
      this.connected = true;
      this.failed = false;
      this.retryMs = this.o.retryMinMs;
      this.o.log.info({ remote: this.name, queued: this.queue.length }, 'remote syslog connected');
      this.pump();
    });
    s.on('drain', () => this.pump());
    s.on('data', () => undefined);
    s.on('error', (err) => {
      if (!this.failed) this.o.log.warn({ remote: this.name, err: err.message }, 'remote syslog unreachable');
      this.failed = true;
    });
    s.on('close', () => {
      this.connected = false;
      this.socket = null;
      if (this.closed) return;
      this.failed = true;
      this.timer = setTimeout(() => { this.timer = null; this.connect(); }, this.retryMs);
      this.timer.unref();
      this.retryMs = Math.min(this.retryMs * 2, this.o.retryMaxMs);
    });
    s.connect({ host: this.spec.host, port: this.spec.port });
  }

  send(message: string): void {
    if (this.queue.length >= this.o.queueLimit) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(frameOctetCounted(message));
    this.pump();
  }

  /** Writes queued frames while the socket takes them. */
  private pump(): void {
    const s = this.socket;
    if (!s || !this.connected) return;
    if (this.dropped > this.announced) {
      const n = this.dropped - this.announced;
      this.announced = this.dropped;
      s.write(frameOctetCounted(formatLossMessage(n, new Date().toISOString(), this.o.context())));
    }
    while (this.queue.length > 0) {
      const frame = this.queue.shift()!;
      this.sent++;
      if (!s.write(frame)) return;
    }
  }

  unreachable(): boolean { return this.failed && !this.connected; }

  stats(): RemoteStats {
    return { remote: this.name, protocol: 'tcp', connected: this.connected, queued: this.queue.length, sent: this.sent, dropped: this.dropped };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    // What is written goes out first; a collector that does not read is cut off after a second.
    const s = this.socket;
    if (s) { s.end(); setTimeout(() => s.destroy(), 1000).unref(); }
  }
}

class UdpRemote implements Remote {
  readonly name: string;
  private readonly socket: UdpSocket;
  private sent = 0;
  private dropped = 0;

  constructor(readonly spec: RemoteSpec, private readonly log: Logger) {
    this.name = nameOf(spec);
    this.socket = createSocket(isIP(spec.host) === 6 ? 'udp6' : 'udp4');
    this.socket.on('error', (err) => log.warn({ remote: this.name, err: err.message }, 'remote syslog (udp) error'));
    this.socket.unref();
  }

  send(message: string): void {
    this.socket.send(Buffer.from(message, 'utf8'), this.spec.port, this.spec.host, (err) => {
      if (err) { this.dropped++; this.log.warn({ remote: this.name, err: err.message }, 'remote syslog datagram not sent'); } else this.sent++;
    });
  }

  unreachable(): boolean { return false; }
  stats(): RemoteStats { return { remote: this.name, protocol: 'udp', connected: true, queued: 0, sent: this.sent, dropped: this.dropped }; }
  close(): void { try { this.socket.close(); } catch { /* already closed */ } }
}

export class SyslogForwarder {
  private readonly remotes = new Map<string, Remote>();
  private readonly o: Required<Omit<ForwarderOptions, 'context' | 'log'>> & ForwarderOptions;

  constructor(options: ForwarderOptions) {
    this.o = { queueLimit: DEFAULT_QUEUE_LIMIT, retryMinMs: 1000, retryMaxMs: 10_000, ...options };
  }

  /** Opens collectors that are new, closes those no longer configured (their queues with them). */
  configure(specs: readonly RemoteSpec[]): void {
    const want = new Map(specs.map((s) => [keyOf(s), s]));
    for (const [k, r] of this.remotes) if (!want.has(k)) { r.close(); this.remotes.delete(k); }
    for (const [k, s] of want) {
      if (this.remotes.has(k)) continue;
      this.remotes.set(k, s.protocol === 'tcp' ? new TcpRemote(s, this.o) : new UdpRemote(s, this.o.log));
    }
  }

  /** Queues each record for every collector whose severity threshold it passes. */
  send(records: readonly AuditRecord[]): void {
    if (this.remotes.size === 0) return;
    const ctx = this.o.context();
    for (const rec of records) {
      const sev = severityOf(rec);
      let message: string | undefined;
      for (const r of this.remotes.values()) {
        if (sev > SEVERITIES.indexOf(r.spec.severity)) continue;
        message ??= formatAuditMessage(rec, ctx);
        r.send(message);
      }
    }
  }

  /** Collectors (host:port) that cannot be reached now (the syslog-unreachable alarm). */
  unreachable(): string[] {
    return [...this.remotes.values()].filter((r) => r.unreachable()).map((r) => r.name);
  }

  stats(): RemoteStats[] {
    return [...this.remotes.values()].map((r) => r.stats());
  }

  close(): void {
    for (const r of this.remotes.values()) r.close();
    this.remotes.clear();
  }
}
