/**
 * @module confd/northbound/netconf/config-codec
 * NETCONF configuration XML ⇄ JSON configuration trees, driven by the device schema.
 * Decoding turns the children of <config> into the protocol-neutral edit (core/edit), with
 * nc:operation attributes as "@op"; encoding writes a materialized tree (configuration and
 * read-only state alike) as XML, keys first in every list entry (RFC 7950 §7.8.5). Knows
 * XmlElement and the schema model only: must not import the store, txn or the XML parser.
 */
import { OP_KEY, VALUE_KEY, isEditOperation, type EditOperation } from '../../core/edit.js';
import { ConfdError, validationFailed, type ErrorCode } from '../../core/errors.js';
import { childPath } from '../../core/path.js';
import { isObject, type JsonObject, type JsonScalar, type JsonValue } from '../../core/tree.js';
import type {
  ContainerLike, ContainerSchema, DeviceSchema, LeafListSchema, LeafSchema, ListSchema, SchemaNode,
} from '../../schema/model.js';
import { formatLeafValue, parseLeafText } from '../../schema/values.js';
import { NETCONF_BASE_NS, type XmlElement } from './xml-element.js';
import { escapeAttr, escapeText } from './xml-writer.js';

/** RFC 7950 attributes for ordered-by-user lists (insert, key, value); not supported here. */
const YANG_NS = 'urn:ietf:params:xml:ns:yang:1';

export interface ConfigFromXmlOptions {
  /** false where a plain configuration is expected (copy-config, validate): nc:operation is refused. */
  readonly allowOperations: boolean;
}

/**
 * Converts the children of a <config> element into an edit tree (core/edit format): containers
 * → objects, lists → arrays of entry objects in document order, leaves → typed scalars,
 * leaf-lists → arrays; nc:operation → "@op" on objects, {"@op", "@value"} on leaves and
 * leaf-list items ("@value" absent for delete/remove of an empty element).
 *
 * Every problem in the document is collected; if there is any, throws validationFailed(errors):
 * the one ConfdError itself, or TXN_VALIDATION_FAILED with each problem in `issues`. Each
 * carries the data path where it was found (list entries with their keys once those parsed).
 */
export function configFromXml(schema: DeviceSchema, elements: readonly XmlElement[], options: ConfigFromXmlOptions): JsonObject {
  const decoder = new ConfigDecoder(options.allowOperations);
  const edit: JsonObject = {};
  for (const el of elements) decoder.member(edit, schema.root, el, '/');
  if (decoder.errors.length > 0) throw validationFailed(decoder.errors);
  return edit;
}

class ConfigDecoder {
  readonly errors: ConfdError[] = [];

  constructor(private readonly allowOperations: boolean) {}

  /** `element`/`attribute` become the rpc-error's error-info (RFC 6241 Appendix A). */
  private fail(code: ErrorCode, message: string, path: string, info: { element?: string; attribute?: string } = {}): void {
    this.errors.push(new ConfdError(code, message, { path, ...(info.element || info.attribute ? { details: info } : {}) }));
  }

  /** Adds the element `el`, found inside `parent` at `parentPath`, to the edit object `out`. */
  member(out: JsonObject, parent: ContainerLike, el: XmlElement, parentPath: string): void {
    const path = childPath(parentPath, { name: el.name });
    const node = parent.children.get(el.name);
    // Matched by namespace too: top-level parts by their own, children by the part's.
    if (node === undefined || node.namespace !== el.ns) {
      this.fail('SCHEMA_UNKNOWN_ELEMENT', `unknown element '${el.name}'${el.ns === '' ? ' (no namespace)' : ` in namespace '${el.ns}'`}`, path,
        { element: el.name });
      return;
    }
    if (!node.config) { this.fail('SCHEMA_NOT_CONFIG', `'${el.name}' is read-only state`, path); return; }
    if (node.kind === 'list') {
      // An entry's operation is read once its keys are known, so errors name the entry.
      this.listEntry(out, node, el, parentPath, path);
      return;
    }
    const op = this.operation(el, path);
    if (op === null) return;
    switch (node.kind) {
      case 'container': this.container(out, node, el, path, op); break;
      case 'leaf': this.leaf(out, node, el, path, op); break;
      case 'leaf-list': this.leafListItem(out, node, el, path, op); break;
    }
  }

