/**
 * The status page's login sessions (confd/northbound/web/sessions) on an injected clock: a
 * session is a confd session of source `web`, ends after its idle time, at logout or when
 * killed elsewhere, and the number of sessions is bounded; the login form's CSRF token is
 * bound to its pre-login nonce. And the page's helpers: secrets hidden in diffs, downsampling.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Operations } from '../../../../confd/rpc/operations.js';
import { sameSecret, WebSessions } from '../../../../confd/northbound/web/sessions.js';
import { downsample, hideSecrets } from '../../../../confd/northbound/web/status-api.js';
import { openTestDevice, quietLogger, type TestDevice } from '../../../helpers/device.js';

describe('web sessions', () => {
  let device: TestDevice;
  let ops: Operations;
  let now = 1_000_000;
  before(async () => {
    device = await openTestDevice();
    ops = new Operations(device.engine, quietLogger);
  });
  after(() => device.close());

  it('is a confd session of source web, found by its token until it is idle too long', async () => {
    const sessions = new WebSessions({ ops, idleMs: 60_000, now: () => now });
    const { token, session } = await sessions.create('admin', '127.0.0.1:5000');
    assert.equal(session.confd.source, 'web');
    assert.ok(device.engine.listSessions().includes(session.confd));
    now += 59_000;
    assert.equal(await sessions.find(token), session, 'a request within the idle time finds it');
    now += 59_000;
    assert.equal(await sessions.find(token), session, 'each request starts the idle time again');
    now += 60_001;
    assert.equal(await sessions.find(token), undefined, 'idle longer than idleMs: gone');
    assert.equal(session.confd.closed, true, 'and its confd session is closed');
    assert.equal(sessions.size, 0);
  });

  it("is not kept alive by the page's own refreshes", async () => {
    const sessions = new WebSessions({ ops, idleMs: 60_000, now: () => now });
    const { token, session } = await sessions.create('admin', '127.0.0.1:5003');
    now += 40_000;
    assert.equal(await sessions.find(token, false), session, 'a refresh within the idle time finds it');
    now += 40_000;
    assert.equal(await sessions.find(token, false), undefined, 'but did not start the idle time again');
    assert.equal(session.confd.closed, true);
  });

  it('ends at logout, and when its confd session is killed elsewhere', async () => {
    const sessions = new WebSessions({ ops, now: () => now });
    const a = await sessions.create('admin', '127.0.0.1:5001');
    await sessions.end(a.token);
    assert.equal(await sessions.find(a.token), undefined);
    assert.equal(a.session.confd.closed, true);
    const b = await sessions.create('admin', '127.0.0.1:5002');
    await ops.closeSession(b.session.confd, 'killed');
    assert.equal(await sessions.find(b.token), undefined);
    assert.equal(await sessions.find('not-a-token'), undefined);
    assert.equal(await sessions.find('x'.repeat(1000)), undefined);
  });

  it('keeps at most max sessions, ending the one idle longest', async () => {
    const sessions = new WebSessions({ ops, max: 2, now: () => now });
    const first = await sessions.create('admin', '127.0.0.1:1');
    now += 1;
    const second = await sessions.create('admin', '127.0.0.1:2');
    now += 1;
    await sessions.find(first.token);
    now += 1;
    const third = await sessions.create('admin', '127.0.0.1:3');
    assert.equal(sessions.size, 2);
    assert.equal(await sessions.find(second.token), undefined, 'the least recently used one was ended');
    assert.ok(await sessions.find(first.token));
    assert.ok(await sessions.find(third.token));
    assert.notEqual(first.session.csrf, third.session.csrf, 'each session has its own CSRF token');
    await sessions.closeAll();
    assert.equal(sessions.size, 0);
  });

  it('binds the login CSRF token to its nonce', () => {
    const sessions = new WebSessions({ ops });
    const a = sessions.loginNonce(), b = sessions.loginNonce();
    assert.ok(sameSecret(a.csrf, sessions.loginCsrf(a.nonce)));
    assert.ok(!sameSecret(a.csrf, sessions.loginCsrf(b.nonce)));
    assert.ok(!sameSecret(a.csrf, new WebSessions({ ops }).loginCsrf(a.nonce)), 'another start has another key');
    assert.ok(!sameSecret('', a.csrf));
  });
});

describe('status page helpers', () => {
  it('hides the values of sensitive leaves at any depth', () => {
    const v = hideSecrets({ name: 'vera', 'password-hash': '$scrypt$x', keys: [{ 'password-hash': 'y' }] }, new Set(['password-hash']));
    assert.deepEqual(v, { name: 'vera', 'password-hash': '(hidden)', keys: [{ 'password-hash': '(hidden)' }] });
  });

  it('downsamples to at most max points, mean of averages and max of maxima', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ t: i * 1000, min: i, avg: i, max: i * 2 }));
    const d = downsample(points, 4);
    assert.ok(d.t.length <= 4);
    assert.deepEqual(d.t, [0, 3, 6, 9]);
    assert.deepEqual(d.avg, [1, 4, 7, 9]);
    assert.deepEqual(d.max, [4, 10, 16, 18]);
    assert.deepEqual(downsample([], 4), { t: [], avg: [], max: [] });
  });
});
