/**
 * @module confd/rpc/operations
 * The protocol-neutral operations every northbound interface offers (NETCONF, the CLI, the
 * local socket): reads, edits, commits, history, backup, restore, import/export, audit. Each
 * takes the caller's Session. Northbound layers translate their wire format to these calls
 * and their results back; they never reach the engine or the store themselves.
 */
import { existsSync, statSync } from 'node:fs';
import { SocketClient } from '../northbound/socket/client.js';
import { isPathWithin } from '../core/path.js';
import type { Logger } from 'pino';
import type { LeafChange } from '../core/diff.js';
import { ConfdError } from '../core/errors.js';
import type { JsonObject } from '../core/tree.js';
import type { AuditRecord } from '../store/audit-chain.js';
import { verifyAudit, type AuditVerdict } from '../store/audit-verify.js';
import { inspectBackup } from '../store/backup-file.js';
import type { AuditQuery, CommitHeader } from '../store/store.js';
import type { EditOptions } from '../txn/edit.js';
import type { CommitOptions, CommitOutcome, ConfigEngine, DatastoreName } from '../txn/engine.js';
import { materializeAll } from '../txn/materialize.js';
import { type DefaultsTrim, withoutDefaults } from '../txn/defaults-view.js';
import { EntryMap, storedEntry } from '../txn/datastore.js';
import type { Session, SessionInfo } from '../txn/session.js';
import { AccessControl, redactChange, type Group } from '../auth/access.js';
import { configuredRules, findUser } from '../auth/users.js';
import { runningWithState, type StateContext } from '../monitor/state.js';
import { hashCandidatePasswords, hashTreePasswords } from './clear-passwords.js';
import { selectConfig } from './select.js';
import type { Selector } from './selector.js';

export interface RollbackTarget {
  /** Restore the configuration as it was right after this commit… */
  readonly txid?: number;
  /** …or as it was this many commits back (0 is the current configuration). */
  readonly back?: number;
}

/** Sources whose users are trusted local operators: admin unless the configuration says otherwise. */
const LOCAL_SOURCES: ReadonlySet<string> = new Set(['socket', 'local', 'system', 'cli', 'daemon']);

export class Operations {
  private readonly access = new WeakMap<Session, { version: number; control: AccessControl }>();
  /** Bumped by every commit that touches users or access rules: the access rules are rebuilt then. */
  private policyVersion = 0;
  /** Schema paths of the x-sensitive leaves: only the admin group reads them. */
  private readonly sensitive: readonly string[];

  constructor(
    readonly engine: ConfigEngine, private readonly log: Logger,
    /** The boot loader's control socket, when the appliance was started by it (software operations). */
    private readonly bootSocket?: string,
  ) {
    this.sensitive = [...engine.schema.nodes.values()]
      .filter((n) => (n.kind === 'leaf' || n.kind === 'leaf-list') && n.sensitive).map((n) => n.schemaPath);
    engine.addParticipant({
      name: 'access-rules',
      committed: (e) => {
        if (e.leafChanges().some((c) => isPathWithin(c.path, '/system/users') || isPathWithin(c.path, '/system/access'))) this.policyVersion++;
      },
    });
  }

  /**
   * Relays a software operation (software.status, software.add, software.rollback) to the
   * boot loader, which runs install jobs: they must outlive this daemon's restarts.
   */
  async software(s: Session, method: 'software.status' | 'software.add' | 'software.rollback' | 'software.confirm' | 'software.sanity-check', params: Record<string, unknown>): Promise<unknown> {
    this.authorize(s, method.replace('.', '-'));
    if (!this.bootSocket || !existsSync(this.bootSocket)) {
      throw new ConfdError('TXN_NOT_SUPPORTED', 'no upgrade manager: the appliance was not started by its boot loader');
    }
    const client = await SocketClient.connect(this.bootSocket, s.user, 'confd', 'daemon');
    try {
      const r = await client.request(method, { ...params, user: s.user, source: s.source, address: s.address, relayed: true });
      this.engine.audit(s, method.replace('.', '-'), String(params.bundle ?? ''), 'ok');
      return r;
    } catch (e) {
      this.engine.auditBestEffort(s, method.replace('.', '-'), String(params.bundle ?? ''), 'error', { error: (e as ConfdError).code });
      throw e;
    } finally {
      client.close();
    }
  }

