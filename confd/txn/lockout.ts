/**
 * @module confd/txn/lockout
 * Lock-out protection: a configuration that would leave no way in for an administrator (no
 * user of the admin role with a password hash or an SSH key) is refused, whichever path
 * brings it (commit, import, restore, rollback, copy-config, an upgrade's transform). A
 * device that had no such user before (a bare test device) is not judged by this rule.
 */
import { ConfdError } from '../core/errors.js';
import type { DeviceSchema } from '../schema/model.js';
import type { DataView } from './datastore.js';

const USERS = '/system/users/user';
const SSH_KEYS = '/system/users/user/ssh-key';

/** Names of the users of `view` that can log in as administrators. */
export function adminLogins(schema: DeviceSchema, view: DataView): string[] {
  const users = schema.lists.get(USERS);
  if (!users) return [];
  const keys = schema.lists.get(SSH_KEYS);
  return view.children('/', users).filter((u) => u.body.role === 'admin' && u.body.enabled !== false
    && ((typeof u.body['password-hash'] === 'string' && u.body['password-hash'] !== '')
      || (keys !== undefined && view.children(u.path, keys).length > 0)))
    .map((u) => String(u.body.name));
}

/** Whether a change of these node paths can change who may log in. */
export function touchesUsers(paths: Iterable<string>): boolean {
  for (const p of paths) if (p.startsWith('/system/users/')) return true;
  return false;
}

/**
 * Throws TXN_LOCKOUT when `after` leaves no administrator login that `before` had.
 * `changed`: the node paths that differ (the check is skipped when none is a user's); null
 * when `after` is not a change of `before` (a whole startup configuration).
 */
export function checkLockout(schema: DeviceSchema, before: DataView, after: DataView, changed: Iterable<string> | null): void {
  if (changed !== null && !touchesUsers(changed)) return;
  refuseLockout(adminLogins(schema, before), adminLogins(schema, after));
}

/** Throws TXN_LOCKOUT when administrators who could log in (`had`) would leave none who can (`left`). */
export function refuseLockout(had: readonly string[], left: readonly string[]): void {
  if (left.length > 0 || had.length === 0) return;
  throw new ConfdError('TXN_LOCKOUT',
    `refused: no user of the admin role would be left with a password or an SSH key (now: ${had.join(', ')}); `
    + 'keep one, or give another admin user a password or key in the same change',
    { path: USERS, details: { admins: had } });
}
