/**
 * @module upgrade/bundle/extract
 * Unpacking a verified bundle into a fresh directory, and re-checking a directory against a
 * manifest. Imports only node built-ins and confd/api.
 *
 * Hazards handled here, because the target lies on a writable file system:
 * - Nothing may redirect a write outside the target. Every directory is created here with mkdir
 *   (which fails on anything already there, a planted link included), files are opened with
 *   O_CREAT|O_EXCL|O_NOFOLLOW (which never follows or reuses an existing entry), each parent's
 *   identity (dev, inode) is compared with the directory created before each create, and on
 *   Linux the opened descriptor's real path (/proc/self/fd) must be the intended one. Node has
 *   no openat(), so this is detection of a swap rather than prevention; the target's parent
 *   must still not be writable by anyone untrusted.
 * - The bundle file may change between verification and unpacking: its manifest must still be
 *   the verified bytes, and every file's SHA-256 and the payload hash are checked again while
 *   writing.
 * - A failure leaves a partial directory, which the caller removes; nothing outside it is touched.
 */
import { createHash } from 'node:crypto';
import { constants as fsc, type BigIntStats } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, readlink, realpath, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfdError } from '../../confd/api/index.js';
import { readPreamble, type Manifest, type ManifestFile } from './format.js';
import { checkPaths, impliedDirectories, parseManifest } from './manifest.js';
import { streamPayload } from './payload.js';
import { asUpgradeError, errnoCode, refusal, type Fail } from './refusal.js';
import type { VerifiedBundle } from './verify.js';

export interface ExtractFaults {
  /** Fail the write that would take the total written past this many bytes, as a full disk does (ENOSPC). */
  readonly failWriteAfterBytes?: number;
  /** Called once the total written reaches this many bytes, in the middle of the write (the kill tests SIGKILL there). */
  readonly afterBytes?: { readonly bytes: number; readonly reached: () => void };
}

export interface ExtractOptions {
  /** Called after each file, and within large files every few MiB. */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Test hooks; never set in production. */
  readonly faults?: ExtractFaults;
}

export interface ExtractResult {
  readonly files: number;
  readonly directories: number;
  readonly bytes: number;
}

const PROGRESS_STEP = 8 * 1024 * 1024;
const DIR_FLAGS = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;
const NEW_FILE_FLAGS = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;

interface Identity { readonly dev: bigint; readonly ino: bigint }

function sameIdentity(st: BigIntStats, id: Identity): boolean {
  return st.dev === id.dev && st.ino === id.ino;
}

