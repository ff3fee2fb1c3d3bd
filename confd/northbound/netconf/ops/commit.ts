/** @module confd/northbound/netconf/ops/commit — RFC 6241 §8.3.4.1 and §8.4.5.1 (:confirmed-commit:1.1). */
import { ConfdError } from '../../../core/errors.js';
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { param, textParam, uintParam } from './params.js';

export async function commit(ctx: OpContext, op: XmlElement): Promise<undefined> {
  const confirmed = param(op, 'confirmed') !== undefined;
  const confirmTimeout = uintParam(op, 'confirm-timeout');
  const persist = textParam(op, 'persist');
  const persistId = textParam(op, 'persist-id');
  if (!confirmed && (confirmTimeout !== undefined || persist !== undefined)) {
    throw new ConfdError('NC_BAD_ELEMENT', '<confirm-timeout> and <persist> go with <confirmed/>',
      { details: { element: confirmTimeout !== undefined ? 'confirm-timeout' : 'persist' } });
  }
  await ctx.ops.commit(ctx.session, {
    confirmed,
    ...(confirmTimeout !== undefined ? { confirmTimeout } : {}),
    ...(persist !== undefined ? { persist } : {}),
    ...(persistId !== undefined ? { persistId } : {}),
  });
  return undefined;
}
