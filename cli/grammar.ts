/**
 * @module cli/grammar
 * The appliance's schema description (the `schema` socket method) compiled once into a frozen
 * tree of grammar nodes: the words that may follow at each level (keys left out: they are
 * written positionally after the list name), help text, key order, value types for turning
 * typed text into JSON scalars, and namespaces for XML. Also the data-path model of the CLI:
 * segments with typed key values, and their canonical text form for the socket protocol.
 * Pure. Imports only confd/api types.
 */
import { formatPath, type JsonScalar, type NodeDescription, type SchemaDescription } from '../confd/api/index.js';
import { WordTable } from './word-table.js';

export type NodeKind = NodeDescription['kind'];
export type ValueType = 'string' | 'integer' | 'number' | 'boolean';

/** A node description as the appliance may send it: `ref` names the list a leaf refers to, when given. */
type Described = NodeDescription & { readonly ref?: string };

export interface GNode {
  readonly name: string;
  readonly kind: NodeKind;
  /** The schema's help text (x-help), with the range of a numeric leaf: "… (68..65535)". */
  readonly help: string;
  /** List keys, in order (empty for other kinds). */
  readonly keys: readonly string[];
  readonly keyLeaves: readonly GNode[];
  readonly isKey: boolean;
  readonly type: ValueType;
  readonly enum: readonly string[] | undefined;
  readonly patternHelp: string | undefined;
  readonly sensitive: boolean;
  /** XML namespace of a top-level part. */
  readonly namespace: string | undefined;
  /** Schema path of the list whose keys a leaf names (completion offers them), when described. */
  readonly ref: string | undefined;
  /** Configuration children that may be named in a path (list keys excluded). */
  readonly children: WordTable<GNode>;
  /** All configuration children in schema order, keys included: the order of display. */
  readonly order: readonly GNode[];
  /** Schema path without keys: /interfaces/interface/mtu. */
  readonly schemaPath: string;
}

/** One step of a data path: a node name, with typed key values for a list entry. */
export interface DataSegment {
  readonly name: string;
  readonly keys?: ReadonlyArray<readonly [string, JsonScalar]>;
}

export interface Grammar {
  readonly root: GNode;
  /** Every node by schema path. */
  readonly nodes: ReadonlyMap<string, GNode>;
}

export function compileGrammar(description: SchemaDescription): Grammar {
  const nodes = new Map<string, GNode>();
  const root = compileNode(description.root as Described, null, '', nodes);
  return Object.freeze({ root, nodes });
}

/** Grammars by schema description, so that every session of a process shares one. */
export class GrammarCache {
  private readonly byDescription = new WeakMap<SchemaDescription, Grammar>();
  private readonly byVersion = new Map<number, { json: string; grammar: Grammar }>();

  get(description: SchemaDescription): Grammar {
    const known = this.byDescription.get(description);
    if (known) return known;
    // Descriptions that came over a socket are new objects each time: compare their content.
    const json = JSON.stringify(description);
    const same = this.byVersion.get(description.version);
    const grammar = same && same.json === json ? same.grammar : compileGrammar(description);
    this.byVersion.set(description.version, { json, grammar });
    this.byDescription.set(description, grammar);
    return grammar;
  }
}

function rangeText(d: Described): string {
  if (d.minimum !== undefined && d.maximum !== undefined) return ` (${d.minimum}..${d.maximum})`;
  if (d.minimum !== undefined) return ` (${d.minimum} or more)`;
  if (d.maximum !== undefined) return ` (at most ${d.maximum})`;
  return '';
}

function compileNode(d: Described, parent: GNode | null, parentPath: string, nodes: Map<string, GNode>): GNode {
  const schemaPath = d.kind === 'root' ? '/' : `${parentPath === '/' ? '' : parentPath}/${d.name}`;
  const node = {
    name: d.name,
    kind: d.kind,
    help: d.help + (d.kind === 'leaf' ? rangeText(d) : ''),
    keys: Object.freeze([...(d.keys ?? [])]),
    keyLeaves: [] as GNode[],
    isKey: false,
    type: d.type ?? 'string',
    enum: d.enum ? Object.freeze([...d.enum]) : undefined,
    patternHelp: d.patternHelp,
    sensitive: d.sensitive === true,
    namespace: d.namespace,
    ref: d.ref,
    children: new WordTable<GNode>([]),
    order: [] as GNode[],
    schemaPath,
  };
  const order: GNode[] = [];
  for (const c of d.children ?? []) {
    if (!c.config) continue;
    const child = compileNode(c as Described, node, schemaPath, nodes);
    order.push(child);
  }
  const keyLeaves = node.keys.map((k) => order.find((c) => c.name === k)).filter((c): c is GNode => c !== undefined);
  for (const k of keyLeaves) (k as { isKey: boolean }).isKey = true;
  node.keyLeaves = Object.freeze(keyLeaves) as GNode[];
  node.order = Object.freeze(order) as GNode[];
  node.children = new WordTable(order.filter((c) => !c.isKey).map((c) => [c.name, c] as const));
  for (const c of order) Object.freeze(c);
  nodes.set(schemaPath, node);
  if (parent === null) Object.freeze(node);
  return node;
}

const INTEGER = /^[+-]?[0-9]+$/;
const NUMBER = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/**
 * The JSON scalar for text typed as the value of `node`: a number or boolean where the text
 * reads as one of the node's type, else the text itself. This is conversion, not validation:
 * text that does not fit goes to the appliance as text, which then says what is wrong.
 */
export function typedValue(node: GNode, text: string): JsonScalar {
  switch (node.type) {
    case 'integer': {
      if (!INTEGER.test(text)) return text;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'number':
      return NUMBER.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'string':
      return text;
  }
}

/** The canonical data path text of `segments`, as the socket protocol takes it. */
export function dataPath(segments: readonly DataSegment[]): string {
  return formatPath(segments.map((s) => (s.keys ? { name: s.name, keys: s.keys.map(([k, v]) => [k, String(v)] as const) } : { name: s.name })));
}

/** The grammar node `segments` lead to from the root, or undefined. */
export function nodeAt(grammar: Grammar, names: readonly string[]): GNode | undefined {
  let node: GNode | undefined = grammar.root;
  for (const name of names) {
    node = node.order.find((c) => c.name === name);
    if (!node) return undefined;
  }
  return node;
}

/** Where a configuration-mode session stands (`edit`): a container, a list entry, or the top. */
export interface Location {
  readonly node: GNode;
  readonly segments: readonly DataSegment[];
}

export function topOf(grammar: Grammar): Location {
  return { node: grammar.root, segments: [] };
}

/** One level up: out of a container, or from a list entry to the list's parent. */
export function upFrom(grammar: Grammar, loc: Location, levels = 1): Location {
  let segments = loc.segments;
  for (let i = 0; i < levels && segments.length > 0; i++) segments = segments.slice(0, -1);
  const node = nodeAt(grammar, segments.map((s) => s.name)) ?? grammar.root;
  return { node, segments };
}
