/**
 * @module confd/northbound/netconf/capability-change
 * RFC 6470 netconf-capability-change: what changed between the capabilities a previous run of
 * the server advertised (another slot, before an upgrade switch) and this run's, and the
 * notification that says so. A capability is identified by its URI without parameters; one
 * whose parameters changed (a module's revision, the YANG library's content-id) is modified.
 * Pure: the record of past capabilities is kept by the daemon (confd/main/capability-record).
 */
import { NETCONF_NOTIFICATIONS_NS, NOTIFICATION_NS } from './capabilities.js';
import { XmlWriter } from './xml-writer.js';

export interface CapabilityChange {
  /** RFC 3339 time the running server first advertised the new set. */
  readonly time: string;
  readonly added: readonly string[];
  readonly deleted: readonly string[];
  readonly modified: readonly string[];
}

function base(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}

/** The change from `before` to `after`, or null when they are the same set. */
export function diffCapabilities(before: readonly string[], after: readonly string[], time: string): CapabilityChange | null {
  const old = new Map(before.map((c) => [base(c), c]));
  const now = new Map(after.map((c) => [base(c), c]));
  const added: string[] = [], deleted: string[] = [], modified: string[] = [];
  for (const [b, c] of now) {
    const was = old.get(b);
    if (was === undefined) added.push(c);
    else if (was !== c) modified.push(c);
  }
  for (const [b, c] of old) if (!now.has(b)) deleted.push(c);
  if (added.length + deleted.length + modified.length === 0) return null;
  return { time, added, deleted, modified };
}

/** The notification of `c`: changed by the server itself (a new version of it started). */
export function capabilityChangeXml(c: CapabilityChange): string {
  const w = new XmlWriter();
  w.start('notification', { xmlns: NOTIFICATION_NS });
  w.leaf('eventTime', c.time);
  w.start('netconf-capability-change', { xmlns: NETCONF_NOTIFICATIONS_NS });
  w.start('changed-by').empty('server').end();
  for (const x of c.added) w.leaf('added-capability', x);
  for (const x of c.deleted) w.leaf('deleted-capability', x);
  for (const x of c.modified) w.leaf('modified-capability', x);
  w.end().end();
  return w.toString();
}
