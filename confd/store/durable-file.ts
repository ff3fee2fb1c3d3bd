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

/** `beforeRename` runs after the temporary file is written and synced (a fault-injection point). */
export function writeFileDurably(file: string, data: string | Uint8Array, mode = 0o644, beforeRename?: () => void): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
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
