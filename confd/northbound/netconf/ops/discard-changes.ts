/** @module confd/northbound/netconf/ops/discard-changes — RFC 6241 §8.3.4.2. */
import type { OpContext } from './index.js';

export async function discardChanges(ctx: OpContext): Promise<undefined> {
  await ctx.ops.discardChanges(ctx.session);
  return undefined;
}
