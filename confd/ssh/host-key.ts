/**
 * @module confd/ssh/host-key
 * The SSH host key: generated once (Ed25519, OpenSSH format) on the first start and kept in the
 * data directory, written atomically with mode 0600.
 */
import { existsSync, readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { writeFileDurably } from '../store/durable-file.js';

export function loadOrCreateHostKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const { private: key } = ssh2.utils.generateKeyPairSync('ed25519');
  writeFileDurably(file, key, 0o600);
  return key;
}
