/**
 * The transaction engine with several editors at once: a confirmed commit of the CLI's kind
 * (outlives its session, confirmed from any session, reverted only at its deadline, timed
 * without a timer overflow), a shared commit over a leaf changed in running since the
 * shared edit (a conflict, as for a private candidate), who owns which shared change, the
 * events of a confirmed commit, and lock-out protection on every path that commits.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ConfigEngine, ConfirmedEvent } from '../../../confd/txn/engine.js';
import type { Session } from '../../../confd/txn/session.js';
import { openTestDevice, tempDir, type TestDevice } from '../../helpers/device.js';
import {
  FakeClock, commitEdit, ifPath, interfaces, openDeviceOnClock, openSession, rejectsWith, snapshot,
} from '../../helpers/engine-fixtures.js';

const MINUTE = 60_000;
let device: TestDevice | undefined;

afterEach(() => {
  device?.close();
  device = undefined;
});

const mtu = (e: ConfigEngine) => e.running.get(ifPath('eth0'))?.body.mtu;

describe('a CLI confirmed commit (anySession)', () => {
  it('outlives its session, survives a restart and is confirmed by a plain commit of another session', async () => {
    const clock = new FakeClock();
    const dir = tempDir();
    device = await openDeviceOnClock(clock, dir.path);
    let engine = device.engine;
    const alice = openSession(engine, 'alice', 'cli');
    await commitEdit(engine, alice, interfaces({ name: 'eth0' }));
    await engine.editConfig(alice, interfaces({ name: 'eth0', mtu: 9000 }));
    await engine.commit(alice, { confirmed: true, confirmTimeout: 600, anySession: true });
    await engine.closeSession(alice);
    assert.equal(mtu(engine), 9000, 'the end of its session does not revert it');
    assert.equal(engine.pendingConfirmed()?.anySession, true);

    device.close();
    device = await openDeviceOnClock(clock, dir.path);
    engine = device.engine;
    await engine.start();
    assert.equal(mtu(engine), 9000, 'a restart inside the window does not revert it');

    const events: ConfirmedEvent['event'][] = [];
    engine.onConfirmed((e) => events.push(e.event));
    const bob = openSession(engine, 'bob', 'cli');
    await clock.advance(5 * MINUTE);
    const out = await engine.commit(bob);
    assert.equal(out.confirmedPrevious?.user, 'alice');
    assert.equal(engine.pendingConfirmed(), null);
    await clock.advance(60 * MINUTE);
    assert.equal(mtu(engine), 9000);
    assert.deepEqual(events, ['complete']);
    device.close();
    device = undefined;
    dir.remove();
  });

  it('is reverted at its deadline, not before, and says so to listeners (timeout)', async () => {
    const clock = new FakeClock();
    device = await openDeviceOnClock(clock);
    const engine = device.engine;
    // Settling by validation audits, and each audit sets a timer: over 25 days, wait on the queue alone.
    clock.settle = () => engine.idle();
    const s = openSession(engine, 'alice', 'cli');
    await commitEdit(engine, s, interfaces({ name: 'eth0' }));
    const before = snapshot(engine, 'running');
    const events: ConfirmedEvent['event'][] = [];
    engine.onConfirmed((e) => events.push(e.event));
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000 }));
    await engine.commit(s, { confirmed: true, confirmTimeout: 36000 * 60, anySession: true });
    await engine.closeSession(s);
    await clock.advance(35999 * MINUTE);
    assert.equal(mtu(engine), 9000);
    await clock.advance(MINUTE);
    assert.deepEqual(engine.getConfig('running'), before);
    assert.deepEqual(events, ['start', 'timeout']);
  });

  it('36000 minutes on the real clock: no revert at once (no timer overflow), the deadline is 25 days out', async () => {
    device = await openTestDevice();
    const engine = device.engine;
    const s = openSession(engine, 'alice', 'cli');
    await commitEdit(engine, s, interfaces({ name: 'eth0' }));
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000 }));
    const t0 = Date.now();
    const out = await engine.commit(s, { confirmed: true, confirmTimeout: 36000 * 60, anySession: true });
    assert.equal(out.confirmedPending, true);
    // With a single setTimeout over 2^31-1 ms, Node fires it after 1 ms.
    await new Promise((r) => setTimeout(r, 300));
    await engine.idle();
    assert.equal(mtu(engine), 9000);
    const p = engine.pendingConfirmed();
    assert.ok(p, 'still pending');
    assert.ok(Math.abs(p.deadline - (t0 + 36000 * MINUTE)) < 5000, `deadline ${new Date(p.deadline).toISOString()}`);
    assert.ok(!engine.history(5).some((h) => h.source === 'confirmed-revert'));
  });

  it('a NETCONF confirmed commit keeps RFC 6241: only its session confirms, its end reverts', async () => {
    const clock = new FakeClock();
    device = await openDeviceOnClock(clock);
    const engine = device.engine;
    const s = openSession(engine, 'alice', 'netconf');
    await commitEdit(engine, s, interfaces({ name: 'eth0' }));
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000 }));
    await engine.commit(s, { confirmed: true, confirmTimeout: 600 });
    await rejectsWith(engine.commit(openSession(engine, 'bob', 'cli')), 'TXN_CONFIRMED_PENDING');
    await engine.closeSession(s);
    assert.equal(mtu(engine), 1500, 'back to the default');
  });
});

describe('the shared candidate', () => {
  /** A device with eth0, a shared editor (alice) and a private one (bob). */
  async function twoEditors(): Promise<{ engine: ConfigEngine; shared: Session; priv: Session }> {
    device = await openTestDevice();
    const engine = device.engine;
    const shared = openSession(engine, 'alice', 'cli');
    const priv = openSession(engine, 'bob', 'cli');
    await commitEdit(engine, shared, interfaces({ name: 'eth0' }));
    engine.startPrivateCandidate(priv);
    return { engine, shared, priv };
  }

  it('a shared commit over a leaf committed meanwhile (by a private candidate) is a conflict; running keeps the other value', async () => {
    const { engine, shared, priv } = await twoEditors();
    await engine.editConfig(shared, interfaces({ name: 'eth0', mtu: 2000 }));
    await engine.editConfig(priv, interfaces({ name: 'eth0', mtu: 4000 }));
    await engine.commit(priv);
    assert.equal(mtu(engine), 4000);
    await rejectsWith(engine.commit(shared), 'TXN_CONFLICT', ifPath('eth0', 'mtu'));
    assert.equal(mtu(engine), 4000, 'not silently overwritten');
    assert.equal(engine.candidate.get(ifPath('eth0'))?.body.mtu, 2000, 'the shared change is kept for its author to decide');
  });

  it('changes to other leaves of the same node are carried over', async () => {
    const { engine, shared, priv } = await twoEditors();
    await engine.editConfig(shared, interfaces({ name: 'eth0', description: 'uplink' }));
    await commitEdit(engine, priv, interfaces({ name: 'eth0', mtu: 4000 }));
    await engine.commit(shared);
    assert.deepEqual([mtu(engine), engine.running.get(ifPath('eth0'))?.body.description], [4000, 'uplink']);
  });

  it('knows which session edited which node, until a commit or discard', async () => {
    device = await openTestDevice();
    const engine = device.engine;
    const a = openSession(engine, 'alice', 'cli');
    const b = openSession(engine, 'bob', 'netconf');
    await engine.editConfig(a, interfaces({ name: 'eth0', mtu: 1500 }, { name: 'eth1' }));
    await engine.editConfig(b, interfaces({ name: 'eth1', mtu: 9000 }));
    assert.deepEqual(engine.sharedOwners(), [{ session: a.id, user: 'alice', nodes: 2 }, { session: b.id, user: 'bob', nodes: 1 }]);
    await engine.closeSession(a);
    assert.equal(engine.sharedOwners()[0]?.user, 'alice', 'a session that ended still owns its pending change');
    await engine.discardChanges(b);
    assert.deepEqual(engine.sharedOwners(), []);
  });
});

