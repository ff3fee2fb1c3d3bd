/**
 * @module confd/northbound/netconf/xpath-filter
 * RFC 6241 §8.9 XPath filters: an XPath 1.0 expression (the npm `xpath` evaluator, every core
 * function) over the reply's data as a document whose root holds each top-level element, so
 * `/if:interfaces/if:interface[if:mtu > 1400]` starts at the top of the datastore. The result
 * is each selected node with its whole subtree, and its ancestors (list entries with their
 * keys), in document order. Prefixes are those declared on the <filter> element and around
 * it; a name without a prefix matches in any namespace (as netconfd does), so `/interfaces`
 * works too. The tree adapter below gives the evaluator the few DOM properties it reads.
 */
import { createRequire } from 'node:module';
import { ConfdError } from '../../core/errors.js';
import type { ContainerLike, DeviceSchema } from '../../schema/model.js';
import type { XmlAttribute, XmlElement } from './xml-element.js';

const ELEMENT = 1, ATTRIBUTE = 2, TEXT = 3, DOCUMENT = 9;

/** What this module uses of the `xpath` package (loaded untyped: its typings pull in the DOM library). */
interface XPathValue { nodeset(): { toArray(): unknown[] } }
interface XPathModule {
  parse(expression: string): {
    evaluate(options: { node: unknown; namespaces: Record<string, string>; allowAnyNamespaceForNoPrefix: boolean }): XPathValue;
  };
}
const xpath = createRequire(import.meta.url)('xpath') as XPathModule;

type NodeList = DomNode[] & { item(i: number): DomNode | null };

function nodeList(nodes: DomNode[]): NodeList {
  return Object.assign(nodes, { item: (i: number) => nodes[i] ?? null });
}

/**
 * Node visits one evaluation may make (about a second of work): an expression such as
 * `//*[count(//*) > 0]` is quadratic in the size of the data, and is stopped, not run for hours.
 */
export const MAX_XPATH_VISITS = 5_000_000;

class Budget {
  constructor(private left: number, private readonly max = left) {}
  spend(): void {
    if (--this.left < 0) throw new Error(`it visits more than ${this.max} nodes`);
  }
}

/** A read-only DOM node over an XmlElement (or its text, or an attribute), as xpath.js reads them. */
class DomNode {
  // Every step of an axis spends a visit (down, along, back and up), so no axis walks for free.
  parent: DomNode | null = null;
  owner: DomNode | null = null;
  next: DomNode | null = null;
  previous: DomNode | null = null;
  /** Shared by every node of one document: each step down or along spends one visit. */
  budget: Budget | null = null;
  childNodes: NodeList = nodeList([]);
  attributes: NodeList = nodeList([]);
  readonly prefix: string | null;

  constructor(
    readonly nodeType: number,
    readonly localName: string | null,
    readonly namespaceURI: string | null,
    readonly nodeValue: string | null,
    readonly ownerDocument: DomNode | null,
    readonly source: XmlElement | null,
    qname?: string,
  ) {
    const colon = qname?.indexOf(':') ?? -1;
    this.prefix = colon > 0 ? qname!.slice(0, colon) : null;
    this.nodeName = nodeType === DOCUMENT ? '#document' : nodeType === TEXT ? '#text' : qname ?? localName ?? '';
  }

  readonly nodeName: string;
  get firstChild(): DomNode | null { this.budget?.spend(); return this.childNodes[0] ?? null; }
  get nextSibling(): DomNode | null { this.budget?.spend(); return this.next; }
  get previousSibling(): DomNode | null { this.budget?.spend(); return this.previous; }
  get parentNode(): DomNode | null { this.budget?.spend(); return this.parent; }
  get ownerElement(): DomNode | null { this.budget?.spend(); return this.owner; }
  get lastChild(): DomNode | null { return this.childNodes.at(-1) ?? null; }
  get tagName(): string { return this.nodeName; }
  get value(): string | null { return this.nodeValue; }
  get name(): string { return this.nodeName; }
  get data(): string | null { return this.nodeValue; }
  get documentElement(): DomNode | null { return this.childNodes.find((c) => c.nodeType === ELEMENT) ?? null; }
  getElementById(): null { return null; }
  getAttributeNS(ns: string | null, name: string): string | null {
    return this.attributes.find((a) => a.localName === name && a.namespaceURI === (ns || null))?.nodeValue ?? null;
  }
  getAttribute(name: string): string | null {
    return this.attributes.find((a) => a.nodeName === name)?.nodeValue ?? null;
  }
}

