import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createBundle, extractBundle, loadKeyring, verifyBundle, verifyExtracted, type BundleInputFile,
} from '../../../upgrade/bundle/index.js';
import { makeKey, pseudoRandom, rejectsWith, tempDir, writeTree, type TempDir, type TestKey } from './helpers.js';

describe('bundle round trip', () => {
  let tmp: TempDir;
  let key: TestKey;
  let files: BundleInputFile[];

  before(async () => {
    tmp = tempDir();
    key = await makeKey(join(tmp.path, 'keys'), 'signer');
    files = writeTree(join(tmp.path, 'src'), {
      'package.json': '{"name":"appliance"}\n',
      'bin/appliance': { content: '#!/usr/bin/env node\n', mode: 0o755 },
      'dist/main/appliance.js': 'console.log("hi")\n',
      'dist/empty.js': '',
      'dist/deep/er/still/x.bin': pseudoRandom(300_000),
      'schemas/v1/device.schema.json': '{}\n',
      'node_modules/m/build/Release/m.node': { content: pseudoRandom(5000, 'node'), mode: 0o755 },
    });
  });
  after(() => tmp.remove());

  it('create → verify → extract → verifyExtracted keeps bytes and modes', async () => {
    const out = join(tmp.path, 'rt.bundle');
    const created = await createBundle({
      files, version: '1.2.3', schemaVersion: 2, product: 'appliance', privateKeyFile: key.privateKeyFile, out,
    });
    assert.equal(created.keyId, key.keyId);
    assert.equal(created.manifest.files.length, files.length);
    assert.deepEqual(created.manifest.files.map((f) => f.path), files.map((f) => f.path));
    assert.equal(statSync(out).size, created.bundleBytes);
    assert.deepEqual(readdirSync(tmp.path).filter((n) => n.includes('.tmp-')), []);

    const keyring = await loadKeyring(join(tmp.path, 'keys'));
    const verified = await verifyBundle(out, { keyring, product: 'appliance', freeSpaceDir: tmp.path });
    assert.equal(verified.keyId, key.keyId);
    assert.equal(verified.manifest.version, '1.2.3');
    assert.equal(verified.manifest.schemaVersion, 2);
    assert.deepEqual(verified.manifest, created.manifest);

    const target = join(tmp.path, 'slot-a');
    const progress: Array<[number, number]> = [];
    const result = await extractBundle(out, verified, target, { onProgress: (d, t) => progress.push([d, t]) });
    assert.equal(result.files, files.length);
    assert.equal(result.bytes, verified.unpackedBytes);
    assert.ok(progress.length > 0);
    assert.deepEqual(progress.at(-1), [verified.unpackedBytes, verified.unpackedBytes]);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]![0] >= progress[i - 1]![0]);

    for (const f of files) {
      const extracted = join(target, f.path);
      assert.deepEqual(readFileSync(extracted), readFileSync(f.absolute), f.path);
      assert.equal(statSync(extracted).mode & 0o777, statSync(f.absolute).mode & 0o111 ? 0o755 : 0o644, f.path);
    }
    assert.equal(statSync(join(target, 'bin/appliance')).mode & 0o777, 0o755);
    assert.equal(statSync(join(target, 'dist/main/appliance.js')).mode & 0o777, 0o644);
    assert.equal(statSync(join(target, 'dist/deep/er')).mode & 0o777, 0o755);
    await verifyExtracted(target, verified.manifest);
  });

  it('an empty existing directory is an acceptable target', async () => {
    const out = join(tmp.path, 'empty-target.bundle');
    await createBundle({ files, version: '1', schemaVersion: 1, product: 'appliance', privateKeyFile: key.privateKeyFile, out });
    const keyring = await loadKeyring(join(tmp.path, 'keys'));
    const verified = await verifyBundle(out, { keyring, product: 'appliance', freeSpaceDir: tmp.path });
    const target = tempDir('bundle-target-');
    try {
      const result = await extractBundle(out, verified, target.path);
      assert.equal(result.files, files.length);
      assert.deepEqual(readFileSync(join(target.path, 'package.json')), readFileSync(files.find((f) => f.path === 'package.json')!.absolute));
      await verifyExtracted(target.path, verified.manifest);
    } finally {
      target.remove();
    }
  });

  it('the same inputs and time give the same bytes', async () => {
    const created = new Date('2025-06-01T12:00:00.000Z');
    const a = join(tmp.path, 'same-a.bundle');
    const b = join(tmp.path, 'same-b.bundle');
    for (const out of [a, b]) {
      await createBundle({ files, version: '1', schemaVersion: 1, product: 'appliance', privateKeyFile: key.privateKeyFile, out, created });
    }
    assert.deepEqual(readFileSync(a), readFileSync(b));
  });

  it('verifyExtracted notices changed, extra, missing and re-moded files', async () => {
    const out = join(tmp.path, 've.bundle');
    await createBundle({ files, version: '1', schemaVersion: 1, product: 'appliance', privateKeyFile: key.privateKeyFile, out });
    const keyring = await loadKeyring(join(tmp.path, 'keys'));
    const verified = await verifyBundle(out, { keyring, product: 'appliance', freeSpaceDir: tmp.path });
    const fresh = async (name: string): Promise<string> => {
      const target = join(tmp.path, name);
      await extractBundle(out, verified, target);
      return target;
    };

    const changed = await fresh('ve-changed');
    writeFileSync(join(changed, 'dist/main/appliance.js'), 'console.log("HI")\n');
    const e1 = await rejectsWith(verifyExtracted(changed, verified.manifest), 'UPG_SLOT_CORRUPT');
    assert.equal(e1.details?.['path'], 'dist/main/appliance.js');

    const grown = await fresh('ve-grown');
    appendFileSync(join(grown, 'package.json'), ' ');
    await rejectsWith(verifyExtracted(grown, verified.manifest), 'UPG_SLOT_CORRUPT');

    const extra = await fresh('ve-extra');
    writeFileSync(join(extra, 'dist/evil.js'), '');
    const e2 = await rejectsWith(verifyExtracted(extra, verified.manifest), 'UPG_SLOT_CORRUPT');
    assert.equal(e2.details?.['path'], 'dist/evil.js');
    await verifyExtracted(extra, verified.manifest, { allowExtra: true });

    const moded = await fresh('ve-moded');
    chmodSync(join(moded, 'bin/appliance'), 0o644);
    await rejectsWith(verifyExtracted(moded, verified.manifest), 'UPG_SLOT_CORRUPT');

    const missing = await fresh('ve-missing');
    rmSync(join(missing, 'dist/empty.js'));
    const e3 = await rejectsWith(verifyExtracted(missing, verified.manifest), 'UPG_SLOT_CORRUPT');
    assert.equal(e3.details?.['path'], 'dist/empty.js');
    assert.ok(existsSync(join(missing, 'dist/main/appliance.js')));
  });
});

