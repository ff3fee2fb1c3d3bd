/**
 * @module confd/rpc/operations
 * The protocol-neutral operations every northbound interface offers (NETCONF, the CLI, the
 * local socket): reads, edits, commits, history, backup, restore, import/export, audit. Each
 * takes the caller's Session. Northbound layers translate their wire format to these calls
 * and their results back; they never reach the engine or the store themselves.
 */
import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { LeafChange } from '../core/diff.js';
import { ConfdError } from '../core/errors.js';
import type { JsonObject } from '../core/tree.js';
import { verifyChain, type ChainVerdict } from '../store/audit-chain.js';
import { inspectBackup, type AuditQuery, type CommitHeader } from '../store/store.js';
import type { AuditRecord } from '../store/audit-chain.js';
import type { EditOptions } from '../txn/edit.js';
import type { CommitOptions, CommitOutcome, ConfigEngine, DatastoreName } from '../txn/engine.js';
import { materializeAll } from '../txn/materialize.js';
import { EntryMap } from '../txn/datastore.js';
import type { Session, SessionInfo } from '../txn/session.js';
import { selectConfig } from './select.js';
import type { Selector } from './selector.js';

export interface RollbackTarget {
  /** Restore the configuration as it was right after this commit… */
  readonly txid?: number;
  /** …or as it was this many commits back (0 is the current configuration). */
  readonly back?: number;
}

export class Operations {
  constructor(readonly engine: ConfigEngine, private readonly log: Logger) {}

  openSession(info: SessionInfo): Session {
    return this.engine.openSession(info);
  }

  closeSession(s: Session, reason?: string): Promise<void> {
    return this.engine.closeSession(s, reason);
  }

  getConfig(_s: Session, source: DatastoreName, selector?: Selector): JsonObject {
    return selectConfig(this.engine.schema, this.engine.view(source), selector);
  }

  editConfig(s: Session, edit: JsonObject, options?: EditOptions & { testOnly?: boolean }): Promise<void> {
    return this.engine.editConfig(s, edit, options);
  }

  commit(s: Session, options?: CommitOptions): Promise<CommitOutcome> {
    return this.engine.commit(s, options);
  }

  cancelCommit(s: Session, persistId?: string): Promise<void> {
    return this.engine.cancelCommit(s, persistId);
  }

  discardChanges(s: Session): Promise<void> {
    return this.engine.discardChanges(s);
  }

  validate(s: Session, source: DatastoreName | JsonObject): Promise<void> {
    return this.engine.validate(s, source);
  }

  lock(s: Session, ds: DatastoreName): Promise<void> {
    return this.engine.lock(s, ds);
  }

  unlock(s: Session, ds: DatastoreName): Promise<void> {
    return this.engine.unlock(s, ds);
  }

  copyConfig(s: Session, source: DatastoreName | JsonObject, target: DatastoreName): Promise<void> {
    return this.engine.copyConfig(s, source, target);
  }

  deleteConfig(s: Session, target: DatastoreName): Promise<void> {
    return this.engine.deleteConfig(s, target);
  }

  killSession(s: Session, id: number): Promise<void> {
    return this.engine.killSession(s, id);
  }

  /** Makes a new commit restoring an earlier configuration. */
  rollback(s: Session, target: RollbackTarget, comment?: string): Promise<CommitOutcome> {
    return this.engine.rollback(s, this.txidOf(target), comment);
  }

  private txidOf(target: RollbackTarget): number {
    if (target.txid !== undefined) return target.txid;
    const back = target.back ?? 0;
    if (!Number.isInteger(back) || back < 0) throw new ConfdError('TXN_BAD_ARGUMENT', 'rollback takes a number of commits back, 0 or more');
    return this.engine.store.lastTxid - back;
  }

  compare(_s: Session, from: number | 'running' | 'candidate', to: number | 'running' | 'candidate'): LeafChange[] {
    return this.engine.compare(from, to);
  }

  history(_s: Session, limit?: number, before?: number): CommitHeader[] {
    return this.engine.history(limit, before);
  }

  blame(_s: Session, path: string): CommitHeader & { sinceCreation: boolean } {
    return this.engine.blame(path);
  }

  exportConfig(_s: Session): JsonObject {
    return this.engine.getConfig('running');
  }

  /** Replaces running with `tree` (or merges it in) as one validated, audited commit. */
  importConfig(s: Session, tree: JsonObject, options: { merge: boolean; comment?: string }): Promise<CommitOutcome> {
    return this.engine.load(s, tree, { merge: options.merge, source: 'import', comment: options.comment ?? '' });
  }

  async backup(s: Session, file: string): Promise<{ file: string; bytes: number }> {
    try {
      await this.engine.store.backup(file);
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
  async restore(s: Session, file: string): Promise<CommitOutcome> {
    let tree: JsonObject;
    try {
      const contents = inspectBackup(file, this.engine.schema.version);
      const map = new EntryMap();
      for (const n of contents.running) {
        const list = n.list === '' ? null : this.engine.schema.lists.get(n.list);
        if (list === undefined) throw new ConfdError('STORE_BAD_BACKUP', `the backup holds a node of unknown list ${n.list}`);
        map.put({ path: n.path, parent: n.parent, list, body: n.body, txid: n.txid });
      }
      tree = materializeAll(this.engine.schema, map);
    } catch (e) {
      this.engine.audit(s, 'restore', file, 'error', { error: (e as ConfdError).code ?? 'INTERNAL' });
      throw e;
    }
    return this.engine.load(s, tree, { merge: false, source: 'restore', comment: `restore from ${file}` });
  }

  auditVerify(): ChainVerdict {
    return verifyChain(this.engine.store.auditRecords());
  }

  auditShow(query: AuditQuery): AuditRecord[] {
    return this.engine.store.queryAudit(query);
  }

  status(): ReturnType<ConfigEngine['status']> {
    return this.engine.status();
  }
}