function link(parent: DomNode, children: DomNode[], budget: Budget): void {
  parent.budget = budget;
  children.forEach((c, i) => {
    c.parent = parent;
    c.budget = budget;
    c.previous = children[i - 1] ?? null;
    c.next = children[i + 1] ?? null;
  });
  parent.childNodes = nodeList(children);
}

function build(el: XmlElement, doc: DomNode, budget: Budget): DomNode {
  const node = new DomNode(ELEMENT, el.name, el.ns || null, null, doc, el);
  node.attributes = nodeList(el.attributes.map((a: XmlAttribute) => {
    const at = new DomNode(ATTRIBUTE, a.name, a.ns || null, a.value, doc, null, a.qname);
    at.owner = node;
    at.budget = budget;
    return at;
  }));
  const kids = el.children.map((c) => build(c, doc, budget));
  if (el.text !== '') kids.unshift(new DomNode(TEXT, null, null, el.text, doc, null));
  link(node, kids, budget);
  return node;
}

/**
 * The parts of `elements` (the top-level data elements of a reply) that `select` selects.
 * `namespaces` maps the prefixes in scope of the <filter> element. A bad expression, one that
 * names an undeclared prefix or does not yield a node-set is NC_BAD_ATTRIBUTE on select.
 */
export function xpathSelect(
  schema: DeviceSchema, elements: readonly XmlElement[], select: string, namespaces: Readonly<Record<string, string>>, maxVisits = MAX_XPATH_VISITS,
): XmlElement[] {
  const bad = (why: string) => new ConfdError('NC_BAD_ATTRIBUTE', `the XPath filter ${why}`, { details: { attribute: 'select', element: 'filter' } });
  const doc = new DomNode(DOCUMENT, null, null, null, null, null);
  const budget = new Budget(maxVisits);
  link(doc, elements.map((e) => build(e, doc, budget)), budget);
  let result: XPathValue;
  try {
    result = xpath.parse(select).evaluate({ node: doc, allowAnyNamespaceForNoPrefix: true, namespaces: { ...namespaces } });
  } catch (e) {
    throw bad(`'${select}' cannot be evaluated: ${(e as Error).message}`);
  }
  let selected: DomNode[];
  try {
    selected = result.nodeset().toArray() as DomNode[];
  } catch {
    throw bad(`'${select}' does not select nodes (it is a string, number or boolean)`);
  }
  const whole = new Set<XmlElement>();
  const onPath = new Set<XmlElement>();
  for (const n of selected) {
    // A text or attribute node stands for the element holding it.
    let at: DomNode | null = n.nodeType === ELEMENT ? n : n.nodeType === ATTRIBUTE ? n.owner : n.nodeType === DOCUMENT ? null : n.parent;
    if (n.nodeType === DOCUMENT) { for (const e of elements) whole.add(e); continue; }
    if (!at?.source) continue;
    whole.add(at.source);
    for (at = at.parent; at?.source; at = at.parent) onPath.add(at.source);
  }
  const out: XmlElement[] = [];
  for (const e of elements) {
    const kept = prune(e, schema.root.children.get(e.name), whole, onPath);
    if (kept) out.push(kept);
  }
  return out;
}

type SchemaChild = ContainerLike | { kind: 'leaf' | 'leaf-list' } | undefined;

function prune(el: XmlElement, node: SchemaChild, whole: ReadonlySet<XmlElement>, onPath: ReadonlySet<XmlElement>): XmlElement | null {
  if (whole.has(el)) return el;
  if (!onPath.has(el)) return null;
  const container = node && 'children' in node ? node : undefined;
  const keys = container?.kind === 'list' ? container.keys : [];
  const children: XmlElement[] = [];
  for (const c of el.children) {
    if (keys.includes(c.name)) { children.push(c); continue; }
    const kept = prune(c, container?.children.get(c.name) as SchemaChild, whole, onPath);
    if (kept) children.push(kept);
  }
  return { ...el, children, text: '' };
}
