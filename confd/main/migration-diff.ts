/**
 * @module confd/main/migration-diff
 * What a migration changes, leaf by leaf, for a dry run: the configuration before (under the
 * old schema) against after (under the new one). A leaf that only takes its schema default
 * (a leaf the new schema adds with its default, or one the old schema had at its default and
 * the new one has not) is not a change: it is left out, and so are such leaves of a created or
 * deleted list entry.
 */
import { isObject, type JsonObject, type JsonValue } from '../core/tree.js';
import { leafChanges, type LeafChange } from '../core/diff.js';
import { parsePath } from '../core/path.js';
import type { DeviceSchema } from '../schema/model.js';
import type { StoredNode } from '../store/store.js';

function parentOf(path: string): string {
  return parsePath(path).slice(0, -1).map((s) => s.name + (s.keys ?? []).map(([k, v]) => `[${k}=${JSON.stringify(v)}]`).join('')).join('/');
}

function schemaPathOf(path: string): string {
  return '/' + parsePath(path).map((s) => s.name).join('/');
}

/** The default of the leaf at `schemaPath`, if it is a leaf with one. */
function defaultOf(schema: DeviceSchema, schemaPath: string): JsonValue | undefined {
  const n = schema.nodes.get(schemaPath);
  return n?.kind === 'leaf' ? n.default : undefined;
}

/** `body` (of the node at `schemaPath`) without the leaves that hold their default. */
function withoutDefaults(schema: DeviceSchema, schemaPath: string, body: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(body)) {
    const p = `${schemaPath === '/' ? '' : schemaPath}/${k}`;
    if (isObject(v)) {
      const inner = withoutDefaults(schema, p, v);
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else if (defaultOf(schema, p) === undefined || defaultOf(schema, p) !== v) {
      out[k] = v;
    }
  }
  return out;
}

/** Drops what is only a default, on the side where the default applies. */
function meaningful(from: DeviceSchema, to: DeviceSchema, c: LeafChange): LeafChange | null {
  const sp = schemaPathOf(c.path);
  if (c.op === 'create') {
    if (isObject(c.new)) {
      const body = withoutDefaults(to, sp, c.new);
      return { ...c, new: body };
    }
    return defaultOf(to, sp) !== undefined && defaultOf(to, sp) === c.new ? null : c;
  }
  if (c.op === 'delete') {
    if (isObject(c.old)) return { ...c, old: withoutDefaults(from, sp, c.old) };
    return defaultOf(from, sp) !== undefined && defaultOf(from, sp) === c.old ? null : c;
  }
  return c;
}

export function changesBetween(from: DeviceSchema, to: DeviceSchema, before: readonly StoredNode[], after: readonly StoredNode[]): LeafChange[] {
  const a = new Map(before.map((n) => [n.path, n.body]));
  const b = new Map(after.map((n) => [n.path, n.body]));
  const out: LeafChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const changes = leafChanges({ path, old: a.get(path) ?? null, new: b.get(path) ?? null });
    // A node that is reshaped (leaves go, others come) shows all its new leaves, defaults too:
    // `source 10.1.0.1/32` becomes `source-address 10.1.0.1` and `source-prefix-length 32`.
    const reshaped = new Set(changes.filter((c) => c.op === 'delete').map((c) => parentOf(c.path)));
    for (const c of changes) {
      const m = c.op === 'create' && reshaped.has(parentOf(c.path)) ? c : meaningful(from, to, c);
      if (m) out.push(m);
    }
  }
  return out;
}
