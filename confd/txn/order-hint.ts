/**
 * @module confd/txn/order-hint
 * Order is data: a leaf-list that a newer schema holds as a keyed list (v1's NTP servers are
 * v2's `server` entries, kept in key order) comes back from a down transform in key order. The
 * migration puts such leaf-lists back in the order the same schema last had them (the
 * configuration an earlier migration replaced): values known then first, in that order; values
 * added since after them, in their own order. Leaf-lists that were leaf-lists on both sides
 * kept their order through the transform and are left alone (the operator may have reordered
 * them meanwhile).
 */
import { isObject, type JsonObject, type JsonValue } from '../core/tree.js';
import type { SchemaNode } from '../schema/model.js';

type Children = ReadonlyMap<string, SchemaNode>;

/** Reorders, in place, the leaf-lists of `tree` (schema `target`) that schema `source` holds as keyed lists, after `hint`. */
export function restoreOrder(target: Children, source: Children | undefined, tree: JsonObject, hint: JsonObject): void {
  for (const [name, node] of target) {
    const value = tree[name], before = hint[name], from = source?.get(name);
    if (value === undefined || before === undefined) continue;
    if (node.kind === 'leaf-list' && from?.kind === 'list' && Array.isArray(value) && Array.isArray(before)) {
      tree[name] = inOrderOf(value, before);
    } else if (node.kind === 'container' && isObject(value) && isObject(before)) {
      restoreOrder(node.children, from?.kind === 'container' ? from.children : undefined, value, before);
    } else if (node.kind === 'list' && Array.isArray(value) && Array.isArray(before)) {
      const id = (e: JsonObject) => JSON.stringify(node.keys.map((k) => e[k] ?? null));
      const earlier = new Map(before.filter(isObject).map((e) => [id(e), e] as const));
      const inner = from?.kind === 'list' ? from.children : undefined;
      for (const e of value) {
        const match = isObject(e) ? earlier.get(id(e)) : undefined;
        if (match) restoreOrder(node.children, inner, e as JsonObject, match);
      }
    }
  }
}

function inOrderOf(values: readonly JsonValue[], hint: readonly JsonValue[]): JsonValue[] {
  const at = new Map<string, number>();
  hint.forEach((v, i) => { const k = JSON.stringify(v); if (!at.has(k)) at.set(k, i); });
  return values
    .map((v, i) => ({ v, rank: at.get(JSON.stringify(v)) ?? hint.length + i }))
    .sort((x, y) => x.rank - y.rank)
    .map((x) => x.v);
}
