/**
 * @module confd/main/device
 * Opens the configuration database of a data directory with the schema of this build and
 * builds the transaction engine on it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { JsonObject } from '../core/tree.js';
import { loadDeviceSchema } from '../schema/loader.js';
import type { DeviceSchema } from '../schema/model.js';
import { readSchemaVersion } from '../store/backup-file.js';
import { Store, type StoreOptions } from '../store/store.js';
import { AuditAnchor, loadOrCreateAuditKey, makeCheckpoint, readAuditKey, readCheckpoint, writeCheckpoint } from '../store/audit-anchor.js';
import { checkpointFindings, readAuditDatabase, verifyAudit, type AuditVerdict } from '../store/audit-verify.js';
import type { Clock } from '../txn/clock.js';
import { ConfigEngine } from '../txn/engine.js';
import type { OlderVersions } from '../txn/history.js';
import { migrate } from '../../transforms/index.js';
import { SCHEMAS_DIR, dataDir } from './app-paths.js';

export interface OpenDeviceOptions {
  readonly dataDir: string;
  /** The slot whose database to open (see dataDir); none for a single-database directory. */
  readonly slot?: string;
  /** Schema version to use; default: the database's own, or for a new one the newest of this build. */
  readonly schemaVersion?: number;
  readonly logger: Logger;
  readonly schema?: DeviceSchema;
  readonly clock?: Clock;
  readonly store?: StoreOptions;
  /** The audit anchor to sign with (default: one made from the data directory's key and checkpoint). */
  readonly anchor?: AuditAnchor;
}

/**
 * The audit anchor of a data directory's database: its key (made on the first start) and its
 * checkpoint. Until the first keyed record, records of an older database keep their hashes.
 */
export function openAuditAnchor(root: string, slot: string | undefined, logger: Logger): AuditAnchor {
  const dirs = dataDir(root, slot);
  const { key, created } = loadOrCreateAuditKey(dirs.auditKey);
  if (created) logger.info({ file: dirs.auditKey }, 'audit key created');
  return new AuditAnchor(key, dirs.auditCheckpoint, (err, what) => logger.error({ err }, `${what} failed`));
}

/**
 * Verifies the audit trail of a data directory's database without writing anything (no lock,
 * no session, no record, no key made): it works on a full disk and a read-only directory, with
 * the appliance running or not. A key file of the wrong size is a finding, not an error.
 */
export function verifyDeviceAudit(root: string, slot?: string): AuditVerdict {
  const dirs = dataDir(root, slot);
  let key: Buffer | null = null;
  let badKey: string | null = null;
  try { key = readAuditKey(dirs.auditKey); } catch (e) { badKey = (e as Error).message; }
  const { records, keyedFrom } = readAuditDatabase(dirs.database);
  const v = verifyAudit(records, { key, checkpoint: readCheckpoint(dirs.auditCheckpoint), keyedFrom });
  if (badKey === null) return v;
  const findings = [{ kind: 'key-replaced' as const, seq: 0, reason: `the audit key file was replaced: ${badKey}` }, ...v.findings.filter((f) => f.kind !== 'key-missing')];
  return { ...v, ok: false, findings, seq: 0, reason: findings[0]!.reason };
}

/**
 * After a full restore: the checkpoint of the database now in place is made from its head
 * (removed when its chain is not keyed), so the old database's checkpoint does not condemn it.
 */
export function reanchorAudit(root: string, slot?: string): void {
  const dirs = dataDir(root, slot);
  const key = readAuditKey(dirs.auditKey);
  const { records, keyedFrom } = readAuditDatabase(dirs.database);
  const head = records[records.length - 1];
  if (key && head && keyedFrom !== undefined) writeCheckpoint(dirs.auditCheckpoint, makeCheckpoint(key, head, keyedFrom));
  else rmSync(dirs.auditCheckpoint, { force: true });
}

/** Compares the checkpoint with the database at open; a mismatch freezes the checkpoint (see AuditAnchor). */
function checkAnchor(anchor: AuditAnchor, store: Store, logger: Logger): void {
  const findings = checkpointFindings(
    { key: anchor.key, checkpoint: anchor.readCheckpoint(), keyedFrom: store.auditKeyedFrom() },
    store.auditDurableHead(), (seq) => store.auditHashAt(seq));
  if (findings.length === 0) return;
  anchor.failure = findings.map((f) => f.reason).join('; ');
  logger.error({ findings }, `the audit trail fails its checkpoint: ${anchor.failure}`);
}

/** The root body of an empty configuration: every default filled in. */
export function emptyRootBody(schema: DeviceSchema): JsonObject {
  const body: JsonObject = {};
  schema.root.validate(body);
  return body;
}

export function openStore(file: string, schema: DeviceSchema, options: StoreOptions = {}): Store {
  return Store.open(file, { schemaVersion: schema.version, rootBody: emptyRootBody(schema) }, options);
}

/** The other schema versions of this build (loaded when history first needs one) and the transforms. */
export function olderVersions(): OlderVersions {
  const loaded = new Map<number, DeviceSchema>();
  return {
    schema(version) {
      let s = loaded.get(version);
      if (!s) { s = loadDeviceSchema(SCHEMAS_DIR, version); loaded.set(version, s); }
      return s;
    },
    migrate: (tree, from, to) => migrate(tree, from, to),
  };
}

export async function openDevice(options: OpenDeviceOptions): Promise<ConfigEngine> {
  const dirs = dataDir(options.dataDir, options.slot);
  mkdirSync(dirname(dirs.database), { recursive: true, mode: 0o750 });
  const schema = options.schema ?? loadDeviceSchema(SCHEMAS_DIR, options.schemaVersion ?? readSchemaVersion(dirs.database));
  const anchor = options.anchor ?? openAuditAnchor(options.dataDir, options.slot, options.logger);
  const store = openStore(dirs.database, schema, { ...options.store, audit: anchor });
  try {
    checkAnchor(anchor, store, options.logger);
    const engine = new ConfigEngine({
      schema, store, logger: options.logger, olderVersions: olderVersions(), ...(options.clock ? { clock: options.clock } : {}),
    });
    await engine.start();
    return engine;
  } catch (e) {
    store.close();
    throw e;
  }
}
