/**
 * @module confd/auth/users
 * Users and access rules as the running configuration holds them (/system/users/user,
 * /system/access/rule), read straight from the engine's committed view.
 */
import type { JsonObject } from '../core/tree.js';
import { entryPath } from '../schema/resolve.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { AccessOperation, AccessRule, Group } from './access.js';

export interface UserRecord {
  readonly name: string;
  readonly role: Group;
  readonly passwordHash: string | undefined;
  /** OpenSSH public key lines. */
  readonly sshKeys: readonly string[];
}

const USERS = '/system/users/user';
const SSH_KEYS = '/system/users/user/ssh-key';
const RULES = '/system/access/rule';

export function findUser(engine: ConfigEngine, name: string): UserRecord | undefined {
  const list = engine.schema.lists.get(USERS);
  const keys = engine.schema.lists.get(SSH_KEYS);
  if (!list || !keys) return undefined;
  const entry = engine.running.get(entryPath(list, '/', { name }));
  if (!entry) return undefined;
  const b = entry.body;
  return {
    name, role: b.role as Group, passwordHash: typeof b['password-hash'] === 'string' ? b['password-hash'] : undefined,
    sshKeys: engine.running.children(entry.path, keys).map((k) => String(k.body.key)),
  };
}

export function hasUsers(engine: ConfigEngine): boolean {
  const list = engine.schema.lists.get(USERS);
  return !!list && engine.running.children('/', list).length > 0;
}

export function configuredRules(engine: ConfigEngine): AccessRule[] {
  const list = engine.schema.lists.get(RULES);
  if (!list) return [];
  return engine.running.children('/', list).map((e) => ruleOf(e.body));
}

function ruleOf(b: JsonObject): AccessRule {
  return {
    group: b.group as Group, path: String(b.path), action: b.action === 'permit' ? 'permit' : 'deny',
    operations: (b.operations as string[]).map((o) => o as AccessOperation | '*'),
  };
}
