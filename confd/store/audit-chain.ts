/**
 * @module confd/store/audit-chain
 * The hash chain of the audit log: each record's hash covers its fields and the hash of the
 * record before it, so altering, removing or inserting a record breaks the chain at that
 * record. Since the audit key (confd/store/audit-anchor) a record's hash is an HMAC-SHA256
 * under that key, so that no one without the key can recompute the chain; records made before
 * the key existed keep their plain SHA-256 hashes (the first keyed record links to the last
 * of them: `keyedFrom` is its seq). Pure apart from node:crypto.
 */
import { createHash, createHmac } from 'node:crypto';

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

function canonical(r: Omit<AuditRecord, 'hash'>): string {
  return JSON.stringify([
    r.seq, r.time, r.user, r.source, r.address, r.session, r.action, r.target, r.result, r.detail ?? null, r.prev,
  ]);
}

/** The unkeyed hash (records made before the audit key). */
export function auditHash(r: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonical(r)).digest('hex');
}

/** The keyed hash: HMAC-SHA256(key, the record's fields with the previous hash). */
export function auditHmac(key: Uint8Array, r: Omit<AuditRecord, 'hash'>): string {
  return createHmac('sha256', key).update(canonical(r)).digest('hex');
}

export type ChainVerdict =
  | { readonly ok: true; readonly records: number; readonly head: string }
  | { readonly ok: false; readonly records: number; readonly seq: number; readonly reason: string };

export interface ChainKey {
  /** The audit key; without it keyed records are checked for order and links only. */
  readonly key?: Uint8Array;
  /** Seq of the first keyed record (undefined: none is keyed). */
  readonly keyedFrom?: number;
}

/** One thing wrong with the chain: a removed range, a broken back-link, altered records. */
export interface ChainFinding {
  readonly kind: 'deleted-range' | 'relinked' | 'altered';
  /** The first record concerned, and the last for a range. */
  readonly seq: number;
  readonly last: number;
  readonly reason: string;
}

/**
 * Walks records in seq order and names every place that breaks the chain: a gap in seq
 * (a deleted range), a wrong back-link (removed or inserted record), a hash that does not
 * match (altered; consecutive ones are one finding). The walk goes on after each.
 */
export function chainFindings(records: Iterable<AuditRecord>, keying: ChainKey = {}): { records: number; head: { seq: number; hash: string }; findings: ChainFinding[] } {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  const findings: ChainFinding[] = [];
  let altered: { seq: number; last: number; keyed: boolean } | null = null;
  const endAltered = () => {
    if (!altered) return;
    const { seq, last, keyed } = altered;
    const which = seq === last ? `record ${seq} was altered` : `records ${seq}–${last} were altered`;
    findings.push({ kind: 'altered', seq, last, reason: keyed
      ? `${which} or the chain rewritten (${seq === last ? 'its HMAC' : 'their HMACs'} under the audit key ${seq === last ? 'does' : 'do'} not match)`
      : `${which} (${seq === last ? 'its hash does' : 'their hashes do'} not match ${seq === last ? 'its' : 'their'} content)` });
    altered = null;
  };
  const keyedFrom = keying.keyedFrom ?? Number.POSITIVE_INFINITY;
  for (const r of records) {
    count++;
    if (r.seq !== expectedSeq) {
      endAltered();
      findings.push({ kind: 'deleted-range', seq: expectedSeq, last: r.seq - 1, reason: r.seq > expectedSeq
        ? `record ${expectedSeq} is missing (found ${r.seq} after ${expectedSeq - 1}: ${r.seq - expectedSeq === 1 ? 'record' : 'records'} ${expectedSeq}${r.seq - expectedSeq === 1 ? '' : `–${r.seq - 1}`} deleted)`
        : `record ${r.seq} is out of order (found after ${expectedSeq - 1})` });
    } else if (r.prev !== prev) {
      endAltered();
      findings.push({ kind: 'relinked', seq: r.seq, last: r.seq, reason: `record ${r.seq} does not link to record ${r.seq - 1} (removed or inserted record)` });
    }
    const keyed = r.seq >= keyedFrom;
    const bad = keyed ? keying.key !== undefined && auditHmac(keying.key, r) !== r.hash : auditHash(r) !== r.hash;
    if (bad) {
      if (altered && altered.last === r.seq - 1 && altered.keyed === keyed) altered.last = r.seq;
      else { endAltered(); altered = { seq: r.seq, last: r.seq, keyed }; }
    } else endAltered();
    prev = r.hash;
    expectedSeq = r.seq + 1;
  }
  endAltered();
  return { records: count, head: { seq: expectedSeq - 1, hash: prev }, findings };
}

/** The first place that breaks the chain (see chainFindings). */
export function verifyChain(records: Iterable<AuditRecord>, keying: ChainKey = {}): ChainVerdict {
  const r = chainFindings(records, keying);
  const first = r.findings[0];
  if (first) return { ok: false, records: r.records, seq: first.kind === 'deleted-range' ? first.last + 1 : first.seq, reason: first.reason };
  return { ok: true, records: r.records, head: r.head.hash };
}
