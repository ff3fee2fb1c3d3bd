/**
 * @module confd/store/audit-chain
 * The hash chain of the audit log: each record's hash covers its fields and the hash of the
 * record before it, so altering, removing or inserting a record breaks the chain at that
 * record. Pure apart from node:crypto.
 */
import { createHash } from 'node:crypto';

export interface AuditInput {
  readonly user: string;
  /** Where the action came from: netconf, restconf, http, cli, socket, local, system… */
  readonly source: string;
  /** Client address (ip:port, or 'local'). */
  readonly address: string;
  readonly session: number;
  /** What was done: session-start, login-failed, edit, commit, lock, restore… */
  readonly action: string;
  /** What it was done to: a datastore, a path, a file. */
  readonly target: string;
  /** ok, error, denied. */
  readonly result: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditInput {
  readonly seq: number;
  readonly time: string;
  readonly prev: string;
  readonly hash: string;
}

/** Hash of the first record's predecessor. */
export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(r: Omit<AuditRecord, 'hash'>): string {
  const canonical = JSON.stringify([
    r.seq, r.time, r.user, r.source, r.address, r.session, r.action, r.target, r.result, r.detail ?? null, r.prev,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export type ChainVerdict =
  | { readonly ok: true; readonly records: number; readonly head: string }
  | { readonly ok: false; readonly records: number; readonly seq: number; readonly reason: string };

/**
 * Walks records in seq order and names the first that breaks the chain: a gap in seq
 * (removed), a wrong back-link (removed or inserted), or a hash that does not match (altered).
 */
export function verifyChain(records: Iterable<AuditRecord>): ChainVerdict {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const r of records) {
    count++;
    if (r.seq !== expectedSeq) {
      return { ok: false, records: count, seq: r.seq, reason: `record ${expectedSeq} is missing (found ${r.seq} after ${expectedSeq - 1})` };
    }
    if (r.prev !== prev) {
      return { ok: false, records: count, seq: r.seq, reason: `record ${r.seq} does not link to record ${r.seq - 1} (removed or inserted record)` };
    }
    if (auditHash(r) !== r.hash) {
      return { ok: false, records: count, seq: r.seq, reason: `record ${r.seq} was altered (its hash does not match its content)` };
    }
    prev = r.hash;
    expectedSeq++;
  }
  return { ok: true, records: count, head: prev };
}
