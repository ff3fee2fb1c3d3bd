/**
 * @module confd/txn/engine
 * The transaction engine of one device: sessions, locks, the shared candidate, the commit
 * pipeline (validate → participants prepare → one durable write → apply → notify), confirmed
 * commit, rollback and compare. Every change of state goes through one queue, so a commit
 * sees a stable candidate while its participants deliberate. It knows no protocol: northbound
 * layers call it through confd/rpc with a Session.
 */
import type { Logger } from 'pino';
import { composeChanges, invertChanges, leafChanges, nodeChange, type LeafChange, type NodeChange } from '../core/diff.js';
import { ConfdError, validationFailed } from '../core/errors.js';
import { cloneJson, type JsonObject } from '../core/tree.js';
import type { DeviceSchema } from '../schema/model.js';
import type { AuditInput } from '../store/audit-chain.js';
import type { CommitHeader, Store } from '../store/store.js';
import { type Clock, type TimerHandle, systemClock } from './clock.js';
import {
  CONFIRMED_META_KEY, DEFAULT_CONFIRM_TIMEOUT_S, type PendingConfirmed, checkAuthority, parsePending,
} from './confirmed.js';
import { type DataView, type Entry, EntryMap, Overlay, sameNode, storedEntry } from './datastore.js';
import { type DefaultsTrim, withoutDefaults } from './defaults-view.js';
import { applyEdit, type EditOptions } from './edit.js';
import { CommitHistory, type OlderVersions, type ReplayedCommit } from './history.js';
import { EditOwners, describeOwners, type EditOwner } from './edit-owners.js';
import { CrossEntryIndexes } from './indexes.js';
import { checkLockout } from './lockout.js';
import { materializeAll } from './materialize.js';
import type { CommitEvent, Participant } from './participant.js';
import { rebase } from './rebase.js';
import { Session, type Actor, type PrivateCandidate, type SessionInfo } from './session.js';
import { type NodeDelta, validateChanges } from './validate.js';

export type DatastoreName = 'running' | 'candidate' | 'startup';

export interface CommitOptions {
  readonly comment?: string;
  readonly confirmed?: boolean;
  /** Seconds; default 600. */
  readonly confirmTimeout?: number;
  readonly persist?: string;
  readonly persistId?: string;
  /**
   * A confirmed commit that outlives its session and is confirmed by a plain commit from any
   * session (the CLI's, as Junos); NETCONF's keeps RFC 6241 semantics.
   */
  readonly anySession?: boolean;
  /** Commit even if it leaves no administrator login (a technician at the console; audited). */
  readonly force?: boolean;
}

export interface CommitOutcome {
  /** The new commit, or null when nothing changed. */
  readonly header: CommitHeader | null;
  /** A confirmed commit is now pending (started or extended by this call). */
  readonly confirmedPending: boolean;
  /** The pending confirmed commit this call confirmed (a plain commit while one was pending). */
  readonly confirmedPrevious?: PendingConfirmed;
}

/** Events of a confirmed commit (RFC 6470 netconf-confirmed-commit's confirm-event). */
export interface ConfirmedEvent {
  readonly event: 'start' | 'cancel' | 'timeout' | 'extend' | 'complete';
  readonly pending: PendingConfirmed;
  /** Who caused it (the system for a timeout). */
  readonly by: Actor;
  /** When, on the engine's clock (epoch ms). */
  readonly at: number;
}

export interface EngineOptions {
  readonly schema: DeviceSchema;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** How soon audit records of non-commit actions are written durably, in ms. */
  readonly auditSyncMs?: number;
  /** Other schema versions and the transforms, to read history from before a software upgrade or rollback. */
  readonly olderVersions?: OlderVersions;
}

const SYSTEM: SessionInfo = { user: 'system', source: 'system', address: 'local' };

export class ConfigEngine {
  readonly schema: DeviceSchema;
  readonly store: Store;
  readonly running = new EntryMap();
  readonly indexes: CrossEntryIndexes;
  readonly candidate: Overlay;
  /** The shared candidate with the committed node each change started from (for conflicts). */
  private readonly shared: PrivateCandidate;
  /** Who edited which node of the shared candidate. */
  private readonly owners = new EditOwners();
  private readonly confirmedListeners = new Set<(e: ConfirmedEvent) => void>();
  private readonly startupListeners = new Set<(e: { readonly by: Actor; readonly at: number }) => void>();
  readonly startedAt: number;
  private readonly commits: CommitHistory;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly sessions = new Map<number, Session>();
  private nextSessionId = 1;
  private readonly locks = new Map<DatastoreName, Session>();
  /** When each held lock was granted (clock ms), for monitoring (RFC 6022 locked-time). */
  private readonly lockTimes = new Map<DatastoreName, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly participants: Participant[] = [];
  private pending: PendingConfirmed | null;
  private confirmTimer: TimerHandle | null = null;
  private auditTimer: TimerHandle | null = null;
  private closed = false;
  private startupCache: EntryMap | null = null;
  /** Why commits are refused for now (a software upgrade copying the configuration), or null. */
  private frozen: string | null = null;
  private readonly auditSyncMs: number;
  /** The engine's own session, for reverts and other acts of the system. */
  readonly systemSession: Session;

