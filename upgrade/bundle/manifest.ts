/**
 * @module upgrade/bundle/manifest
 * The bundle manifest: strict validation by hand (no schema library may be imported from
 * upgrade/), the rules that make a path safe to create under a slot directory, its canonical
 * encoding, and how much space unpacking it needs. Pure apart from node:buffer; imports only
 * confd/api (through refusal.ts) and format.ts.
 */
import {
  FORMAT_VERSION, MAX_FILES, MAX_PATH_BYTES, MAX_SEGMENT_BYTES, MAX_UNPACKED_BYTES,
  type FileMode, type Manifest, type ManifestFile,
} from './format.js';
import type { Fail } from './refusal.js';
import { validatePlatform } from './platform.js';

const MANIFEST_KEYS = ['format', 'product', 'version', 'schemaVersion', 'platform', 'created', 'files', 'payloadSha256'] as const;
const FILE_KEYS = ['path', 'size', 'sha256', 'mode'] as const;
const PRODUCT = /^[a-z][a-z0-9-]{0,63}$/;
/** Safe in file names and log lines: letters, digits and . + _ ~ - (semver fits). */
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_~-]{0,63}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
// Control characters make paths ambiguous in logs and terminals; lone surrogates have no UTF-8 form.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /\p{Cs}/u;

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function exactKeys(v: Record<string, unknown>, keys: readonly string[], what: string, fail: Fail, details: Record<string, unknown> = {}): void {
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) throw fail('UPG_BAD_MANIFEST', `${what} has an unknown member ${JSON.stringify(k)}`, details);
  }
  for (const k of keys) {
    if (!Object.hasOwn(v, k)) throw fail('UPG_BAD_MANIFEST', `${what} lacks the member "${k}"`, details);
  }
}

/** Decodes and validates manifest bytes (UPG_BAD_MANIFEST). Paths are checked separately by checkPaths. */
export function parseManifest(bytes: Uint8Array, fail: Fail): Manifest {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw fail('UPG_BAD_MANIFEST', 'the manifest is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw fail('UPG_BAD_MANIFEST', `the manifest is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return validateManifest(value, fail);
}

/**
 * Checks every member's presence, type and range, strictly: unknown members are refused.
 * Returns a frozen copy holding only the known members, in canonical order.
 */
export function validateManifest(value: unknown, fail: Fail): Manifest {
  if (!isPlainObject(value)) throw fail('UPG_BAD_MANIFEST', 'the manifest is not a JSON object');
  exactKeys(value, MANIFEST_KEYS, 'the manifest', fail);
  const { format, product, version, schemaVersion, created, files, payloadSha256 } = value;
  const platform = validatePlatform(value.platform, fail);
  if (format !== FORMAT_VERSION) throw fail('UPG_BAD_MANIFEST', `the manifest's format ${JSON.stringify(format)} is not ${FORMAT_VERSION}`);
  if (typeof product !== 'string' || !PRODUCT.test(product)) {
    throw fail('UPG_BAD_MANIFEST', 'the manifest\'s "product" is not a lower-case name of at most 64 characters');
  }
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw fail('UPG_BAD_MANIFEST', 'the manifest\'s "version" is not 1–64 characters of letters, digits and . + _ ~ -');
  }
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
    throw fail('UPG_BAD_MANIFEST', 'the manifest\'s "schemaVersion" is not a positive integer');
  }
  if (typeof created !== 'string' || !ISO_UTC.test(created) || Number.isNaN(Date.parse(created))) {
    throw fail('UPG_BAD_MANIFEST', 'the manifest\'s "created" is not an ISO-8601 UTC time');
  }
  if (typeof payloadSha256 !== 'string' || !SHA256_HEX.test(payloadSha256)) {
    throw fail('UPG_BAD_MANIFEST', 'the manifest\'s "payloadSha256" is not a lower-case hex SHA-256');
  }
  if (!Array.isArray(files)) throw fail('UPG_BAD_MANIFEST', 'the manifest\'s "files" is not an array');
  if (files.length === 0) throw fail('UPG_BAD_MANIFEST', 'the manifest lists no files');
  if (files.length > MAX_FILES) throw fail('UPG_BAD_MANIFEST', `the manifest lists ${files.length} files, more than ${MAX_FILES}`);
  const out: ManifestFile[] = [];
  let total = 0;
  for (let i = 0; i < files.length; i++) {
    const f: unknown = files[i];
    const what = `file entry ${i}`;
    if (!isPlainObject(f)) throw fail('UPG_BAD_MANIFEST', `${what} is not an object`, { index: i });
    exactKeys(f, FILE_KEYS, what, fail, { index: i });
    const { path, size, sha256, mode } = f;
    if (typeof path !== 'string') throw fail('UPG_BAD_MANIFEST', `${what} has a "path" that is not a string`, { index: i });
    const named = { index: i, path };
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw fail('UPG_BAD_MANIFEST', `${what} (${path}) has a "size" that is not a non-negative integer`, named);
    }
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      throw fail('UPG_BAD_MANIFEST', `${what} (${path}) has a "sha256" that is not a lower-case hex SHA-256`, named);
    }
    if (size === 0 && sha256 !== EMPTY_SHA256) {
      throw fail('UPG_BAD_MANIFEST', `${what} (${path}) is empty but its "sha256" is not that of no bytes`, named);
    }
    if (mode !== 0o644 && mode !== 0o755) {
      throw fail('UPG_BAD_MANIFEST', `${what} (${path}) has a "mode" other than 0644 (420) or 0755 (493)`, named);
    }
    total += size;
    if (total > MAX_UNPACKED_BYTES) {
      throw fail('UPG_BAD_MANIFEST', `the files add up to more than ${MAX_UNPACKED_BYTES} bytes`);
    }
    out.push(Object.freeze({ path, size, sha256, mode: mode as FileMode }));
  }
  return Object.freeze({ format, product, version, schemaVersion, platform, created, files: Object.freeze(out), payloadSha256 });
}

