/**
 * @module confd/auth/login-throttle
 * Login throttling in the manner of Junos `retry-options`: every attempt is counted before its
 * credentials are checked (so concurrent guesses cannot all be checked before the first failure
 * lands), and a success refunds it.
 * - Per source address: at most `maxFailures` attempts not refunded within `windowMs` are
 *   checked; the next one blocks the source for `blockMs`, doubling with each block up to
 *   `maxBlockMs`.
 * - Per account: every failure beyond `accountFreeFailures` within `windowMs` delays the next
 *   check of that account, from any source, by `accountDelayMs` doubling up to
 *   `maxAccountDelayMs`. An account is only ever slowed, never blocked: an attacker elsewhere
 *   cannot lock the real administrator out; a blocked source blocks everyone behind it.
 * Bounded: at most `maxTracked` sources and accounts are remembered (oldest forgotten first).
 * Pure bookkeeping: no I/O, no timers; time is injected.
 */
export interface LoginThrottleOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
  readonly blockMs?: number;
  readonly maxBlockMs?: number;
  readonly accountFreeFailures?: number;
  readonly accountDelayMs?: number;
  readonly maxAccountDelayMs?: number;
  readonly maxTracked?: number;
  readonly now?: () => number;
}

export const DEFAULT_LOGIN_THROTTLE = {
  maxFailures: 5, windowMs: 60_000, blockMs: 30_000, maxBlockMs: 15 * 60_000,
  accountFreeFailures: 3, accountDelayMs: 250, maxAccountDelayMs: 4_000, maxTracked: 10_000,
} as const;

interface Entry { attempts: number[]; blockedUntil: number; blocks: number }

/** What `begin` decided: refused (with how long the source must wait) or allowed after `delayMs`. */
export type LoginVerdict =
  | { readonly allowed: false; readonly retryAfterMs: number }
  | { readonly allowed: true; readonly delayMs: number; readonly ticket: LoginTicket };

/** One counted attempt: settle it exactly once with its outcome. */
export interface LoginTicket { readonly source: string; readonly account: string; readonly at: number }

export class LoginThrottle {
  private readonly sources = new Map<string, Entry>();
  private readonly accounts = new Map<string, Entry>();
  private readonly o: Required<LoginThrottleOptions>;

  constructor(options: LoginThrottleOptions = {}) {
    this.o = { ...DEFAULT_LOGIN_THROTTLE, now: Date.now, ...options };
  }

  /** Counts an attempt of `account` from `source`, before any check; see LoginVerdict. */
  begin(source: string, account: string): LoginVerdict {
    const now = this.o.now();
    const s = this.entry(this.sources, source, now);
    if (s.blockedUntil > now) return { allowed: false, retryAfterMs: s.blockedUntil - now };
    if (s.attempts.length >= this.o.maxFailures) {
      s.blockedUntil = now + Math.min(this.o.maxBlockMs, this.o.blockMs * 2 ** s.blocks);
      s.blocks++;
      return { allowed: false, retryAfterMs: s.blockedUntil - now };
    }
    s.attempts.push(now);
    const a = this.entry(this.accounts, account, now);
    const excess = a.attempts.length - this.o.accountFreeFailures;
    a.attempts.push(now);
    const delayMs = excess < 0 ? 0 : Math.min(this.o.maxAccountDelayMs, this.o.accountDelayMs * 2 ** excess);
    return { allowed: true, delayMs, ticket: { source, account, at: now } };
  }

  /**
   * The attempt's outcome. A success refunds the attempt to its source (the other attempts and
   * the block history stay, so logging in to one account does not wipe guesses at another) and
   * clears the account's delay.
   */
  settle(ticket: LoginTicket, ok: boolean): void {
    if (!ok) return;
    const s = this.sources.get(ticket.source);
    const at = s?.attempts.indexOf(ticket.at) ?? -1;
    if (at >= 0) s!.attempts.splice(at, 1);
    this.accounts.delete(ticket.account);
  }

  private entry(map: Map<string, Entry>, key: string, now: number): Entry {
    let e = map.get(key);
    if (!e) {
      if (map.size >= this.o.maxTracked) map.delete(map.keys().next().value!);
      e = { attempts: [], blockedUntil: 0, blocks: 0 };
      map.set(key, e);
    }
    const from = now - this.o.windowMs;
    if (e.attempts.length > 0 && e.attempts[0]! <= from) e.attempts = e.attempts.filter((t) => t > from);
    if (e.blockedUntil !== 0 && e.blockedUntil <= now) { e.blockedUntil = 0; e.attempts = []; }
    return e;
  }
}
