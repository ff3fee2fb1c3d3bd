/**
 * The login throttle's bookkeeping on injected time: counted before the check, per-source block
 * with doubling and a cap, per-account delay that never becomes a block.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from '../../../confd/auth/login-throttle.js';

function rig() {
  let now = 1_000_000;
  const t = new LoginThrottle({ maxFailures: 3, windowMs: 60_000, blockMs: 1000, maxBlockMs: 4000, accountFreeFailures: 2, accountDelayMs: 100, maxAccountDelayMs: 400, now: () => now });
  return { t, advance: (ms: number) => { now += ms; } };
}

test('attempts in flight count: the fourth concurrent attempt is refused before any settles', () => {
  const { t } = rig();
  const v = [1, 2, 3, 4].map(() => t.begin('10.0.0.1', 'admin'));
  assert.deepEqual(v.map((x) => x.allowed), [true, true, true, false]);
});

test('blocks double up to the cap, and a success refunds only its own attempt', () => {
  const { t, advance } = rig();
  const waits: number[] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 3; i++) assert.ok(t.begin('s', 'u').allowed);
    const v = t.begin('s', 'u');
    assert.equal(v.allowed, false);
    if (!v.allowed) { waits.push(v.retryAfterMs); advance(v.retryAfterMs); }
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 4000]);
  const a = t.begin('s', 'u');
  const b = t.begin('s', 'v');
  if (a.allowed) t.settle(a.ticket, true);
  assert.ok(b.allowed);
  // a was refunded, b still counts: two more are checked, then the source is blocked again.
  assert.ok(t.begin('s', 'w').allowed);
  assert.ok(t.begin('s', 'w').allowed);
  assert.equal(t.begin('s', 'w').allowed, false);
});

test('an account is delayed from every source with a cap, never refused', () => {
  const { t } = rig();
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    const v = t.begin(`10.0.0.${i}`, 'admin');
    assert.ok(v.allowed);
    if (v.allowed) delays.push(v.delayMs);
  }
  assert.deepEqual(delays, [0, 0, 100, 200, 400, 400, 400, 400]);
});
