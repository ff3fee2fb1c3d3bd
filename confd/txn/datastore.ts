/**
 * @module confd/txn/datastore
 * In-memory views of a datastore, one stored node at a time: EntryMap is the committed
 * running configuration (loaded from the store at start, changed only by commits), and an
 * Overlay holds a candidate's differences over another view, so a candidate costs memory and
 * commit time in proportion to what it changes, not to the size of the configuration.
 */
import { sameExplicit } from '../core/diff.js';
import { deepEqual, type JsonObject, type JsonScalar, type JsonValue } from '../core/tree.js';
import type { DeviceSchema, ListSchema } from '../schema/model.js';
import type { StoredNode } from '../store/store.js';

/** One stored node: the root body ('/') or a list entry. Bodies are never mutated once in a view. */
export interface Entry {
  readonly path: string;
  /** Path of the stored node that holds this entry ('' for the root). */
  readonly parent: string;
  /** The list the entry belongs to, or null for the root body. */
  readonly list: ListSchema | null;
  readonly body: JsonObject;
  /** The commit that last changed this node; 0 while it exists only in a candidate. */
  readonly txid: number;
  /**
   * Leaves of the body (relative paths, a/b, sorted) a client set to their schema default
   * value; every other leaf that holds its default was filled in by the schema (RFC 6243).
   */
  readonly explicit?: readonly string[];
}

/** Whether two versions of a node hold the same configuration, explicit defaults included. */
export function sameNode(a: Entry, b: Entry): boolean {
  return a === b || (deepEqual(a.body, b.body) && sameExplicit(a.explicit, b.explicit));
}


/** A stored node as an entry of `schema`, or undefined when it names a list the schema lacks. */
export function storedEntry(schema: DeviceSchema, n: StoredNode): Entry | undefined {
  const list = n.list === '' ? null : schema.lists.get(n.list);
  if (list === undefined) return undefined;
  const entry = { path: n.path, parent: n.parent, list, body: n.body, txid: n.txid };
  return n.explicit ? { ...entry, explicit: n.explicit } : entry;
}

export interface DataView {
  get(path: string): Entry | undefined;
  /** Entries of `list` under the stored node `parent`, in key order. */
  children(parent: string, list: ListSchema): Entry[];
}

function deepFreeze(v: JsonValue): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Array.isArray(v) ? v : Object.values(v)) deepFreeze(x);
}

function setKey(parent: string, list: ListSchema): string {
  return `${parent}\n${list.schemaPath}`;
}

/** Orders entries of one list by their typed key values. */
export function compareEntries(list: ListSchema, a: Entry, b: Entry): number {
  for (const k of list.keys) {
    const x = a.body[k] as JsonScalar, y = b.body[k] as JsonScalar;
    if (x === y) continue;
    return x < y ? -1 : 1;
  }
  return 0;
}

interface ChildSet { readonly list: ListSchema; readonly paths: Set<string>; sorted: string[] | null }

/** The committed configuration. Child order is computed lazily and kept until an entry comes or goes. */
export class EntryMap implements DataView {
  private readonly byPath = new Map<string, Entry>();
  private readonly sets = new Map<string, ChildSet>();

  get size(): number { return this.byPath.size; }

  get(path: string): Entry | undefined {
    return this.byPath.get(path);
  }

  entries(): IterableIterator<Entry> {
    return this.byPath.values();
  }

  children(parent: string, list: ListSchema): Entry[] {
    const set = this.sets.get(setKey(parent, list));
    if (!set) return [];
    if (!set.sorted) {
      const entries = [...set.paths].map((p) => this.byPath.get(p)!);
      entries.sort((a, b) => compareEntries(list, a, b));
      set.sorted = entries.map((e) => e.path);
    }
    return set.sorted.map((p) => this.byPath.get(p)!);
  }

  put(entry: Entry): void {
    // Committed bodies are shared with readers (materialize, select): nobody may change them.
    deepFreeze(entry.body);
    const had = this.byPath.has(entry.path);
    this.byPath.set(entry.path, entry);
    if (had || !entry.list) return;
    const key = setKey(entry.parent, entry.list);
    let set = this.sets.get(key);
    if (!set) { set = { list: entry.list, paths: new Set(), sorted: null }; this.sets.set(key, set); }
    set.paths.add(entry.path);
    set.sorted = null;
  }

  delete(path: string): void {
    const entry = this.byPath.get(path);
    if (!entry) return;
    this.byPath.delete(path);
    if (!entry.list) return;
    const key = setKey(entry.parent, entry.list);
    const set = this.sets.get(key);
    if (!set) return;
    set.paths.delete(path);
    set.sorted = null;
    if (set.paths.size === 0) this.sets.delete(key);
  }

  clear(): void {
    this.byPath.clear();
    this.sets.clear();
  }
}

/**
 * Differences over a base view: changed or created entries, and deletions (null). Reads fall
 * through to the base for everything untouched, so a candidate follows running where it has
 * not been edited.
 */
export class Overlay implements DataView {
  /** path → new entry, or null for deleted. */
  readonly changes = new Map<string, Entry | null>();
  private readonly touched = new Map<string, Set<string>>();

  constructor(readonly base: DataView) {}

  get dirty(): boolean { return this.changes.size > 0; }

  get(path: string): Entry | undefined {
    const c = this.changes.get(path);
    if (c !== undefined) return c ?? undefined;
    return this.base.get(path);
  }

  children(parent: string, list: ListSchema): Entry[] {
    const base = this.base.children(parent, list);
    if (this.changes.size === 0) return base;
    const out: Entry[] = [];
    for (const e of base) {
      const c = this.changes.get(e.path);
      if (c === undefined) out.push(e);
      else if (c !== null) out.push(c); // same keys, so the same place in the order
    }
    let added = false;
    for (const p of this.touched.get(setKey(parent, list)) ?? []) {
      const c = this.changes.get(p);
      if (c && this.base.get(p) === undefined) { out.push(c); added = true; }
    }
    return added ? out.sort((a, b) => compareEntries(list, a, b)) : out;
  }

  put(entry: Entry): void {
    this.changes.set(entry.path, entry);
    if (entry.list) {
      const key = setKey(entry.parent, entry.list);
      let set = this.touched.get(key);
      if (!set) { set = new Set(); this.touched.set(key, set); }
      set.add(entry.path);
    }
  }

  delete(path: string): void {
    this.changes.set(path, null);
  }

  /** Forgets the changes to `paths` that leave a node exactly as in the base. */
  settle(paths: Iterable<string>): void {
    for (const p of paths) {
      const c = this.changes.get(p);
      if (c === undefined) continue;
      const b = this.base.get(p);
      if (c === null ? b === undefined : b !== undefined && sameNode(c, b)) this.changes.delete(p);
    }
  }

  /** Takes over every change of `child` (an overlay whose base is this one). */
  absorb(child: Overlay): void {
    for (const [path, entry] of child.changes) {
      if (entry) this.put(entry);
      else this.delete(path);
    }
  }

  clear(): void {
    this.changes.clear();
    this.touched.clear();
  }
}
