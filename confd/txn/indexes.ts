/**
 * @module confd/txn/indexes
 * Indexes over the committed configuration for the cross-entry rules, kept up to date commit
 * by commit so that validating a change costs O(change): who refers to each list entry
 * (x-ref) and which entries hold each value that must be unique (x-unique).
 */
import type { JsonObject, JsonValue } from '../core/tree.js';
import type { DeviceSchema, LeafListSchema, LeafSchema, ListSchema } from '../schema/model.js';

/** The value at `bodyPath` inside a body, if any. */
export function valueAt(body: JsonObject, bodyPath: readonly string[]): JsonValue | undefined {
  let v: JsonValue | undefined = body;
  for (const name of bodyPath) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = v[name];
  }
  return v;
}

/** The scalar values a leaf or leaf-list holds in a body, as text. */
export function valuesOf(node: LeafSchema | LeafListSchema, body: JsonObject): string[] {
  const v = valueAt(body, node.bodyPath);
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

type ValueIndex = Map<string, Set<string>>;

function add(index: ValueIndex, value: string, path: string): void {
  let s = index.get(value);
  if (!s) { s = new Set(); index.set(value, s); }
  s.add(path);
}

function remove(index: ValueIndex, value: string, path: string): void {
  const s = index.get(value);
  if (!s) return;
  s.delete(path);
  if (s.size === 0) index.delete(value);
}

export class CrossEntryIndexes {
  /** Per x-ref leaf (by schema path): referenced key → referring entry paths. */
  private readonly refs = new Map<string, ValueIndex>();
  /** Per x-unique leaf or leaf-list: value → entry paths holding it. */
  private readonly uniques = new Map<string, ValueIndex>();
  private readonly refLeavesByList = new Map<ListSchema, LeafSchema[]>();
  private readonly uniquesByList = new Map<ListSchema, (LeafSchema | LeafListSchema)[]>();

  constructor(readonly schema: DeviceSchema) {
    for (const leaves of schema.referrers.values()) {
      for (const leaf of leaves) {
        this.refs.set(leaf.schemaPath, new Map());
        push(this.refLeavesByList, leaf.owner!, leaf);
      }
    }
    for (const u of schema.uniques) {
      this.uniques.set(u.schemaPath, new Map());
      push(this.uniquesByList, u.owner!, u);
    }
  }

  refLeaves(list: ListSchema | null): readonly LeafSchema[] {
    return (list && this.refLeavesByList.get(list)) || [];
  }

  uniqueNodes(list: ListSchema | null): readonly (LeafSchema | LeafListSchema)[] {
    return (list && this.uniquesByList.get(list)) || [];
  }

  /** Entries whose `leaf` refers to `key`. */
  referrersOf(leaf: LeafSchema, key: string): ReadonlySet<string> {
    return this.refs.get(leaf.schemaPath)?.get(key) ?? EMPTY;
  }

  /** Entries holding `value` in `node`. */
  holdersOf(node: LeafSchema | LeafListSchema, value: string): ReadonlySet<string> {
    return this.uniques.get(node.schemaPath)?.get(value) ?? EMPTY;
  }

  /** Records that the node at `path` went from `old` to `now` (either may be null). */
  update(list: ListSchema | null, path: string, old: JsonObject | null, now: JsonObject | null): void {
    for (const leaf of this.refLeaves(list)) {
      const index = this.refs.get(leaf.schemaPath)!;
      if (old) for (const v of valuesOf(leaf, old)) remove(index, v, path);
      if (now) for (const v of valuesOf(leaf, now)) add(index, v, path);
    }
    for (const node of this.uniqueNodes(list)) {
      const index = this.uniques.get(node.schemaPath)!;
      if (old) for (const v of valuesOf(node, old)) remove(index, v, path);
      if (now) for (const v of valuesOf(node, now)) add(index, v, path);
    }
  }

  clear(): void {
    for (const m of this.refs.values()) m.clear();
    for (const m of this.uniques.values()) m.clear();
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const arr = map.get(key);
  if (arr) arr.push(value);
  else map.set(key, [value]);
}
