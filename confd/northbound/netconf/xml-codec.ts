/**
 * @module confd/northbound/netconf/xml-codec
 * Bytes or text of one NETCONF message → its root XmlElement, with namespaces resolved and
 * entity references decoded; and (re-exported from xml-writer) the helpers that write replies.
 * Hostile input is expected: DOCTYPE and entity declarations are refused before parsing, only
 * the five XML built-in entities and character references are decoded, and size, depth and
 * element count are capped. Must not import the schema, the store or txn: meaning is decided
 * above this layer.
 */
import { XMLParser, XMLValidator, type MatcherView } from 'fast-xml-parser';
import { ConfdError } from '../../core/errors.js';
import type { XmlAttribute, XmlElement } from './xml-element.js';

export { XmlWriter, escapeAttr, escapeText, writeXml, type AttributeMap } from './xml-writer.js';

export interface XmlLimits {
  /** Largest message accepted, in bytes of UTF-8. */
  readonly maxBytes: number;
  /** Deepest element nesting accepted; the root element is at depth 1. */
  readonly maxDepth: number;
  /** Most elements accepted in the whole document (unlimited when absent). */
  readonly maxElements?: number;
  /** Most attributes (namespace declarations included) on one element (unlimited when absent). */
  readonly maxAttributes?: number;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Characters XML 1.0 forbids anywhere in a document (C0 controls except TAB, LF, CR). */
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const NCNAME = /^[A-Za-z_\u00C0-\uFFFD][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFD]*$/;
const XML_WHITESPACE_ONLY = /^[ \t\n\r]*$/;
const ATTR_WHITESPACE = /[\t\n]/g;

const EMPTY_ATTRIBUTES: readonly XmlAttribute[] = Object.freeze([]);
const EMPTY_CHILDREN: readonly XmlElement[] = Object.freeze([]);

// Keys of fast-xml-parser's ordered output (preserveOrder): one object per node.
const TEXT_KEY = '#text';
const CDATA_KEY = '#cdata';
const ATTRS_KEY = ':@';

type OrderedNode = Record<string, unknown>;

const PARSER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  // Values stay text: typing is the schema's job, and a description may look like a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded here (decodeReferences), so the parser never expands anything.
  processEntities: false,
  htmlEntities: false,
  cdataPropName: CDATA_KEY,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
  // Depth and element count are checked in updateTag (XmlReader), with our own error codes.
  maxNestedTags: Number.MAX_SAFE_INTEGER,
  // Matcher objects instead of path strings built for every node (halves the parse time).
  jPath: false,
  // Names land only in own properties of fresh objects, so keep them exactly as written.
  onDangerousProperty: (name: string) => name,
} as const;

function malformed(reason: string, details?: Record<string, unknown>): ConfdError {
  return new ConfdError('NC_MALFORMED', `not well-formed XML: ${reason}`, details === undefined ? {} : { details });
}

function tooBig(reason: string, details: Record<string, unknown>): ConfdError {
  return new ConfdError('NC_TOO_BIG', reason, { details });
}

/**
 * A parser for many messages under the same limits: the underlying parser is built once
 * (building its options costs more than parsing a small rpc). Not re-entrant, which is fine:
 * parsing is synchronous.
 */
export class XmlReader {
  private elements = 0;
  private readonly parser: XMLParser;

  constructor(private readonly limits: XmlLimits) {
    const maxElements = limits.maxElements ?? Number.POSITIVE_INFINITY;
    this.parser = new XMLParser({
      ...PARSER_OPTIONS,
      // The per-element hook stops the parser at the first element past a limit: deep nesting
      // costs it far more per byte than flat content, so it must not run to the end.
      updateTag: (_tag: string, path: string | MatcherView) => {
        // With jPath: false the parser passes its matcher, never a path string.
        const depth = typeof path === 'string' ? 0 : path.getDepth();
        if (depth > limits.maxDepth) throw tooBig(`elements nested deeper than ${limits.maxDepth}`, { maxDepth: limits.maxDepth });
        if (++this.elements > maxElements) throw tooBig(`more than ${maxElements} elements`, { maxElements });
        return true;
      },
    });
  }

