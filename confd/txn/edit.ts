/**
 * @module confd/txn/edit
 * Applies a protocol-neutral edit (core/edit) to an overlay with RFC 6241 §7.2 semantics:
 * merge, replace, create (data-exists if present), delete (data-missing if absent) and
 * remove (no error), with schema defaults filled in. A leaf given its default value is recorded
 * as set (Entry.explicit), so that RFC 6243 explicit reads tell it from a filled-in default and
 * create/delete treat it as present. Only the stored nodes the edit reaches
 * are copied and touched. The caller gives a scratch overlay and keeps it only when the edit
 * reports no errors, which makes every edit all-or-nothing.
 */
import { ConfdError } from '../core/errors.js';
import {
  type DefaultOperation, type EffectiveOperation, OP_KEY, VALUE_KEY, isEditOperation, leafEdit, operationOf,
} from '../core/edit.js';
import { childPath, parsePath, type PathSegment } from '../core/path.js';
import { cloneJson, deepEqual, isObject, type JsonObject, type JsonScalar, type JsonValue } from '../core/tree.js';
import { describeAjvErrors } from '../schema/messages.js';
import type {
  ContainerLike, ContainerSchema, DeviceSchema, LeafListSchema, LeafSchema, ListSchema,
} from '../schema/model.js';
import { entryPath, resolveDataPath } from '../schema/resolve.js';
import type { Entry, Overlay } from './datastore.js';

export type ErrorOption = 'stop-on-error' | 'rollback-on-error';

export interface EditOptions {
  readonly defaultOperation?: DefaultOperation;
  /** false for test-option "set": defaults are filled, values are not checked until validate/commit. */
  readonly check?: boolean;
  readonly errorOption?: ErrorOption;
}

/** Thrown inside a run to stop at the first error (stop-on-error). */
class StopEdit extends Error {}

/**
 * Applies `edit` to `view`. Returns every problem found (or the first, with stop-on-error);
 * on any problem the caller must discard `view`.
 */
export function applyEdit(schema: DeviceSchema, view: Overlay, edit: JsonObject, options: EditOptions = {}): ConfdError[] {
  const run = new EditRun(schema, view, options);
  try {
    run.apply(edit);
  } catch (e) {
    if (!(e instanceof StopEdit)) throw e;
  }
  return run.errors;
}

/**
 * The edit tree that applies `value` at the data path `path`: ancestors become plain
 * containers and keyed entries, so only the named node is operated on.
 */
export function editAt(schema: DeviceSchema, path: string | readonly PathSegment[], value: JsonValue): JsonObject {
  const resolved = resolveDataPath(schema, path);
  if (resolved.node.kind === 'leaf' && resolved.node.isKey) {
    throw new ConfdError('TXN_BAD_OPERATION', `key '${resolved.node.name}' cannot be changed; delete the entry and create another`,
      { path: resolved.canonical });
  }
  const segments = parsePath(resolved.canonical);
  let node: JsonValue = value;
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!;
    if (seg.keys) {
      const { keyValues } = resolveDataPath(schema, segments.slice(0, i + 1));
      node = { [seg.name]: [{ ...(isObject(node) ? node : {}), ...keyValues }] };
    } else {
      node = { [seg.name]: node };
    }
  }
  if (!isObject(node)) throw new ConfdError('SCHEMA_BAD_PATH', 'the root takes a configuration tree', { path: '/' });
  return node;
}

class EditRun {
  readonly errors: ConfdError[] = [];
  /** Stored nodes whose bodies in `view` are this run's own copies, free to mutate. */
  private readonly owned = new Set<string>();
  /** Working copies of Entry.explicit of the nodes whose explicit leaves this run changed. */
  private readonly explicit = new Map<string, Set<string>>();

  constructor(
    private readonly schema: DeviceSchema,
    private readonly view: Overlay,
    private readonly options: EditOptions,
  ) {}

  private fail(e: ConfdError): void {
    this.errors.push(e);
    if (this.options.errorOption === 'stop-on-error') throw new StopEdit();
  }

