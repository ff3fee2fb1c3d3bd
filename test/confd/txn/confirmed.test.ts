/**
 * Confirmed commit (RFC 6241 §8.4, :confirmed-commit:1.1) on fake time: revert at the timeout,
 * confirm, extend, cancel, persist, the issuing session's end, and restarts inside the window.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { JsonObject } from '../../../confd/core/tree.js';
import type { ConfigEngine } from '../../../confd/txn/engine.js';
import type { Session } from '../../../confd/txn/session.js';
import { tempDir, type TestDevice } from '../../helpers/device.js';
import {
  FakeClock, commitEdit, ifPath, interfaces, openDeviceOnClock, openSession, rejectsWith, snapshot,
} from '../../helpers/engine-fixtures.js';

const SECOND = 1000;

let clock: FakeClock;
let device: TestDevice | undefined;
let engine: ConfigEngine;
let s: Session;

beforeEach(async () => {
  clock = new FakeClock();
  device = await openDeviceOnClock(clock);
  engine = device.engine;
  s = openSession(engine, 'alice');
  await commitEdit(engine, s, interfaces({ name: 'eth0' }), 'base');
});

afterEach(() => {
  device?.close();
  device = undefined;
});

function sources(e: ConfigEngine = engine): string[] {
  return e.history(100).reverse().map((h) => h.source);
}

function mtu(e: ConfigEngine = engine): unknown {
  return e.running.get(ifPath('eth0'))?.body.mtu;
}

/** Edits the candidate and starts (or extends) a confirmed commit. */
async function confirmedEdit(
  session: Session, edit: JsonObject, options: { confirmTimeout?: number; persist?: string; persistId?: string } = {},
  e: ConfigEngine = engine,
): Promise<void> {
  await e.editConfig(session, edit);
  const out = await e.commit(session, { confirmed: true, ...options });
  assert.ok(out.header, 'the confirmed commit changed running');
  assert.equal(out.confirmedPending, true);
}

describe('timeout', () => {
  it('a confirmed commit not confirmed in time is reverted at the timeout by a new commit', async () => {
    const before = snapshot(engine, 'running');
    const baseTxid = engine.store.lastTxid;
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }, { name: 'eth1' }), { confirmTimeout: 60 });
    assert.equal(mtu(), 9000);
    const p = engine.pendingConfirmed();
    assert.ok(p);
    assert.equal(p.rollbackTo, baseTxid);
    assert.equal(p.deadline, clock.now() + 60 * SECOND);

    await clock.advance(59 * SECOND);
    assert.equal(mtu(), 9000, 'still in the window');
    assert.ok(engine.pendingConfirmed());

    await clock.advance(1 * SECOND);
    assert.deepEqual(engine.getConfig('running'), before);
    assert.equal(engine.pendingConfirmed(), null);
    const [revert] = engine.history(1);
    assert.ok(revert);
    assert.equal(revert.source, 'confirmed-revert');
    assert.equal(revert.txid, baseTxid + 2);
    assert.deepEqual(sources(), ['netconf', 'netconf', 'confirmed-revert']);
  });

  it('the default timeout is 600 seconds', async () => {
    const before = snapshot(engine, 'running');
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }));
    await clock.advance(599 * SECOND);
    assert.equal(mtu(), 9000);
    await clock.advance(1 * SECOND);
    assert.deepEqual(engine.getConfig('running'), before);
  });

  it('a confirming commit before the timeout keeps the change', async () => {
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60 });
    await clock.advance(30 * SECOND);
    const out = await engine.commit(s);
    assert.equal(out.header, null, 'confirming with an empty candidate makes no commit');
    assert.equal(out.confirmedPending, false);
    assert.equal(engine.pendingConfirmed(), null);
    await clock.advance(600 * SECOND);
    assert.equal(mtu(), 9000);
    assert.ok(!sources().includes('confirmed-revert'));
  });

  it('a confirming commit may carry further changes, which are kept too', async () => {
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60 });
    await commitEdit(engine, s, interfaces({ name: 'eth0', description: 'confirmed' }));
    await clock.advance(120 * SECOND);
    assert.equal(mtu(), 9000);
    assert.equal(engine.running.get(ifPath('eth0'))?.body.description, 'confirmed');
  });

  it('a follow-up confirmed commit extends the deadline and keeps the first rollback point', async () => {
    const before = snapshot(engine, 'running');
    const baseTxid = engine.store.lastTxid;
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60 });
    await clock.advance(30 * SECOND);
    await confirmedEdit(s, interfaces({ name: 'eth1' }), { confirmTimeout: 60 });
    const p = engine.pendingConfirmed();
    assert.ok(p);
    assert.equal(p.rollbackTo, baseTxid);
    assert.equal(p.deadline, clock.now() + 60 * SECOND);

    await clock.advance(45 * SECOND); // past the first deadline, before the second
    assert.equal(mtu(), 9000);
    assert.ok(engine.running.get(ifPath('eth1')));
    assert.ok(engine.pendingConfirmed());

    await clock.advance(15 * SECOND);
    assert.deepEqual(engine.getConfig('running'), before);
    assert.equal(engine.pendingConfirmed(), null);
    assert.deepEqual(sources(), ['netconf', 'netconf', 'netconf', 'confirmed-revert']);
  });
});

