/**
 * @module upgrade/bundle/verify
 * Checks everything about a bundle before any byte of it reaches a slot, in this order, each
 * failure its own code with the reason ("refusing to install FILE: …"):
 *
 * 1. the file opens and its preamble is sane: magic, format, lengths against the file size (UPG_BAD_BUNDLE);
 * 2. the signing key is in the keyring (UPG_UNKNOWN_KEY) and the signature verifies (UPG_BAD_SIGNATURE);
 * 3. the manifest is well-formed, strictly (UPG_BAD_MANIFEST);
 * 4. the product matches, and the platform (architecture, Node ABI, C library) (UPG_INCOMPATIBLE);
 * 5. every path is safe to create under a slot (UPG_UNSAFE_PATH);
 * 6. there is room to unpack it (UPG_NO_SPACE);
 * 7. the payload, streamed once through gunzip, has the declared sizes and hashes (UPG_BAD_BUNDLE).
 *
 * Nothing is skippable: there are no options that weaken a check. Imports only node built-ins and
 * confd/api.
 */
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { open, statfs, type FileHandle } from 'node:fs/promises';
import { currentPlatform, platformMismatch, type Platform } from './platform.js';
import { readPreamble, type Manifest } from './format.js';
import { checkPaths, parseManifest, requiredSpace, unpackedBytes } from './manifest.js';
import { streamPayload } from './payload.js';
import { asUpgradeError, describeError, errnoCode, refusal } from './refusal.js';

export interface VerifyOptions {
  /** Trusted public keys by key id (loadKeyring). */
  readonly keyring: ReadonlyMap<string, KeyObject>;
  /** The product this appliance is; a bundle for another is refused. */
  readonly product: string;
  /** The platform the bundle must be built for (default: this process's). */
  readonly platform?: Platform;
  /** A directory on the file system the bundle will be unpacked to (the slot's parent). */
  readonly freeSpaceDir: string;
  /**
   * A floor on the free bytes required, for a caller that needs room for more than the files
   * (a database copy). The larger of this and the bundle's own need is checked: it can only
   * make the check stricter.
   */
  readonly requiredFreeBytes?: number;
}

/** A bundle whose every check passed; extractBundle takes only this. */
export interface VerifiedBundle {
  readonly file: string;
  readonly manifest: Manifest;
  /** Hex id of the key that signed it. */
  readonly keyId: string;
  /** The exact signed bytes; extraction refuses a file whose manifest no longer equals them. */
  readonly manifestBytes: Buffer;
  readonly unpackedBytes: number;
  readonly requiredFreeBytes: number;
  readonly freeBytes: number;
}

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Verifies `file` completely; throws a ConfdError naming the first check that fails. */
export async function verifyBundle(file: string, options: VerifyOptions): Promise<VerifiedBundle> {
  const fail = refusal(`refusing to install ${file}`, { bundle: file });
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const errno = errnoCode(e);
    throw fail('UPG_BAD_BUNDLE', `it cannot be opened: ${describeError(e)}`, errno === undefined ? {} : { errno });
  }
  try {
    const layout = await readPreamble(fh, fail).catch((e: unknown) => { throw asUpgradeError(e, fail, 'reading the bundle'); });

    const key = options.keyring.get(layout.keyId);
    if (key === undefined) {
      const trusted = [...options.keyring.keys()];
      throw fail('UPG_UNKNOWN_KEY', `it is signed by key ${layout.keyId}, which is not in the keyring `
        + (trusted.length === 0 ? '(the keyring is empty)' : `(trusted: ${trusted.join(', ')})`), { keyId: layout.keyId, trusted });
    }
    let valid: boolean;
    try {
      valid = verifySignature(null, layout.manifestBytes, key, layout.signature);
    } catch {
      valid = false;
    }
    if (!valid) {
      throw fail('UPG_BAD_SIGNATURE', `its signature does not verify with key ${layout.keyId}: the manifest or signature was altered`, { keyId: layout.keyId });
    }

    const manifest = parseManifest(layout.manifestBytes, fail);
    if (manifest.product !== options.product) {
      throw fail('UPG_INCOMPATIBLE', `it is built for product "${manifest.product}", and this is "${options.product}"`, {
        product: manifest.product, expected: options.product,
      });
    }
    const mismatch = platformMismatch(manifest.platform, options.platform ?? currentPlatform());
    if (mismatch !== '') {
      throw fail('UPG_INCOMPATIBLE', `it is built for another platform: ${mismatch}`, { platform: manifest.platform });
    }
    checkPaths(manifest.files, fail);

    let free: number;
    let blockSize: number;
    try {
      const fs = await statfs(options.freeSpaceDir);
      free = fs.bavail * fs.bsize;
      blockSize = fs.bsize;
    } catch (e) {
      throw asUpgradeError(e, fail, `measuring free space in ${options.freeSpaceDir}`);
    }
    const need = Math.max(requiredSpace(manifest, blockSize), options.requiredFreeBytes ?? 0);
    if (free < need) {
      throw fail('UPG_NO_SPACE', `unpacking it needs ${mib(need)} in ${options.freeSpaceDir}, but only ${mib(free)} is free`, {
        requiredBytes: need, freeBytes: free, dir: options.freeSpaceDir,
      });
    }

    await streamPayload(fh, layout, manifest, {}, fail);
    return Object.freeze({
      file, manifest, keyId: layout.keyId, manifestBytes: layout.manifestBytes,
      unpackedBytes: unpackedBytes(manifest), requiredFreeBytes: need, freeBytes: free,
    });
  } finally {
    await fh.close().catch(() => undefined);
  }
}
