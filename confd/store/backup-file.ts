/**
 * @module confd/store/backup-file
 * Database files at rest: reading the schema version a file holds, checking a backup all the
 * way through before anything is taken from it, and swapping a checked backup in for the
 * database of a stopped device. The live database is confd/store/store.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfdError } from '../core/errors.js';
import { verifyChain } from './audit-chain.js';
import { syncDirectory, syncFile } from './durable-file.js';
import { DS, KEYED_FROM, SQL, Store, ioError, rowToAudit, rowToNode, type AuditRow, type NodeRow, type StoredNode } from './store.js';

/** The schema version a database file holds, without opening it for writing (undefined if none). */
export function readSchemaVersion(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
    return row ? Number(row.value) : undefined;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

export interface BackupContents {
  readonly lastTxid: number;
  readonly running: StoredNode[];
  readonly auditRecords: number;
}

/**
 * Reads a backup file and checks it all the way through — SQLite integrity, our layout, the
 * schema version, the audit chain — before anything is taken from it.
 */
export function inspectBackup(file: string, schemaVersion: number): BackupContents {
  const bad = (why: string, cause?: unknown) =>
    new ConfdError('STORE_BAD_BACKUP', `the backup ${file} cannot be restored: ${why}`, { cause, details: { file } });
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw bad((cause as Error).message, cause);
  }
  try {
    let check: unknown;
    try { check = db.pragma('integrity_check', { simple: true }); } catch (cause) { throw bad((cause as Error).message, cause); }
    if (check !== 'ok') throw bad(`it fails the integrity check (${String(check)})`);
    try {
      Store.checkLayoutOf(db, file, schemaVersion);
    } catch (e) {
      throw bad(e instanceof Error ? e.message : String(e), e);
    }
    const records = db.prepare<[], AuditRow>(SQL.auditAll).all().map(rowToAudit);
    // Without this device's key (a backup may come from elsewhere) keyed records are checked for order and links.
    const keyed = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(KEYED_FROM)?.value;
    const verdict = verifyChain(records, keyed === undefined ? {} : { keyedFrom: Number(keyed) });
    if (!verdict.ok) throw bad(`its audit chain is broken: ${verdict.reason}`);
    return {
      running: db.prepare<[number], NodeRow>(SQL.loadNodes).all(DS.running).map(rowToNode),
      auditRecords: records.length,
      lastTxid: db.prepare<[], { m: number | null }>(SQL.maxTxid).get()?.m ?? 0,
    };
  } finally {
    db.close();
  }
}

/**
 * Replaces the database file `dbFile` with a checked copy of `backupFile` (disaster recovery,
 * when the device is stopped). The old database and its WAL are kept beside it, renamed, so
 * nothing is destroyed; every step leaves a state the next start accepts.
 */
export function replaceDatabase(dbFile: string, backupFile: string, schemaVersion: number): BackupContents {
  const contents = inspectBackup(backupFile, schemaVersion);
  const tmp = `${dbFile}.restore-${process.pid}`;
  try {
    copyFileSync(backupFile, tmp);
    syncFile(tmp);
    const stamp = new Date().toISOString().replaceAll(':', '');
    // The old WAL must never be replayed onto the restored file: move it away first.
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(dbFile + suffix)) renameSync(dbFile + suffix, `${dbFile}.replaced-${stamp}${suffix}`);
    }
    if (existsSync(dbFile)) copyFileSync(dbFile, `${dbFile}.replaced-${stamp}`);
    renameSync(tmp, dbFile);
    syncDirectory(dirname(dbFile));
  } catch (cause) {
    rmSync(tmp, { force: true });
    if (cause instanceof ConfdError) throw cause;
    throw ioError(`restoring ${backupFile}`, cause);
  }
  return contents;
}
