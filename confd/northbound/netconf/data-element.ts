/**
 * @module confd/northbound/netconf/data-element
 * Building the server's own data (monitoring, YANG library) as XmlElement trees, and RFC 6241
 * §6 subtree filtering over such trees: containment, selection and content-match nodes, list
 * entries selected one by one. The device model is filtered by the schema-driven selector;
 * this is for the subtrees outside it.
 */
import type { XmlElement } from './xml-element.js';

/** An element in namespace `ns` with child elements, or with text when `content` is a string. */
export function el(name: string, ns: string, content: readonly (XmlElement | undefined)[] | string = []): XmlElement {
  return typeof content === 'string'
    ? { name, ns, attributes: [], children: [], text: content }
    : { name, ns, attributes: [], children: content.filter((c): c is XmlElement => c !== undefined), text: '' };
}

/** `el` with an attribute (xmlns declarations for identity prefixes). */
export function withAttribute(e: XmlElement, name: string, value: string): XmlElement {
  return { ...e, attributes: [...e.attributes, { ns: '', name, value, qname: name }] };
}

const matches = (f: XmlElement, d: XmlElement): boolean => f.name === d.name && (f.ns === '' || f.ns === d.ns);
const isContentMatch = (f: XmlElement): boolean => f.children.length === 0 && f.text.trim() !== '';

/**
 * The top-level elements of `data` that the filter elements select, each reduced to what is
 * selected under it.
 */
export function filterElements(data: readonly XmlElement[], filter: readonly XmlElement[]): XmlElement[] {
  return select(data, filter) ?? [];
}

/** What `filter` selects among the siblings `data`; null when a content match fails (the parent is not selected). */
function select(data: readonly XmlElement[], filter: readonly XmlElement[]): XmlElement[] | null {
  const contentMatches = filter.filter(isContentMatch);
  for (const f of contentMatches) {
    if (!data.some((d) => matches(f, d) && d.text.trim() === f.text.trim())) return null;
  }
  const others = filter.filter((f) => !isContentMatch(f));
  if (others.length === 0 && contentMatches.length > 0) return [...data];
  const out: XmlElement[] = [];
  for (const d of data) {
    if (contentMatches.some((f) => matches(f, d) && d.text.trim() === f.text.trim())) { out.push(d); continue; }
    for (const f of others) {
      if (!matches(f, d)) continue;
      if (f.children.length === 0) { out.push(d); break; }
      const sub = select(d.children, f.children);
      if (sub !== null && sub.length > 0) { out.push({ ...d, children: sub }); break; }
    }
  }
  return out;
}
