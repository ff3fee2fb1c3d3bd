/**
 * Datastore locks (RFC 6241 §7.5, §7.6) and the end of sessions (close-session, kill-session).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ConfigEngine } from '../../../confd/txn/engine.js';
import type { Session } from '../../../confd/txn/session.js';
import { openTestDevice, type TestDevice } from '../../helpers/device.js';
import { commitEdit, ifPath, interfaces, openSession, rejectsWith, snapshot } from '../../helpers/engine-fixtures.js';

let device: TestDevice;
let engine: ConfigEngine;
let a: Session;
let b: Session;

beforeEach(async () => {
  device = await openTestDevice();
  engine = device.engine;
  a = openSession(engine, 'alice');
  b = openSession(engine, 'bob', 'cli');
});

afterEach(() => {
  device.close();
});

describe('lock and unlock', () => {
  it('a second lock is denied with TXN_LOCK_DENIED, naming the holder, for the holder too', async () => {
    await engine.lock(a, 'candidate');
    assert.equal(engine.lockHolder('candidate'), a);
    const e = await rejectsWith(engine.lock(b, 'candidate'), 'TXN_LOCK_DENIED');
    assert.equal(e.details?.session, a.id);
    await rejectsWith(engine.lock(a, 'candidate'), 'TXN_LOCK_DENIED');
    assert.equal(engine.lockHolder('candidate'), a);
    // Locks are per datastore.
    await engine.lock(b, 'running');
    assert.equal(engine.lockHolder('running'), b);
    await rejectsWith(engine.lock(a, 'running'), 'TXN_LOCK_DENIED');
  });

  it('unlock by a session that does not hold the lock fails with TXN_LOCK_NOT_HELD', async () => {
    await rejectsWith(engine.unlock(a, 'candidate'), 'TXN_LOCK_NOT_HELD');
    await engine.lock(a, 'candidate');
    await rejectsWith(engine.unlock(b, 'candidate'), 'TXN_LOCK_NOT_HELD');
    assert.equal(engine.lockHolder('candidate'), a);
    await engine.unlock(a, 'candidate');
    assert.equal(engine.lockHolder('candidate'), undefined);
    await rejectsWith(engine.unlock(a, 'candidate'), 'TXN_LOCK_NOT_HELD');
    await engine.lock(b, 'candidate');
    assert.equal(engine.lockHolder('candidate'), b);
  });

  it('a lock on a modified candidate is denied with TXN_LOCK_DENIED, until the changes are discarded', async () => {
    await engine.editConfig(b, interfaces({ name: 'eth0' }));
    await rejectsWith(engine.lock(a, 'candidate'), 'TXN_LOCK_DENIED');
    // Even the session that made the changes.
    await rejectsWith(engine.lock(b, 'candidate'), 'TXN_LOCK_DENIED');
    assert.equal(engine.lockHolder('candidate'), undefined);
    await engine.discardChanges(b);
    await engine.lock(a, 'candidate');
    assert.equal(engine.lockHolder('candidate'), a);
  });

  it('other sessions cannot edit, discard, copy to or commit the locked candidate (TXN_IN_USE); the holder can', async () => {
    await engine.lock(a, 'candidate');
    await rejectsWith(engine.editConfig(b, interfaces({ name: 'eth0' })), 'TXN_IN_USE');
    await rejectsWith(engine.discardChanges(b), 'TXN_IN_USE');
    await rejectsWith(engine.copyConfig(b, 'running', 'candidate'), 'TXN_IN_USE');
    await engine.editConfig(a, interfaces({ name: 'eth0' }));
    const e = await rejectsWith(engine.commit(b), 'TXN_IN_USE');
    assert.equal(e.details?.session, a.id);
    assert.equal(engine.store.lastTxid, 0);
    const out = await engine.commit(a);
    assert.ok(out.header);
    assert.ok(engine.running.get(ifPath('eth0')));
    // Reads are not locked.
    assert.deepEqual(engine.getConfig('candidate'), engine.getConfig('running'));
  });

  it('a lock on running keeps other sessions from committing and rolling back (TXN_IN_USE)', async () => {
    const t1 = await commitEdit(engine, a, interfaces({ name: 'eth0' }));
    await engine.lock(a, 'running');
    await engine.editConfig(b, interfaces({ name: 'eth1' }));
    await rejectsWith(engine.commit(b), 'TXN_IN_USE');
    await rejectsWith(engine.rollback(b, t1 - 1), 'TXN_IN_USE');
    assert.equal(engine.store.lastTxid, t1);
    await engine.unlock(a, 'running');
    const out = await engine.commit(b);
    assert.ok(out.header);
  });
});

describe('the end of a session', () => {
  it('closing the session that holds the candidate lock releases it and discards the candidate changes', async () => {
    await commitEdit(engine, a, interfaces({ name: 'eth0' }));
    const running = snapshot(engine, 'running');
    await engine.lock(a, 'candidate');
    await engine.lock(a, 'running');
    await engine.editConfig(a, interfaces({ name: 'eth0', mtu: 9000 }, { name: 'eth1' }));
    assert.equal(engine.candidate.dirty, true);
    await engine.closeSession(a);
    assert.equal(a.closed, true);
    assert.equal(engine.lockHolder('candidate'), undefined);
    assert.equal(engine.lockHolder('running'), undefined);
    assert.equal(engine.candidate.dirty, false);
    assert.deepEqual(engine.getConfig('candidate'), running);
    assert.deepEqual(engine.listSessions().map((x) => x.id), [b.id]);
    await engine.lock(b, 'candidate');
    assert.equal(engine.lockHolder('candidate'), b);
  });

  it('killSession releases the target\'s locks, discards its locked candidate and calls its onKill', async () => {
    let killed = 0;
    a.onKill = () => { killed++; };
    await engine.lock(a, 'candidate');
    await engine.editConfig(a, interfaces({ name: 'eth0' }));
    await engine.killSession(b, a.id);
    assert.equal(killed, 1);
    assert.equal(a.closed, true);
    assert.equal(engine.session(a.id), undefined);
    assert.equal(engine.lockHolder('candidate'), undefined);
    assert.equal(engine.candidate.dirty, false);
    await engine.editConfig(b, interfaces({ name: 'eth1' }));
    await engine.commit(b);
    assert.equal(engine.running.get(ifPath('eth0')), undefined);
    assert.ok(engine.running.get(ifPath('eth1')));
  });

  it('killSession of itself or of an unknown session fails', async () => {
    await rejectsWith(engine.killSession(b, b.id), 'TXN_BAD_ARGUMENT');
    await rejectsWith(engine.killSession(b, 9999), 'TXN_NO_SUCH_SESSION');
    assert.equal(b.closed, false);
  });

  it('a session end still in flight at shutdown is recorded: idle() waits for it', async () => {
    await engine.lock(a, 'candidate');
    const closing = engine.closeSession(a, 'transport closed');
    await engine.idle();
    const ends = engine.store.queryAudit({ action: 'session-end' });
    assert.deepEqual(ends.map((r) => [r.session, r.detail?.reason]), [[a.id, 'transport closed']]);
    await closing;
  });
});
