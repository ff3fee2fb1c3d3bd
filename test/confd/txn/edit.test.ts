/**
 * RFC 6241 §7.2 edit semantics, through ConfigEngine.editConfig on the protocol-neutral edit
 * format (confd/core/edit), read back with getConfig and made durable with commit.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConfdError } from '../../../confd/core/errors.js';
import type { JsonObject } from '../../../confd/core/tree.js';
import type { ConfigEngine } from '../../../confd/txn/engine.js';
import { editAt } from '../../../confd/txn/edit.js';
import type { Session } from '../../../confd/txn/session.js';
import type { TestDevice } from '../../helpers/device.js';
import { openTestDevice } from '../../helpers/device.js';
import {
  ifPath, interfaces, issuesOf, openSession, rejectsWith, routePath, rulePath, snapshot, sortIssues,
} from '../../helpers/engine-fixtures.js';

/** The configuration of a new device: every default, empty containers left out. */
const FACTORY: JsonObject = {
  system: { hostname: 'appliance', timezone: 'UTC', ntp: { enabled: true } },
  firewall: { 'default-action': 'accept' },
};

let device: TestDevice;
let engine: ConfigEngine;
let s: Session;

beforeEach(async () => {
  device = await openTestDevice();
  engine = device.engine;
  s = openSession(engine);
});

afterEach(() => {
  device.close();
});

/** The interface entries of the candidate (or running). */
function ifaces(ds: 'candidate' | 'running' = 'candidate'): JsonObject[] {
  const cfg = engine.getConfig(ds);
  const list = (cfg.interfaces as JsonObject | undefined)?.interface;
  return (list ?? []) as JsonObject[];
}

function iface(name: string, ds: 'candidate' | 'running' = 'candidate'): JsonObject | undefined {
  return ifaces(ds).find((e) => e.name === name);
}

function system(ds: 'candidate' | 'running' = 'candidate'): JsonObject {
  return engine.getConfig(ds).system as JsonObject;
}

function ntpServers(ds: 'candidate' | 'running' = 'candidate'): unknown {
  return ((system(ds).ntp as JsonObject).server);
}

function users(ds: 'candidate' | 'running' = 'candidate'): JsonObject[] {
  return ((system(ds).users as JsonObject | undefined)?.user ?? []) as JsonObject[];
}

describe('defaults and reading back', () => {
  it('a new device holds only the factory defaults', () => {
    assert.deepEqual(engine.getConfig('running'), FACTORY);
    assert.deepEqual(engine.getConfig('candidate'), FACTORY);
  });

  it('fills defaults into new entries (interface enabled true, mtu 1500; rule protocol any)', async () => {
    await engine.editConfig(s, {
      ...interfaces({ name: 'eth0' }),
      firewall: { rule: [{ sequence: 5, action: 'drop' }] },
    });
    assert.deepEqual(iface('eth0'), { name: 'eth0', enabled: true, mtu: 1500 });
    const rules = (engine.getConfig('candidate').firewall as JsonObject).rule;
    assert.deepEqual(rules, [{ sequence: 5, action: 'drop', protocol: 'any', enabled: true }]);
    await engine.commit(s);
    assert.deepEqual(iface('eth0', 'running'), { name: 'eth0', enabled: true, mtu: 1500 });
  });

  it('returns firewall rules ordered by numeric sequence, across running and the candidate', async () => {
    await engine.editConfig(s, { firewall: { rule: [{ sequence: 100, action: 'drop' }, { sequence: 2, action: 'accept' }] } });
    await engine.commit(s);
    await engine.editConfig(s, { firewall: { rule: [{ sequence: 10, action: 'reject' }, { sequence: 1000, action: 'drop' }] } });
    const order = (ds: 'candidate' | 'running') =>
      ((engine.getConfig(ds).firewall as JsonObject).rule as JsonObject[]).map((r) => r.sequence);
    assert.deepEqual(order('running'), [2, 100]);
    assert.deepEqual(order('candidate'), [2, 10, 100, 1000]);
    await engine.commit(s);
    assert.deepEqual(order('running'), [2, 10, 100, 1000]);
  });
});

