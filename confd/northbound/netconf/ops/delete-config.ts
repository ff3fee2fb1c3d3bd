/** @module confd/northbound/netconf/ops/delete-config — RFC 6241 §7.4 (startup only). */
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { datastoreParam } from './params.js';

export async function deleteConfig(ctx: OpContext, op: XmlElement): Promise<undefined> {
  const target = datastoreParam(ctx.schema, op, 'target', ['startup', 'running', 'candidate']) as 'startup';
  await ctx.ops.deleteConfig(ctx.session, target);
  return undefined;
}
