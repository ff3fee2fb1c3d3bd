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

export interface ReplayedCommit { readonly header: CommitHeader; readonly changes: readonly NodeChange[] }

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
      view.put({ path: c.path, parent: where.parent, list: where.list, body: c.new, txid: 0, ...(c.newExplicit ? { explicit: c.newExplicit } : {}) });
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

  /**
   * The commits made from `startMs` up to `stopMs` (clock ms, inclusive), oldest first, with
   * their node changes; only those whose diffs are kept (after the history floor). For
   * replaying notifications: reads headers newest first, a page at a time, until `startMs`.
   */
  commitsBetween(startMs: number, stopMs = Number.POSITIVE_INFINITY): ReplayedCommit[] {
    const floor = this.store.historyFloor();
    const found: CommitHeader[] = [];
    let before = this.store.lastTxid;
    while (before > floor) {
      const page = this.store.commitHeaders(500, before);
      if (page.length === 0) break;
      let done = false;
      for (const h of page) {
        const t = Date.parse(h.time);
        if (h.txid <= floor || t < startMs) { done = true; break; }
        if (t <= stopMs) found.push(h);
      }
      if (done) break;
      before = page[page.length - 1]!.txid - 1;
    }
    return found.reverse().map((header) => ({ header, changes: this.store.changesBetween(header.txid - 1, header.txid)[0]?.changes ?? [] }));
  }

  /** When the oldest replayable commit was made (undefined: none is kept). */
  replayStart(): string | undefined {
    return this.store.commitHeader(this.store.historyFloor() + 1)?.time;
  }

  private checkTxid(txid: number): void {
    const last = this.store.lastTxid;
    if (!Number.isInteger(txid) || txid < 0 || txid > last) {
      throw new ConfdError('TXN_NO_SUCH_COMMIT', `no commit ${txid} (the last is ${last})`, { details: { txid, last } });
    }
  }
}
