/**
 * @module upgrade/bundle/create
 * Writing a signed bundle (layout in format.ts) from a list of regular files, in one pass: each
 * file is read once, hashed and streamed through gzip straight into the output. The manifest
 * length is fixed before the payload is written (hashes are fixed-length hex and sizes come from
 * lstat), so the payload goes to its final offset and the signed preamble is written last. The
 * output appears atomically: temp file, fsync, rename, fsync of the directory. Imports only node
 * built-ins and confd/api.
 */
import { currentPlatform, type Platform } from './platform.js';
import { createHash, randomBytes, sign } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { syncDirectory } from '../../confd/api/index.js';
import { MAX_MANIFEST_BYTES, encodePreamble, preambleLength, type FileMode, type Manifest } from './format.js';
import { keyId as keyIdOf, loadPrivateKey } from './keys.js';
import { EMPTY_SHA256, checkPaths, encodeManifest, unpackedBytes, validateManifest } from './manifest.js';
import { asUpgradeError, errnoCode, refusal, type Fail } from './refusal.js';

/** One file to ship: where it goes in the bundle, and where it is read from now. */
export interface BundleInputFile {
  /** POSIX relative path inside the installed tree. */
  readonly path: string;
  readonly absolute: string;
}

export interface CreateBundleOptions {
  /** In payload order. */
  readonly files: readonly BundleInputFile[];
  readonly version: string;
  readonly schemaVersion: number;
  readonly product: string;
  /** What the build's compiled parts are for (default: this process's platform). */
  readonly platform?: Platform;
  /** PKCS#8 PEM Ed25519 key (see keys.ts). */
  readonly privateKeyFile: string;
  readonly out: string;
  /** Defaults to now; fixed in tests for reproducible output. */
  readonly created?: Date;
  /** gzip level 1–9, default 6. */
  readonly compressionLevel?: number;
}

export interface CreatedBundle {
  readonly file: string;
  readonly manifest: Manifest;
  readonly keyId: string;
  readonly bundleBytes: number;
  readonly unpackedBytes: number;
}

const READ_CHUNK = 1024 * 1024;
const PLACEHOLDER_SHA256 = '0'.repeat(64);

interface InputStat { readonly size: number; readonly mode: FileMode }

async function statInput(f: BundleInputFile, fail: Fail): Promise<InputStat> {
  let st;
  try {
    st = await lstat(f.absolute);
  } catch (e) {
    throw asUpgradeError(e, fail, `reading ${f.absolute}`, { path: f.path });
  }
  if (st.isSymbolicLink()) {
    throw fail('UPG_UNSAFE_PATH', `${f.absolute} (${f.path}) is a symbolic link; a bundle holds only regular files`, { path: f.path });
  }
  if (!st.isFile()) throw fail('UPG_UNSAFE_PATH', `${f.absolute} (${f.path}) is not a regular file`, { path: f.path });
  return { size: st.size, mode: (st.mode & 0o111) !== 0 ? 0o755 : 0o644 };
}

/** Writes all of `buf` at `position`. */
async function writeAll(fh: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

/** Creates a signed bundle at `options.out` from `options.files`. */
export async function createBundle(options: CreateBundleOptions): Promise<CreatedBundle> {
  const { files, out } = options;
  const fail = refusal(`cannot create bundle ${out}`, { bundle: out });
  const key = await loadPrivateKey(options.privateKeyFile);
  const signerId = keyIdOf(key);
  checkPaths(files, fail);
  const stats: InputStat[] = [];
  for (const f of files) stats.push(await statInput(f, fail));

  const created = (options.created ?? new Date()).toISOString();
  const draft = (hashes: readonly string[], payloadSha256: string): Manifest => validateManifest({
    format: 1, product: options.product, version: options.version, schemaVersion: options.schemaVersion,
    platform: options.platform ?? currentPlatform(), created,
    files: files.map((f, i) => ({ path: f.path, size: stats[i]!.size, sha256: hashes[i]!, mode: stats[i]!.mode })),
    payloadSha256,
  }, fail);
  // Fixed-length placeholders: the final manifest has exactly this many bytes.
  const placeholder = draft(stats.map((s) => (s.size === 0 ? EMPTY_SHA256 : PLACEHOLDER_SHA256)), PLACEHOLDER_SHA256);
  const manifestLength = encodeManifest(placeholder).length;
  if (manifestLength > MAX_MANIFEST_BYTES) {
    throw fail('UPG_BAD_MANIFEST', `the manifest would be ${manifestLength} bytes, more than ${MAX_MANIFEST_BYTES}`);
  }
  const payloadOffset = preambleLength(manifestLength);

  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fh: FileHandle | undefined;
  try {
    try {
      fh = await open(tmp, 'wx', 0o644);
    } catch (e) {
      throw asUpgradeError(e, fail, `creating ${tmp}`);
    }
    const output = fh;
    const hashes: string[] = [];
    let currentPath = '';

    async function* readInputs(): AsyncGenerator<Buffer> {
      for (let i = 0; i < files.length; i++) {
        const f = files[i]!;
        const expected = stats[i]!.size;
        currentPath = f.path;
        let input: FileHandle;
        try {
          input = await open(f.absolute, fsc.O_RDONLY | fsc.O_NOFOLLOW);
        } catch (e) {
          if (errnoCode(e) === 'ELOOP') throw fail('UPG_UNSAFE_PATH', `${f.absolute} (${f.path}) became a symbolic link`, { path: f.path });
          throw e;
        }
        try {
          const hash = createHash('sha256');
          let read = 0;
          for (;;) {
            // One byte more than expected, so that a file that grew is noticed.
            const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(expected - read, 0) + 1));
            const { bytesRead } = await input.read(buf, 0, buf.length, null);
            if (bytesRead === 0) break;
            read += bytesRead;
            if (read > expected) break;
            const chunk = buf.subarray(0, bytesRead);
            hash.update(chunk);
            yield chunk;
          }
          if (read !== expected) {
            throw fail('UPG_IO', `${f.absolute} (${f.path}) changed size while it was being bundled`, { path: f.path });
          }
          hashes.push(hash.digest('hex'));
        } finally {
          await input.close();
        }
      }
    }

    const payloadHash = createHash('sha256');
    let payloadLength = 0;
    async function writePayload(source: AsyncIterable<Buffer>): Promise<void> {
      for await (const chunk of source) {
        payloadHash.update(chunk);
        await writeAll(output, chunk, payloadOffset + payloadLength);
        payloadLength += chunk.length;
      }
    }
    try {
      await pipeline(readInputs, createGzip({ level: options.compressionLevel ?? 6 }), writePayload);
    } catch (e) {
      throw asUpgradeError(e, fail, `bundling ${currentPath}`, { path: currentPath });
    }

    const manifest = draft(hashes, payloadHash.digest('hex'));
    const manifestBytes = encodeManifest(manifest);
    if (manifestBytes.length !== manifestLength) throw new Error('bundle manifest length changed between draft and final');
    const signature = sign(null, manifestBytes, key);
    try {
      await writeAll(output, encodePreamble(manifestBytes, signerId, signature, payloadLength), 0);
      await output.sync();
      await output.close();
      fh = undefined;
      await rename(tmp, out);
      syncDirectory(dirname(out));
    } catch (e) {
      throw asUpgradeError(e, fail, `writing ${out}`);
    }
    return { file: out, manifest, keyId: signerId, bundleBytes: payloadOffset + payloadLength, unpackedBytes: unpackedBytes(manifest) };
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
