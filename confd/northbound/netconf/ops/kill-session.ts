/** @module confd/northbound/netconf/ops/kill-session — RFC 6241 §7.9. */
import { ConfdError } from '../../../core/errors.js';
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { requiredParam } from './params.js';

export async function killSession(ctx: OpContext, op: XmlElement): Promise<undefined> {
  const text = requiredParam(op, 'session-id').text.trim();
  const id = Number(text);
  if (!/^[0-9]+$/.test(text) || id < 1) {
    throw new ConfdError('NC_BAD_ELEMENT', '<session-id> must be a session number', { details: { element: 'session-id' } });
  }
  await ctx.ops.killSession(ctx.session, id);
  return undefined;
}