describe('merge', () => {
  it('creates missing entries and updates existing leaves, leaving the others', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000, description: 'uplink' }));
    assert.deepEqual(iface('eth0'), { name: 'eth0', enabled: true, mtu: 9000, description: 'uplink' });
    await engine.editConfig(s, interfaces({ name: 'eth0', description: 'core uplink' }, { name: 'eth1' }));
    assert.deepEqual(iface('eth0'), { name: 'eth0', enabled: true, mtu: 9000, description: 'core uplink' });
    assert.deepEqual(iface('eth1'), { name: 'eth1', enabled: true, mtu: 1500 });
    await engine.editConfig(s, { system: { hostname: 'edge1' } });
    assert.equal(system().hostname, 'edge1');
    assert.equal(system().timezone, 'UTC');
    const out = await engine.commit(s);
    assert.ok(out.header);
    assert.deepEqual(engine.getConfig('running'), engine.getConfig('candidate'));
    assert.deepEqual(iface('eth0', 'running'), { name: 'eth0', enabled: true, mtu: 9000, description: 'core uplink' });
  });

  it('an explicit merge operation on an entry and on a leaf works like the default', async () => {
    await engine.editConfig(s, interfaces({ '@op': 'merge', name: 'eth0', mtu: { '@op': 'merge', '@value': 1400 } }));
    assert.deepEqual(iface('eth0'), { name: 'eth0', enabled: true, mtu: 1400 });
  });
});

describe('replace', () => {
  it('of a list entry drops the leaves not given and resets defaults', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000, enabled: false, description: 'old', address: ['10.0.0.1/24'] }));
    await engine.commit(s);
    await engine.editConfig(s, interfaces({ '@op': 'replace', name: 'eth0', description: 'new' }));
    assert.deepEqual(iface('eth0'), { name: 'eth0', description: 'new', enabled: true, mtu: 1500 });
    await engine.commit(s);
    assert.deepEqual(iface('eth0', 'running'), { name: 'eth0', description: 'new', enabled: true, mtu: 1500 });
  });

  it('of a list entry drops its nested list entries not given', async () => {
    await engine.editConfig(s, { system: { users: { user: [
      { name: 'alice', role: 'operator', 'full-name': 'Alice', 'ssh-key': [
        { name: 'k1', key: 'ssh-ed25519 AAAA1 alice@a' }, { name: 'k2', key: 'ssh-ed25519 AAAA2 alice@b' },
      ] },
    ] } } });
    await engine.commit(s);
    await engine.editConfig(s, { system: { users: { user: [
      { '@op': 'replace', name: 'alice', role: 'operator', 'ssh-key': [{ name: 'k2', key: 'ssh-ed25519 AAAA9 alice@c' }] },
    ] } } });
    assert.deepEqual(users(), [
      { name: 'alice', role: 'operator', 'ssh-key': [{ name: 'k2', key: 'ssh-ed25519 AAAA9 alice@c' }] },
    ]);
    assert.equal(engine.candidate.get("/system/users/user[name='alice']/ssh-key[name='k1']"), undefined);
  });

  it('of a container empties it, resets its defaults and keeps only what is given', async () => {
    await engine.editConfig(s, { system: { ntp: { enabled: false, server: ['ntp1.example.net', 'ntp2.example.net'] } } });
    await engine.commit(s);
    await engine.editConfig(s, { system: { ntp: { '@op': 'replace', server: ['ntp9.example.net'] } } });
    assert.deepEqual(system().ntp, { enabled: true, server: ['ntp9.example.net'] });
    // Siblings of the replaced container are untouched.
    assert.equal(system().hostname, 'appliance');
  });

  it('of a container holding a list replaces the list entries too', async () => {
    await engine.editConfig(s, { system: { users: { user: [
      { name: 'alice', role: 'operator', 'ssh-key': [{ name: 'k1', key: 'ssh-ed25519 AAAA1' }] },
      { name: 'bob', role: 'viewer' },
    ] } } });
    await engine.commit(s);
    await engine.editConfig(s, { system: { users: { '@op': 'replace', user: [{ name: 'carol', role: 'operator' }] } } });
    assert.deepEqual(users(), [{ name: 'carol', role: 'operator' }]);
    assert.equal(engine.candidate.get("/system/users/user[name='alice']/ssh-key[name='k1']"), undefined);
    await engine.commit(s);
    assert.deepEqual(users('running'), [{ name: 'carol', role: 'operator' }]);
  });

  it('defaultOperation replace replaces the whole configuration', async () => {
    await engine.editConfig(s, {
      system: { hostname: 'edge1', ntp: { server: ['ntp1.example.net'] } },
      ...interfaces({ name: 'eth0', mtu: 9000 }, { name: 'eth1' }),
      firewall: { 'default-action': 'drop', rule: [{ sequence: 1, action: 'accept' }] },
    });
    await engine.commit(s);
    await engine.editConfig(s, interfaces({ name: 'eth2', description: 'only' }), { defaultOperation: 'replace' });
    assert.deepEqual(engine.getConfig('candidate'), {
      ...FACTORY,
      interfaces: { interface: [{ name: 'eth2', description: 'only', enabled: true, mtu: 1500 }] },
    });
    await engine.commit(s);
    assert.deepEqual(engine.getConfig('running'), {
      ...FACTORY,
      interfaces: { interface: [{ name: 'eth2', description: 'only', enabled: true, mtu: 1500 }] },
    });
  });
});

