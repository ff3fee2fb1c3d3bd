/**
 * @module confd/auth/local-identity
 * The rule that turns the kernel's uid of a local-socket client into a device user:
 *
 * 1. root (uid 0) and the uid the appliance runs as (the service user) are console admins,
 *    whatever the configuration says: whoever has that uid owns the data directory and could
 *    edit the database file itself (and a configuration can never lock the console out). They
 *    are named after the user whose `local-uid` they are, else their login name (`root`…);
 * 2. any other uid is the user of /system/users/user whose `local-uid` it is, with that
 *    user's role (`local-uid` is unique);
 * 3. every other uid is refused: it has no device user.
 *
 * The name a client declares is never used for identity or access; it is only noted.
 */
import { userInfo } from 'node:os';
import { ConfdError } from '../core/errors.js';
import type { LocalPeer } from '../txn/session.js';
import type { ConfigEngine } from '../txn/engine.js';

const USERS = '/system/users/user';

export interface LocalIdentity {
  readonly user: string;
  readonly peer: LocalPeer;
}

/** The login name of a console uid (0 is root; otherwise this process's own uid). */
function consoleName(uid: number): string {
  if (uid === 0) return 'root';
  try {
    return userInfo().username;
  } catch {
    return `uid-${uid}`;
  }
}

/** The user configured with `local-uid` = uid, if any. */
export function userOfUid(engine: ConfigEngine, uid: number): string | undefined {
  const list = engine.schema.lists.get(USERS);
  if (!list) return undefined;
  for (const e of engine.running.children('/', list)) {
    if (e.body['local-uid'] === uid) return String(e.body.name);
  }
  return undefined;
}

/**
 * The device user of a local client of uid `uid` (pid `pid`); `ownUid` is the uid this
 * process runs as. Throws ACCESS_DENIED for a uid with no device user.
 */
export function localIdentity(engine: ConfigEngine, cred: { uid: number; pid: number }, ownUid: number, declared?: string): LocalIdentity {
  const noted = declared !== undefined ? { declared } : {};
  const mapped = userOfUid(engine, cred.uid);
  if (cred.uid === 0 || cred.uid === ownUid) {
    return { user: mapped ?? consoleName(cred.uid), peer: { uid: cred.uid, pid: cred.pid, console: true, ...noted } };
  }
  if (mapped !== undefined) return { user: mapped, peer: { uid: cred.uid, pid: cred.pid, console: false, ...noted } };
  throw new ConfdError('ACCESS_DENIED', `uid ${cred.uid} has no device user on the local socket (set system users user NAME local-uid ${cred.uid})`,
    { details: { uid: cred.uid, pid: cred.pid } });
}