/** The canonical bytes of a manifest: members in the order of MANIFEST_KEYS, no whitespace. */
export function encodeManifest(m: Manifest): Buffer {
  const canonical = {
    format: m.format, product: m.product, version: m.version, schemaVersion: m.schemaVersion,
    platform: { arch: m.platform.arch, nodeAbi: m.platform.nodeAbi, libc: m.platform.libc }, created: m.created,
    files: m.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, mode: f.mode })),
    payloadSha256: m.payloadSha256,
  };
  return Buffer.from(JSON.stringify(canonical), 'utf8');
}

/** Why a path is unsafe to create under a directory, or undefined when it is safe. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'it is empty';
  if (path.includes('\0')) return 'it contains a NUL byte';
  if (CONTROL.test(path)) return 'it contains a control character';
  if (LONE_SURROGATE.test(path)) return 'it is not valid Unicode';
  if (path.includes('\\')) return 'it contains a backslash';
  if (path.startsWith('/')) return 'it is absolute';
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return `it is longer than ${MAX_PATH_BYTES} bytes`;
  for (const segment of path.split('/')) {
    if (segment === '') return 'it has an empty segment (// or a trailing /)';
    if (segment === '.') return 'it has a "." segment';
    if (segment === '..') return 'it has a ".." segment';
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

/** The directories a set of file paths implies, parents before children ("a", "a/b"). */
export function impliedDirectories(files: readonly { readonly path: string }[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    let at = f.path.indexOf('/');
    while (at >= 0) {
      dirs.add(f.path.slice(0, at));
      at = f.path.indexOf('/', at + 1);
    }
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Every path relative, POSIX, without "..", "." or empty segments, backslashes, NUL or control
 * characters; no duplicates; and no file whose path is a directory of another file (UPG_UNSAFE_PATH).
 */
export function checkPaths(files: readonly { readonly path: string }[], fail: Fail): void {
  const seen = new Set<string>();
  for (const f of files) {
    const problem = pathProblem(f.path);
    if (problem !== undefined) throw fail('UPG_UNSAFE_PATH', `the path ${JSON.stringify(f.path)} is unsafe: ${problem}`, { path: f.path });
    if (seen.has(f.path)) throw fail('UPG_UNSAFE_PATH', `the path ${JSON.stringify(f.path)} appears twice`, { path: f.path });
    seen.add(f.path);
  }
  for (const f of files) {
    let at = f.path.indexOf('/');
    while (at >= 0) {
      const dir = f.path.slice(0, at);
      if (seen.has(dir)) {
        throw fail('UPG_UNSAFE_PATH', `the path ${JSON.stringify(dir)} is both a file and the directory of ${JSON.stringify(f.path)}`, { path: dir, other: f.path });
      }
      at = f.path.indexOf('/', at + 1);
    }
  }
}

export function unpackedBytes(m: Manifest): number {
  let total = 0;
  for (const f of m.files) total += f.size;
  return total;
}

/**
 * Free bytes needed to unpack: every file rounded up to whole blocks, a block per directory, plus
 * a margin of 10 % and at least 16 MiB, so that a slot is never filled to the last block.
 */
export function requiredSpace(m: Manifest, blockSize: number): number {
  const bs = blockSize > 0 ? blockSize : 4096;
  let blocks = 0;
  for (const f of m.files) blocks += Math.ceil(f.size / bs);
  blocks += impliedDirectories(m.files).length + 1;
  const data = blocks * bs;
  return data + Math.max(16 * 1024 * 1024, Math.ceil(data / 10));
}