  apply(edit: JsonObject): void {
    const rootOp: EffectiveOperation = operationOf(edit) ?? this.options.defaultOperation ?? 'merge';
    const root = this.mutable('/');
    if (!root) throw new ConfdError('INTERNAL', 'the datastore has no root node');
    if (rootOp === 'replace' || rootOp === 'delete' || rootOp === 'remove') {
      this.clear(root, root.body, this.schema.root, []);
      if (rootOp === 'replace') this.editContainer(root, root.body, this.schema.root, '/', edit, 'merge');
    } else if (rootOp === 'create') {
      this.fail(new ConfdError('TXN_BAD_OPERATION', 'create cannot apply to the whole configuration', { path: '/' }));
    } else {
      this.editContainer(root, root.body, this.schema.root, '/', edit, rootOp);
    }
    this.normalize();
  }

  /** The node at `path` with a body this run may change (copied on first use). */
  private mutable(path: string): Entry | undefined {
    const e = this.view.get(path);
    if (!e || this.owned.has(path)) return e;
    const copy: Entry = { ...e, body: cloneJson(e.body) };
    this.view.put(copy);
    this.owned.add(path);
    return copy;
  }

  private editContainer(
    entry: Entry, obj: JsonObject, node: ContainerLike, dataPath: string, edit: JsonObject, op: EffectiveOperation,
  ): void {
    for (const name of Object.keys(edit)) {
      if (name === OP_KEY) continue;
      const ev = edit[name]!;
      const path = childPath(dataPath, { name });
      const child = node.children.get(name);
      if (!child) { this.fail(new ConfdError('SCHEMA_UNKNOWN_ELEMENT', `unknown element '${name}'`, { path })); continue; }
      if (!child.config) { this.fail(new ConfdError('SCHEMA_NOT_CONFIG', `'${name}' is read-only state`, { path })); continue; }
      switch (child.kind) {
        case 'leaf': this.editLeaf(entry, obj, child, path, ev, op); break;
        case 'leaf-list': this.editLeafList(obj, child, path, ev, op); break;
        case 'container': this.editSubcontainer(entry, obj, child, path, ev, op); break;
        case 'list': this.editList(entry, child, path, ev, op); break;
      }
    }
  }

  private editLeaf(entry: Entry, obj: JsonObject, leaf: LeafSchema, path: string, ev: JsonValue, inherited: EffectiveOperation): void {
    const { op, value } = leafEdit(ev, inherited);
    if (isObject(ev) && ev[OP_KEY] !== undefined && !isEditOperation(ev[OP_KEY])) {
      this.fail(new ConfdError('TXN_BAD_OPERATION', `unknown operation '${String(ev[OP_KEY])}'`, { path }));
      return;
    }
    if (leaf.isKey) {
      // Keys identify the entry; they are matched by the list, never edited.
      if (op === 'delete' || op === 'remove' || (value !== undefined && !deepEqual(value, obj[leaf.name]))) {
        this.fail(new ConfdError('TXN_BAD_OPERATION', `key '${leaf.name}' cannot be changed or removed`, { path }));
      }
      return;
    }
    const present = obj[leaf.name] !== undefined;
    // A default the schema filled in is not a value for create and delete (RFC 6243 §4.5.2).
    const onlyDefault = present && leaf.default !== undefined && obj[leaf.name] === leaf.default && !this.isExplicit(entry, leaf);
    switch (op) {
      case 'none':
        return;
      case 'merge':
      case 'replace':
      case 'create':
        if (value === undefined || isObject(value) || Array.isArray(value)) {
          this.fail(new ConfdError('SCHEMA_INVALID_VALUE', `'${leaf.name}' needs a single value`, { path }));
          return;
        }
        if (op === 'create' && present && !onlyDefault) {
          this.fail(new ConfdError('TXN_DATA_EXISTS', `'${leaf.name}' already has a value`, { path }));
          return;
        }
        if (value === null) {
          this.fail(new ConfdError('SCHEMA_INVALID_VALUE', `'${leaf.name}' needs a value`, { path }));
          return;
        }
        obj[leaf.name] = value;
        this.markExplicit(entry, leaf, value === leaf.default);
        return;
      case 'delete':
        if (!present || onlyDefault) {
          this.fail(new ConfdError('TXN_DATA_MISSING', `'${leaf.name}' has no value to delete`, { path }));
          return;
        }
        delete obj[leaf.name];
        this.markExplicit(entry, leaf, false);
        return;
      case 'remove':
        delete obj[leaf.name];
        this.markExplicit(entry, leaf, false);
        return;
    }
  }