describe('cancel-commit', () => {
  it('reverts at once', async () => {
    const before = snapshot(engine, 'running');
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60 });
    await engine.cancelCommit(s);
    assert.deepEqual(engine.getConfig('running'), before);
    assert.equal(engine.pendingConfirmed(), null);
    const [revert] = engine.history(1);
    assert.equal(revert?.source, 'confirmed-revert');
    // Nothing is left to time out.
    const last = engine.store.lastTxid;
    await clock.advance(120 * SECOND);
    assert.equal(engine.store.lastTxid, last);
  });

  it('without a pending confirmed commit fails with TXN_NO_CONFIRMED_COMMIT', async () => {
    await rejectsWith(engine.cancelCommit(s), 'TXN_NO_CONFIRMED_COMMIT');
  });
});

describe('persist', () => {
  it('confirming needs the persist-id; another session can confirm with it', async () => {
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60, persist: 'tok-1' });
    const other = openSession(engine, 'bob', 'cli');
    await rejectsWith(engine.commit(s), 'TXN_PERSIST_ID_MISMATCH');
    await rejectsWith(engine.commit(other, { persistId: 'wrong' }), 'TXN_PERSIST_ID_MISMATCH');
    await rejectsWith(engine.cancelCommit(other, 'wrong'), 'TXN_PERSIST_ID_MISMATCH');
    assert.ok(engine.pendingConfirmed());
    const out = await engine.commit(other, { persistId: 'tok-1' });
    assert.equal(out.confirmedPending, false);
    assert.equal(engine.pendingConfirmed(), null);
    await clock.advance(120 * SECOND);
    assert.equal(mtu(), 9000);
    assert.ok(!sources().includes('confirmed-revert'));
  });

  it('another session can cancel with the persist-id', async () => {
    const before = snapshot(engine, 'running');
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60, persist: 'tok-2' });
    const other = openSession(engine, 'bob', 'cli');
    await engine.cancelCommit(other, 'tok-2');
    assert.deepEqual(engine.getConfig('running'), before);
  });

  it('the issuing session may end: the commit stays pending and still times out', async () => {
    const before = snapshot(engine, 'running');
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60, persist: 'tok-3' });
    await engine.closeSession(s);
    assert.equal(mtu(), 9000);
    assert.ok(engine.pendingConfirmed());
    await clock.advance(60 * SECOND);
    assert.deepEqual(engine.getConfig('running'), before);
  });

  it('a persist-id with no confirmed commit pending fails with TXN_NO_CONFIRMED_COMMIT', async () => {
    await rejectsWith(engine.commit(s, { persistId: 'tok' }), 'TXN_NO_CONFIRMED_COMMIT');
  });
});

describe('without persist', () => {
  it('another session cannot commit, confirm, cancel or roll back (TXN_CONFIRMED_PENDING)', async () => {
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60 });
    const other = openSession(engine, 'bob', 'cli');
    const last = engine.store.lastTxid;
    await rejectsWith(engine.commit(other), 'TXN_CONFIRMED_PENDING');
    await rejectsWith(engine.cancelCommit(other), 'TXN_CONFIRMED_PENDING');
    await rejectsWith(engine.rollback(other, 1), 'TXN_CONFIRMED_PENDING');
    await rejectsWith(engine.commit(s, { persistId: 'x' }), 'TXN_PERSIST_ID_MISMATCH');
    assert.equal(engine.store.lastTxid, last);
    assert.ok(engine.pendingConfirmed());
  });

  it('closing the issuing session reverts at once', async () => {
    const before = snapshot(engine, 'running');
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60 });
    await engine.closeSession(s);
    assert.deepEqual(engine.getConfig('running'), before);
    assert.equal(engine.pendingConfirmed(), null);
    assert.equal(engine.history(1)[0]?.source, 'confirmed-revert');
  });
});

describe('participants and session ends', () => {
  it('killing the issuing session reverts at once', async () => {
    const before = snapshot(engine, 'running');
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60 });
    const admin = openSession(engine, 'root', 'cli');
    await engine.killSession(admin, s.id);
    assert.deepEqual(engine.getConfig('running'), before);
    assert.equal(engine.pendingConfirmed(), null);
  });

  it('participants learn of the revert as a committed change, without being asked to prepare it', async () => {
    const seen: string[] = [];
    engine.addParticipant({
      name: 'daemon',
      prepare: async (ev) => { seen.push(`prepare:${ev.source}`); },
      committed: (ev) => { seen.push(`committed:${ev.source}:${ev.txid}`); },
    });
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60 });
    const t = engine.store.lastTxid;
    await clock.advance(60 * SECOND);
    assert.deepEqual(seen, ['prepare:netconf', `committed:netconf:${t}`, `committed:confirmed-revert:${t + 1}`]);
  });
});