  /**
   * Opens a session whose every operation is checked against the access rules of its user's
   * group. Users of the local socket are trusted operators: they act as admin unless they are
   * configured users, whose role then applies.
   */
  openSession(info: SessionInfo): Session {
    const s = this.engine.openSession(info);
    s.guard = { checkWrite: (leaves) => this.accessFor(s).checkWrite(leaves) };
    return s;
  }

  /** The access rules in force for `s`, rebuilt after a commit changes users or rules (they are configuration). */
  accessFor(s: Session): AccessControl {
    const version = this.policyVersion;
    const cached = this.access.get(s);
    if (cached && cached.version === version) return cached.control;
    const user = findUser(this.engine, s.user);
    // A local-socket client has the role the kernel's uid gives it (confd/auth/local-identity):
    // a console admin, or its mapped user's role (none once that user is removed). An in-process
    // session (never a network login, even of a user removed since) falls back to admin.
    const local = s.address === 'local' && LOCAL_SOURCES.has(s.source);
    const group: Group | null = s.peer ? (s.peer.console ? 'admin' : user?.role ?? null) : user ? user.role : local ? 'admin' : null;
    const control = new AccessControl(s.user, group, configuredRules(this.engine), this.sensitive);
    this.access.set(s, { version, control });
    return control;
  }

  /** Checks that `s` may run `operation`; a refusal is audited. */
  authorize(s: Session, operation: string): void {
    try {
      this.accessFor(s).checkExec(operation);
    } catch (e) {
      this.engine.auditBestEffort(s, operation, '', 'denied', { error: 'ACCESS_DENIED' });
      throw e;
    }
  }

  closeSession(s: Session, reason?: string): Promise<void> {
    return this.engine.closeSession(s, reason);
  }

  /** The selected configuration of `source`; with `without`, less its defaults (RFC 6243 explicit or trim). */
  getConfig(s: Session, source: DatastoreName, selector?: Selector, without?: DefaultsTrim): JsonObject {
    this.authorize(s, 'get-config');
    const view = this.engine.view(source, s);
    return this.readable(s, selectConfig(this.engine.schema, without ? withoutDefaults(this.engine.schema, view, without) : view, selector));
  }

  /**
   * Enters configuration mode (the CLI's `configure`): `exclusive` locks the candidate,
   * `private` gives the session its own candidate, `shared` edits the shared one.
   */
  async enterConfigure(s: Session, mode: 'shared' | 'private' | 'exclusive'): Promise<void> {
    this.authorize(s, 'configure');
    const holder = this.engine.lockHolder('candidate');
    if (holder && holder !== s) {
      // Refused at the door, as Junos does: every edit would fail under the lock anyway.
      this.engine.auditBestEffort(s, 'configure', mode, 'denied', { holder: holder.id });
      const how = holder.editing === 'exclusive' ? 'configure exclusive' : `${holder.source} lock`;
      throw new ConfdError('TXN_IN_USE', `the configuration is locked by session ${holder.id} (${holder.user}, ${how})`,
        { details: { session: holder.id, user: holder.user, how } });
    }
    if (mode === 'private' && this.engine.candidate.dirty) {
      // A private commit and a later shared one would overwrite each other's leaves.
      this.engine.auditBestEffort(s, 'configure', mode, 'denied', { reason: 'shared candidate modified' });
      throw this.engine.sharedModified('must be empty to enter configure private');
    }
    if (mode === 'exclusive') await this.engine.lock(s, 'candidate');
    if (mode === 'private') this.engine.startPrivateCandidate(s);
    s.editing = mode;
    this.engine.audit(s, 'configure', mode, 'ok');
  }

  /** Leaves configuration mode, discarding a private candidate (and releasing an exclusive lock). */
  async exitConfigure(s: Session): Promise<void> {
    if (s.editing === 'exclusive' && this.engine.lockHolder('candidate') === s) await this.engine.unlock(s, 'candidate');
    this.engine.endPrivateCandidate(s);
    s.editing = undefined;
  }

