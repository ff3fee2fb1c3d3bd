/**
 * @module confd/northbound/restconf/json-codec
 * RFC 7951 JSON ⇄ the configuration trees of confd (core/tree), driven by the device schema.
 * Member names are module-qualified where the module changes (the top of a document and the
 * top-level parts); 64-bit integers and decimal64 numbers are strings, other numbers and
 * booleans are JSON numbers and booleans. Encoding applies the with-defaults mode (trim
 * leaves at their default, or tag them); decoding checks names, shapes and types, collects
 * every problem with its data path, and refuses read-only state. Pure: no I/O.
 */
import { ConfdError, validationFailed } from '../../core/errors.js';
import { childPath } from '../../core/path.js';
import { isObject, type JsonObject, type JsonScalar, type JsonValue } from '../../core/tree.js';
import type { ContainerLike, DataNodeSchema, LeafListSchema, LeafSchema, SchemaNode } from '../../schema/model.js';
import { formatLeafValue } from '../../schema/values.js';
import { integerTypeOf } from '../../schema/yang-types.js';
import { moduleOf } from './paths.js';

import type { DefaultsMode } from '../netconf/config-codec.js';

/** RFC 6243 modes, as NETCONF has them: explicit is a tree already without the defaults no client set. */
export type { DefaultsMode };

const DEFAULT_TAG = 'ietf-netconf-with-defaults:default';

/** Whether RFC 7951 §6.1 writes this leaf's values as strings (int64, uint64, decimal64). */
export function isStringNumber(node: LeafSchema | LeafListSchema): boolean {
  if (node.type === 'number') return true;
  if (node.type !== 'integer') return false;
  const min = node.kind === 'leaf' ? node.minimum : undefined;
  const max = node.kind === 'leaf' ? node.maximum : undefined;
  return integerTypeOf(min, max)[0].endsWith('64');
}

/** The member name of `node` inside a parent of module `parentModule` ('' at the top of a document). */
export function memberName(node: SchemaNode, parentModule: string): string {
  const m = moduleOf(node);
  return m === parentModule ? node.name : `${m}:${node.name}`;
}

/** The RFC 7951 value of `node` holding the internal value `v`; undefined when trimmed away. */
export function encodeValue(node: SchemaNode, v: JsonValue, mode: DefaultsMode): JsonValue | undefined {
  switch (node.kind) {
    case 'leaf':
      if (mode === 'trim' && node.default !== undefined && v === node.default) return undefined;
      return scalar(node, v);
    case 'leaf-list':
      return Array.isArray(v) ? v.map((x) => scalar(node, x)) : [];
    case 'container':
      return isObject(v) ? encodeMembers(node, v, mode) : {};
    case 'list':
      return Array.isArray(v) ? v.filter(isObject).map((e) => encodeMembers(node, e, mode)) : [];
  }
}

/** The children of a container, list entry or the root, in schema order, keys first. */
export function encodeMembers(parent: ContainerLike, obj: JsonObject, mode: DefaultsMode): JsonObject {
  const out: JsonObject = {};
  const module = parent.kind === 'root' ? '' : moduleOf(parent);
  const write = (node: SchemaNode) => {
    const v = obj[node.name];
    if (v === undefined || v === null) return;
    const encoded = encodeValue(node, v, mode);
    if (encoded === undefined) return;
    if (mode === 'trim' && node.kind === 'container' && isObject(encoded) && Object.keys(encoded).length === 0) return;
    const name = memberName(node, module);
    out[name] = encoded;
    if (mode === 'report-all-tagged' && node.kind === 'leaf' && node.default !== undefined && v === node.default) {
      out[`@${name}`] = { [DEFAULT_TAG]: true };
    }
  };
  if (parent.kind === 'list') for (const k of parent.keyLeaves) write(k);
  for (const node of parent.children.values()) if (!(node.kind === 'leaf' && node.isKey && parent.kind === 'list')) write(node);
  return out;
}

function scalar(node: LeafSchema | LeafListSchema, v: JsonValue): JsonValue {
  if (typeof v === 'number' && isStringNumber(node)) return formatLeafValue(v);
  return v;
}

/** The document of one resource: `{ "module:name": value }`. */
export function encodeResource(node: DataNodeSchema, v: JsonValue, mode: DefaultsMode): JsonObject {
  if (node.kind === 'root') return { 'ietf-restconf:data': isObject(v) ? encodeMembers(node, v, mode) : {} };
  const encoded = encodeValue(node, v, mode);
  const name = memberName(node, '');
  return encoded === undefined ? {} : { [name]: encoded };
}

