/**
 * @module confd/ssh/server
 * The appliance's one SSH listener (npm ssh2): host key, authentication of configured users
 * (scrypt password hashes, OpenSSH public keys), failed-login audit and rate limiting per
 * source address, and routing of channels: subsystem `netconf` to the NETCONF service, shell
 * and exec to the CLI when one is attached. It decides no policy: who may do what is confd/rpc's.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ServerChannel, Session as SshSession } from 'ssh2';
import { DUMMY_HASH, verifyPassword } from '../auth/passwords.js';
import { LoginThrottle, type LoginThrottleOptions } from '../auth/login-throttle.js';
import { findUser } from '../auth/users.js';
import { isObject } from '../core/tree.js';
import { Admission, sshLimitsOf, type SshLimits } from './admission.js';
import type { NetconfServer } from '../northbound/netconf/server.js';
import { streamTransport } from '../northbound/transport.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { Actor } from '../txn/session.js';
import { listenTcp } from '../northbound/tcp-listen.js';

const { Server, utils } = ssh2;

/** What the CLI offers the SSH layer: an interactive shell and one-shot commands. */
export interface ShellService {
  shell(channel: ServerChannel, user: string, address: string, pty: { cols: number; rows: number; term: string } | null): void;
  exec(channel: ServerChannel, user: string, address: string, command: string): void;
}

export interface SshServerOptions {
  readonly hostKey: string | Buffer;
  readonly engine: ConfigEngine;
  readonly netconf: NetconfServer;
  readonly log: Logger;
  readonly shell?: ShellService;
  readonly throttle?: LoginThrottleOptions;
}

/**
 * What current OpenSSH offers by default, as far as ssh2 implements it (no sntrup761, no UMAC):
 * no SHA-1 anywhere, SHA-2 MACs (encrypt-then-MAC first), compression only after authentication.
 * ssh2 adds the strict-KEX marker (kex-strict-s-v00@openssh.com, the Terrapin countermeasure)
 * itself. Host-key algorithms follow the host keys (Ed25519).
 */
export const SSH_ALGORITHMS = {
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512', 'diffie-hellman-group14-sha256'],
  cipher: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'],
  // OpenSSH's default MACs less SHA-1 and UMAC (not in ssh2); the non-ETM SHA-2 ones for libssh2 before 1.11 (yangcli).
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none', 'zlib@openssh.com'],
} as const satisfies ssh2.Algorithms;

/** An accepted TCP connection, from accept until close. */
interface Admitted {
  readonly socket: Socket;
  readonly source: string;
  readonly limits: SshLimits;
  authenticated: boolean;
  authTries: number;
}

export class SshServer {
  private readonly server: InstanceType<typeof Server>;
  private readonly throttle: LoginThrottle;
  private readonly admission = new Admission();
  /** Admitted connections by remote `address:port` (unique while open), so ssh2's clients find theirs. */
  private readonly admitted = new Map<string, Admitted>();
  private readonly clients = new Set<Connection>();
  /** Connections refused at accept, by reason (for tests and monitoring). */
  readonly refused = { perSource: 0, maxStartups: 0 };
  private readonly listeners: NetServer[] = [];
  shell: ShellService | undefined;

  /** The login throttle, shared with HTTP basic authentication: guesses over HTTPS count against SSH logins and back. */
  get loginThrottle(): LoginThrottle {
    return this.throttle;
  }

  constructor(private readonly o: SshServerOptions) {
    this.throttle = new LoginThrottle(o.throttle);
    this.shell = o.shell;
    this.server = new Server({ hostKeys: [o.hostKey], ident: 'appliance', algorithms: SSH_ALGORITHMS }, (client, info) => this.accept(client, info.ip, info.port));
  }

  /** The limits in the running configuration now (/system/services). */
  private limits(): SshLimits {
    const system = this.o.engine.running.get('/')?.body.system;
    return sshLimitsOf(isObject(system) ? system.services : undefined);
  }

  private admit(socket: Socket): void {
    const source = socket.remoteAddress ?? '';
    const limits = this.limits();
    const refusal = this.admission.admit(source, limits);
    if (refusal !== null) {
      if (refusal === 'per-source') this.refused.perSource++;
      else this.refused.maxStartups++;
      this.o.log.debug({ client: source, refusal }, 'connection refused at accept');
      socket.destroy();
      return;
    }
    const key = `${source}:${socket.remotePort}`;
    const a: Admitted = { socket, source, limits, authenticated: false, authTries: 0 };
    this.admitted.set(key, a);
    // LoginGraceTime runs from the TCP accept, not from the SSH version line.
    const grace = setTimeout(() => { if (!a.authenticated) socket.destroy(); }, limits.loginGraceTime * 1000);
    grace.unref();
    socket.once('close', () => {
      clearTimeout(grace);
      this.admitted.delete(key);
      this.admission.closed(source, a.authenticated);
    });
    // Nagle with delayed ACKs stalls small replies by 40 ms: disable it on every socket.
    socket.setNoDelay(true);
    this.server.injectSocket(socket);
  }

  /**
   * Listens on each address (IPv4 or IPv6), all on one port: with port 0 the first address
   * takes a free port and the others the same one. Resolves with what is listened on.
   */
  async listen(port: number, hosts: readonly string[]): Promise<AddressInfo[]> {
    const bound: AddressInfo[] = [];
    try {
      for (const host of hosts) bound.push(await this.listenOne(bound[0]?.port ?? port, host));
    } catch (e) {
      await this.close();
      throw e;
    }
    return bound;
  }

