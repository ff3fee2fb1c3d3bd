/**
 * Injected storage faults: a full disk (SQLite's page cap) and an I/O error inside the commit
 * transaction. The commit fails with STORE_IO, and the device is exactly as it was: running
 * in memory, the database on disk, history and the audit chain.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfdError } from '../../../confd/core/errors.js';
import type { JsonObject } from '../../../confd/core/tree.js';
import { verifyChain } from '../../../confd/store/audit-chain.js';
import { openTestDevice, tempDir } from '../../helpers/device.js';

function rules(n: number, from = 1): JsonObject {
  return { firewall: { rule: Array.from({ length: n }, (_, i) => ({ sequence: from + i, action: 'drop', description: 'x'.repeat(100) })) } };
}

async function expectStoreIo(p: Promise<unknown>): Promise<ConfdError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  assert.ok(e instanceof ConfdError, `expected a ConfdError, got ${String(e)}`);
  assert.equal(e.code, 'STORE_IO');
  return e;
}

test('disk full during a commit: STORE_IO, nothing changed, the device keeps working', async () => {
  const dir = tempDir();
  try {
    const small = await openTestDevice({ dataDir: dir.path, store: { maxPageCount: 80 } });
    const { engine } = small;
    const s = engine.openSession({ user: 'alice', source: 'test', address: 'local' });
    await engine.editConfig(s, { system: { hostname: 'before' } });
    await engine.commit(s, { comment: 'fits' });
    const runningBefore = engine.getConfig('running');
    const txidBefore = engine.store.lastTxid;

    await engine.editConfig(s, rules(3000));
    const err = await expectStoreIo(engine.commit(s, { comment: 'too big' }));
    assert.equal(err.details?.sqlite, 'SQLITE_FULL');
    assert.deepEqual(engine.getConfig('running'), runningBefore);
    assert.equal(engine.store.lastTxid, txidBefore);
    assert.equal(engine.candidate.dirty, true, 'the candidate keeps the edit, to retry or discard');

    await engine.discardChanges(s);
    await engine.editConfig(s, { system: { hostname: 'after' } });
    const ok = await engine.commit(s, { comment: 'small again' });
    assert.equal(ok.header?.txid, txidBefore + 1);
    small.close();

    const reopened = await openTestDevice({ dataDir: dir.path });
    try {
      assert.equal(reopened.engine.store.integrityCheck(), 'ok');
      assert.ok(verifyChain(reopened.engine.store.auditRecords()).ok);
      assert.equal((reopened.engine.getConfig('running').system as JsonObject).hostname, 'after');
      assert.equal((reopened.engine.getConfig('running').firewall as JsonObject).rule, undefined);
      assert.equal(reopened.engine.store.lastTxid, txidBefore + 1);
    } finally {
      reopened.close();
    }
  } finally {
    dir.remove();
  }
});

test('an I/O error inside the commit transaction: STORE_IO, the database and memory unchanged', async () => {
  const dir = tempDir();
  try {
    let failNext = false;
    const device = await openTestDevice({
      dataDir: dir.path,
      store: {
        beforeCommitEnd: () => {
          if (!failNext) return;
          failNext = false;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
        },
      },
    });
    const { engine } = device;
    const s = engine.openSession({ user: 'bob', source: 'test', address: 'local' });
    await engine.editConfig(s, { interfaces: { interface: [{ name: 'eth0' }] } });
    await engine.commit(s);
    const runningBefore = engine.getConfig('running');
    const historyBefore = engine.history(10);
    await engine.editConfig(s, { interfaces: { interface: [{ name: 'eth0', mtu: 9000 }, { name: 'eth1' }] } });
    const auditBefore = [...engine.store.auditRecords()].length;
    failNext = true;
    const err = await expectStoreIo(engine.commit(s));
    assert.equal(err.details?.sqlite, 'SQLITE_IOERR_WRITE');
    assert.deepEqual(engine.getConfig('running'), runningBefore);
    assert.deepEqual(engine.history(10), historyBefore);
    assert.equal(engine.running.get("/interfaces/interface[name='eth1']"), undefined);
    // Only the record of the failure itself was added to the audit chain.
    const audit = [...engine.store.auditRecords()];
    assert.equal(audit.length, auditBefore + 1);
    assert.equal(audit[audit.length - 1]!.result, 'error');
    assert.ok(verifyChain(audit).ok);

    const retried = await engine.commit(s);
    assert.equal(retried.header?.txid, historyBefore[0]!.txid + 1);
    device.close();

    const reopened = await openTestDevice({ dataDir: dir.path });
    try {
      const ifaces = (reopened.engine.getConfig('running').interfaces as JsonObject).interface as JsonObject[];
      assert.deepEqual(ifaces.map((i) => [i.name, i.mtu]), [['eth0', 9000], ['eth1', 1500]]);
      assert.ok(verifyChain(reopened.engine.store.auditRecords()).ok);
    } finally {
      reopened.close();
    }
  } finally {
    dir.remove();
  }
});