describe('key rotation', () => {
  it('accepts bundles from every key in the keyring, and only those', async () => {
    const tmp = tempDir();
    try {
      const ring = join(tmp.path, 'keyring');
      const oldKey = await makeKey(ring, 'old');
      const newKey = await makeKey(ring, 'new');
      const retired = await makeKey(join(tmp.path, 'retired'), 'gone');
      const files = writeTree(join(tmp.path, 'src'), { 'a.txt': 'a\n', 'b/c.txt': 'c\n' });
      const keyring = await loadKeyring(ring);
      assert.equal(keyring.size, 2);
      assert.ok(keyring.has(oldKey.keyId) && keyring.has(newKey.keyId));

      for (const k of [oldKey, newKey]) {
        const out = join(tmp.path, `${k.keyId}.bundle`);
        await createBundle({ files, version: '1', schemaVersion: 1, product: 'appliance', privateKeyFile: k.privateKeyFile, out });
        const v = await verifyBundle(out, { keyring, product: 'appliance', freeSpaceDir: tmp.path });
        assert.equal(v.keyId, k.keyId);
      }

      const out = join(tmp.path, 'retired.bundle');
      await createBundle({ files, version: '1', schemaVersion: 1, product: 'appliance', privateKeyFile: retired.privateKeyFile, out });
      const e = await rejectsWith(verifyBundle(out, { keyring, product: 'appliance', freeSpaceDir: tmp.path }), 'UPG_UNKNOWN_KEY');
      assert.equal(e.details?.['keyId'], retired.keyId);
      assert.ok(e.message.includes(retired.keyId));
      await rejectsWith(verifyBundle(out, { keyring: new Map(), product: 'appliance', freeSpaceDir: tmp.path }), 'UPG_UNKNOWN_KEY');
    } finally {
      tmp.remove();
    }
  });
});
