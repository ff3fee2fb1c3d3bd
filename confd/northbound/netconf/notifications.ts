/**
 * @module confd/northbound/netconf/notifications
 * RFC 5277 event notifications: a commit participant that turns each durable commit into an
 * RFC 6470 netconf-config-change notification and sends it to every session subscribed to the
 * NETCONF stream. Never blocks a commit: sending is a queued write per session.
 */
import { childPath } from '../../core/path.js';
import { deepEqual, type JsonObject } from '../../core/tree.js';
import type { DeviceSchema } from '../../schema/model.js';
import type { ConfirmedEvent } from '../../txn/engine.js';
import type { CommitEvent, Participant } from '../../txn/participant.js';
import { NETCONF_NOTIFICATIONS_NS, NOTIFICATION_NS } from './capabilities.js';
import { hostOf } from './monitoring.js';
import { namespaceAttributes, prefixedPath } from './xpath.js';
import { XmlWriter } from './xml-writer.js';
import { type CapabilityChange, capabilityChangeXml } from './capability-change.js';

export interface NotificationSink {
  /** Session id of the subscriber (for diagnostics). */
  readonly id: number;
  sendNotification(xml: string): void;
}

/** Looks up where a session came from, for changed-by/source-host. */
export type SessionAddress = (sessionId: number) => string | undefined;

export class NotificationHub implements Participant {
  readonly name = 'netconf-notifications';
  /** Each subscriber with the events it asked for (null: every event of the stream). */
  private readonly sinks = new Map<NotificationSink, ReadonlySet<string> | null>();

  /** RFC 6470 capability changes seen at starts of the server, oldest first (for replay). */
  private capabilityLog: readonly CapabilityChange[] = [];

  constructor(private readonly schema: DeviceSchema, private readonly addressOf: SessionAddress) {}

  /** Takes the recorded capability changes, and sends `latest` (this start's) to the subscribers. */
  capabilitiesChanged(log: readonly CapabilityChange[], latest: CapabilityChange | null): void {
    this.capabilityLog = log;
    if (latest) this.publish('netconf-capability-change', capabilityChangeXml(latest));
  }

  /** The recorded capability changes made from `startMs` up to `stopMs` (inclusive), oldest first. */
  capabilityChangesBetween(startMs: number, stopMs = Number.POSITIVE_INFINITY): CapabilityChange[] {
    return this.capabilityLog.filter((c) => { const t = Date.parse(c.time); return t >= startMs && t <= stopMs; });
  }

  subscribe(sink: NotificationSink, events: ReadonlySet<string> | null = null): void {
    this.sinks.set(sink, events);
  }

  unsubscribe(sink: NotificationSink): void {
    this.sinks.delete(sink);
  }

  committed(event: CommitEvent): void {
    if (this.sinks.size === 0) return;
    this.publish('netconf-config-change', this.configChange(event));
  }

  /** Sends a notification of the NETCONF stream (`event`: its element name) to those who asked for it. */
  publish(event: string, xml: string): void {
    for (const [sink, events] of this.sinks) if (events === null || events.has(event)) sink.sendNotification(xml);
  }

  /** Sends the RFC 6470 netconf-confirmed-commit notification of a confirmed-commit event. */
  confirmedCommit(e: ConfirmedEvent): void {
    if (this.sinks.size === 0) return;
    const now = e.at;
    const w = new XmlWriter();
    w.start('notification', { xmlns: NOTIFICATION_NS });
    w.leaf('eventTime', new Date(now).toISOString());
    w.start('netconf-confirmed-commit', { xmlns: NETCONF_NOTIFICATIONS_NS });
    // common-session-parms name who acted; a timeout is the server's own and names no one.
    if (e.event !== 'timeout') {
      w.leaf('username', e.by.user);
      w.leaf('session-id', String(e.by.id));
      if (e.by.address !== 'local') w.leaf('source-host', hostOf(e.by.address));
    }
    w.leaf('confirm-event', e.event);
    if (e.event === 'start' || e.event === 'extend') w.leaf('timeout', String(Math.max(0, Math.round((e.pending.deadline - now) / 1000))));
    w.end().end();
    this.publish('netconf-confirmed-commit', w.toString());
  }

  /**
   * netconf-config-change of the startup datastore (copy-config, delete-config): who and when;
   * no edit list (RFC 6470 allows leaving it out when the edits are not known: a save copies
   * the whole of running). Not replayed: the commit history holds running's changes only.
   */
  startupChanged(e: { readonly by: { readonly user: string; readonly id: number }; readonly at: number }): void {
    if (this.sinks.size === 0) return;
    const w = new XmlWriter();
    w.start('notification', { xmlns: NOTIFICATION_NS });
    w.leaf('eventTime', new Date(e.at).toISOString());
    w.start('netconf-config-change', { xmlns: NETCONF_NOTIFICATIONS_NS });
    this.changedBy(w, e.by.id, e.by.user);
    w.leaf('datastore', 'startup');
    w.end().end();
    this.publish('netconf-config-change', w.toString());
  }

  private changedBy(w: XmlWriter, session: number, user: string): void {
    w.start('changed-by');
    if (session === 0) {
      // Changes the server makes itself (a confirmed commit timing out) name no user (RFC 6470).
      w.empty('server');
    } else {
      w.leaf('username', user);
      w.leaf('session-id', String(session));
      const host = this.addressOf(session);
      if (host && host !== 'local') w.leaf('source-host', hostOf(host));
    }
    w.end();
  }

  /** The RFC 6470 netconf-config-change notification of a commit. */
  configChange(event: CommitEvent): string {
    const w = new XmlWriter();
    w.start('notification', { xmlns: NOTIFICATION_NS });
    w.leaf('eventTime', event.time);
    w.start('netconf-config-change', { xmlns: NETCONF_NOTIFICATIONS_NS });
    this.changedBy(w, event.session, event.user);
    w.leaf('datastore', 'running');
    for (const c of event.changes) {
      // Changes of the root body are reported per top-level part that changed.
      const targets = c.path === '/' ? rootTargets(c.old ?? {}, c.new ?? {}) : [c.path];
      const operation = c.old === null ? 'create' : c.new === null ? 'delete' : 'replace';
      for (const t of targets) {
        const p = prefixedPath(this.schema, t);
        w.start('edit');
        w.leaf('target', p.xpath, namespaceAttributes(p));
        w.leaf('operation', c.path === '/' ? 'merge' : operation);
        w.end();
      }
    }
    w.end().end();
    return w.toString();
  }
}

function rootTargets(a: JsonObject, b: JsonObject): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => !deepEqual(a[n], b[n])).map((n) => childPath('/', { name: n }));
}
