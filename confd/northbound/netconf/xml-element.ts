/**
 * @module confd/northbound/netconf/xml-element
 * The neutral form of a parsed XML element: names with their namespaces resolved, attributes,
 * children in document order and the element's own text. The XML codec produces it; operations
 * and codecs above it never see raw XML.
 */
export interface XmlAttribute {
  /** Namespace URI of the attribute ('' when unprefixed). */
  readonly ns: string;
  readonly name: string;
  readonly value: string;
  /** The name as written, prefix included (for echoing attributes back, RFC 6241 §4.2). */
  readonly qname: string;
}

export interface XmlElement {
  /** Local name, without prefix. */
  readonly name: string;
  /** Namespace URI ('' when none is in scope). */
  readonly ns: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's direct text content, entity references decoded (only the XML built-ins). */
  readonly text: string;
  /** Namespace declarations written on this element (xmlns and xmlns:p), as attributes. */
  readonly declarations?: readonly XmlAttribute[];
}

export const NETCONF_BASE_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';

/** The attribute `name` in namespace `ns`, if present. */
export function attribute(el: XmlElement, ns: string, name: string): string | undefined {
  return el.attributes.find((a) => a.ns === ns && a.name === name)?.value;
}

/** The first child called `name` (in `ns`, when given). */
export function child(el: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name && (ns === undefined || c.ns === ns));
}
