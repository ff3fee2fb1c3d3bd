/**
 * @module confd/core/edit
 * The protocol-neutral form of an edit, shared by NETCONF, the CLI and imports: a
 * configuration subtree in which any object may carry an operation under "@op" (RFC 6241
 * §7.2 semantics). A leaf is a scalar or {"@op", "@value"}; a leaf-list is an array of such
 * items, or one {"@op", "@value": [..]} object acting on the whole leaf-list; a list is an array
 * of entry objects that hold their keys. Pure: no Node APIs.
 */
import { isObject, type JsonObject, type JsonScalar, type JsonValue } from './tree.js';

export const OP_KEY = '@op';
export const VALUE_KEY = '@value';

export type EditOperation = 'merge' | 'replace' | 'create' | 'delete' | 'remove';
export type DefaultOperation = 'merge' | 'replace' | 'none';
export type EffectiveOperation = EditOperation | 'none';

const OPERATIONS: ReadonlySet<string> = new Set(['merge', 'replace', 'create', 'delete', 'remove']);

export function isEditOperation(v: unknown): v is EditOperation {
  return typeof v === 'string' && OPERATIONS.has(v);
}

/** The operation an edit node names, if any. */
export function operationOf(v: JsonValue | undefined): EditOperation | undefined {
  if (!isObject(v)) return undefined;
  const op = v[OP_KEY];
  return isEditOperation(op) ? op : undefined;
}

/** A leaf (or leaf-list item) edit as operation and value. */
export function leafEdit(v: JsonValue, inherited: EffectiveOperation): { op: EffectiveOperation; value: JsonValue | undefined } {
  if (isObject(v)) return { op: operationOf(v) ?? inherited, value: v[VALUE_KEY] };
  return { op: inherited, value: v };
}

/** An edit that sets one value (merge), e.g. `set` in the CLI. */
export function withOperation(op: EditOperation, value?: JsonScalar | JsonScalar[]): JsonObject {
  return value === undefined ? { [OP_KEY]: op } : { [OP_KEY]: op, [VALUE_KEY]: value };
}
