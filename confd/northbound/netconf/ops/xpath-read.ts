/**
 * @module confd/northbound/netconf/ops/xpath-read — an XPath filter (RFC 6241 §8.9) applied to
 * the data of a get or get-config reply, written as it would be unfiltered (with-defaults
 * applied first, so report-all-tagged's wd:default attributes can be tested too).
 */
import { parseXml } from '../xml-codec.js';
import { NETCONF_BASE_NS } from '../xml-element.js';
import { writeXml } from '../xml-writer.js';
import { xpathSelect } from '../xpath-filter.js';
import type { OpContext } from './index.js';
import type { XPathFilter } from './params.js';

/** Our own reply data: trusted, as large as the configuration; the depth is the schema's. */
const OWN_DATA = { maxBytes: Number.MAX_SAFE_INTEGER, maxDepth: 256 };

export function xpathData(ctx: OpContext, xml: string, filter: XPathFilter): string {
  const root = parseXml(`<data xmlns="${NETCONF_BASE_NS}">${xml}</data>`, OWN_DATA);
  return xpathSelect(ctx.schema, root.children, filter.select, filter.namespaces).map(writeXml).join('');
}
