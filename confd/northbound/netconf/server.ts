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
import { serverCapabilities } from './capabilities.js';
import { NotificationHub } from './notifications.js';
import { XmlReader } from './xml-codec.js';
import { NetconfSession } from './session.js';

export interface NetconfLimits {
  /** One message, framed (and so also the XML the reader parses). */
  readonly maxMessageBytes: number;
  readonly maxDepth: number;
  readonly maxElements: number;
  readonly helloTimeoutMs: number;
  readonly maxSessionsPerUser: number;
}

export const DEFAULT_NETCONF_LIMITS: NetconfLimits = {
  maxMessageBytes: 64 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 5_000_000,
  helloTimeoutMs: 30_000,
  maxSessionsPerUser: 16,
};

export interface NetconfServerOptions {
  readonly ops: Operations;
  readonly log: Logger;
  readonly state: StateContext;
  readonly limits?: Partial<NetconfLimits>;
}

export class NetconfServer {
  readonly ops: Operations;
  readonly schema: DeviceSchema;
  readonly limits: NetconfLimits;
  readonly capabilities: readonly string[];
  readonly notifications: NotificationHub;
  readonly state: StateContext;
  /** One parser for every message of every session (parsing is synchronous). */
  readonly xml: XmlReader;
  private readonly log: Logger;
  private readonly sessions = new Map<number, NetconfSession>();
  /** Statistics in the spirit of RFC 6022 (current sessions' counters are in each session). */
  sessionsStarted = 0;
  badHellos = 0;
  droppedSessions = 0;

  constructor(options: NetconfServerOptions) {
    this.ops = options.ops;
    this.schema = options.ops.engine.schema;
    this.log = options.log;
    this.state = options.state;
    this.limits = { ...DEFAULT_NETCONF_LIMITS, ...options.limits };
    this.capabilities = serverCapabilities(this.schema);
    this.xml = new XmlReader({ ...this.limits, maxBytes: this.limits.maxMessageBytes });
    this.notifications = new NotificationHub(this.schema, (id) => this.ops.engine.session(id)?.address);
    this.ops.engine.addParticipant(this.notifications);
    this.ops.engine.onConfirmed((e) => this.notifications.confirmedCommit(e));
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
    return ns;
  }

  sessionEnded(ns: NetconfSession): void {
    if (!this.sessions.delete(ns.id)) return;
    this.notifications.unsubscribe(ns);
    this.ops.closeSession(ns.session, 'transport closed').catch((e: unknown) => this.log.error({ err: e }, 'closing a session failed'));
  }

  list(): readonly NetconfSession[] {
    return [...this.sessions.values()];
  }

  closeAll(): void {
    for (const s of this.sessions.values()) s.close('shutdown');
  }
}