  /** The element's edit operation: undefined when it names none, null when it is refused. */
  private operation(el: XmlElement, path: string): EditOperation | undefined | null {
    let op: EditOperation | undefined;
    for (const a of el.attributes) {
      if (a.ns === YANG_NS && (a.name === 'insert' || a.name === 'key' || a.name === 'value')) {
        this.fail('TXN_NOT_SUPPORTED', `the YANG '${a.name}' attribute is not supported`, path);
        return null;
      }
      if (a.name !== 'operation') continue;
      if (a.ns === '') {
        // Without a prefix the attribute is in no namespace; ignoring it would turn a delete into a merge.
        this.fail('TXN_BAD_OPERATION', "the 'operation' attribute must be in the NETCONF base namespace", path,
          { element: el.name, attribute: 'operation' });
        return null;
      }
      if (a.ns !== NETCONF_BASE_NS) continue;
      if (!this.allowOperations) {
        this.fail('TXN_BAD_OPERATION', 'edit operations are not allowed here', path, { element: el.name, attribute: 'operation' });
        return null;
      }
      if (!isEditOperation(a.value)) {
        this.fail('TXN_BAD_OPERATION', `unknown operation '${a.value}'`, path, { element: el.name, attribute: 'operation' });
        return null;
      }
      op = a.value;
    }
    return op;
  }

  private container(out: JsonObject, node: ContainerSchema, el: XmlElement, path: string, op: EditOperation | undefined): void {
    if (el.text !== '') { this.fail('SCHEMA_INVALID_VALUE', `'${node.name}' is a container, not a value`, path); return; }
    if (out[node.name] !== undefined) { this.fail('SCHEMA_INVALID_VALUE', `'${node.name}' is given more than once`, path); return; }
    const obj: JsonObject = op === undefined ? {} : { [OP_KEY]: op };
    for (const c of el.children) this.member(obj, node, c, path);
    out[node.name] = obj;
  }

  private listEntry(out: JsonObject, list: ListSchema, el: XmlElement, parentPath: string, listPath: string): void {
    if (el.text !== '') { this.fail('SCHEMA_INVALID_VALUE', `'${list.name}' takes entries, not a value`, listPath); return; }
    const entry: JsonObject = {};
    const keyElements: XmlElement[] = [];
    const keyTexts: Array<[string, string]> = [];
    for (const key of list.keyLeaves) {
      const kel = el.children.find((c) => c.name === key.name && c.ns === key.namespace);
      const keyPath = childPath(listPath, { name: key.name });
      if (kel === undefined) {
        this.fail('SCHEMA_MISSING_KEY', `an entry of '${list.name}' needs its key '${key.name}'`, listPath, { element: key.name });
        return;
      }
      const keyOp = this.operation(kel, keyPath);
      if (keyOp === null) return;
      if (keyOp !== undefined) { this.fail('TXN_BAD_OPERATION', `key '${key.name}' cannot carry an operation`, keyPath); return; }
      const value = this.value(key, kel, keyPath);
      if (value === undefined) return;
      entry[key.name] = value;
      keyElements.push(kel);
      keyTexts.push([key.name, formatLeafValue(value)]);
    }
    const entryPath = childPath(parentPath, { name: list.name, keys: keyTexts });
    const op = this.operation(el, entryPath);
    if (op === null) return;
    if (op !== undefined) entry[OP_KEY] = op;
    for (const c of el.children) {
      if (keyElements.includes(c)) continue;
      const child = list.children.get(c.name);
      if (child?.kind === 'leaf' && child.isKey && c.ns === child.namespace) {
        this.fail('SCHEMA_INVALID_VALUE', `key '${c.name}' is given more than once`, childPath(entryPath, { name: c.name }));
        continue;
      }
      this.member(entry, list, c, entryPath);
    }
    const entries = out[list.name];
    if (Array.isArray(entries)) entries.push(entry);
    else out[list.name] = [entry];
  }

  private leaf(out: JsonObject, leaf: LeafSchema, el: XmlElement, path: string, op: EditOperation | undefined): void {
    if (out[leaf.name] !== undefined) { this.fail('SCHEMA_INVALID_VALUE', `'${leaf.name}' is given more than once`, path); return; }
    const item = this.leafEdit(leaf, el, path, op);
    if (item !== undefined) out[leaf.name] = item;
  }

  private leafListItem(out: JsonObject, node: LeafListSchema, el: XmlElement, path: string, op: EditOperation | undefined): void {
    const item = this.leafEdit(node, el, path, op);
    if (item === undefined) return;
    const items = out[node.name];
    if (Array.isArray(items)) items.push(item);
    else out[node.name] = [item];
  }

  /** A leaf or leaf-list item as its edit: the value, or {"@op", "@value"} with an operation. */
  private leafEdit(node: LeafSchema | LeafListSchema, el: XmlElement, path: string, op: EditOperation | undefined): JsonValue | undefined {
    if ((op === 'delete' || op === 'remove') && el.text === '' && el.children.length === 0) return { [OP_KEY]: op };
    const value = this.value(node, el, path);
    if (value === undefined) return undefined;
    return op === undefined ? value : { [OP_KEY]: op, [VALUE_KEY]: value };
  }

