/**
 * @module confd/txn/history
 * Reads the commit history against running: the configuration as it was after any commit,
 * the net change between two commits, and who last set a leaf. Within the current schema
 * version everything is derived from the diffs the store keeps per commit, so it costs
 * O(changes since), not O(configuration). A commit made under another schema version (before
 * an upgrade or a rollback of the software) is read from the configuration its epoch ended
 * with (kept by the migration commit), taken back by that epoch's diffs, and carried to
 * today's schema by the transforms, which the engine's owner provides (OlderVersions).
 */
import { composeChanges, invertChanges, type NodeChange } from '../core/diff.js';
import { ConfdError, validationFailed } from '../core/errors.js';
import { deepEqual, type JsonObject } from '../core/tree.js';
import type { DeviceSchema } from '../schema/model.js';
import { describeEntryPath, resolveDataPath } from '../schema/resolve.js';
import type { CommitHeader, SchemaEpoch, Store } from '../store/store.js';
import { type DataView, EntryMap, Overlay, storedEntry } from './datastore.js';
import { applyEdit } from './edit.js';
import { materializeAll } from './materialize.js';
import { restoreOrder } from './order-hint.js';

/** Other schema versions of this build and the transforms between them (confd/main wires them). */
export interface OlderVersions {
  /** The schema of version `version`; throws SCHEMA_VERSION_UNKNOWN when this build has none. */
  schema(version: number): DeviceSchema;
  /** `tree` of schema `from` carried to `to`, with what could not be carried. */
  migrate(tree: JsonObject, from: number, to: number): { config: JsonObject; losses: ReadonlyArray<{ path: string; reason: string }> };
}

export interface ReplayedCommit { readonly header: CommitHeader; readonly changes: readonly NodeChange[] }

export class CommitHistory {
  constructor(
    private readonly schema: DeviceSchema,
    private readonly store: Store,
    private readonly running: DataView,
    private readonly older?: OlderVersions,
  ) {}

  /**
   * An overlay over running holding the configuration as it was right after commit `txid`, in
   * today's schema. A commit of another schema version whose configuration the transforms
   * cannot carry whole is refused (TXN_ROLLBACK_LOSSES, the losses listed) unless `lossy`.
   */
  stateAt(txid: number, o: { lossy?: boolean } = {}): Overlay {
    this.checkTxid(txid);
    if (txid < this.epochStart()) return this.pastEpochState(txid, o.lossy === true);
    const view = new Overlay(this.running);
    applyChanges(this.schema, view, this.netChanges(this.store.lastTxid, txid));
    return view;
  }

  /** The node changes that lead from the configuration after commit `from` to the one after `to` (either way). */
  netChanges(from: number, to: number): NodeChange[] {
    if (from === to) return [];
    const start = this.epochStart();
    if (from < start || to < start) return this.changesAcrossEpochs(from, to);
    const between = (a: number, b: number) => composeChanges(this.store.changesBetween(a, b).map((c) => c.changes));
    return from < to ? between(from, to) : invertChanges(between(to, from));
  }

  /** The first commit of the current schema version (the latest migration), 0 if there was none. */
  private epochStart(): number {
    return this.store.schemaEpochs().at(-1)?.txid ?? 0;
  }

  /** Changes between two configurations when one is of an older epoch: both in today's schema, node by node. */
  private changesAcrossEpochs(from: number, to: number): NodeChange[] {
    const last = this.store.lastTxid;
    const a = from === last ? null : this.stateAt(from, { lossy: true });
    const b = to === last ? null : this.stateAt(to, { lossy: true });
    const paths = new Set([...(a?.changes.keys() ?? []), ...(b?.changes.keys() ?? [])]);
    const out: NodeChange[] = [];
    for (const path of paths) {
      const old = (a ?? this.running).get(path)?.body ?? null;
      const now = (b ?? this.running).get(path)?.body ?? null;
      if (!deepEqual(old, now)) out.push({ path, old, new: now });
    }
    return out;
  }

  /**
   * The configuration after commit `txid` of an older epoch: the one its epoch ended with (kept
   * by the migration commit that ended it), taken back by that epoch's diffs, then carried to
   * today's schema by the transforms.
   */
  private pastEpochState(txid: number, lossy: boolean): Overlay {
    const epoch = this.store.schemaEpochs().find((e) => e.txid > txid)!;
    const schema = this.schemaOf(epoch, txid);
    const base = new EntryMap();
    for (const n of this.store.configurationBefore(epoch.txid)) {
      const e = storedEntry(schema, n);
      if (e) base.put(e);
    }
    const then = new Overlay(base);
    applyChanges(schema, then, invertChanges(composeChanges(this.store.changesBetween(txid, epoch.txid - 1).map((c) => c.changes))));
    const tree = materializeAll(schema, then);
    const carried = schema === this.schema ? { config: tree, losses: [] } : this.older!.migrate(tree, epoch.from, this.schema.version);
    // Leaf-lists the epoch held as keyed lists take the order running gives them (order is data).
    if (schema !== this.schema) restoreOrder(this.schema.root.children, schema.root.children, carried.config, materializeAll(this.schema, this.running));
    if (carried.losses.length > 0 && !lossy) {
      const list = carried.losses.map((l) => `${l.path} (${l.reason})`).join('; ');
      throw new ConfdError('TXN_ROLLBACK_LOSSES',
        `commit ${txid} was made under schema version ${epoch.from}; carried to version ${this.schema.version} it loses `
        + `${carried.losses.length} setting${carried.losses.length === 1 ? '' : 's'}: ${list}`,
        { details: { txid, schemaVersion: epoch.from, losses: carried.losses } });
    }
    const view = new Overlay(this.running);
    const errors = applyEdit(this.schema, view, carried.config, { defaultOperation: 'replace' });
    if (errors.length > 0) throw validationFailed(errors);
    return view;
  }

  private schemaOf(epoch: SchemaEpoch, txid: number): DeviceSchema {
    if (epoch.from === this.schema.version) return this.schema;
    if (!this.older) {
      throw new ConfdError('SCHEMA_VERSION_UNKNOWN',
        `commit ${txid} was made under schema version ${epoch.from}, which this engine cannot read`, { details: { txid, schemaVersion: epoch.from } });
    }
    return this.older.schema(epoch.from);
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

/** Applies node changes to `view` (deletions, and creations or updates placed by `schema`). */
function applyChanges(schema: DeviceSchema, view: Overlay, changes: readonly NodeChange[]): void {
  for (const c of changes) {
    if (c.new === null) { view.delete(c.path); continue; }
    const where = describeEntryPath(schema, c.path);
    view.put({ path: c.path, parent: where.parent, list: where.list, body: c.new, txid: 0, ...(c.newExplicit ? { explicit: c.newExplicit } : {}) });
  }
}