  private listenOne(port: number, host: string): Promise<AddressInfo> {
    // One TCP listener per address; each admits its connections before ssh2 reads a byte of them.
    const tcp = createServer((socket) => this.admit(socket));
    this.listeners.push(tcp);
    return listenTcp(tcp, port, host);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.end();
    for (const a of this.admitted.values()) if (!a.authenticated) a.socket.destroy();
    await Promise.all(this.listeners.splice(0).map((tcp) => new Promise<void>((resolve) => tcp.close(() => resolve()))));
  }

  private accept(client: Connection, ip: string, port: number): void {
    const address = `${ip}:${port}`;
    const a = this.admitted.get(address);
    if (!a) { client.end(); return; }
    this.clients.add(client);
    const log = this.o.log.child({ client: address });
    let user: string | undefined;

    client.on('authentication', (ctx) => {
      // MaxAuthTries: 'none' is how clients ask which methods exist, and is not counted.
      if (ctx.method !== 'none' && ++a.authTries > a.limits.maxAuthTries) {
        log.info({ tries: a.authTries }, 'too many authentication attempts; disconnecting');
        ctx.reject();
        client.end();
        return;
      }
      this.authenticate(ctx, ip, address).then((ok) => {
        if (ok) { user = ctx.username; ctx.accept(); } else ctx.reject(['password', 'publickey']);
      }, (e: unknown) => {
        log.error({ err: e }, 'authentication failed unexpectedly');
        ctx.reject(['password', 'publickey']);
      });
    });
    client.on('ready', () => {
      a.authenticated = true;
      this.admission.authenticated();
      client.on('session', (acceptSession) => this.session(acceptSession(), user!, address, a));
    });
    client.on('error', (e) => log.debug({ err: e.message }, 'ssh connection error'));
    client.on('close', () => { this.clients.delete(client); });
  }

  /**
   * Closes the connection after `seconds` without traffic either way (0: never). The shortest
   * timeout of the connection's channels applies.
   */
  private idleTimeout(a: Admitted, seconds: number): void {
    if (seconds <= 0) return;
    const current = a.socket.timeout ?? 0;
    if (current !== 0 && current <= seconds * 1000) return;
    if (current === 0) a.socket.on('timeout', () => { this.o.log.info({ client: a.source }, 'idle timeout'); a.socket.destroy(); });
    a.socket.setTimeout(seconds * 1000);
  }

  private session(session: SshSession, user: string, address: string, a: Admitted): void {
    let pty: { cols: number; rows: number; term: string } | null = null;
    session.on('pty', (accept, _reject, info) => { pty = { cols: info.cols, rows: info.rows, term: info.term }; accept?.(); });
    session.on('window-change', (accept) => accept?.());
    session.on('env', (accept) => accept?.());
    session.on('subsystem', (accept, reject, info) => {
      if (info.name !== 'netconf') { reject(); return; }
      this.idleTimeout(a, a.limits.netconfIdleTimeout);
      this.o.netconf.accept(streamTransport(accept()), user, address);
    });
    session.on('shell', (accept, reject) => {
      if (!this.shell) { reject(); return; }
      this.idleTimeout(a, a.limits.cliIdleTimeout);
      this.shell.shell(accept(), user, address, pty);
    });
    session.on('exec', (accept, reject, info) => {
      if (!this.shell) { reject(); return; }
      this.idleTimeout(a, a.limits.cliIdleTimeout);
      this.shell.exec(accept(), user, address, info.command);
    });
  }

  /**
   * Checks credentials against the configured users; audits and throttles failures. The attempt
   * is counted by the throttle before the check, so concurrent guesses cannot outrun it.
   */
  private async authenticate(ctx: AuthContext, ip: string, address: string): Promise<boolean> {
    if (ctx.method !== 'password' && ctx.method !== 'publickey') return false;
    const engine = this.o.engine;
    // A public-key query (no signature) proves nothing and costs nothing: answer it unthrottled.
    if (ctx.method === 'publickey' && !ctx.signature) return this.publicKeyOf(ctx) !== undefined;
    const verdict = this.throttle.begin(ip, ctx.username);
    if (!verdict.allowed) {
      engine.auditBestEffort(this.loginSession(ctx.username, address), 'login-rate-limited', ctx.username, 'denied',
        { method: ctx.method, retryAfterMs: verdict.retryAfterMs });
      return false;
    }
    if (verdict.delayMs > 0) await new Promise((r) => setTimeout(r, verdict.delayMs));
    let ok = false;
    if (ctx.method === 'password') {
      const record = findUser(engine, ctx.username);
      // Unknown users cost the same time as known ones, so timing does not reveal who exists.
      ok = await verifyPassword(ctx.password, record?.passwordHash ?? DUMMY_HASH) && record !== undefined;
    } else {
      ok = this.publicKeyOf(ctx)?.verify(ctx.blob!, ctx.signature!, ctx.hashAlgo) === true;
    }
    this.throttle.settle(verdict.ticket, ok);
    if (ok) return true;
    engine.auditBestEffort(this.loginSession(ctx.username, address), 'login-failed', ctx.username, 'denied', { method: ctx.method });
    return false;
  }

  /** The configured key of the user that matches the offered one, if any. */
  private publicKeyOf(ctx: AuthContext & { method: 'publickey' }): ssh2.ParsedKey | undefined {
    const offered = ctx.key;
    for (const line of findUser(this.o.engine, ctx.username)?.sshKeys ?? []) {
      const k = utils.parseKey(line);
      if (k instanceof Error || Array.isArray(k)) continue;
      if (k.type === offered.algo && k.getPublicSSH().length === offered.data.length && timingSafeEqual(k.getPublicSSH(), offered.data)) return k;
    }
    return undefined;
  }

  /** The identity a login attempt is audited under (no session exists yet). */
  private loginSession(user: string, address: string): Actor {
    return { id: 0, user: user.slice(0, 64), source: 'ssh', address };
  }
}
