/**
 * @module confd/core/diff
 * Changes between two configurations, at two grains: node changes (a list entry or the root
 * body, as stored in history) and leaf changes (what subscribers, compare and blame show).
 * Pure: no Node APIs.
 */
import { childPath } from './path.js';
import { deepEqual, isObject, type JsonObject, type JsonValue } from './tree.js';

/** A stored node (the root body or one list entry) before and after a commit. */
export interface NodeChange {
  readonly path: string;
  readonly old: JsonObject | null;
  readonly new: JsonObject | null;
  /** Leaves set to their default value by a client (Entry.explicit) before and after, when any. */
  readonly oldExplicit?: readonly string[];
  readonly newExplicit?: readonly string[];
}

type Explicit = readonly string[] | undefined;

/** Whether two sorted lists of explicit leaves (Entry.explicit) are the same; absent is empty. */
export function sameExplicit(a: Explicit, b: Explicit): boolean {
  const x = a ?? [], y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** A node change with its explicit leaves, each side written only when it has some. */
export function nodeChange(path: string, old: JsonObject | null, oldExplicit: Explicit, now: JsonObject | null, newExplicit: Explicit): NodeChange {
  return {
    path, old, new: now,
    ...(oldExplicit?.length ? { oldExplicit } : {}),
    ...(newExplicit?.length ? { newExplicit } : {}),
  };
}

export type ChangeOp = 'create' | 'modify' | 'delete';

/** One changed leaf, leaf-list or whole list entry, in the form daemons and operators see. */
export interface LeafChange {
  readonly path: string;
  readonly op: ChangeOp;
  readonly old?: JsonValue;
  readonly new?: JsonValue;
}

/**
 * Leaf changes of one node change. A created or deleted list entry is one change carrying the
 * whole entry; a modified node yields one change per leaf or leaf-list that differs.
 */
export function leafChanges(change: NodeChange): LeafChange[] {
  const out: LeafChange[] = [];
  if (change.old === null && change.new !== null) {
    if (change.path === '/') diffObjects('/', {}, change.new, out);
    else out.push({ path: change.path, op: 'create', new: change.new });
  } else if (change.new === null && change.old !== null) {
    if (change.path === '/') diffObjects('/', change.old, {}, out);
    else out.push({ path: change.path, op: 'delete', old: change.old });
  } else if (change.old !== null && change.new !== null) {
    diffObjects(change.path, change.old, change.new, out);
  }
  return out;
}

function diffObjects(base: string, a: JsonObject, b: JsonObject, out: LeafChange[]): void {
  for (const k of Object.keys(a)) {
    const av = a[k]!;
    const p = childPath(base, { name: k });
    if (!(k in b)) {
      if (isObject(av)) diffObjects(p, av, {}, out);
      else out.push({ path: p, op: 'delete', old: av });
      continue;
    }
    const bv = b[k]!;
    if (isObject(av) && isObject(bv)) diffObjects(p, av, bv, out);
    else if (!deepEqual(av, bv)) out.push({ path: p, op: 'modify', old: av, new: bv });
  }
  for (const k of Object.keys(b)) {
    if (k in a) continue;
    const bv = b[k]!;
    const p = childPath(base, { name: k });
    if (isObject(bv)) diffObjects(p, {}, bv, out);
    else out.push({ path: p, op: 'create', new: bv });
  }
}

/**
 * Folds consecutive commits' node changes into one net change per node (first old, last new),
 * dropping nodes that ended where they started. Input in commit order.
 */
export function composeChanges(commits: Iterable<readonly NodeChange[]>): NodeChange[] {
  const net = new Map<string, { old: JsonObject | null; new: JsonObject | null; oldExplicit: Explicit; newExplicit: Explicit }>();
  for (const changes of commits) {
    for (const c of changes) {
      const seen = net.get(c.path);
      if (seen) { seen.new = c.new; seen.newExplicit = c.newExplicit; }
      else net.set(c.path, { old: c.old, new: c.new, oldExplicit: c.oldExplicit, newExplicit: c.newExplicit });
    }
  }
  const out: NodeChange[] = [];
  for (const [path, c] of net) {
    if (c.old === null && c.new === null) continue;
    if (c.old !== null && c.new !== null && deepEqual(c.old, c.new) && sameExplicit(c.oldExplicit, c.newExplicit)) continue;
    out.push(nodeChange(path, c.old, c.oldExplicit, c.new, c.newExplicit));
  }
  return out;
}

/** The change that undoes `changes`. */
export function invertChanges(changes: readonly NodeChange[]): NodeChange[] {
  return changes.map((c) => nodeChange(c.path, c.new, c.newExplicit, c.old, c.oldExplicit));
}