  /**
   * Parses one message and returns its root element. Throws ConfdError NC_TOO_BIG (size, depth,
   * element count) or NC_MALFORMED (not well-formed, DOCTYPE or entity declarations, undeclared
   * prefix, unknown entity, invalid UTF-8).
   */
  read(input: string | Uint8Array): XmlElement {
    const limits = this.limits;
    if (typeof input !== 'string' && input.byteLength > limits.maxBytes) {
      throw tooBig(`message of ${input.byteLength} bytes exceeds ${limits.maxBytes}`, { bytes: input.byteLength, maxBytes: limits.maxBytes });
    }
    // Counted before decoding and before any tree is built: the parser's cost per element and
    // per attribute is far above this scan's, so a message past a limit costs only reaching it.
    checkCounts(input, limits.maxElements ?? Number.POSITIVE_INFINITY, limits.maxAttributes ?? Number.POSITIVE_INFINITY);
    const text = decodeInput(input, limits.maxBytes);
    // Refused before the parser sees them: no entity is ever declared, so none can expand.
    if (hasDeclarations(text)) throw malformed('DOCTYPE and entity declarations are not allowed');
    if (FORBIDDEN_CHAR.test(text)) throw malformed('a character that XML does not allow');
    // The validator below skips over these without checking them.
    checkXmlDeclaration(text);
    checkMarkup(text);
    const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
    if (verdict !== true) {
      const { msg, line, col } = verdict.err;
      throw malformed(`${msg} (line ${line}, column ${col})`, { line, col });
    }
    let nodes: OrderedNode[];
    this.elements = 0;
    try {
      nodes = this.parser.parse(text) as OrderedNode[];
    } catch (cause) {
      if (cause instanceof ConfdError) throw cause;
      throw malformed(cause instanceof Error ? cause.message : String(cause));
    }
    let root: OrderedNode | undefined;
    for (const node of nodes) {
      if (TEXT_KEY in node) continue; // whitespace around the root (the validator refuses anything else)
      if (root !== undefined) throw malformed('more than one root element');
      root = node;
    }
    if (root === undefined) throw malformed('no root element');
    return new Converter(limits.maxDepth).element(root, ROOT_SCOPE, 1);
  }
}

/** Parses one message (see XmlReader.read); for many messages, keep an XmlReader. */
export function parseXml(input: string | Uint8Array, limits: XmlLimits): XmlElement {
  return new XmlReader(limits).read(input);
}

/** Whether the text holds <!DOCTYPE or <!ENTITY anywhere (one pass over the '<!' openers). */
function hasDeclarations(text: string): boolean {
  for (let i = text.indexOf('<!'); i >= 0; i = text.indexOf('<!', i + 2)) {
    if (text.startsWith('DOCTYPE', i + 2) || text.startsWith('ENTITY', i + 2)) return true;
  }
  return false;
}

const XML_DECLARATION = /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/;

/** The XML declaration, when there is one, is well-formed and names UTF-8 (RFC 6241 §3). */
function checkXmlDeclaration(text: string): void {
  if (!text.startsWith('<?xml')) return;
  const next = text.charCodeAt(5);
  if (next !== 0x20 && next !== 0x09 && next !== 0x0a && next !== 0x0d && next !== 0x3f) return; // another PI, e.g. <?xml-stylesheet
  const m = XML_DECLARATION.exec(text);
  if (m === null) throw malformed('the XML declaration is not well-formed');
  const encoding = m[3];
  if (encoding !== undefined && encoding.toUpperCase() !== 'UTF-8') throw malformed(`encoding '${encoding}' is not UTF-8`);
}

