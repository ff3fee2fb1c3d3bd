/**
 * @module confd/store/store
 * The SQLite database of one device (better-sqlite3, WAL, synchronous=FULL): stored nodes of
 * the running and startup datastores (one row per list entry plus the root body), the commit
 * log with each commit's node changes, per-leaf blame, the audit chain and a few meta values.
 * A commit is one short synchronous write transaction; it returns only once durable. This is
 * with confd/store/backup-file the only module that imports better-sqlite3. It knows nothing of XML, sessions or policy.
 */
import Database from 'better-sqlite3';
import { renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfdError } from '../core/errors.js';
import { leafChanges, type NodeChange } from '../core/diff.js';
import type { JsonObject } from '../core/tree.js';
import { syncDirectory, syncFile } from './durable-file.js';
import type { Checkpoint } from './audit-anchor.js';
import { GENESIS_HASH, auditHash, auditHmac, type AuditInput, type AuditRecord, type ChainKey } from './audit-chain.js';

export type DatastoreName = 'running' | 'startup';
export const DS: Record<DatastoreName, number> = { running: 0, startup: 1 };

/** Queries confd/store/backup-file runs on a backup file too. */
export const SQL = {
  loadNodes: 'SELECT path, parent, list, body, txid FROM nodes WHERE ds = ?',
  loadNodesExplicit: 'SELECT path, parent, list, body, txid, explicit FROM nodes WHERE ds = ?',
  maxTxid: 'SELECT max(txid) AS m FROM commits',
  auditAll: 'SELECT * FROM audit ORDER BY seq',
} as const;

export interface NodeRow { path: string; parent: string; list: string; body: string; txid: number; explicit?: string | null }

export function rowToNode(r: NodeRow): StoredNode {
  const node = { path: r.path, parent: r.parent, list: r.list, body: JSON.parse(r.body) as JsonObject, txid: r.txid };
  return r.explicit ? { ...node, explicit: JSON.parse(r.explicit) as string[] } : node;
}

/** The `explicit` column's text: NULL when no leaf of the node was set to its default. */
function explicitText(explicit: readonly string[] | undefined): string | null {
  return explicit && explicit.length > 0 ? JSON.stringify(explicit) : null;
}

/** Layout version of our tables (not the device schema version). */
const FORMAT = 1;

/** Commits whose node changes are kept; older ones keep their header only. */
export const HISTORY_KEEP = 1000;
/** Pending audit records are written at once when this many have accumulated. */
const MAX_PENDING_AUDIT = 512;
/** Compaction runs once this many commits beyond HISTORY_KEEP have accumulated. */
const COMPACT_SLACK = 100;

export interface StoredNode {
  readonly path: string;
  readonly parent: string;
  /** Schema path of the node's list, '' for the root body. */
  readonly list: string;
  readonly body: JsonObject;
  readonly txid: number;
  /**
   * Leaves of the body (relative paths, a/b) a client set to their schema default value, as
   * opposed to defaults the schema filled in (RFC 6243 explicit). Absent when there are none.
   */
  readonly explicit?: readonly string[];
}

export interface CommitHeader {
  readonly txid: number;
  readonly time: string;
  readonly user: string;
  readonly session: number;
  readonly source: string;
  readonly comment: string;
  /** Number of stored nodes the commit changed. */
  readonly nodes: number;
}

export interface CommitInput {
  readonly user: string;
  readonly session: number;
  readonly source: string;
  readonly comment: string;
  readonly changes: readonly NodeChange[];
  /**
   * path → { parent, list, explicit } of every node not deleted (the store does not know the
   * schema); a node whose only change is its `explicit` leaves is a change with equal bodies.
   */
  readonly placement: ReadonlyMap<string, { parent: string; list: string; explicit?: readonly string[] | undefined }>;
  readonly audit: AuditInput;
  /** Meta values written in the same transaction (null deletes). */
  readonly meta?: Readonly<Record<string, string | null>>;
}

/** A schema migration of the history: commit `txid` carried the configuration from version `from` to `to`. */
export interface SchemaEpoch { readonly txid: number; readonly from: number; readonly to: number }

/**
 * The blame column of a node after `change` (old and new body) in commit `txid`: every leaf
 * that changed is blamed on it, the others keep theirs (absent: since the node's creation).
 */
