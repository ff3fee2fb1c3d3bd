/** @module confd/northbound/netconf/ops/validate — RFC 6241 §8.6 (:validate:1.1). */
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { datastoreParam } from './params.js';

export async function validate(ctx: OpContext, op: XmlElement): Promise<undefined> {
  await ctx.ops.validate(ctx.session, datastoreParam(ctx.schema, op, 'source', ['running', 'candidate', 'startup'], true));
  return undefined;
}
