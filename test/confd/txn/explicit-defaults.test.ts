/**
 * RFC 6243 explicit: the engine records which leaves a client set to their default value,
 * through edits, commits, a reopen of the data directory, rollback, copies to the candidate
 * and startup, and create/delete semantics; a default the schema filled in is not a value.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { JsonObject } from '../../../confd/core/tree.js';
import type { ConfigEngine } from '../../../confd/txn/engine.js';
import type { Session } from '../../../confd/txn/session.js';
import { openTestDevice, tempDir, type TestDevice } from '../../helpers/device.js';
import { commitEdit, ifPath, interfaces, openSession, rejectsWith } from '../../helpers/engine-fixtures.js';

let device: TestDevice;
let engine: ConfigEngine;
let s: Session;

beforeEach(async () => {
  device = await openTestDevice();
  engine = device.engine;
  s = openSession(engine, 'alice', 'netconf');
});

afterEach(() => {
  device.close();
});

/** The interface entries of `ds` as a client set them. */
function explicitInterfaces(e: ConfigEngine, ds: 'running' | 'candidate' | 'startup' = 'running'): JsonObject[] {
  const tree = e.getConfig(ds, 'explicit') as { interfaces?: { interface?: JsonObject[] } };
  return tree.interfaces?.interface ?? [];
}

describe('explicit defaults', () => {
  it('a default the schema filled in is left out; a value set to its default is kept', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0', mtu: 1500 }, { name: 'eth1', mtu: 9000 }, { name: 'eth2' }));
    assert.deepEqual(explicitInterfaces(engine), [{ name: 'eth0', mtu: 1500 }, { name: 'eth1', mtu: 9000 }, { name: 'eth2' }]);
    // report-all and trim are unchanged: every default is there, or none equal to its default.
    const all = (engine.getConfig('running') as { interfaces: { interface: JsonObject[] } }).interfaces.interface;
    assert.deepEqual(all.map((i) => [i['mtu'], i['enabled']]), [[1500, true], [9000, true], [1500, true]]);
    const trimmed = (engine.getConfig('running', 'trim') as { interfaces: { interface: JsonObject[] } }).interfaces.interface;
    assert.deepEqual(trimmed, [{ name: 'eth0' }, { name: 'eth1', mtu: 9000 }, { name: 'eth2' }]);
  });

  it('setting a leaf to its default is a change that is committed, and changing it again forgets it', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0' }));
    const txid = await commitEdit(engine, s, interfaces({ name: 'eth0', enabled: true }));
    assert.ok(txid > 0);
    assert.deepEqual(explicitInterfaces(engine), [{ name: 'eth0', enabled: true }]);
    await commitEdit(engine, s, interfaces({ name: 'eth0', enabled: false }));
    await commitEdit(engine, s, interfaces({ name: 'eth0', enabled: { '@op': 'delete' } }));
    assert.deepEqual(explicitInterfaces(engine), [{ name: 'eth0' }]);
  });

  it('create on a filled-in default succeeds; on a set default it is data-exists; delete of a filled-in default is data-missing', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0' }));
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: { '@op': 'create', '@value': 1500 } }));
    await engine.commit(s);
    assert.deepEqual(explicitInterfaces(engine), [{ name: 'eth0', mtu: 1500 }]);
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', mtu: { '@op': 'create', '@value': 1500 } })), 'TXN_DATA_EXISTS', ifPath('eth0', 'mtu'));
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', enabled: { '@op': 'delete' } })), 'TXN_DATA_MISSING', ifPath('eth0', 'enabled'));
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: { '@op': 'delete' } }));
    await engine.commit(s);
    assert.deepEqual(explicitInterfaces(engine), [{ name: 'eth0' }]);
  });

  it('replacing an entry forgets what was set in it before', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0', mtu: 1500, enabled: true }));
    await commitEdit(engine, s, interfaces({ '@op': 'replace', name: 'eth0', enabled: true }));
    assert.deepEqual(explicitInterfaces(engine), [{ name: 'eth0', enabled: true }]);
  });

  it('survives a reopen of the data directory, and a rollback restores it', async () => {
    const dir = tempDir();
    try {
      let dev = await openTestDevice({ dataDir: dir.path });
      let se = openSession(dev.engine, 'alice');
      const first = await commitEdit(dev.engine, se, interfaces({ name: 'eth0', mtu: 1500 }));
      await commitEdit(dev.engine, se, interfaces({ name: 'eth0', mtu: 9000 }));
      dev.close();
      dev = await openTestDevice({ dataDir: dir.path });
      se = openSession(dev.engine, 'alice');
      try {
        assert.deepEqual(explicitInterfaces(dev.engine), [{ name: 'eth0', mtu: 9000 }]);
        await dev.engine.rollback(se, first);
        assert.deepEqual(explicitInterfaces(dev.engine), [{ name: 'eth0', mtu: 1500 }]);
      } finally {
        dev.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('copy-config to the candidate and startup carries what was set (explicit), every default (report-all) or none (trim)', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0', mtu: 1500 }, { name: 'eth1' }));
    await engine.copyConfig(s, 'running', 'startup');
    assert.deepEqual(explicitInterfaces(engine, 'startup'), [{ name: 'eth0', mtu: 1500 }, { name: 'eth1' }]);
    await engine.copyConfig(s, 'running', 'candidate', 'report-all');
    assert.deepEqual(explicitInterfaces(engine, 'candidate'), [{ name: 'eth0', enabled: true, mtu: 1500 }, { name: 'eth1', enabled: true, mtu: 1500 }]);
    await engine.copyConfig(s, 'running', 'candidate', 'trim');
    assert.deepEqual(explicitInterfaces(engine, 'candidate'), [{ name: 'eth0' }, { name: 'eth1' }]);
    await engine.copyConfig(s, 'running', 'candidate');
    assert.deepEqual(explicitInterfaces(engine, 'candidate'), [{ name: 'eth0', mtu: 1500 }, { name: 'eth1' }]);
    await engine.copyConfig(s, 'candidate', 'startup', 'report-all');
    assert.deepEqual(explicitInterfaces(engine, 'startup').map((i) => Object.keys(i).length), [3, 3]);
  });

  it('a single-leaf commit writes one stored node, whatever the size of the configuration', async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ name: `eth${i}` }));
    await commitEdit(engine, s, interfaces(...many));
    await commitEdit(engine, s, interfaces({ name: 'eth7', mtu: 1500 }));
    assert.equal(engine.history(1)[0]!.nodes, 1);
    assert.deepEqual(explicitInterfaces(engine).find((i) => i['name'] === 'eth7'), { name: 'eth7', mtu: 1500 });
  });
});
