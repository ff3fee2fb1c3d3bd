import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import { createBundle, loadKeyring, verifyBundle, type VerifyOptions } from '../../../upgrade/bundle/index.js';
import {
  flipByte, makeKey, pseudoRandom, rejectsWith, sha256, tempDir, writeRawBundle, writeTree, type TempDir, type TestKey,
} from './helpers.js';

describe('verifyBundle refuses damaged and untrusted bundles', () => {
  let tmp: TempDir;
  let key: TestKey;
  let stranger: TestKey;
  let good: string;
  let options: VerifyOptions;
  let keyring: Map<string, KeyObject>;
  let manifestLength: number;
  let n = 0;

  /** A copy of the good bundle to damage. */
  const copy = (): string => {
    const f = join(tmp.path, `copy-${n++}.bundle`);
    copyFileSync(good, f);
    return f;
  };

  before(async () => {
    tmp = tempDir();
    key = await makeKey(join(tmp.path, 'keyring'), 'trusted');
    stranger = await makeKey(join(tmp.path, 'elsewhere'), 'stranger');
    keyring = await loadKeyring(join(tmp.path, 'keyring'));
    options = { keyring, product: 'appliance', freeSpaceDir: tmp.path };
    const files = writeTree(join(tmp.path, 'src'), {
      'a.txt': 'first\n',
      'big.bin': pseudoRandom(256 * 1024),
      'z.txt': 'last\n',
    });
    good = join(tmp.path, 'good.bundle');
    await createBundle({ files, version: '1.0.0', schemaVersion: 1, product: 'appliance', privateKeyFile: key.privateKeyFile, out: good });
    manifestLength = readFileSync(good).readUInt32BE(12);
  });
  after(() => tmp.remove());

  it('accepts the undamaged bundle', async () => {
    const v = await verifyBundle(good, options);
    assert.equal(v.manifest.files.length, 3);
  });

  it('a missing, empty or truncated file is UPG_BAD_BUNDLE', async () => {
    await rejectsWith(verifyBundle(join(tmp.path, 'nonexistent.bundle'), options), 'UPG_BAD_BUNDLE');
    const size = readFileSync(good).length;
    const M = manifestLength;
    const cuts = {
      empty: 0, magic: 5, header: 15, manifestStart: 16, manifest: 16 + Math.floor(M / 2), keyId: 16 + M + 10,
      signature: 16 + M + 32 + 40, payloadLength: 16 + M + 96 + 4, payloadStart: 16 + M + 104 + 1,
      payload: Math.floor((16 + M + 104 + size) / 2), lastByte: size - 1,
    };
    for (const [where, at] of Object.entries(cuts)) {
      const f = copy();
      truncateSync(f, at);
      const e = await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
      assert.ok(e.message.startsWith('refusing to install'), where);
    }
  });

  it('bytes after the payload are UPG_BAD_BUNDLE', async () => {
    const f = copy();
    appendFileSync(f, Buffer.from([0]));
    await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
  });

  it('a damaged header is UPG_BAD_BUNDLE', async () => {
    for (const at of [0, 7, 11, 12]) {
      const f = copy();
      flipByte(f, at);
      await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
    }
    const f = copy();
    const bytes = readFileSync(f);
    bytes.writeUInt32BE(0xffffffff, 12);
    writeFileSync(f, bytes);
    await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
  });

  it('a flipped byte in the manifest or the signature is UPG_BAD_SIGNATURE', async () => {
    for (const at of [16, 16 + Math.floor(manifestLength / 2), 16 + manifestLength - 1, 16 + manifestLength + 32, 16 + manifestLength + 95]) {
      const f = copy();
      flipByte(f, at);
      await rejectsWith(verifyBundle(f, options), 'UPG_BAD_SIGNATURE');
    }
  });

  it('a flipped byte in the key id is UPG_UNKNOWN_KEY', async () => {
    const f = copy();
    flipByte(f, 16 + manifestLength + 3);
    await rejectsWith(verifyBundle(f, options), 'UPG_UNKNOWN_KEY');
  });

  it('a signature by a key outside the keyring is UPG_UNKNOWN_KEY naming the key', async () => {
    const f = join(tmp.path, 'stranger.bundle');
    writeRawBundle(f, { key: stranger.privateKey });
    const e = await rejectsWith(verifyBundle(f, options), 'UPG_UNKNOWN_KEY');
    assert.equal(e.details?.['keyId'], stranger.keyId);
    // Claiming a trusted key's id does not help: the signature does not verify with it.
    writeRawBundle(f, { key: stranger.privateKey, keyIdHex: key.keyId });
    await rejectsWith(verifyBundle(f, options), 'UPG_BAD_SIGNATURE');
  });

  it('a flipped byte in the payload is UPG_BAD_BUNDLE naming the file', async () => {
    const size = readFileSync(good).length;
    const payloadStart = 16 + manifestLength + 104;
    const f = copy();
    flipByte(f, payloadStart + Math.floor((size - payloadStart) / 2));
    const e = await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
    assert.equal(e.details?.['path'], 'big.bin');

    for (const at of [payloadStart + 3, size - 1, size - 6]) {
      const g = copy();
      flipByte(g, at);
      await rejectsWith(verifyBundle(g, options), 'UPG_BAD_BUNDLE');
    }
  });

  it('a manifest hash that does not match the content is UPG_BAD_BUNDLE naming the file', async () => {
    const f = join(tmp.path, 'wronghash.bundle');
    const files = [{ path: 'a', content: Buffer.from('a') }, { path: 'b', content: Buffer.from('b') }];
    writeRawBundle(f, {
      key: key.privateKey, files,
      override: { files: [{ path: 'a', size: 1, sha256: sha256(Buffer.from('a')), mode: 0o644 }, { path: 'b', size: 1, sha256: sha256(Buffer.from('c')), mode: 0o644 }] },
    });
    const e = await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
    assert.equal(e.details?.['path'], 'b');
  });

  it('a payload shorter than declared is UPG_BAD_BUNDLE', async () => {
    const f = join(tmp.path, 'short.bundle');
    const content = Buffer.from('abc');
    writeRawBundle(f, {
      key: key.privateKey, files: [{ path: 'x', content }],
      override: { files: [{ path: 'x', size: 10, sha256: sha256(content), mode: 0o644 }] },
    });
    const e = await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
    assert.equal(e.details?.['path'], 'x');
  });

  it('a wrong payloadSha256 is UPG_BAD_BUNDLE', async () => {
    const f = join(tmp.path, 'payloadhash.bundle');
    writeRawBundle(f, { key: key.privateKey, override: { payloadSha256: 'f'.repeat(64) } });
    await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
  });

  it('a bundle built for another architecture, Node ABI or C library is UPG_INCOMPATIBLE at verify time', async () => {
    const here = { arch: process.arch, nodeAbi: process.versions.modules, libc: 'glibc' };
    for (const platform of [{ ...here, arch: 'riscv64' }, { ...here, nodeAbi: '1' }, { ...here, libc: 'musl' }]) {
      const f = join(tmp.path, `platform-${platform.arch}-${platform.nodeAbi}-${platform.libc}.bundle`);
      writeRawBundle(f, { key: key.privateKey, override: { platform } });
      const e = await rejectsWith(verifyBundle(f, options), 'UPG_INCOMPATIBLE');
      assert.deepEqual(e.details?.['platform'], platform);
    }
    // A manifest without a platform cannot be checked: refused.
    const f = join(tmp.path, 'no-platform.bundle');
    writeRawBundle(f, { key: key.privateKey, override: { platform: undefined } });
    await rejectsWith(verifyBundle(f, options), 'UPG_BAD_MANIFEST');
  });

  it('a bundle for another product is UPG_INCOMPATIBLE', async () => {
    const f = join(tmp.path, 'other.bundle');
    writeRawBundle(f, { key: key.privateKey, override: { product: 'toaster' } });
    const e = await rejectsWith(verifyBundle(f, options), 'UPG_INCOMPATIBLE');
    assert.equal(e.details?.['product'], 'toaster');
    await rejectsWith(verifyBundle(good, { ...options, product: 'router' }), 'UPG_INCOMPATIBLE');
  });

  it('too little free space is UPG_NO_SPACE; an unreadable free-space dir is UPG_IO', async () => {
    const e = await rejectsWith(verifyBundle(good, { ...options, requiredFreeBytes: Number.MAX_SAFE_INTEGER }), 'UPG_NO_SPACE');
    assert.equal(e.details?.['requiredBytes'], Number.MAX_SAFE_INTEGER);
    // A smaller floor cannot weaken the bundle's own requirement.
    const v = await verifyBundle(good, { ...options, requiredFreeBytes: 0 });
    assert.ok(v.requiredFreeBytes > v.unpackedBytes);
    await rejectsWith(verifyBundle(good, { ...options, freeSpaceDir: join(tmp.path, 'no-such-dir') }), 'UPG_IO');
  });

  it('malformed manifests are UPG_BAD_MANIFEST even when properly signed', async () => {
    const f = join(tmp.path, 'bad-manifest.bundle');
    const entry = { path: 'a.txt', size: 2, sha256: sha256(Buffer.from('a\n')), mode: 0o644 };
    const cases: Array<Record<string, unknown>> = [
      { extra: true },
      { version: undefined },
      { version: '' },
      { version: '1.0 beta' },
      { version: 7 },
      { schemaVersion: 0 },
      { schemaVersion: 1.5 },
      { schemaVersion: '2' },
      { created: 'yesterday' },
      { format: 2 },
      { files: [] },
      { files: {} },
      { files: [{ ...entry, mode: 0o777 }] },
      { files: [{ ...entry, mode: '0644' }] },
      { files: [{ ...entry, size: -1 }] },
      { files: [{ ...entry, size: 2.5 }] },
      { files: [{ ...entry, sha256: entry.sha256.toUpperCase() }] },
      { files: [{ ...entry, owner: 'root' }] },
      { files: [{ path: 'a.txt', size: 2, mode: 0o644 }] },
      { files: [{ ...entry, path: 42 }] },
      { files: ['a.txt'] },
      { payloadSha256: 'abc' },
      { product: 'Appliance!' },
    ];
    for (const override of cases) {
      writeRawBundle(f, { key: key.privateKey, override });
      await rejectsWith(verifyBundle(f, options), 'UPG_BAD_MANIFEST');
    }
    for (const manifest of [Buffer.from('not json at all'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from('[]'), Buffer.from('null')]) {
      writeRawBundle(f, { key: key.privateKey, manifest });
      await rejectsWith(verifyBundle(f, options), 'UPG_BAD_MANIFEST');
    }
  });

  it('checks in order: an unknown key is reported before a malformed manifest', async () => {
    const f = join(tmp.path, 'order.bundle');
    writeRawBundle(f, { key: stranger.privateKey, manifest: Buffer.from('garbage') });
    await rejectsWith(verifyBundle(f, options), 'UPG_UNKNOWN_KEY');
    writeRawBundle(f, { key: key.privateKey, override: { product: 'toaster', files: [{ path: '../x', size: 0, sha256: sha256(Buffer.alloc(0)), mode: 0o644 }] } });
    await rejectsWith(verifyBundle(f, options), 'UPG_INCOMPATIBLE');
  });

  it('a gzip bomb is refused without inflating it', async () => {
    // 128 MiB of zeros compress to ~130 KB; the manifest declares 64 KiB.
    const chunks: Buffer[] = [];
    const zeros = Buffer.alloc(1024 * 1024);
    await pipeline(async function* () { for (let i = 0; i < 128; i++) yield zeros; }, createGzip({ level: 9 }), async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) chunks.push(c);
    });
    const payload = Buffer.concat(chunks);
    const declared = 64 * 1024;
    const f = join(tmp.path, 'bomb.bundle');
    writeRawBundle(f, {
      key: key.privateKey, payload,
      files: [{ path: 'small', content: Buffer.alloc(declared) }],
    });
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const e = await rejectsWith(verifyBundle(f, options), 'UPG_BAD_BUNDLE');
    const elapsed = performance.now() - started;
    assert.equal(e.details?.['declaredBytes'], declared);
    const seen = e.details?.['decompressedBytes'];
    assert.ok(typeof seen === 'number' && seen > declared && seen <= declared + 1024 * 1024, `stopped after ${String(seen)} bytes`);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024);
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
  });
});
