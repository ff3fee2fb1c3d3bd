/**
 * Tests of confd/rpc/select: Selector evaluation against running and candidate views, in the
 * shape materializeAll gives, and direct lookup of list entries named by all their keys.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JsonObject } from '../../../confd/core/tree.js';
import { selectConfig } from '../../../confd/rpc/select.js';
import type { Selector } from '../../../confd/rpc/selector.js';
import type { ListSchema } from '../../../confd/schema/model.js';
import type { DataView } from '../../../confd/txn/datastore.js';
import { materializeAll } from '../../../confd/txn/materialize.js';
import { openTestDevice, testSchema, type TestDevice } from '../../helpers/device.js';

const CONFIG: JsonObject = {
  system: {
    hostname: 'edge1',
    domain: 'example.net',
    ntp: { server: ['0.pool.ntp.org', '1.pool.ntp.org', '2.pool.ntp.org'] },
    users: {
      user: [
        {
          name: 'alice', role: 'admin', 'full-name': 'Alice',
          'ssh-key': [
            { name: 'laptop', key: 'ssh-ed25519 AAAA alice@laptop' },
            { name: 'phone', key: 'ssh-ed25519 BBBB alice@phone' },
          ],
        },
        { name: 'bob', role: 'viewer', 'ssh-key': [{ name: 'laptop', key: 'ssh-rsa CCCC bob@laptop' }] },
        { name: 'carol', role: 'operator' },
      ],
    },
  },
  interfaces: {
    interface: [
      { name: 'lo' },
      { name: 'eth1', enabled: false },
      { name: 'eth0', description: 'uplink', mtu: 9000 },
    ],
  },
  firewall: {
    rule: [
      { sequence: 20, action: 'drop' },
      { sequence: 10, action: 'accept', protocol: 'tcp', port: 22 },
      { sequence: 5, action: 'reject' },
    ],
  },
};

/** A Selector from a compact object form: { name: child | null (whole) }, with '@match'. */
function sel(spec: Record<string, unknown> | null): Selector {
  if (spec === null) return {};
  const { '@match': match, '@whole': whole, ...rest } = spec as { '@match'?: Record<string, string | number | boolean>; '@whole'?: boolean };
  const children = new Map<string, Selector>();
  for (const [k, v] of Object.entries(rest)) children.set(k, sel(v as Record<string, unknown> | null));
  return { ...(whole ? {} : { children }), ...(match ? { match } : {}) };
}

/** The selector of a whole configuration, from the compact form. */
const root = (spec: Record<string, unknown>): Selector => sel(spec);

/** Counts how the view is read, to prove lookups by key never scan a list. */
function countingView(view: DataView): { view: DataView; scans: string[]; gets: number } {
  const counts = { scans: [] as string[], gets: 0 };
  return {
    get scans() { return counts.scans; },
    get gets() { return counts.gets; },
    view: {
      get: (p) => { counts.gets++; return view.get(p); },
      children: (parent: string, list: ListSchema) => { counts.scans.push(list.schemaPath); return view.children(parent, list); },
    },
  };
}

