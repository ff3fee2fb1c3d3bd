/**
 * @module confd/northbound/netconf/subtree-filter
 * Turns the content of a NETCONF `<filter type="subtree">` (RFC 6241 §6) into a Selector:
 * containment nodes become `children`, selection nodes whole subtrees, content-match leaves a
 * `match` on their parent, and repeated siblings a union (`alternatives`). Elements the schema
 * does not know, or in another namespace, select nothing; a filter never fails to convert.
 * Works on parsed XmlElements and the schema only: must not import the XML parser, confd/txn
 * or confd/store.
 */
import type { JsonScalar } from '../../core/tree.js';
import type { ContainerLike, DeviceSchema, LeafListSchema, LeafSchema, SchemaNode } from '../../schema/model.js';
import { parseLeafText } from '../../schema/values.js';
import type { Selector } from '../../rpc/selector.js';
import type { XmlElement } from './xml-element.js';

/** Selects nothing at all (RFC 6241 §6.4.1: an empty filter). */
const NOTHING: Selector = { children: new Map() };

/** The Selector for the children of `<filter>`; an empty filter selects nothing. */
export function selectorFromSubtreeFilter(schema: DeviceSchema, filterChildren: readonly XmlElement[]): Selector {
  const children = new Map<string, Selector>();
  for (const el of filterChildren) {
    const node = schema.root.children.get(el.name);
    // Top-level parts are matched by name and their own namespace; anything else is ignored,
    // so one unknown part does not hide the others.
    if (node === undefined || el.ns !== schema.namespaces.get(el.name)) continue;
    if (node.kind !== 'container' && node.kind !== 'list') continue;
    const sel = nodeSelector(el, node);
    if (sel) addChild(children, el.name, sel);
  }
  return children.size === 0 ? NOTHING : { children };
}

/**
 * The selector of one element naming a container or list: null when it can select nothing
 * (a content match that can never hold).
 */
function nodeSelector(el: XmlElement, node: ContainerLike): Selector | null {
  // Attribute match expressions are ignored: no node of the model carries XML attributes.
  if (el.children.length === 0) return {}; // selection node: the whole subtree
  const match: Record<string, JsonScalar> = {};
  let hasMatch = false;
  let onlyMatches = true;
  const children = new Map<string, Selector>();
  for (const c of el.children) {
    const child = node.children.get(c.name);
    const content = c.children.length === 0 && c.text.trim() !== '' ? c.text : null;
    if (child === undefined || c.ns !== child.namespace) {
      // A content match on a node that is not there is false, so the whole sibling set is
      // unselected (§6.2.5); any other unknown element just selects nothing.
      if (content !== null) return null;
      onlyMatches = false;
      continue;
    }
    if (content !== null && child.kind === 'leaf') {
      const value = typedValue(child, content);
      if (value === undefined) return null;
      // Two matches on one leaf are ANDed: different values can never both hold.
      if (Object.hasOwn(match, c.name) && String(match[c.name]) !== String(value)) return null;
      match[c.name] = value;
      hasMatch = true;
      continue;
    }
    onlyMatches = false;
    const sel = childSelector(c, child, content);
    if (sel) addChild(children, c.name, sel);
  }
  // §6.2.5: only content matches in the sibling set → the whole instance; otherwise the
  // matches, the keys and the selected children.
  if (onlyMatches) return hasMatch ? { match } : {};
  return hasMatch ? { match, children } : { children };
}

/** The selector of a child element that is not a content match on a leaf. */
function childSelector(c: XmlElement, child: SchemaNode, content: string | null): Selector | null {
  switch (child.kind) {
    case 'leaf':
      // A leaf with element children is not data we could hold.
      return c.children.length === 0 ? {} : null;
    case 'leaf-list': {
      if (c.children.length > 0) return null;
      if (content === null) return {};
      // A leaf-list instance with content selects that one value, not a test on the parent.
      const value = typedValue(child, content);
      return value === undefined ? null : { match: { [child.name]: value } };
    }
    case 'container':
    case 'list':
      return nodeSelector(c, child);
  }
}

/** The typed value of content-match text, or undefined when it cannot be of the leaf's type. */
function typedValue(node: LeafSchema | LeafListSchema, text: string): JsonScalar | undefined {
  // Whitespace is part of a string value, but only XML indentation around other types.
  const t = node.type === 'string' ? text : text.trim();
  try {
    return parseLeafText(node.type, t, node.schemaPath);
  } catch {
    return undefined;
  }
}

/** Adds a child selector; a name given twice selects the union of both elements. */
function addChild(children: Map<string, Selector>, key: string, sel: Selector): void {
  const prev = children.get(key);
  if (prev === undefined) { children.set(key, sel); return; }
  const alts = prev.alternatives ?? [prev];
  children.set(key, { alternatives: [...alts, ...(sel.alternatives ?? [sel])] });
}
