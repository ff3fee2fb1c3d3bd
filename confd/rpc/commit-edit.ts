/**
 * @module confd/rpc/commit-edit
 * One edit as one commit, for northbound interfaces without a candidate of their own
 * (RESTCONF): the edit goes into a private candidate of the session (so nobody's shared
 * candidate is touched), the caller's precondition is checked once the edit is in (a commit
 * made since the check is caught by the commit's rebase as a conflict), then the commit;
 * access checks, validation, prepare/veto and audit are those of editConfig and commit.
 */
import type { JsonObject } from '../core/tree.js';
import type { DefaultOperation } from '../core/edit.js';
import type { CommitOutcome } from '../txn/engine.js';
import type { Session } from '../txn/session.js';
import type { Operations } from './operations.js';

export interface CommitEditOptions {
  readonly defaultOperation?: DefaultOperation;
  readonly comment?: string;
  /** Throws to refuse the write (an If-Match that no longer holds); run after the edit, before the commit. */
  readonly precondition?: () => void;
}

export async function commitEdit(ops: Operations, s: Session, edit: JsonObject, options: CommitEditOptions = {}): Promise<CommitOutcome> {
  ops.engine.startPrivateCandidate(s);
  try {
    await ops.editConfig(s, edit, { ...(options.defaultOperation ? { defaultOperation: options.defaultOperation } : {}), errorOption: 'rollback-on-error' });
    options.precondition?.();
    return await ops.commit(s, { ...(options.comment ? { comment: options.comment } : {}) });
  } finally {
    ops.engine.endPrivateCandidate(s);
  }
}

/** The version of running that entity tags name: the last commit's txid and time. */
export function runningVersion(ops: Operations): { txid: number; time: string | undefined } {
  const txid = ops.engine.store.lastTxid;
  return { txid, time: txid > 0 ? ops.engine.history(1)[0]?.time : undefined };
}
