/** @module confd/northbound/netconf/ops/edit-config — RFC 6241 §7.2 (target candidate; :rollback-on-error, :validate:1.1). */
import { ConfdError } from '../../../core/errors.js';
import { configFromXml } from '../config-codec.js';
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { datastoreParam, enumParam, param } from './params.js';

export async function editConfig(ctx: OpContext, op: XmlElement): Promise<undefined> {
  const target = datastoreParam(ctx.schema, op, 'target', ['candidate', 'running']);
  if (target === 'running') {
    throw new ConfdError('TXN_NOT_SUPPORTED', 'running is changed by commit (no :writable-running); edit the candidate',
      { details: { element: 'running' } });
  }
  const defaultOperation = enumParam(op, 'default-operation', ['merge', 'replace', 'none'] as const);
  const testOption = enumParam(op, 'test-option', ['test-then-set', 'set', 'test-only'] as const);
  const errorOption = enumParam(op, 'error-option', ['stop-on-error', 'continue-on-error', 'rollback-on-error'] as const);
  if (errorOption === 'continue-on-error') {
    throw new ConfdError('TXN_NOT_SUPPORTED', 'continue-on-error is not supported; edits are all-or-nothing',
      { details: { element: 'error-option' } });
  }
  const config = param(op, 'config');
  if (!config) {
    if (param(op, 'url')) throw new ConfdError('TXN_NOT_SUPPORTED', 'the :url capability is not supported', { details: { element: 'url' } });
    throw new ConfdError('NC_MISSING_ELEMENT', '<edit-config> needs <config>', { details: { element: 'config' } });
  }
  const edit = configFromXml(ctx.schema, config.children, { allowOperations: true });
  await ctx.ops.editConfig(ctx.session, edit, {
    ...(defaultOperation ? { defaultOperation } : {}),
    // stop-on-error is the default (RFC 6241 §7.2). Either way nothing is applied on an error.
    errorOption: errorOption ?? 'stop-on-error',
    check: testOption !== 'set',
    testOnly: testOption === 'test-only',
  });
  return undefined;
}
