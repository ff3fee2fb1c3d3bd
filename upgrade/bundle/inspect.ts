/**
 * @module upgrade/bundle/inspect
 * What a bundle says about itself, without trusting it: its manifest, the key that claims to
 * have signed it and its sizes. Nothing here is verified (verifyBundle does that): the output
 * is for a person deciding what to do with a file.
 */
import { open } from 'node:fs/promises';
import { readPreamble, type Manifest } from './format.js';
import { parseManifest, unpackedBytes } from './manifest.js';
import { asUpgradeError, describeError, refusal } from './refusal.js';

export interface BundleInspection {
  readonly file: string;
  readonly manifest: Manifest;
  /** The key id the bundle names as its signer (not checked). */
  readonly signer: string;
  readonly sizes: { readonly file: number; readonly manifest: number; readonly payload: number; readonly unpacked: number; readonly files: number };
}

export async function inspectBundle(file: string): Promise<BundleInspection> {
  const fail = refusal(`cannot read bundle ${file}`, { bundle: file });
  const fh = await open(file, 'r').catch((e: unknown) => { throw fail('UPG_BAD_BUNDLE', `it cannot be opened: ${describeError(e)}`); });
  try {
    const layout = await readPreamble(fh, fail).catch((e: unknown) => { throw asUpgradeError(e, fail, 'reading the bundle'); });
    const manifest = parseManifest(layout.manifestBytes, fail);
    return {
      file, manifest, signer: layout.keyId,
      sizes: {
        file: layout.fileBytes, manifest: layout.manifestBytes.length, payload: layout.payloadLength,
        unpacked: unpackedBytes(manifest), files: manifest.files.length,
      },
    };
  } finally {
    await fh.close().catch(() => undefined);
  }
}
