/** @module confd/northbound/netconf/ops/copy-config — RFC 6241 §7.3 (targets candidate and startup). */
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { datastoreParam } from './params.js';

export async function copyConfig(ctx: OpContext, op: XmlElement): Promise<undefined> {
  const target = datastoreParam(ctx.schema, op, 'target', ['candidate', 'startup', 'running']) as 'candidate';
  const source = datastoreParam(ctx.schema, op, 'source', ['running', 'candidate', 'startup'], true);
  await ctx.ops.copyConfig(ctx.session, source, target);
  return undefined;
}
