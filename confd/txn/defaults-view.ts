/**
 * @module confd/txn/defaults-view
 * A datastore view without default values (RFC 6243): `explicit` leaves out the defaults the
 * schema filled in and keeps the leaves a client set, even to their default value
 * (Entry.explicit); `trim` leaves out every leaf that holds its default value. Containers left
 * empty are left out. Read-only state leaves are never left out (the server set them).
 * Bodies are trimmed when first read and kept per entry, so repeated reads of a large
 * configuration do not trim it again, and entries with no default to drop are shared as they are.
 */
import { isObject, type JsonObject } from '../core/tree.js';
import type { ContainerLike, DeviceSchema, ListSchema } from '../schema/model.js';
import type { DataView, Entry } from './datastore.js';

export type DefaultsTrim = 'explicit' | 'trim';

const cache = { explicit: new WeakMap<Entry, Entry>(), trim: new WeakMap<Entry, Entry>() };

export function withoutDefaults(schema: DeviceSchema, view: DataView, mode: DefaultsTrim): DataView {
  const trimmed = (e: Entry): Entry => {
    let t = cache[mode].get(e);
    if (t) return t;
    const keep = mode === 'explicit' && e.explicit ? new Set(e.explicit) : undefined;
    const body = trimBody(e.list ?? schema.root, e.body, keep, '');
    t = body === e.body ? e : { ...e, body };
    // Entries of committed views are immutable; a candidate's may be rebuilt, never changed in place.
    cache[mode].set(e, t);
    return t;
  };
  return {
    get(path: string): Entry | undefined {
      const e = view.get(path);
      return e && trimmed(e);
    },
    children(parent: string, list: ListSchema): Entry[] {
      return view.children(parent, list).map(trimmed);
    },
  };
}

/** `body` without its default leaves (and the containers they leave empty); `body` itself when nothing goes. */
function trimBody(node: ContainerLike, body: JsonObject, keep: ReadonlySet<string> | undefined, prefix: string): JsonObject {
  let out: JsonObject | undefined;
  const drop = (name: string) => {
    if (!out) out = { ...body };
    delete out[name];
  };
  for (const name of Object.keys(body)) {
    const child = node.children.get(name);
    if (!child || !child.config) continue;
    const v = body[name]!;
    if (child.kind === 'leaf') {
      if (child.default !== undefined && v === child.default && !keep?.has(prefix + name)) drop(name);
    } else if (child.kind === 'container' && isObject(v)) {
      const inner = trimBody(child, v, keep, `${prefix}${name}/`);
      if (Object.keys(inner).length === 0) drop(name);
      else if (inner !== v) { if (!out) out = { ...body }; out[name] = inner; }
    }
  }
  return out ?? body;
}
