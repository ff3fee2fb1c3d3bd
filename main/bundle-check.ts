/**
 * @module main/bundle-check
 * `appliance bundle inspect FILE` (what the bundle says: manifest, signer, sizes; nothing
 * verified) and `appliance bundle verify FILE --keyring DIR` (every check an install makes,
 * the platform included, without installing).
 */
import { dirname } from 'node:path';
import { currentPlatform, inspectBundle, loadKeyring, verifyBundle, type Manifest } from '../upgrade/bundle/index.js';
import { PRODUCT } from '../upgrade/install/factory.js';
import { UsageError, out, printJson } from './output.js';

function describeManifest(m: Manifest): string[] {
  return [
    `product:   ${m.product}`,
    `version:   ${m.version} (schema ${m.schemaVersion})`,
    `platform:  ${m.platform.arch}, Node ABI ${m.platform.nodeAbi}, ${m.platform.libc}`,
    `created:   ${m.created}`,
  ];
}

export async function inspect(file: string, json: boolean): Promise<number> {
  const i = await inspectBundle(file);
  if (json) {
    printJson({ file: i.file, signer: i.signer, sizes: i.sizes, manifest: { ...i.manifest, files: undefined }, files: i.manifest.files });
    return 0;
  }
  out([
    `bundle:    ${i.file}`,
    ...describeManifest(i.manifest),
    `signer:    key ${i.signer} (not verified: appliance bundle verify FILE --keyring DIR)`,
    `sizes:     ${i.sizes.file} bytes, ${i.sizes.files} files, ${i.sizes.unpacked} bytes unpacked (manifest ${i.sizes.manifest}, payload ${i.sizes.payload})`,
  ].join('\n'));
  return 0;
}

export async function verify(file: string, keyring: string | undefined, json: boolean): Promise<number> {
  if (!keyring) throw new UsageError('bundle verify needs --keyring DIR');
  const v = await verifyBundle(file, { keyring: await loadKeyring(keyring), product: PRODUCT, platform: currentPlatform(), freeSpaceDir: dirname(file) });
  if (json) {
    printJson({ ok: true, file: v.file, signer: v.keyId, version: v.manifest.version, schemaVersion: v.manifest.schemaVersion, platform: v.manifest.platform, unpackedBytes: v.unpackedBytes });
    return 0;
  }
  out([`bundle ${v.file}: verified`, ...describeManifest(v.manifest), `signer:    key ${v.keyId}`].join('\n'));
  return 0;
}
