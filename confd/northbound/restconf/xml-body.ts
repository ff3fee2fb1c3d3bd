/**
 * @module confd/northbound/restconf/xml-body
 * RFC 8040 XML representations (application/yang-data+xml): a resource as its one element
 * (the datastore as <data> in the ietf-restconf namespace), and a request body read back into
 * internal members of the resource's parent, through the NETCONF configuration codec (the
 * body's element is placed inside its ancestors and decoded from the root). Pure: no I/O.
 */
import { ConfdError } from '../../core/errors.js';
import type { PathSegment } from '../../core/path.js';
import { isObject, type JsonObject, type JsonValue } from '../../core/tree.js';
import type { DataNodeSchema, DeviceSchema } from '../../schema/model.js';
import { configFromXml, configToXml, nodeToXml, type DefaultsMode } from '../netconf/config-codec.js';
import { el } from '../netconf/data-element.js';
import { parseXml } from '../netconf/xml-codec.js';
import type { XmlElement } from '../netconf/xml-element.js';
import { nodesAlong, valueAt } from './resource.js';

export const RESTCONF_NS = 'urn:ietf:params:xml:ns:yang:ietf-restconf';

/** The XML document of one resource. */
export function xmlResource(schema: DeviceSchema, node: DataNodeSchema, v: JsonValue, mode: DefaultsMode): string {
  if (node.kind === 'root') return `<data xmlns="${RESTCONF_NS}">${configToXml(schema, isObject(v) ? v : {}, mode)}</data>`;
  return nodeToXml(node, v, mode);
}

/** Parses an XML body (bounded as a NETCONF message is). */
export function parseXmlBody(text: string, maxBytes: number): XmlElement {
  try {
    return parseXml(text, { maxBytes, maxDepth: 64, maxElements: 1_000_000, maxAttributes: 64 });
  } catch (e) {
    if (e instanceof ConfdError) throw new ConfdError('RC_MALFORMED', e.message, { cause: e });
    throw e;
  }
}

/**
 * The members of the node at `parentSegments` that the body elements give (internal form).
 * `elements` are the body's top-level elements: the root element itself, or the children of
 * <data> for the datastore.
 */
export function decodeXmlMembers(schema: DeviceSchema, parentSegments: readonly PathSegment[], elements: readonly XmlElement[]): JsonObject {
  const nodes = nodesAlong(schema, parentSegments);
  let wrapped: readonly XmlElement[] = elements;
  for (let i = parentSegments.length - 1; i >= 0; i--) {
    const seg = parentSegments[i]!, node = nodes[i]!;
    const keys = (seg.keys ?? []).map(([k, v]) => el(k, node.namespace, v));
    wrapped = [el(seg.name, node.namespace, [...keys, ...wrapped])];
  }
  const tree = configFromXml(schema, wrapped, { allowOperations: false });
  const parent = valueAt(tree, parentSegments);
  const out: JsonObject = {};
  if (!isObject(parent)) return out;
  const keyNames = new Set((parentSegments.at(-1)?.keys ?? []).map(([k]) => k));
  for (const [name, v] of Object.entries(parent)) if (!keyNames.has(name) || elements.some((e) => e.name === name)) out[name] = v;
  return out;
}

/** The datastore body <data xmlns=ietf-restconf>…</data> as its children, or a single element as itself. */
export function bodyElements(root: XmlElement, datastore: boolean): readonly XmlElement[] {
  if (datastore && root.name === 'data' && (root.ns === RESTCONF_NS || root.ns === '')) return root.children;
  return [root];
}
