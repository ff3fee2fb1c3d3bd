/**
 * @module confd/txn/materialize
 * Builds configuration trees (plain JSON, lists as arrays of entries) from a datastore view,
 * for reads, exports and protocol encoders. Entries without nested lists are shared, not
 * copied: callers treat the result as read-only.
 */
import type { JsonObject, JsonValue } from '../core/tree.js';
import { cloneJson, isObject, pruneEmpty } from '../core/tree.js';
import type { DeviceSchema, ListSchema } from '../schema/model.js';
import type { DataView, Entry } from './datastore.js';

/** The whole configuration in `view`, with empty containers left out. */
export function materializeAll(schema: DeviceSchema, view: DataView): JsonObject {
  const root = view.get('/');
  const out = root ? cloneJson(root.body) : {};
  attachLists(view, '/', schema.root.childLists, out);
  pruneEmpty(out);
  return out;
}

/** One stored node with every list entry below it. */
export function materializeEntry(view: DataView, entry: Entry): JsonObject {
  const lists = entry.list ? entry.list.childLists : [];
  if (lists.length === 0) return entry.body;
  const out = cloneJson(entry.body);
  attachLists(view, entry.path, lists, out);
  return out;
}

function attachLists(view: DataView, parentPath: string, lists: readonly ListSchema[], out: JsonObject): void {
  for (const list of lists) {
    const entries = view.children(parentPath, list);
    if (entries.length === 0) continue;
    let at: JsonObject = out;
    for (let i = 0; i < list.relPath.length - 1; i++) {
      const name = list.relPath[i]!;
      if (!isObject(at[name])) at[name] = {};
      at = at[name] as JsonObject;
    }
    at[list.name] = entries.map((e) => materializeEntry(view, e)) as JsonValue[];
  }
}
