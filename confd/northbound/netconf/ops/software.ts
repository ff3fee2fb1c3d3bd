/**
 * @module confd/northbound/netconf/ops/software
 * The upgrade manager's operations over NETCONF, in namespace urn:appliance:software:
 * <software-add><bundle>FILE</bundle><dry-run/>?<force/>?</software-add>, <software-status/> and
 * <software-rollback><confirm/>?<dry-run/>?</software-rollback>. The reply carries the job (or
 * the dry run's changes) as JSON text in <result>, since the job record has no schema.
 */
import { ConfdError } from '../../../core/errors.js';
import { SOFTWARE_NS } from '../capabilities.js';
import { child, type XmlElement } from '../xml-element.js';
import { XmlWriter } from '../xml-writer.js';
import type { OpContext } from './index.js';

const has = (op: XmlElement, name: string): boolean => child(op, name, SOFTWARE_NS) !== undefined;
const text = (op: XmlElement, name: string): string | undefined => child(op, name, SOFTWARE_NS)?.text.trim();

async function relay(ctx: OpContext, method: 'software.status' | 'software.add' | 'software.rollback', params: Record<string, unknown>): Promise<string> {
  const result = await ctx.ops.software(ctx.session, method, params);
  return new XmlWriter().leaf('result', JSON.stringify(result), { xmlns: SOFTWARE_NS }).toString();
}

export function softwareAdd(ctx: OpContext, op: XmlElement): Promise<string> {
  const bundle = text(op, 'bundle');
  if (!bundle) throw new ConfdError('NC_MISSING_ELEMENT', '<software-add> needs <bundle>', { details: { element: 'bundle' } });
  return relay(ctx, 'software.add', { bundle, dryRun: has(op, 'dry-run'), force: has(op, 'force') });
}

export function softwareStatus(ctx: OpContext): Promise<string> {
  return relay(ctx, 'software.status', {});
}

export function softwareRollback(ctx: OpContext, op: XmlElement): Promise<string> {
  return relay(ctx, 'software.rollback', { confirm: has(op, 'confirm'), dryRun: has(op, 'dry-run') });
}
