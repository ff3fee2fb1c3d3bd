/**
 * @module upgrade/bundle/format
 * The on-disk layout of a signed bundle, its limits, and reading and writing its preamble (the
 * part before the payload). Imports only node built-ins and confd/api.
 *
 * A bundle is one file. All integers are unsigned big-endian.
 *
 * ```
 * offset      size  field
 * 0           8     magic, the ASCII bytes "APPLBNDL"
 * 8           4     format version (FORMAT_VERSION = 1)
 * 12          4     manifest length M, 2 ≤ M ≤ MAX_MANIFEST_BYTES (16 MiB)
 * 16          M     manifest: UTF-8 JSON, the exact bytes that are signed
 * 16+M        32    key id: SHA-256 of the signing key's SubjectPublicKeyInfo DER (hex in text)
 * 48+M        64    Ed25519 signature over the M manifest bytes, nothing else
 * 112+M       8     payload length P, MIN_PAYLOAD_BYTES ≤ P < 2^53
 * 120+M       P     payload: the files' bytes concatenated in manifest order, one gzip stream
 * 120+M+P           end of file; a bundle is exactly this long (shorter is truncated, longer corrupt)
 * ```
 *
 * The manifest is an object with exactly these members, in this order when written:
 * `format` (the format version again, so that the signature covers it), `product` ("appliance"),
 * `version` (string), `schemaVersion` (integer ≥ 1), `created` (ISO-8601 UTC time),
 * `files` ([{ `path`, `size`, `sha256`, `mode` }] in payload order; mode 0644 or 0755, as JSON
 * numbers 420 or 493) and `payloadSha256` (SHA-256 of the P compressed payload bytes, so that
 * nothing unsigned reaches gunzip unnoticed). Files are regular files only: there are no links,
 * devices or directory entries; directories are implied by paths. See manifest.ts for the rules.
 *
 * Every length is checked against the file size and the limits below before anything of that
 * length is allocated.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Fail } from './refusal.js';

export const MAGIC = Buffer.from('APPLBNDL', 'ascii');
export const FORMAT_VERSION = 1;
/** Bytes before the manifest: magic, format version, manifest length. */
export const HEADER_BYTES = 16;
export const KEY_ID_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** Bytes between the manifest and the payload: key id, signature, payload length. */
export const TRAILER_BYTES = KEY_ID_BYTES + SIGNATURE_BYTES + 8;

export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
export const MAX_FILES = 200_000;
export const MAX_PATH_BYTES = 1024;
/** A single path segment (NAME_MAX on Linux). */
export const MAX_SEGMENT_BYTES = 255;
/** Upper bound on the unpacked size, far above any real build; free space is checked as well. */
export const MAX_UNPACKED_BYTES = 64 * 1024 * 1024 * 1024;
/** The smallest gzip stream (header and trailer of an empty member). */
export const MIN_PAYLOAD_BYTES = 18;

import type { Platform } from './platform.js';

export type FileMode = 0o644 | 0o755;

export interface ManifestFile {
  /** POSIX relative path inside the installed tree. */
  readonly path: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly mode: FileMode;
}

export interface Manifest {
  readonly format: number;
  readonly product: string;
  readonly version: string;
  readonly schemaVersion: number;
  /** What the compiled parts of the build were built for. */
  readonly platform: Platform;
  readonly created: string;
  readonly files: readonly ManifestFile[];
  readonly payloadSha256: string;
}

/** Where the parts of a bundle file are, as read from its preamble. */
export interface BundleLayout {
  readonly fileBytes: number;
  readonly formatVersion: number;
  readonly manifestBytes: Buffer;
  /** Hex. */
  readonly keyId: string;
  readonly signature: Buffer;
  readonly payloadOffset: number;
  readonly payloadLength: number;
}

