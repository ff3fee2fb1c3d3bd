/**
 * Test helpers: a fresh temporary directory, removed with everything in it by `remove()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir { readonly path: string; remove(): void }

export function tempDir(prefix = 'appliance-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
