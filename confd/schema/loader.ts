/**
 * @module confd/schema/loader
 * Loads schemas/vN/device.schema.json, registers the extension keywords, compiles every
 * validator once with ajv and derives the schema tree (model.ts). Knows nothing of storage.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ConfdError } from '../core/errors.js';
import type { JsonScalar } from '../core/tree.js';
import { registerExtensionKeywords } from './keywords.js';
import type {
  ContainerLike, ContainerSchema, DeviceSchema, LeafListSchema, LeafSchema, LeafType, ListSchema,
  RootSchema, SchemaNode,
} from './model.js';

type Json = Record<string, unknown>;

const SCHEMA_FILE = 'device.schema.json';

/** Versions present under `schemasDir` (folders v1, v2…), ascending. */
export function listSchemaVersions(schemasDir: string): number[] {
  return readdirSync(schemasDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^v[1-9][0-9]*$/.test(d.name))
    .map((d) => Number(d.name.slice(1)))
    .sort((a, b) => a - b);
}

export function newestSchemaVersion(schemasDir: string): number {
  const versions = listSchemaVersions(schemasDir);
  const newest = versions[versions.length - 1];
  if (newest === undefined) throw new ConfdError('SCHEMA_LOAD_FAILED', `no schema versions under ${schemasDir}`);
  return newest;
}

export function loadDeviceSchema(schemasDir: string, version = newestSchemaVersion(schemasDir)): DeviceSchema {
  const file = join(schemasDir, `v${version}`, SCHEMA_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfdError('SCHEMA_VERSION_UNKNOWN', `cannot read schema version ${version} (${file})`, { cause });
  }
  return compileDeviceSchema(json as Json, version);
}

