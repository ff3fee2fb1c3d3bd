/**
 * @module confd/rpc/select
 * Evaluates a Selector against a datastore view (RFC 6241 §6 subtree-filter semantics) and
 * builds the selected part of the configuration in the shape materializeAll gives: containers
 * as objects, lists as arrays of entries in key order, empty containers left out. List entries
 * named by all their keys are looked up directly, never found by scanning the list.
 *
 * Read-only state nodes (`config: false`) are selected only with `withState`, for a view that
 * carries state in its bodies (NETCONF `get` overlays the state on running).
 *
 * Imports schema, txn views and core only; must not know any protocol.
 */
import { isObject, type JsonObject, type JsonScalar, type JsonValue } from '../core/tree.js';
import type {
  ContainerSchema, DeviceSchema, LeafListSchema, ListSchema, RootSchema, SchemaNode,
} from '../schema/model.js';
import { entryPath } from '../schema/resolve.js';
import { compareEntries, type DataView, type Entry } from '../txn/datastore.js';
import { materializeEntry } from '../txn/materialize.js';
import type { Selector } from './selector.js';

/** A node whose data is an object: the root body, a container in a body, or a list entry. */
type Level = RootSchema | ContainerSchema | ListSchema;

/** Selects everything: a Selector with neither children nor match. */
const WHOLE: Selector = {};

/**
 * The part of the configuration in `view` that `selector` selects; `undefined` selects all.
 * The result shares leaf-list arrays and entry bodies with the view: treat it as read-only.
 */
export function selectConfig(
  schema: DeviceSchema, view: DataView, selector: Selector | undefined, options: { withState?: boolean } = {},
): JsonObject {
  const root = view.get('/');
  const data = root ? root.body : {};
  return selectLevel({ view, withState: options.withState ?? false }, schema.root, data, '/', expand(selector), null) ?? {};
}

/** What every level of one selection shares: the view, and whether read-only state is selected too. */
interface Cx { readonly view: DataView; readonly withState: boolean }

function wanted(cx: Cx, node: SchemaNode): boolean {
  return node.config || cx.withState;
}

/**
 * A selector as the union of plain selectors (none with `alternatives`). `undefined` means
 * the whole subtree; an empty result means nothing.
 */
function expand(selector: Selector | undefined): Selector[] {
  if (selector === undefined) return [WHOLE];
  if (selector.alternatives === undefined) return [selector];
  const out: Selector[] = [];
  for (const alt of selector.alternatives) out.push(...expand(alt));
  return out;
}

/** What a union of selectors that all hold at a level asks of it, worked out once per list. */
interface Plan {
  /** One selector has no children map: the whole subtree. */
  readonly whole: boolean;
  /** Content-match leaves to return beside the selection. */
  readonly matchNames: readonly string[];
  /** Selected config children in schema order, each with the union that applies below it. */
  readonly children: ReadonlyArray<readonly [SchemaNode, readonly Selector[]]>;
}

function planFor(cx: Cx, level: Level, active: readonly Selector[]): Plan {
  if (active.some((s) => s.children === undefined)) return { whole: true, matchNames: [], children: [] };
  const matchNames = new Set<string>();
  const named = new Map<string, Selector[]>();
  for (const s of active) {
    if (s.match) for (const name of Object.keys(s.match)) matchNames.add(name);
    for (const [name, child] of s.children!) {
      let set = named.get(name);
      if (!set) { set = []; named.set(name, set); }
      set.push(...expand(child));
    }
  }
  const children: Array<[SchemaNode, Selector[]]> = [];
  // Schema order, so the output does not depend on the order names were given in.
  for (const [name, node] of level.children) {
    const set = named.get(name);
    if (set !== undefined && set.length > 0 && wanted(cx, node)) children.push([node, set]);
  }
  return { whole: false, matchNames: [...matchNames], children };
}

/**
 * One level under the union `sels`: null when no selector's content match holds (the instance
 * is not selected), else the selected object (possibly empty). `data` is the level's object;
 * `ownerPath` the stored node holding it (where its child lists hang); `entry` is set when the
 * level is a list entry, so a whole entry can be shared rather than rebuilt. `shared` is the
 * plan for all of `sels`, when the caller evaluates many entries with them.
 */
