/** @module confd/northbound/netconf/ops/unlock — RFC 6241 §7.6. */
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { datastoreParam } from './params.js';

export async function unlock(ctx: OpContext, op: XmlElement): Promise<undefined> {
  await ctx.ops.unlock(ctx.session, datastoreParam(ctx.schema, op, 'target', ['running', 'candidate', 'startup']) as 'running');
  return undefined;
}
