/**
 * @module confd/northbound/restconf/resource
 * A data resource within configuration trees: the value at a path (reads), and the edit
 * (core/edit form, from the root) that applies an operation to the members of a resource's
 * parent (writes). Pure: no I/O.
 */
import { OP_KEY, VALUE_KEY, type EditOperation } from '../../core/edit.js';
import type { PathSegment } from '../../core/path.js';
import { isObject, type JsonObject, type JsonValue } from '../../core/tree.js';
import type { ContainerLike, DeviceSchema, SchemaNode } from '../../schema/model.js';
import { formatLeafValue, parseLeafText } from '../../schema/values.js';

/** The value at `segments` in `tree` (a tree from the root); undefined when absent. */
export function valueAt(tree: JsonObject, segments: readonly PathSegment[]): JsonValue | undefined {
  let cur: JsonValue | undefined = tree;
  for (const seg of segments) {
    if (!isObject(cur)) return undefined;
    const v: JsonValue | undefined = cur[seg.name];
    if (seg.keys) {
      if (!Array.isArray(v)) return undefined;
      cur = v.find((e) => isObject(e) && seg.keys!.every(([k, kv]) => e[k] !== undefined && formatLeafValue(e[k] as never) === kv));
    } else {
      cur = v;
    }
  }
  return cur;
}

/** The schema nodes along `segments`, from the first segment's to the last one's. */
export function nodesAlong(schema: DeviceSchema, segments: readonly PathSegment[]): SchemaNode[] {
  const out: SchemaNode[] = [];
  let parent: ContainerLike = schema.root;
  for (const seg of segments) {
    const node: SchemaNode | undefined = parent.children.get(seg.name);
    if (!node) throw new Error(`no schema node '${seg.name}'`);
    out.push(node);
    if (node.kind === 'container' || node.kind === 'list') parent = node;
  }
  return out;
}

/**
 * `members` (internal members of the node at `parentSegments`) with `op` on each, wrapped in
 * their ancestors up to the root: an edit for ConfigEngine.editConfig.
 */
export function editAt(schema: DeviceSchema, parentSegments: readonly PathSegment[], members: JsonObject, op: EditOperation): JsonObject {
  const parent = parentSegments.length === 0 ? schema.root : nodesAlong(schema, parentSegments).at(-1)!;
  const content: JsonObject = {};
  for (const [name, v] of Object.entries(members)) {
    const node = (parent as ContainerLike).children.get(name);
    if (!node) continue;
    content[name] = withOp(node, v, op);
  }
  return wrap(schema, parentSegments, content);
}

/** The edit that removes the resource at `segments` (a leaf, container or list entry); `remove` does not insist that it exists. */
export function deleteAt(schema: DeviceSchema, segments: readonly PathSegment[], op: 'delete' | 'remove' = 'delete'): JsonObject {
  const nodes = nodesAlong(schema, segments);
  const node = nodes.at(-1)!;
  const last = segments.at(-1)!;
  const member: JsonValue = node.kind === 'list' && last.keys ? [{ ...keyObject(node, last), [OP_KEY]: op }] : { [OP_KEY]: op };
  return wrap(schema, segments.slice(0, -1), { [last.name]: member });
}

function withOp(node: SchemaNode, v: JsonValue, op: EditOperation): JsonValue {
  switch (node.kind) {
    case 'leaf':
    case 'leaf-list':
      return { [OP_KEY]: op, [VALUE_KEY]: v };
    case 'container':
      return { ...(isObject(v) ? v : {}), [OP_KEY]: op };
    case 'list':
      return Array.isArray(v) ? v.map((e) => (isObject(e) ? { ...e, [OP_KEY]: op } : e)) : v;
  }
}

function keyObject(node: SchemaNode, seg: PathSegment): JsonObject {
  const out: JsonObject = {};
  if (node.kind !== 'list' || !seg.keys) return out;
  for (const leaf of node.keyLeaves) {
    const text = seg.keys.find(([k]) => k === leaf.name)?.[1] ?? '';
    out[leaf.name] = parseLeafText(leaf.type, text, leaf.schemaPath);
  }
  return out;
}

/** `content` (members of the node at `segments`) inside its ancestors, from the root. */
function wrap(schema: DeviceSchema, segments: readonly PathSegment[], content: JsonObject): JsonObject {
  const nodes = nodesAlong(schema, segments);
  let inner: JsonObject = content;
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!, node = nodes[i]!;
    inner = { [seg.name]: node.kind === 'list' ? [{ ...keyObject(node, seg), ...inner }] : inner };
  }
  return inner;
}

/** The key values of a list entry resource (typed), in key order, for comparing with a body. */
export function keysOf(schema: DeviceSchema, segments: readonly PathSegment[]): JsonObject {
  const nodes = nodesAlong(schema, segments);
  return keyObject(nodes.at(-1)!, segments.at(-1)!);
}
