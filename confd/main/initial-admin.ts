/**
 * @module confd/main/initial-admin
 * A device with no users gets one: `admin`, role admin, with the password from
 * APPLIANCE_ADMIN_PASSWORD or a random one written to <data-dir>/initial-admin-password (0600).
 * The password itself is never logged; only its hash is stored.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { hashPassword } from '../auth/passwords.js';
import { hasUsers } from '../auth/users.js';
import { writeFileDurably } from '../store/durable-file.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { DataDir } from './app-paths.js';

export async function ensureInitialAdmin(engine: ConfigEngine, dirs: DataDir, log: Logger, env: NodeJS.ProcessEnv): Promise<void> {
  if (hasUsers(engine)) return;
  const given = env.APPLIANCE_ADMIN_PASSWORD;
  const password = given && given.length > 0 ? given : randomBytes(18).toString('base64url');
  const hash = await hashPassword(password);
  if (!given) writeFileDurably(dirs.initialPassword, password + '\n', 0o600);
  await engine.load(engine.systemSession, { system: { users: { user: [{ name: 'admin', role: 'admin', 'password-hash': hash }] } } },
    { merge: true, source: 'system', comment: 'initial admin user' });
  log.info({ passwordFile: given ? undefined : dirs.initialPassword }, 'created the initial admin user');
}
