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
import { LoginThrottle, type LoginThrottleOptions } from '../auth/login-throttle.js';
import { findUser } from '../auth/users.js';
import type { NetconfServer } from '../northbound/netconf/server.js';
import { streamTransport } from '../northbound/transport.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { Actor } from '../txn/session.js';

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

/** Time allowed between TCP connect and successful authentication. */
const LOGIN_GRACE_MS = 30_000;

export class SshServer {
  private readonly server: InstanceType<typeof Server>;
  private readonly throttle: LoginThrottle;
  private readonly clients = new Set<Connection>();
  shell: ShellService | undefined;

  constructor(private readonly o: SshServerOptions) {
    this.throttle = new LoginThrottle(o.throttle);
    this.shell = o.shell;
    this.server = new Server({ hostKeys: [o.hostKey], ident: 'appliance' }, (client, info) => this.accept(client, info.ip, info.port));
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
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
