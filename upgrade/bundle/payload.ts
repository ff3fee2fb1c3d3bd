/**
 * @module upgrade/bundle/payload
 * Streams a bundle's payload once: hashes the compressed bytes, gunzips them, cuts the output
 * into the manifest's files and checks each file's size and SHA-256, then the payload's own hash.
 * Memory stays bounded whatever the payload holds: decompression stops as soon as the output
 * exceeds the total the manifest declares (a gzip bomb is refused, not inflated). Shared by
 * verify.ts (which only hashes) and extract.ts (which also writes). Imports only node built-ins
 * and confd/api.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ConfdError } from '../../confd/api/index.js';
import type { BundleLayout, Manifest, ManifestFile } from './format.js';
import { asUpgradeError, describeError, errnoCode, type Fail } from './refusal.js';

/** Called in payload order; `data` gets only the bytes of the file begun last. Errors abort the stream. */
export interface PayloadVisitor {
  begin?(entry: ManifestFile, index: number): void | Promise<void>;
  data?(chunk: Buffer, entry: ManifestFile, index: number): void | Promise<void>;
  /** After the file's size and hash have been checked. */
  end?(entry: ManifestFile, index: number): void | Promise<void>;
}

const READ_CHUNK = 1024 * 1024;

/**
 * Reads the payload of the open bundle `fh` at `layout` and checks it against `manifest`
 * (UPG_BAD_BUNDLE naming the file at fault; UPG_IO for read errors).
 */
export async function streamPayload(
  fh: FileHandle, layout: BundleLayout, manifest: Manifest, visitor: PayloadVisitor, fail: Fail,
): Promise<void> {
  const files = manifest.files;
  let declared = 0;
  for (const f of files) declared += f.size;

  const compressedHash = createHash('sha256');
  let compressedBytes = 0;
  let index = 0;
  let remaining = 0;
  let fileHash: Hash = createHash('sha256');
  let decompressed = 0;
  const current = (): ManifestFile | undefined => files[index];
  // Errors of the visitor (a failed write while unpacking) are its own to describe: passed through as thrown.
  let visitorError: unknown;
  const visit = async (call: () => void | Promise<void>): Promise<void> => {
    try {
      await call();
    } catch (e) {
      visitorError = e;
      throw e;
    }
  };

  const finishFile = async (entry: ManifestFile): Promise<void> => {
    const digest = fileHash.digest('hex');
    if (digest !== entry.sha256) {
      throw fail('UPG_BAD_BUNDLE', `the content of ${entry.path} does not match its SHA-256 in the manifest`, {
        path: entry.path, expected: entry.sha256, actual: digest,
      });
    }
    await visit(() => visitor.end?.(entry, index));
    index++;
  };
  /** Begins the next file that has bytes, finishing empty files on the way. */
  const advance = async (): Promise<void> => {
    for (let entry = current(); entry !== undefined; entry = current()) {
      fileHash = createHash('sha256');
      await visit(() => visitor.begin?.(entry, index));
      if (entry.size > 0) { remaining = entry.size; return; }
      await finishFile(entry);
    }
  };

  async function* tapCompressed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      compressedHash.update(chunk);
      compressedBytes += chunk.length;
      yield chunk;
    }
  }

  async function sink(source: AsyncIterable<Buffer>): Promise<void> {
    await advance();
    for await (const chunk of source) {
      let off = 0;
      while (off < chunk.length) {
        const entry = current();
        if (entry === undefined) {
          // Hazard: stop here. Reading on would let a small signed-looking payload inflate without bound.
          throw fail('UPG_BAD_BUNDLE', `the payload decompresses to more than the ${declared} bytes its manifest declares`, {
            declaredBytes: declared, decompressedBytes: decompressed + (chunk.length - off),
          });
        }
        const n = Math.min(remaining, chunk.length - off);
        const part = chunk.subarray(off, off + n);
        fileHash.update(part);
        await visit(() => visitor.data?.(part, entry, index));
        off += n;
        remaining -= n;
        decompressed += n;
        if (remaining === 0) {
          await finishFile(entry);
          await advance();
        }
      }
    }
  }

  try {
    const input = fh.createReadStream({
      start: layout.payloadOffset,
      end: layout.payloadOffset + layout.payloadLength - 1,
      highWaterMark: READ_CHUNK,
      autoClose: false,
    });
    await pipeline(input, tapCompressed, createGunzip(), sink);
  } catch (e) {
    if (e instanceof ConfdError || (e === visitorError && e !== undefined)) throw e;
    const code = errnoCode(e);
    if (code !== undefined && code.startsWith('Z_')) {
      const entry = current();
      throw fail('UPG_BAD_BUNDLE', `the payload is corrupt${entry ? ` in ${entry.path}` : ''}: ${describeError(e)}`, {
        ...(entry ? { path: entry.path } : {}), zlib: code,
      });
    }
    throw asUpgradeError(e, fail, 'reading the payload');
  }
  const entry = current();
  if (entry !== undefined) {
    throw fail('UPG_BAD_BUNDLE', `the payload ends early, inside ${entry.path}`, { path: entry.path, declaredBytes: declared, decompressedBytes: decompressed });
  }
  if (compressedBytes !== layout.payloadLength) {
    throw fail('UPG_BAD_BUNDLE', `only ${compressedBytes} of ${layout.payloadLength} payload bytes were read`);
  }
  const digest = compressedHash.digest('hex');
  if (digest !== manifest.payloadSha256) {
    throw fail('UPG_BAD_BUNDLE', 'the payload does not match its SHA-256 in the manifest', { expected: manifest.payloadSha256, actual: digest });
  }
}