describe('create', () => {
  it('of an existing entry fails with TXN_DATA_EXISTS naming the entry', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    await engine.commit(s);
    await rejectsWith(engine.editConfig(s, interfaces({ '@op': 'create', name: 'eth0', mtu: 9000 })),
      'TXN_DATA_EXISTS', ifPath('eth0'));
    // The same holds for an entry that exists only in the candidate.
    await engine.editConfig(s, interfaces({ name: 'eth1' }));
    await rejectsWith(engine.editConfig(s, interfaces({ '@op': 'create', name: 'eth1' })), 'TXN_DATA_EXISTS', ifPath('eth1'));
    assert.equal(iface('eth0')?.mtu, 1500);
  });

  it('of a new entry succeeds', async () => {
    await engine.editConfig(s, interfaces({ '@op': 'create', name: 'eth3', mtu: 1400 }));
    assert.deepEqual(iface('eth3'), { name: 'eth3', enabled: true, mtu: 1400 });
  });

  it('of a leaf that only holds its default succeeds; of a set leaf fails with TXN_DATA_EXISTS', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    await engine.commit(s);
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: { '@op': 'create', '@value': 9000 } }));
    assert.equal(iface('eth0')?.mtu, 9000);
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', mtu: { '@op': 'create', '@value': 1400 } })),
      'TXN_DATA_EXISTS', ifPath('eth0', 'mtu'));
    // A root leaf at its default (hostname 'appliance') can be created too.
    await engine.editConfig(s, { system: { hostname: { '@op': 'create', '@value': 'edge1' } } });
    assert.equal(system().hostname, 'edge1');
    assert.equal(iface('eth0')?.mtu, 9000);
  });
});

