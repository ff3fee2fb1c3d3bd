/**
 * @module confd/txn/history
 * Reads the commit history against running: the configuration as it was after any commit,
 * the net change between two commits, and who last set a leaf. Everything is derived from
 * the diffs the store keeps per commit, so it costs O(changes since), not O(configuration).
 */
import { composeChanges, invertChanges, type NodeChange } from '../core/diff.js';
import { ConfdError } from '../core/errors.js';
import type { DeviceSchema } from '../schema/model.js';
import { describeEntryPath, resolveDataPath } from '../schema/resolve.js';
import type { CommitHeader, Store } from '../store/store.js';
import { type DataView, Overlay } from './datastore.js';

export class CommitHistory {
  constructor(
    private readonly schema: DeviceSchema,
    private readonly store: Store,
    private readonly running: DataView,
  ) {}

  /** An overlay over running holding the configuration as it was right after commit `txid`. */
  stateAt(txid: number): Overlay {
    this.checkTxid(txid);
    const view = new Overlay(this.running);
    for (const c of this.netChanges(this.store.lastTxid, txid)) {
      if (c.new === null) { view.delete(c.path); continue; }
      const where = describeEntryPath(this.schema, c.path);
      view.put({ path: c.path, parent: where.parent, list: where.list, body: c.new, txid: 0 });
    }
    return view;
  }

  /** The node changes that lead from the configuration after commit `from` to the one after `to` (either way). */
  netChanges(from: number, to: number): NodeChange[] {
    if (from === to) return [];
    const between = (a: number, b: number) => composeChanges(this.store.changesBetween(a, b).map((c) => c.changes));
    return from < to ? between(from, to) : invertChanges(between(to, from));
  }

  /** Who last changed the leaf at `path` (which must exist in running), in which commit. */
  blame(path: string): CommitHeader & { sinceCreation: boolean } {
    const r = resolveDataPath(this.schema, path);
    if (r.node.kind !== 'leaf' && r.node.kind !== 'leaf-list') {
      throw new ConfdError('SCHEMA_BAD_PATH', 'blame takes the path of a leaf', { path });
    }
    if (!this.running.get(r.entryPath)) throw new ConfdError('TXN_DATA_MISSING', 'no such entry in running', { path });
    const b = this.store.blame(r.entryPath, r.bodyPath.join('/'));
    const header = b && b.txid > 0 ? this.store.commitHeader(b.txid) : undefined;
    if (!b || !header) throw new ConfdError('TXN_DATA_MISSING', 'the leaf was never set by a commit (factory default)', { path });
    return { ...header, sinceCreation: b.sinceCreation };
  }

  private checkTxid(txid: number): void {
    const last = this.store.lastTxid;
    if (!Number.isInteger(txid) || txid < 0 || txid > last) {
      throw new ConfdError('TXN_NO_SUCH_COMMIT', `no commit ${txid} (the last is ${last})`, { details: { txid, last } });
    }
  }
}
