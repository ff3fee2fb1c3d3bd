/**
 * @module confd/ssh/server
 * The appliance's one SSH listener (npm ssh2): host key, authentication of configured users
 * (scrypt password hashes, OpenSSH public keys), failed-login audit and rate limiting per
 * source address, and routing of channels: subsystem `netconf` to the NETCONF service, shell
 * and exec to the CLI when one is attached. It decides no policy: who may do what is confd/rpc's.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ServerChannel, Session as SshSession } from 'ssh2';
import { DUMMY_HASH, verifyPassword } from '../auth/passwords.js';
import { LoginRateLimiter } from '../auth/rate-limit.js';
import { findUser } from '../auth/users.js';
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
}

/** Time allowed between TCP connect and successful authentication. */
const LOGIN_GRACE_MS = 30_000;

export class SshServer {
  private readonly server: InstanceType<typeof Server>;
  private readonly limiter: LoginRateLimiter;
  private readonly clients = new Set<Connection>();
  shell: ShellService | undefined;

  constructor(private readonly o: SshServerOptions) {
    this.limiter = new LoginRateLimiter();
    this.shell = o.shell;
    this.server = new Server({ hostKeys: [o.hostKey], ident: 'appliance' }, (client, info) => this.accept(client, info.ip, info.port));
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return listenTcp(this.server, port, host);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Connection, ip: string, port: number): void {
    // Nagle with delayed ACKs stalls small replies by 40 ms: disable it on every socket.
    (client as Connection & { setNoDelay(on: boolean): void }).setNoDelay(true);
    this.clients.add(client);
    const address = `${ip}:${port}`;
    const log = this.o.log.child({ client: address });
    let user: string | undefined;
    const grace = setTimeout(() => { if (!user) client.end(); }, LOGIN_GRACE_MS);
    grace.unref();

    client.on('authentication', (ctx) => {
      this.authenticate(ctx, ip, address).then((ok) => {
        if (ok) { user = ctx.username; ctx.accept(); } else ctx.reject(['password', 'publickey']);
      }, (e: unknown) => {
        log.error({ err: e }, 'authentication failed unexpectedly');
        ctx.reject(['password', 'publickey']);
      });
    });
    client.on('ready', () => {
      clearTimeout(grace);
      client.on('session', (acceptSession) => this.session(acceptSession(), user!, address));
    });
    client.on('error', (e) => log.debug({ err: e.message }, 'ssh connection error'));
    client.on('close', () => { clearTimeout(grace); this.clients.delete(client); });
  }

  private session(session: SshSession, user: string, address: string): void {
    let pty: { cols: number; rows: number; term: string } | null = null;
    session.on('pty', (accept, _reject, info) => { pty = { cols: info.cols, rows: info.rows, term: info.term }; accept?.(); });
    session.on('window-change', (accept) => accept?.());
    session.on('env', (accept) => accept?.());
    session.on('subsystem', (accept, reject, info) => {
      if (info.name !== 'netconf') { reject(); return; }
      this.o.netconf.accept(streamTransport(accept()), user, address);
    });
    session.on('shell', (accept, reject) => {
      if (!this.shell) { reject(); return; }
      this.shell.shell(accept(), user, address, pty);
    });
    session.on('exec', (accept, reject, info) => {
      if (!this.shell) { reject(); return; }
      this.shell.exec(accept(), user, address, info.command);
    });
  }

  /** Checks credentials against the configured users; audits and rate-limits failures. */
  private async authenticate(ctx: AuthContext, ip: string, address: string): Promise<boolean> {
    if (ctx.method !== 'password' && ctx.method !== 'publickey') return false;
    const engine = this.o.engine;
    const blocked = this.limiter.blockedFor(ip);
    if (blocked > 0) {
      engine.auditBestEffort(this.loginSession(ctx.username, address), 'login-rate-limited', ctx.username, 'denied',
        { method: ctx.method, retryAfterMs: blocked });
      return false;
    }
    const record = findUser(engine, ctx.username);
    let ok = false;
    if (ctx.method === 'password') {
      // Unknown users cost the same time as known ones, so timing does not reveal who exists.
      ok = await verifyPassword(ctx.password, record?.passwordHash ?? DUMMY_HASH) && record !== undefined;
    } else {
      const offered = ctx.key;
      const match = record?.sshKeys.map((line) => utils.parseKey(line)).find((k) => !(k instanceof Error)
        && k.type === offered.algo && k.getPublicSSH().length === offered.data.length && timingSafeEqual(k.getPublicSSH(), offered.data));
      if (match && !(match instanceof Error)) {
        // Without a signature the client only asks whether the key would do (RFC 4252 §7).
        if (!ctx.signature) return true;
        ok = match.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true;
      } else if (!ctx.signature) {
        return false;
      }
    }
    if (ok) {
      this.limiter.recordSuccess(ip);
      return true;
    }
    this.limiter.recordFailure(ip);
    engine.auditBestEffort(this.loginSession(ctx.username, address), 'login-failed', ctx.username, 'denied', { method: ctx.method });
    return false;
  }

  /** The identity a login attempt is audited under (no session exists yet). */
  private loginSession(user: string, address: string): Actor {
    return { id: 0, user: user.slice(0, 64), source: 'ssh', address };
  }
}