describe('delete and remove', () => {
  it('delete of a missing entry fails with TXN_DATA_MISSING naming the entry', async () => {
    await rejectsWith(engine.editConfig(s, interfaces({ '@op': 'delete', name: 'eth9' })), 'TXN_DATA_MISSING', ifPath('eth9'));
  });

  it('delete of an existing entry removes it', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }, { name: 'eth1' }));
    await engine.commit(s);
    await engine.editConfig(s, interfaces({ '@op': 'delete', name: 'eth0' }));
    assert.deepEqual(ifaces().map((e) => e.name), ['eth1']);
    await engine.commit(s);
    assert.deepEqual(ifaces('running').map((e) => e.name), ['eth1']);
  });

  it('delete of a leaf at its default fails with TXN_DATA_MISSING; of a set leaf restores the default', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    await engine.commit(s);
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', mtu: { '@op': 'delete' } })),
      'TXN_DATA_MISSING', ifPath('eth0', 'mtu'));
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', description: { '@op': 'delete' } })),
      'TXN_DATA_MISSING', ifPath('eth0', 'description'));
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000, description: 'x' }));
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: { '@op': 'delete' }, description: { '@op': 'delete' } }));
    assert.deepEqual(iface('eth0'), { name: 'eth0', enabled: true, mtu: 1500 });
  });

  it('remove of missing data is not an error and changes nothing', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    await engine.commit(s);
    const before = snapshot(engine);
    await engine.editConfig(s, {
      ...interfaces({ '@op': 'remove', name: 'eth9' }, { name: 'eth0', description: { '@op': 'remove' } }),
      system: { domain: { '@op': 'remove' }, ntp: { server: [{ '@op': 'remove', '@value': 'ntp1.example.net' }] } },
    });
    assert.deepEqual(engine.getConfig('candidate'), before);
    assert.equal(engine.candidate.dirty, false);
  });

  it('remove of an existing entry removes it', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }, { name: 'eth1' }));
    await engine.editConfig(s, interfaces({ '@op': 'remove', name: 'eth1' }));
    assert.deepEqual(ifaces().map((e) => e.name), ['eth0']);
  });

  it('deleting an entry deletes its nested list entries (a user\'s ssh keys)', async () => {
    await engine.editConfig(s, { system: { users: { user: [
      { name: 'alice', role: 'operator', 'ssh-key': [{ name: 'k1', key: 'ssh-ed25519 AAAA1' }, { name: 'k2', key: 'ssh-rsa AAAA2' }] },
      { name: 'bob', role: 'viewer', 'ssh-key': [{ name: 'k1', key: 'ssh-ed25519 BBBB1' }] },
    ] } } });
    await engine.commit(s);
    await engine.editConfig(s, { system: { users: { user: [{ '@op': 'delete', name: 'alice' }] } } });
    assert.equal(engine.candidate.get("/system/users/user[name='alice']/ssh-key[name='k1']"), undefined);
    assert.equal(engine.candidate.get("/system/users/user[name='alice']/ssh-key[name='k2']"), undefined);
    await engine.commit(s);
    assert.equal(engine.running.get("/system/users/user[name='alice']"), undefined);
    assert.equal(engine.running.get("/system/users/user[name='alice']/ssh-key[name='k1']"), undefined);
    // bob's key of the same name is untouched.
    assert.ok(engine.running.get("/system/users/user[name='bob']/ssh-key[name='k1']"));
    // A recreated alice starts with no keys: none were left behind.
    await engine.editConfig(s, { system: { users: { user: [{ name: 'alice', role: 'viewer' }] } } });
    await engine.commit(s);
    assert.deepEqual(users('running'), [
      { name: 'alice', role: 'viewer' },
      { name: 'bob', role: 'viewer', 'ssh-key': [{ name: 'k1', key: 'ssh-ed25519 BBBB1' }] },
    ]);
  });

  it('a whole list given as {"@op": "delete"} deletes every entry; with no entries, TXN_DATA_MISSING', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }, { name: 'eth1' }));
    await engine.commit(s);
    await engine.editConfig(s, { interfaces: { interface: { '@op': 'delete' } } });
    assert.deepEqual(ifaces(), []);
    await rejectsWith(engine.editConfig(s, { interfaces: { interface: { '@op': 'delete' } } }),
      'TXN_DATA_MISSING', '/interfaces/interface');
  });
});

describe('lists as a whole and entries recreated in one candidate', () => {
  it('a whole list given as {"@op": "replace", "@value": [...]} keeps only the given entries', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000 }, { name: 'eth1' }));
    await engine.commit(s);
    await engine.editConfig(s, { interfaces: { interface: { '@op': 'replace', '@value': [{ name: 'eth1', description: 'kept' }, { name: 'eth5' }] } } });
    assert.deepEqual(ifaces(), [
      { name: 'eth1', description: 'kept', enabled: true, mtu: 1500 },
      { name: 'eth5', enabled: true, mtu: 1500 },
    ]);
  });

  it('an entry deleted and then merged again in the same candidate starts fresh, with defaults', async () => {
    await engine.editConfig(s, { ...interfaces({ name: 'eth0', mtu: 9000, description: 'old' }), system: { users: { user: [
      { name: 'alice', role: 'operator', 'ssh-key': [{ name: 'k1', key: 'ssh-ed25519 AAAA1' }] },
    ] } } });
    await engine.commit(s);
    await engine.editConfig(s, { ...interfaces({ '@op': 'delete', name: 'eth0' }), system: { users: { user: [{ '@op': 'delete', name: 'alice' }] } } });
    await engine.editConfig(s, { ...interfaces({ name: 'eth0', description: 'new' }), system: { users: { user: [{ name: 'alice', role: 'viewer' }] } } });
    assert.deepEqual(iface('eth0'), { name: 'eth0', description: 'new', enabled: true, mtu: 1500 });
    assert.deepEqual(users(), [{ name: 'alice', role: 'viewer' }]);
    await engine.commit(s);
    assert.deepEqual(iface('eth0', 'running'), { name: 'eth0', description: 'new', enabled: true, mtu: 1500 });
    assert.deepEqual(users('running'), [{ name: 'alice', role: 'viewer' }]);
    assert.equal(engine.running.get("/system/users/user[name='alice']/ssh-key[name='k1']"), undefined);
  });
});

