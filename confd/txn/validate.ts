/**
 * @module confd/txn/validate
 * Full validation of a candidate's changes against the committed configuration: every
 * changed node against its schema (mandatory elements included), then the cross-entry rules
 * the change touches — references (x-ref) from changed entries and to removed entries,
 * uniqueness (x-unique), list sizes. Untouched entries are never re-validated.
 */
import { ConfdError } from '../core/errors.js';
import { childPath } from '../core/path.js';
import type { JsonObject, JsonValue } from '../core/tree.js';
import { describeAjvErrors } from '../schema/messages.js';
import type { DeviceSchema, LeafListSchema, LeafSchema, ListSchema } from '../schema/model.js';
import { entryPath } from '../schema/resolve.js';
import type { DataView, Entry } from './datastore.js';
import { type CrossEntryIndexes, valuesOf } from './indexes.js';

export interface NodeDelta {
  readonly path: string;
  /** The committed node, if any. */
  readonly before: Entry | undefined;
  /** The node after the change, or null when removed. */
  readonly after: Entry | null;
}

/**
 * Problems in `view` (the configuration as it would be after the change), looking only at the
 * changed nodes in `deltas` and the rules they touch. `indexes` describe the committed state.
 */
export function validateChanges(
  schema: DeviceSchema, indexes: CrossEntryIndexes, view: DataView, deltas: readonly NodeDelta[],
): ConfdError[] {
  const issues: ConfdError[] = [];
  const changed = new Map<string, NodeDelta>();
  for (const d of deltas) changed.set(d.path, d);

  for (const d of deltas) {
    const e = d.after;
    if (!e) continue;
    const validate = e.list ? e.list.validate : schema.root.validate;
    if (!validate(e.body)) issues.push(...describeAjvErrors(e.path, validate.errors ?? []));
    checkXmlCharacters(e.path, e.body, issues);
    for (const leaf of indexes.refLeaves(e.list)) checkReference(schema, view, e, leaf, issues);
  }

  // Removed entries (or entries whose key a reference named) must not be referred to any more.
  for (const d of deltas) {
    if (d.after !== null || !d.before?.list) continue;
    const referrers = schema.referrers.get(d.before.list.schemaPath);
    if (!referrers) continue;
    const key = String(d.before.body[d.before.list.keys[0]!]);
    for (const leaf of referrers) {
      for (const referrer of indexes.referrersOf(leaf, key)) {
        if (changed.has(referrer)) continue; // re-checked above from its new value
        if (!view.get(referrer)) continue;
        issues.push(new ConfdError('TXN_REF_IN_USE',
          `${d.before.list.name} '${key}' is still referred to by ${childPath(referrer, { name: leaf.name })}`,
          { path: d.path, details: { referrer: childPath(referrer, { name: leaf.name }) } }));
      }
    }
  }

  checkUniqueness(indexes, view, deltas, changed, issues);
  checkListSizes(view, deltas, issues);
  return issues.sort((a, b) => (a.path ?? '').localeCompare(b.path ?? ''));
}

function checkReference(schema: DeviceSchema, view: DataView, e: Entry, leaf: LeafSchema, issues: ConfdError[]): void {
  const target = schema.lists.get(leaf.ref!)!;
  for (const value of valuesOf(leaf, e.body)) {
    const body: JsonObject = { [target.keys[0]!]: target.keyLeaves[0]!.type === 'string' ? value : Number(value) };
    if (view.get(entryPath(target, '/', body))) continue;
    issues.push(new ConfdError('TXN_REF_MISSING', `${target.name} '${value}' does not exist`,
      { path: pathOfBodyNode(e.path, leaf.bodyPath), details: { target: target.schemaPath, value } }));
  }
}

function checkUniqueness(
  indexes: CrossEntryIndexes, view: DataView, deltas: readonly NodeDelta[], changed: ReadonlyMap<string, NodeDelta>,
  issues: ConfdError[],
): void {
  // value → entries holding it after the change, for the values the change introduces.
  const seen = new Map<LeafSchema | LeafListSchema, Map<string, Set<string>>>();
  for (const d of deltas) {
    if (!d.after) continue;
    for (const node of indexes.uniqueNodes(d.after.list)) {
      let byValue = seen.get(node);
      if (!byValue) { byValue = new Map(); seen.set(node, byValue); }
      for (const value of valuesOf(node, d.after.body)) {
        let holders = byValue.get(value);
        if (!holders) {
          holders = new Set();
          for (const p of indexes.holdersOf(node, value)) {
            if (!changed.has(p) && view.get(p)) holders.add(p);
          }
          byValue.set(value, holders);
        }
        holders.add(d.path);
      }
    }
  }
  for (const [node, byValue] of seen) {
    for (const [value, holders] of byValue) {
      if (holders.size < 2) continue;
      // Report the entries this change touches; name an untouched holder as the one in the way.
      const touched = [...holders].filter((p) => changed.has(p));
      const untouched = [...holders].filter((p) => !changed.has(p));
      const other = untouched[0] ?? touched.shift()!;
      for (const p of touched) {
        issues.push(new ConfdError('TXN_NOT_UNIQUE', `'${value}' is already used by ${pathOfBodyNode(other, node.bodyPath)}`,
          { path: pathOfBodyNode(p, node.bodyPath), details: { value, other } }));
      }
    }
  }
}

function checkListSizes(view: DataView, deltas: readonly NodeDelta[], issues: ConfdError[]): void {
  const checked = new Set<string>();
  for (const d of deltas) {
    const list: ListSchema | null | undefined = d.after ? d.after.list : null;
    if (!list || list.maxItems === undefined || d.before) continue;
    const key = `${d.after!.parent}\n${list.schemaPath}`;
    if (checked.has(key)) continue;
    checked.add(key);
    const count = view.children(d.after!.parent, list).length;
    if (count > list.maxItems) {
      issues.push(new ConfdError('SCHEMA_TOO_MANY_ELEMENTS', `at most ${list.maxItems} entries of '${list.name}' are allowed, not ${count}`,
        { path: d.path }));
    }
  }
}

function pathOfBodyNode(nodePath: string, bodyPath: readonly string[]): string {
  let p = nodePath;
  for (const name of bodyPath) p = childPath(p, { name });
  return p;
}

/**
 * Characters XML 1.0 does not allow (C0 controls but TAB, LF and CR; U+FFFE, U+FFFF; lone
 * surrogates): a string holding one could not be sent in any NETCONF reply, so no path (edit,
 * import, restore, load) may store it.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkXmlCharacters(path: string, value: JsonValue, issues: ConfdError[], leaf?: string): void {
  if (typeof value === 'string') {
    const m = NOT_XML.exec(value);
    if (m) {
      const at = leaf === undefined ? path : childPath(path, { name: leaf });
      issues.push(new ConfdError('SCHEMA_INVALID_VALUE', `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in a value (XML 1.0 forbids it)`,
        { path: at, details: { offset: m.index } }));
    }
  } else if (Array.isArray(value)) {
    for (const v of value) checkXmlCharacters(path, v, issues, leaf);
  } else if (value !== null && typeof value === 'object') {
    const base = leaf === undefined ? path : childPath(path, { name: leaf });
    for (const [k, v] of Object.entries(value)) checkXmlCharacters(base, v, issues, k);
  }
}
