/**
 * @module confd/rpc/commit-edit
 * One edit as one commit, for northbound interfaces without a candidate of their own
 * (RESTCONF): the edit goes into a private candidate of the session (so nobody's shared
 * candidate is touched), the caller's precondition is checked once the edit is in (a commit
 * made since the check is caught by the commit's rebase as a conflict), then the commit;
 * access checks, validation, prepare/veto and audit are those of editConfig and commit.
 */
import { ConfdError } from '../core/errors.js';
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

/**
 * Applies `edit` (or each of several, in order: a YANG Patch) and commits them as one. An edit
 * that fails is thrown with `details.edit`, its index, and nothing is committed.
 */
export async function commitEdit(ops: Operations, s: Session, edit: JsonObject | readonly JsonObject[], options: CommitEditOptions = {}): Promise<CommitOutcome> {
  const edits = Array.isArray(edit) ? edit : [edit as JsonObject];
  ops.engine.startPrivateCandidate(s);
  try {
    for (let i = 0; i < edits.length; i++) {
      try {
        await ops.editConfig(s, edits[i]!, { ...(options.defaultOperation ? { defaultOperation: options.defaultOperation } : {}), errorOption: 'rollback-on-error' });
      } catch (e) {
        if (!(e instanceof ConfdError) || !Array.isArray(edit)) throw e;
        throw new ConfdError(e.code, e.message, { ...(e.path !== undefined ? { path: e.path } : {}), details: { ...e.details, edit: i }, issues: e.issues, cause: e });
      }
    }
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