describe('selectConfig', () => {
  let dev: TestDevice;
  let view: DataView;
  const schema = testSchema();

  before(async () => {
    dev = await openTestDevice();
    const s = dev.engine.openSession({ user: 'test', source: 'test', address: 'local' });
    await dev.engine.editConfig(s, CONFIG);
    await dev.engine.commit(s);
    view = dev.engine.view('running');
  });
  after(() => dev.close());

  it('selects everything without a selector, exactly as materializeAll', () => {
    assert.deepEqual(selectConfig(schema, view, undefined), materializeAll(schema, view));
    assert.deepEqual(selectConfig(schema, view, {}), dev.engine.getConfig('running'));
  });

  it('selects one whole top-level part', () => {
    const out = selectConfig(schema, view, root({ interfaces: null }));
    assert.deepEqual(out, { interfaces: dev.engine.getConfig('running').interfaces });
    assert.deepEqual(
      (out.interfaces as { interface: JsonObject[] }).interface.map((e) => e.name), ['eth0', 'eth1', 'lo'],
      'entries in key order',
    );
  });

  it('selects one leaf of every entry, with the keys', () => {
    const out = selectConfig(schema, view, root({ interfaces: { interface: { mtu: null } } }));
    assert.deepEqual(out, {
      interfaces: { interface: [{ name: 'eth0', mtu: 9000 }, { name: 'eth1', mtu: 1500 }, { name: 'lo', mtu: 1500 }] },
    });
  });

  it('selects a whole entry by key when only content matches are given', () => {
    const out = selectConfig(schema, view, root({ interfaces: { interface: { '@match': { name: 'eth0' }, '@whole': true } } }));
    assert.deepEqual(out, {
      interfaces: { interface: [{ name: 'eth0', description: 'uplink', enabled: true, mtu: 9000 }] },
    });
  });

  it('matches a non-key leaf, comparing values as text', () => {
    for (const enabled of [false, 'false']) {
      const out = selectConfig(schema, view, root({ interfaces: { interface: { '@match': { enabled }, '@whole': true } } }));
      assert.deepEqual(out, { interfaces: { interface: [{ name: 'eth1', enabled: false, mtu: 1500 }] } });
    }
  });

  it('returns the keys, the match leaves and the selected children when both are given', () => {
    const out = selectConfig(schema, view, root({ interfaces: { interface: { '@match': { enabled: true }, description: null } } }));
    assert.deepEqual(out, {
      interfaces: { interface: [{ name: 'eth0', enabled: true, description: 'uplink' }, { name: 'lo', enabled: true }] },
    });
  });

  it('an empty children map with a key match returns the keys only', () => {
    const s: Selector = { children: new Map([['firewall', { children: new Map([['rule', { match: { sequence: 10 }, children: new Map() }]]) }]]) };
    assert.deepEqual(selectConfig(schema, view, s), { firewall: { rule: [{ sequence: 10 }] } });
  });

  it('looks an entry up by a key given as text', () => {
    const out = selectConfig(schema, view, root({ firewall: { rule: { '@match': { sequence: '10' }, port: null } } }));
    assert.deepEqual(out, { firewall: { rule: [{ sequence: 10, port: 22 }] } });
  });

  it('selects nothing for a key that is not there', () => {
    assert.deepEqual(selectConfig(schema, view, root({ firewall: { rule: { '@match': { sequence: 11 }, '@whole': true } } })), {});
    assert.deepEqual(selectConfig(schema, view, root({ firewall: { rule: { '@match': { sequence: 10, action: 'drop' }, '@whole': true } } })), {});
  });

  it('selects the union of alternatives, in key order, merging what each selects of an entry', () => {
    const s: Selector = {
      children: new Map([['interfaces', {
        children: new Map([['interface', {
          alternatives: [
            { match: { name: 'lo' } },
            { match: { name: 'eth0' }, children: new Map([['mtu', {}]]) },
            { match: { name: 'eth0' }, children: new Map([['description', {}]]) },
          ],
        }]]),
      }]]),
    };
    const c = countingView(view);
    assert.deepEqual(selectConfig(schema, c.view, s), {
      interfaces: { interface: [{ name: 'eth0', mtu: 9000, description: 'uplink' }, { name: 'lo', enabled: true, mtu: 1500 }] },
    });
    assert.deepEqual(c.scans, [], 'every alternative names all keys: no scan');
  });

  it('an empty union selects nothing', () => {
    const s: Selector = { children: new Map([['interfaces', { alternatives: [] }]]) };
    assert.deepEqual(selectConfig(schema, view, s), {});
  });

  it('matches on a container level: its leaves must match, else nothing below', () => {
    assert.deepEqual(
      selectConfig(schema, view, root({ system: { '@match': { hostname: 'edge1' }, domain: null } })),
      { system: { hostname: 'edge1', domain: 'example.net' } },
    );
    assert.deepEqual(selectConfig(schema, view, root({ system: { '@match': { hostname: 'other' }, domain: null } })), {});
    const whole = selectConfig(schema, view, root({ system: { '@match': { hostname: 'edge1' }, '@whole': true } }));
    assert.deepEqual(whole, { system: dev.engine.getConfig('running').system });
  });

  it('walks nested lists: one user, one of its keys', () => {
    const out = selectConfig(schema, view, root({
      system: { users: { user: { '@match': { name: 'alice' }, 'ssh-key': { '@match': { name: 'phone' }, '@whole': true } } } },
    }));
    assert.deepEqual(out, {
      system: { users: { user: [{ name: 'alice', 'ssh-key': [{ name: 'phone', key: 'ssh-ed25519 BBBB alice@phone' }] }] } },
    });
  });

  it('walks nested lists: key names of every user', () => {
    const out = selectConfig(schema, view, root({ system: { users: { user: { 'ssh-key': { name: null } } } } }));
    assert.deepEqual(out, {
      system: {
        users: {
          user: [
            { name: 'alice', 'ssh-key': [{ name: 'laptop' }, { name: 'phone' }] },
            { name: 'bob', 'ssh-key': [{ name: 'laptop' }] },
            { name: 'carol' },
          ],
        },
      },
    });
  });

  it('a whole entry includes its nested list entries', () => {
    const out = selectConfig(schema, view, root({ system: { users: { user: { '@match': { name: 'bob' }, '@whole': true } } } }));
    assert.deepEqual(out, {
      system: { users: { user: [{ name: 'bob', role: 'viewer', 'ssh-key': [{ name: 'laptop', key: 'ssh-rsa CCCC bob@laptop' }] }] } },
    });
  });

  it('selects leaf-list values by content', () => {
    const s: Selector = {
      children: new Map([['system', { children: new Map([['ntp', { children: new Map([['server', {
        alternatives: [{ match: { server: '2.pool.ntp.org' } }, { match: { server: '0.pool.ntp.org' } }, { match: { server: 'none' } }],
      }]]) }]]) }]]),
    };
    assert.deepEqual(selectConfig(schema, view, s), { system: { ntp: { server: ['0.pool.ntp.org', '2.pool.ntp.org'] } } });
    const all = selectConfig(schema, view, root({ system: { ntp: { server: null } } }));
    assert.deepEqual(all, { system: { ntp: { server: ['0.pool.ntp.org', '1.pool.ntp.org', '2.pool.ntp.org'] } } });
  });

  it('names the schema does not have select nothing, without throwing', () => {
    assert.deepEqual(selectConfig(schema, view, root({ bogus: null })), {});
    assert.deepEqual(selectConfig(schema, view, root({ system: { bogus: null } })), {});
    assert.deepEqual(
      selectConfig(schema, view, root({ firewall: { rule: { bogus: null } } })),
      { firewall: { rule: [{ sequence: 5 }, { sequence: 10 }, { sequence: 20 }] } },
    );
    assert.deepEqual(selectConfig(schema, view, root({ firewall: { rule: { '@match': { bogus: 1 }, '@whole': true } } })), {});
    // A match on a node that is not a leaf is never true.
    assert.deepEqual(selectConfig(schema, view, root({ system: { '@match': { ntp: 'x' }, '@whole': true } })), {});
  });

  it('never selects read-only state', () => {
    assert.deepEqual(selectConfig(schema, view, root({ interfaces: { interface: { '@match': { name: 'eth0' }, state: null } } })), {
      interfaces: { interface: [{ name: 'eth0' }] },
    });
  });

  it('an empty selector map selects nothing', () => {
    assert.deepEqual(selectConfig(schema, view, { children: new Map() }), {});
  });

  it('reads a candidate overlay the same way', async () => {
    const s = dev.engine.openSession({ user: 'test2', source: 'test', address: 'local' });
    await dev.engine.editConfig(s, { firewall: { rule: [{ sequence: 7, action: 'drop' }] } });
    try {
      const cand = dev.engine.view('candidate');
      assert.deepEqual(
        selectConfig(schema, cand, root({ firewall: { rule: { '@match': { sequence: 7 }, action: null } } })),
        { firewall: { rule: [{ sequence: 7, action: 'drop' }] } },
      );
      assert.deepEqual(selectConfig(schema, cand, undefined), materializeAll(schema, cand));
      assert.deepEqual(selectConfig(schema, view, root({ firewall: { rule: { '@match': { sequence: 7 }, '@whole': true } } })), {});
    } finally {
      await dev.engine.discardChanges(s);
    }
  });
});

