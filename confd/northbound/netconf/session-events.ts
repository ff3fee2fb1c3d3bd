/**
 * @module confd/northbound/netconf/session-events
 * RFC 6470 netconf-session-start and netconf-session-end notifications: who, from where, and
 * for an end the termination reason (and the session that killed it).
 */
import { NETCONF_NOTIFICATIONS_NS, NOTIFICATION_NS } from './capabilities.js';
import { hostOf } from './monitoring.js';
import { XmlWriter } from './xml-writer.js';

export type TerminationReason = 'closed' | 'killed' | 'dropped' | 'timeout' | 'bad-hello' | 'other';

/** The termination reason of the reasons NetconfSession.close is given (anything else: the peer went away). */
const REASONS: Readonly<Record<string, TerminationReason>> = {
  'close-session': 'closed', 'killed': 'killed', 'hello timeout': 'timeout', 'bad hello': 'bad-hello',
  'framing error': 'dropped', 'shutdown': 'other',
};

export function terminationReason(closeReason: string | undefined): TerminationReason {
  return (closeReason !== undefined && REASONS[closeReason]) || 'dropped';
}

export interface SessionInfo { readonly id: number; readonly user: string; readonly address: string }

function open(w: XmlWriter, event: string, who: SessionInfo, time: string): void {
  w.start('notification', { xmlns: NOTIFICATION_NS }).leaf('eventTime', time);
  w.start(event, { xmlns: NETCONF_NOTIFICATIONS_NS }).leaf('username', who.user).leaf('session-id', String(who.id));
  const host = hostOf(who.address);
  if (host && host !== 'local') w.leaf('source-host', host);
}

export function sessionStartXml(who: SessionInfo, time: string): string {
  const w = new XmlWriter();
  open(w, 'netconf-session-start', who, time);
  return w.end().end().toString();
}

export function sessionEndXml(who: SessionInfo, reason: TerminationReason, killedBy: number | undefined, time: string): string {
  const w = new XmlWriter();
  open(w, 'netconf-session-end', who, time);
  if (reason === 'killed' && killedBy !== undefined) w.leaf('killed-by', String(killedBy));
  w.leaf('termination-reason', reason);
  return w.end().end().toString();
}
