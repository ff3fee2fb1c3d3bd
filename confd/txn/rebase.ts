/**
 * @module confd/txn/rebase
 * Carries a private candidate's changes over onto running as it is now (RFC 8342-style private
 * candidates, like Junos `configure private`): changes to nodes nobody else touched apply as
 * they are; on a node another session changed meanwhile, this session's leaf changes are
 * replayed onto the newer node, unless both changed the same leaf or one of them created or
 * removed the whole entry: a conflict.
 */
import { leafChanges, type LeafChange } from '../core/diff.js';
import { ConfdError, validationFailed } from '../core/errors.js';
import { cloneJson, isObject, type JsonObject } from '../core/tree.js';
import { type DataView, Overlay } from './datastore.js';
import type { PrivateCandidate } from './session.js';

/** The private candidate `pc` applied to `running`; throws a validation failure listing every conflict. */
export function rebase(running: DataView, pc: PrivateCandidate): Overlay {
  const view = new Overlay(running);
  const conflicts: ConfdError[] = [];
  for (const [path, mine] of pc.overlay.changes) {
    const origin = pc.origins.get(path);
    const current = running.get(path);
    if (current === origin) {
      if (mine) view.put(mine); else view.delete(path);
      continue;
    }
    const ours = leafChanges({ path, old: origin?.body ?? null, new: mine?.body ?? null });
    const theirs = leafChanges({ path, old: origin?.body ?? null, new: current?.body ?? null });
    const touched = new Set(theirs.map((c) => c.path));
    const clash = ours.find((c) => touched.has(c.path) || c.path === path) ?? (theirs.some((c) => c.path === path) ? ours[0] : undefined);
    if (clash || !mine || !current) {
      conflicts.push(new ConfdError('TXN_CONFLICT', 'changed by another session since this private candidate changed it',
        { path: clash?.path ?? path }));
      continue;
    }
    view.put({ ...mine, body: applyLeafChanges(current.body, path, ours) });
  }
  if (conflicts.length > 0) throw validationFailed(conflicts);
  return view;
}

/** `body` (of the node at `nodePath`) with leaf changes applied; paths are below nodePath. */
function applyLeafChanges(body: JsonObject, nodePath: string, changes: readonly LeafChange[]): JsonObject {
  const out = cloneJson(body);
  for (const c of changes) {
    const names = c.path.slice(nodePath === '/' ? 1 : nodePath.length + 1).split('/');
    let at: JsonObject = out;
    for (const name of names.slice(0, -1)) {
      if (!isObject(at[name])) at[name] = {};
      at = at[name] as JsonObject;
    }
    const leaf = names[names.length - 1]!;
    if (c.op === 'delete') delete at[leaf];
    else at[leaf] = cloneJson(c.new!);
  }
  return out;
}