describe('defaultOperation none', () => {
  it('changes only what carries an operation, including a nested create', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    await engine.commit(s);
    await engine.editConfig(s, {
      system: { hostname: 'ignored' },
      ...interfaces({ name: 'eth0', mtu: 9000, description: { '@op': 'create', '@value': 'set by create' } }),
    }, { defaultOperation: 'none' });
    assert.deepEqual(iface('eth0'), { name: 'eth0', enabled: true, mtu: 1500, description: 'set by create' });
    assert.equal(system().hostname, 'appliance');
    await engine.editConfig(s, interfaces({ '@op': 'create', name: 'eth1', mtu: 1400 }), { defaultOperation: 'none' });
    assert.deepEqual(iface('eth1'), { name: 'eth1', enabled: true, mtu: 1400 });
  });

  it('on a missing entry fails with TXN_DATA_MISSING naming the entry', async () => {
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth9', description: { '@op': 'create', '@value': 'x' } }),
      { defaultOperation: 'none' }), 'TXN_DATA_MISSING', ifPath('eth9'));
    assert.equal(engine.candidate.dirty, false);
  });

  it('a whole leaf-list replace sets exactly the given values', async () => {
    await engine.editConfig(s, { system: { ntp: { server: ['ntp1.example.net', 'ntp2.example.net'] } } });
    await engine.editConfig(s, { system: { ntp: { server: { '@op': 'replace', '@value': ['ntp8.example.net', 'ntp9.example.net'] } } } },
      { defaultOperation: 'none' });
    assert.deepEqual(ntpServers(), ['ntp8.example.net', 'ntp9.example.net']);
  });
});

describe('leaf-lists', () => {
  it('merge adds missing items, keeping the order of first appearance', async () => {
    await engine.editConfig(s, { system: { ntp: { server: ['a.example.net', 'b.example.net'] } } });
    await engine.editConfig(s, { system: { ntp: { server: ['b.example.net', 'c.example.net'] } } });
    assert.deepEqual(ntpServers(), ['a.example.net', 'b.example.net', 'c.example.net']);
  });

  it('create of an item: new succeeds, present fails with TXN_DATA_EXISTS', async () => {
    await engine.editConfig(s, { system: { ntp: { server: ['a.example.net'] } } });
    await engine.editConfig(s, { system: { ntp: { server: [{ '@op': 'create', '@value': 'd.example.net' }] } } });
    assert.deepEqual(ntpServers(), ['a.example.net', 'd.example.net']);
    await rejectsWith(engine.editConfig(s, { system: { ntp: { server: [{ '@op': 'create', '@value': 'a.example.net' }] } } }),
      'TXN_DATA_EXISTS', '/system/ntp/server');
    assert.deepEqual(ntpServers(), ['a.example.net', 'd.example.net']);
  });

  it('delete of an item: present removes it, missing fails with TXN_DATA_MISSING', async () => {
    await engine.editConfig(s, { system: { ntp: { server: ['a.example.net', 'b.example.net', 'c.example.net'] } } });
    await engine.editConfig(s, { system: { ntp: { server: [{ '@op': 'delete', '@value': 'b.example.net' }] } } });
    assert.deepEqual(ntpServers(), ['a.example.net', 'c.example.net']);
    await rejectsWith(engine.editConfig(s, { system: { ntp: { server: [{ '@op': 'delete', '@value': 'zz.example.net' }] } } }),
      'TXN_DATA_MISSING', '/system/ntp/server');
  });

  it('remove of an item: present removes it, missing is no error', async () => {
    await engine.editConfig(s, { system: { ntp: { server: ['a.example.net', 'b.example.net'] } } });
    await engine.editConfig(s, { system: { ntp: { server: [
      { '@op': 'remove', '@value': 'a.example.net' }, { '@op': 'remove', '@value': 'zz.example.net' },
    ] } } });
    assert.deepEqual(ntpServers(), ['b.example.net']);
  });

  it('whole leaf-list replace sets exactly the given values; whole delete empties it', async () => {
    await engine.editConfig(s, { system: { dns: { server: ['192.0.2.1', '192.0.2.2'] } } });
    await engine.commit(s);
    await engine.editConfig(s, { system: { dns: { server: { '@op': 'replace', '@value': ['198.51.100.7'] } } } });
    assert.deepEqual((system().dns as JsonObject).server, ['198.51.100.7']);
    await engine.editConfig(s, { system: { dns: { server: { '@op': 'delete' } } } });
    assert.equal(system().dns, undefined);
    await rejectsWith(engine.editConfig(s, { system: { dns: { server: { '@op': 'delete' } } } }),
      'TXN_DATA_MISSING', '/system/dns/server');
    await engine.commit(s);
    assert.equal(system('running').dns, undefined);
  });
});

