/**
 * @module confd/main/backups
 * Where backups go by default and how the newest one is found when the database is unusable.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataDir } from './app-paths.js';

export function defaultBackupFile(dirs: DataDir, now = new Date()): string {
  return join(dirs.backups, `config-${now.toISOString().replaceAll(':', '').replace(/\.\d+Z$/, 'Z')}.db`);
}

/** Remembers the last backup written, wherever it went. */
export function recordBackup(dirs: DataDir, file: string): void {
  writeFileSync(dirs.lastBackup, file + '\n', { mode: 0o640 });
}

/** The newest backup: the last one recorded or the newest in the backups folder. */
export function newestBackup(dirs: DataDir): string | undefined {
  const candidates: Array<{ file: string; mtime: number }> = [];
  if (existsSync(dirs.lastBackup)) {
    const f = readFileSync(dirs.lastBackup, 'utf8').trim();
    if (f && existsSync(f)) candidates.push({ file: f, mtime: statSync(f).mtimeMs });
  }
  if (existsSync(dirs.backups)) {
    for (const name of readdirSync(dirs.backups)) {
      if (!name.endsWith('.db')) continue;
      const f = join(dirs.backups, name);
      candidates.push({ file: f, mtime: statSync(f).mtimeMs });
    }
  }
  candidates.sort((a, b) => b.mtime - a.mtime);
  return candidates[0]?.file;
}
