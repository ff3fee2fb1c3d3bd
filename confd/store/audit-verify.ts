/**
 * @module confd/store/audit-verify
 * Verification of a device's audit trail against its anchors: the chain itself (order, links,
 * hashes; HMACs under the audit key), and the checkpoint outside the database (the database
 * must reach the checkpoint's record with the same hash, the checkpoint must be made with the
 * key on disk). Names every finding: a truncated tail, a rewritten chain, a deleted range, a
 * replaced key, a missing or forged checkpoint. Reads only: it works on a full disk and a
 * read-only data directory.
 */
import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfdError } from '../core/errors.js';
import { chainFindings, type AuditRecord } from './audit-chain.js';
import { checkpointAuthentic, keyFingerprint, type Checkpoint } from './audit-anchor.js';
import { KEYED_FROM, SQL, rowToAudit, type AuditRow } from './store.js';

export type FindingKind =
  | 'deleted-range' | 'relinked' | 'altered' | 'truncated' | 'rewritten' | 'key-replaced' | 'key-missing'
  | 'checkpoint-missing' | 'checkpoint-invalid';

export interface AuditFinding {
  readonly kind: FindingKind;
  /** The first record concerned (0: the trail as a whole). */
  readonly seq: number;
  readonly reason: string;
}

export interface AuditVerdict {
  readonly ok: boolean;
  readonly records: number;
  readonly head: { readonly seq: number; readonly hash: string };
  readonly keyedFrom: number | null;
  readonly checkpoint: { readonly seq: number; readonly time: string } | null;
  readonly findings: readonly AuditFinding[];
  /** The first finding's record and reason (what older callers print). */
  readonly seq?: number;
  readonly reason?: string;
}

export interface AuditEvidence {
  /** The audit key on disk (null: none). */
  readonly key: Uint8Array | null;
  readonly checkpoint: Checkpoint | null | 'invalid';
  readonly keyedFrom: number | undefined;
}

/**
 * What the checkpoint says of a database whose durable head is `head` and whose record `seq`
 * has hash `hashAt(seq)`. Cheap (no walk): the daemon runs it at every start.
 */
export function checkpointFindings(e: AuditEvidence, head: { seq: number; hash: string }, hashAt: (seq: number) => string | undefined): AuditFinding[] {
  const cp = e.checkpoint;
  if (cp === 'invalid') return [{ kind: 'checkpoint-invalid', seq: 0, reason: 'the audit checkpoint file is unreadable (damaged or forged)' }];
  if (cp === null) {
    if (e.keyedFrom === undefined) return [];
    return [{ kind: 'checkpoint-missing', seq: 0, reason: `the audit checkpoint is missing though records from ${e.keyedFrom} on are keyed (deleted with the records after it?)` }];
  }
  if (!e.key) return [{ kind: 'key-missing', seq: 0, reason: 'the audit key file is missing: the keyed chain and the checkpoint cannot be checked' }];
  if (keyFingerprint(e.key) !== cp.keyId) {
    return [{ kind: 'key-replaced', seq: 0, reason: `the audit key file was replaced: the checkpoint was made with key ${cp.keyId}, the key file is ${keyFingerprint(e.key)}` }];
  }
  if (!checkpointAuthentic(e.key, cp)) return [{ kind: 'checkpoint-invalid', seq: 0, reason: 'the audit checkpoint was altered (its HMAC under the audit key does not match)' }];
  const out: AuditFinding[] = [];
  if (e.keyedFrom !== cp.keyedFrom) {
    out.push({ kind: 'rewritten', seq: cp.keyedFrom, reason: `the chain was rewritten: the checkpoint has it keyed from record ${cp.keyedFrom}, the database ${e.keyedFrom === undefined ? 'not keyed at all' : `from ${e.keyedFrom}`}` });
  }
  if (head.seq < cp.seq) {
    out.push({ kind: 'truncated', seq: head.seq + 1, reason: `the tail was truncated: the checkpoint records ${cp.seq} records (at ${cp.time}), the database ends at record ${head.seq} (records ${head.seq + 1}–${cp.seq} are gone)` });
  } else {
    const at = hashAt(cp.seq);
    if (at !== cp.hash) {
      out.push({ kind: 'rewritten', seq: cp.seq, reason: `the chain was rewritten: record ${cp.seq} ${at === undefined ? 'is missing' : 'has another hash'} than the checkpoint of ${cp.time} holds` });
    }
  }
  return out;
}

