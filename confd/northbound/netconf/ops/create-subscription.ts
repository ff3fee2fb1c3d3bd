/**
 * @module confd/northbound/netconf/ops/create-subscription — RFC 5277 §2.1.1: the NETCONF
 * stream, whose events are the RFC 6470 notifications (config change, session start and end),
 * with replay of the config changes kept in the commit history (startTime, stopTime).
 */
import { ALARM_NS } from '../alarm-notification.js';
import { ConfdError } from '../../../core/errors.js';
import { NETCONF_NOTIFICATIONS_NS, NOTIFICATION_NS } from '../capabilities.js';
import { replayAndSubscribe } from '../replay.js';
import { child, type XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';

const notificationChild = (op: XmlElement, name: string) => child(op, name, NOTIFICATION_NS);

/** An RFC 3339 date-and-time parameter, as clock ms. */
function timeParam(op: XmlElement, name: string): number | undefined {
  const p = notificationChild(op, name);
  if (!p) return undefined;
  const text = p.text.trim();
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new ConfdError('NC_BAD_ELEMENT', `<${name}> must be an RFC 3339 date and time`, { details: { element: name } });
  return ms;
}

export function createSubscription(ctx: OpContext, op: XmlElement): undefined {
  ctx.ops.authorize(ctx.session, 'create-subscription');
  const stream = notificationChild(op, 'stream')?.text.trim() ?? 'NETCONF';
  if (stream !== 'NETCONF') {
    throw new ConfdError('NC_BAD_ELEMENT', `no event stream '${stream}' (only NETCONF)`, { details: { element: 'stream' } });
  }
  const startMs = timeParam(op, 'startTime');
  const stopMs = timeParam(op, 'stopTime');
  if (stopMs !== undefined && startMs === undefined) {
    throw new ConfdError('NC_MISSING_ELEMENT', '<stopTime> needs <startTime>', { details: { element: 'startTime' } });
  }
  if (startMs !== undefined && startMs > Date.now()) {
    throw new ConfdError('NC_BAD_ELEMENT', '<startTime> is in the future', { details: { element: 'startTime' } });
  }
  if (startMs !== undefined && stopMs !== undefined && stopMs < startMs) {
    throw new ConfdError('NC_BAD_ELEMENT', '<stopTime> is before <startTime>', { details: { element: 'stopTime' } });
  }
  if (ctx.netconf.subscribed) {
    throw new ConfdError('TXN_IN_USE', 'this session already has a subscription', { details: { element: 'create-subscription' } });
  }
  const filter = notificationChild(op, 'filter');
  ctx.netconf.subscribed = true;
  // The stream carries RFC 6470 events and the appliance's alarm-notification: a filter names those it asks for.
  const events = filter ? new Set(filter.children.filter((c) => c.ns === NETCONF_NOTIFICATIONS_NS || c.ns === ALARM_NS).map((c) => c.name)) : null;
  if (startMs === undefined) {
    ctx.server.notifications.subscribe(ctx.netconf, events);
    return undefined;
  }
  // After the <ok/> has been written (the reply goes out in this turn).
  setImmediate(() => replayAndSubscribe(ctx.ops.engine, ctx.server.notifications, ctx.netconf, { startMs, stopMs, events }));
  return undefined;
}
