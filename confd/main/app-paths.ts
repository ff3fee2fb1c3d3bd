/**
 * @module confd/main/app-paths
 * Where this build of the appliance lives (its schemas, transforms, binaries) and the layout
 * of a data directory. The one place that knows file names.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** Root of this build: the folder holding package.json, schemas/ and dist/. */
export const APP_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const SCHEMAS_DIR = join(APP_ROOT, 'schemas');

/** The version of this build, from its package.json. */
export function softwareVersion(): string {
  return (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface DataDir {
  readonly root: string;
  readonly database: string;
  readonly lock: string;
  readonly socket: string;
  readonly hostKey: string;
  readonly httpKey: string;
  readonly httpCert: string;
  readonly initialPassword: string;
  readonly backups: string;
  readonly lastBackup: string;
  /** The NETCONF capabilities the last daemon advertised, and the changes seen (confd/main/capability-record). */
  readonly netconfCapabilities: string;
  /** The audit key (one per data directory) and the checkpoint of this database's audit chain (beside it). */
  readonly auditKey: string;
  readonly auditCheckpoint: string;
}

/**
 * The files of a data directory. With `slot`, the configuration database is that slot's
 * (slots/<slot>/config.db: each installed version has its own, see upgrade/); without, the
 * directory holds a single database (tools and tests working on one directly).
 */
export function dataDir(root: string, slot?: string): DataDir {
  const r = resolve(root);
  const database = slot ? join(r, 'slots', slot, 'config.db') : join(r, 'config.db');
  return {
    root: r,
    database,
    lock: join(r, 'appliance.lock'),
    socket: join(r, 'confd.sock'),
    hostKey: join(r, 'ssh_host_ed25519_key'),
    httpKey: join(r, 'https_key.pem'),
    httpCert: join(r, 'https_cert.pem'),
    initialPassword: join(r, 'initial-admin-password'),
    backups: join(r, 'backups'),
    lastBackup: join(r, 'last-backup'),
    netconfCapabilities: join(r, 'netconf-capabilities.json'),
    auditKey: join(r, 'audit-key'),
    auditCheckpoint: auditCheckpointOf(database),
  };
}

/** The audit checkpoint of the database `file`: `audit-checkpoint` beside it. */
export function auditCheckpointOf(file: string): string {
  return join(dirname(file), 'audit-checkpoint');
}