  private isExplicit(entry: Entry, leaf: LeafSchema): boolean {
    const key = leaf.bodyPath.join('/');
    return this.explicit.get(entry.path)?.has(key) ?? entry.explicit?.includes(key) ?? false;
  }

  /** Records whether `leaf` of `entry` holds a default a client set (kept only for leaves with a default). */
  private markExplicit(entry: Entry, leaf: LeafSchema, set: boolean): void {
    if (leaf.default === undefined || set === this.isExplicit(entry, leaf)) return;
    let marks = this.explicit.get(entry.path);
    if (!marks) { marks = new Set(entry.explicit ?? []); this.explicit.set(entry.path, marks); }
    if (set) marks.add(leaf.bodyPath.join('/'));
    else marks.delete(leaf.bodyPath.join('/'));
  }

  private editLeafList(obj: JsonObject, node: LeafListSchema, path: string, ev: JsonValue, inherited: EffectiveOperation): void {
    const current = Array.isArray(obj[node.name]) ? [...(obj[node.name] as JsonScalar[])] : [];
    let items: JsonValue[];
    let itemOp = inherited;
    if (isObject(ev)) {
      // One operation on the whole leaf-list.
      const op = operationOf(ev) ?? inherited;
      const v = ev[VALUE_KEY];
      const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
      if (op === 'delete' && current.length === 0) {
        this.fail(new ConfdError('TXN_DATA_MISSING', `'${node.name}' has no values to delete`, { path }));
        return;
      }
      if (op === 'delete' || op === 'remove' || op === 'replace') current.length = 0;
      if (op === 'delete' || op === 'remove' || op === 'none') { this.storeLeafList(obj, node, current); return; }
      // The values take the whole-list operation, whatever the inherited one.
      items = values;
      itemOp = op === 'create' ? 'create' : 'merge';
    } else {
      items = Array.isArray(ev) ? ev : [ev];
    }
    for (const item of items) {
      const { op, value } = leafEdit(item, itemOp);
      if (value === undefined || value === null || isObject(value) || Array.isArray(value)) {
        if (op === 'none') continue;
        this.fail(new ConfdError('SCHEMA_INVALID_VALUE', `each value of '${node.name}' must be a single value`, { path }));
        continue;
      }
      const at = current.findIndex((x) => x === value);
      switch (op) {
        case 'none':
          break;
        case 'merge':
        case 'replace':
          if (at < 0) current.push(value);
          break;
        case 'create':
          if (at >= 0) this.fail(new ConfdError('TXN_DATA_EXISTS', `'${String(value)}' is already in '${node.name}'`, { path }));
          else current.push(value);
          break;
        case 'delete':
          if (at < 0) this.fail(new ConfdError('TXN_DATA_MISSING', `'${String(value)}' is not in '${node.name}'`, { path }));
          else current.splice(at, 1);
          break;
        case 'remove':
          if (at >= 0) current.splice(at, 1);
          break;
      }
    }
    this.storeLeafList(obj, node, current);
  }

  private storeLeafList(obj: JsonObject, node: LeafListSchema, values: JsonScalar[]): void {
    if (values.length === 0) delete obj[node.name];
    else obj[node.name] = values;
  }

  private editSubcontainer(
    entry: Entry, obj: JsonObject, node: ContainerSchema, path: string, ev: JsonValue, inherited: EffectiveOperation,
  ): void {
    if (ev !== null && ev !== '' && !isObject(ev)) {
      this.fail(new ConfdError('SCHEMA_INVALID_VALUE', `'${node.name}' is a container, not a value`, { path }));
      return;
    }
    const edit = isObject(ev) ? ev : {};
    const op = operationOf(edit) ?? inherited;
    if (!isObject(obj[node.name])) obj[node.name] = {};
    const sub = obj[node.name] as JsonObject;
    switch (op) {
      case 'delete':
        if (!this.hasContent(entry, node, sub)) {
          this.fail(new ConfdError('TXN_DATA_MISSING', `'${node.name}' is empty`, { path }));
          return;
        }
        this.clear(entry, sub, node, node.bodyPath);
        return;
      case 'remove':
        this.clear(entry, sub, node, node.bodyPath);
        return;
      case 'create':
        if (this.hasContent(entry, node, sub)) {
          this.fail(new ConfdError('TXN_DATA_EXISTS', `'${node.name}' already exists`, { path }));
          return;
        }
        this.editContainer(entry, sub, node, path, edit, 'merge');
        return;
      case 'replace':
        this.clear(entry, sub, node, node.bodyPath);
        this.editContainer(entry, sub, node, path, edit, 'merge');
        return;
      default:
        this.editContainer(entry, sub, node, path, edit, op);
    }
  }

