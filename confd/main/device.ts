/**
 * @module confd/main/device
 * Opens the configuration database of a data directory with the schema of this build and
 * builds the transaction engine on it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { JsonObject } from '../core/tree.js';
import { loadDeviceSchema } from '../schema/loader.js';
import type { DeviceSchema } from '../schema/model.js';
import { readSchemaVersion } from '../store/backup-file.js';
import { Store, type StoreOptions } from '../store/store.js';
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
  const store = openStore(dirs.database, schema, options.store);
  try {
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
