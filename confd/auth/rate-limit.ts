/**
 * @module confd/auth/rate-limit
 * Failed logins per source address: after `maxFailures` within `windowMs`, the address is
 * blocked for `blockMs` (doubling on each block, up to `maxBlockMs`). A success clears it.
 * Bounded: at most `maxTracked` addresses are remembered (oldest forgotten first).
 */
export interface RateLimitOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
  readonly blockMs?: number;
  readonly maxBlockMs?: number;
  readonly maxTracked?: number;
  readonly now?: () => number;
}

interface Entry { failures: number[]; blockedUntil: number; blocks: number }

export class LoginRateLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<RateLimitOptions>;

  constructor(options: RateLimitOptions = {}) {
    this.o = {
      maxFailures: options.maxFailures ?? 5, windowMs: options.windowMs ?? 60_000, blockMs: options.blockMs ?? 30_000,
      maxBlockMs: options.maxBlockMs ?? 15 * 60_000, maxTracked: options.maxTracked ?? 10_000, now: options.now ?? Date.now,
    };
  }

  /** Milliseconds the address must still wait, or 0 when it may try. */
  blockedFor(address: string): number {
    const e = this.entries.get(address);
    return e ? Math.max(0, e.blockedUntil - this.o.now()) : 0;
  }

  recordFailure(address: string): void {
    const now = this.o.now();
    let e = this.entries.get(address);
    if (!e) {
      if (this.entries.size >= this.o.maxTracked) this.entries.delete(this.entries.keys().next().value!);
      e = { failures: [], blockedUntil: 0, blocks: 0 };
      this.entries.set(address, e);
    }
    e.failures = e.failures.filter((t) => now - t < this.o.windowMs);
    e.failures.push(now);
    if (e.failures.length >= this.o.maxFailures) {
      e.blockedUntil = now + Math.min(this.o.maxBlockMs, this.o.blockMs * 2 ** e.blocks);
      e.blocks++;
      e.failures = [];
    }
  }

  recordSuccess(address: string): void {
    this.entries.delete(address);
  }
}