  /**
   * Who is editing: sessions in configuration mode, and how many nodes each changed (in the
   * shared candidate, the nodes that session edited).
   */
  editors(): Array<{ session: number; user: string; address: string; mode: string; since: string; pending: number }> {
    const owned = new Map(this.engine.sharedOwners().map((o) => [o.session, o.nodes]));
    return this.engine.listSessions().filter((x) => x.editing).map((x) => ({
      session: x.id, user: x.user, address: x.address, mode: x.editing!, since: new Date(x.startedAt).toISOString(),
      pending: x.privateCandidate ? x.privateCandidate.overlay.changes.size : owned.get(x.id) ?? 0,
    }));
  }

  /** Whose uncommitted changes the candidate of `s` holds (the shared one: by session; a private one: its own). */
  candidateOwners(s: Session): Array<{ session: number; user: string; nodes: number; self: boolean; active: boolean }> {
    this.authorize(s, 'get-config');
    const pc = s.privateCandidate;
    const owners = pc ? (pc.overlay.dirty ? [{ session: s.id, user: s.user, nodes: pc.overlay.changes.size }] : []) : this.engine.sharedOwners();
    return owners.map((o) => ({ ...o, self: o.session === s.id, active: this.engine.session(o.session) !== undefined }));
  }

  /** Loads the configuration as of `back` commits ago into the session's candidate (CLI `rollback N`). */
  async loadRollback(s: Session, back: number): Promise<void> {
    this.authorize(s, 'edit-config');
    if (back === 0) return this.engine.discardChanges(s);
    const tree = materializeAll(this.engine.schema, this.engine.stateAt(this.txidOf({ back })));
    return this.engine.editConfig(s, tree, { defaultOperation: 'replace' });
  }

  /** Configuration and read-only state (NETCONF get), with the same selection and read rules. */
  get(s: Session, selector: Selector | undefined, state: StateContext, without?: DefaultsTrim): JsonObject {
    this.authorize(s, 'get');
    const view = runningWithState(state);
    return this.readable(s, selectConfig(this.engine.schema, without ? withoutDefaults(this.engine.schema, view, without) : view, selector, { withState: true }));
  }

  /** `tree` without what the session may not read. */
  readable(s: Session, tree: JsonObject): JsonObject {
    return this.accessFor(s).filterRead(tree);
  }

  async editConfig(s: Session, edit: JsonObject, options?: EditOptions & { testOnly?: boolean }): Promise<void> {
    this.authorize(s, 'edit-config');
    return this.engine.editConfig(s, edit, options);
  }

  async commit(s: Session, options?: CommitOptions): Promise<CommitOutcome> {
    this.authorize(s, 'commit');
    await hashCandidatePasswords(this.engine, s);
    return this.engine.commit(s, options);
  }

  async cancelCommit(s: Session, persistId?: string): Promise<void> {
    this.authorize(s, 'cancel-commit');
    return this.engine.cancelCommit(s, persistId);
  }

  async discardChanges(s: Session): Promise<void> {
    this.authorize(s, 'discard-changes');
    return this.engine.discardChanges(s);
  }

  async validate(s: Session, source: DatastoreName | JsonObject): Promise<void> {
    this.authorize(s, 'validate');
    return this.engine.validate(s, source);
  }

  async lock(s: Session, ds: DatastoreName): Promise<void> {
    this.authorize(s, 'lock');
    return this.engine.lock(s, ds);
  }

  async unlock(s: Session, ds: DatastoreName): Promise<void> {
    this.authorize(s, 'unlock');
    return this.engine.unlock(s, ds);
  }

  async copyConfig(s: Session, source: DatastoreName | JsonObject, target: DatastoreName, defaults?: DefaultsTrim | 'report-all'): Promise<void> {
    this.authorize(s, 'copy-config');
    return this.engine.copyConfig(s, source, target, defaults);
  }

  async deleteConfig(s: Session, target: DatastoreName): Promise<void> {
    this.authorize(s, 'delete-config');
    return this.engine.deleteConfig(s, target);
  }

  async killSession(s: Session, id: number): Promise<void> {
    this.authorize(s, 'kill-session');
    return this.engine.killSession(s, id);
  }

  /** Makes a new commit restoring an earlier configuration. */
  async rollback(s: Session, target: RollbackTarget, comment?: string): Promise<CommitOutcome> {
    this.authorize(s, 'rollback');
    return this.engine.rollback(s, this.txidOf(target), comment);
  }

  private txidOf(target: RollbackTarget): number {
    if (target.txid !== undefined) return target.txid;
    const back = target.back ?? 0;
    if (!Number.isInteger(back) || back < 0) throw new ConfdError('TXN_BAD_ARGUMENT', 'rollback takes a number of commits back, 0 or more');
    return this.engine.store.lastTxid - back;
  }

