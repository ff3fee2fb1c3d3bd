/**
 * @module confd/txn/confirmed
 * The pending state of a confirmed commit (RFC 6241 §8.4, :confirmed-commit:1.1) and who may
 * act on it. The state is persisted with the commit that starts it, so a restart inside the
 * window still reverts on time.
 */
import { ConfdError } from '../core/errors.js';

export interface PendingConfirmed {
  /** Running is restored to the state after this txid unless confirmed in time. */
  readonly rollbackTo: number;
  /** Epoch milliseconds. */
  readonly deadline: number;
  /** The persist token, when given: the commit then outlives its session. */
  readonly persist: string | null;
  /** Session that issued it (meaningless after a restart when persist is null). */
  readonly session: number;
  readonly user: string;
  /**
   * The CLI's kind (as Junos): it outlives its session and any session allowed to commit
   * confirms it with a plain commit. Absent in records of older builds: false.
   */
  readonly anySession?: boolean;
}

export const DEFAULT_CONFIRM_TIMEOUT_S = 600;
export const CONFIRMED_META_KEY = 'confirmed_commit';

export function parsePending(text: string | undefined): PendingConfirmed | null {
  if (!text) return null;
  return JSON.parse(text) as PendingConfirmed;
}

/**
 * Checks that a session may confirm, extend or cancel the pending commit (RFC 6241 §8.4.1):
 * with persist, any session that gives the matching persist-id; without, only the session
 * that issued it. A CLI confirmed commit (anySession) is confirmed by any session without a
 * persist-id (the caller has checked that it may commit at all).
 */
export function checkAuthority(pending: PendingConfirmed, session: number, persistId: string | undefined): void {
  if (pending.anySession === true && persistId === undefined) return;
  if (pending.persist !== null) {
    if (persistId !== pending.persist) {
      throw new ConfdError('TXN_PERSIST_ID_MISMATCH',
        persistId === undefined ? 'the pending confirmed commit is persistent: give its persist-id'
          : 'the persist-id does not match the pending confirmed commit');
    }
    return;
  }
  if (persistId !== undefined) {
    throw new ConfdError('TXN_PERSIST_ID_MISMATCH', 'the pending confirmed commit was given no persist token');
  }
  if (session !== pending.session) {
    throw new ConfdError('TXN_CONFIRMED_PENDING',
      `a confirmed commit by session ${pending.session} (${pending.user}) is pending; only that session can confirm or cancel it`,
      { details: { session: pending.session } });
  }
}
