/**
 * @module cli/edit-tree
 * Turns parsed `set` and `delete` paths into the appliance's edit tree (the protocol-neutral
 * format of confd/core/edit: plain JSON merges, `{"@op": "delete"}` removes, list entries are
 * objects holding their keys), and merges several `set`s into one tree so that a file loads
 * as a single, all-or-nothing edit. Also reads a subtree out of a configuration tree. Pure.
 */
import { isObject, type JsonObject, type JsonScalar, type JsonValue } from '../confd/api/index.js';
import type { DataSegment, GNode } from './grammar.js';
import type { PathTarget } from './path-parser.js';

const OP = '@op';
const VALUE = '@value';

/** The tree that applies `last` at the end of `segments` (keys of entries filled in on the way). */
function wrap(segments: readonly DataSegment[], last: JsonValue): JsonObject {
  let node: JsonValue = last;
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!;
    if (seg.keys) {
      const entry: JsonObject = isObject(node) ? { ...node } : {};
      for (const [k, v] of seg.keys) entry[k] = v;
      node = { [seg.name]: [entry] };
    } else {
      node = { [seg.name]: node };
    }
  }
  return isObject(node) ? node : {};
}

/** The edit of `set PATH [VALUE]`: merges the value (leaf-list values are added) or creates the entry. */
export function setEdit(target: PathTarget): JsonObject {
  const { node, segments, values } = target;
  if (node.kind === 'leaf') return wrap(segments, values?.[0] ?? null);
  if (node.kind === 'leaf-list') return wrap(segments, [...(values ?? [])]);
  return wrap(segments, {});
}

/** The edit of `delete PATH [VALUE]`. */
export function deleteEdit(target: PathTarget): JsonObject {
  const { node, segments, values } = target;
  if (node.kind === 'leaf-list' && values && values.length > 0) {
    return wrap(segments, values.map((v) => ({ [OP]: 'delete', [VALUE]: v })));
  }
  return wrap(segments, { [OP]: 'delete' });
}

/** The edit that puts `entries` (whole entries, or `{"@op": "delete"}` ones with their keys) into `list` under `parent`. */
export function entriesEdit(parent: readonly DataSegment[], list: GNode, entries: readonly JsonObject[]): JsonObject {
  return wrap(parent, { [list.name]: [...entries] });
}

/** A list entry's delete, for entriesEdit. */
export function entryDelete(segment: DataSegment): JsonObject {
  return { ...Object.fromEntries(segment.keys ?? []), [OP]: 'delete' };
}

/** Merges the edit `b` into `a` (both plain configuration, no operations), matching entries by key. */
export function mergeInto(node: GNode, a: JsonObject, b: JsonObject): void {
  for (const [name, bv] of Object.entries(b)) {
    const child = node.order.find((c) => c.name === name);
    const av = a[name];
    if (!child || av === undefined) { a[name] = bv; continue; }
    if (child.kind === 'container' && isObject(av) && isObject(bv)) mergeInto(child, av, bv);
    else if (child.kind === 'leaf-list' && Array.isArray(av) && Array.isArray(bv)) {
      for (const item of bv) if (!av.includes(item)) av.push(item);
    } else if (child.kind === 'list' && Array.isArray(av) && Array.isArray(bv)) {
      for (const entry of bv) {
        if (!isObject(entry)) continue;
        const same = av.find((e) => isObject(e) && child.keys.every((k) => e[k] === entry[k]));
        if (isObject(same)) mergeInto(child, same, entry);
        else av.push(entry);
      }
    } else {
      a[name] = bv;
    }
  }
}

/** The part of a configuration tree (rooted at the top) at `segments`, or undefined when absent. */
export function subtreeAt(tree: JsonObject, segments: readonly DataSegment[]): JsonValue | undefined {
  let at: JsonValue | undefined = tree;
  for (const seg of segments) {
    if (!isObject(at)) return undefined;
    const v: JsonValue | undefined = at[seg.name];
    if (seg.keys) {
      if (!Array.isArray(v)) return undefined;
      at = v.find((e) => isObject(e) && seg.keys!.every(([k, kv]) => e[k] === kv));
    } else {
      at = v;
    }
  }
  return at;
}

/** Key values of the entries of the list `list` at `listSegments` in `tree`. */
export function entryKeys(tree: JsonObject, list: GNode, listSegments: readonly DataSegment[]): JsonScalar[][] {
  const v = subtreeAt(tree, listSegments);
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((e) => list.keys.map((k) => e[k] as JsonScalar));
}