function injectedNoSpace(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write (injected fault)'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

/** Makes `targetDir` a fresh empty directory we may fill, or refuses. Returns whether it was created here. */
async function prepareTarget(targetDir: string, fail: Fail): Promise<boolean> {
  let st;
  try {
    st = await lstat(targetDir);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
  if (st === undefined) {
    try {
      await mkdir(targetDir, { mode: 0o755 });
      await chmod(targetDir, 0o755); // the umask narrows mkdir's mode
      return true;
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') throw fail('UPG_TARGET_NOT_EMPTY', 'the directory appeared while preparing to unpack');
      throw e;
    }
  }
  if (st.isSymbolicLink()) throw fail('UPG_UNSAFE_PATH', `${targetDir} is a symbolic link; unpacking needs a real, fresh directory`);
  if (!st.isDirectory()) throw fail('UPG_TARGET_NOT_EMPTY', `${targetDir} exists and is not a directory`);
  const entries = await readdir(targetDir);
  if (entries.length > 0) {
    throw fail('UPG_TARGET_NOT_EMPTY', `${targetDir} is not empty (${entries.length} entries); unpacking needs a fresh directory`, { entries: entries.length });
  }
  return false;
}

/**
 * Unpacks `verified` (from verifyBundle of `file`) into `targetDir`, which must not exist or be
 * an empty directory. Directories get mode 0755, files their manifest mode; every file is
 * fsynced, then every directory. Errors: UPG_TARGET_NOT_EMPTY, UPG_UNSAFE_PATH (something
 * tried to redirect a path), UPG_BAD_BUNDLE (the file changed since it was verified), UPG_IO
 * (disk full or another I/O error, with the reason).
 */
export async function extractBundle(
  file: string, verified: VerifiedBundle, targetDir: string, options: ExtractOptions = {},
): Promise<ExtractResult> {
  const fail = refusal(`cannot unpack ${file} into ${targetDir}`, { bundle: file, targetDir });
  const limit = options.faults?.failWriteAfterBytes;
  const after = options.faults?.afterBytes;
  let currentPath: string | undefined;
  let current: FileHandle | undefined;
  let bundle: FileHandle | undefined;
  try {
    const createdTarget = await prepareTarget(targetDir, fail);
    const root = await realpath(targetDir);
    const dirs = new Map<string, Identity>();
    const dirOrder: string[] = [];
    /** Whether /proc/self/fd shows where a descriptor really points (Linux). */
    let procChecks = false;

    // Opens a directory without following a link, and checks it is where it should be.
    const openDir = async (rel: string): Promise<FileHandle> => {
      const abs = rel === '' ? root : join(root, rel);
      let fh: FileHandle;
      try {
        fh = await open(abs, DIR_FLAGS);
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'ELOOP' || code === 'ENOTDIR') throw fail('UPG_UNSAFE_PATH', `${rel || '.'} was replaced by a link while unpacking`, { path: rel });
        throw e;
      }
      if (procChecks && await readlink(`/proc/self/fd/${fh.fd}`) !== abs) {
        await fh.close();
        throw fail('UPG_UNSAFE_PATH', `${rel || '.'} resolves outside ${root}; a link was planted while unpacking`, { path: rel });
      }
      return fh;
    };
    {
      const fh = await open(root, DIR_FLAGS);
      try {
        procChecks = await readlink(`/proc/self/fd/${fh.fd}`).then((p) => p === root, () => false);
        dirs.set('', await fh.stat({ bigint: true }));
        if (createdTarget) await fh.chmod(0o755);
      } finally {
        await fh.close();
      }
    }

    const checkDir = async (rel: string): Promise<void> => {
      const id = dirs.get(rel);
      const st = await lstat(rel === '' ? root : join(root, rel), { bigint: true }).catch(() => undefined);
      if (id === undefined || st === undefined || !st.isDirectory() || !sameIdentity(st, id)) {
        throw fail('UPG_UNSAFE_PATH', `the directory ${rel || '.'} was replaced while unpacking`, { path: rel });
      }
    };
    const ensureDir = async (rel: string): Promise<void> => {
      if (dirs.has(rel)) return;
      const slash = rel.lastIndexOf('/');
      const parent = slash < 0 ? '' : rel.slice(0, slash);
      await ensureDir(parent);
      await checkDir(parent);
      try {
        await mkdir(join(root, rel), { mode: 0o755 });
        await chmod(join(root, rel), 0o755); // the umask narrows mkdir's mode
      } catch (e) {
        if (errnoCode(e) === 'EEXIST') {
          throw fail('UPG_UNSAFE_PATH', `${rel} appeared in the target while unpacking; refusing to write through it`, { path: rel });
        }
        throw e;
      }
      const fh = await openDir(rel);
      try {
        dirs.set(rel, await fh.stat({ bigint: true }));
        await fh.chmod(0o755);
      } finally {
        await fh.close();
      }
      dirOrder.push(rel);
    };

    try {
      bundle = await open(file, 'r');
    } catch (e) {
      throw fail('UPG_BAD_BUNDLE', `it cannot be opened: ${(e as Error).message}`);
    }
    const layout = await readPreamble(bundle, fail);
    if (!layout.manifestBytes.equals(verified.manifestBytes) || layout.keyId !== verified.keyId) {
      throw fail('UPG_BAD_BUNDLE', 'the bundle changed since it was verified');
    }
    const manifest = parseManifest(layout.manifestBytes, fail);
    checkPaths(manifest.files, fail);

    const total = verified.unpackedBytes;
    let done = 0;
    let written = 0;
    let reported = 0;
    let fileOffset = 0;
    const report = (force: boolean): void => {
      if (options.onProgress && (force || done - reported >= PROGRESS_STEP)) {
        reported = done;
        options.onProgress(done, total);
      }
    };

    await streamPayload(bundle, layout, manifest, {
      begin: async (entry: ManifestFile) => {
        currentPath = entry.path;
        const slash = entry.path.lastIndexOf('/');
        const parent = slash < 0 ? '' : entry.path.slice(0, slash);
        await ensureDir(parent);
        await checkDir(parent);
        const abs = join(root, entry.path);
        try {
          current = await open(abs, NEW_FILE_FLAGS, 0o600);
        } catch (e) {
          const code = errnoCode(e);
          if (code === 'EEXIST' || code === 'ELOOP') {
            throw fail('UPG_UNSAFE_PATH', `${entry.path} appeared in the target while unpacking; refusing to write through it`, { path: entry.path });
          }
          throw e;
        }
        if (procChecks) {
          const real = await readlink(`/proc/self/fd/${current.fd}`);
          if (real !== abs) {
            await current.close();
            current = undefined;
            await unlink(real).catch(() => undefined);
            throw fail('UPG_UNSAFE_PATH', `${entry.path} was redirected to ${real} by a link planted while unpacking`, { path: entry.path });
          }
        }
        await current.chmod(entry.mode);
        fileOffset = 0;
      },
      data: async (chunk: Buffer) => {
        let part = chunk;
        if (limit !== undefined && written + part.length > limit) part = part.subarray(0, Math.max(limit - written, 0));
        let off = 0;
        while (off < part.length) {
          const { bytesWritten } = await current!.write(part, off, part.length - off, fileOffset + off);
          off += bytesWritten;
        }
        const wasBelow = written < (after?.bytes ?? Infinity);
        written += part.length;
        fileOffset += part.length;
        if (after && wasBelow && written >= after.bytes) after.reached();
        if (part.length < chunk.length) throw injectedNoSpace();
        done += chunk.length;
        report(false);
      },
      end: async () => {
        await current!.sync();
        await current!.close();
        current = undefined;
        report(true);
      },
    }, fail);
    currentPath = undefined;

    // Directory entries become durable only when their directories are synced: children first.
    for (const rel of [...dirOrder].reverse()) {
      const fh = await openDir(rel);
      try { await fh.sync(); } finally { await fh.close(); }
    }
    const rootFh = await openDir('');
    try { await rootFh.sync(); } finally { await rootFh.close(); }
    if (createdTarget) {
      const parentFh = await open(dirname(root), fsc.O_RDONLY | fsc.O_DIRECTORY);
      try { await parentFh.sync(); } finally { await parentFh.close(); }
    }
    return { files: manifest.files.length, directories: dirOrder.length, bytes: done };
  } catch (e) {
    if (e instanceof ConfdError) throw e;
    throw asUpgradeError(e, fail, currentPath === undefined ? 'unpacking' : `writing ${currentPath}`, currentPath === undefined ? {} : { path: currentPath });
  } finally {
    await current?.close().catch(() => undefined);
    await bundle?.close().catch(() => undefined);
  }
}

/**
 * Re-reads everything under `targetDir` and checks it against `manifest`: every file present as
 * a regular file with its size, mode and SHA-256, every directory real (no links anywhere) and
 * mode 0755, and nothing else unless `allowExtra` (UPG_SLOT_CORRUPT naming the path; UPG_IO
 * when reading fails).
 */
export async function verifyExtracted(targetDir: string, manifest: Manifest, options: { readonly allowExtra?: boolean } = {}): Promise<void> {
  const fail = refusal(`${targetDir} does not match version ${manifest.version} of the bundle`, { targetDir });
  const corrupt = (path: string, reason: string): ConfdError => fail('UPG_SLOT_CORRUPT', `${path}: ${reason}`, { path });
  const files = new Map(manifest.files.map((f) => [f.path, f] as const));
  const dirs = new Set(impliedDirectories(manifest.files));
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let currentPath = '';
  try {
    const rootSt = await lstat(targetDir);
    if (!rootSt.isDirectory()) throw corrupt('.', 'not a directory');
    const seen = new Set<string>();
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(rel === '' ? targetDir : join(targetDir, rel), { withFileTypes: true });
      for (const entry of entries) {
        const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
        currentPath = child;
        const expectedFile = files.has(child);
        const expectedDir = dirs.has(child);
        if (!expectedFile && !expectedDir) {
          if (options.allowExtra) continue;
          throw corrupt(child, 'not in the manifest');
        }
        if (entry.isSymbolicLink()) throw corrupt(child, 'is a symbolic link');
        if (expectedDir) {
          if (!entry.isDirectory()) throw corrupt(child, 'should be a directory');
          const st = await lstat(join(targetDir, child));
          if ((st.mode & 0o7777) !== 0o755) throw corrupt(child, `has mode ${(st.mode & 0o7777).toString(8)}, not 755`);
          seen.add(child);
          await walk(child);
        } else {
          if (!entry.isFile()) throw corrupt(child, 'is not a regular file');
          seen.add(child);
        }
      }
    };
    await walk('');
    for (const d of dirs) if (!seen.has(d)) throw corrupt(d, 'directory is missing');
    for (const f of manifest.files) {
      currentPath = f.path;
      if (!seen.has(f.path)) throw corrupt(f.path, 'is missing');
      let fh: FileHandle;
      try {
        fh = await open(join(targetDir, f.path), fsc.O_RDONLY | fsc.O_NOFOLLOW);
      } catch (e) {
        if (errnoCode(e) === 'ELOOP') throw corrupt(f.path, 'is a symbolic link');
        throw e;
      }
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw corrupt(f.path, 'is not a regular file');
        if (st.size !== f.size) throw corrupt(f.path, `is ${st.size} bytes, not ${f.size}`);
        if ((st.mode & 0o7777) !== f.mode) throw corrupt(f.path, `has mode ${(st.mode & 0o7777).toString(8)}, not ${f.mode.toString(8)}`);
        const hash = createHash('sha256');
        for (let at = 0; ;) {
          const { bytesRead } = await fh.read(buffer, 0, buffer.length, at);
          if (bytesRead === 0) break;
          hash.update(buffer.subarray(0, bytesRead));
          at += bytesRead;
        }
        if (hash.digest('hex') !== f.sha256) throw corrupt(f.path, 'its content does not match its SHA-256');
      } finally {
        await fh.close();
      }
    }
  } catch (e) {
    throw asUpgradeError(e, fail, `reading ${currentPath || targetDir}`, currentPath ? { path: currentPath } : {});
  }
}
