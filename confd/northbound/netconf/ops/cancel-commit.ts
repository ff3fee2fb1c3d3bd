/** @module confd/northbound/netconf/ops/cancel-commit — RFC 6241 §8.4.4.1. */
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { textParam } from './params.js';

export async function cancelCommit(ctx: OpContext, op: XmlElement): Promise<undefined> {
  await ctx.ops.cancelCommit(ctx.session, textParam(op, 'persist-id'));
  return undefined;
}
