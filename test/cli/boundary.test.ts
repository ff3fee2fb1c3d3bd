/**
 * Pins the CLI's boundary: its modules import only confd/api, each other and Node built-ins
 * (never confd internals), and print nothing themselves (no console), as DESIGN.md requires.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'cli');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

test('cli/ imports only confd/api, its own modules and node: built-ins; it never uses console', () => {
  const files = sources(CLI);
  let imports = 0;
  assert.ok(files.length >= 20, `found ${files.length} sources under ${CLI}`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\/\*\*\n \* @module /, `${relative(ROOT, file)} opens with a @module header`);
    assert.doesNotMatch(text, /\bconsole\./, `${relative(ROOT, file)} writes to its output, not the console`);
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/g)) {
      const spec = m[1]!;
      imports++;
      if (spec.startsWith('node:')) continue;
      assert.ok(spec.startsWith('.'), `${relative(ROOT, file)} imports the package '${spec}'`);
      const target = relative(ROOT, resolve(dirname(file), spec));
      assert.ok(target.startsWith('cli/') || target === 'confd/api/index.js', `${relative(ROOT, file)} imports ${target}`);
    }
  }
  assert.ok(imports > 50, `only ${imports} imports seen: the pattern no longer reads them`);
});
