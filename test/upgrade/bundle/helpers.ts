/**
 * Test helpers for bundles: temporary trees and keys, and a builder of arbitrary (even hostile)
 * bundles signed with a given key, bypassing every check createBundle makes.
 */
import assert from 'node:assert/strict';
import { createHash, sign, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ConfdError, type ErrorCode } from '../../../confd/api/index.js';
import { tempDir as sharedTempDir, type TempDir } from '../../helpers/temp-dir.js';
import { encodePreamble } from '../../../upgrade/bundle/format.js';
import { currentPlatform } from '../../../upgrade/bundle/platform.js';
import { generateKeyPair, keyId, loadPrivateKey, type BundleInputFile } from '../../../upgrade/bundle/index.js';

export type { TempDir } from '../../helpers/temp-dir.js';

export function tempDir(prefix = 'bundle-test-'): TempDir {
  return sharedTempDir(prefix);
}

export interface TestKey {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

/** A fresh key pair at `dir/name` (and `dir/name.pub`). */
export async function makeKey(dir: string, name: string): Promise<TestKey> {
  mkdirSync(dir, { recursive: true });
  const pair = await generateKeyPair(join(dir, name));
  return { ...pair, privateKey: await loadPrivateKey(pair.privateKeyFile) };
}

export interface TreeFile { readonly content: string | Buffer; readonly mode?: number }

/** Writes files under `root` and returns them as bundle input, in the given order. */
export function writeTree(root: string, files: Record<string, string | Buffer | TreeFile>): BundleInputFile[] {
  const out: BundleInputFile[] = [];
  for (const [path, spec] of Object.entries(files)) {
    const { content, mode } = typeof spec === 'string' || Buffer.isBuffer(spec) ? { content: spec, mode: 0o644 } : { mode: 0o644, ...spec };
    const absolute = join(root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, content);
    chmodSync(absolute, mode);
    out.push({ path, absolute });
  }
  return out;
}

/** Deterministic pseudo-random bytes (SHA-256 in counter mode). */
export function pseudoRandom(length: number, seed = 'seed'): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0, block = 0; i < length; block++) {
    const h = createHash('sha256').update(`${seed}:${block}`).digest();
    i += h.copy(out, i);
  }
  return out;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface RawFile { readonly path: string; readonly content: Buffer; readonly mode?: number }

export interface RawBundleSpec {
  readonly key: KeyObject;
  /** Files whose entries and payload are generated consistently, unless overridden. */
  readonly files?: readonly RawFile[];
  /** Replaces or adds manifest members after the consistent ones are generated. */
  readonly override?: Record<string, unknown>;
  /** Replaces the whole manifest: an object is JSON-encoded, bytes are used as they are. */
  readonly manifest?: unknown;
  /** Replaces the compressed payload. */
  readonly payload?: Buffer;
  /** Sign as this key id instead of the key's own. */
  readonly keyIdHex?: string;
}

/**
 * Writes a bundle exactly as specified — paths, sizes and hashes need not be valid — signed with
 * `spec.key`. The payloadSha256 is computed over the payload actually written unless overridden.
 */
export function writeRawBundle(out: string, spec: RawBundleSpec): { manifestBytes: Buffer; payload: Buffer } {
  const files = spec.files ?? [{ path: 'a.txt', content: Buffer.from('a\n') }];
  const payload = spec.payload ?? gzipSync(Buffer.concat(files.map((f) => f.content)));
  let manifestBytes: Buffer;
  if (Buffer.isBuffer(spec.manifest)) {
    manifestBytes = spec.manifest;
  } else {
    const manifest = spec.manifest ?? {
      format: 1, product: 'appliance', version: '2.0.0', schemaVersion: 2, platform: currentPlatform(), created: '2025-01-01T00:00:00.000Z',
      files: files.map((f) => ({ path: f.path, size: f.content.length, sha256: sha256(f.content), mode: f.mode ?? 0o644 })),
      payloadSha256: sha256(payload),
      ...spec.override,
    };
    manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  }
  const signature = sign(null, manifestBytes, spec.key);
  writeFileSync(out, Buffer.concat([
    encodePreamble(manifestBytes, spec.keyIdHex ?? keyId(spec.key), signature, payload.length),
    payload,
  ]));
  return { manifestBytes, payload };
}

/** Awaits a rejection with ConfdError `code` and returns the error for further checks. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<ConfdError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected ${code}, but it succeeded`);
  assert.ok(caught instanceof ConfdError, `expected a ConfdError with ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  return caught;
}

export function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0x5a;
  writeFileSync(file, bytes);
}
