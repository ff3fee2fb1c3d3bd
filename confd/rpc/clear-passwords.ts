/**
 * @module confd/rpc/clear-passwords
 * The clear-text password leaf of a user (`plain-text-password`, NETCONF-writable, the CLI's
 * prompted password): before anything is committed it is replaced by its scrypt hash in
 * `password-hash`, so clear text is never stored, logged or replicated. The engine refuses
 * any commit that still carries one.
 */
import { hashPassword } from '../auth/passwords.js';
import { isObject, type JsonObject } from '../core/tree.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { Session } from '../txn/session.js';

export const CLEAR_PASSWORD = 'plain-text-password';
const USERS = '/system/users/user';

/** Hashes the clear-text passwords in the candidate of `s` (an edit of that candidate). */
export async function hashCandidatePasswords(engine: ConfigEngine, s: Session): Promise<void> {
  const users = engine.schema.lists.get(USERS);
  if (!users) return;
  const edits: JsonObject[] = [];
  for (const entry of engine.candidateOf(s).changes.values()) {
    if (entry?.list !== users || typeof entry.body[CLEAR_PASSWORD] !== 'string') continue;
    edits.push({ name: entry.body.name!, 'password-hash': await hashPassword(entry.body[CLEAR_PASSWORD]), [CLEAR_PASSWORD]: { '@op': 'remove' } });
  }
  if (edits.length > 0) await engine.editConfig(s, { system: { users: { user: edits } } });
}

/** `tree` (a whole configuration to import) with clear-text passwords hashed. */
export async function hashTreePasswords(tree: JsonObject): Promise<JsonObject> {
  const system = tree.system;
  if (!isObject(system) || !isObject(system.users) || !Array.isArray(system.users.user)) return tree;
  const user = await Promise.all(system.users.user.map(async (u) => {
    if (!isObject(u) || typeof u[CLEAR_PASSWORD] !== 'string') return u;
    const { [CLEAR_PASSWORD]: clear, ...rest } = u;
    return { ...rest, 'password-hash': await hashPassword(clear as string) };
  }));
  return { ...tree, system: { ...system, users: { ...system.users, user } } };
}
