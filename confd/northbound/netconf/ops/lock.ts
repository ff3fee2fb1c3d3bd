/** @module confd/northbound/netconf/ops/lock — RFC 6241 §7.5. */
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { datastoreParam } from './params.js';

export async function lock(ctx: OpContext, op: XmlElement): Promise<undefined> {
  await ctx.ops.lock(ctx.session, datastoreParam(ctx.schema, op, 'target', ['running', 'candidate', 'startup']) as 'running');
  return undefined;
}
