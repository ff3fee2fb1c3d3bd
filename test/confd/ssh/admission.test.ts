/**
 * Admission at TCP accept: the per-source cap, and MaxStartups' random early drop between
 * start and full (random source injected).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission, DEFAULT_SSH_LIMITS, sshLimitsOf } from '../../../confd/ssh/admission.js';

const limits = { ...DEFAULT_SSH_LIMITS, maxConnectionsPerSource: 3, maxStartups: { start: 2, rate: 50, full: 4 } };

test('per-source cap counts open connections, authenticated or not', () => {
  const a = new Admission(() => 1);
  const big = { ...limits, maxStartups: { start: 100, rate: 0, full: 100 } };
  for (let i = 0; i < 3; i++) assert.equal(a.admit('s', big), null);
  a.authenticated();
  assert.equal(a.admit('s', big), 'per-source');
  a.closed('s', true);
  assert.equal(a.admit('s', big), null);
});

test('MaxStartups drops rate% at start, rising to all at full; authentication frees a slot', () => {
  let r = 0.49;
  const a = new Admission(() => r);
  assert.equal(a.admit('a', limits), null);
  assert.equal(a.admit('b', limits), null);
  assert.equal(a.admit('c', limits), 'max-startups'); // p = 0.5 at start
  r = 0.6;
  assert.equal(a.admit('c', limits), null);
  r = 0.74;
  assert.equal(a.admit('d', limits), 'max-startups'); // p = 0.75 with 3 of 4
  r = 0.99;
  assert.equal(a.admit('d', limits), null);
  assert.equal(a.admit('e', limits), 'max-startups'); // full
  a.authenticated();
  assert.equal(a.admit('e', limits), null);
});

test('limits come from /system/services, defaults where unset', () => {
  const l = sshLimitsOf({ ssh: { 'login-grace-time': 5, 'max-startups': { full: 50 } }, cli: { 'idle-timeout': 0 } });
  assert.equal(l.loginGraceTime, 5);
  assert.deepEqual(l.maxStartups, { start: 10, rate: 30, full: 50 });
  assert.equal(l.cliIdleTimeout, 0);
  assert.equal(l.netconfIdleTimeout, 0);
  assert.equal(l.maxAuthTries, 6);
});
