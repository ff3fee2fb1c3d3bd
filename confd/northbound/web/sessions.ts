/**
 * @module confd/northbound/web/sessions
 * The status page's login sessions: a random token in a cookie names one, and each is a
 * management session of its user (source `web`: it shows in `show system sessions`, its reads
 * go through the same access rules, and a kill-session from elsewhere ends it). A session ends
 * at logout, after `idleMs` without a request of the user (the page's refreshes do not count), or when its confd session is closed. Each has
 * its own CSRF token that every state-changing request must echo. Bounded: at most `max`
 * sessions; the one idle longest is ended to make room. Only hashes of the tokens are kept.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Operations } from '../../rpc/operations.js';
import type { Session } from '../../txn/session.js';

export interface WebSession {
  readonly user: string;
  readonly csrf: string;
  readonly confd: Session;
  lastSeen: number;
}

export interface WebSessionsOptions {
  readonly ops: Operations;
  /** Idle time after which a session ends (default 15 minutes). */
  readonly idleMs?: number;
  /** Most sessions at once (default 64). */
  readonly max?: number;
  readonly now?: () => number;
}

export const DEFAULT_IDLE_MS = 15 * 60_000;
const token = () => randomBytes(32).toString('base64url');
const hash = (t: string) => createHash('sha256').update(t).digest('base64url');

/** Whether two strings are equal, in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class WebSessions {
  private readonly sessions = new Map<string, WebSession>();
  private readonly idleMs: number;
  private readonly max: number;
  private readonly now: () => number;
  /** Keys the login form's CSRF tokens (bound to a pre-login cookie); new at every start. */
  private readonly loginKey = randomBytes(32);

  constructor(private readonly o: WebSessionsOptions) {
    this.idleMs = o.idleMs ?? DEFAULT_IDLE_MS;
    this.max = o.max ?? 64;
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** A new pre-login nonce (for its cookie) and the CSRF token the login form must send with it. */
  loginNonce(): { nonce: string; csrf: string } {
    const nonce = token();
    return { nonce, csrf: this.loginCsrf(nonce) };
  }

  loginCsrf(nonce: string): string {
    return createHmac('sha256', this.loginKey).update(nonce).digest('base64url');
  }

  /** Opens a session for a user whose password was checked; returns its cookie token. */
  async create(user: string, address: string): Promise<{ token: string; session: WebSession }> {
    await this.sweep();
    if (this.sessions.size >= this.max) {
      const oldest = [...this.sessions].sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0];
      if (oldest) await this.endKey(oldest[0], 'too many web sessions');
    }
    const t = token();
    const session: WebSession = { user, csrf: token(), confd: this.o.ops.openSession({ user, source: 'web', address }), lastSeen: this.now() };
    this.sessions.set(hash(t), session);
    return { token: t, session };
  }

  /**
   * The live session of a cookie token, or undefined. Its idle time starts again unless
   * `touch` is false (the page's own periodic refreshes: a page left open still goes idle).
   */
  async find(t: string | undefined, touch = true): Promise<WebSession | undefined> {
    if (!t || t.length > 128) return undefined;
    const key = hash(t);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    if (s.confd.closed || this.now() - s.lastSeen > this.idleMs) {
      await this.endKey(key, s.confd.closed ? 'closed' : 'idle timeout');
      return undefined;
    }
    if (touch) s.lastSeen = this.now();
    return s;
  }

  async end(t: string, reason = 'logout'): Promise<void> {
    await this.endKey(hash(t), reason);
  }

  private async endKey(key: string, reason: string): Promise<void> {
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    await this.o.ops.closeSession(s.confd, reason);
  }

  /** Ends the sessions idle too long (or closed elsewhere). */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const [key, s] of [...this.sessions]) {
      if (s.confd.closed || now - s.lastSeen > this.idleMs) await this.endKey(key, s.confd.closed ? 'closed' : 'idle timeout');
    }
  }

  async closeAll(): Promise<void> {
    for (const key of [...this.sessions.keys()]) await this.endKey(key, 'shutdown');
  }
}