/**
 * The members of an RFC 7951 object as internal members of `parent` (found at the data path
 * `parentPath`). Throws every problem at once (validationFailed).
 */
export function decodeMembers(parent: ContainerLike, body: JsonValue, parentPath: string): JsonObject {
  const d = new Decoder();
  const out = d.members(parent, body, parentPath, parent.kind === 'root' ? '' : moduleOf(parent));
  if (d.errors.length > 0) throw validationFailed(d.errors);
  return out;
}

class Decoder {
  readonly errors: ConfdError[] = [];

  private fail(code: 'SCHEMA_UNKNOWN_ELEMENT' | 'SCHEMA_INVALID_VALUE' | 'SCHEMA_NOT_CONFIG' | 'SCHEMA_MISSING_KEY', message: string, path: string): undefined {
    this.errors.push(new ConfdError(code, message, { path }));
    return undefined;
  }

  members(parent: ContainerLike, body: JsonValue, path: string, module: string): JsonObject {
    const out: JsonObject = {};
    if (!isObject(body)) { this.fail('SCHEMA_INVALID_VALUE', 'expected a JSON object', path); return out; }
    for (const [member, value] of Object.entries(body)) {
      if (member.startsWith('@')) continue; // RFC 7952 metadata: none is read
      const colon = member.indexOf(':');
      const prefix = colon < 0 ? undefined : member.slice(0, colon);
      const name = colon < 0 ? member : member.slice(colon + 1);
      const node = parent.children.get(name);
      const at = childPath(path, { name });
      if (node === undefined || (prefix !== undefined && prefix !== moduleOf(node)) || (prefix === undefined && module !== moduleOf(node))) {
        this.fail('SCHEMA_UNKNOWN_ELEMENT', `unknown member '${member}'${prefix === undefined && node ? ` (write '${moduleOf(node)}:${name}')` : ''}`, at);
        continue;
      }
      if (!node.config) { this.fail('SCHEMA_NOT_CONFIG', `'${name}' is read-only state`, at); continue; }
      const v = this.value(node, value, at, path);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  private value(node: SchemaNode, v: JsonValue, at: string, parentPath: string): JsonValue | undefined {
    switch (node.kind) {
      case 'leaf': return this.scalar(node, v, at);
      case 'leaf-list': {
        if (!Array.isArray(v)) return this.fail('SCHEMA_INVALID_VALUE', `'${node.name}' is a leaf-list: give an array`, at);
        const items = v.map((x) => this.scalar(node, x, at));
        return items.every((x) => x !== undefined) ? items as JsonScalar[] : undefined;
      }
      case 'container': return this.members(node, v, at, moduleOf(node));
      case 'list': {
        if (!Array.isArray(v)) return this.fail('SCHEMA_INVALID_VALUE', `'${node.name}' is a list: give an array of entries`, at);
        const entries: JsonObject[] = [];
        for (const e of v) {
          if (!isObject(e)) { this.fail('SCHEMA_INVALID_VALUE', `an entry of '${node.name}' must be an object`, at); continue; }
          const keys: Array<[string, string]> = [];
          let complete = true;
          for (const k of node.keyLeaves) {
            const kv = e[k.name];
            const typed = kv === undefined || kv === null ? undefined : this.scalar(k, kv, childPath(at, { name: k.name }));
            if (typed === undefined) {
              if (kv === undefined || kv === null) this.fail('SCHEMA_MISSING_KEY', `an entry of '${node.name}' needs its key '${k.name}'`, at);
              complete = false;
            } else keys.push([k.name, formatLeafValue(typed)]);
          }
          if (!complete) continue;
          entries.push(this.members(node, e, childPath(parentPath, { name: node.name, keys }), moduleOf(node)));
        }
        return entries;
      }
    }
  }

  private scalar(node: LeafSchema | LeafListSchema, v: JsonValue, at: string): JsonScalar | undefined {
    switch (node.type) {
      case 'string':
        if (typeof v === 'string') return v;
        break;
      case 'boolean':
        if (typeof v === 'boolean') return v;
        break;
      case 'integer':
        if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
        // 64-bit values are strings in RFC 7951; tools send small ones as numbers too.
        if (typeof v === 'string' && /^[+-]?[0-9]+$/.test(v.trim()) && Number.isSafeInteger(Number(v))) return Number(v);
        break;
      case 'number':
        if (typeof v === 'number' && Number.isFinite(v)) return v;
        if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
        break;
    }
    return this.fail('SCHEMA_INVALID_VALUE', `'${node.name}' takes a ${node.type}, not ${JSON.stringify(v)}`, at);
  }
}
