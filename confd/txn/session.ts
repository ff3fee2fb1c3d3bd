/**
 * @module confd/txn/session
 * A management session: who (user), from where (source protocol, client address), since when,
 * and what it holds. Northbound layers open one per client connection or CLI run.
 */
import type { LeafChange } from '../core/diff.js';
import type { Entry, Overlay } from './datastore.js';

/**
 * A candidate of one session: its changes over running, and for each node it changed the
 * committed node it started from, so that a commit can tell its changes from other sessions'.
 */
export interface PrivateCandidate {
  readonly overlay: Overlay;
  /** Committed node (or its absence) at the time this candidate first changed it. */
  readonly origins: Map<string, Entry | undefined>;
}
/** Checks that a session may make a set of changes (access rules); throws ACCESS_DENIED if not. */
export interface WriteGuard {
  /** `leaves`: the leaf changes, computed only when some rule needs them. */
  checkWrite(leaves: () => readonly LeafChange[]): void;
}

export interface SessionInfo {
  readonly user: string;
  /** netconf, restconf, cli, socket, local, system… */
  readonly source: string;
  /** Client address as ip:port, or 'local'. */
  readonly address: string;
  /** A local-socket client as the kernel identified it (SO_PEERCRED); absent for network and in-process sessions. */
  readonly peer?: LocalPeer;
}

/**
 * Who is at the other end of a local-socket connection, from the kernel: the uid and pid of
 * the process that connected, whether that uid is a console admin (root or the appliance's own
 * uid) or a configured user's `local-uid`, and the name the client declared (never trusted).
 */
export interface LocalPeer {
  readonly uid: number;
  readonly pid: number;
  readonly console: boolean;
  readonly declared?: string;
}

/** Who did something, as the audit log records it: a session, or a login attempt before one exists. */
export interface Actor extends SessionInfo {
  readonly id: number;
}

export class Session implements Actor {
  readonly user: string;
  readonly source: string;
  readonly address: string;
  readonly peer: LocalPeer | undefined;
  readonly startedAt: number;
  closed = false;
  /** Set by confd/rpc: the access rules every write of this session must pass. */
  guard: WriteGuard | undefined;
  /** Set by the northbound layer: how to end this session's transport when it is killed. */
  /** Called when another session (`by`) kills this one. */
  onKill: ((by: number) => void) | undefined;
  /** Set while the session edits in a private candidate (CLI `configure private`). */
  privateCandidate: PrivateCandidate | undefined;
  /** How the session is editing, for `status` (CLI configuration mode), or undefined. */
  editing: 'shared' | 'private' | 'exclusive' | undefined;
  /** Counters in the spirit of RFC 6022. */
  readonly stats = { rpcs: 0, errors: 0 };

  constructor(readonly id: number, info: SessionInfo, now: number) {
    this.user = info.user;
    this.source = info.source;
    this.address = info.address;
    this.peer = info.peer;
    this.startedAt = now;
  }
}