  /** The typed value of a leaf element, or undefined after recording why it has none. */
  private value(node: LeafSchema | LeafListSchema, el: XmlElement, path: string): JsonScalar | undefined {
    if (el.children.length > 0) { this.fail('SCHEMA_INVALID_VALUE', `'${node.name}' is a value, not a container`, path); return undefined; }
    try {
      return parseLeafText(node.type, el.text, path);
    } catch (e) {
      if (!(e instanceof ConfdError)) throw e;
      this.errors.push(e);
      return undefined;
    }
  }
}

/**
 * A configuration tree (or state tree) as XML elements without a wrapper, each top-level part
 * declaring its namespace. Members are written in schema order, list keys first in key order;
 * members the schema does not define are not written. Throws INTERNAL when the tree does not
 * have the schema's shape (it comes from the datastore, which validated it).
 */
export function configToXml(schema: DeviceSchema, tree: JsonObject, mode: DefaultsMode = 'report-all'): string {
  const encoder = new ConfigEncoder(mode);
  encoder.members(schema.root, tree, '');
  return encoder.out;
}

/** One node (a leaf, leaf-list, container or list with its value) as XML declaring its namespace (RESTCONF resources). */
export function nodeToXml(node: SchemaNode, value: JsonValue, mode: DefaultsMode = 'report-all'): string {
  const encoder = new ConfigEncoder(mode);
  encoder.node(node, value, '');
  return encoder.out;
}

/**
 * RFC 6243 retrieval modes. The encoder applies trim and report-all-tagged to a tree with its
 * defaults; explicit is a tree already without the defaults no client set (txn/defaults-view),
 * which the encoder writes as it is.
 */
export type DefaultsMode = 'explicit' | 'report-all' | 'trim' | 'report-all-tagged';

export const WITH_DEFAULTS_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults';
const DEFAULT_ATTR_NS = 'urn:ietf:params:xml:ns:netconf:default:1.0';

class ConfigEncoder {
  out = '';

  constructor(private readonly mode: DefaultsMode) {}

  members(parent: ContainerLike, obj: JsonObject, parentNs: string): void {
    for (const [name, node] of parent.children) {
      const v = obj[name];
      if (v === undefined || v === null) continue;
      if (parent.kind === 'list' && node.kind === 'leaf' && node.isKey) continue; // written first by entry()
      this.node(node, v, parentNs);
    }
  }

  node(node: SchemaNode, v: JsonValue, parentNs: string): void {
    // Only where the namespace changes: the top-level parts, in this schema.
    const open = node.namespace === parentNs ? '<' + node.name + '>' : '<' + node.name + ' xmlns="' + escapeAttr(node.namespace) + '">';
    const close = '</' + node.name + '>';
    switch (node.kind) {
      case 'leaf': {
        const isDefault = node.default !== undefined && v === node.default;
        if (isDefault && this.mode === 'trim') return;
        const tagged = isDefault && this.mode === 'report-all-tagged'
          ? `${open.slice(0, -1)} xmlns:wd="${DEFAULT_ATTR_NS}" wd:default="true">` : open;
        this.out += tagged + escapeText(scalarText(node, v)) + close;
        return;
      }
      case 'leaf-list':
        if (!Array.isArray(v)) throw mismatch(node, 'an array');
        for (const item of v) this.out += open + escapeText(scalarText(node, item)) + close;
        return;
      case 'container': {
        if (!isObject(v)) throw mismatch(node, 'an object');
        const before = this.out.length;
        this.out += open;
        const inside = this.out.length;
        this.members(node, v, node.namespace);
        // Trimmed of its defaults, a container with nothing left is not reported.
        if (this.mode === 'trim' && this.out.length === inside) { this.out = this.out.slice(0, before); return; }
        this.out += close;
        return;
      }
      case 'list':
        if (!Array.isArray(v)) throw mismatch(node, 'an array of entries');
        for (const entry of v) {
          if (!isObject(entry)) throw mismatch(node, 'an array of entries');
          this.out += open;
          this.entryKeys(node, entry);
          this.members(node, entry, node.namespace);
          this.out += close;
        }
        return;
    }
  }

  private entryKeys(list: ListSchema, entry: JsonObject): void {
    for (const key of list.keyLeaves) {
      const v = entry[key.name];
      if (v === undefined || v === null) throw mismatch(list, `entries with the key '${key.name}'`);
      this.out += '<' + key.name + '>' + escapeText(scalarText(key, v)) + '</' + key.name + '>';
    }
  }
}

function scalarText(node: LeafSchema | LeafListSchema, v: JsonValue): string {
  if (typeof v === 'object') throw mismatch(node, 'a single value');
  return formatLeafValue(v);
}

function mismatch(node: SchemaNode, expected: string): ConfdError {
  return new ConfdError('INTERNAL', `the tree does not match the schema: '${node.name}' must be ${expected}`, { path: node.schemaPath });
}
