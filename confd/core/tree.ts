/**
 * @module confd/core/tree
 * JSON value types of the configuration tree and the few operations every layer needs on
 * them. Pure: no Node APIs.
 */

export type JsonScalar = string | number | boolean;
export type JsonValue = JsonScalar | null | JsonValue[] | JsonObject;
export interface JsonObject { [key: string]: JsonValue }

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!(k in b) || !deepEqual(a[k], b[k])) return false;
  return true;
}

/** Deep copy of a JSON value (faster than structuredClone for small plain trees). */
export function cloneJson<T extends JsonValue>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => cloneJson(x)) as T;
  const out: JsonObject = {};
  for (const k of Object.keys(v)) out[k] = cloneJson(v[k]!);
  return out as T;
}

/** Removes containers left empty, recursively; returns whether `obj` itself ended empty. */
export function pruneEmpty(obj: JsonObject): boolean {
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (isObject(v) && pruneEmpty(v)) delete obj[k];
  }
  return Object.keys(obj).length === 0;
}
