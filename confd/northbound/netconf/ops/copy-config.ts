/**
 * @module confd/northbound/netconf/ops/copy-config — RFC 6241 §7.3 (targets candidate and
 * startup). RFC 6243 <with-defaults> says which defaults of a source datastore the target gets
 * as set values: explicit (the basic mode) those a client set, report-all (and
 * report-all-tagged, whose tags a datastore cannot keep) every one, trim none. An inline
 * <config> is copied as given: what it holds is set.
 */
import type { XmlElement } from '../xml-element.js';
import type { OpContext } from './index.js';
import { datastoreParam, onlyParams, withDefaultsParam } from './params.js';

export async function copyConfig(ctx: OpContext, op: XmlElement): Promise<undefined> {
  onlyParams(op, ['target', 'source'], true);
  const mode = withDefaultsParam(op);
  const target = datastoreParam(ctx.schema, op, 'target', ['candidate', 'startup', 'running']) as 'candidate';
  const source = datastoreParam(ctx.schema, op, 'source', ['running', 'candidate', 'startup'], true);
  await ctx.ops.copyConfig(ctx.session, source, target, mode === 'report-all-tagged' ? 'report-all' : mode);
  return undefined;
}
