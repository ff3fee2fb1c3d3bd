/**
 * The README stands alone and its examples work as written: it points nowhere outside the
 * repository, and every line of its scripted examples runs, from a directory holding the
 * clone's bin/, against a running appliance found through APPLIANCE_DATA_DIR.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { APP_ROOT } from '../../confd/main/app-paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';

const README = readFileSync(join(APP_ROOT, 'README.md'), 'utf8');
const dir = tempDir('appliance-readme-');
let app: RunningAppliance;

before(async () => { app = await startAppliance(join(dir.path, 'var')); });
after(async () => { await app.stop(); dir.remove(); });

/** The lines of the ```sh block that follows `marker`. */
function shBlockAfter(marker: string): string[] {
  const at = README.indexOf(marker);
  assert.ok(at >= 0, `the README has "${marker}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  assert.ok(block, `a sh block follows "${marker}"`);
  return block[1]!.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

test('the README points nowhere outside the repository, and every file it links exists', () => {
  assert.doesNotMatch(README, /\.\.\/shared|\.\.\//);
  for (const m of README.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)) {
    if (/^https?:/.test(m[1]!)) continue;
    assert.ok(existsSync(join(APP_ROOT, m[1]!)), `${m[1]} exists`);
  }
  assert.match(README, /npm start -- --port P/);
  assert.match(README, /apt-get install python3-ncclient/);
  const setup = [...README.matchAll(/```sh\n(npm [^\n]*)\n```/g)].map((m) => m[1]);
  assert.deepEqual(setup, ['npm ci && npm start', 'npm ci && npm test']);
});

test('every scripted example of the README runs as written and succeeds', () => {
  const lines = shBlockAfter('Examples a script can run');
  assert.ok(lines.length >= 10);
  symlinkSync(join(APP_ROOT, 'bin'), join(dir.path, 'bin'));
  for (const line of lines) {
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', line], {
      cwd: dir.path, encoding: 'utf8', timeout: 60_000,
      env: { ...process.env, APPLIANCE_DATA_DIR: join(dir.path, 'var'), APPLIANCE_LOG_LEVEL: 'warn' },
    });
    assert.equal(r.status, 0, `README example \`${line}\` failed: ${r.stderr}`);
  }
  assert.match(readFileSync(join(dir.path, 'running.json'), 'utf8'), /"domain": "example.org"/);
});
