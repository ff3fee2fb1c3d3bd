/**
 * @module confd/store/durable-file
 * Replacing a file so that a crash at any instant leaves either the old or the new content:
 * write a temporary file, fsync it, rename it over the target, fsync the directory.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** fsync of a directory, so a rename or create in it is durable. */
export function syncDirectory(dir: string): void {
  fsyncPath(dir, 'r');
}

/** fsync of a file written by other means (a copy, an SQLite backup) before it is renamed into place. */
export function syncFile(file: string): void {
  fsyncPath(file, 'r+');
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * `beforeRename` runs after the temporary file is written and synced, `midWrite` when half of
 * it is written (fault-injection points).
 */
export function writeFileDurably(file: string, data: string | Uint8Array, mode = 0o644, beforeRename?: () => void, midWrite?: () => void): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      // With a mid-write hook (the fault tests' kill point) the data goes in two halves around it.
      const half = midWrite ? bytes.length >> 1 : bytes.length;
      writeAll(fd, bytes.subarray(0, half));
      midWrite?.();
      writeAll(fd, bytes.subarray(half));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    beforeRename?.();
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDirectory(dirname(file));
}
