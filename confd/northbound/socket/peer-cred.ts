/**
 * @module confd/northbound/socket/peer-cred
 * The kernel's view of who connected to the local socket: getsockopt(SO_PEERCRED) on the
 * accepted socket's descriptor, through the one-function addon in native/peercred (Node has
 * no API for it). The kernel records the pid, uid and gid of the process that called
 * connect() at that moment: nothing the client sends can change them, and there is no window
 * between looking and using (unlike mapping the peer's inode to a pid with `ss -xp`).
 * Without the addon every connection is refused: the socket never falls back to a declared name.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { ConfdError } from '../../core/errors.js';

export interface PeerCred {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

interface Addon { peerCred(fd: number): PeerCred }

/** Where the build puts the addon, from dist/confd/northbound/socket/ (the same in a slot's app/). */
const ADDON = '../../../../native/peercred/build/Release/peercred.node';

let addon: Addon | Error | undefined;

function load(): Addon {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)(ADDON) as Addon;
    } catch (e) {
      addon = e instanceof Error ? e : new Error(String(e));
    }
  }
  if (addon instanceof Error) {
    throw new ConfdError('ACCESS_DENIED', `the local socket cannot ask the kernel who connected (native/peercred is not built: run npm ci): ${addon.message}`);
  }
  return addon;
}

/** The credentials of the process at the other end of an accepted Unix socket. */
export function peerCredOf(socket: Socket): PeerCred {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new ConfdError('ACCESS_DENIED', 'the connection has no descriptor to ask the kernel about');
  try {
    return load().peerCred(fd);
  } catch (e) {
    if (e instanceof ConfdError) throw e;
    throw new ConfdError('ACCESS_DENIED', `the kernel did not say who connected: ${(e as Error).message}`);
  }
}