  private editList(parent: Entry, list: ListSchema, listPath: string, ev: JsonValue, inherited: EffectiveOperation): void {
    if (isObject(ev) && Object.keys(ev).every((k) => k === OP_KEY || k === VALUE_KEY)) {
      this.editWholeList(parent, list, listPath, ev, inherited);
      return;
    }
    const items = Array.isArray(ev) ? ev : [ev];
    for (const item of items) {
      if (!isObject(item)) {
        this.fail(new ConfdError('SCHEMA_INVALID_VALUE', `'${list.name}' takes entries, not a value`, { path: listPath }));
        continue;
      }
      const operated = list.keyLeaves.find((k) => isObject(item[k.name]) && (item[k.name] as JsonObject)[OP_KEY] !== undefined);
      if (operated) {
        // Keys identify the entry; they are matched, never operated on.
        const keyed = { ...item };
        for (const k of list.keyLeaves) if (isObject(item[k.name])) keyed[k.name] = (item[k.name] as JsonObject)[VALUE_KEY] ?? '';
        this.fail(new ConfdError('TXN_BAD_OPERATION', `key '${operated.name}' cannot be given an operation`,
          { path: childPath(entryPath(list, parent.path, keyed), { name: operated.name }) }));
        continue;
      }
      const missing = list.keyLeaves.find((k) => item[k.name] === undefined || isObject(item[k.name]) || Array.isArray(item[k.name]));
      if (missing) {
        this.fail(new ConfdError('SCHEMA_MISSING_KEY', `an entry of '${list.name}' needs its key '${missing.name}'`, { path: listPath }));
        continue;
      }
      const wrongType = list.keyLeaves.find((k) => typeof item[k.name] !== (k.type === 'integer' ? 'number' : k.type));
      if (wrongType) {
        this.fail(new ConfdError('SCHEMA_INVALID_VALUE', `key '${wrongType.name}' must be ${wrongType.type === 'string' ? 'text' : `a ${wrongType.type}`}`,
          { path: childPath(listPath, { name: wrongType.name }) }));
        continue;
      }
      const op = operationOf(item) ?? inherited;
      const path = entryPath(list, parent.path, item);
      const exists = this.view.get(path) !== undefined;
      switch (op) {
        case 'create':
          if (exists) { this.fail(new ConfdError('TXN_DATA_EXISTS', `${list.name} ${keyText(list, item)} already exists`, { path })); break; }
          this.fill(this.createEntry(parent, list, path, item), list, path, item, 'merge');
          break;
        case 'merge':
          this.fill(exists ? this.mutable(path)! : this.createEntry(parent, list, path, item), list, path, item, 'merge');
          break;
        case 'replace':
          if (exists) this.deleteEntry(path, list);
          this.fill(this.createEntry(parent, list, path, item), list, path, item, 'merge');
          break;
        case 'delete':
          if (!exists) { this.fail(new ConfdError('TXN_DATA_MISSING', `${list.name} ${keyText(list, item)} does not exist`, { path })); break; }
          this.deleteEntry(path, list);
          break;
        case 'remove':
          if (exists) this.deleteEntry(path, list);
          break;
        case 'none':
          if (!exists) { this.fail(new ConfdError('TXN_DATA_MISSING', `${list.name} ${keyText(list, item)} does not exist`, { path })); break; }
          this.fill(this.mutable(path)!, list, path, item, 'none');
          break;
      }
    }
  }