  compare(s: Session, from: number | 'running' | 'candidate', to: number | 'running' | 'candidate'): LeafChange[] {
    this.authorize(s, 'compare');
    const ac = this.accessFor(s);
    return this.engine.compare(from, to, s).map((c) => redactChange(ac, c)).filter((c): c is LeafChange => c !== null);
  }

  history(s: Session, limit?: number, before?: number): CommitHeader[] {
    this.authorize(s, 'history');
    return this.engine.history(limit, before);
  }

  blame(s: Session, path: string): CommitHeader & { sinceCreation: boolean } {
    this.authorize(s, 'blame');
    this.accessFor(s).check('read', path);
    return this.engine.blame(path);
  }

  exportConfig(s: Session): JsonObject {
    this.authorize(s, 'export');
    return this.readable(s, this.engine.getConfig('running'));
  }

  /** Replaces running with `tree` (or merges it in) as one validated, audited commit. */
  async importConfig(s: Session, tree: JsonObject, options: { merge: boolean; comment?: string; force?: boolean }): Promise<CommitOutcome> {
    this.authorize(s, 'import');
    return this.engine.load(s, await hashTreePasswords(tree), {
      merge: options.merge, source: 'import', comment: options.comment ?? '', force: this.forceAllowed(s, options.force),
    });
  }

  /**
   * `force` (commit a configuration that leaves no administrator login) is for a technician
   * at the console only: a local session of a trusted local source, never one from the network.
   */
  private forceAllowed(s: Session, force: boolean | undefined): boolean {
    if (force !== true) return false;
    if (s.address !== 'local' || !LOCAL_SOURCES.has(s.source) || s.source === 'cli' || s.peer?.console === false) {
      throw new ConfdError('ACCESS_DENIED', 'force is only accepted from a local tool at the console', { details: { user: s.user } });
    }
    return true;
  }

  /** With `checkpoint`, the copy's audit checkpoint is written there (a copy that becomes a database: an upgrade's slot). */
  async backup(s: Session, file: string, checkpoint?: string): Promise<{ file: string; bytes: number }> {
    this.authorize(s, 'backup');
    try {
      await this.engine.store.backup(file, checkpoint);
    } catch (e) {
      this.engine.audit(s, 'backup', file, 'error', { error: (e as ConfdError).code });
      throw e;
    }
    const bytes = statSync(file).size;
    this.engine.audit(s, 'backup', file, 'ok', { bytes });
    this.log.info({ file, bytes }, 'backup written');
    return { file, bytes };
  }

  /**
   * Restores the configuration held in a backup file as one commit. The file is checked all
   * the way through first; history and audit of this device continue (the restore is a commit
   * in them).
   */
  async restore(s: Session, file: string, force?: boolean): Promise<CommitOutcome> {
    this.authorize(s, 'restore');
    const forced = this.forceAllowed(s, force);
    let tree: JsonObject;
    try {
      const contents = inspectBackup(file, this.engine.schema.version);
      const map = new EntryMap();
      for (const n of contents.running) {
        const entry = storedEntry(this.engine.schema, n);
        if (!entry) throw new ConfdError('STORE_BAD_BACKUP', `the backup holds a node of unknown list ${n.list}`);
        map.put(entry);
      }
      tree = materializeAll(this.engine.schema, map);
    } catch (e) {
      this.engine.audit(s, 'restore', file, 'error', { error: (e as ConfdError).code ?? 'INTERNAL' });
      throw e;
    }
    return this.engine.load(s, tree, { merge: false, source: 'restore', comment: `restore from ${file}`, force: forced });
  }

  /** Verifies the chain and its checkpoint; writes nothing. */
  auditVerify(s: Session): AuditVerdict {
    this.authorize(s, 'audit-verify');
    const store = this.engine.store;
    return verifyAudit(store.auditRecords(), store.auditEvidence());
  }

  auditShow(s: Session, query: AuditQuery): AuditRecord[] {
    this.authorize(s, 'audit-show');
    return this.engine.store.queryAudit(query);
  }

  status(s: Session): ReturnType<ConfigEngine['status']> {
    this.authorize(s, 'status');
    return this.engine.status();
  }
}