describe('keys', () => {
  it('a key leaf given with operation delete is refused with TXN_BAD_OPERATION', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    await engine.commit(s);
    const e = await rejectsWith(engine.editConfig(s, interfaces({ name: { '@op': 'delete', '@value': 'eth0' } })),
      'TXN_BAD_OPERATION');
    assert.equal(e.path, ifPath('eth0', 'name'));
    assert.deepEqual(iface('eth0'), { name: 'eth0', enabled: true, mtu: 1500 });
  });

  it('setting a key leaf to another value (an edit at the key\'s path) is refused with TXN_BAD_OPERATION', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0', description: 'uplink' }));
    await engine.commit(s);
    // Refused when the edit is built (the CLI's `set`) or when it is applied: either way, nothing changes.
    await rejectsWith((async () => engine.editConfig(s, editAt(engine.schema, ifPath('eth0', 'name'), 'eth1')))(),
      'TXN_BAD_OPERATION', ifPath('eth0', 'name'));
    assert.deepEqual(ifaces().map((e) => e.name), ['eth0']);
  });
});

describe('schema errors', () => {
  it('unknown elements fail with SCHEMA_UNKNOWN_ELEMENT and their exact path', async () => {
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', speed: 1000 })), 'SCHEMA_UNKNOWN_ELEMENT', ifPath('eth0', 'speed'));
    await rejectsWith(engine.editConfig(s, { system: { ntp: { peer: 'x' } } }), 'SCHEMA_UNKNOWN_ELEMENT', '/system/ntp/peer');
    await rejectsWith(engine.editConfig(s, { vlans: {} }), 'SCHEMA_UNKNOWN_ELEMENT', '/vlans');
    assert.equal(engine.candidate.dirty, false);
  });

  it('read-only state fails with SCHEMA_NOT_CONFIG', async () => {
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', state: { 'oper-status': 'up' } })),
      'SCHEMA_NOT_CONFIG', ifPath('eth0', 'state'));
    assert.equal(engine.candidate.dirty, false);
  });

  it('bad values fail with SCHEMA_INVALID_VALUE at the leaf', async () => {
    const mtu = ifPath('eth0', 'mtu');
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', mtu: 70000 })), 'SCHEMA_INVALID_VALUE', mtu);
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', mtu: 67 })), 'SCHEMA_INVALID_VALUE', mtu);
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', mtu: 'abc' })), 'SCHEMA_INVALID_VALUE', mtu);
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', mtu: '1500' })), 'SCHEMA_INVALID_VALUE', mtu);
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', address: ['10.0.0.1/33'] })),
      'SCHEMA_INVALID_VALUE', ifPath('eth0', 'address'));
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth0', address: ['10.0.0.256/24'] })),
      'SCHEMA_INVALID_VALUE', ifPath('eth0', 'address'));
    await rejectsWith(engine.editConfig(s, { firewall: { 'default-action': 'maybe' } }), 'SCHEMA_INVALID_VALUE', '/firewall/default-action');
    await rejectsWith(engine.editConfig(s, { firewall: { rule: [{ sequence: 10, action: 'bounce' }] } }),
      'SCHEMA_INVALID_VALUE', rulePath(10, 'action'));
    assert.equal(engine.candidate.dirty, false);
  });
});

