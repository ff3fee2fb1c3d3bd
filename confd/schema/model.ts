/**
 * @module confd/schema/model
 * The compiled shape of a device schema: a tree of containers, lists, leaves and leaf-lists
 * derived once from the JSON Schema, with a validator per stored node kind (the root body and
 * each list's entries). Configuration is stored per node: the root body holds every leaf and
 * container outside lists; each list entry holds its own leaves and containers. Nested lists
 * are never inside a body.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonScalar } from '../core/tree.js';

export type LeafType = 'string' | 'integer' | 'number' | 'boolean';

interface SchemaNodeBase {
  readonly name: string;
  /** Path of the node in the schema, without keys: /interfaces/interface/mtu. */
  readonly schemaPath: string;
  /** The nearest enclosing list, or null for nodes stored in the root body. */
  readonly owner: ListSchema | null;
  /** Names from the owner's body down to this node (empty for a list itself). */
  readonly bodyPath: readonly string[];
  readonly parent: ContainerLike;
  readonly help: string;
  /** false for read-only state data. */
  readonly config: boolean;
  /** XML namespace, inherited from the top-level part. */
  readonly namespace: string;
}

export interface LeafSchema extends SchemaNodeBase {
  readonly kind: 'leaf';
  readonly type: LeafType;
  readonly enumValues: readonly string[] | undefined;
  readonly default: JsonScalar | undefined;
  /** Schema path of the list whose key this leaf must name. */
  readonly ref: string | undefined;
  readonly unique: boolean;
  readonly sensitive: boolean;
  readonly isKey: boolean;
  readonly minimum: number | undefined;
  readonly maximum: number | undefined;
  readonly patternHelp: string | undefined;
}

export interface LeafListSchema extends SchemaNodeBase {
  readonly kind: 'leaf-list';
  readonly type: LeafType;
  readonly enumValues: readonly string[] | undefined;
  readonly unique: boolean;
  readonly maxItems: number | undefined;
  readonly sensitive: boolean;
}

export interface ContainerSchema extends SchemaNodeBase {
  readonly kind: 'container';
  readonly children: ReadonlyMap<string, SchemaNode>;
}

export interface ListSchema extends SchemaNodeBase {
  readonly kind: 'list';
  /** Names from the owner's body down to and including this list: ['routing', 'static', 'route']. */
  readonly relPath: readonly string[];
  readonly keys: readonly string[];
  readonly keyLeaves: readonly LeafSchema[];
  readonly children: ReadonlyMap<string, SchemaNode>;
  readonly maxItems: number | undefined;
  /** Lists directly inside this list's entries (their entries are stored as child nodes). */
  readonly childLists: readonly ListSchema[];
  /** Validates one entry body (with defaults filled in, in place). */
  readonly validate: ValidateFunction;
}

export interface RootSchema {
  readonly kind: 'root';
  readonly name: '';
  readonly schemaPath: '/';
  readonly children: ReadonlyMap<string, SchemaNode>;
  /** Lists stored as children of the root (outside any other list). */
  readonly childLists: readonly ListSchema[];
  readonly validate: ValidateFunction;
}

export type ContainerLike = RootSchema | ContainerSchema | ListSchema;
export type SchemaNode = ContainerSchema | ListSchema | LeafSchema | LeafListSchema;
export type DataNodeSchema = SchemaNode | RootSchema;

export interface DeviceSchema {
  readonly version: number;
  readonly root: RootSchema;
  /** Every list by schema path. */
  readonly lists: ReadonlyMap<string, ListSchema>;
  /** Every node by schema path. */
  readonly nodes: ReadonlyMap<string, SchemaNode>;
  /** Top-level part name → XML namespace. */
  readonly namespaces: ReadonlyMap<string, string>;
  /** Leaves with x-ref, grouped by the list they point at. */
  readonly referrers: ReadonlyMap<string, readonly LeafSchema[]>;
  /** Leaves and leaf-lists with x-unique. */
  readonly uniques: readonly (LeafSchema | LeafListSchema)[];
}