function blameAfter(change: NodeChange, prior: string | null, txid: number): string {
  const blame: Record<string, number> = prior ? JSON.parse(prior) as Record<string, number> : {};
  const cut = change.path === '/' ? 1 : change.path.length + 1;
  for (const leaf of leafChanges(change)) blame[leaf.path.slice(cut)] = txid;
  return JSON.stringify(blame);
}

export interface Blame {
  readonly txid: number;
  /** True when the leaf has not changed since its entry was created in that commit. */
  readonly sinceCreation: boolean;
}

export interface StoreOptions {
  /** Test hook run inside the commit transaction after the rows are written (fault injection). */
  readonly beforeCommitEnd?: () => void;
  /** Caps the database size in pages (fault injection of a full disk). */
  readonly maxPageCount?: number;
  /** Test hook: online backups copy `pages` pages per step and call `after` after each (fault injection). */
  readonly backupSteps?: { readonly pages: number; readonly after: () => void };
  readonly readonly?: boolean;
  /** The audit key, and who hears of each batch of records once durable (confd/store/audit-anchor). */
  readonly audit?: AuditSink;
}

export interface AuditSink {
  readonly key: Uint8Array;
  /** Called after each durable batch with its records (in seq order); must not throw. */
  written(records: readonly AuditRecord[], keyedFrom: number): void;
  /** The checkpoint now on disk (verification). */
  readCheckpoint(): Checkpoint | null | 'invalid';
  /** Writes the checkpoint of a copy of this database (an online backup) at `file`. */
  anchorCopy(file: string, head: { seq: number; hash: string }, keyedFrom: number): void;
  /** Writes what is still pending (the store closes). */
  flush?(): void;
}

/** Meta key: seq of the first record hashed under the audit key. */
export const KEYED_FROM = 'audit_keyed_from';

export interface InitOptions {
  readonly schemaVersion: number;
  /** The root body of an empty configuration (defaults filled). */
  readonly rootBody: JsonObject;
}

export function ioError(what: string, cause: unknown): ConfdError {
  const code = (cause as { code?: string }).code ?? '';
  const why = code === 'SQLITE_FULL' ? 'the disk or database is full' : (cause as Error).message;
  return new ConfdError('STORE_IO', `${what} failed: ${why}`, { cause, details: { sqlite: code } });
}


export class Store {
  private readonly db: Database.Database;
  private readonly stmt;
  private auditHead: { seq: number; hash: string };
  /** Seq of the first keyed record (undefined: none yet). */
  private keyedFrom: number | undefined;
  private txid: number;
  private readonly epochStmt;
  /** Audit records signed into the chain but not yet written (see appendAudit). */
  private pendingAudit: AuditRecord[] = [];

