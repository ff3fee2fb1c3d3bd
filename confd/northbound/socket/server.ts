/**
 * @module confd/northbound/socket/server
 * The local socket (a Unix domain socket in the data directory, mode 0660): one session per
 * connection, opened by a `hello` request; the session's user is the one the kernel's uid of
 * the connecting process maps to (SO_PEERCRED, confd/auth/local-identity), never the name the
 * client declares, and a uid with no device user is refused. Then requests are answered in
 * order. Local tools (backup, import, restore, audit…) reach a running appliance through it.
 * Maps errors to the wire in one place; never reaches the store.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { ConfdError, hideInternal } from '../../core/errors.js';
import { localIdentity } from '../../auth/local-identity.js';
import type { Operations } from '../../rpc/operations.js';
import type { Session } from '../../txn/session.js';
import { JsonLinesDecoder } from './framing.js';
import type { ChangeBus } from '../../notify/bus.js';
import { SocketConnection } from './connection.js';
import { closeUnix, listenUnix } from './listener.js';
import { methodTable, type HostInfo } from './methods.js';
import { peerCredOf, type PeerCred } from './peer-cred.js';
import { isRequest, type Request, type Response, type WireError } from './protocol.js';

export class SocketServer {
  private readonly server: Server;
  private readonly methods = methodTable();
  private readonly connections = new Set<Socket>();
  /** Connections of `cli` sessions (`appliance cli`): they hear the shells' notices. */
  private readonly cliLinks = new Set<SocketConnection>();

  constructor(
    private readonly ops: Operations, private readonly bus: ChangeBus, private readonly log: Logger, readonly path: string,
    private readonly host?: HostInfo,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(): Promise<void> {
    return listenUnix(this.server, this.path);
  }

  close(): Promise<void> {
    return closeUnix(this.server, this.path, this.connections);
  }

  /**
   * Sends a CLI notice (a broadcast line such as a reverted confirmed commit, or that running
   * changed) to every local CLI session, as the SSH shells get it: a `cli.notice` notification.
   */
  noticeCli(notice: { readonly message?: string; readonly runningChanged: boolean }): void {
    for (const link of this.cliLinks) link.notify('cli.notice', { ...notice });
  }

  private accept(socket: Socket): void {
    this.connections.add(socket);
    const decoder = new JsonLinesDecoder();
    const conn = new SocketConnection(socket);
    // Asked once, at accept: the kernel fixed these at connect() and the client cannot change them.
    let cred: PeerCred | Error;
    try { cred = peerCredOf(socket); } catch (e) { cred = e as Error; }
    let session: Session | undefined;
    // Requests are handled strictly in order: the next waits for the previous reply. Replies to
    // our own requests (prepare) are taken at once: a request in the chain may be waiting for them.
    let chain: Promise<void> = Promise.resolve();
    const send = (r: Response) => conn.send(r);

    socket.on('data', (chunk) => {
      let messages: unknown[];
      try {
        messages = decoder.push(chunk);
      } catch (e) {
        send({ id: null, error: this.toWire(e) });
        socket.end();
        return;
      }
      for (const m of messages) {
        if (typeof m === 'object' && m !== null && conn.takeReply(m as Record<string, unknown>)) continue;
        chain = chain.then(async () => {
          if (!isRequest(m)) { send({ id: null, error: this.toWire(new ConfdError('SOCK_BAD_REQUEST', 'a request needs an id and a method')) }); return; }
          try {
            if (!session) {
              try {
                session = this.hello(m, cred);
              } catch (e) {
                // A peer with no device user gets its answer and nothing more.
                send({ id: m.id, error: this.toWire(e) });
                if (e instanceof ConfdError && e.code === 'ACCESS_DENIED') socket.end();
                return;
              }
              if (session.source === 'cli') this.cliLinks.add(conn);
              send({ id: m.id, result: { session: session.id, user: session.user, schemaVersion: this.ops.engine.schema.version } });
              return;
            }
            session.stats.rpcs++;
            const result = await this.methods.call({ ops: this.ops, session, bus: this.bus, link: conn, ...(this.host ? { host: this.host } : {}) }, m.method, m.params ?? {});
            send({ id: m.id, result: result ?? {} });
          } catch (e) {
            if (session) session.stats.errors++;
            send({ id: m.id, error: this.toWire(e) });
          }
        });
      }
    });
    const end = () => {
      this.connections.delete(socket);
      this.cliLinks.delete(conn);
      this.bus.detach(conn);
      const s = session;
      session = undefined;
      if (s) chain.then(() => this.ops.closeSession(s, 'socket closed')).catch((e: unknown) => this.log.error({ err: e }, 'closing a socket session failed'));
    };
    socket.on('close', end);
    socket.on('error', () => socket.destroy());
  }

  private hello(m: Request, cred: PeerCred | Error): Session {
    if (m.method !== 'hello') throw new ConfdError('SOCK_BAD_REQUEST', 'the first request must be hello');
    const params = m.params ?? {};
    if (!this.methods.hello(params)) throw new ConfdError('SOCK_BAD_REQUEST', 'bad hello params');
    if (cred instanceof Error) throw cred;
    const declared = typeof params.user === 'string' ? params.user : undefined;
    let id;
    try {
      id = localIdentity(this.ops.engine, cred, process.getuid?.() ?? -1, declared);
    } catch (e) {
      this.ops.engine.auditBestEffort({ id: 0, user: `uid-${cred.uid}`, source: 'socket', address: 'local' }, 'session-start', '', 'denied',
        { uid: cred.uid, pid: cred.pid, declared });
      throw e;
    }
    return this.ops.openSession({
      user: id.user, source: typeof params.source === 'string' ? params.source : 'socket', address: 'local', peer: id.peer,
    });
  }

  /** The one mapping of errors to the socket wire: coded errors as they are, anything else hidden. */
  private toWire(e: unknown): WireError {
    return hideInternal(e, this.log, 'answering a socket request').toJSON();
  }
}