  constructor(options: EngineOptions) {
    this.schema = options.schema;
    this.store = options.store;
    this.log = options.logger;
    this.clock = options.clock ?? systemClock;
    this.auditSyncMs = options.auditSyncMs ?? 250;
    this.startedAt = this.clock.now();
    this.indexes = new CrossEntryIndexes(this.schema);
    this.loadInto(this.running, 'running');
    this.candidate = new Overlay(this.running);
    this.shared = { overlay: this.candidate, origins: new Map() };
    this.commits = new CommitHistory(this.schema, this.store, this.running, options.olderVersions);
    this.systemSession = new Session(0, SYSTEM, this.startedAt);
    this.pending = parsePending(this.store.meta(CONFIRMED_META_KEY));
  }

  /** Resumes a confirmed commit left pending by a previous run (reverting now if it is due or orphaned). */
  async start(): Promise<void> {
    const p = this.pending;
    if (!p) return;
    if (p.persist === null && p.anySession !== true) {
      this.log.warn({ rollbackTo: p.rollbackTo }, 'a confirmed commit was pending when the daemon stopped; its session is gone, reverting');
      await this.revertConfirmed('the session of the confirmed commit ended (restart)');
    } else if (p.deadline <= this.clock.now()) {
      this.log.warn({ rollbackTo: p.rollbackTo }, 'a persistent confirmed commit expired while the daemon was down; reverting');
      await this.revertConfirmed('the confirmed commit timed out');
      this.emitConfirmed({ event: 'timeout', pending: p, by: this.systemSession });
    } else {
      this.scheduleRevert(p);
    }
  }

  private loadInto(map: EntryMap, ds: 'running' | 'startup'): void {
    map.clear();
    if (map === this.running) this.indexes.clear();
    for (const n of this.store.loadNodes(ds)) {
      const entry = storedEntry(this.schema, n);
      if (!entry) throw new ConfdError('STORE_CORRUPT', `stored node ${n.path} belongs to an unknown list ${n.list}`);
      map.put(entry);
      if (map === this.running) this.indexes.update(entry.list, n.path, null, n.body);
    }
    if (!map.get('/')) throw new ConfdError('STORE_CORRUPT', `the ${ds} datastore has no root node`);
  }

