/**
 * @module confd/northbound/netconf/ops/get-schema — RFC 6022 §3.1: the text of a published
 * module, by identifier with an optional version (revision) and format (yang only).
 */
import { ConfdError } from '../../../core/errors.js';
import { MONITORING_NS } from '../capabilities.js';
import { child, type XmlElement } from '../xml-element.js';
import { XmlWriter } from '../xml-writer.js';
import type { OpContext } from './index.js';

const PARAMS = new Set(['identifier', 'version', 'format']);

export function getSchema(ctx: OpContext, op: XmlElement): string {
  for (const c of op.children) {
    if (c.ns !== MONITORING_NS || !PARAMS.has(c.name)) {
      throw new ConfdError('NC_UNKNOWN_ELEMENT', `<get-schema> has no parameter <${c.name}>`, { details: { element: c.name } });
    }
  }
  const text = (name: string): string | undefined => child(op, name, MONITORING_NS)?.text.trim() || undefined;
  const identifier = text('identifier');
  if (!identifier) throw new ConfdError('NC_MISSING_ELEMENT', '<get-schema> needs <identifier>', { details: { element: 'identifier' } });
  const schema = ctx.server.library.schema(identifier, text('version'), text('format'));
  return new XmlWriter().leaf('data', schema, { xmlns: MONITORING_NS }).toString();
}
