/**
 * @module confd/northbound/netconf/replay
 * RFC 5277 replay on the NETCONF stream: the netconf-config-change notifications of the
 * commits kept in the history between startTime and stopTime and the netconf-capability-change
 * of every recorded switch of version between them, in time order, then <replayComplete/> (and
 * <notificationComplete/> once stopTime has passed), and /netconf/streams, which says so.
 */
import type { ConfigEngine } from '../../txn/engine.js';
import type { ReplayedCommit } from '../../txn/history.js';
import { NOTIFICATION_NS } from './capabilities.js';
import { capabilityChangeXml } from './capability-change.js';
import { el } from './data-element.js';
import type { NotificationHub, NotificationSink } from './notifications.js';
import type { XmlElement } from './xml-element.js';
import { XmlWriter } from './xml-writer.js';

export const NETMOD_NOTIFICATION_NS = 'urn:ietf:params:xml:ns:netmod:notification';

export interface ReplayRequest {
  readonly startMs: number;
  readonly stopMs: number | undefined;
  /** Events asked for (null: all). */
  readonly events: ReadonlySet<string> | null;
}

function marker(name: 'replayComplete' | 'notificationComplete'): string {
  return new XmlWriter().start('notification', { xmlns: NOTIFICATION_NS }).leaf('eventTime', new Date().toISOString())
    .empty(name, { xmlns: NETMOD_NOTIFICATION_NS }).end().toString();
}

function asEvent(c: ReplayedCommit) {
  return { ...c.header, changes: c.changes, leafChanges: () => [] };
}

/**
 * Sends the replay to `sink`, then subscribes it to live events until stopTime (if any). Run
 * after the <ok/> of create-subscription went out; replay and subscription happen in one turn,
 * so no commit falls between them.
 */
export function replayAndSubscribe(engine: ConfigEngine, hub: NotificationHub, sink: NotificationSink, req: ReplayRequest): void {
  const replayed: Array<{ at: number; xml: () => string }> = [];
  if (req.events === null || req.events.has('netconf-config-change')) {
    for (const c of engine.commitsBetween(req.startMs, req.stopMs)) replayed.push({ at: Date.parse(c.header.time), xml: () => hub.configChange(asEvent(c)) });
  }
  if (req.events === null || req.events.has('netconf-capability-change')) {
    for (const c of hub.capabilityChangesBetween(req.startMs, req.stopMs)) replayed.push({ at: Date.parse(c.time), xml: () => capabilityChangeXml(c) });
  }
  // Stable: commits keep their order among themselves, and a switch comes after a commit of the same instant.
  replayed.sort((a, b) => a.at - b.at);
  for (const r of replayed) sink.sendNotification(r.xml());
  sink.sendNotification(marker('replayComplete'));
  const now = Date.now();
  if (req.stopMs !== undefined && req.stopMs <= now) { sink.sendNotification(marker('notificationComplete')); return; }
  hub.subscribe(sink, req.events);
  if (req.stopMs === undefined) return;
  setTimeout(() => {
    hub.unsubscribe(sink);
    sink.sendNotification(marker('notificationComplete'));
  }, req.stopMs - now).unref();
}

/** RFC 5277 §3.4 /netconf/streams: the one NETCONF stream, with replay from the oldest kept commit. */
export function streamsElement(engine: ConfigEngine): XmlElement {
  const ns = NETMOD_NOTIFICATION_NS;
  const since = engine.replayStart() ?? new Date(engine.startedAt).toISOString();
  return el('netconf', ns, [el('streams', ns, [el('stream', ns, [
    el('name', ns, 'NETCONF'),
    el('description', ns, 'RFC 6470 events: configuration, capability and confirmed-commit changes, session start and end'),
    el('replaySupport', ns, 'true'),
    el('replayLogCreationTime', ns, since),
  ])])]);
}
