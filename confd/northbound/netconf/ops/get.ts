/**
 * @module confd/northbound/netconf/ops/get — RFC 6241 §7.7: configuration and state, plus the
 * server's own data (RFC 6022 netconf-state, RFC 8525 yang-library), each filtered by the
 * parts of a subtree filter in its namespace.
 */
import { configToXml } from '../config-codec.js';
import { MONITORING_NS } from '../capabilities.js';
import { filterElements } from '../data-element.js';
import { monitoringElement } from '../monitoring.js';
import { selectorFromSubtreeFilter } from '../subtree-filter.js';
import type { XmlElement } from '../xml-element.js';
import { writeXml } from '../xml-writer.js';
import { YANG_LIBRARY_NS } from '../yang-library.js';
import { NETMOD_NOTIFICATION_NS, streamsElement } from '../replay.js';
import type { OpContext } from './index.js';
import { filterType, onlyParams, param, withDefaultsParam, xpathFilterParam } from './params.js';
import { xpathData } from './xpath-read.js';

/** Namespaces of the data this server answers itself, outside the device model. */
const SERVER_DATA = new Set([MONITORING_NS, YANG_LIBRARY_NS, NETMOD_NOTIFICATION_NS]);

export function get(ctx: OpContext, op: XmlElement): string {
  onlyParams(op, ['filter'], true);
  const xpath = xpathFilterParam(op, ctx.rpc ? [ctx.rpc] : []);
  const filter = xpath ? undefined : param(op, 'filter');
  if (filter) filterType(filter);
  const mode = withDefaultsParam(op);
  const modelFilter = filter?.children.filter((c) => !SERVER_DATA.has(c.ns));
  const selector = modelFilter ? selectorFromSubtreeFilter(ctx.schema, modelFilter) : undefined;
  const tree = ctx.ops.get(ctx.session, selector, ctx.server.state, mode === 'explicit' ? 'explicit' : undefined);
  const serverFilter = filter?.children.filter((c) => SERVER_DATA.has(c.ns));
  const own = serverFilter?.length === 0 ? [] : [monitoringElement(ctx.server, ctx.ops.engine), ...ctx.server.library.libraryElements(), streamsElement(ctx.ops.engine)];
  const selected = serverFilter ? filterElements(own, serverFilter) : own;
  const xml = `${configToXml(ctx.schema, tree, mode)}${selected.map(writeXml).join('')}`;
  return `<data>${xpath ? xpathData(ctx, xml, xpath) : xml}</data>`;
}
