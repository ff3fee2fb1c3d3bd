/** @module confd/northbound/netconf/ops/close-session — RFC 6241 §7.8: the session closes after the reply. */
import type { OpContext } from './index.js';

export function closeSession(ctx: OpContext): undefined {
  ctx.ops.authorize(ctx.session, 'close-session');
  return undefined;
}
