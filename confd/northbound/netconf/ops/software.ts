/**
 * @module confd/northbound/netconf/ops/software
 * The upgrade manager's operations over NETCONF, in namespace urn:appliance:software:
 * <software-add><bundle>FILE</bundle><dry-run/>?<force/>?<confirm-within>MINUTES</confirm-within>?</software-add>, <software-confirm/>, <software-sanity-check/>, <software-status/> and
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

async function relay(ctx: OpContext, method: 'software.status' | 'software.add' | 'software.rollback' | 'software.confirm' | 'software.sanity-check', params: Record<string, unknown>): Promise<string> {
  const result = await ctx.ops.software(ctx.session, method, params);
  return new XmlWriter().leaf('result', JSON.stringify(result), { xmlns: SOFTWARE_NS }).toString();
}

export function softwareAdd(ctx: OpContext, op: XmlElement): Promise<string> {
  const bundle = text(op, 'bundle');
  if (!bundle) throw new ConfdError('NC_MISSING_ELEMENT', '<software-add> needs <bundle>', { details: { element: 'bundle' } });
  const within = text(op, 'confirm-within');
  const minutes = within === undefined ? undefined : Number(within);
  if (minutes !== undefined && !(minutes > 0 && minutes <= 1440)) {
    throw new ConfdError('NC_BAD_ELEMENT', '<confirm-within> takes minutes, more than 0 and at most 1440', { details: { element: 'confirm-within' } });
  }
  return relay(ctx, 'software.add', { bundle, dryRun: has(op, 'dry-run'), force: has(op, 'force'), ...(minutes !== undefined ? { confirmWithin: minutes } : {}) });
}

export function softwareSanityCheck(ctx: OpContext): Promise<string> {
  return relay(ctx, 'software.sanity-check', {});
}

export function softwareConfirm(ctx: OpContext): Promise<string> {
  return relay(ctx, 'software.confirm', {});
}

export function softwareStatus(ctx: OpContext): Promise<string> {
  return relay(ctx, 'software.status', {});
}

export function softwareRollback(ctx: OpContext, op: XmlElement): Promise<string> {
  return relay(ctx, 'software.rollback', { confirm: has(op, 'confirm'), dryRun: has(op, 'dry-run') });
}
