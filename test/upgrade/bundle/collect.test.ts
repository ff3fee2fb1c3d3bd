import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  collectBuildFiles, createBundle, extractBundle, loadKeyring, verifyBundle, verifyExtracted,
} from '../../../upgrade/bundle/index.js';
import { makeKey, rejectsWith, tempDir, writeTree, type TempDir } from './helpers.js';

/** The checkout this test runs from: the nearest ancestor with the appliance's package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'package-lock.json'))
      && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'appliance') return dir;
    const up = dirname(dir);
    assert.notEqual(up, dir, 'repository root not found');
    dir = up;
  }
}

describe('collectBuildFiles on a synthetic tree', () => {
  let tmp: TempDir;
  let app: string;

  before(() => {
    tmp = tempDir();
    app = join(tmp.path, 'app');
    writeTree(app, {
      'package.json': '{"name":"app"}',
      'package-lock.json': JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { name: 'app', dependencies: { a: '1', n: '1' }, optionalDependencies: { opt: '1' }, devDependencies: { d: '1' } },
          'node_modules/a': { version: '1.0.0', dependencies: { b: '2' } },
          'node_modules/a/node_modules/b': { version: '2.0.0' },
          'node_modules/b': { version: '1.0.0', dev: true },
          'node_modules/d': { version: '1.0.0', dev: true, dependencies: { b: '1' } },
          'node_modules/n': { version: '1.0.0', hasInstallScript: true, dependencies: { '@s/p': '1' } },
          'node_modules/@s/p': { version: '1.0.0' },
          'node_modules/opt': { version: '1.0.0', optional: true },
          'node_modules/extraneous': { version: '1.0.0', extraneous: true },
        },
      }),
      'bin/app': { content: '#!/bin/sh\n', mode: 0o755 },
      'dist/main/x.js': 'x', 'dist/main/x.js.map': '{}', 'dist/test/t.js': 't', 'dist/bench/b.js': 'b', 'dist/testing.js': 'ok',
      'schemas/v1/s.json': '{}',
      'native/pc/binding.gyp': '{}', 'native/pc/pc.c': 'c', 'native/pc/build.mjs': 'b', 'native/pc/build/Makefile': 'm',
      'native/pc/build/Release/obj.target/pc.node': 'ELF', 'native/pc/build/Release/pc.node': { content: 'ELF', mode: 0o755 },
      'src-not-shipped/y.ts': 'y',
      'node_modules/a/package.json': '{}', 'node_modules/a/index.js': 'a', 'node_modules/a/README.md': '#',
      'node_modules/a/test/t.js': 't', 'node_modules/a/.github/w.yml': 'w', 'node_modules/a/lib/x.js': 'x',
      'node_modules/a/index.d.ts': 'd', 'node_modules/a/index.js.map': '{}',
      'node_modules/a/node_modules/b/index.js': 'b2',
      'node_modules/b/index.js': 'b1',
      'node_modules/d/index.js': 'd',
      'node_modules/n/package.json': '{}', 'node_modules/n/binding.gyp': '{}', 'node_modules/n/src/n.cc': 'c',
      'node_modules/n/deps/lib/x.c': 'c', 'node_modules/n/build/Release/n.node': { content: 'ELF', mode: 0o755 },
      'node_modules/n/build/Release/obj.target/n.o': 'o', 'node_modules/n/build/Makefile': 'm',
      'node_modules/n/build/Release/.deps/x.d': 'd', 'node_modules/n/lib/index.js': 'l', 'node_modules/n/libfoo.a': 'a',
      'node_modules/@s/p/index.js': 'p', 'node_modules/@s/p/CHANGELOG.md': '#',
      'node_modules/extraneous/index.js': 'e',
    });
    mkdirSync(join(app, 'node_modules/.bin'));
    symlinkSync('../a/index.js', join(app, 'node_modules/.bin/a'));
  });
  after(() => tmp.remove());

  it('takes the build and the production closure, trimmed to what runs', async () => {
    const files = await collectBuildFiles(app);
    assert.deepEqual(files.map((f) => f.path), [
      'bin/app',
      'dist/main/x.js',
      'dist/testing.js',
      'native/pc/build/Release/pc.node',
      'node_modules/@s/p/index.js',
      'node_modules/a/index.js',
      'node_modules/a/lib/x.js',
      'node_modules/a/node_modules/b/index.js',
      'node_modules/a/package.json',
      'node_modules/n/binding.gyp',
      'node_modules/n/build/Release/n.node',
      'node_modules/n/lib/index.js',
      'node_modules/n/package.json',
      'package.json',
      'schemas/v1/s.json',
    ]);
    for (const f of files) assert.equal(f.absolute, join(app, f.path));
  });

  it('refuses symbolic links in the build', async () => {
    symlinkSync('/etc/passwd', join(app, 'dist/main/passwd.js'));
    try {
      const e = await rejectsWith(collectBuildFiles(app), 'UPG_UNSAFE_PATH');
      assert.equal(e.details?.['path'], 'dist/main/passwd.js');
    } finally {
      rmSync(join(app, 'dist/main/passwd.js'));
    }
  });

  it('a production dependency that is not installed is UPG_IO', async () => {
    const lockFile = join(app, 'package-lock.json');
    const original = readFileSync(lockFile, 'utf8');
    const lock = JSON.parse(original) as { packages: Record<string, Record<string, unknown>> };
    lock.packages['']!['dependencies'] = { a: '1', n: '1', missing: '1' };
    lock.packages['node_modules/missing'] = { version: '1.0.0' };
    writeFileSync(lockFile, JSON.stringify(lock));
    try {
      await rejectsWith(collectBuildFiles(app), 'UPG_IO');
    } finally {
      writeFileSync(lockFile, original);
    }
  });
});

describe('bundling the real build', () => {
  it('ships what runs, without tests and dev dependencies, and unpacks to a working tree', async (t) => {
    const root = repoRoot();
    const tmp = tempDir();
    try {
      let started = performance.now();
      const files = await collectBuildFiles(root);
      const collectMs = performance.now() - started;
      const paths = new Set(files.map((f) => f.path));
      for (const p of ['package.json', 'bin/appliance', 'dist/main/appliance.js', 'schemas/v1/device.schema.json',
        'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/better-sqlite3/lib/index.js',
        'native/peercred/build/Release/peercred.node',
        'node_modules/ssh2/package.json', 'node_modules/pino/package.json', 'node_modules/ajv/package.json']) {
        assert.ok(paths.has(p), `${p} is shipped`);
      }
      for (const p of paths) {
        assert.ok(!p.startsWith('dist/test/') && !p.startsWith('dist/bench/'), p);
        assert.ok(!p.endsWith('.map'), p);
        assert.ok(!p.startsWith('node_modules/') || !/\.(ts|md)$/i.test(p), p);
        assert.ok(!/^node_modules\/(typescript|@types)\//.test(p), p);
        assert.ok(!/\/(test|tests|\.github|obj|obj\.target)\//.test(p), p);
        assert.ok(!p.startsWith('node_modules/better-sqlite3/') || /^node_modules\/better-sqlite3\/(package\.json|lib\/|build\/Release\/better_sqlite3\.node$)/.test(p), p);
        assert.ok(!p.endsWith('.a') && !p.endsWith('.o'), p);
      }
      const total = files.reduce((sum, f) => sum + statSync(f.absolute).size, 0);
      assert.ok(total < 40 * 1024 * 1024, `${total} bytes unpacked`);

      const key = await makeKey(join(tmp.path, 'keyring'), 'release');
      const out = join(tmp.path, 'appliance.bundle');
      started = performance.now();
      const created = await createBundle({ files, version: '0.1.0', schemaVersion: 1, product: 'appliance', privateKeyFile: key.privateKeyFile, out });
      const createMs = performance.now() - started;
      started = performance.now();
      const verified = await verifyBundle(out, { keyring: await loadKeyring(join(tmp.path, 'keyring')), product: 'appliance', freeSpaceDir: tmp.path });
      const verifyMs = performance.now() - started;
      const slot = join(tmp.path, 'slot');
      started = performance.now();
      await extractBundle(out, verified, slot);
      const extractMs = performance.now() - started;
      started = performance.now();
      await verifyExtracted(slot, verified.manifest);
      const recheckMs = performance.now() - started;
      t.diagnostic(`${files.length} files, ${total} bytes → bundle ${created.bundleBytes} bytes; collect ${collectMs.toFixed(0)} ms, `
        + `create ${createMs.toFixed(0)} ms, verify ${verifyMs.toFixed(0)} ms, extract ${extractMs.toFixed(0)} ms, verifyExtracted ${recheckMs.toFixed(0)} ms`);

      // The unpacked tree runs on its own: the native addon loads and the entry point answers.
      const sqlite = execFileSync(process.execPath, ['-e',
        "const D = require('./node_modules/better-sqlite3'); console.log(new D(':memory:').prepare('select 41 + 1 as x').get().x)"],
      { cwd: slot, encoding: 'utf8' });
      assert.equal(sqlite.trim(), '42');
      execFileSync(process.execPath, [join(slot, 'bin/appliance'), '--help'], { cwd: tmp.path, stdio: 'ignore' });
    } finally {
      tmp.remove();
    }
  });
});