/** Comments and CDATA sections are the only '<!' markup allowed, and each must be closed. */
function checkMarkup(text: string): void {
  for (let i = text.indexOf('<!'); i >= 0;) {
    let end: number;
    if (text.startsWith('--', i + 2)) {
      end = text.indexOf('--', i + 4);
      if (end < 0 || text.charCodeAt(end + 2) !== 0x3e) throw malformed("a comment that is not closed, or holds '--'");
      end += 3;
    } else if (text.startsWith('[CDATA[', i + 2)) {
      end = text.indexOf(']]>', i + 9);
      if (end < 0) throw malformed('a CDATA section that is not closed');
      end += 3;
    } else {
      throw malformed(`unknown markup at offset ${i}`);
    }
    i = text.indexOf('<!', end);
  }
}

const LT = 0x3c, GT = 0x3e, SLASH = 0x2f, BANG = 0x21, QUESTION = 0x3f, DQUOTE = 0x22, SQUOTE = 0x27;

/** Text or UTF-8 bytes, seen through the two operations the count scan needs (markup is ASCII either way). */
interface Scannable {
  readonly length: number;
  at(i: number): number;
  find(needle: string, from: number): number;
}

function scannable(input: string | Uint8Array): Scannable {
  if (typeof input === 'string') return { length: input.length, at: (i) => input.charCodeAt(i), find: (n, from) => input.indexOf(n, from) };
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return { length: buf.length, at: (i) => buf[i] ?? Number.NaN, find: (n, from) => buf.indexOf(n, from, 'latin1') };
}

/**
 * One pass over the tags, skipping comments, CDATA and processing instructions: refuses more
 * than `maxElements` start tags, or a tag with more than `maxAttributes` quoted values. It runs
 * on the raw bytes before they are decoded, stops at the first tag past a limit, and costs a few
 * native indexOf calls per tag otherwise. What it cannot delimit is left to the validator.
 */
function checkCounts(input: string | Uint8Array, maxElements: number, maxAttributes: number): void {
  if (maxElements === Number.POSITIVE_INFINITY && maxAttributes === Number.POSITIVE_INFINITY) return;
  const t = scannable(input);
  let elements = 0;
  for (let i = t.find('<', 0); i >= 0;) {
    const next = t.at(i + 1);
    if (next === BANG) {
      const comment = t.at(i + 2) === 0x2d;
      const end = comment ? t.find('-->', i + 4) : t.find(']]>', i + 2);
      if (end < 0) return;
      i = t.find('<', end + 3);
      continue;
    }
    if (next === QUESTION) {
      const end = t.find('?>', i + 2);
      if (end < 0) return;
      i = t.find('<', end + 2);
      continue;
    }
    let j = i + 1;
    if (next !== SLASH) {
      if (++elements > maxElements) throw tooBig(`more than ${maxElements} elements`, { maxElements });
      let attributes = 0;
      for (;;) {
        let c = t.at(j);
        while (j < t.length && c !== GT && c !== DQUOTE && c !== SQUOTE && c !== LT) c = t.at(++j);
        if (c !== DQUOTE && c !== SQUOTE) break;
        if (++attributes > maxAttributes) throw tooBig(`an element with more than ${maxAttributes} attributes`, { maxAttributes });
        const close = t.find(c === DQUOTE ? '"' : "'", j + 1);
        if (close < 0) return;
        j = close + 1;
      }
    }
    i = t.find('<', j + 1);
  }
}

/** fatal: invalid UTF-8 is an error rather than silently replaced; a BOM is dropped. Stateless between calls. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeInput(input: string | Uint8Array, maxBytes: number): string {
  if (typeof input !== 'string') {
    if (input.byteLength > maxBytes) throw tooBig(`message of ${input.byteLength} bytes exceeds ${maxBytes}`, { bytes: input.byteLength, maxBytes });
    try {
      return UTF8.decode(input);
    } catch {
      throw malformed('invalid UTF-8');
    }
  }
  // A UTF-16 unit is at least one UTF-8 byte and at most three: count bytes only when unsure.
  const bytes = input.length > maxBytes ? input.length : input.length * 3 <= maxBytes ? 0 : Buffer.byteLength(input, 'utf8');
  if (bytes > maxBytes) throw tooBig(`message of ${bytes} bytes exceeds ${maxBytes}`, { bytes, maxBytes });
  return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
}

/** Namespace bindings in scope: the default namespace and prefix → URI. */
interface Scope {
  readonly defaultNs: string;
  readonly prefixes: ReadonlyMap<string, string>;
}

