/**
 * @module confd/store/metrics-db
 * The monitoring file (monitor.db in the data directory), apart from the configuration
 * database: metric series names, the layouts of sample rows (which series each value is), the
 * rows themselves (one per sample or roll-up bucket, values packed in a blob), the alarm list
 * and a few settings. WAL with synchronous=NORMAL: a row costs no fsync (a power loss may lose
 * the last rows, never corrupt the file). A file that is not a database is set aside and a
 * new one started: history is worth less than a running appliance. Statements prepared once.
 */
import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';

export interface PointRow { readonly t: number; readonly layout: number; readonly data: Buffer }

const SCHEMA = `
CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS layouts (id INTEGER PRIMARY KEY, ids BLOB NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS points (level INTEGER NOT NULL, t INTEGER NOT NULL, layout INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (level, t));
CREATE TABLE IF NOT EXISTS alarms (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

function openDb(file: string): Database.Database {
  const db = new Database(file);
  try {
    // auto_vacuum only takes effect before the first table exists: freed pages go back to the OS.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

export class MetricsDb {
  private readonly db: Database.Database;
  private readonly stmt;
  /** Set when the file found on open was unreadable and set aside. */
  readonly setAside: string | null;

  constructor(readonly file: string) {
    let aside: string | null = null;
    let db: Database.Database;
    try {
      db = openDb(file);
      const ok = db.pragma('quick_check', { simple: true });
      if (ok !== 'ok') { db.close(); throw new Error(String(ok)); }
    } catch {
      aside = `${file}.corrupt-${Date.now()}`;
      if (existsSync(file)) renameSync(file, aside);
      for (const ext of ['-wal', '-shm']) if (existsSync(file + ext)) renameSync(file + ext, aside + ext);
      db = openDb(file);
    }
    this.db = db;
    this.setAside = aside;
    this.stmt = {
      seriesAll: db.prepare<[], { id: number; key: string }>('SELECT id, key FROM series'),
      seriesAdd: db.prepare<[string]>('INSERT INTO series (key) VALUES (?)'),
      layoutAll: db.prepare<[], { id: number; ids: Buffer }>('SELECT id, ids FROM layouts'),
      layoutAdd: db.prepare<[Buffer]>('INSERT INTO layouts (ids) VALUES (?)'),
      put: db.prepare<[number, number, number, Buffer]>('INSERT OR REPLACE INTO points (level, t, layout, data) VALUES (?, ?, ?, ?)'),
      range: db.prepare<[number, number, number], PointRow>('SELECT t, layout, data FROM points WHERE level = ? AND t >= ? AND t <= ? ORDER BY t'),
      prune: db.prepare<[number, number]>('DELETE FROM points WHERE level = ? AND t < ?'),
      count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM points WHERE level = ?'),
      alarmsAll: db.prepare<[], { id: string; body: string }>('SELECT id, body FROM alarms'),
      alarmPut: db.prepare<[string, string]>('INSERT OR REPLACE INTO alarms (id, body) VALUES (?, ?)'),
      alarmDelete: db.prepare<[string]>('DELETE FROM alarms WHERE id = ?'),
      metaGet: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      metaPut: db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
  }

  series(): Array<{ id: number; key: string }> {
    return this.stmt.seriesAll.all();
  }

  addSeries(key: string): number {
    return Number(this.stmt.seriesAdd.run(key).lastInsertRowid);
  }

  layouts(): Array<{ id: number; ids: Int32Array }> {
    return this.stmt.layoutAll.all().map((r) => ({ id: r.id, ids: new Int32Array(r.ids.buffer.slice(r.ids.byteOffset, r.ids.byteOffset + r.ids.byteLength)) }));
  }

  addLayout(ids: Int32Array): number {
    return Number(this.stmt.layoutAdd.run(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength)).lastInsertRowid);
  }

  putPoint(level: number, t: number, layout: number, data: Buffer): void {
    this.stmt.put.run(level, t, layout, data);
  }

  points(level: number, from: number, to: number): PointRow[] {
    return this.stmt.range.all(level, from, to);
  }

  countPoints(level: number): number {
    return this.stmt.count.get(level)!.n;
  }

  /** Drops the rows of `level` older than `before`, and gives the freed pages back. */
  prune(level: number, before: number): void {
    if (this.stmt.prune.run(level, before).changes > 0) this.db.pragma('incremental_vacuum(256)');
  }

  alarms(): Array<{ id: string; body: string }> {
    return this.stmt.alarmsAll.all();
  }

  putAlarm(id: string, body: string): void {
    this.stmt.alarmPut.run(id, body);
  }

  deleteAlarm(id: string): void {
    this.stmt.alarmDelete.run(id);
  }

  meta(key: string): string | undefined {
    return this.stmt.metaGet.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmt.metaPut.run(key, value);
  }

  /** Writes the WAL back into the file (on shutdown), so the file alone is the whole history. */
  close(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}
