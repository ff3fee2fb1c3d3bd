/**
 * The commit pipeline of ConfigEngine: all-or-nothing validation, references and uniqueness,
 * history (headers, rollback, compare, blame, compaction), participants, durability across a
 * reopen of the data directory.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConfdError } from '../../../confd/core/errors.js';
import type { LeafChange } from '../../../confd/core/diff.js';
import type { JsonObject } from '../../../confd/core/tree.js';
import type { ConfigEngine } from '../../../confd/txn/engine.js';
import type { CommitEvent, Participant } from '../../../confd/txn/participant.js';
import type { Session } from '../../../confd/txn/session.js';
import { openTestDevice, tempDir, type TestDevice } from '../../helpers/device.js';
import {
  commitEdit, ifPath, interfaces, issuesOf, openSession, rejectsWith, routePath, rulePath, snapshot, sortIssues,
} from '../../helpers/engine-fixtures.js';

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

function route(prefix: string, iface?: string): JsonObject {
  return { routing: { static: { route: [iface === undefined ? { prefix } : { prefix, interface: iface }] } } };
}

function byPath(changes: readonly LeafChange[]): LeafChange[] {
  return [...changes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

describe('all or nothing', () => {
  it('an invalid candidate fails with every issue, and running and the commit log are unchanged', async () => {
    await commitEdit(engine, s, {
      ...interfaces({ name: 'eth0', address: ['10.0.0.1/24'] }),
      firewall: { rule: [{ sequence: 10, name: 'ssh', action: 'accept' }] },
    });
    const running = snapshot(engine, 'running');
    const lastTxid = engine.store.lastTxid;
    const historyBefore = engine.history(10);

    await engine.editConfig(s, {
      ...interfaces({ name: 'eth1', description: 'new and valid' }),
      routing: { static: { route: [
        { prefix: '10.0.0.0/8', interface: 'eth9' }, // missing reference
        { prefix: '10.1.0.0/16' }, // missing mandatory interface
      ] } },
      firewall: { rule: [{ sequence: 20, name: 'ssh', action: 'drop' }] }, // duplicate unique name
    });
    // Nine NTP servers (at most eight): values are checked only at commit with check: false.
    const servers = Array.from({ length: 9 }, (_, i) => `ntp${i}.example.net`);
    await engine.editConfig(s, { system: { ntp: { server: servers } } }, { check: false });

    const e = await rejectsWith(engine.commit(s), 'TXN_VALIDATION_FAILED');
    assert.deepEqual(issuesOf(e), sortIssues([
      { code: 'TXN_REF_MISSING', path: routePath('10.0.0.0/8', 'interface') },
      { code: 'SCHEMA_MISSING_ELEMENT', path: routePath('10.1.0.0/16', 'interface') },
      { code: 'TXN_NOT_UNIQUE', path: rulePath(20, 'name') },
      { code: 'SCHEMA_TOO_MANY_ELEMENTS', path: '/system/ntp/server' },
    ]));
    for (const issue of e.issues) assert.ok(issue instanceof ConfdError);
    assert.deepEqual(engine.getConfig('running'), running);
    assert.equal(engine.store.lastTxid, lastTxid);
    assert.deepEqual(engine.history(10), historyBefore);
    // The candidate keeps its changes, to be fixed and committed again.
    assert.equal(engine.candidate.dirty, true);
    assert.ok(engine.candidate.get(ifPath('eth1')));
  });

  it('validate(candidate) reports the same issues without committing', async () => {
    await engine.editConfig(s, route('10.0.0.0/8', 'eth9'));
    await rejectsWith(engine.validate(s, 'candidate'), 'TXN_REF_MISSING', routePath('10.0.0.0/8', 'interface'));
    assert.equal(engine.store.lastTxid, 0);
  });

  it('a list over its maxItems fails with SCHEMA_TOO_MANY_ELEMENTS', async () => {
    const remotes = Array.from({ length: 9 }, (_, i) => ({ host: `log${i}.example.net` }));
    await engine.editConfig(s, { system: { syslog: { remote: remotes } } });
    const e = await rejectsWith(engine.commit(s), 'SCHEMA_TOO_MANY_ELEMENTS');
    assert.ok(e.path?.startsWith('/system/syslog/remote'), `path ${e.path}`);
    assert.equal(engine.store.lastTxid, 0);
    // Eight is allowed.
    await engine.discardChanges(s);
    await commitEdit(engine, s, { system: { syslog: { remote: remotes.slice(0, 8) } } });
  });
});

describe('references (x-ref)', () => {
  beforeEach(async () => {
    await commitEdit(engine, s, { ...interfaces({ name: 'eth0' }, { name: 'eth1' }), ...route('10.0.0.0/8', 'eth0') });
  });

  it('deleting an interface used by a route fails with TXN_REF_IN_USE on the interface', async () => {
    const running = snapshot(engine, 'running');
    await engine.editConfig(s, interfaces({ '@op': 'delete', name: 'eth0' }));
    const e = await rejectsWith(engine.commit(s), 'TXN_REF_IN_USE', ifPath('eth0'));
    assert.equal(e.details?.referrer, routePath('10.0.0.0/8', 'interface'));
    assert.deepEqual(engine.getConfig('running'), running);
  });

  it('deleting the interface and the route in one commit succeeds', async () => {
    await engine.editConfig(s, {
      ...interfaces({ '@op': 'delete', name: 'eth0' }),
      routing: { static: { route: [{ '@op': 'delete', prefix: '10.0.0.0/8' }] } },
    });
    const out = await engine.commit(s);
    assert.ok(out.header);
    assert.equal(engine.running.get(ifPath('eth0')), undefined);
    assert.equal(engine.running.get(routePath('10.0.0.0/8')), undefined);
  });

  it('moving the route to another interface and deleting the first in one commit succeeds', async () => {
    await engine.editConfig(s, { ...interfaces({ '@op': 'delete', name: 'eth0' }), ...route('10.0.0.0/8', 'eth1') });
    await engine.commit(s);
    assert.equal(((engine.running.get(routePath('10.0.0.0/8'))!.body).interface), 'eth1');
    // Now eth1 is the one in use.
    await engine.editConfig(s, interfaces({ '@op': 'delete', name: 'eth1' }));
    await rejectsWith(engine.commit(s), 'TXN_REF_IN_USE', ifPath('eth1'));
  });

  it('changing a route that still names a deleted interface fails with TXN_REF_MISSING on the route', async () => {
    await engine.editConfig(s, {
      ...interfaces({ '@op': 'delete', name: 'eth0' }),
      routing: { static: { route: [{ prefix: '10.0.0.0/8', metric: 5 }] } },
    });
    await rejectsWith(engine.commit(s), 'TXN_REF_MISSING', routePath('10.0.0.0/8', 'interface'));
    assert.ok(engine.running.get(ifPath('eth0')));
  });

  it('the reference index follows rollbacks', async () => {
    const t = engine.store.lastTxid;
    await commitEdit(engine, s, {
      ...interfaces({ '@op': 'delete', name: 'eth0' }),
      routing: { static: { route: [{ '@op': 'delete', prefix: '10.0.0.0/8' }] } },
    });
    await engine.rollback(s, t);
    assert.ok(engine.running.get(routePath('10.0.0.0/8')));
    await engine.editConfig(s, interfaces({ '@op': 'delete', name: 'eth0' }));
    await rejectsWith(engine.commit(s), 'TXN_REF_IN_USE', ifPath('eth0'));
  });

  it('a firewall rule naming a missing interface fails with TXN_REF_MISSING', async () => {
    await engine.editConfig(s, { firewall: { rule: [{ sequence: 5, action: 'drop', interface: 'eth7' }] } });
    await rejectsWith(engine.commit(s), 'TXN_REF_MISSING', rulePath(5, 'interface'));
  });
});

describe('uniqueness (x-unique)', () => {
  it('an interface address used by another interface fails with TXN_NOT_UNIQUE', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0', address: ['10.0.0.1/24', '10.0.1.1/24'] }));
    await engine.editConfig(s, interfaces({ name: 'eth1', address: ['10.0.1.1/24'] }));
    await rejectsWith(engine.commit(s), 'TXN_NOT_UNIQUE', ifPath('eth1', 'address'));
    await engine.discardChanges(s);
    // Two new entries with the same address in one commit.
    await engine.editConfig(s, interfaces({ name: 'eth2', address: ['192.0.2.1/24'] }, { name: 'eth3', address: ['192.0.2.1/24'] }));
    await rejectsWith(engine.commit(s), 'TXN_NOT_UNIQUE', ifPath('eth3', 'address'));
    await engine.discardChanges(s);
  });

  it('moving an address from one interface to another in one commit succeeds', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0', address: ['10.0.0.1/24'] }, { name: 'eth1' }));
    await commitEdit(engine, s, interfaces(
      { name: 'eth0', address: [{ '@op': 'delete', '@value': '10.0.0.1/24' }] },
      { name: 'eth1', address: ['10.0.0.1/24'] },
    ));
    assert.deepEqual(engine.running.get(ifPath('eth1'))!.body.address, ['10.0.0.1/24']);
    // And the index follows: eth0 may not take it back.
    await engine.editConfig(s, interfaces({ name: 'eth0', address: ['10.0.0.1/24'] }));
    const e = await rejectsWith(engine.commit(s), 'TXN_NOT_UNIQUE');
    assert.ok(e.path === ifPath('eth0', 'address') || e.path === ifPath('eth1', 'address'), `path ${e.path}`);
  });

  it('a conflict is reported at the entry the commit changes, naming the committed holder as the other', async () => {
    // The committed holder's path sorts after the new one's: eth1 > eth0, and as text
    // "[sequence='20']" > "[sequence='100']".
    await commitEdit(engine, s, {
      ...interfaces({ name: 'eth0' }, { name: 'eth1', address: ['10.0.0.1/24'] }),
      firewall: { rule: [{ sequence: 20, name: 'ssh', action: 'accept' }] },
    });
    await engine.editConfig(s, interfaces({ name: 'eth0', address: ['10.0.0.1/24'] }));
    const e = await rejectsWith(engine.commit(s), 'TXN_NOT_UNIQUE', ifPath('eth0', 'address'));
    assert.equal(e.details?.other, ifPath('eth1'));
    await engine.discardChanges(s);
    await engine.editConfig(s, { firewall: { rule: [{ sequence: 100, name: 'ssh', action: 'drop' }] } });
    const r = await rejectsWith(engine.commit(s), 'TXN_NOT_UNIQUE', rulePath(100, 'name'));
    assert.equal(r.details?.other, rulePath(20));
  });

  it('firewall rule names are unique across rules', async () => {
    await commitEdit(engine, s, { firewall: { rule: [{ sequence: 10, name: 'ssh', action: 'accept' }] } });
    await engine.editConfig(s, { firewall: { rule: [{ sequence: 20, name: 'ssh', action: 'drop' }] } });
    await rejectsWith(engine.commit(s), 'TXN_NOT_UNIQUE', rulePath(20, 'name'));
    // Renaming the first rule in the same commit frees the name.
    await engine.editConfig(s, { firewall: { rule: [{ sequence: 10, name: 'ssh-old' }] } });
    const out = await engine.commit(s);
    assert.ok(out.header);
  });
});

describe('history', () => {
  it('a commit records txid, user, session, source and comment', async () => {
    const before = engine.store.lastTxid;
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    const out = await engine.commit(s, { comment: 'add eth0' });
    assert.ok(out.header);
    assert.equal(out.confirmedPending, false);
    assert.equal(out.header.txid, before + 1);
    assert.equal(engine.store.lastTxid, before + 1);
    const [h] = engine.history(1);
    assert.ok(h);
    assert.equal(h.txid, out.header.txid);
    assert.equal(h.user, 'alice');
    assert.equal(h.session, s.id);
    assert.equal(h.source, 'netconf');
    assert.equal(h.comment, 'add eth0');
    assert.equal(h.nodes, 1);
    assert.ok(!Number.isNaN(Date.parse(h.time)));

    const cli = openSession(engine, 'bob', 'cli');
    await engine.editConfig(cli, { system: { hostname: 'edge1' } });
    const second = await engine.commit(cli);
    assert.deepEqual(engine.history(2).map((x) => [x.txid, x.user, x.session, x.source, x.comment]), [
      [second.header!.txid, 'bob', cli.id, 'cli', ''],
      [out.header.txid, 'alice', s.id, 'netconf', 'add eth0'],
    ]);
  });

  it('an empty commit creates no txid', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0' }));
    const last = engine.store.lastTxid;
    const out = await engine.commit(s, { comment: 'nothing' });
    assert.equal(out.header, null);
    // An edit that ends where running is also commits nothing (setting mtu to 1500 would not:
    // a leaf set to its default is set, RFC 6243 explicit; removing it makes it a default again).
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000 }));
    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: { '@op': 'remove' } }));
    const again = await engine.commit(s);
    assert.equal(again.header, null);
    assert.equal(engine.store.lastTxid, last);
    assert.equal(engine.history(100).length, last);
  });

  it('rollback(txid) commits the configuration as it was after that commit', async () => {
    const t1 = await commitEdit(engine, s, interfaces({ name: 'eth0', description: 'one' }));
    const after1 = snapshot(engine, 'running');
    await commitEdit(engine, s, { ...interfaces({ name: 'eth0', mtu: 9000 }, { name: 'eth1' }), ...route('10.0.0.0/8', 'eth1') });
    const after2 = snapshot(engine, 'running');
    await commitEdit(engine, s, { system: { hostname: 'edge3' }, ...interfaces({ '@op': 'delete', name: 'eth0' }) });
    const last = engine.store.lastTxid;

    const out = await engine.rollback(s, t1, 'back to one');
    assert.ok(out.header);
    assert.equal(out.header.txid, last + 1);
    assert.equal(out.header.source, 'rollback');
    assert.equal(out.header.comment, 'back to one');
    assert.deepEqual(engine.getConfig('running'), after1);

    await engine.rollback(s, t1 + 1);
    assert.deepEqual(engine.getConfig('running'), after2);
    // Rolling back to the current state commits nothing.
    const none = await engine.rollback(s, engine.store.lastTxid);
    assert.equal(none.header, null);
    await rejectsWith(engine.rollback(s, engine.store.lastTxid + 5), 'TXN_NO_SUCH_COMMIT');
  });

  it('rollback across a deleted-then-recreated entry restores the old entry and its nested entries', async () => {
    const t1 = await commitEdit(engine, s, {
      ...interfaces({ name: 'eth0', description: 'a', mtu: 9000 }),
      system: { users: { user: [{ name: 'carol', role: 'operator', 'ssh-key': [{ name: 'k1', key: 'ssh-ed25519 AAAA1' }] }] } },
    });
    const after1 = snapshot(engine, 'running');
    const t2 = await commitEdit(engine, s, {
      ...interfaces({ '@op': 'delete', name: 'eth0' }),
      system: { users: { user: [{ '@op': 'delete', name: 'carol' }] } },
    });
    const after2 = snapshot(engine, 'running');
    await commitEdit(engine, s, {
      ...interfaces({ name: 'eth0', description: 'b' }),
      system: { users: { user: [{ name: 'carol', role: 'viewer', 'ssh-key': [{ name: 'k2', key: 'ssh-rsa BBBB' }] }] } },
    });
    await engine.rollback(s, t1);
    assert.deepEqual(engine.getConfig('running'), after1);
    assert.equal(engine.running.get("/system/users/user[name='carol']/ssh-key[name='k2']"), undefined);
    await engine.rollback(s, t2);
    assert.deepEqual(engine.getConfig('running'), after2);
    assert.equal(engine.running.get(ifPath('eth0')), undefined);
    assert.equal(engine.running.get("/system/users/user[name='carol']/ssh-key[name='k1']"), undefined);
  });

  it('compare gives leaf changes between commits, and to the candidate', async () => {
    const t1 = await commitEdit(engine, s, interfaces({ name: 'eth0', description: 'old' }));
    const t2 = await commitEdit(engine, s, {
      ...interfaces({ name: 'eth0', mtu: 9000, description: { '@op': 'delete' } }, { name: 'eth1' }),
      system: { hostname: 'edge1' },
    });
    const eth1 = { name: 'eth1', enabled: true, mtu: 1500 };
    assert.deepEqual(byPath(engine.compare(t1, t2)), byPath([
      { path: '/system/hostname', op: 'modify', old: 'appliance', new: 'edge1' },
      { path: ifPath('eth0', 'description'), op: 'delete', old: 'old' },
      { path: ifPath('eth0', 'mtu'), op: 'modify', old: 1500, new: 9000 },
      { path: ifPath('eth1'), op: 'create', new: eth1 },
    ]));
    assert.deepEqual(byPath(engine.compare(t2, t1)), byPath([
      { path: '/system/hostname', op: 'modify', old: 'edge1', new: 'appliance' },
      { path: ifPath('eth0', 'description'), op: 'create', new: 'old' },
      { path: ifPath('eth0', 'mtu'), op: 'modify', old: 9000, new: 1500 },
      { path: ifPath('eth1'), op: 'delete', old: eth1 },
    ]));
    assert.deepEqual(engine.compare(t2, t2), []);
    assert.deepEqual(engine.compare(t2, 'running'), []);

    await engine.editConfig(s, { ...interfaces({ name: 'eth0', enabled: false }), system: { hostname: 'edge2' } });
    assert.deepEqual(byPath(engine.compare('running', 'candidate')), byPath([
      { path: '/system/hostname', op: 'modify', old: 'edge1', new: 'edge2' },
      { path: ifPath('eth0', 'enabled'), op: 'modify', old: true, new: false },
    ]));
    assert.deepEqual(byPath(engine.compare(t1, 'candidate')), byPath([
      { path: '/system/hostname', op: 'modify', old: 'appliance', new: 'edge2' },
      { path: ifPath('eth0', 'description'), op: 'delete', old: 'old' },
      { path: ifPath('eth0', 'enabled'), op: 'modify', old: true, new: false },
      { path: ifPath('eth0', 'mtu'), op: 'modify', old: 1500, new: 9000 },
      { path: ifPath('eth1'), op: 'create', new: eth1 },
    ]));
    assert.deepEqual(byPath(engine.compare('candidate', t1)), byPath([
      { path: '/system/hostname', op: 'modify', old: 'edge2', new: 'appliance' },
      { path: ifPath('eth0', 'description'), op: 'create', new: 'old' },
      { path: ifPath('eth0', 'enabled'), op: 'modify', old: false, new: true },
      { path: ifPath('eth0', 'mtu'), op: 'modify', old: 9000, new: 1500 },
      { path: ifPath('eth1'), op: 'delete', old: eth1 },
    ]));
  });

  it('blame names the commit that last changed a leaf, or the one that created it', async () => {
    const bob = openSession(engine, 'bob', 'cli');
    const carol = openSession(engine, 'carol', 'socket');
    const t1 = await commitEdit(engine, s, interfaces({ name: 'eth0', description: 'first' }), 'create eth0');
    const t2 = await commitEdit(engine, bob, interfaces({ name: 'eth0', mtu: 9000 }), 'jumbo');
    const t3 = await commitEdit(engine, carol, { system: { hostname: 'edge1' }, ...interfaces({ name: 'eth1' }) });

    const mtu = engine.blame(ifPath('eth0', 'mtu'));
    assert.equal(mtu.txid, t2);
    assert.equal(mtu.user, 'bob');
    assert.equal(mtu.session, bob.id);
    assert.equal(mtu.source, 'cli');
    assert.equal(mtu.comment, 'jumbo');
    assert.equal(mtu.sinceCreation, false);

    const enabled = engine.blame(ifPath('eth0', 'enabled'));
    assert.equal(enabled.txid, t1);
    assert.equal(enabled.user, 'alice');
    assert.equal(enabled.sinceCreation, true);
    assert.equal(engine.blame(ifPath('eth0', 'description')).txid, t1);

    const host = engine.blame('/system/hostname');
    assert.equal(host.txid, t3);
    assert.equal(host.user, 'carol');
    assert.equal(engine.blame(ifPath('eth1', 'mtu')).txid, t3);

    await rejectsWith(() => engine.blame('/interfaces/interface'), 'SCHEMA_BAD_PATH');
    await rejectsWith(() => engine.blame(ifPath('eth9', 'mtu')), 'TXN_DATA_MISSING', ifPath('eth9', 'mtu'));
    // A root leaf never set by any commit holds the factory default.
    await rejectsWith(() => engine.blame('/system/timezone'), 'TXN_DATA_MISSING', '/system/timezone');
  });

  it('keeps the last 1,000 commits: older rollbacks fail with TXN_HISTORY_COMPACTED, headers and blame remain', async () => {
    const t1 = await commitEdit(engine, s, { ...interfaces({ name: 'eth0', description: 'from the first commit' }), system: { timezone: 'Europe/Paris' } }, 'first');
    const commits = 1150;
    for (let i = 0; i < commits; i++) {
      await engine.editConfig(s, { system: { hostname: `h${i}` } });
      const out = await engine.commit(s);
      assert.ok(out.header);
    }
    const last = engine.store.lastTxid;
    assert.equal(last, t1 + commits);

    await rejectsWith(engine.rollback(s, t1), 'TXN_HISTORY_COMPACTED');
    await rejectsWith(engine.rollback(s, last - 1100), 'TXN_HISTORY_COMPACTED');
    await rejectsWith(() => engine.compare(t1, last), 'TXN_HISTORY_COMPACTED');
    assert.equal(engine.store.lastTxid, last);

    // Commit last-1000 is within the kept history: the hostname after it was h(last-1000-2).
    const recent = last - 1000;
    const out = await engine.rollback(s, recent);
    assert.ok(out.header);
    assert.equal((engine.getConfig('running').system as JsonObject).hostname, `h${recent - t1 - 1}`);
    await engine.rollback(s, last);
    assert.equal((engine.getConfig('running').system as JsonObject).hostname, `h${commits - 1}`);

    // Headers of compacted commits remain, and blame still resolves them.
    const first = engine.history(commits + 10).find((h) => h.txid === t1);
    assert.ok(first);
    assert.equal(first.txid, t1);
    assert.equal(first.comment, 'first');
    const b = engine.blame(ifPath('eth0', 'description'));
    assert.equal(b.txid, t1);
    assert.equal(b.comment, 'first');
    assert.equal(b.user, 'alice');
    const tz = engine.blame('/system/timezone');
    assert.equal(tz.txid, t1);
  });
});

describe('participants', () => {
  interface Call { readonly who: string; readonly phase: 'prepare' | 'abort' | 'committed'; readonly txid: number }

  function participant(name: string, calls: Call[], veto?: () => Error): Participant {
    return {
      name,
      prepare: async (ev: CommitEvent) => {
        calls.push({ who: name, phase: 'prepare', txid: ev.txid });
        await Promise.resolve();
        if (veto) throw veto();
      },
      abort: (ev: CommitEvent) => { calls.push({ who: name, phase: 'abort', txid: ev.txid }); },
      committed: (ev: CommitEvent) => { calls.push({ who: name, phase: 'committed', txid: ev.txid }); },
    };
  }

  it('a veto fails the commit with TXN_VETOED, aborts the prepared ones in reverse order, and changes nothing', async () => {
    await commitEdit(engine, s, interfaces({ name: 'eth0' }));
    const calls: Call[] = [];
    const a = participant('a', calls);
    const b = participant('b', calls);
    const c = participant('c', calls, () => new ConfdError('TXN_VETOED', 'ntp daemon refuses', { details: { participant: 'c' } }));
    const d = participant('d', calls);
    for (const p of [a, b, c, d]) engine.addParticipant(p);
    const running = snapshot(engine, 'running');
    const last = engine.store.lastTxid;

    await engine.editConfig(s, interfaces({ name: 'eth0', mtu: 9000 }));
    await rejectsWith(engine.commit(s), 'TXN_VETOED');
    const next = last + 1;
    assert.deepEqual(calls, [
      { who: 'a', phase: 'prepare', txid: next },
      { who: 'b', phase: 'prepare', txid: next },
      { who: 'c', phase: 'prepare', txid: next },
      { who: 'b', phase: 'abort', txid: next },
      { who: 'a', phase: 'abort', txid: next },
    ]);
    assert.deepEqual(engine.getConfig('running'), running);
    assert.equal(engine.store.lastTxid, last);
    assert.equal(engine.candidate.dirty, true);

    // Without the vetoing participant the same candidate commits; committed() follows commit order.
    engine.removeParticipant(c);
    calls.length = 0;
    const first = await engine.commit(s);
    const second = await commitEdit(engine, s, interfaces({ name: 'eth1' }));
    assert.equal(first.header?.txid, next);
    assert.equal(second, next + 1);
    assert.deepEqual(calls.filter((x) => x.phase !== 'prepare'), [
      { who: 'a', phase: 'committed', txid: next },
      { who: 'b', phase: 'committed', txid: next },
      { who: 'd', phase: 'committed', txid: next },
      { who: 'a', phase: 'committed', txid: next + 1 },
      { who: 'b', phase: 'committed', txid: next + 1 },
      { who: 'd', phase: 'committed', txid: next + 1 },
    ]);
    assert.equal(calls.filter((x) => x.phase === 'abort').length, 0);
  });

  it('a participant failing with a plain error is reported as TXN_VETOED', async () => {
    const calls: Call[] = [];
    engine.addParticipant(participant('a', calls));
    engine.addParticipant(participant('broken', calls, () => new Error('disk full')));
    await engine.editConfig(s, interfaces({ name: 'eth0' }));
    const e = await rejectsWith(engine.commit(s), 'TXN_VETOED');
    assert.equal(e.details?.participant, 'broken');
    assert.deepEqual(calls.map((x) => `${x.who}:${x.phase}`), ['a:prepare', 'broken:prepare', 'a:abort']);
    assert.equal(engine.store.lastTxid, 0);
  });

  it('prepare sees the changes of the commit it is asked about', async () => {
    const seen: LeafChange[][] = [];
    engine.addParticipant({ name: 'watcher', prepare: async (ev) => { seen.push([...ev.leafChanges()]); } });
    await commitEdit(engine, s, interfaces({ name: 'eth0' }));
    await commitEdit(engine, s, interfaces({ name: 'eth0', mtu: 9000 }));
    assert.equal(seen.length, 2);
    assert.deepEqual(seen[1], [{ path: ifPath('eth0', 'mtu'), op: 'modify', old: 1500, new: 9000 }]);
  });
});

describe('durability', () => {
  it('committed data, history and the indexes survive reopening the data directory', async () => {
    const dir = tempDir();
    try {
      let dev = await openTestDevice({ dataDir: dir.path });
      let eng = dev.engine;
      let se = openSession(eng, 'alice');
      await commitEdit(eng, se, {
        ...interfaces({ name: 'eth0', mtu: 9000, address: ['10.0.0.1/24'] }, { name: 'eth1' }),
        ...route('10.0.0.0/8', 'eth0'),
        system: { users: { user: [{ name: 'dave', role: 'operator', 'ssh-key': [{ name: 'k1', key: 'ssh-ed25519 AAAA1' }] }] } },
      }, 'initial');
      await commitEdit(eng, se, { system: { hostname: 'edge9' } }, 'rename');
      const running = snapshot(eng, 'running');
      const history = eng.history(10);
      dev.close();

      dev = await openTestDevice({ dataDir: dir.path });
      eng = dev.engine;
      se = openSession(eng, 'alice');
      try {
        assert.deepEqual(eng.getConfig('running'), running);
        assert.deepEqual(eng.history(10), history);
        assert.equal(eng.store.lastTxid, 2);
        assert.equal(eng.blame('/system/hostname').comment, 'rename');
        // The reference and uniqueness indexes are rebuilt from the stored configuration.
        await eng.editConfig(se, interfaces({ '@op': 'delete', name: 'eth0' }));
        await rejectsWith(eng.commit(se), 'TXN_REF_IN_USE', ifPath('eth0'));
        await eng.discardChanges(se);
        await eng.editConfig(se, interfaces({ name: 'eth1', address: ['10.0.0.1/24'] }));
        await rejectsWith(eng.commit(se), 'TXN_NOT_UNIQUE', ifPath('eth1', 'address'));
        await eng.discardChanges(se);
        // And history still rolls back.
        await eng.rollback(se, 1);
        assert.equal((eng.getConfig('running').system as JsonObject).hostname, 'appliance');
      } finally {
        dev.close();
      }
    } finally {
      dir.remove();
    }
  });
});