const ROOT_SCOPE: Scope = { defaultNs: '', prefixes: new Map([['xml', XML_NS]]) };

interface QName {
  readonly prefix: string;
  readonly local: string;
}

class Converter {
  /** Names split and checked once per document: the same few names repeat thousands of times. */
  private readonly names = new Map<string, QName>();

  constructor(private readonly maxDepth: number) {}

  element(node: OrderedNode, parentScope: Scope, depth: number): XmlElement {
    // XmlReader.read already refused deeper input; this keeps the recursion bounded regardless.
    if (depth > this.maxDepth) throw tooBig(`elements nested deeper than ${this.maxDepth}`, { maxDepth: this.maxDepth });
    let qname = '';
    for (const key in node) {
      if (key !== ATTRS_KEY) { qname = key; break; }
    }
    const rawAttributes = node[ATTRS_KEY] as Record<string, string> | undefined;
    const scope = rawAttributes === undefined ? parentScope : declareNamespaces(rawAttributes, parentScope);
    let name = this.names.get(qname);
    if (name === undefined) this.names.set(qname, name = splitName(qname));
    const { prefix, local } = name;
    const ns = prefix === '' ? scope.defaultNs : resolvePrefix(scope, prefix, qname);
    const attributes = rawAttributes === undefined ? EMPTY_ATTRIBUTES : convertAttributes(rawAttributes, scope, qname);
    const declarations = rawAttributes === undefined ? undefined : declarationsOf(rawAttributes);

    let text = '';
    let children: XmlElement[] | undefined;
    for (const item of node[qname] as OrderedNode[]) {
      const t = item[TEXT_KEY];
      if (t !== undefined) { text += decodeReferences(t as string); continue; }
      const cdata = item[CDATA_KEY];
      if (cdata !== undefined) { text += ((cdata as OrderedNode[])[0]?.[TEXT_KEY] as string | undefined) ?? ''; continue; }
      (children ??= []).push(this.element(item, scope, depth + 1));
    }
    // Indentation between child elements is not content.
    if (text !== '' && XML_WHITESPACE_ONLY.test(text)) text = '';
    return { name: local, ns, attributes, children: children ?? EMPTY_CHILDREN, text, ...(declarations ? { declarations } : {}) };
  }
}

function splitName(qname: string): QName {
  const colon = qname.indexOf(':');
  if (colon < 0) {
    if (!NCNAME.test(qname)) throw malformed(`'${qname}' is not a valid element name`);
    return { prefix: '', local: qname };
  }
  const prefix = qname.slice(0, colon);
  const local = qname.slice(colon + 1);
  if (!NCNAME.test(prefix) || !NCNAME.test(local)) throw malformed(`'${qname}' is not a valid qualified name`);
  return { prefix, local };
}

function resolvePrefix(scope: Scope, prefix: string, qname: string): string {
  const uri = scope.prefixes.get(prefix);
  if (uri === undefined) throw malformed(`prefix '${prefix}' of '${qname}' is not declared`);
  return uri;
}