  /** Resolves once every change of state queued so far (commits, session ends) is done. */
  async idle(): Promise<void> {
    await this.exclusive(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.confirmTimer?.cancel();
    this.auditTimer?.cancel();
    this.store.flushAudit();
  }

  // ---- sessions ----

  openSession(info: SessionInfo): Session {
    const s = new Session(this.nextSessionId++, info, this.clock.now());
    this.sessions.set(s.id, s);
    this.auditBestEffort(s, 'session-start', '', 'ok', info.peer ? { ...info.peer } : undefined);
    return s;
  }

  listSessions(): readonly Session[] {
    return [...this.sessions.values()];
  }

  session(id: number): Session | undefined {
    return this.sessions.get(id);
  }

  /** Ends a session: releases its locks (discarding the candidate if it held it) and reverts its unconfirmed commit. */
  async closeSession(s: Session, reason = 'closed'): Promise<void> {
    if (s.closed) return;
    s.closed = true;
    this.sessions.delete(s.id);
    await this.exclusive(async () => {
      for (const [ds, holder] of this.locks) {
        if (holder !== s) continue;
        this.locks.delete(ds);
        this.lockTimes.delete(ds);
        if (ds === 'candidate') this.clearShared();
      }
      const p = this.pending;
      if (p && p.persist === null && p.anySession !== true && p.session === s.id) {
        await this.revertConfirmedLocked('the session of the confirmed commit ended');
        this.emitConfirmed({ event: 'cancel', pending: p, by: s });
      }
      // In the queue, so that idle() covers the record.
      this.auditBestEffort(s, 'session-end', '', 'ok', { reason });
    });
  }

  async killSession(by: Session, id: number): Promise<void> {
    if (id === by.id) throw new ConfdError('TXN_BAD_ARGUMENT', 'a session cannot kill itself; use close-session');
    const target = this.sessions.get(id);
    if (!target) throw new ConfdError('TXN_NO_SUCH_SESSION', `no session ${id}`, { details: { session: id } });
    this.audit(by, 'kill-session', String(id), 'ok', { user: target.user });
    await this.closeSession(target, `killed by session ${by.id}`);
    target.onKill?.(by.id);
  }

  // ---- locks ----

  lockHolder(ds: DatastoreName): Session | undefined {
    return this.locks.get(ds);
  }

  /** When the lock on `ds` was granted (clock ms), while it is held. */
  lockedSince(ds: DatastoreName): number | undefined {
    return this.lockTimes.get(ds);
  }

  lock(s: Session, ds: DatastoreName): Promise<void> {
    return this.exclusive(() => {
      const holder = this.locks.get(ds);
      if (holder) {
        this.auditBestEffort(s, 'lock', ds, 'denied', { holder: holder.id });
        throw new ConfdError('TXN_LOCK_DENIED', `the ${ds} datastore is locked by session ${holder.id} (${holder.user})`,
          { details: { session: holder.id } });
      }
      if (ds === 'running' && this.pending && (this.pending.persist !== null || this.pending.session !== s.id)) {
        // A lock on running cannot be granted while another session's confirmed commit is pending (RFC 6241 §7.5).
        this.auditBestEffort(s, 'lock', ds, 'denied', { reason: 'confirmed commit pending' });
        throw new ConfdError('TXN_LOCK_DENIED', 'a confirmed commit is pending; running cannot be locked until it is confirmed or reverted',
          { details: { session: this.pending.session } });
      }
      if (ds === 'candidate' && this.candidate.dirty) {
        this.auditBestEffort(s, 'lock', ds, 'denied', { reason: 'candidate modified' });
        throw this.sharedModified('cannot be locked');
      }
      this.audit(s, 'lock', ds, 'ok');
      this.locks.set(ds, s);
      this.lockTimes.set(ds, this.clock.now());
    });
  }

  /** Releases a lock; releasing the candidate's discards its uncommitted changes (RFC 6241 §8.3.5.2). */
  unlock(s: Session, ds: DatastoreName): Promise<void> {
    return this.exclusive(() => {
      if (this.locks.get(ds) !== s) {
        throw new ConfdError('TXN_LOCK_NOT_HELD', `this session does not hold the lock on ${ds}`);
      }
      this.audit(s, 'unlock', ds, 'ok', ds === 'candidate' && this.candidate.dirty ? { discarded: this.candidate.changes.size } : undefined);
      this.locks.delete(ds);
      this.lockTimes.delete(ds);
      if (ds === 'candidate') this.clearShared();
    });
  }

  /** TXN_LOCK_DENIED naming whose uncommitted changes the shared candidate holds. */
  sharedModified(what: string): ConfdError {
    const owners = this.sharedOwners();
    return new ConfdError('TXN_LOCK_DENIED',
      `the shared candidate holds uncommitted changes${owners.length ? ` of ${describeOwners(owners)}` : ''}; it ${what} until they are committed or discarded`,
      { details: { session: 0, owners } });
  }

  /** Sessions with pending changes in the shared candidate (they may have ended since). */
  sharedOwners(): EditOwner[] {
    return this.owners.owners(this.candidate.changes);
  }

  /** Called on each event of a confirmed commit (start, extend, complete, cancel, timeout). */
  onConfirmed(fn: (e: ConfirmedEvent) => void): () => void {
    this.confirmedListeners.add(fn);
    return () => this.confirmedListeners.delete(fn);
  }

  /** Called after each change of the startup datastore (copy-config, delete-config), with who made it. */
  onStartupChanged(fn: (e: { readonly by: Actor; readonly at: number }) => void): () => void {
    this.startupListeners.add(fn);
    return () => this.startupListeners.delete(fn);
  }

  private emitStartupChanged(by: Actor): void {
    for (const fn of this.startupListeners) {
      try { fn({ by, at: this.clock.now() }); } catch (err) { this.log.error({ err }, 'a startup listener failed'); }
    }
  }

  private emitConfirmed(event: Omit<ConfirmedEvent, 'at'>): void {
    const e: ConfirmedEvent = { ...event, at: this.clock.now() };
    for (const fn of this.confirmedListeners) {
      try { fn(e); } catch (err) { this.log.error({ err }, 'a confirmed-commit listener failed'); }
    }
  }

  private clearShared(): void {
    this.candidate.clear();
    this.shared.origins.clear();
    this.owners.clear();
  }

  private checkWritable(s: Session, ds: DatastoreName): void {
    const holder = this.locks.get(ds);
    if (holder && holder !== s) {
      throw new ConfdError('TXN_IN_USE', `the ${ds} datastore is locked by session ${holder.id} (${holder.user})`,
        { details: { session: holder.id } });
    }
  }

  // ---- reads ----

  view(ds: DatastoreName, s?: Session): DataView {
    switch (ds) {
      case 'running': return this.running;
      case 'candidate': return this.candidateOf(s);
      case 'startup': return this.startup();
    }
  }

  /** The candidate a session edits: its private one, or the shared one (also without a session). */
  candidateOf(s?: Session): Overlay {
    return s?.privateCandidate?.overlay ?? this.candidate;
  }

  /** The candidate of `s` with the origins of its changes. */
  private recordOf(s: Session): PrivateCandidate {
    return s.privateCandidate ?? this.shared;
  }

  /** Empties the candidate of `s` (after a commit or discard). */
  private resetCandidate(s: Session): void {
    if (s.privateCandidate) {
      s.privateCandidate.overlay.clear();
      s.privateCandidate.origins.clear();
    } else {
      this.clearShared();
    }
  }

  /** Notes that `s` changed `paths` of its candidate, keeping the committed node each started from. */
  private noteEdit(s: Session, paths: Iterable<string>): void {
    const rec = this.recordOf(s);
    const list = [...paths];
    for (const path of list) if (!rec.origins.has(path)) rec.origins.set(path, this.running.get(path));
    if (!s.privateCandidate) this.owners.record(s, list);
  }

  /** Gives a session its own candidate over running (CLI `configure private`). */
  startPrivateCandidate(s: Session): void {
    if (!s.privateCandidate) s.privateCandidate = { overlay: new Overlay(this.running), origins: new Map() };
  }

  endPrivateCandidate(s: Session): void {
    s.privateCandidate = undefined;
  }

  private startup(): EntryMap {
    if (!this.startupCache) {
      const map = new EntryMap();
      this.loadInto(map, 'startup');
      this.startupCache = map;
    }
    return this.startupCache;
  }

  /** The whole configuration of `ds`; with `without`, less its defaults (RFC 6243 explicit or trim). */
  getConfig(ds: DatastoreName, without?: DefaultsTrim): JsonObject {
    const view = this.view(ds);
    return materializeAll(this.schema, without ? withoutDefaults(this.schema, view, without) : view);
  }

  // ---- edits ----

  /**
   * Applies an edit to the candidate, all-or-nothing. With `testOnly` the result is fully
   * validated and then dropped.
   */
  editConfig(s: Session, edit: JsonObject, options: EditOptions & { testOnly?: boolean } = {}): Promise<void> {
    return this.exclusive(() => {
      const candidate = this.candidateOf(s);
      if (!s.privateCandidate) this.checkWritable(s, 'candidate');
      const scratch = new Overlay(candidate);
      const errors = applyEdit(this.schema, scratch, edit, options);
      if (errors.length === 0 && options.testOnly) {
        errors.push(...validateChanges(this.schema, this.indexes, scratch, this.deltas(scratch, [...candidate.changes.keys()])));
      }
      if (errors.length > 0) {
        this.auditBestEffort(s, 'edit', 'candidate', 'error', { errors: errors.length, first: errors[0]!.code, path: errors[0]!.path });
        throw validationFailed(errors);
      }
      this.guardWrite(s, 'edit', 'candidate', leavesOf(this.changesOver(scratch, candidate)));
      if (options.testOnly) return;
      this.audit(s, 'edit', 'candidate', 'ok', { nodes: scratch.changes.size, ...(s.privateCandidate ? { private: true } : {}) });
      this.noteEdit(s, scratch.changes.keys());
      candidate.absorb(scratch);
      candidate.settle(scratch.changes.keys());
    });
  }

  discardChanges(s: Session): Promise<void> {
    return this.exclusive(() => {
      if (!s.privateCandidate) this.checkWritable(s, 'candidate');
      this.audit(s, 'discard-changes', 'candidate', 'ok');
      this.resetCandidate(s);
    });
  }

  /**
   * Replaces the candidate (or startup) with the content of another datastore or a tree. From
   * a datastore, `defaults` says which of its defaults the target gets as set values (RFC 6243
   * with-defaults): explicit (the default) copies what clients set, report-all every default,
   * trim none (each becomes a default of the target again).
   */
  copyConfig(s: Session, source: DatastoreName | JsonObject, target: DatastoreName, defaults: DefaultsTrim | 'report-all' = 'explicit'): Promise<void> {
    return this.exclusive(() => {
      if (target === 'running') {
        throw new ConfdError('TXN_BAD_DATASTORE', 'running is changed only by commit (copy to the candidate, then commit)');
      }
      if (source === target) throw new ConfdError('TXN_BAD_ARGUMENT', 'source and target are the same datastore');
      this.checkWritable(s, target);
      if (target === 'startup' && source === 'running' && defaults === 'explicit') {
        this.store.copyRunningToStartup(this.auditInput(s, 'copy-config', 'startup', 'ok', { source }));
        this.startupCache = null;
        this.emitStartupChanged(s);
        return;
      }
      const tree = typeof source !== 'string' ? source : this.getConfig(source, defaults === 'report-all' ? undefined : defaults);
      const scratch = new Overlay(target === 'candidate' ? this.candidate : this.startup());
      const errors = applyEdit(this.schema, scratch, tree, { defaultOperation: 'replace' });
      if (target === 'startup' && errors.length === 0) {
        errors.push(...validateChanges(this.schema, this.indexes, scratch, this.deltas(scratch, [])));
        if (errors.length === 0) this.guardLockout(s, 'copy-config', scratch, null, false);
      }
      if (errors.length > 0) {
        this.auditBestEffort(s, 'copy-config', target, 'error', { errors: errors.length });
        throw validationFailed(errors);
      }
      this.guardWrite(s, 'copy-config', target, leavesOf(this.changesOver(scratch, target === 'candidate' ? this.candidate : this.startup())));
      if (target === 'candidate') {
        this.audit(s, 'copy-config', 'candidate', 'ok', { source: typeof source === 'string' ? source : 'inline' });
        this.noteEdit(s, scratch.changes.keys());
        this.candidate.absorb(scratch);
        this.candidate.settle(scratch.changes.keys());
      } else {
        const startup = this.startup();
        const nodes = [...startup.entries()].map((e) => scratch.get(e.path)).filter((e): e is Entry => e !== undefined);
        for (const [path, e] of scratch.changes) if (e && !startup.get(path)) nodes.push(e);
        this.store.replaceStartup(nodes.map((e) => ({ path: e.path, parent: e.parent, list: e.list?.schemaPath ?? '', body: e.body, txid: e.txid, ...(e.explicit ? { explicit: e.explicit } : {}) })),
          this.auditInput(s, 'copy-config', 'startup', 'ok', { source: typeof source === 'string' ? source : 'inline' }));
        this.startupCache = null;
        this.emitStartupChanged(s);
      }
    });
  }

  deleteConfig(s: Session, target: DatastoreName): Promise<void> {
    return this.exclusive(() => {
      if (target !== 'startup') throw new ConfdError('TXN_BAD_DATASTORE', `the ${target} datastore cannot be deleted`);
      this.checkWritable(s, target);
      const root = this.running.get('/')!;
      const emptyRoot = {};
      this.schema.root.validate(emptyRoot);
      this.store.replaceStartup([{ path: '/', parent: '', list: '', body: emptyRoot, txid: root.txid }],
        this.auditInput(s, 'delete-config', 'startup', 'ok'));
      this.startupCache = null;
      this.emitStartupChanged(s);
    });
  }

  /** Full validation of a datastore (its changes against running) or of an inline tree. */
  validate(s: Session, source: DatastoreName | JsonObject): Promise<void> {
    return this.exclusive(() => {
      let issues: readonly ConfdError[];
      if (source === 'running') {
        issues = [];
      } else if (source === 'candidate') {
        const candidate = rebase(this.running, this.recordOf(s));
        const deltas = this.deltas(candidate, []);
        issues = validateChanges(this.schema, this.indexes, candidate, deltas);
        if (issues.length === 0) this.guardLockout(s, 'validate', candidate, deltas.map((d) => d.path), false);
      } else {
        const scratch = new Overlay(this.running);
        const tree = source === 'startup' ? this.getConfig('startup') : source;
        issues = applyEdit(this.schema, scratch, tree, { defaultOperation: 'replace' });
        if (issues.length === 0) issues = validateChanges(this.schema, this.indexes, scratch, this.deltas(scratch, []));
      }
      this.audit(s, 'validate', typeof source === 'string' ? source : 'inline', issues.length ? 'error' : 'ok');
      if (issues.length > 0) throw validationFailed(issues);
    });
  }

  // ---- commit ----

  commit(s: Session, options: CommitOptions = {}): Promise<CommitOutcome> {
    return this.exclusive(async () => {
      this.checkWritable(s, 'running');
      this.checkWritable(s, 'candidate');
      const p = this.pending;
      if (p) checkAuthority(p, s.id, options.persistId);
      else if (options.persistId !== undefined) {
        throw new ConfdError('TXN_NO_CONFIRMED_COMMIT', 'no confirmed commit is pending for this persist-id');
      }
      // A confirmed commit starts or extends the window (keeping the first rollback point);
      // a plain commit while one is pending confirms it.
      const next: PendingConfirmed | null = options.confirmed ? {
        rollbackTo: p ? p.rollbackTo : this.store.lastTxid,
        deadline: this.clock.now() + (options.confirmTimeout ?? DEFAULT_CONFIRM_TIMEOUT_S) * 1000,
        persist: options.persist ?? null, session: s.id, user: s.user,
        ...(options.anySession ? { anySession: true } : {}),
      } : null;
      const meta = next || p ? { [CONFIRMED_META_KEY]: next ? JSON.stringify(next) : null } : undefined;
      // Shared or private, the candidate's changes are carried onto running as it is now: a
      // leaf someone else committed meanwhile is a conflict, never silently overwritten.
      const view = rebase(this.running, this.recordOf(s));
      const header = await this.commitView(s, view, {
        source: s.source, comment: options.comment ?? '', action: 'commit', vetoable: true, meta, force: options.force === true,
      });
      this.resetCandidate(s);
      this.setPending(next);
      if (p && !next) this.audit(s, 'confirm-commit', 'running', 'ok', { session: p.session, user: p.user });
      if (next) this.emitConfirmed({ event: p ? 'extend' : 'start', pending: next, by: s });
      else if (p) this.emitConfirmed({ event: 'complete', pending: p, by: s });
      return { header, confirmedPending: next !== null, ...(p && !next ? { confirmedPrevious: p } : {}) };
    });
  }

  /** The pending confirmed commit, if any. */
  pendingConfirmed(): PendingConfirmed | null {
    return this.pending;
  }

  cancelCommit(s: Session, persistId?: string): Promise<void> {
    return this.exclusive(async () => {
      const p = this.pending;
      if (!p) throw new ConfdError('TXN_NO_CONFIRMED_COMMIT', 'no confirmed commit is pending');
      checkAuthority(p, s.id, persistId);
      await this.revertConfirmedLocked('cancel-commit', s);
      this.emitConfirmed({ event: 'cancel', pending: p, by: s });
    });
  }

  private setPending(p: PendingConfirmed | null): void {
    this.confirmTimer?.cancel();
    this.confirmTimer = null;
    this.pending = p;
    if (p) this.scheduleRevert(p);
  }

  private scheduleRevert(p: PendingConfirmed): void {
    this.confirmTimer?.cancel();
    this.confirmTimer = this.clock.setTimer(p.deadline - this.clock.now(), () => {
      this.revertConfirmed('the confirmed commit timed out').then(
        () => this.emitConfirmed({ event: 'timeout', pending: p, by: this.systemSession }),
      ).catch((e: unknown) => {
        this.log.error({ err: e }, 'reverting the unconfirmed commit failed');
      });
    });
  }

  private revertConfirmed(reason: string): Promise<void> {
    return this.exclusive(() => this.revertConfirmedLocked(reason));
  }

  /** Restores running to its state before the pending confirmed commit. Caller holds the queue. */
  private async revertConfirmedLocked(reason: string, by: Session = this.systemSession): Promise<void> {
    const p = this.pending;
    if (!p) return;
    const target = this.stateAt(p.rollbackTo);
    await this.commitView(by, target, {
      source: 'confirmed-revert', comment: reason, action: 'revert', vetoable: false,
      meta: { [CONFIRMED_META_KEY]: null },
    });
    this.setPending(null);
    this.log.info({ rollbackTo: p.rollbackTo, reason }, 'confirmed commit reverted');
  }

  /**
   * Commits the configuration as it was after commit `txid` (rollback), as a new commit.
   */
  rollback(s: Session, txid: number, comment = ''): Promise<CommitOutcome> {
    return this.exclusive(async () => {
      this.checkWritable(s, 'running');
      if (this.pending) throw new ConfdError('TXN_CONFIRMED_PENDING', 'a confirmed commit is pending; confirm or cancel it first');
      const header = await this.commitView(s, this.stateAt(txid), {
        source: 'rollback', comment: comment || `rollback to commit ${txid}`, action: 'rollback', vetoable: true,
      });
      return { header, confirmedPending: false };
    });
  }

  /** Replaces (or merges into) running with a whole configuration tree, as one commit. */
  load(s: Session, tree: JsonObject, options: { merge: boolean; source: string; comment?: string; force?: boolean }): Promise<CommitOutcome> {
    return this.exclusive(async () => {
      this.checkWritable(s, 'running');
      if (this.pending) throw new ConfdError('TXN_CONFIRMED_PENDING', 'a confirmed commit is pending; confirm or cancel it first');
      const scratch = new Overlay(this.running);
      const errors = applyEdit(this.schema, scratch, tree, { defaultOperation: options.merge ? 'merge' : 'replace' });
      if (errors.length > 0) {
        this.auditBestEffort(s, options.source, 'running', 'error', { errors: errors.length });
        throw validationFailed(errors);
      }
      const header = await this.commitView(s, scratch, {
        source: options.source, comment: options.comment ?? '', action: options.source, vetoable: true, force: options.force === true,
      });
      return { header, confirmedPending: false };
    });
  }

  /** An overlay over running holding the configuration as it was right after commit `txid`. */
  stateAt(txid: number): Overlay {
    return this.commits.stateAt(txid);
  }

  /**
   * Leaf changes from configuration `from` to `to`, each a txid, 'running' or 'candidate'.
   */
  compare(from: number | 'running' | 'candidate', to: number | 'running' | 'candidate', s?: Session): LeafChange[] {
    const last = this.store.lastTxid;
    const asTxid = (x: number | 'running' | 'candidate') => (typeof x === 'number' ? x : last);
    const parts: NodeChange[][] = [this.commits.netChanges(asTxid(from), asTxid(to))];
    if (from === 'candidate') parts.unshift(invertChanges(this.candidateChanges(s)));
    if (to === 'candidate') parts.push(this.candidateChanges(s));
    return composeChanges(parts).sort((x, y) => x.path.localeCompare(y.path)).flatMap((c) => leafChanges(c));
  }

  private candidateChanges(s?: Session): NodeChange[] {
    return this.deltas(this.candidateOf(s), []).map((d) => ({ path: d.path, old: d.before?.body ?? null, new: d.after?.body ?? null }));
  }

  /** Who last changed the leaf at `path`, in which commit. */
  blame(path: string): CommitHeader & { sinceCreation: boolean } {
    return this.commits.blame(path);
  }

  history(limit = 50, before?: number): CommitHeader[] {
    return this.store.commitHeaders(limit, before);
  }

  /** Commits between two times (clock ms), oldest first, with their changes (RFC 5277 replay). */
  commitsBetween(startMs: number, stopMs?: number): ReplayedCommit[] {
    return this.commits.commitsBetween(startMs, stopMs);
  }

  /** When the oldest commit that can be replayed was made. */
  replayStart(): string | undefined {
    return this.commits.replayStart();
  }

  /** Node changes `view` makes over `base` (the changes of one edit). */
  private changesOver(view: Overlay, base: DataView): NodeChange[] {
    const out: NodeChange[] = [];
    for (const [path, e] of view.changes) {
      const old = base.get(path)?.body ?? null;
      const now = e?.body ?? null;
      if (old === null && now === null) continue;
      out.push({ path, old, new: now });
    }
    return out;
  }

  /** Refuses (audited) a result that leaves no administrator login, unless forced (audited as such). */
  private guardLockout(s: Session, action: string, view: DataView, paths: readonly string[] | null, force: boolean): void {
    try {
      checkLockout(this.schema, this.running, view, paths);
    } catch (e) {
      if (force) {
        this.audit(s, action, 'running', 'forced', { error: (e as ConfdError).code });
        this.log.warn({ user: s.user, action }, 'a change that leaves no administrator login was forced');
        return;
      }
      this.auditBestEffort(s, action, 'running', 'denied', { error: (e as ConfdError).code });
      throw e;
    }
  }

  /** The session's access rules must allow every change; a refusal is audited. */
  private guardWrite(s: Session, action: string, target: string, leaves: () => readonly LeafChange[]): void {
    if (!s.guard) return;
    try {
      s.guard.checkWrite(leaves);
    } catch (e) {
      this.auditBestEffort(s, action, target, 'denied', { error: (e as ConfdError).code, path: (e as ConfdError).path });
      throw e;
    }
  }

  // ---- participants ----

  addParticipant(p: Participant): void {
    this.participants.push(p);
  }

  removeParticipant(p: Participant): void {
    const i = this.participants.indexOf(p);
    if (i >= 0) this.participants.splice(i, 1);
  }

  // ---- the pipeline ----

  /** Changed nodes of `view` against running: its own changes plus `extraPaths` (changes of its bases). */
  private deltas(view: Overlay, extraPaths: readonly string[]): NodeDelta[] {
    const out: NodeDelta[] = [];
    const seen = new Set<string>();
    const consider = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      const before = this.running.get(path);
      const after = view.get(path) ?? null;
      if (after === null && before === undefined) return;
      if (after !== null && before !== undefined && sameNode(after, before)) return;
      out.push({ path, before, after });
    };
    for (const path of view.changes.keys()) consider(path);
    for (const path of extraPaths) consider(path);
    return out;
  }