  /** An operation on every entry of a list: {"@op": "delete"}, or replace with {"@value": [entries]}. */
  private editWholeList(parent: Entry, list: ListSchema, listPath: string, ev: JsonObject, inherited: EffectiveOperation): void {
    const op = operationOf(ev) ?? inherited;
    const existing = this.view.children(parent.path, list);
    if (op === 'delete' && existing.length === 0) {
      this.fail(new ConfdError('TXN_DATA_MISSING', `'${list.name}' has no entries`, { path: listPath }));
      return;
    }
    if (op === 'delete' || op === 'remove' || op === 'replace') for (const e of existing) this.deleteEntry(e.path, list);
    const value = ev[VALUE_KEY];
    if (value !== undefined && op !== 'delete' && op !== 'remove') this.editList(parent, list, listPath, Array.isArray(value) ? value : [value], op === 'replace' ? 'merge' : op);
  }

  private fill(entry: Entry, list: ListSchema, path: string, item: JsonObject, op: EffectiveOperation): void {
    this.editContainer(entry, entry.body, list, path, item, op);
  }

  private createEntry(parent: Entry, list: ListSchema, path: string, item: JsonObject): Entry {
    const body: JsonObject = {};
    for (const k of list.keys) body[k] = item[k]!;
    const entry: Entry = { path, parent: parent.path, list, body, txid: 0 };
    this.view.put(entry);
    this.owned.add(path);
    return entry;
  }

  private deleteEntry(path: string, list: ListSchema): void {
    for (const child of list.childLists) {
      for (const e of this.view.children(path, child)) this.deleteEntry(e.path, child);
    }
    this.view.delete(path);
    this.owned.delete(path);
    this.explicit.delete(path);
  }

  /** Empties a container (or the root, or an entry body) including the list entries under it. */
  private clear(entry: Entry, obj: JsonObject, node: ContainerLike, bodyPath: readonly string[]): void {
    for (const name of Object.keys(obj)) {
      if (node.kind === 'list' && (node.keys as readonly string[]).includes(name)) continue;
      delete obj[name];
    }
    const marks = this.explicit.get(entry.path) ?? (entry.explicit?.length ? new Set(entry.explicit) : undefined);
    if (marks) {
      const prefix = bodyPath.length === 0 ? '' : bodyPath.join('/') + '/';
      for (const m of marks) if (m.startsWith(prefix)) marks.delete(m);
      this.explicit.set(entry.path, marks);
    }
    const lists = entry.list ? entry.list.childLists : this.schema.root.childLists;
    for (const list of lists) {
      if (!startsWith(list.relPath, bodyPath)) continue;
      for (const e of this.view.children(entry.path, list)) this.deleteEntry(e.path, list);
    }
  }

  /** Whether a container holds anything besides default values. */
  private hasContent(entry: Entry, node: ContainerSchema, obj: JsonObject): boolean {
    for (const [name, child] of node.children) {
      const v = obj[name];
      if (child.kind === 'leaf' && v !== undefined && v !== child.default) return true;
      if (child.kind === 'leaf-list' && Array.isArray(v) && v.length > 0) return true;
      if (child.kind === 'container' && isObject(v) && this.hasContent(entry, child, v)) return true;
    }
    const lists = entry.list ? entry.list.childLists : this.schema.root.childLists;
    return lists.some((l) => startsWith(l.relPath, node.bodyPath) && this.view.children(entry.path, l).length > 0);
  }

  /**
   * Fills defaults into every node this run touched and checks values (not mandatory elements
   * yet). Every bad value is reported, even under stop-on-error: the edit was applied whole,
   * and a client fixes all of them at once (one rpc-error each).
   */
  private normalize(): void {
    for (const [path, marks] of this.explicit) {
      // The entry is this run's own copy (owned): set in place, as its body was.
      const e = this.owned.has(path) ? this.view.get(path) as { explicit?: readonly string[] } | undefined : undefined;
      if (!e) continue;
      if (marks.size > 0) e.explicit = [...marks].sort();
      else delete e.explicit;
    }
    const before = this.errors.length;
    for (const path of this.owned) {
      const e = this.view.get(path);
      if (!e) continue;
      const validate = e.list ? e.list.validate : this.schema.root.validate;
      if (validate(e.body) || this.options.check === false) continue;
      this.errors.push(...describeAjvErrors(path, validate.errors ?? [], { skipRequired: true }));
    }
    if (this.errors.length > before && this.options.errorOption === 'stop-on-error') throw new StopEdit();
  }
}

function startsWith(a: readonly string[], prefix: readonly string[]): boolean {
  if (a.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

function keyText(list: ListSchema, item: JsonObject): string {
  return list.keys.map((k) => String(item[k])).join(' ');
}