describe('lock-out protection', () => {
  const admin = { name: 'root', role: 'admin', 'password-hash': '$scrypt$ln=13,r=8,p=1$AAAA$BBBB' };

  it('refuses every path that would leave no admin login: commit, check, import, rollback, startup; force is audited', async () => {
    device = await openTestDevice();
    const engine = device.engine;
    const s = openSession(engine, 'root', 'cli');
    const first = await commitEdit(engine, s, { system: { users: { user: [admin, { name: 'op', role: 'operator', 'password-hash': admin['password-hash'] }] } } });
    const last = engine.store.lastTxid;
    await engine.editConfig(s, { system: { users: { user: [{ '@op': 'delete', name: 'root' }] } } });
    await rejectsWith(engine.validate(s, 'candidate'), 'TXN_LOCKOUT');
    await rejectsWith(engine.commit(s), 'TXN_LOCKOUT');
    await engine.discardChanges(s);
    await engine.editConfig(s, { system: { users: { user: [{ name: 'root', role: 'operator' }] } } });
    await rejectsWith(engine.commit(s), 'TXN_LOCKOUT', '/system/users/user');
    await engine.discardChanges(s);
    await rejectsWith(engine.load(s, interfaces({ name: 'eth9' }), { merge: false, source: 'import' }), 'TXN_LOCKOUT');
    await rejectsWith(engine.rollback(s, first - 1), 'TXN_LOCKOUT');
    await rejectsWith(engine.copyConfig(s, interfaces({ name: 'eth9' }), 'startup'), 'TXN_LOCKOUT');
    assert.equal(engine.store.lastTxid, last, 'nothing was committed');
    assert.ok(engine.running.get("/system/users/user[name='root']"));

    // Another admin with a key in the same change is fine; so is a forced import (audited).
    await engine.editConfig(s, { system: { users: { user: [{ '@op': 'delete', name: 'root' },
      { name: 'new', role: 'admin', 'ssh-key': [{ name: 'k', key: 'ssh-ed25519 AAAA' }] }] } } });
    await engine.commit(s);
    await engine.load(s, interfaces({ name: 'eth9' }), { merge: false, source: 'import', force: true });
    assert.equal(engine.running.get("/system/users/user[name='new']"), undefined);
    engine.store.flushAudit();
    assert.ok(engine.store.queryAudit({ action: 'import' }).some((r) => r.result === 'forced'));
  });
});