  /** Refuses every commit until called with null (the upgrade manager, while it copies the configuration). */
  freeze(reason: string | null): void {
    this.frozen = reason;
  }

  /**
   * Full validation of running (every node, every cross-entry rule): the health check of a
   * freshly booted version. O(configuration).
   */
  validateRunning(): readonly ConfdError[] {
    // Copies: validation fills defaults in place, and committed bodies are frozen.
    const deltas: NodeDelta[] = [...this.running.entries()].map((e) => ({ path: e.path, before: undefined, after: { ...e, body: cloneJson(e.body) } }));
    const empty = new CrossEntryIndexes(this.schema);
    return validateChanges(this.schema, empty, this.running, deltas);
  }

  private async commitView(
    s: Session, view: Overlay,
    how: { source: string; comment: string; action: string; vetoable: boolean; meta?: Record<string, string | null> | undefined; force?: boolean },
  ): Promise<CommitHeader | null> {
    if (this.frozen !== null) {
      throw new ConfdError('TXN_IN_USE', `commits are suspended: ${this.frozen}`, { details: { reason: this.frozen } });
    }
    const deltas = this.deltas(view, []);
    if (deltas.length === 0) {
      for (const [k, v] of Object.entries(how.meta ?? {})) this.store.setMeta(k, v);
      return null;
    }
    const issues = validateChanges(this.schema, this.indexes, view, deltas);
    // Clear text is hashed by confd/rpc before a commit; one that got through is never stored.
    for (const d of deltas) {
      if (d.after && typeof d.after.body['plain-text-password'] === 'string') {
        issues.push(new ConfdError('TXN_BAD_ARGUMENT', 'a clear-text password must be hashed before it is committed', { path: `${d.path}/plain-text-password` }));
      }
    }
    if (issues.length > 0) {
      this.auditBestEffort(s, how.action, 'running', 'error', { errors: issues.length, first: issues[0]!.code, path: issues[0]!.path });
      throw validationFailed(issues);
    }
    // A revert restores a state running had; everything else must leave an administrator a way in.
    if (how.vetoable) this.guardLockout(s, how.action, view, deltas.map((d) => d.path), how.force === true);
    const changes: NodeChange[] = deltas.map((d) => nodeChange(d.path, d.before?.body ?? null, d.before?.explicit, d.after?.body ?? null, d.after?.explicit));
    const event = commitEvent(this.store.lastTxid + 1, s, how.source, how.comment, changes);
    // The event computes the leaf changes once, for the access check and every participant.
    this.guardWrite(s, how.action, 'running', event.leafChanges);
    const prepared = how.vetoable ? await this.prepare(event) : [];
    const placement = new Map<string, { parent: string; list: string; explicit: readonly string[] | undefined }>();
    for (const d of deltas) if (d.after) placement.set(d.path, { parent: d.after.parent, list: d.after.list?.schemaPath ?? '', explicit: d.after.explicit });
    let header: CommitHeader;
    try {
      header = this.store.commit({
        user: s.user, session: s.id, source: how.source, comment: how.comment, changes, placement,
        audit: this.auditInput(s, how.action, 'running', 'ok', { nodes: changes.length, comment: how.comment || undefined }),
        ...(how.meta ? { meta: how.meta } : {}),
      });
    } catch (e) {
      for (const p of prepared.reverse()) p.abort?.(event);
      this.auditBestEffort(s, how.action, 'running', 'error', { error: (e as ConfdError).code ?? 'INTERNAL' });
      throw e;
    }
    for (const d of deltas) {
      if (d.after) this.running.put({ ...d.after, txid: header.txid });
      else this.running.delete(d.path);
      this.indexes.update(d.before?.list ?? d.after?.list ?? null, d.path, d.before?.body ?? null, d.after?.body ?? null);
    }
    const done = { ...event, txid: header.txid, time: header.time };
    for (const p of this.participants) {
      try { p.committed?.(done); } catch (e) { this.log.error({ err: e, participant: p.name }, 'participant failed after commit'); }
    }
    this.log.info({ txid: header.txid, user: s.user, source: how.source, nodes: changes.length }, 'commit');
    return header;
  }

