/**
 * @module confd/ssh/host-key
 * The SSH host key: generated once (Ed25519, OpenSSH format) on the first start and kept in the
 * data directory, written atomically with mode 0600.
 */
import { existsSync, readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { writeFileDurably } from '../store/durable-file.js';
import { ConfdError } from '../core/errors.js';

export function loadOrCreateHostKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  // ssh2's generator now and then produces an Ed25519 key its own parser refuses: keep only one it reads.
  for (let attempt = 0; attempt < 16; attempt++) {
    const { private: key } = ssh2.utils.generateKeyPairSync('ed25519');
    if (ssh2.utils.parseKey(key) instanceof Error) continue;
    writeFileDurably(file, key, 0o600);
    return key;
  }
  throw new ConfdError('INTERNAL', 'could not generate a usable SSH host key');
}