/** The bytes of a bundle before its payload. */
export function encodePreamble(manifestBytes: Uint8Array, keyIdHex: string, signature: Uint8Array, payloadLength: number): Buffer {
  const keyIdBytes = Buffer.from(keyIdHex, 'hex');
  if (keyIdBytes.length !== KEY_ID_BYTES) throw new RangeError('a key id is 32 bytes');
  if (signature.length !== SIGNATURE_BYTES) throw new RangeError('an Ed25519 signature is 64 bytes');
  const out = Buffer.alloc(HEADER_BYTES + manifestBytes.length + TRAILER_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32BE(FORMAT_VERSION, 8);
  out.writeUInt32BE(manifestBytes.length, 12);
  out.set(manifestBytes, HEADER_BYTES);
  let at = HEADER_BYTES + manifestBytes.length;
  out.set(keyIdBytes, at); at += KEY_ID_BYTES;
  out.set(signature, at); at += SIGNATURE_BYTES;
  out.writeBigUInt64BE(BigInt(payloadLength), at);
  return out;
}

/** Length of the preamble for a manifest of `manifestLength` bytes. */
export function preambleLength(manifestLength: number): number {
  return HEADER_BYTES + manifestLength + TRAILER_BYTES;
}

/** Reads exactly `length` bytes at `position`, or returns the shorter buffer read before end of file. */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) return buf.subarray(0, done);
    done += bytesRead;
  }
  return buf;
}

/**
 * Reads and sanity-checks the preamble: magic, format version and every length against the
 * limits and the file size, before allocating. Failures are UPG_BAD_BUNDLE; read errors propagate.
 */
export async function readPreamble(fh: FileHandle, fail: Fail): Promise<BundleLayout> {
  const st = await fh.stat();
  if (!st.isFile()) throw fail('UPG_BAD_BUNDLE', 'it is not a regular file');
  const fileBytes = st.size;
  const minimum = preambleLength(2) + MIN_PAYLOAD_BYTES;
  if (fileBytes < HEADER_BYTES) {
    throw fail('UPG_BAD_BUNDLE', `the file is truncated: ${fileBytes} bytes is shorter than a bundle header`, { fileBytes });
  }
  const header = await readAt(fh, 0, HEADER_BYTES);
  if (header.length < HEADER_BYTES) throw fail('UPG_BAD_BUNDLE', 'the file is truncated inside its header', { fileBytes });
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw fail('UPG_BAD_BUNDLE', 'it is not an appliance bundle (bad magic)');
  const formatVersion = header.readUInt32BE(8);
  if (formatVersion !== FORMAT_VERSION) {
    throw fail('UPG_BAD_BUNDLE', `bundle format ${formatVersion} is not supported (this appliance reads format ${FORMAT_VERSION})`, { formatVersion });
  }
  const manifestLength = header.readUInt32BE(12);
  if (manifestLength < 2 || manifestLength > MAX_MANIFEST_BYTES) {
    throw fail('UPG_BAD_BUNDLE', `the manifest length ${manifestLength} is outside 2…${MAX_MANIFEST_BYTES} bytes`, { manifestLength });
  }
  const payloadOffset = preambleLength(manifestLength);
  if (fileBytes < payloadOffset) {
    throw fail('UPG_BAD_BUNDLE', `the file is truncated: ${fileBytes} bytes, but its manifest and signature need ${payloadOffset}`, { fileBytes });
  }
  if (fileBytes < minimum) throw fail('UPG_BAD_BUNDLE', 'the file is truncated: no payload', { fileBytes });
  const rest = await readAt(fh, HEADER_BYTES, manifestLength + TRAILER_BYTES);
  if (rest.length < manifestLength + TRAILER_BYTES) throw fail('UPG_BAD_BUNDLE', 'the file is truncated (it shrank while being read)');
  const manifestBytes = Buffer.from(rest.subarray(0, manifestLength));
  let at = manifestLength;
  const keyId = rest.subarray(at, at + KEY_ID_BYTES).toString('hex'); at += KEY_ID_BYTES;
  const signature = Buffer.from(rest.subarray(at, at + SIGNATURE_BYTES)); at += SIGNATURE_BYTES;
  const declared = rest.readBigUInt64BE(at);
  const actual = BigInt(fileBytes - payloadOffset);
  if (declared < BigInt(MIN_PAYLOAD_BYTES)) {
    throw fail('UPG_BAD_BUNDLE', `the payload length ${declared} is too small for a gzip stream`);
  }
  if (declared > actual) {
    throw fail('UPG_BAD_BUNDLE', `the file is truncated: its payload should be ${declared} bytes but ${actual} are present`, { fileBytes });
  }
  if (declared < actual) {
    throw fail('UPG_BAD_BUNDLE', `${actual - declared} unexpected bytes follow the payload`, { fileBytes });
  }
  return { fileBytes, formatVersion, manifestBytes, keyId, signature, payloadOffset, payloadLength: Number(declared) };
}