export function compileDeviceSchema(json: Json, version: number): DeviceSchema {
  try {
    return new Compiler(json, version).compile();
  } catch (cause) {
    if (cause instanceof ConfdError) throw cause;
    throw new ConfdError('SCHEMA_LOAD_FAILED', `schema version ${version} does not compile: ${(cause as Error).message}`, { cause });
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class Compiler {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true, useDefaults: true });
  private readonly id: string;
  private readonly lists = new Map<string, ListSchema>();
  private readonly nodes = new Map<string, SchemaNode>();
  private readonly namespaces = new Map<string, string>();
  private readonly referrers = new Map<string, LeafSchema[]>();
  private readonly uniques: (LeafSchema | LeafListSchema)[] = [];
  private readonly rootChildLists: ListSchema[] = [];

  constructor(private readonly json: Json, private readonly version: number) {
    registerExtensionKeywords(this.ajv);
    if (typeof json.$id !== 'string') throw new Error('the schema has no $id');
    this.id = json.$id;
    this.ajv.addSchema(json);
  }

  compile(): DeviceSchema {
    const root: Mutable<RootSchema> = {
      kind: 'root', name: '', schemaPath: '/', children: new Map(), childLists: this.rootChildLists,
      validate: this.validator(''),
    };
    this.walkProperties(this.json, '', root, null, [], '', true);
    for (const [target, leaves] of this.referrers) {
      if (!this.lists.has(target)) throw new Error(`x-ref names ${target}, which is not a list`);
      const list = this.lists.get(target)!;
      if (list.keys.length !== 1) throw new Error(`x-ref target ${target} must have exactly one key`);
      for (const leaf of leaves) if (leaf.owner === null) throw new Error(`x-ref leaf ${leaf.schemaPath} must be inside a list`);
    }
    for (const u of this.uniques) if (u.owner === null) throw new Error(`x-unique on ${u.schemaPath} must be inside a list`);
    return {
      version: this.version, root, lists: this.lists, nodes: this.nodes, namespaces: this.namespaces,
      referrers: this.referrers, uniques: this.uniques,
    };
  }

  private validator(pointer: string) {
    const v = this.ajv.getSchema(`${this.id}#${pointer}`);
    if (!v) throw new Error(`no schema at ${pointer}`);
    return v;
  }

  /** The schema with a local $ref replaced by its target, sibling keywords winning. */
  private deref(s: Json): Json {
    const ref = s.$ref;
    if (typeof ref !== 'string') return s;
    if (!ref.startsWith('#/')) throw new Error(`only local $ref is supported: ${ref}`);
    let target: unknown = this.json;
    for (const part of ref.slice(2).split('/')) target = (target as Json)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (typeof target !== 'object' || target === null) throw new Error(`unresolved $ref ${ref}`);
    const { $ref: _drop, ...rest } = s;
    return { ...this.deref(target as Json), ...rest };
  }

  private walkProperties(
    obj: Json, pointer: string, parent: Mutable<ContainerLike>, owner: ListSchema | null,
    bodyPath: readonly string[], namespace: string, config: boolean,
  ): void {
    const props = (obj.properties ?? {}) as Record<string, Json>;
    const children = parent.children as Map<string, SchemaNode>;
    for (const [name, raw] of Object.entries(props)) {
      const s = this.deref(raw);
      const ptr = `${pointer}/properties/${name}`;
      const schemaPath = `${parent.schemaPath === '/' ? '' : parent.schemaPath}/${name}`;
      const ns = typeof s['x-namespace'] === 'string' ? s['x-namespace'] : namespace;
      if (parent.kind === 'root') {
        if (!ns) throw new Error(`top-level part ${name} has no x-namespace`);
        this.namespaces.set(name, ns);
      }
      const nodeConfig = config && s['x-config'] !== false;
      const base = {
        name, schemaPath, owner, parent: parent as ContainerLike, help: typeof s['x-help'] === 'string' ? s['x-help'] : '',
        config: nodeConfig, namespace: ns,
      };
      let node: SchemaNode;
      if (s.type === 'object') {
        const c: Mutable<ContainerSchema> = { ...base, kind: 'container', bodyPath: [...bodyPath, name], children: new Map() };
        node = c;
        this.walkProperties(s, ptr, c, owner, c.bodyPath, ns, nodeConfig);
      } else if (s.type === 'array' && Array.isArray(s['x-key'])) {
        node = this.list(s, ptr, { ...base, relPath: [...bodyPath, name] });
      } else if (s.type === 'array') {
        const items = this.deref((s.items ?? {}) as Json);
        const ll: LeafListSchema = {
          ...base, kind: 'leaf-list', bodyPath: [...bodyPath, name], type: leafType(items, schemaPath),
          enumValues: enumOf(items), unique: s['x-unique'] === true,
          maxItems: typeof s.maxItems === 'number' ? s.maxItems : undefined, sensitive: items['x-sensitive'] === true,
        };
        if (ll.unique) this.uniques.push(ll);
        node = ll;
      } else {
        const keys = parent.kind === 'list' ? parent.keys : [];
        const leaf: LeafSchema = {
          ...base, kind: 'leaf', bodyPath: [...bodyPath, name], type: leafType(s, schemaPath), enumValues: enumOf(s),
          default: s.default as JsonScalar | undefined, ref: typeof s['x-ref'] === 'string' ? s['x-ref'] : undefined,
          unique: s['x-unique'] === true, sensitive: s['x-sensitive'] === true,
          isKey: keys.includes(name), minimum: numberOr(s.minimum), maximum: numberOr(s.maximum),
          patternHelp: typeof s['x-pattern-help'] === 'string' ? s['x-pattern-help'] : undefined,
        };
        if (leaf.ref) {
          const arr = this.referrers.get(leaf.ref) ?? [];
          arr.push(leaf);
          this.referrers.set(leaf.ref, arr);
        }
        if (leaf.unique) this.uniques.push(leaf);
        node = leaf;
      }
      children.set(name, node);
      this.nodes.set(schemaPath, node);
    }
  }

  private list(s: Json, pointer: string, base: Omit<Mutable<ListSchema>, 'kind' | 'bodyPath' | 'keys' | 'keyLeaves' | 'children' | 'maxItems' | 'childLists' | 'validate'>): ListSchema {
    const items = this.deref((s.items ?? {}) as Json);
    if (items.type !== 'object') throw new Error(`list ${base.schemaPath} must hold objects`);
    const keys = s['x-key'] as string[];
    const required = Array.isArray(items.required) ? (items.required as string[]) : [];
    for (const k of keys) if (!required.includes(k)) throw new Error(`key ${k} of ${base.schemaPath} must be required`);
    const list: Mutable<ListSchema> = {
      ...base, kind: 'list', bodyPath: [], keys, keyLeaves: [], children: new Map(),
      maxItems: typeof s.maxItems === 'number' ? s.maxItems : undefined, childLists: [],
      validate: this.validator(`${pointer}/items`),
    };
    // Register before walking: child leaves read `parent.keys` and `owner`.
    this.lists.set(base.schemaPath, list);
    this.walkProperties(items, `${pointer}/items`, list, list, [], base.namespace, base.config);
    list.keyLeaves = keys.map((k) => {
      const leaf = list.children.get(k);
      if (!leaf || leaf.kind !== 'leaf') throw new Error(`key ${k} of ${base.schemaPath} is not a leaf`);
      return leaf;
    });
    const ownerChildLists = (base.owner ? base.owner.childLists : null) as ListSchema[] | null;
    (ownerChildLists ?? this.rootChildLists).push(list);
    return list;
  }
}

function leafType(s: Json, where: string): LeafType {
  const t = s.type;
  if (t === 'string' || t === 'integer' || t === 'number' || t === 'boolean') return t;
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string')) return 'string';
  throw new Error(`leaf ${where} has no scalar type`);
}

function enumOf(s: Json): readonly string[] | undefined {
  return Array.isArray(s.enum) ? s.enum.map(String) : undefined;
}

function numberOr(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
