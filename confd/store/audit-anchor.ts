/**
 * @module confd/store/audit-anchor
 * What anchors the audit chain outside the database: the audit key (32 random bytes in a 0600
 * file of the data directory, made once with O_EXCL) under which each record's hash is an
 * HMAC, and the checkpoint (the last durable record's seq and hash, the seq the keyed chain
 * starts at, the key's fingerprint, all under an HMAC) replaced durably after each batch of
 * records. A database cut short, or rewritten by someone without the key, no longer matches
 * the checkpoint; a replaced key no longer matches its fingerprint.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { dirname } from 'node:path';
import { ConfdError } from '../core/errors.js';
import { syncDirectory, writeFileDurably } from './durable-file.js';
import type { AuditRecord } from './audit-chain.js';
import type { AuditSink } from './store.js';

export const AUDIT_KEY_BYTES = 32;

export interface Checkpoint {
  readonly version: 1;
  /** The last record known durable, and its hash. */
  readonly seq: number;
  readonly hash: string;
  /** Seq of the first keyed record (records before it predate the key). */
  readonly keyedFrom: number;
  /** Fingerprint of the key the chain and this checkpoint are made with. */
  readonly keyId: string;
  readonly time: string;
  /** HMAC-SHA256 under the key of every field above. */
  readonly mac: string;
}

/** A short public fingerprint of a key (it does not reveal the key). */
export function keyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update('appliance-audit-key\0').update(key).digest('hex').slice(0, 32);
}

function checkpointMac(key: Uint8Array, c: Omit<Checkpoint, 'mac'>): string {
  return createHmac('sha256', key).update(JSON.stringify([c.version, c.seq, c.hash, c.keyedFrom, c.keyId, c.time])).digest('hex');
}

export function makeCheckpoint(key: Uint8Array, head: { seq: number; hash: string }, keyedFrom: number, time = new Date().toISOString()): Checkpoint {
  const c = { version: 1 as const, seq: head.seq, hash: head.hash, keyedFrom, keyId: keyFingerprint(key), time };
  return { ...c, mac: checkpointMac(key, c) };
}

/** True when the checkpoint's HMAC is right under `key`. */
export function checkpointAuthentic(key: Uint8Array, c: Checkpoint): boolean {
  const want = Buffer.from(checkpointMac(key, c), 'hex');
  const got = Buffer.from(typeof c.mac === 'string' ? c.mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

function readIfExists(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The key in `file`, or null when there is none. A file of another size is refused. */
export function readAuditKey(file: string): Buffer | null {
  const key = readIfExists(file);
  if (key && key.length !== AUDIT_KEY_BYTES) {
    throw new ConfdError('AUDIT_KEY_INVALID', `the audit key ${file} holds ${key.length} bytes, not ${AUDIT_KEY_BYTES}`);
  }
  return key;
}

/** The key in `file`, made (O_EXCL, 0600, synced) when there is none yet. */
export function loadOrCreateAuditKey(file: string): { key: Buffer; created: boolean } {
  const existing = readAuditKey(file);
  if (existing) return { key: existing, created: false };
  const key = randomBytes(AUDIT_KEY_BYTES);
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    // Another process made it between our read and our create: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { key: readAuditKey(file)!, created: false };
    throw e;
  }
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDirectory(dirname(file));
  return { key, created: true };
}

/** The checkpoint in `file`, null when there is none; `invalid` when it cannot be parsed. */
export function readCheckpoint(file: string): Checkpoint | null | 'invalid' {
  const text = readIfExists(file);
  if (text === null) return null;
  try {
    const c = JSON.parse(text.toString('utf8')) as Checkpoint;
    const strings = [c.hash, c.keyId, c.time, c.mac].every((v) => typeof v === 'string');
    if (c.version !== 1 || !Number.isInteger(c.seq) || !Number.isInteger(c.keyedFrom) || !strings) return 'invalid';
    return c;
  } catch {
    return 'invalid';
  }
}

export function writeCheckpoint(file: string, c: Checkpoint): void {
  writeFileDurably(file, JSON.stringify(c) + '\n', 0o600);
}

/**
 * The store's audit sink at run time: signs with the key, replaces the checkpoint after each
 * durable batch and hands the batch on (remote syslog). When the trail failed its anchors at
 * open (`failure`), the checkpoint is left as it is: it stays the evidence until someone
 * looks, and verification keeps reporting it.
 */
export class AuditAnchor implements AuditSink {
  failure: string | null = null;
  private readonly listeners: Array<(records: readonly AuditRecord[]) => void> = [];
  /** The newest checkpoint not yet written, and the turn that writes it. */
  private latest: Checkpoint | null = null;
  private pending: NodeJS.Immediate | null = null;

  /** `checkpointFile` null: a database copy being migrated (its checkpoint is written by the copy's maker). */
  constructor(readonly key: Buffer, readonly checkpointFile: string | null, private readonly onError: (e: unknown, what: string) => void) {}

  /**
   * The checkpoint is replaced just after the commit's path: on the next turn of the event loop
   * (the commit's reply is on its way by then), batches written meanwhile coalesced into one
   * write. It is thus at most a turn behind the database, never ahead of it; no file stays
   * open between turns, and close() writes what is pending at once.
   */
  written(records: readonly AuditRecord[], keyedFrom: number): void {
    const last = records[records.length - 1];
    if (last && this.failure === null && this.checkpointFile !== null) {
      this.latest = makeCheckpoint(this.key, last, keyedFrom);
      this.pending ??= setImmediate(() => this.flush());
    }
    for (const fn of this.listeners) {
      try { fn(records); } catch (e) { this.onError(e, 'forwarding audit records'); }
    }
  }

  /** Writes the newest checkpoint now (the store closing), and waits for nothing else. */
  flush(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = null;
    const c = this.latest;
    this.latest = null;
    if (c && this.checkpointFile !== null) {
      try { writeCheckpoint(this.checkpointFile, c); } catch (e) { this.onError(e, 'writing the audit checkpoint'); }
    }
  }

  /** Resolves once every checkpoint handed over so far is on disk. */
  async settled(): Promise<void> {
    while (this.pending) await new Promise((resolve) => setImmediate(resolve));
  }

  readCheckpoint(): Checkpoint | null | 'invalid' {
    return this.checkpointFile === null ? null : readCheckpoint(this.checkpointFile);
  }

  anchorCopy(file: string, head: { seq: number; hash: string }, keyedFrom: number): void {
    writeCheckpoint(file, makeCheckpoint(this.key, head, keyedFrom));
  }

  /** `fn` hears of every durable batch of records. */
  onRecords(fn: (records: readonly AuditRecord[]) => void): void {
    this.listeners.push(fn);
  }
}