describe('a failed edit changes nothing', () => {
  const mixed: JsonObject = {
    system: { hostname: 'edge2' },
    ...interfaces({ name: 'eth0', mtu: 70000 }, { name: 'eth1', speed: 10 }, { name: 'eth2', description: 'new' }),
    firewall: { 'default-action': 'maybe' },
    bogus: 1,
  };
  const all = sortIssues([
    { code: 'SCHEMA_INVALID_VALUE', path: ifPath('eth0', 'mtu') },
    { code: 'SCHEMA_UNKNOWN_ELEMENT', path: ifPath('eth1', 'speed') },
    { code: 'SCHEMA_INVALID_VALUE', path: '/firewall/default-action' },
    { code: 'SCHEMA_UNKNOWN_ELEMENT', path: '/bogus' },
  ]);

  async function prepared(): Promise<JsonObject> {
    await engine.editConfig(s, interfaces({ name: 'eth0', description: 'committed' }));
    await engine.commit(s);
    await engine.editConfig(s, { ...interfaces({ name: 'eth0', mtu: 9000 }), system: { ntp: { server: ['a.example.net'] } } });
    return snapshot(engine);
  }

  it('with rollback-on-error: every error is reported and the candidate is exactly as before', async () => {
    const before = await prepared();
    const e = await rejectsWith(engine.editConfig(s, mixed, { errorOption: 'rollback-on-error' }), 'TXN_VALIDATION_FAILED');
    assert.deepEqual(issuesOf(e), all);
    assert.deepEqual(engine.getConfig('candidate'), before);
  });

  it('with stop-on-error: only the first error is reported and the candidate is exactly as before', async () => {
    const before = await prepared();
    let error: unknown;
    try {
      await engine.editConfig(s, mixed, { errorOption: 'stop-on-error' });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfdError, 'the edit fails');
    assert.notEqual(error.code, 'TXN_VALIDATION_FAILED');
    assert.equal(error.flatten().length, 1);
    assert.ok(all.some((i) => i.code === error.code && i.path === error.path), `${error.code} ${error.path} is one of the edit's errors`);
    assert.deepEqual(engine.getConfig('candidate'), before);
  });

  it('with stop-on-error, the edit stops at its first error, but every bad value of the applied edit is reported', async () => {
    const before = await prepared();
    await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth1', colour: 'red' }, { name: 'eth0', speed: 10 }),
      { errorOption: 'stop-on-error' }), 'SCHEMA_UNKNOWN_ELEMENT', ifPath('eth1', 'colour'));
    const e = await rejectsWith(engine.editConfig(s, interfaces({ name: 'eth1', mtu: 1 }, { name: 'eth0', mtu: 'big' }),
      { errorOption: 'stop-on-error' }), 'TXN_VALIDATION_FAILED');
    assert.deepEqual(issuesOf(e), sortIssues([
      { code: 'SCHEMA_INVALID_VALUE', path: ifPath('eth0', 'mtu') }, { code: 'SCHEMA_INVALID_VALUE', path: ifPath('eth1', 'mtu') },
    ]));
    assert.deepEqual(engine.getConfig('candidate'), before);
  });
});

describe('test-only', () => {
  it('validates fully (a missing reference is TXN_REF_MISSING) without changing the candidate', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    const before = snapshot(engine);
    await rejectsWith(engine.editConfig(s, { routing: { static: { route: [{ prefix: '10.0.0.0/8', interface: 'eth9' }] } } },
      { testOnly: true }), 'TXN_REF_MISSING', routePath('10.0.0.0/8', 'interface'));
    await rejectsWith(engine.editConfig(s, { routing: { static: { route: [{ prefix: '10.0.0.0/8' }] } } },
      { testOnly: true }), 'SCHEMA_MISSING_ELEMENT', routePath('10.0.0.0/8', 'interface'));
    assert.deepEqual(engine.getConfig('candidate'), before);
  });

  it('a valid test-only edit succeeds and leaves the candidate as it was', async () => {
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    const before = snapshot(engine);
    // The route refers to eth0, which exists only in the candidate: test-only sees it.
    await engine.editConfig(s, { routing: { static: { route: [{ prefix: '10.0.0.0/8', interface: 'eth0' }] } } }, { testOnly: true });
    assert.deepEqual(engine.getConfig('candidate'), before);
  });
});