/** Walks the whole chain and checks it against the checkpoint (see checkpointFindings). */
export function verifyAudit(records: Iterable<AuditRecord>, e: AuditEvidence): AuditVerdict {
  const cp = e.checkpoint === 'invalid' ? null : e.checkpoint;
  const hashes = new Map<number, string>();
  const want = cp?.seq;
  // With a replaced key every keyed record would fail its HMAC: the replacement is the finding.
  const keyUsable = e.key !== null && (cp === null || keyFingerprint(e.key) === cp.keyId);
  const tracked = (function* () {
    for (const r of records) { if (r.seq === want) hashes.set(r.seq, r.hash); yield r; }
  })();
  const walk = chainFindings(tracked, {
    ...(keyUsable ? { key: e.key! } : {}), ...(e.keyedFrom !== undefined ? { keyedFrom: e.keyedFrom } : {}),
  });
  const findings: AuditFinding[] = [...checkpointFindings(e, walk.head, (seq) => hashes.get(seq)), ...walk.findings];
  if (e.keyedFrom !== undefined && !e.key && !findings.some((f) => f.kind === 'key-missing')) findings.push({ kind: 'key-missing', seq: e.keyedFrom, reason: `records from ${e.keyedFrom} on are keyed but the audit key file is missing` });
  const unique = findings.filter((f, i) => findings.findIndex((g) => g.kind === f.kind && g.seq === f.seq) === i);
  const first = unique[0];
  return {
    ok: unique.length === 0, records: walk.records, head: walk.head, keyedFrom: e.keyedFrom ?? null,
    checkpoint: cp ? { seq: cp.seq, time: cp.time } : null, findings: unique,
    ...(first ? { seq: first.seq, reason: first.reason } : {}),
  };
}

/** The audit records and keyed-from seq of the database `file`, opened read-only (nothing is written, no lock taken). */
export function readAuditDatabase(file: string): { records: AuditRecord[]; keyedFrom: number | undefined } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new ConfdError('STORE_CORRUPT', `cannot open the database ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    return readAudit(db);
  } catch (e) {
    // A WAL database in a directory we may not write to: SQLite cannot make its -shm file.
    // Without a write-ahead log to apply, a copy in memory is the same database.
    if (!String((e as { code?: string }).code).startsWith('SQLITE_READONLY') || walPending(file)) throw wrapped(e, file);
  } finally {
    db.close();
  }
  const bytes = readFileSync(file);
  // Header bytes 18 and 19: file format versions, 2 = WAL; 1 lets the copy open without a log.
  bytes[18] = 1; bytes[19] = 1;
  const mem = new Database(bytes, { readonly: true });
  try { return readAudit(mem); } catch (e) { throw wrapped(e, file); } finally { mem.close(); }
}

function walPending(file: string): boolean {
  try { return statSync(`${file}-wal`).size > 0; } catch { return false; }
}

function wrapped(e: unknown, file: string): ConfdError {
  if (e instanceof ConfdError) return e;
  return new ConfdError('STORE_CORRUPT', `the audit log of ${file} cannot be read: ${(e as Error).message}`, { cause: e });
}

function readAudit(db: Database.Database): { records: AuditRecord[]; keyedFrom: number | undefined } {
  const records = db.prepare<[], AuditRow>(SQL.auditAll).all().map(rowToAudit);
  const keyed = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(KEYED_FROM)?.value;
  return { records, keyedFrom: keyed === undefined ? undefined : Number(keyed) };
}