function selectLevel(
  cx: Cx, level: Level, data: JsonObject, ownerPath: string, sels: readonly Selector[],
  entry: Entry | null, shared?: Plan,
): JsonObject | null {
  const active = sels.filter((s) => matches(cx, level, data, s.match));
  if (active.length === 0) return null;
  // `active` keeps the order of `sels`, so the same length means the same selectors.
  const plan = shared && active.length === sels.length ? shared : planFor(cx, level, active);
  if (plan.whole) return entry && !cx.withState ? materializeEntry(cx.view, entry) : wholeLevel(cx, level, data, ownerPath);

  const out: JsonObject = {};
  // Keys first, then the content-match leaves, as RFC 6241 §6.2.5 returns them with the selection.
  if (level.kind === 'list') for (const k of level.keys) copyLeaf(data, k, out);
  for (const name of plan.matchNames) copyLeaf(data, name, out);
  for (const [node, set] of plan.children) {
    const name = node.name;
    switch (node.kind) {
      case 'leaf':
        copyLeaf(data, name, out);
        break;
      case 'leaf-list': {
        const values = selectLeafList(node, data[name], set);
        if (values) out[name] = values;
        // A content match on a leaf-list of a list entry is a test of the entry too: an entry
        // that holds none of the values is not selected (RFC 6241 §6.2.5).
        else if (level.kind === 'list' && set.every((s) => s.match?.[name] !== undefined)) return null;
        break;
      }
      case 'container': {
        const child = selectLevel(cx, node, objectAt(data, name), ownerPath, set, null);
        if (child && Object.keys(child).length > 0) out[name] = child;
        break;
      }
      case 'list': {
        const entries = selectList(cx, node, ownerPath, set);
        if (entries.length > 0) out[name] = entries;
        break;
      }
    }
  }
  return out;
}

/** Every config node of a level, with the entries of its lists (empty containers left out). */
function wholeLevel(cx: Cx, level: Level, data: JsonObject, ownerPath: string): JsonObject {
  const out: JsonObject = {};
  for (const [name, node] of level.children) {
    if (!wanted(cx, node)) continue;
    switch (node.kind) {
      case 'leaf':
      case 'leaf-list':
        if (data[name] !== undefined) out[name] = data[name]!;
        break;
      case 'container': {
        const child = wholeLevel(cx, node, objectAt(data, name), ownerPath);
        if (Object.keys(child).length > 0) out[name] = child;
        break;
      }
      case 'list': {
        const entries = cx.view.children(ownerPath, node);
        if (entries.length > 0) out[name] = entries.map((e) => (cx.withState ? wholeLevel(cx, node, e.body, e.path) : materializeEntry(cx.view, e)));
        break;
      }
    }
  }
  return out;
}

/**
 * The selected entries of `list` under the stored node `ownerPath`. When every selector names
 * all the keys, the entries are fetched by path (O(1) each); otherwise the list is scanned once.
 */
function selectList(cx: Cx, list: ListSchema, ownerPath: string, sels: readonly Selector[]): JsonObject[] {
  let candidates: Entry[];
  if (sels.every((s) => hasAllKeys(list, s.match))) {
    const found = new Map<string, Entry>();
    for (const s of sels) {
      const keys: JsonObject = {};
      for (const k of list.keys) keys[k] = s.match![k]!;
      const e = cx.view.get(entryPath(list, ownerPath, keys));
      if (e && e.list === list) found.set(e.path, e);
    }
    candidates = [...found.values()];
    if (candidates.length > 1) candidates.sort((a, b) => compareEntries(list, a, b));
  } else {
    candidates = cx.view.children(ownerPath, list);
  }
  const shared = candidates.length > 1 ? planFor(cx, list, sels) : undefined;
  const out: JsonObject[] = [];
  for (const e of candidates) {
    const selected = selectLevel(cx, list, e.body, e.path, sels, e, shared);
    if (selected) out.push(selected);
  }
  return out;
}

/**
 * A leaf-list under a union of selectors: all of it when one selector does not match on its
 * value, else the values some selector names, in stored order. undefined when nothing is left.
 */
function selectLeafList(node: LeafListSchema, value: JsonValue | undefined, sels: readonly Selector[]): JsonValue[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const wanted: string[] = [];
  for (const s of sels) {
    const v = s.match?.[node.name];
    if (v === undefined) return value;
    wanted.push(String(v));
  }
  const picked = value.filter((x) => wanted.includes(String(x)));
  return picked.length > 0 ? picked : undefined;
}

/** Every content-match leaf of `match` is a config leaf of `level` whose value equals the given one. */
function matches(cx: Cx, level: Level, data: JsonObject, match: Readonly<Record<string, JsonScalar>> | undefined): boolean {
  if (match === undefined) return true;
  for (const name of Object.keys(match)) {
    const node = level.children.get(name);
    // Unknown names, and nodes that are not leaves, match nothing rather than fail the read.
    if (node === undefined || node.kind !== 'leaf' || !wanted(cx, node)) return false;
    const v = data[name];
    if (v === undefined || v === null || typeof v === 'object') return false;
    // Text comparison, so "10" given for an integer leaf matches 10 and "true" matches true.
    if (String(v) !== String(match[name])) return false;
  }
  return true;
}

function hasAllKeys(list: ListSchema, match: Readonly<Record<string, JsonScalar>> | undefined): boolean {
  if (match === undefined) return false;
  for (const k of list.keys) if (match[k] === undefined) return false;
  return true;
}

function copyLeaf(data: JsonObject, name: string, out: JsonObject): void {
  const v = data[name];
  if (v !== undefined) out[name] = v;
}

/** The object stored under `name`, or an empty one: a container may be absent from a body yet hold lists. */
function objectAt(data: JsonObject, name: string): JsonObject {
  const v = data[name];
  return isObject(v) ? v : EMPTY;
}

const EMPTY: JsonObject = Object.freeze({}) as JsonObject;
