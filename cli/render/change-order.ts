/**
 * @module cli/render/change-order
 * Puts the leaf changes of a compare in the order of the configuration: members in schema
 * order, list entries in the list's order (typed keys: numbers numerically, as the appliance
 * keeps them), a level before what lies under it. An entry created (or deleted) together with
 * entries nested in it becomes one change carrying them all, so that it shows as one block.
 * Pure.
 */
import { cloneJson, isObject, isPathWithin, parsePath, type JsonObject, type JsonScalar, type JsonValue, type LeafChange, type PathSegment } from '../../confd/api/index.js';
import { typedValue, type GNode, type Grammar } from '../grammar.js';

/** One change with where it is. */
export interface PlacedChange {
  readonly change: LeafChange;
  readonly segments: readonly PathSegment[];
  readonly node: GNode;
  /** Its place in the configuration: per segment, the member's schema index then its typed keys. */
  readonly order: readonly JsonScalar[];
}

function typedKeys(node: GNode, seg: PathSegment): JsonScalar[] {
  return node.keyLeaves.map((leaf) => {
    const text = seg.keys?.find(([k]) => k === leaf.name)?.[1] ?? '';
    return typedValue(leaf, text);
  });
}

/** The order key of `segments`, or undefined when they name nothing in the grammar. */
export function orderOf(grammar: Grammar, segments: readonly PathSegment[]): { node: GNode; order: JsonScalar[] } | undefined {
  let node = grammar.root;
  const order: JsonScalar[] = [];
  for (const seg of segments) {
    const index = node.order.findIndex((c) => c.name === seg.name);
    if (index < 0) return undefined;
    node = node.order[index]!;
    order.push(index);
    if (seg.keys) order.push(...typedKeys(node, seg));
  }
  return { node, order };
}

/** Orders key arrays element by element; a prefix comes first. */
export function compareOrder(a: readonly JsonScalar[], b: readonly JsonScalar[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!, y = b[i]!;
    if (x === y) continue;
    if (typeof x === typeof y) return (x as number | string) < (y as number | string) ? -1 : 1;
    return typeof x === 'number' ? -1 : 1;
  }
  return a.length - b.length;
}

/** Puts `value` (the data at `rel` below an entry) into `into`, the entry's data. */
function nestInto(list: GNode, into: JsonObject, rel: readonly PathSegment[], value: JsonValue): void {
  let obj = into;
  let node = list;
  for (let i = 0; i < rel.length; i++) {
    const seg = rel[i]!;
    const child = node.order.find((c) => c.name === seg.name);
    if (!child) return;
    const last = i === rel.length - 1;
    if (!seg.keys) {
      if (last) { obj[seg.name] = value; return; }
      if (!isObject(obj[seg.name])) obj[seg.name] = {};
      obj = obj[seg.name] as JsonObject;
      node = child;
      continue;
    }
    const entries = Array.isArray(obj[seg.name]) ? obj[seg.name] as JsonValue[] : [];
    obj[seg.name] = entries;
    const matches = (e: JsonValue) => isObject(e) && seg.keys!.every(([k, v]) => String(e[k]) === v);
    if (last) {
      if (isObject(value)) entries.push(value);
      const keyOf = (e: JsonValue) => (isObject(e) ? child.keyLeaves.map((l) => e[l.name] as JsonScalar) : []);
      entries.sort((a, b) => compareOrder(keyOf(a), keyOf(b)));
      return;
    }
    let entry = entries.find(matches);
    if (!isObject(entry)) {
      entry = Object.fromEntries(typedKeys(child, seg).map((v, k) => [child.keyLeaves[k]!.name, v]));
      entries.push(entry);
    }
    obj = entry;
    node = child;
  }
}

/** The changes in configuration order, entries nested in a created or deleted entry folded into it. */
export function placeChanges(grammar: Grammar, changes: readonly LeafChange[]): PlacedChange[] {
  const placed: PlacedChange[] = [];
  for (const change of changes) {
    const segments = parsePath(change.path);
    const at = orderOf(grammar, segments);
    if (at && segments.length > 0) placed.push({ change, segments, ...at });
  }
  placed.sort((a, b) => compareOrder(a.order, b.order));
  const out: PlacedChange[] = [];
  let block: { placed: PlacedChange; value: JsonObject } | null = null;
  for (const p of placed) {
    const op = p.change.op;
    if (block && op === block.placed.change.op && isPathWithin(p.change.path, block.placed.change.path)) {
      const v = op === 'create' ? p.change.new : p.change.old;
      if (v !== undefined) nestInto(block.placed.node, block.value, p.segments.slice(block.placed.segments.length), cloneJson(v));
      continue;
    }
    const whole: JsonValue | undefined = op === 'create' ? p.change.new : op === 'delete' ? p.change.old : undefined;
    if (p.node.kind === 'list' && isObject(whole)) {
      const value: JsonObject = cloneJson(whole);
      const change: LeafChange = op === 'create' ? { ...p.change, new: value } : { ...p.change, old: value };
      const own = { ...p, change };
      block = { placed: own, value };
      out.push(own);
      continue;
    }
    block = null;
    out.push(p);
  }
  return out;
}
