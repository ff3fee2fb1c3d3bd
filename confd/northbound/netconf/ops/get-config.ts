/** @module confd/northbound/netconf/ops/get-config — RFC 6241 §7.1 (subtree or XPath filter), with RFC 6243 <with-defaults>. */
import { configToXml } from '../config-codec.js';
import type { OpContext } from './index.js';
import type { XmlElement } from '../xml-element.js';
import { datastoreParam, filterParam, onlyParams, withDefaultsParam, xpathFilterParam } from './params.js';
import { xpathData } from './xpath-read.js';

export function getConfig(ctx: OpContext, op: XmlElement): string {
  onlyParams(op, ['source', 'filter'], true);
  const source = datastoreParam(ctx.schema, op, 'source', ['running', 'candidate', 'startup']) as 'running';
  const mode = withDefaultsParam(op);
  const xpath = xpathFilterParam(op, ctx.rpc ? [ctx.rpc] : []);
  const tree = ctx.ops.getConfig(ctx.session, source, xpath ? undefined : filterParam(ctx.schema, op), mode === 'explicit' ? 'explicit' : undefined);
  const xml = configToXml(ctx.schema, tree, mode);
  return `<data>${xpath ? xpathData(ctx, xml, xpath) : xml}</data>`;
}
