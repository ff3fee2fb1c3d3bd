import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBundle, loadKeyring, pathProblem, verifyBundle, type VerifyOptions } from '../../../upgrade/bundle/index.js';
import { makeKey, rejectsWith, tempDir, writeRawBundle, writeTree, type TempDir, type TestKey } from './helpers.js';

describe('bundle paths', () => {
  let tmp: TempDir;
  let key: TestKey;
  let options: VerifyOptions;

  before(async () => {
    tmp = tempDir();
    key = await makeKey(join(tmp.path, 'keyring'), 'trusted');
    options = { keyring: await loadKeyring(join(tmp.path, 'keyring')), product: 'appliance', freeSpaceDir: tmp.path };
  });
  after(() => tmp.remove());

  const hostile: Array<{ name: string; paths: string[]; offender: string }> = [
    { name: 'parent segment', paths: ['../x'], offender: '../x' },
    { name: 'absolute', paths: ['/etc/passwd'], offender: '/etc/passwd' },
    { name: 'escape through a subdirectory', paths: ['a/../../b'], offender: 'a/../../b' },
    { name: 'trailing parent', paths: ['a/..'], offender: 'a/..' },
    { name: 'backslash', paths: ['a\\b'], offender: 'a\\b' },
    { name: 'windows escape', paths: ['..\\..\\x'], offender: '..\\..\\x' },
    { name: 'duplicate', paths: ['dist/x.js', 'dist/x.js'], offender: 'dist/x.js' },
    { name: 'dot segment', paths: ['a/./b'], offender: 'a/./b' },
    { name: 'lone dot', paths: ['.'], offender: '.' },
    { name: 'empty segment', paths: ['a//b'], offender: 'a//b' },
    { name: 'trailing slash', paths: ['a/'], offender: 'a/' },
    { name: 'empty', paths: [''], offender: '' },
    { name: 'NUL', paths: ['a\0b'], offender: 'a\0b' },
    { name: 'newline', paths: ['a\nb'], offender: 'a\nb' },
    { name: 'lone surrogate', paths: ['a\ud800'], offender: 'a\ud800' },
    { name: 'file that is also a directory', paths: ['a', 'a/b'], offender: 'a' },
    { name: 'directory listed after its file', paths: ['x/y/z', 'x/y'], offender: 'x/y' },
    { name: 'too long', paths: [`${'d/'.repeat(600)}f`], offender: `${'d/'.repeat(600)}f` },
    { name: 'segment too long', paths: [`a/${'n'.repeat(256)}`], offender: `a/${'n'.repeat(256)}` },
  ];

  for (const h of hostile) {
    it(`refuses a signed bundle with an unsafe path: ${h.name}`, async () => {
      const f = join(tmp.path, 'hostile.bundle');
      writeRawBundle(f, { key: key.privateKey, files: h.paths.map((path) => ({ path, content: Buffer.from('pwned\n') })) });
      const e = await rejectsWith(verifyBundle(f, options), 'UPG_UNSAFE_PATH');
      assert.equal(e.details?.['path'], h.offender);
    });
  }

  it('pathProblem accepts ordinary relative paths', () => {
    for (const p of ['package.json', 'dist/main/appliance.js', 'node_modules/@pinojs/redact/index.js', 'a..b/c..', '.hidden/x', 'ünïcödé/ok', 'a b/c']) {
      assert.equal(pathProblem(p), undefined, p);
    }
  });

  it('createBundle refuses unsafe paths and symbolic links in its input, leaving no output', async () => {
    const src = join(tmp.path, 'src');
    const files = writeTree(src, { 'a.txt': 'a\n' });
    const out = join(tmp.path, 'out');
    mkdirSync(out);
    const base = { version: '1', schemaVersion: 1, product: 'appliance', privateKeyFile: key.privateKeyFile };

    await rejectsWith(createBundle({ ...base, files: [{ path: '../a.txt', absolute: files[0]!.absolute }], out: join(out, 'x.bundle') }), 'UPG_UNSAFE_PATH');
    await rejectsWith(createBundle({ ...base, files: [...files, ...files], out: join(out, 'x.bundle') }), 'UPG_UNSAFE_PATH');

    symlinkSync(files[0]!.absolute, join(src, 'link.txt'));
    const e = await rejectsWith(createBundle({ ...base, files: [...files, { path: 'link.txt', absolute: join(src, 'link.txt') }], out: join(out, 'x.bundle') }), 'UPG_UNSAFE_PATH');
    assert.equal(e.details?.['path'], 'link.txt');

    mkdirSync(join(src, 'dir'));
    await rejectsWith(createBundle({ ...base, files: [{ path: 'dir', absolute: join(src, 'dir') }], out: join(out, 'x.bundle') }), 'UPG_UNSAFE_PATH');

    await rejectsWith(createBundle({ ...base, version: '1 beta', files, out: join(out, 'x.bundle') }), 'UPG_BAD_MANIFEST');
    await rejectsWith(createBundle({ ...base, files: [], out: join(out, 'x.bundle') }), 'UPG_BAD_MANIFEST');
    writeFileSync(join(tmp.path, 'not-a-key'), 'hello');
    await rejectsWith(createBundle({ ...base, privateKeyFile: join(tmp.path, 'not-a-key'), files, out: join(out, 'x.bundle') }), 'UPG_BAD_KEY');
    await rejectsWith(createBundle({ ...base, files: [{ path: 'gone', absolute: join(src, 'gone') }], out: join(out, 'x.bundle') }), 'UPG_IO');
    assert.deepEqual(readdirSync(out), []);
  });
});
