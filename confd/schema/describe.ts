/**
 * @module confd/schema/describe
 * A plain description of the schema tree for programs outside confd (the CLI builds its
 * grammar, help and completion from it): names, kinds, keys, types, enumerations, defaults,
 * help text. Computed once per schema.
 */
import type { JsonScalar } from '../core/tree.js';
import type { ContainerLike, DeviceSchema, SchemaNode } from './model.js';

export interface NodeDescription {
  readonly name: string;
  readonly kind: 'root' | 'container' | 'list' | 'leaf' | 'leaf-list';
  readonly help: string;
  readonly config: boolean;
  readonly keys?: readonly string[];
  readonly type?: 'string' | 'integer' | 'number' | 'boolean';
  readonly enum?: readonly string[];
  readonly default?: JsonScalar;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly patternHelp?: string;
  readonly sensitive?: boolean;
  /** XML namespace, on the top-level parts. */
  readonly namespace?: string;
  readonly children?: readonly NodeDescription[];
}

export interface SchemaDescription {
  readonly version: number;
  readonly root: NodeDescription;
}

const cache = new WeakMap<DeviceSchema, SchemaDescription>();

export function describeSchema(schema: DeviceSchema): SchemaDescription {
  let d = cache.get(schema);
  if (!d) {
    d = { version: schema.version, root: describeNode(schema.root) };
    cache.set(schema, d);
  }
  return d;
}

function describeNode(node: ContainerLike | SchemaNode): NodeDescription {
  const base = { name: node.name, help: 'help' in node ? node.help : '', config: 'config' in node ? node.config : true };
  switch (node.kind) {
    case 'root':
      return { ...base, kind: 'root', children: [...node.children.values()].map(describeNode) };
    case 'container':
      return {
        ...base, kind: 'container', ...(node.parent.kind === 'root' ? { namespace: node.namespace } : {}),
        children: [...node.children.values()].map(describeNode),
      };
    case 'list':
      return { ...base, kind: 'list', keys: node.keys, children: [...node.children.values()].map(describeNode) };
    case 'leaf':
      return {
        ...base, kind: 'leaf', type: node.type,
        ...(node.enumValues ? { enum: node.enumValues } : {}),
        ...(node.default !== undefined ? { default: node.default } : {}),
        ...(node.minimum !== undefined ? { minimum: node.minimum } : {}),
        ...(node.maximum !== undefined ? { maximum: node.maximum } : {}),
        ...(node.patternHelp ? { patternHelp: node.patternHelp } : {}),
        ...(node.sensitive ? { sensitive: true } : {}),
      };
    case 'leaf-list':
      return { ...base, kind: 'leaf-list', type: node.type, ...(node.enumValues ? { enum: node.enumValues } : {}) };
  }
}
