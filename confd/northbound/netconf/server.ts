/**
 * @module confd/northbound/netconf/server
 * The NETCONF service: shared parts (capabilities, limits, notifications, state) and the set
 * of live sessions. The SSH layer hands it each authenticated `netconf` subsystem channel.
 */
import type { Logger } from 'pino';
import { ConfdError } from '../../core/errors.js';
import type { StateContext } from '../../monitor/state.js';
import type { Operations } from '../../rpc/operations.js';
import type { DeviceSchema } from '../../schema/model.js';
import type { Transport } from '../transport.js';
import type { PublishedModule } from '../../schema/yang-files.js';
import { serverCapabilities } from './capabilities.js';
import { NotificationHub } from './notifications.js';
import { XmlReader } from './xml-codec.js';
import { NetconfSession, type SessionCounters } from './session.js';
import { sessionEndXml, sessionStartXml, terminationReason } from './session-events.js';
import { YangLibrary } from './yang-library.js';

export interface NetconfLimits {
  /** One message, framed (and so also the XML the reader parses). */
  readonly maxMessageBytes: number;
  readonly maxDepth: number;
  /** Elements in one message, and attributes on one element: refused before any tree is built. */
  readonly maxElements: number;
  readonly maxAttributes: number;
  readonly helloTimeoutMs: number;
  readonly maxSessionsPerUser: number;
}

export const DEFAULT_NETCONF_LIMITS: NetconfLimits = {
  maxMessageBytes: 64 * 1024 * 1024,
  maxDepth: 64,
  // 200,000 elements parse in about half a second; a bulk edit of 40,000 list entries fits.
  maxElements: 200_000,
  maxAttributes: 64,
  helloTimeoutMs: 30_000,
  maxSessionsPerUser: 16,
};

export interface NetconfServerOptions {
  readonly ops: Operations;
  readonly log: Logger;
  readonly state: StateContext;
  readonly limits?: Partial<NetconfLimits>;
  /** The YANG modules published (schema/yang-files publishedModules of the running version). */
  readonly modules: readonly PublishedModule[];
  /** Told of every operation answered (monitoring's RPC counters). */
  readonly countRpc?: (operation: string, ok: boolean) => void;
}

export class NetconfServer {
  readonly ops: Operations;
  readonly schema: DeviceSchema;
  readonly limits: NetconfLimits;
  readonly capabilities: readonly string[];
  readonly library: YangLibrary;
  readonly notifications: NotificationHub;
  readonly state: StateContext;
  readonly countRpc: (operation: string, ok: boolean) => void;
  /** One parser for every message of every session (parsing is synchronous). */
  readonly xml: XmlReader;
  private readonly log: Logger;
  private readonly sessions = new Map<number, NetconfSession>();
  /**
   * Statistics of RFC 6022 since the server started: each session counts into `totals` as well
   * as into its own counters, so a session that ends takes nothing away.
   */
  readonly totals: SessionCounters = { inRpcs: 0, inBadRpcs: 0, outRpcErrors: 0, outNotifications: 0 };
  sessionsStarted = 0;
  badHellos = 0;
  droppedSessions = 0;

  constructor(options: NetconfServerOptions) {
    this.ops = options.ops;
    this.countRpc = options.countRpc ?? (() => undefined);
    this.schema = options.ops.engine.schema;
    this.log = options.log;
    this.state = options.state;
    this.limits = { ...DEFAULT_NETCONF_LIMITS, ...options.limits };
    this.library = new YangLibrary(options.modules);
    this.capabilities = serverCapabilities(this.library);
    this.xml = new XmlReader({ ...this.limits, maxBytes: this.limits.maxMessageBytes });
    this.notifications = new NotificationHub(this.schema, (id) => this.ops.engine.session(id)?.address);
    this.ops.engine.addParticipant(this.notifications);
    this.ops.engine.onConfirmed((e) => this.notifications.confirmedCommit(e));
    this.ops.engine.onStartupChanged((e) => this.notifications.startupChanged(e));
  }

  /**
   * Starts a session for an authenticated user over `transport`. Refuses (closing the
   * transport, with an audit record) when the user already has the maximum of sessions.
   */
  accept(transport: Transport, user: string, address: string): NetconfSession | null {
    const open = [...this.sessions.values()].filter((s) => s.user === user).length;
    if (open >= this.limits.maxSessionsPerUser) {
      const err = new ConfdError('NC_SESSION_LIMIT', `${user} already has ${open} NETCONF sessions`);
      this.ops.engine.auditBestEffort(this.ops.engine.systemSession, 'session-refused', user, 'denied', { address, reason: err.message });
      this.log.warn({ user, address }, err.message);
      transport.close();
      return null;
    }
    this.sessionsStarted++;
    const session = this.ops.openSession({ user, source: 'netconf', address });
    const ns = new NetconfSession(this, session, transport, this.log.child({ session: session.id, user }));
    this.sessions.set(session.id, ns);
    ns.start();
    this.notifications.publish('netconf-session-start', sessionStartXml(session, new Date().toISOString()));
    return ns;
  }

  sessionEnded(ns: NetconfSession, closeReason?: string, killedBy?: number): void {
    if (!this.sessions.delete(ns.id)) return;
    this.notifications.unsubscribe(ns);
    const reason = terminationReason(closeReason);
    this.notifications.publish('netconf-session-end', sessionEndXml(ns.session, reason, killedBy, new Date().toISOString()));
    this.ops.closeSession(ns.session, 'transport closed').catch((e: unknown) => this.log.error({ err: e }, 'closing a session failed'));
  }

  list(): readonly NetconfSession[] {
    return [...this.sessions.values()];
  }

  closeAll(): void {
    for (const s of this.sessions.values()) s.close('shutdown');
  }
}