describe('a restart inside the window', () => {
  async function reopenScenario(persist: string | undefined): Promise<{
    dir: { path: string; remove(): void }; before: JsonObject; deadline: number;
  }> {
    const dir = tempDir();
    device?.close();
    device = await openDeviceOnClock(clock, dir.path);
    engine = device.engine;
    s = openSession(engine, 'alice');
    await commitEdit(engine, s, interfaces({ name: 'eth0' }), 'base');
    const before = snapshot(engine, 'running');
    await confirmedEdit(s, interfaces({ name: 'eth0', mtu: 9000 }), { confirmTimeout: 60, ...(persist ? { persist } : {}) });
    const deadline = engine.pendingConfirmed()!.deadline;
    device.close(); // the daemon stops inside the window
    device = undefined;
    return { dir, before, deadline };
  }

  it('with persist, reopening after the deadline reverts on start', async () => {
    const { dir, before, deadline } = await reopenScenario('tok-r1');
    try {
      clock = new FakeClock(deadline + 5 * SECOND);
      device = await openDeviceOnClock(clock, dir.path);
      engine = device.engine;
      assert.deepEqual(engine.getConfig('running'), before);
      assert.equal(engine.pendingConfirmed(), null);
      assert.equal(engine.history(1)[0]?.source, 'confirmed-revert');
    } finally {
      device?.close();
      device = undefined;
      dir.remove();
    }
  });

  it('with persist, after reopening past the deadline the persist-id no longer confirms the expired commit', async () => {
    const { dir, before, deadline } = await reopenScenario('tok-r4');
    try {
      clock = new FakeClock(deadline + 5 * SECOND);
      device = await openDeviceOnClock(clock, dir.path);
      engine = device.engine;
      const other = openSession(engine, 'bob');
      await rejectsWith(engine.commit(other, { persistId: 'tok-r4' }), 'TXN_NO_CONFIRMED_COMMIT');
      await clock.advance(0);
      assert.deepEqual(engine.getConfig('running'), before);
    } finally {
      device?.close();
      device = undefined;
      dir.remove();
    }
  });

  it('with persist, reopening before the deadline keeps it pending until the deadline, then reverts', async () => {
    const { dir, before, deadline } = await reopenScenario('tok-r2');
    try {
      clock = new FakeClock(deadline - 20 * SECOND);
      device = await openDeviceOnClock(clock, dir.path);
      engine = device.engine;
      assert.equal(mtu(), 9000);
      const p = engine.pendingConfirmed();
      assert.ok(p);
      assert.equal(p.persist, 'tok-r2');
      assert.equal(p.deadline, deadline);
      await clock.advance(19 * SECOND);
      assert.equal(mtu(), 9000);
      await clock.advance(1 * SECOND);
      assert.deepEqual(engine.getConfig('running'), before);
      assert.equal(engine.pendingConfirmed(), null);
    } finally {
      device?.close();
      device = undefined;
      dir.remove();
    }
  });

  it('with persist, reopening before the deadline still lets a session confirm with the persist-id', async () => {
    const { dir, deadline } = await reopenScenario('tok-r3');
    try {
      clock = new FakeClock(deadline - 20 * SECOND);
      device = await openDeviceOnClock(clock, dir.path);
      engine = device.engine;
      const other = openSession(engine, 'bob');
      await rejectsWith(engine.commit(other), 'TXN_PERSIST_ID_MISMATCH');
      await engine.commit(other, { persistId: 'tok-r3' });
      assert.equal(engine.pendingConfirmed(), null);
      await clock.advance(60 * SECOND);
      assert.equal(mtu(), 9000);
      // Confirmed for good: a further restart does not revert it either.
      device.close();
      device = undefined;
      device = await openDeviceOnClock(clock, dir.path);
      engine = device.engine;
      assert.equal(mtu(), 9000);
      assert.equal(engine.pendingConfirmed(), null);
    } finally {
      device?.close();
      device = undefined;
      dir.remove();
    }
  });

  it('without persist, reopening reverts at once (the issuing session is gone)', async () => {
    const { dir, before, deadline } = await reopenScenario(undefined);
    try {
      clock = new FakeClock(deadline - 50 * SECOND);
      device = await openDeviceOnClock(clock, dir.path);
      engine = device.engine;
      assert.deepEqual(engine.getConfig('running'), before);
      assert.equal(engine.pendingConfirmed(), null);
      assert.equal(engine.history(1)[0]?.source, 'confirmed-revert');
    } finally {
      device?.close();
      device = undefined;
      dir.remove();
    }
  });
});
