/**
 * @module upgrade/install/factory
 * The first install on an empty data directory: slot a receives this build (or a signed
 * bundle given with --factory-bundle, checked against the keyring provisioned with the data
 * directory), then the boot state is written last, which makes the slot bootable. A crash
 * before that leaves no boot state, and the next start installs again from scratch.
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { writeFileDurably } from '../../confd/api/index.js';
import { initialState, writeBootState, type BootState } from '../boot/state.js';
import { collectBuildFiles, currentPlatform, extractBundle, loadKeyring, verifyBundle } from '../bundle/index.js';
import type { Manifest, ManifestFile } from '../bundle/format.js';
import type { DeviceLayout } from '../layout.js';

export const PRODUCT = 'appliance';

export interface FactoryOptions {
  readonly appRoot: string;
  readonly version: string;
  readonly schemaVersion: number;
  readonly bundle?: string;
  readonly log: Logger;
}

/** `mkdir -p` with every directory it creates 0755 whatever the umask, as a slot's manifest requires. */
function mkdirWithMode(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (first === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    chmodSync(d, 0o755);
    if (d === first || dirname(d) === d) break;
  }
}

/** Copies this build's files into `target`, returning their manifest entries. */
async function copyBuild(appRoot: string, target: string): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const f of await collectBuildFiles(appRoot)) {
    const data = readFileSync(f.absolute);
    const dest = join(target, f.path);
    mkdirWithMode(dirname(dest));
    const mode = (statSync(f.absolute).mode & 0o111) !== 0 ? 0o755 : 0o644;
    const fd = openSync(dest, 'wx', mode);
    // The umask (077: the data directory holds secrets) narrows open's mode; a slot's files have the manifest's.
    try { fchmodSync(fd, mode); writeSync(fd, data); fsyncSync(fd); } finally { closeSync(fd); }
    files.push({ path: f.path, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), mode });
  }
  return files;
}

export async function factoryInstall(layout: DeviceLayout, o: FactoryOptions): Promise<BootState> {
  const slot = layout.slot('a');
  rmSync(layout.slot('a').dir, { recursive: true, force: true });
  mkdirSync(slot.dir, { recursive: true, mode: 0o755 });
  let manifest: Manifest;
  if (o.bundle) {
    const verified = await verifyBundle(o.bundle, { keyring: await loadKeyring(layout.keyring), product: PRODUCT, freeSpaceDir: layout.root });
    await extractBundle(o.bundle, verified, slot.app);
    manifest = verified.manifest;
  } else {
    const files = await copyBuild(o.appRoot, slot.app);
    manifest = { format: 1, product: PRODUCT, version: o.version, schemaVersion: o.schemaVersion, platform: currentPlatform(), created: new Date().toISOString(), files, payloadSha256: '' };
  }
  writeFileDurably(slot.manifest, JSON.stringify(manifest) + '\n');
  const state = initialState(manifest.version, manifest.schemaVersion);
  writeBootState(layout.bootState, state);
  o.log.info({ version: manifest.version, schemaVersion: manifest.schemaVersion, from: o.bundle ?? 'this build' }, 'factory install into slot a');
  return state;
}
