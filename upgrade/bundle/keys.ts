/**
 * @module upgrade/bundle/keys
 * Ed25519 signing keys for bundles: generating a pair, loading the private key that signs and
 * the keyring of trusted public keys (every `*.pub` in a directory, so that an old and a new key
 * can be trusted at once while keys rotate), and the key id that names a key in a bundle.
 * Imports only node built-ins and confd/api.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfdError, writeFileDurably } from '../../confd/api/index.js';
import { describeError, errnoCode } from './refusal.js';

/** Key files are a few hundred bytes; anything far larger is not a key. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface GeneratedKeyPair {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
  readonly keyId: string;
}

/** Hex SHA-256 of the SubjectPublicKeyInfo DER of a key (a private key names its public half). */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

/**
 * Writes a new Ed25519 pair: `outFile` (PKCS#8 PEM, mode 0600) and `outFile.pub` (SPKI PEM,
 * 0644), each durably. Refuses (UPG_IO) to replace an existing key file: a lost signing key
 * cannot be recovered.
 */
export async function generateKeyPair(outFile: string): Promise<GeneratedKeyPair> {
  const publicKeyFile = `${outFile}.pub`;
  for (const f of [outFile, publicKeyFile]) {
    const exists = await lstat(f).then(() => true, (e: unknown) => {
      if (errnoCode(e) === 'ENOENT') return false;
      throw ioError(`cannot write key ${outFile}: ${describeError(e)}`, e);
    });
    if (exists) throw new ConfdError('UPG_IO', `refusing to write key ${outFile}: ${f} already exists`, { details: { file: f, errno: 'EEXIST' } });
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    writeFileDurably(outFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
    writeFileDurably(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), 0o644);
  } catch (e) {
    throw ioError(`cannot write key ${outFile}: ${describeError(e)}`, e);
  }
  return { privateKeyFile: outFile, publicKeyFile, keyId: keyId(publicKey) };
}

function badKey(file: string, message: string, cause?: unknown): ConfdError {
  return new ConfdError('UPG_BAD_KEY', message, { details: { file }, ...(cause === undefined ? {} : { cause }) });
}

async function readKeyFile(file: string, what: string): Promise<string> {
  try {
    const st = await stat(file);
    if (!st.isFile()) throw badKey(file, `${what} ${file} is not a regular file`);
    if (st.size > MAX_KEY_FILE_BYTES) throw badKey(file, `${what} ${file} is too large to be a key`);
    return await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfdError) throw e;
    throw badKey(file, `cannot read ${what} ${file}: ${describeError(e)}`, e);
  }
}

/** The Ed25519 key a PEM file holds, made by `create`; `what` and `kind` name it in errors. */
function ed25519Key(pem: string, file: string, what: string, kind: string, create: (o: { key: string; format: 'pem' }) => KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key = create({ key: pem, format: 'pem' });
  } catch (e) {
    throw badKey(file, `${what} ${file} is not a readable ${kind} key: ${describeError(e)}`, e);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw badKey(file, `${what} ${file} is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  }
  return key;
}

/** The Ed25519 private key in a PKCS#8 PEM file (UPG_BAD_KEY otherwise). */
export async function loadPrivateKey(file: string): Promise<KeyObject> {
  return ed25519Key(await readKeyFile(file, 'signing key'), file, 'signing key', 'private', createPrivateKey);
}

/** The Ed25519 public key in an SPKI PEM file (UPG_BAD_KEY otherwise). */
export async function loadPublicKey(file: string): Promise<KeyObject> {
  const pem = await readKeyFile(file, 'trusted key');
  // createPublicKey would quietly derive the public half of a private key: refuse the leak instead.
  if (pem.includes('PRIVATE KEY-----')) {
    throw badKey(file, `trusted key ${file} holds a private key; only public keys belong in a keyring`);
  }
  return ed25519Key(pem, file, 'trusted key', 'public', createPublicKey);
}

/**
 * Every `*.pub` in `dir`, keyed by key id. A key file that cannot be used is an error
 * (UPG_BAD_KEY), not silently skipped: the operator meant to trust it. An unreadable directory
 * is UPG_IO. An empty keyring is returned as is, and then trusts nothing.
 */
export async function loadKeyring(dir: string): Promise<Map<string, KeyObject>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.pub')).sort();
  } catch (e) {
    throw ioError(`cannot read keyring ${dir}: ${describeError(e)}`, e);
  }
  const ring = new Map<string, KeyObject>();
  for (const name of names) {
    const key = await loadPublicKey(join(dir, name));
    ring.set(keyId(key), key);
  }
  return ring;
}

function ioError(message: string, cause: unknown): ConfdError {
  const errno = errnoCode(cause);
  return new ConfdError('UPG_IO', message, { details: errno === undefined ? {} : { errno }, cause });
}
