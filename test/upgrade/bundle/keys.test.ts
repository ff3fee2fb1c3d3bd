import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, keyId, loadKeyring, loadPrivateKey, loadPublicKey } from '../../../upgrade/bundle/index.js';
import { rejectsWith, tempDir, type TempDir } from './helpers.js';

describe('bundle keys', () => {
  let tmp: TempDir;
  before(() => { tmp = tempDir(); });
  after(() => tmp.remove());

  it('generateKeyPair writes a 0600 private key and a public key that verify each other', async () => {
    const out = join(tmp.path, 'signing');
    const pair = await generateKeyPair(out);
    assert.equal(pair.privateKeyFile, out);
    assert.equal(pair.publicKeyFile, `${out}.pub`);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.match(readFileSync(out, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    assert.match(readFileSync(`${out}.pub`, 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    const priv = await loadPrivateKey(out);
    const pub = await loadPublicKey(`${out}.pub`);
    assert.equal(priv.asymmetricKeyType, 'ed25519');
    const sig = sign(null, Buffer.from('m'), priv);
    assert.ok(verify(null, Buffer.from('m'), pub, sig));
    const der = pub.export({ type: 'spki', format: 'der' });
    assert.equal(pair.keyId, createHash('sha256').update(der).digest('hex'));
    assert.equal(keyId(pub), pair.keyId);
    assert.equal(keyId(priv), pair.keyId);
  });

  it('refuses to overwrite an existing key', async () => {
    const out = join(tmp.path, 'once');
    await generateKeyPair(out);
    const before = readFileSync(out);
    await rejectsWith(generateKeyPair(out), 'UPG_IO');
    assert.deepEqual(readFileSync(out), before);
  });

  it('loadKeyring reads every *.pub and refuses unusable ones', async () => {
    const ring = join(tmp.path, 'ring');
    mkdirSync(ring);
    const a = await generateKeyPair(join(ring, 'a'));
    const b = await generateKeyPair(join(ring, 'b'));
    writeFileSync(join(ring, 'README'), 'not a key, and not *.pub\n');
    const keys = await loadKeyring(ring);
    assert.deepEqual([...keys.keys()].sort(), [a.keyId, b.keyId].sort());

    const bad = join(tmp.path, 'bad-ring');
    mkdirSync(bad);
    writeFileSync(join(bad, 'junk.pub'), 'hello\n');
    await rejectsWith(loadKeyring(bad), 'UPG_BAD_KEY');

    const rsa = join(tmp.path, 'rsa-ring');
    mkdirSync(rsa);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(rsa, 'rsa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    await rejectsWith(loadKeyring(rsa), 'UPG_BAD_KEY');

    const leaked = join(tmp.path, 'private-ring');
    mkdirSync(leaked);
    writeFileSync(join(leaked, 'oops.pub'), readFileSync(join(ring, 'a')));
    await rejectsWith(loadKeyring(leaked), 'UPG_BAD_KEY');

    await rejectsWith(loadKeyring(join(tmp.path, 'missing-ring')), 'UPG_IO');
    const empty = join(tmp.path, 'empty-ring');
    mkdirSync(empty);
    assert.equal((await loadKeyring(empty)).size, 0);
  });

  it('loadPrivateKey refuses a public key and a missing file', async () => {
    const pair = await generateKeyPair(join(tmp.path, 'pp'));
    await rejectsWith(loadPrivateKey(pair.publicKeyFile), 'UPG_BAD_KEY');
    await rejectsWith(loadPrivateKey(join(tmp.path, 'nope')), 'UPG_BAD_KEY');
    assert.equal(createPublicKey(readFileSync(pair.publicKeyFile)).asymmetricKeyType, 'ed25519');
  });
});
