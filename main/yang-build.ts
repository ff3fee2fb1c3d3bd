/**
 * @module main/yang-build
 * Build step: writes the YANG modules of every schema version to schemas/vN/yang/ (removing
 * files no longer generated). `--check` writes nothing and exits 1 naming what is stale.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSchemaVersions } from '../confd/schema/loader.js';
import { generateYang, yangFileName } from '../confd/schema/yang-files.js';

const schemasDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
const check = process.argv.includes('--check');
const stale: string[] = [];

for (const version of listSchemaVersions(schemasDir)) {
  const dir = join(schemasDir, `v${version}`, 'yang');
  mkdirSync(dir, { recursive: true });
  const wanted = new Map(generateYang(schemasDir, version).map((m) => [yangFileName(m), m.text]));
  for (const f of readdirSync(dir)) {
    if (wanted.has(f)) continue;
    stale.push(join(dir, f));
    if (!check) rmSync(join(dir, f));
  }
  for (const [f, text] of wanted) {
    let current: string | undefined;
    try { current = readFileSync(join(dir, f), 'utf8'); } catch { current = undefined; }
    if (current === text) continue;
    stale.push(join(dir, f));
    if (!check) writeFileSync(join(dir, f), text);
  }
}

if (check && stale.length > 0) {
  process.stderr.write(`stale YANG modules (run npm run build): ${stale.join(', ')}\n`);
  process.exitCode = 1;
}
