/**
 * @module confd/txn/clock
 * Time as a dependency, so timeouts (confirmed commit) run on fake time in tests.
 */
export interface TimerHandle { cancel(): void }

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once `ms` have passed; any `ms` (a confirmed commit may wait 45 days). */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** The longest delay setTimeout honours (2^31-1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // A long delay is a chain of timers of at most MAX_TIMEOUT_MS, each re-armed against the
    // wall clock, so the deadline holds however long it is.
    const due = Date.now() + Math.max(0, ms);
    let t: NodeJS.Timeout;
    const arm = () => {
      const left = due - Date.now();
      t = setTimeout(left > MAX_TIMEOUT_MS ? arm : fn, Math.min(Math.max(0, left), MAX_TIMEOUT_MS));
      t.unref();
    };
    arm();
    return { cancel: () => clearTimeout(t) };
  },
};
