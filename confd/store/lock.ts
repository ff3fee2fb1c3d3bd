/**
 * @module confd/store/lock
 * One appliance per data directory: the running daemon (or a tool working on a stopped
 * device) holds an exclusive SQLite lock on a small lock file. The operating system drops it
 * when the process dies, even by SIGKILL, so a stale lock can never block a restart.
 */
import Database from 'better-sqlite3';
import { ConfdError } from '../core/errors.js';

export class DataDirLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the lock, or returns null when another process holds it. */
  static tryAcquire(file: string): DataDirLock | null {
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      // The lock file holds no data: no journal beside it.
      db.pragma('journal_mode = OFF');
      db.exec('BEGIN EXCLUSIVE');
      return new DataDirLock(db);
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') return null;
      throw new ConfdError('STORE_IO', `cannot take the lock ${file}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Whether some process holds the lock right now (without keeping it). */
  static isHeld(file: string): boolean {
    const lock = DataDirLock.tryAcquire(file);
    if (!lock) return true;
    lock.release();
    return false;
  }

  release(): void {
    if (!this.db.open) return;
    try { this.db.exec('ROLLBACK'); } finally { this.db.close(); }
  }
}