  /** Asks participants in order; on a veto, aborts those already prepared, in reverse order. */
  private async prepare(event: CommitEvent): Promise<Participant[]> {
    const prepared: Participant[] = [];
    for (const p of this.participants) {
      if (!p.prepare) continue;
      try {
        await p.prepare(event);
        prepared.push(p);
      } catch (e) {
        for (const q of prepared.reverse()) q.abort?.(event);
        const err = e instanceof ConfdError ? e
          : new ConfdError('TXN_VETOED', `${p.name} rejected the change: ${(e as Error).message}`, { details: { participant: p.name } });
        const vetoedBy = typeof err.details?.subscriber === 'string' ? err.details.subscriber : p.name;
        this.auditBestEffort(this.sessions.get(event.session) ?? this.systemSession, 'commit', 'running', 'denied',
          { vetoedBy, reason: err.message, source: event.source });
        throw err;
      }
    }
    return prepared;
  }

  /** Runs `fn` after every earlier state change has finished. */
  private exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- audit ----

  private auditInput(s: Actor, action: string, target: string, result: string, detail?: Record<string, unknown>): AuditInput {
    return {
      user: s.user, source: s.source, address: s.address, session: s.id, action, target, result,
      ...(detail ? { detail: dropUndefined(detail) } : {}),
    };
  }

