/**
 * @module confd/northbound/netconf/ops/copy-config — RFC 6241 §7.3 (targets candidate and
 * startup). RFC 6243 <with-defaults> is read and checked; its mode does not change what is
 * copied, since every target is a datastore holding the whole configuration with its defaults.
 */
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { datastoreParam, onlyParams, withDefaultsParam } from './params.js';

export async function copyConfig(ctx: OpContext, op: XmlElement): Promise<undefined> {
  onlyParams(op, ['target', 'source'], true);
  withDefaultsParam(op);
  const target = datastoreParam(ctx.schema, op, 'target', ['candidate', 'startup', 'running']) as 'candidate';
  const source = datastoreParam(ctx.schema, op, 'source', ['running', 'candidate', 'startup'], true);
  await ctx.ops.copyConfig(ctx.session, source, target);
  return undefined;
}