describe('selectConfig over 100,000 firewall rules', () => {
  let dev: TestDevice;
  const schema = testSchema();
  const N = 100_000;

  before(async () => {
    dev = await openTestDevice();
    const s = dev.engine.openSession({ user: 'test', source: 'test', address: 'local' });
    const rule: JsonObject[] = [];
    for (let i = 1; i <= N; i++) rule.push({ sequence: i * 10, action: i % 2 === 0 ? 'accept' : 'drop', port: (i % 65535) + 1 });
    await dev.engine.editConfig(s, { firewall: { rule } });
    await dev.engine.commit(s);
  });
  after(() => dev.close());

  it('looks one rule up by key without scanning the list', (t) => {
    const view = dev.engine.view('running');
    const bySeq = (seq: number): Selector => root({ firewall: { rule: { '@match': { sequence: seq }, '@whole': true } } });
    const c = countingView(view);
    assert.deepEqual(selectConfig(schema, c.view, bySeq(500_000)), {
      firewall: { rule: [{ sequence: 500_000, action: 'accept', port: 50_001, protocol: 'any', enabled: true }] },
    });
    assert.deepEqual(c.scans, []);
    assert.equal(c.gets, 2, 'the root body and the one entry');

    const rounds = 20_000;
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) selectConfig(schema, view, bySeq(((i % N) + 1) * 10));
    const perKey = Number(process.hrtime.bigint() - t0) / rounds;

    // For comparison: a content match on a non-key leaf has to scan every rule.
    const byPort: Selector = root({ firewall: { rule: { '@match': { port: 22 }, '@whole': true } } });
    const scanRounds = 5;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < scanRounds; i++) selectConfig(schema, view, byPort);
    const perScan = Number(process.hrtime.bigint() - t0) / scanRounds;
    assert.equal((selectConfig(schema, view, byPort).firewall as { rule: unknown[] }).rule.length, 2);

    t.diagnostic(`select by key: ${(perKey / 1000).toFixed(2)} µs; select by non-key leaf (scan of ${N}): ${(perScan / 1e6).toFixed(1)} ms`);
  });

  it('looks rules up by key in a candidate overlay too', () => {
    const c = countingView(dev.engine.view('candidate'));
    const s = root({ firewall: { rule: { '@match': { sequence: 10 }, action: null } } });
    assert.deepEqual(selectConfig(schema, c.view, s), { firewall: { rule: [{ sequence: 10, action: 'drop' }] } });
    assert.deepEqual(c.scans, []);
  });
});
