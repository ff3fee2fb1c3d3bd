/**
 * @module confd/northbound/netconf/ops/create-subscription — RFC 5277 §2.1.1: the NETCONF
 * stream, whose events are the RFC 6470 notifications (config change, session start and end). No replay.
 */
import { ConfdError } from '../../../core/errors.js';
import { NETCONF_NOTIFICATIONS_NS, NOTIFICATION_NS } from '../capabilities.js';
import { child, type XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';

const notificationChild = (op: XmlElement, name: string) => child(op, name, NOTIFICATION_NS);

export function createSubscription(ctx: OpContext, op: XmlElement): undefined {
  ctx.ops.authorize(ctx.session, 'create-subscription');
  const stream = notificationChild(op, 'stream')?.text.trim() ?? 'NETCONF';
  if (stream !== 'NETCONF') {
    throw new ConfdError('NC_BAD_ELEMENT', `no event stream '${stream}' (only NETCONF)`, { details: { element: 'stream' } });
  }
  for (const name of ['startTime', 'stopTime']) {
    if (notificationChild(op, name)) {
      throw new ConfdError('NC_BAD_ELEMENT', `<${name}> needs replay, which this server does not support`, { details: { element: name } });
    }
  }
  if (ctx.netconf.subscribed) {
    throw new ConfdError('TXN_IN_USE', 'this session already has a subscription', { details: { element: 'create-subscription' } });
  }
  const filter = notificationChild(op, 'filter');
  ctx.netconf.subscribed = true;
  // The stream carries RFC 6470 events only: a filter names those it asks for.
  const events = filter ? new Set(filter.children.filter((c) => c.ns === NETCONF_NOTIFICATIONS_NS).map((c) => c.name)) : null;
  ctx.server.notifications.subscribe(ctx.netconf, events);
  return undefined;
}
