/**
 * @module confd/main/cli-service
 * The operator CLI on the SSH listener: a shell channel runs the interactive shell (with the
 * pty's width), an exec channel runs its commands and returns their exit status. Each channel
 * is one management session (source `cli`, the client's address), closed when the channel
 * ends; the CLI reaches it in process through the socket protocol's method table, so it goes
 * through exactly the checks, access rules and audit a socket client does.
 */
import type { Logger } from 'pino';
import type { ServerChannel } from 'ssh2';
import { GrammarCache, runCommands, runShell, userFiles, type AuditFailure, type Backend, type FileStore, type ShellNotice } from '../../cli/index.js';
import { isPathWithin } from '../core/path.js';
import { ConfdError, hideInternal } from '../core/errors.js';
import { methodTable, type MethodContext } from '../northbound/socket/methods.js';
import type { ChangeBus, SubscriberLink } from '../notify/bus.js';
import type { Operations } from '../rpc/operations.js';
import type { ShellService } from '../ssh/server.js';
import type { Session } from '../txn/session.js';

export interface CliServiceOptions {
  readonly ops: Operations;
  readonly log: Logger;
  /** The data directory: each user's files for `load`/`save` are in <dataDir>/files/<user>/. */
  readonly dataDir: string;
  /** The change bus, for `show subscribers`. */
  readonly bus?: ChangeBus;
  /** What the daemon knows beyond confd (its daemons, the boot loader), as the socket has it. */
  readonly host?: MethodContext['host'];
  /** Called for each CLI command whose audit record could not be written (after it is logged): for an alarm. */
  readonly onAuditFailure?: (failure: AuditFailure) => void;
}

/** Methods of the socket protocol that make no sense for a CLI session (subscriptions, upgrade control). */
const REFUSED: ReadonlySet<string> = new Set(['hello', 'subscribe', 'ack', 'upgrade.freeze']);

/** The channel as the bus sees a client: it never subscribes, so it is never sent anything. */
function channelLink(channel: ServerChannel): SubscriberLink {
  let closed = false;
  const closers: Array<() => void> = [];
  channel.once('close', () => { closed = true; for (const fn of closers) fn(); });
  return {
    notify: () => false,
    whenDrained: () => Promise.resolve(),
    request: () => Promise.reject(new ConfdError('SOCK_BAD_REQUEST', 'a CLI session takes no requests')),
    get closed() { return closed; },
    close: () => { channel.end(); },
    onClose: (fn) => { if (closed) fn(); else closers.push(fn); },
  };
}

export class CliService implements ShellService {
  private readonly methods = methodTable();
  private readonly grammars = new GrammarCache();
  /** CLI commands whose audit record could not be written, since start. */
  auditFailures = 0;
  private readonly audit: { log: Logger; onAuditFailure: (f: AuditFailure) => void };
  /** The logged-in shells, for broadcasts. */
  private readonly shells = new Set<(n: ShellNotice) => void>();
  private readonly notices = {
    subscribe: (fn: (n: ShellNotice) => void) => { this.shells.add(fn); return () => { this.shells.delete(fn); }; },
  };

  constructor(private readonly o: CliServiceOptions) {
    this.audit = { log: o.log, onAuditFailure: (f) => { this.auditFailures++; o.onAuditFailure?.(f); } };
    const engine = o.ops.engine;
    // Every shell hears of a rolled-back confirmed commit (as Junos' broadcast), and its prompt
    // follows the host name through reverts, imports and rollbacks.
    engine.onConfirmed((e) => {
      if (e.event !== 'timeout' && e.event !== 'cancel') return;
      const why = e.event === 'timeout' ? 'was not confirmed in time' : `was cancelled by ${e.by.user} (session ${e.by.id})`;
      this.notify({ runningChanged: true, message: `Message from the appliance: the confirmed commit of ${e.pending.user} (session ${e.pending.session}) ${why} and has been rolled back` });
    });
    engine.addParticipant({
      name: 'cli-prompts',
      committed: (e) => { if (e.leafChanges().some((c) => isPathWithin(c.path, '/system/hostname'))) this.notify({ runningChanged: true }); },
    });
  }

  private notify(n: ShellNotice): void {
    for (const fn of this.shells) fn(n);
  }

  shell(channel: ServerChannel, user: string, address: string, pty: { cols: number; rows: number; term: string } | null): void {
    const { session, backend } = this.open(channel, user, address);
    void runShell({
      input: channel, output: channel, terminal: pty !== null, ...(pty ? { size: () => pty } : {}),
      backend, user, ...this.filesOf(user), grammars: this.grammars, ...this.audit, notices: this.notices,
    }).then((code) => this.end(channel, session, code), (e: unknown) => {
      this.o.log.error({ err: e, user }, 'the CLI shell failed');
      this.end(channel, session, 1);
    });
  }

  exec(channel: ServerChannel, user: string, address: string, command: string): void {
    const { session, backend } = this.open(channel, user, address);
    void runCommands(command, {
      backend, user, output: channel, errorOutput: channel.stderr, ...this.filesOf(user), grammars: this.grammars, ...this.audit,
    }).then((code) => this.end(channel, session, code), (e: unknown) => {
      this.o.log.error({ err: e, user }, 'CLI commands failed');
      this.end(channel, session, 1);
    });
  }

  /** Calls `fn` with every notice the shells get (the local socket relays them to `appliance cli` sessions). */
  relay(fn: (n: ShellNotice) => void): () => void {
    return this.notices.subscribe(fn);
  }

  /** A one-line message to every interactive CLI session (an alarm). */
  broadcast(message: string): void {
    this.notify({ runningChanged: false, message });
  }

  /** The user's file directory for load/save (none for a name that cannot be a directory). */
  private filesOf(user: string): { files?: FileStore } {
    try {
      return { files: userFiles(this.o.dataDir, user) };
    } catch {
      return {};
    }
  }

  private open(channel: ServerChannel, user: string, address: string): { session: Session; backend: Backend } {
    const { ops, log } = this.o;
    const session = ops.openSession({ user, source: 'cli', address });
    // kill-session from another session ends this channel.
    session.onKill = () => channel.end();
    channel.once('close', () => { void ops.closeSession(session, 'channel closed').catch((e: unknown) => log.error({ err: e }, 'closing a CLI session failed')); });
    const ctx: MethodContext = {
      ops, session, link: channelLink(channel),
      ...(this.o.bus ? { bus: this.o.bus } : {}), ...(this.o.host ? { host: this.o.host } : {}),
    };
    const backend: Backend = {
      request: async <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
        if (REFUSED.has(method)) throw new ConfdError('SOCK_BAD_REQUEST', `'${method}' is not available to the CLI`);
        session.stats.rpcs++;
        try {
          return (await this.methods.call(ctx, method, params)) as T;
        } catch (e) {
          session.stats.errors++;
          // Internals never reach the operator: a correlation id does, and the log has the rest.
          throw hideInternal(e, log, 'answering a CLI request', { method });
        }
      },
    };
    return { session, backend };
  }

  private end(channel: ServerChannel, session: Session, code: number): void {
    try {
      if (channel.writable) {
        channel.exit(code);
        channel.end();
      }
    } catch (e) {
      this.o.log.debug({ err: e }, 'the CLI channel was already gone');
    }
    void this.o.ops.closeSession(session, 'cli ended').catch((e: unknown) => this.o.log.error({ err: e }, 'closing a CLI session failed'));
  }
}
