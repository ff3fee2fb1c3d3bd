/**
 * @module confd/northbound/netconf/ops/get — RFC 6241 §7.7: configuration and state, plus
 * NETCONF monitoring (in the spirit of RFC 6022) when no filter or a filter asks for it.
 */
import { configToXml } from '../config-codec.js';
import { MONITORING_NS } from '../capabilities.js';
import { monitoringXml } from '../monitoring.js';
import { selectorFromSubtreeFilter } from '../subtree-filter.js';
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { checkFilterType, param } from './params.js';

export function get(ctx: OpContext, op: XmlElement): string {
  const filter = param(op, 'filter');
  // The monitoring subtree is not part of the device model: it is answered here, when asked for.
  const wantsMonitoring = !filter || filter.children.some((c) => c.ns === MONITORING_NS && c.name === 'netconf-state');
  if (filter) checkFilterType(filter);
  const selector = filter ? selectorFromSubtreeFilter(ctx.schema, filter.children.filter((c) => c.ns !== MONITORING_NS)) : undefined;
  const tree = ctx.ops.get(ctx.session, selector, ctx.server.state);
  const monitoring = wantsMonitoring ? monitoringXml(ctx.server, ctx.ops.engine) : '';
  return `<data>${configToXml(ctx.schema, tree)}${monitoring}</data>`;
}
