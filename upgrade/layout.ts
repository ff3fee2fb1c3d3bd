/**
 * @module upgrade/layout
 * Where the boot loader keeps things in a data directory: the boot state, the trusted keys,
 * the two slots (each an installed version and its configuration database), the install
 * journal, and its control socket.
 */
import { join, resolve } from 'node:path';
import { dataDir } from '../confd/api/index.js';
import type { SlotName } from './boot/state.js';

export interface SlotPaths {
  readonly dir: string;
  /** The installed build (the bundle's files). */
  readonly app: string;
  readonly manifest: string;
  readonly database: string;
  /** The checkpoint of its database's audit chain. */
  readonly auditCheckpoint: string;
}

export interface DeviceLayout {
  readonly root: string;
  readonly bootState: string;
  readonly keyring: string;
  readonly bootLock: string;
  readonly bootSocket: string;
  readonly daemonSocket: string;
  /** The lock the management daemon holds while it runs. */
  readonly daemonLock: string;
  readonly upgradeDir: string;
  readonly journal: string;
  readonly auditKey: string;
  slot(name: SlotName): SlotPaths;
}

export function deviceLayout(root: string): DeviceLayout {
  const r = resolve(root);
  return {
    root: r,
    bootState: join(r, 'boot-state.json'),
    keyring: join(r, 'keyring'),
    bootLock: join(r, 'boot.lock'),
    bootSocket: join(r, 'boot.sock'),
    daemonSocket: dataDir(r).socket,
    daemonLock: dataDir(r).lock,
    upgradeDir: join(r, 'upgrade'),
    journal: join(r, 'upgrade', 'job.json'),
    auditKey: dataDir(r).auditKey,
    slot: (name) => {
      const dir = join(r, 'slots', name);
      const d = dataDir(r, name);
      return { dir, app: join(dir, 'app'), manifest: join(dir, 'manifest.json'), database: d.database, auditCheckpoint: d.auditCheckpoint };
    },
  };
}