/** The scope inside an element, given its attributes; the parent's when it declares nothing. */
function declareNamespaces(raw: Record<string, string>, parent: Scope): Scope {
  let defaultNs = parent.defaultNs;
  let prefixes: Map<string, string> | undefined;
  let declared = false;
  for (const name of Object.keys(raw)) {
    if (name === 'xmlns') {
      defaultNs = attributeValue(raw[name]!, name);
      if (defaultNs === XML_NS || defaultNs === XMLNS_NS) throw malformed(`the reserved namespace '${defaultNs}' cannot be the default`);
      declared = true;
    } else if (name.startsWith('xmlns:')) {
      const prefix = name.slice(6);
      const uri = attributeValue(raw[name]!, name);
      if (!NCNAME.test(prefix)) throw malformed(`'${name}' is not a valid namespace declaration`);
      // Namespaces in XML 1.0: prefixes cannot be undeclared, and xml/xmlns are reserved.
      if (uri === '') throw malformed(`prefix '${prefix}' is bound to an empty namespace`);
      if (prefix === 'xmlns' || (prefix === 'xml') !== (uri === XML_NS) || uri === XMLNS_NS) {
        throw malformed(`'${name}' misuses a reserved prefix or namespace`);
      }
      (prefixes ??= new Map(parent.prefixes)).set(prefix, uri);
      declared = true;
    }
  }
  return declared ? { defaultNs, prefixes: prefixes ?? parent.prefixes } : parent;
}

/** The namespace declarations among raw attributes, or undefined when there are none. */
function declarationsOf(raw: Record<string, string>): readonly XmlAttribute[] | undefined {
  let out: XmlAttribute[] | undefined;
  for (const qname of Object.keys(raw)) {
    if (qname === 'xmlns' || qname.startsWith('xmlns:')) (out ??= []).push({ ns: XMLNS_NS, name: qname, value: raw[qname]!, qname });
  }
  return out;
}

function convertAttributes(raw: Record<string, string>, scope: Scope, element: string): readonly XmlAttribute[] {
  const out: XmlAttribute[] = [];
  for (const qname of Object.keys(raw)) {
    if (qname === 'xmlns' || qname.startsWith('xmlns:')) continue; // declarations, not attributes
    const colon = qname.indexOf(':');
    let attr: XmlAttribute;
    if (colon < 0) {
      if (!NCNAME.test(qname)) throw malformed(`'${qname}' is not a valid attribute name`);
      attr = { ns: '', name: qname, value: attributeValue(raw[qname]!, qname), qname };
    } else {
      const { prefix, local } = splitName(qname);
      attr = { ns: resolvePrefix(scope, prefix, qname), name: local, value: attributeValue(raw[qname]!, qname), qname };
      // Two prefixes bound to one namespace can spell the same attribute twice.
      if (out.some((a) => a.ns === attr.ns && a.name === attr.name)) throw malformed(`attribute '${qname}' of '${element}' is repeated`);
    }
    out.push(attr);
  }
  return out.length === 0 ? EMPTY_ATTRIBUTES : out;
}

function attributeValue(raw: string, name: string): string {
  if (raw.includes('<')) throw malformed(`'<' in the value of attribute '${name}'`);
  // Attribute-value normalisation (XML 1.0 §3.3.3); CR was already turned into LF.
  return decodeReferences(raw.replace(ATTR_WHITESPACE, ' '));
}

const BUILT_IN_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'], ['gt', '>'], ['amp', '&'], ['apos', "'"], ['quot', '"'],
]);

/** Decodes the five built-in entities and character references; any other reference is an error. */
function decodeReferences(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0) throw malformed("'&' that does not start a reference");
    const ref = s.slice(amp + 1, semi);
    out += s.slice(from, amp) + referenceText(ref);
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  return out + s.slice(from);
}

function referenceText(ref: string): string {
  if (ref.charCodeAt(0) === 35 /* # */) {
    const hex = ref.charCodeAt(1) === 120 /* x */;
    const digits = ref.slice(hex ? 2 : 1);
    if (!(hex ? /^[0-9A-Fa-f]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) throw malformed(`bad character reference '&${ref};'`);
    const code = Number.parseInt(digits, hex ? 16 : 10);
    if (!isXmlChar(code)) throw malformed(`character reference '&${ref};' names a character XML does not allow`);
    return String.fromCodePoint(code);
  }
  const text = BUILT_IN_ENTITIES.get(ref);
  if (text === undefined) throw malformed(`undeclared entity '&${ref};'`);
  return text;
}

function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}
