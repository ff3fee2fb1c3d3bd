/**
 * History across schema migrations, in process: commits on schema 1, a migration to 2 (the
 * code `appliance migrate` runs on an install), commits on 2, a migration back to 1 (a
 * software rollback). Blame keeps every leaf the transform left alone; compare and rollback
 * reach commits of the other version through the transforms, refusing a rollback that loses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword } from '../../../confd/auth/passwords.js';
import type { JsonObject } from '../../../confd/core/tree.js';
import { dataDir } from '../../../confd/main/app-paths.js';
import { migrateDatabase } from '../../../confd/main/migrate.js';
import type { ConfigEngine } from '../../../confd/txn/engine.js';
import { openTestDevice, quietLogger, tempDir, testSchema, type TestDevice } from '../../helpers/device.js';
import { openSession, rejectsWith } from '../../helpers/engine-fixtures.js';


async function commit(engine: ConfigEngine, tree: JsonObject, comment: string, user = 'admin'): Promise<number> {
  const s = openSession(engine, user);
  try {
    return (await engine.load(s, tree, { merge: true, source: 'test', comment })).header!.txid;
  } finally {
    await engine.closeSession(s);
  }
}

async function migrated(dir: string, from: number, to: number, dev: TestDevice): Promise<TestDevice> {
  dev.close();
  await migrateDatabase({ file: dataDir(dir).database, from, to, log: quietLogger, acceptLosses: true });
  return openTestDevice({ dataDir: dir, schema: testSchema(to) });
}

function system(engine: ConfigEngine): JsonObject {
  return engine.getConfig('running').system as JsonObject;
}

describe('history across schema migrations', () => {
  it('blame, compare and rollback reach commits of the other schema version, both ways', async () => {
    const dir = tempDir().path;
    let dev = await openTestDevice({ dataDir: dir });
    const admin = await commit(dev.engine,
      { system: { users: { user: [{ name: 'admin', role: 'admin', 'password-hash': await hashPassword('secret-1') }] } } }, 'the administrator');
    const t1 = await commit(dev.engine, { system: { hostname: 'alpha', timezone: 'Europe/Zurich' } }, 'named alpha', 'alice');
    const t2 = await commit(dev.engine, { system: { ntp: { server: ['192.0.2.2', '192.0.2.1'] } } }, 'time servers', 'bob');
    const t3 = await commit(dev.engine, { system: { hostname: 'beta' } }, 'renamed beta', 'carol');
    assert.ok(admin < t1 && t1 < t2 && t2 < t3);

    dev = await migrated(dir, 1, 2, dev);
    try {
      const e = dev.engine;
      const up = e.store.lastTxid;
      // Blame: leaves the transform left alone keep their commit; what it made is its own.
      const host = e.blame('/system/hostname');
      assert.deepEqual([host.txid, host.user, host.comment], [t3, 'carol', 'renamed beta']);
      assert.equal(e.blame("/system/users/user[name='admin']/role").txid, admin);
      assert.equal(e.blame('/system/time-zone').txid, up, 'the renamed leaf is the migration\'s');

      // compare: an older commit carried to today's schema, against running.
      const changes = e.compare(t1, 'running');
      assert.deepEqual(changes.find((c) => c.path === '/system/hostname'), { path: '/system/hostname', op: 'modify', old: 'alpha', new: 'beta' });
      assert.ok(changes.some((c) => c.path === "/system/ntp/server[address='192.0.2.1']" && c.op === 'create'), JSON.stringify(changes));
      assert.ok(!changes.some((c) => c.path.includes('time-zone')), 'the time zone is the same, only renamed');
      assert.deepEqual(e.compare(t3, 'running'), [], 'the last commit before the upgrade is what the upgrade carried');
      assert.deepEqual(e.compare(t2, t3), [{ path: '/system/hostname', op: 'modify', old: 'alpha', new: 'beta' }]);

      // A commit on version 2 that version 1 cannot hold, then rollback to a commit of version 1.
      const pref = await commit(e, { system: { ntp: { server: [{ address: '192.0.2.2', prefer: true }] } } }, 'prefer .2');
      const s = openSession(e);
      const back = await e.rollback(s, t1);
      await e.closeSession(s);
      assert.equal(system(e).hostname, 'alpha');
      assert.equal(system(e)['time-zone'], 'Europe/Zurich');
      assert.equal((system(e).ntp as JsonObject | undefined)?.server, undefined, 'no time servers at t1');
      assert.equal(e.blame('/system/hostname').txid, back.header!.txid);
      const s2 = openSession(e);
      await e.rollback(s2, pref);
      await e.closeSession(s2);
      assert.deepEqual((system(e).ntp as JsonObject).server, [{ address: '192.0.2.1', prefer: false }, { address: '192.0.2.2', prefer: true }]);
    } catch (err) {
      dev.close();
      throw err;
    }

    // Back to version 1 (a software rollback): a commit of version 2 that v1 cannot hold is refused, with the loss.
    const prefTxid = dev.engine.store.lastTxid;
    dev = await migrated(dir, 2, 1, dev);
    try {
      const e = dev.engine;
      // Order is data: v2 keeps its servers in key order, the way back restores the order v1 had.
      assert.deepEqual((system(e).ntp as JsonObject).server, ['192.0.2.2', '192.0.2.1']);
      const s = openSession(e);
      const refused = await rejectsWith(e.rollback(s, prefTxid), 'TXN_ROLLBACK_LOSSES');
      assert.match(refused.message, /server\[address='192\.0\.2\.2'\]\/prefer/);
      assert.deepEqual((refused.details?.losses as Array<{ path: string }>).map((l) => l.path), ["/system/ntp/server[address='192.0.2.2']/prefer"]);
      // Slot a's own history: a commit of version 1 before the upgrade, with no transform at all.
      await e.rollback(s, t2);
      await e.closeSession(s);
      assert.equal(system(e).hostname, 'alpha');
      assert.deepEqual((system(e).ntp as JsonObject).server, ['192.0.2.2', '192.0.2.1']);
      assert.equal(e.blame("/system/users/user[name='admin']/role").txid, admin, 'blame survives two migrations');
      // compare shows a commit of version 2 in version 1's terms (its preference cannot be said: no change).
      assert.deepEqual(e.compare(prefTxid, 'running'), [{ path: '/system/hostname', op: 'modify', old: 'beta', new: 'alpha' }]);
    } finally {
      dev.close();
    }
  });
});

describe('order of leaf-lists through a v1 → v2 → v1 round trip', () => {
  it('keeps the NTP server order and an order changed on v2 of a leaf-list both versions hold', async () => {
    const dir = tempDir().path;
    let dev = await openTestDevice({ dataDir: dir });
    await commit(dev.engine, {
      system: { ntp: { server: ['time.example.net', '0.pool.ntp.org', '192.0.2.9'] }, dns: { server: ['192.0.2.53', '192.0.2.54'] } },
    }, 'servers');
    dev = await migrated(dir, 1, 2, dev);
    try {
      // On v2: a server added, and the resolvers reordered by the operator.
      await commit(dev.engine, { system: { ntp: { server: [{ address: '10.0.0.1' }] } } }, 'one more');
      const tree = dev.engine.getConfig('running');
      ((tree.system as JsonObject).dns as JsonObject).server = ['192.0.2.54', '192.0.2.53'];
      const s = openSession(dev.engine);
      await dev.engine.load(s, tree, { merge: false, source: 'test' });
      await dev.engine.closeSession(s);
      assert.deepEqual((system(dev.engine).dns as JsonObject).server, ['192.0.2.54', '192.0.2.53']);
    } catch (err) {
      dev.close();
      throw err;
    }
    dev = await migrated(dir, 2, 1, dev);
    try {
      const sys = system(dev.engine);
      assert.deepEqual((sys.ntp as JsonObject).server, ['time.example.net', '0.pool.ntp.org', '192.0.2.9', '10.0.0.1']);
      assert.deepEqual((sys.dns as JsonObject).server, ['192.0.2.54', '192.0.2.53'], 'the order set on v2 stands');
    } finally {
      dev.close();
    }
  });
});