  private constructor(readonly file: string, db: Database.Database, private readonly options: StoreOptions) {
    this.db = db;
    // A read-only open of a database older than the epochs table has no epochs.
    const hasEpochs = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'epochs'").get() !== undefined;
    this.epochStmt = hasEpochs ? {
      insert: db.prepare('INSERT INTO epochs(txid, from_version, to_version, before) VALUES (?, ?, ?, ?)'),
      all: db.prepare<[], SchemaEpoch>('SELECT txid, from_version AS "from", to_version AS "to" FROM epochs ORDER BY txid'),
      before: db.prepare<[number], { before: string }>('SELECT before FROM epochs WHERE txid = ?'),
    } : null;
    this.stmt = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      delMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
      loadNodes: db.prepare<[number], NodeRow>(Store.hasExplicitColumn(db) ? SQL.loadNodesExplicit : SQL.loadNodes),
      getNodeBlame: db.prepare<[number, string], { blame: string | null; ctxid: number }>(
        'SELECT blame, ctxid FROM nodes WHERE ds = ? AND path = ?'),
      getNodeWithBlame: db.prepare<[number, string], { body: string; blame: string | null; ctxid: number }>(
        'SELECT body, blame, ctxid FROM nodes WHERE ds = ? AND path = ?'),
      upsertNode: db.prepare(
        `INSERT INTO nodes(ds, path, parent, list, body, txid, ctxid, blame, explicit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(ds, path) DO UPDATE SET body = excluded.body, txid = excluded.txid, blame = excluded.blame, explicit = excluded.explicit`),
      deleteNode: db.prepare('DELETE FROM nodes WHERE ds = ? AND path = ?'),
      insertCommit: db.prepare(
        'INSERT INTO commits(txid, time, user, session, source, comment, nodes, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      maxTxid: db.prepare<[], { m: number | null }>(SQL.maxTxid),
      commitHeaders: db.prepare<[number, number], CommitHeader>(
        'SELECT txid, time, user, session, source, comment, nodes FROM commits WHERE txid <= ? ORDER BY txid DESC LIMIT ?'),
      commitHeader: db.prepare<[number], CommitHeader>(
        'SELECT txid, time, user, session, source, comment, nodes FROM commits WHERE txid = ?'),
      commitChanges: db.prepare<[number, number], { txid: number; changes: string | null }>(
        'SELECT txid, changes FROM commits WHERE txid > ? AND txid <= ? ORDER BY txid'),
      compact: db.prepare('UPDATE commits SET changes = NULL WHERE txid < ? AND changes IS NOT NULL'),
      insertAudit: db.prepare(
        `INSERT INTO audit(seq, time, user, source, address, session, action, target, result, detail, prev, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      auditHead: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      auditAll: db.prepare<[], AuditRow>(SQL.auditAll),
      auditHash: db.prepare<[number], { hash: string }>('SELECT hash FROM audit WHERE seq = ?'),
      clearDs: db.prepare('DELETE FROM nodes WHERE ds = ?'),
      copyDs: db.prepare(
        'INSERT INTO nodes(ds, path, parent, list, body, txid, ctxid, blame, explicit) SELECT ?, path, parent, list, body, txid, ctxid, blame, explicit FROM nodes WHERE ds = ?'),
      countDs: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM nodes WHERE ds = ?'),
      allSubscribers: db.prepare<[], SubscriberRow>('SELECT * FROM subscribers ORDER BY priority, name'),
      putSubscriber: db.prepare(
        `INSERT INTO subscribers(name, paths, priority, validate, mandatory, last_ack, updated) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET paths = excluded.paths, priority = excluded.priority, validate = excluded.validate,
           mandatory = excluded.mandatory, last_ack = max(last_ack, excluded.last_ack), updated = excluded.updated`),
      ackSubscriber: db.prepare('UPDATE subscribers SET last_ack = max(last_ack, ?) WHERE name = ?'),
      deleteSubscriber: db.prepare('DELETE FROM subscribers WHERE name = ?'),
    };
    const head = this.stmt.auditHead.get();
    this.auditHead = head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
    const keyed = this.stmt.getMeta.get(KEYED_FROM)?.value;
    this.keyedFrom = keyed === undefined ? undefined : Number(keyed);
    this.txid = this.stmt.maxTxid.get()?.m ?? 0;
  }

  /**
   * Opens (creating if needed) the database at `file`. A database that fails SQLite's quick
   * check, or lacks our tables, is refused with STORE_CORRUPT.
   */
  static open(file: string, init: InitOptions, options: StoreOptions = {}): Store {
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: options.readonly ?? false, timeout: 5000 });
    } catch (cause) {
      throw new ConfdError('STORE_CORRUPT', `cannot open the database ${file}: ${(cause as Error).message}`, { cause });
    }
    try {
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        if (options.maxPageCount) db.pragma(`max_page_count = ${options.maxPageCount}`);
      }
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new ConfdError('STORE_CORRUPT', `the database ${file} failed its integrity check: ${String(check)}`);
      if (!options.readonly) Store.createTables(db, init);
      Store.checkLayoutOf(db, file, init.schemaVersion);
      return new Store(file, db, options);
    } catch (cause) {
      db.close();
      if (cause instanceof ConfdError) throw cause;
      throw new ConfdError('STORE_CORRUPT', `the database ${file} is not usable: ${(cause as Error).message}`, { cause });
    }
  }

  private static createTables(db: Database.Database, init: InitOptions): void {
    db.transaction(() => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS nodes (
          ds INTEGER NOT NULL, path TEXT NOT NULL, parent TEXT NOT NULL, list TEXT NOT NULL, body TEXT NOT NULL,
          txid INTEGER NOT NULL, ctxid INTEGER NOT NULL, blame TEXT,
          PRIMARY KEY (ds, path)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS commits (
          txid INTEGER PRIMARY KEY, time TEXT NOT NULL, user TEXT NOT NULL, session INTEGER NOT NULL,
          source TEXT NOT NULL, comment TEXT NOT NULL, nodes INTEGER NOT NULL, changes TEXT);
        CREATE TABLE IF NOT EXISTS audit (
          seq INTEGER PRIMARY KEY, time TEXT NOT NULL, user TEXT NOT NULL, source TEXT NOT NULL, address TEXT NOT NULL,
          session INTEGER NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, result TEXT NOT NULL, detail TEXT,
          prev TEXT NOT NULL, hash TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS subscribers (
          name TEXT PRIMARY KEY, paths TEXT NOT NULL, priority INTEGER NOT NULL, validate INTEGER NOT NULL,
          mandatory INTEGER NOT NULL, last_ack INTEGER NOT NULL, updated TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS epochs (
          txid INTEGER PRIMARY KEY, from_version INTEGER NOT NULL, to_version INTEGER NOT NULL, before TEXT NOT NULL);
      `);
      // Added after layout 1 was released: a database from before has none (every node NULL).
      if (!Store.hasExplicitColumn(db)) db.exec('ALTER TABLE nodes ADD COLUMN explicit TEXT');
      const has = db.prepare('SELECT value FROM meta WHERE key = ?');
      if (!has.get('format')) {
        const set = db.prepare('INSERT INTO meta(key, value) VALUES (?, ?)');
        set.run('format', String(FORMAT));
        set.run('schema_version', String(init.schemaVersion));
        set.run('created', new Date().toISOString());
        db.prepare('INSERT INTO nodes(ds, path, parent, list, body, txid, ctxid, blame) VALUES (?, ?, ?, ?, ?, 0, 0, NULL)')
          .run(DS.running, '/', '', '', JSON.stringify(init.rootBody));
        db.prepare('INSERT INTO nodes(ds, path, parent, list, body, txid, ctxid, blame) VALUES (?, ?, ?, ?, ?, 0, 0, NULL)')
          .run(DS.startup, '/', '', '', JSON.stringify(init.rootBody));
      }
    }).immediate();
  }

  /** Whether the nodes table has the `explicit` column (a read-only database from before it may not). */
  private static hasExplicitColumn(db: Database.Database): boolean {
    return db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'nodes\')').all().some((c) => c.name === 'explicit');
  }

  static checkLayoutOf(db: Database.Database, file: string, schemaVersion: number): void {
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
    for (const t of ['meta', 'nodes', 'commits', 'audit']) {
      if (!tables.has(t)) throw new ConfdError('STORE_CORRUPT', `the database ${file} lacks the table '${t}'`);
    }
    const get = (k: string) => db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(k)?.value;
    if (get('format') !== String(FORMAT)) throw new ConfdError('STORE_CORRUPT', `the database ${file} has an unknown layout (${get('format')})`);
    const version = Number(get('schema_version'));
    if (version !== schemaVersion) {
      throw new ConfdError('STORE_SCHEMA_MISMATCH',
        `the database ${file} holds configuration of schema version ${version}, this software uses version ${schemaVersion}`,
        { details: { database: version, software: schemaVersion } });
    }
  }

  close(): void {
    if (this.db.open) {
      this.flushAudit();
      this.db.close();
      this.options.audit?.flush?.();
    }
  }

  get lastTxid(): number { return this.txid; }

  meta(key: string): string | undefined {
    return this.stmt.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string | null): void {
    this.write('saving a setting', () => this.writeMeta(key, value));
  }

  private writeMeta(key: string, value: string | null): void {
    if (value === null) this.stmt.delMeta.run(key);
    else this.stmt.setMeta.run(key, value);
  }

  *loadNodes(ds: DatastoreName): IterableIterator<StoredNode> {
    for (const r of this.stmt.loadNodes.iterate(DS[ds])) yield rowToNode(r);
  }

  countNodes(ds: DatastoreName): number {
    return this.stmt.countDs.get(DS[ds])!.n;
  }

  private write<T>(what: string, fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (cause) {
      if (cause instanceof ConfdError) throw cause;
      throw ioError(what, cause);
    }
  }

  /**
   * Writes one commit: node rows, blame, the commit record, its audit record and meta values,
   * in one durable transaction. Returns the new txid. On any error nothing is written.
   */
  commit(input: CommitInput): CommitHeader {
    const txid = this.txid + 1;
    const time = new Date().toISOString();
    const header: CommitHeader = {
      txid, time, user: input.user, session: input.session, source: input.source, comment: input.comment,
      nodes: input.changes.length,
    };
    this.writeWithAudit('commit', { ...input.audit, detail: { ...input.audit.detail, txid } }, time, () => {
      const ds = DS.running;
      for (const c of input.changes) {
        if (c.new === null) {
          this.stmt.deleteNode.run(ds, c.path);
          continue;
        }
        const place = input.placement.get(c.path);
        if (!place) throw new ConfdError('INTERNAL', `no placement for node ${c.path}`);
        const explicit = explicitText(place.explicit);
        if (c.old === null) {
          this.stmt.upsertNode.run(ds, c.path, place.parent, place.list, JSON.stringify(c.new), txid, txid, null, explicit);
          continue;
        }
        const prior = this.stmt.getNodeBlame.get(ds, c.path);
        this.stmt.upsertNode.run(ds, c.path, place.parent, place.list, JSON.stringify(c.new), txid, prior?.ctxid ?? txid,
          blameAfter(c, prior?.blame ?? null, txid), explicit);
      }
      this.stmt.insertCommit.run(txid, time, header.user, header.session, header.source, header.comment,
        header.nodes, JSON.stringify(input.changes));
      if (txid - this.compactedBefore() > HISTORY_KEEP + COMPACT_SLACK) {
        const floor = txid - HISTORY_KEEP;
        this.stmt.compact.run(floor + 1);
        this.writeMeta('compacted_before', String(floor));
        this.writeMeta('history_floor', String(Math.max(floor, this.schemaEpochs().at(-1)?.txid ?? 0)));
      }
      for (const [k, v] of Object.entries(input.meta ?? {})) this.writeMeta(k, v);
      this.options.beforeCommitEnd?.();
    });
    this.txid = txid;
    return header;
  }

  /**
   * The oldest txid from which node changes compose up to the last commit: those of every
   * commit after it are kept, and all are of the current schema version (the latest schema
   * migration, if any, is the floor). Older commits of another schema: see schemaEpochs.
   */
  historyFloor(): number {
    return Math.max(this.compactedBefore(), this.schemaEpochs().at(-1)?.txid ?? 0);
  }

  /**
   * The oldest txid whose node changes after it are all kept (compaction drops older ones).
   * `history_floor` keeps the meaning older builds give it (diffs compose from there to the
   * last commit: the compaction floor or the latest migration); a database from before the
   * epochs has only that, and its migrations kept no configuration to read older history from.
   */
  compactedBefore(): number {
    return Number(this.meta('compacted_before') ?? this.meta('history_floor') ?? 0);
  }

  /** The schema migrations in this database's history, oldest first (each a commit replacing the configuration). */
  schemaEpochs(): SchemaEpoch[] {
    return this.epochStmt?.all.all() ?? [];
  }

  /** The running configuration (stored nodes of schema `from`) right before migration commit `txid`. */
  configurationBefore(txid: number): StoredNode[] {
    const row = this.epochStmt?.before.get(txid);
    if (!row) throw new ConfdError('TXN_HISTORY_COMPACTED', `commit ${txid} is no schema migration of this history`);
    return JSON.parse(row.before) as StoredNode[];
  }

  commitHeaders(limit: number, before = Number.MAX_SAFE_INTEGER): CommitHeader[] {
    return this.stmt.commitHeaders.all(before, limit);
  }

  commitHeader(txid: number): CommitHeader | undefined {
    return this.stmt.commitHeader.get(txid);
  }

  /** Node changes of every commit in (from, to], oldest first. */
  changesBetween(from: number, to: number): Array<{ txid: number; changes: NodeChange[] }> {
    const floor = this.compactedBefore();
    if (from < floor) {
      throw new ConfdError('TXN_HISTORY_COMPACTED', `history before commit ${floor} has been compacted`, { details: { floor } });
    }
    return this.stmt.commitChanges.all(from, to).map((r) => {
      if (r.changes === null) throw new ConfdError('TXN_HISTORY_COMPACTED', `commit ${r.txid} has been compacted`);
      return { txid: r.txid, changes: JSON.parse(r.changes) as NodeChange[] };
    });
  }

  /** The commit that last changed the leaf at `leafPath` (relative, a/b/c) of the node at `nodePath`. */
  blame(nodePath: string, leafPath: string): Blame | undefined {
    const row = this.stmt.getNodeBlame.get(DS.running, nodePath);
    if (!row) return undefined;
    const blame = row.blame ? JSON.parse(row.blame) as Record<string, number> : {};
    const txid = blame[leafPath];
    return txid === undefined ? { txid: row.ctxid, sinceCreation: true } : { txid, sinceCreation: false };
  }

  /**
   * Replaces the whole configuration (running and startup) with nodes of another schema
   * version, as one commit (schema upgrade or downgrade). Diffs of different schema versions
   * do not compose, so the commit keeps instead the running configuration it replaced
   * (`before`, nodes of schema `fromVersion`): history before it is read from there, through
   * the transforms (confd/txn/history). Every leaf the migration left as it was keeps its
   * blame; the others are blamed on this commit.
   */
  replaceConfiguration(input: {
    readonly schemaVersion: number; readonly running: readonly StoredNode[]; readonly startup: readonly StoredNode[];
    readonly fromVersion: number; readonly before: readonly StoredNode[];
    readonly user: string; readonly source: string; readonly comment: string; readonly audit: AuditInput;
  }): CommitHeader {
    const txid = this.txid + 1;
    const time = new Date().toISOString();
    const header: CommitHeader = { txid, time, user: input.user, session: 0, source: input.source, comment: input.comment, nodes: input.running.length };
    this.writeWithAudit('replacing the configuration', { ...input.audit, detail: { ...input.audit.detail, txid } }, time, () => {
      const carried = input.running.map((n) => {
        const prior = this.stmt.getNodeWithBlame.get(DS.running, n.path);
        if (!prior) return { ctxid: txid, blame: null };
        const old = JSON.parse(prior.body) as JsonObject;
        return { ctxid: prior.ctxid, blame: blameAfter({ path: n.path, old, new: n.body }, prior.blame, txid) };
      });
      this.stmt.clearDs.run(DS.running);
      input.running.forEach((n, i) => this.stmt.upsertNode.run(DS.running, n.path, n.parent, n.list, JSON.stringify(n.body), txid,
        carried[i]!.ctxid, carried[i]!.blame, explicitText(n.explicit)));
      this.stmt.clearDs.run(DS.startup);
      for (const n of input.startup) this.stmt.upsertNode.run(DS.startup, n.path, n.parent, n.list, JSON.stringify(n.body), txid, txid, null, explicitText(n.explicit));
      this.stmt.insertCommit.run(txid, time, header.user, 0, header.source, header.comment, header.nodes, null);
      if (!this.epochStmt) throw new ConfdError('INTERNAL', 'a read-only database cannot be migrated');
      this.epochStmt.insert.run(txid, input.fromVersion, input.schemaVersion,
        JSON.stringify(input.before.map((n) => ({ path: n.path, parent: n.parent, list: n.list, body: n.body, txid: n.txid }))));
      this.writeMeta('compacted_before', String(this.compactedBefore()));
      this.writeMeta('history_floor', String(txid));
      this.writeMeta('schema_version', String(input.schemaVersion));
    });
    this.txid = txid;
    return header;
  }

  /** Replaces the startup datastore with a copy of running. */
  copyRunningToStartup(audit: AuditInput): void {
    this.writeWithAudit('saving startup', audit, new Date().toISOString(), () => {
      this.stmt.clearDs.run(DS.startup);
      this.stmt.copyDs.run(DS.startup, DS.running);
    });
  }

  /** Replaces the startup datastore with the given nodes. */
  replaceStartup(nodes: Iterable<StoredNode>, audit: AuditInput): void {
    this.writeWithAudit('saving startup', audit, new Date().toISOString(), () => {
      this.stmt.clearDs.run(DS.startup);
      for (const n of nodes) this.stmt.upsertNode.run(DS.startup, n.path, n.parent, n.list, JSON.stringify(n.body), n.txid, n.txid, null, explicitText(n.explicit));
    });
  }

  /**
   * One durable transaction doing `fn` and recording `audit` at `time` (with every pending
   * record before it). On failure nothing is written and the chain is as it was.
   */
  private writeWithAudit(what: string, audit: AuditInput, time: string, fn: () => void): void {
    const before = { head: this.auditHead, keyedFrom: this.keyedFrom };
    let record: AuditRecord;
    try {
      this.write(what, () => {
        fn();
        this.writePendingAudit();
        record = this.sign(audit, time);
        this.writeAudit(record);
      });
    } catch (e) {
      this.auditHead = before.head;
      this.keyedFrom = before.keyedFrom;
      throw e;
    }
    const batch = [...this.pendingAudit, record!];
    this.pendingAudit = [];
    this.auditWritten(batch);
  }

  private auditWritten(batch: readonly AuditRecord[]): void {
    if (this.options.audit && this.keyedFrom !== undefined) this.options.audit.written(batch, this.keyedFrom);
  }

  // ---- audit ----

  /** Gives a record its place in the chain: the next seq, and the hash of the one before. */
  private sign(input: AuditInput, time: string): AuditRecord {
    const seq = this.auditHead.seq + 1;
    const unsigned = { ...input, seq, time, prev: this.auditHead.hash };
    const key = this.options.audit?.key;
    // The first record signed under the key starts the keyed chain (it links to the last unkeyed one).
    if (key && this.keyedFrom === undefined) this.keyedFrom = seq;
    const record = { ...unsigned, hash: key ? auditHmac(key, unsigned) : auditHash(unsigned) };
    this.auditHead = { seq, hash: record.hash };
    return record;
  }

  private writeAudit(r: AuditRecord): void {
    this.stmt.insertAudit.run(r.seq, r.time, r.user, r.source, r.address, r.session, r.action,
      r.target, r.result, r.detail === undefined ? null : JSON.stringify(r.detail), r.prev, r.hash);
    if (r.seq === this.keyedFrom) this.writeMeta(KEYED_FROM, String(r.seq));
  }

  private writePendingAudit(): void {
    for (const r of this.pendingAudit) this.writeAudit(r);
  }

  /**
   * Appends an audit record outside a commit. It joins the chain at once, and is written with
   * the next commit or by flushAudit(), which the engine calls on a short timer: an fsync per
   * lock, edit or session record would cost more than the operation itself. A crash can lose
   * at most the records of that interval, never break the chain. Commits, rollbacks, restores
   * and their records are always written in one durable transaction.
   */
  appendAudit(input: AuditInput): AuditRecord {
    const record = this.sign(input, new Date().toISOString());
    this.pendingAudit.push(record);
    if (this.pendingAudit.length >= MAX_PENDING_AUDIT) this.flushAudit();
    return record;
  }

  /** Audit records in the chain not yet written to disk (monitoring's audit backlog). */
  pendingAuditCount(): number {
    return this.pendingAudit.length;
  }

  /** Writes every pending audit record durably. On failure they stay pending. */
  flushAudit(): void {
    if (this.pendingAudit.length === 0) return;
    this.write('writing the audit log', () => this.writePendingAudit());
    const batch = this.pendingAudit;
    this.pendingAudit = [];
    this.auditWritten(batch);
  }

  /** Every record of the chain: those on disk, then those not yet written (nothing is written). */
  *auditRecords(): IterableIterator<AuditRecord> {
    const pending = [...this.pendingAudit];
    for (const r of this.stmt.auditAll.iterate()) yield rowToAudit(r);
    yield* pending;
  }

  /** What verification checks the chain against: the key, the checkpoint, where keying starts. */
  auditEvidence(): { key: Uint8Array | null; checkpoint: Checkpoint | null | 'invalid'; keyedFrom: number | undefined } {
    const sink = this.options.audit;
    return { key: sink?.key ?? null, checkpoint: sink ? sink.readCheckpoint() : null, keyedFrom: this.keyedFrom };
  }

  /** The key and where keying starts, for verifyChain. */
  auditKeying(): ChainKey {
    const key = this.options.audit?.key;
    return { ...(key ? { key } : {}), ...(this.keyedFrom !== undefined ? { keyedFrom: this.keyedFrom } : {}) };
  }

  /** Seq of the first keyed record, undefined when none is keyed. */
  auditKeyedFrom(): number | undefined {
    return this.keyedFrom;
  }

  /** Hash of the durable record `seq`, undefined when there is none; and the durable head. */
  auditHashAt(seq: number): string | undefined {
    return this.stmt.auditHash.get(seq)?.hash;
  }

  auditDurableHead(): { seq: number; hash: string } {
    return this.stmt.auditHead.get() ?? { seq: 0, hash: GENESIS_HASH };
  }

  /** Audit records matching every given criterion, newest first. */
  queryAudit(q: AuditQuery): AuditRecord[] {
    this.flushAudit();
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.user !== undefined) { where.push('user = ?'); args.push(q.user); }
    if (q.action !== undefined) { where.push('action = ?'); args.push(q.action); }
    if (q.since !== undefined) { where.push('time >= ?'); args.push(q.since); }
    if (q.until !== undefined) { where.push('time <= ?'); args.push(q.until); }
    const sql = `SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?`;
    args.push(q.limit ?? 100);
    return this.db.prepare<unknown[], AuditRow>(sql).all(...args).map(rowToAudit);
  }

  // ---- subscriber registrations ----

  subscribers(): SubscriberRegistration[] {
    return this.stmt.allSubscribers.all().map((r) => ({
      name: r.name, paths: JSON.parse(r.paths) as string[], priority: r.priority, validate: r.validate === 1,
      mandatory: r.mandatory === 1, lastAck: r.last_ack, updated: r.updated,
    }));
  }

  putSubscriber(r: Omit<SubscriberRegistration, 'updated'>): void {
    this.write('registering a subscriber', () => this.stmt.putSubscriber.run(r.name, JSON.stringify(r.paths), r.priority,
      r.validate ? 1 : 0, r.mandatory ? 1 : 0, r.lastAck, new Date().toISOString()));
  }

  /** Records acknowledgements (name → txid); written in one transaction. */
  saveAcks(acks: ReadonlyMap<string, number>): void {
    if (acks.size === 0) return;
    this.write('saving subscriber acknowledgements', () => { for (const [name, txid] of acks) this.stmt.ackSubscriber.run(txid, name); });
  }

  deleteSubscriber(name: string): boolean {
    return this.write('removing a subscriber', () => this.stmt.deleteSubscriber.run(name).changes > 0);
  }

  // ---- maintenance ----

  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  /**
   * An online, consistent copy of the whole database (SQLite backup API), as a self-contained
   * single file (rollback journal, no WAL), written atomically to `file`; pending audit records
   * are written first, so the copy holds the whole chain.
   */
  async backup(file: string, checkpointFile?: string): Promise<void> {
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      // Audit records already in the chain belong in the copy (an upgrade's copy carries the log on).
      this.flushAudit();
      const steps = this.options.backupSteps;
      await (steps ? this.db.backup(tmp, { progress: () => { steps.after(); return steps.pages; } }) : this.db.backup(tmp));
      const copy = new Database(tmp);
      let head: { seq: number; hash: string } | undefined, keyed: string | undefined;
      try {
        copy.pragma('journal_mode = DELETE');
        head = copy.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get();
        keyed = copy.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(KEYED_FROM)?.value;
      } finally { copy.close(); }
      // A copy that becomes a database of its own (an upgrade's slot) gets its own checkpoint.
      if (checkpointFile && this.options.audit && head && keyed !== undefined) this.options.audit.anchorCopy(checkpointFile, head, Number(keyed));
      syncFile(tmp);
      renameSync(tmp, file);
      syncDirectory(dirname(file));
    } catch (cause) {
      rmSync(tmp, { force: true });
      if (cause instanceof ConfdError) throw cause;
      throw ioError(`backup to ${file}`, cause);
    }
  }
}

/** A subscriber known to the appliance, connected or not (confd/notify keeps them here). */
export interface SubscriberRegistration {
  readonly name: string;
  readonly paths: readonly string[];
  readonly priority: number;
  readonly validate: boolean;
  readonly mandatory: boolean;
  /** Highest txid it acknowledged. */
  readonly lastAck: number;
  readonly updated: string;
}

interface SubscriberRow { name: string; paths: string; priority: number; validate: number; mandatory: number; last_ack: number; updated: string }

export interface AuditQuery {
  readonly user?: string;
  readonly action?: string;
  /** ISO time, inclusive. */
  readonly since?: string;
  readonly until?: string;
  readonly limit?: number;
}

export interface AuditRow {
  seq: number; time: string; user: string; source: string; address: string; session: number; action: string;
  target: string; result: string; detail: string | null; prev: string; hash: string;
}

export function rowToAudit(r: AuditRow): AuditRecord {
  return {
    seq: r.seq, time: r.time, user: r.user, source: r.source, address: r.address, session: r.session, action: r.action,
    target: r.target, result: r.result, ...(r.detail === null ? {} : { detail: JSON.parse(r.detail) as Record<string, unknown> }),
    prev: r.prev, hash: r.hash,
  };
}
