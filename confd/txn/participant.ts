/**
 * @module confd/txn/participant
 * What the commit pipeline asks of the parties that take part in a commit (subscribers of
 * confd/notify, NETCONF notification streams): prepare may veto before the commit becomes
 * durable, abort undoes a prepare, committed learns of the durable result and must not block.
 */
import type { LeafChange, NodeChange } from '../core/diff.js';

export interface CommitEvent {
  /** The txid the commit will have (prepare) or has (committed). */
  readonly txid: number;
  readonly time: string;
  readonly user: string;
  readonly session: number;
  readonly source: string;
  readonly comment: string;
  readonly changes: readonly NodeChange[];
  /** Leaf-level changes, computed once on first use. */
  leafChanges(): readonly LeafChange[];
}

export interface Participant {
  readonly name: string;
  /** Resolves to accept; rejects (with a TXN_VETOED ConfdError) to refuse the change. */
  prepare?(event: CommitEvent): Promise<void>;
  /** The commit this participant prepared will not happen. */
  abort?(event: CommitEvent): void;
  /** The commit is durable. Called in commit order; must return quickly. */
  committed?(event: CommitEvent): void;
}
