import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createBundle, extractBundle, loadKeyring, verifyBundle, type VerifiedBundle, type VerifyOptions,
} from '../../../upgrade/bundle/index.js';
import { flipByte, makeKey, pseudoRandom, rejectsWith, tempDir, writeTree, type TempDir } from './helpers.js';

describe('extractBundle', () => {
  let tmp: TempDir;
  let bundle: string;
  let verified: VerifiedBundle;
  let options: VerifyOptions;
  let privateKeyFile: string;
  let n = 0;
  const fresh = (): string => join(tmp.path, `target-${n++}`);

  before(async () => {
    tmp = tempDir();
    const key = await makeKey(join(tmp.path, 'keyring'), 'k');
    privateKeyFile = key.privateKeyFile;
    const files = writeTree(join(tmp.path, 'src'), {
      'a.txt': 'first\n',
      'sub/one.txt': 'one\n',
      'sub/two.txt': 'two\n',
      'other/big.bin': pseudoRandom(200_000),
      'other/deeper/last.txt': 'last\n',
    });
    bundle = join(tmp.path, 'b.bundle');
    await createBundle({ files, version: '3', schemaVersion: 1, product: 'appliance', privateKeyFile, out: bundle });
    options = { keyring: await loadKeyring(join(tmp.path, 'keyring')), product: 'appliance', freeSpaceDir: tmp.path };
    verified = await verifyBundle(bundle, options);
  });
  after(() => tmp.remove());

  it('refuses a target that is not empty, is a file, or is a link', async () => {
    const full = fresh();
    mkdirSync(full);
    writeFileSync(join(full, 'keep-me'), 'precious\n');
    await rejectsWith(extractBundle(bundle, verified, full), 'UPG_TARGET_NOT_EMPTY');
    assert.deepEqual(readdirSync(full), ['keep-me']);
    assert.equal(readFileSync(join(full, 'keep-me'), 'utf8'), 'precious\n');

    const file = fresh();
    writeFileSync(file, '');
    await rejectsWith(extractBundle(bundle, verified, file), 'UPG_TARGET_NOT_EMPTY');

    const realDir = fresh();
    mkdirSync(realDir);
    const link = fresh();
    symlinkSync(realDir, link);
    await rejectsWith(extractBundle(bundle, verified, link), 'UPG_UNSAFE_PATH');
    assert.deepEqual(readdirSync(realDir), []);

    await rejectsWith(extractBundle(bundle, verified, join(tmp.path, 'no-parent', 'slot')), 'UPG_IO');
  });

  it('a directory link planted during extraction cannot redirect writes', async () => {
    const outside = fresh();
    mkdirSync(outside);
    const target = fresh();
    mkdirSync(target);
    let planted = false;
    const e = await rejectsWith(extractBundle(bundle, verified, target, {
      onProgress: () => {
        // After a.txt: the bundle's next directory "sub" is made to point outside.
        if (!planted) { symlinkSync(outside, join(target, 'sub')); planted = true; }
      },
    }), 'UPG_UNSAFE_PATH');
    assert.ok(planted);
    assert.equal(e.details?.['path'], 'sub');
    assert.deepEqual(readdirSync(outside), []);
  });

  it('a directory swapped for a link during extraction is noticed before writing through it', async () => {
    const outside = fresh();
    mkdirSync(outside);
    const target = fresh();
    let calls = 0;
    const e = await rejectsWith(extractBundle(bundle, verified, target, {
      onProgress: () => {
        // After sub/one.txt: "sub" is moved away and replaced by a link before sub/two.txt.
        if (++calls === 2) {
          renameSync(join(target, 'sub'), join(target, 'sub-moved'));
          symlinkSync(outside, join(target, 'sub'));
        }
      },
    }), 'UPG_UNSAFE_PATH');
    assert.equal(e.details?.['path'], 'sub');
    assert.deepEqual(readdirSync(outside), []);
  });

  it('a file link planted at a path about to be written does not overwrite its target', async () => {
    const victim = join(fresh(), 'victim');
    mkdirSync(join(victim, '..'), { recursive: true });
    writeFileSync(victim, 'do not touch\n');
    const target = fresh();
    let calls = 0;
    const e = await rejectsWith(extractBundle(bundle, verified, target, {
      onProgress: () => {
        if (++calls === 2) symlinkSync(victim, join(target, 'sub', 'two.txt'));
      },
    }), 'UPG_UNSAFE_PATH');
    assert.equal(e.details?.['path'], 'sub/two.txt');
    assert.equal(readFileSync(victim, 'utf8'), 'do not touch\n');
  });

  it('a full disk is UPG_IO with the reason, leaving a partial directory', async () => {
    const target = fresh();
    const e = await rejectsWith(extractBundle(bundle, verified, target, { faults: { failWriteAfterBytes: 50_000 } }), 'UPG_IO');
    assert.equal(e.details?.['errno'], 'ENOSPC');
    assert.equal(e.details?.['path'], 'other/big.bin');
    assert.ok(existsSync(target));
    assert.ok(statSync(join(target, 'other/big.bin')).size <= 50_000);

    const zero = fresh();
    const e0 = await rejectsWith(extractBundle(bundle, verified, zero, { faults: { failWriteAfterBytes: 0 } }), 'UPG_IO');
    assert.equal(e0.details?.['path'], 'a.txt');
  });

  it('refuses a bundle file that changed since it was verified', async () => {
    const copy = join(tmp.path, 'changing.bundle');
    copyFileSync(bundle, copy);
    const v = await verifyBundle(copy, options);
    // Payload damaged after verification: caught by the hashes checked while writing.
    const size = statSync(copy).size;
    flipByte(copy, size - 1000);
    await rejectsWith(extractBundle(copy, v, fresh()), 'UPG_BAD_BUNDLE');

    // Replaced by another validly signed bundle: its manifest differs from the verified one.
    const files = writeTree(join(tmp.path, 'src2'), { 'evil.txt': 'evil\n' });
    await createBundle({ files, version: '4', schemaVersion: 1, product: 'appliance', privateKeyFile, out: copy });
    const target = fresh();
    await rejectsWith(extractBundle(copy, v, target), 'UPG_BAD_BUNDLE');
    assert.ok(!existsSync(join(target, 'evil.txt')));
  });
});
