/**
 * Storage faults: injected ones — a full disk (SQLite's page cap) and an I/O error inside the
 * commit transaction — and ones the kernel really gives: a full file system (a small tmpfs
 * mounted for the test: ENOSPC → SQLITE_FULL) and a write to a descriptor that no longer is the
 * database's (its WAL descriptor closed under SQLite and taken by a read-only file: EBADF →
 * SQLITE_IOERR). A read-only remount, the other way to get one, is refused by the kernel
 * (EBUSY) while SQLite holds the files open for writing. Each time the commit fails with
 * STORE_IO, and the device is exactly as it was: running in memory, the database on disk,
 * history and the audit chain. The tmpfs needs root for mount (the suite runs as root, CI too).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfdError } from '../../../confd/core/errors.js';
import type { JsonObject } from '../../../confd/core/tree.js';
import { verifyChain } from '../../../confd/store/audit-chain.js';
import { openTestDevice, tempDir, type TestDevice } from '../../helpers/device.js';

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
      assert.ok(verifyChain(reopened.engine.store.auditRecords(), reopened.engine.store.auditKeying()).ok);
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
    assert.ok(verifyChain(audit, engine.store.auditKeying()).ok);

    const retried = await engine.commit(s);
    assert.equal(retried.header?.txid, historyBefore[0]!.txid + 1);
    device.close();

    const reopened = await openTestDevice({ dataDir: dir.path });
    try {
      const ifaces = (reopened.engine.getConfig('running').interfaces as JsonObject).interface as JsonObject[];
      assert.deepEqual(ifaces.map((i) => [i.name, i.mtu]), [['eth0', 9000], ['eth1', 1500]]);
      assert.ok(verifyChain(reopened.engine.store.auditRecords(), reopened.engine.store.auditKeying()).ok);
    } finally {
      reopened.close();
    }
  } finally {
    dir.remove();
  }
});

/** What a device holds on disk, as it reads back after a reopen. */
async function onDisk(dataDir: string): Promise<{ running: JsonObject; txid: number; history: unknown[]; auditOk: boolean }> {
  const d = await openTestDevice({ dataDir });
  try {
    const { engine } = d;
    return { running: engine.getConfig('running'), txid: engine.store.lastTxid, history: engine.history(20), auditOk: verifyChain(engine.store.auditRecords(), engine.store.auditKeying()).ok };
  } finally {
    d.close();
  }
}

/** A device on `dataDir` with one commit; returns it and a snapshot of the database. */
async function deviceWithOneCommit(dataDir: string): Promise<{ device: TestDevice; before: Awaited<ReturnType<typeof onDisk>> }> {
  const first = await openTestDevice({ dataDir });
  const s = first.engine.openSession({ user: 'alice', source: 'test', address: 'local' });
  await first.engine.editConfig(s, { system: { hostname: 'before' } });
  await first.engine.commit(s, { comment: 'fits' });
  first.close();
  const before = await onDisk(dataDir);
  return { device: await openTestDevice({ dataDir }), before };
}

test('a really full file system (a 2 MiB tmpfs): the commit fails with STORE_IO, the database unchanged', async () => {
  const dir = tempDir();
  const mnt = join(dir.path, 'mnt');
  execFileSync('mkdir', [mnt]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
  try {
    const { device, before } = await deviceWithOneCommit(mnt);
    try {
      const { engine } = device;
      const s = engine.openSession({ user: 'alice', source: 'test', address: 'local' });
      await engine.editConfig(s, rules(20_000));
      const err = await expectStoreIo(engine.commit(s, { comment: 'does not fit' }));
      assert.equal(err.details?.sqlite, 'SQLITE_FULL');
      assert.deepEqual(engine.getConfig('running'), before.running, 'running in memory unchanged');
      assert.equal(engine.store.lastTxid, before.txid);
    } finally {
      device.close();
    }
    const after = await onDisk(mnt);
    assert.deepEqual(after, before, 'the database on disk unchanged');
    assert.equal(after.auditOk, true);
  } finally {
    execFileSync('umount', [mnt]);
    dir.remove();
  }
});

test('a write to a closed descriptor (the WAL\'s, now a read-only file): STORE_IO, the database unchanged', async () => {
  const dir = tempDir();
  try {
    const { device, before } = await deviceWithOneCommit(dir.path);
    const { engine } = device;
    const wal = join(dir.path, 'config.db-wal');
    const fds = readdirSync('/proc/self/fd').map(Number).filter((fd) => {
      try { return readlinkSync(`/proc/self/fd/${fd}`) === wal; } catch { return false; }
    });
    assert.equal(fds.length, 1, `SQLite holds the WAL open once: ${fds.join(',')}`);
    const s = engine.openSession({ user: 'bob', source: 'test', address: 'local' });
    await engine.editConfig(s, { interfaces: { interface: [{ name: 'eth0', mtu: 9000 }] } });
    closeSync(fds[0]!);
    // The lowest free number goes to the next open: the WAL's descriptor is now this read-only file.
    const stolen = openSync('/dev/null', 'r');
    try {
      assert.equal(stolen, fds[0]);
      const err = await expectStoreIo(engine.commit(s));
      assert.match(String(err.details?.sqlite), /^SQLITE_IOERR/);
      assert.deepEqual(engine.getConfig('running'), before.running, 'running in memory unchanged');
      assert.equal(engine.store.lastTxid, before.txid);
    } finally {
      closeSync(stolen);
    }
    // SQLite cannot close what is not its own any more; the database file is what counts.
    try { device.close(); } catch { /* the descriptor it would close is gone */ }
    assert.deepEqual(await onDisk(dir.path), before, 'the database on disk unchanged');
  } finally {
    dir.remove();
  }
});