  /** Records an action that must not fail for want of a record (failures, session ends): a write error is logged, not thrown. */
  auditBestEffort(s: Actor, action: string, target: string, result: string, detail?: Record<string, unknown>): void {
    try {
      this.audit(s, action, target, result, detail);
    } catch {
      // already logged by audit()
    }
  }

  /** Records an action in the audit chain (written durably within auditSyncMs, or by the next commit). */
  audit(s: Actor, action: string, target: string, result: string, detail?: Record<string, unknown>): void {
    const input = this.auditInput(s, action, target, result, detail);
    try {
      this.store.appendAudit(input);
    } catch (e) {
      this.log.error({ err: e, action }, 'audit record could not be written');
      throw e;
    }
    for (const fn of this.auditObservers) fn(input);
    // Once closed no timer may outlive the engine: a late record is written through.
    if (this.closed) this.store.flushAudit();
    else if (!this.auditTimer) {
      this.auditTimer = this.clock.setTimer(this.auditSyncMs, () => {
        this.auditTimer = null;
        try { this.store.flushAudit(); } catch (e) { this.log.error({ err: e }, 'writing the audit log failed'); }
      });
    }
  }

  /** Called with every audit record once it is in the chain (monitoring counts logins, failures, reverts); must not throw. */
  readonly auditObservers: Array<(record: AuditInput) => void> = [];

  /** Facts for monitoring. */
  status(): { uptimeMs: number; commits: number; lastCommit: CommitHeader | undefined; sessions: number; nodes: number } {
    return {
      uptimeMs: this.clock.now() - this.startedAt,
      commits: this.store.lastTxid,
      lastCommit: this.store.commitHeaders(1)[0],
      sessions: this.sessions.size,
      nodes: this.running.size,
    };
  }
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** The leaf changes of `changes`, computed when first asked for. */
function leavesOf(changes: readonly NodeChange[]): () => LeafChange[] {
  let leaves: LeafChange[] | undefined;
  return () => (leaves ??= changes.flatMap((c) => leafChanges(c)));
}

function commitEvent(txid: number, s: Session, source: string, comment: string, changes: NodeChange[]): CommitEvent {
  return { txid, time: new Date().toISOString(), user: s.user, session: s.id, source, comment, changes, leafChanges: leavesOf(changes) };
}
