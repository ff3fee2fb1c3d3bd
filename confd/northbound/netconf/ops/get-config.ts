/** @module confd/northbound/netconf/ops/get-config — RFC 6241 §7.1, with RFC 6243 <with-defaults>. */
import { configToXml } from '../config-codec.js';
import type { OpContext } from './index.js';
import type { XmlElement } from '../xml-element.js';
import { datastoreParam, filterParam, onlyParams, withDefaultsParam } from './params.js';

export function getConfig(ctx: OpContext, op: XmlElement): string {
  onlyParams(op, ['source', 'filter'], true);
  const source = datastoreParam(ctx.schema, op, 'source', ['running', 'candidate', 'startup']) as 'running';
  const mode = withDefaultsParam(op);
  const tree = ctx.ops.getConfig(ctx.session, source, filterParam(ctx.schema, op), mode === 'explicit' ? 'explicit' : undefined);
  return `<data>${configToXml(ctx.schema, tree, mode)}</data>`;
}
