/**
 * @module confd/northbound/netconf/xml-writer
 * Writing XML for replies: escaping, a tree serializer for XmlElement and a small appending
 * builder. Output is compact (no indentation) and built by string concatenation, because
 * replies are written on every rpc. Must not import the store, txn or anything that parses.
 */
import { ConfdError } from '../../core/errors.js';
import type { XmlAttribute, XmlElement } from './xml-element.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_SPECIAL_ALL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/;
const ATTR_SPECIAL_ALL = /[&<>"\t\n\r]/g;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;',
  // Raw CR, LF and TAB would be normalised away by the reader (line ends; attribute values).
  '\r': '&#13;', '\n': '&#10;', '\t': '&#9;',
};

function escapeChar(c: string): string {
  return ESCAPES[c]!;
}

/** Element content: & < > escaped (> so that "]]>" never appears), CR kept as a reference. */
export function escapeText(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(TEXT_SPECIAL_ALL, escapeChar) : s;
}

/** A value for a double-quoted attribute; whitespace other than space kept as references. */
export function escapeAttr(s: string): string {
  return ATTR_SPECIAL.test(s) ? s.replace(ATTR_SPECIAL_ALL, escapeChar) : s;
}

/**
 * `el` and its subtree as compact XML. An element declares `xmlns` where its namespace differs
 * from its parent's; namespaced attributes get generated prefixes declared on their element
 * (the original prefixes are not kept by the parser).
 */
export function writeXml(el: XmlElement): string {
  return writeElement(el, '');
}

function writeElement(el: XmlElement, parentNs: string): string {
  let s = '<' + el.name;
  if (el.ns !== parentNs) s += ' xmlns="' + escapeAttr(el.ns) + '"';
  if (el.attributes.length > 0) s += writeAttributes(el.attributes);
  if (el.children.length === 0 && el.text === '') return s + '/>';
  s += '>';
  if (el.text !== '') s += escapeText(el.text);
  for (const c of el.children) s += writeElement(c, el.ns);
  return s + '</' + el.name + '>';
}

function writeAttributes(attributes: readonly XmlAttribute[]): string {
  let s = '';
  let prefixes = 0;
  const declared = new Map<string, string>();
  for (const a of attributes) {
    let prefix = '';
    if (a.ns === XML_NS) {
      prefix = 'xml:';
    } else if (a.ns !== '') {
      let p = declared.get(a.ns);
      if (p === undefined) {
        p = `a${prefixes++}`;
        declared.set(a.ns, p);
        s += ` xmlns:${p}="${escapeAttr(a.ns)}"`;
      }
      prefix = p + ':';
    }
    s += ' ' + prefix + a.name + '="' + escapeAttr(a.value) + '"';
  }
  return s;
}

/** Attribute name → value, written in insertion order (names are written as given). */
export type AttributeMap = Readonly<Record<string, string>>;

function attributeText(attributes: AttributeMap | undefined): string {
  if (attributes === undefined) return '';
  let s = '';
  for (const name of Object.keys(attributes)) s += ' ' + name + '="' + escapeAttr(attributes[name]!) + '"';
  return s;
}

/**
 * An appending builder for replies: `start`/`end` pairs, `leaf` for text elements, `raw` for
 * XML already serialized (e.g. configToXml output). Names are written as given: callers pass
 * fixed protocol names, never client input.
 */
export class XmlWriter {
  private out = '';
  private readonly open: string[] = [];

  start(name: string, attributes?: AttributeMap): this {
    this.out += '<' + name + attributeText(attributes) + '>';
    this.open.push(name);
    return this;
  }

  end(): this {
    const name = this.open.pop();
    if (name === undefined) throw new ConfdError('INTERNAL', 'XmlWriter.end() without an open element');
    this.out += '</' + name + '>';
    return this;
  }

  /** `<name>text</name>`. */
  leaf(name: string, text: string, attributes?: AttributeMap): this {
    this.out += '<' + name + attributeText(attributes) + '>' + escapeText(text) + '</' + name + '>';
    return this;
  }

  /** `<name/>`. */
  empty(name: string, attributes?: AttributeMap): this {
    this.out += '<' + name + attributeText(attributes) + '/>';
    return this;
  }

  /** XML that is already well-formed and escaped. */
  raw(xml: string): this {
    this.out += xml;
    return this;
  }

  /** The document so far; every started element must have been ended. */
  toString(): string {
    if (this.open.length > 0) throw new ConfdError('INTERNAL', `XmlWriter: <${this.open[this.open.length - 1]!}> is not ended`);
    return this.out;
  }
}
