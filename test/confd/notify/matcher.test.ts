/**
 * Tests of confd/notify/matcher: which leaf changes concern a subscriber's path prefixes.
 * Prefixes and paths are canonical (as ChangeBus.subscribe stores them). A prefix covers what
 * lies below it, with list keys compared exactly (eth1 is not eth10); a change that creates or
 * deletes a whole entry concerns every prefix inside that entry; '/' covers everything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leafChanges, type LeafChange, type NodeChange } from '../../../confd/core/diff.js';
import { concerns, partOf, PathFilter } from '../../../confd/notify/matcher.js';

const ETH1 = "/interfaces/interface[name='eth1']";
const ETH10 = "/interfaces/interface[name='eth10']";
const RULE5 = "/firewall/rule[sequence='5']";
const RULE50 = "/firewall/rule[sequence='50']";
const BOB = "/system/users/user[name='bob']";

const modify = (path: string, old: unknown = 1, now: unknown = 2): LeafChange => ({ path, op: 'modify', old: old as number, new: now as number });
const paths = (cs: readonly LeafChange[]) => cs.map((c) => c.path);

describe('concerns(prefix, path)', () => {
  it('covers the prefix itself and everything below it', () => {
    assert.equal(concerns('/interfaces', '/interfaces'), true);
    assert.equal(concerns('/interfaces', `${ETH1}/mtu`), true);
    assert.equal(concerns('/interfaces', ETH1), true);
    assert.equal(concerns('/system/ntp', '/system/ntp/server'), true);
    assert.equal(concerns('/system/ntp', '/system/ntp/enabled'), true);
    assert.equal(concerns(ETH1, `${ETH1}/mtu`), true);
    assert.equal(concerns(`${ETH1}/mtu`, `${ETH1}/mtu`), true);
  });

  it('does not cover siblings, or names that merely start alike', () => {
    assert.equal(concerns('/system/ntp', '/system/hostname'), false);
    assert.equal(concerns('/system/ntp/server', '/system/ntp/enabled'), false);
    assert.equal(concerns('/system/dns', '/system/dnssec'), false, 'a name prefix is not a path prefix');
    assert.equal(concerns('/interfaces', '/interfacesx/a'), false);
    assert.equal(concerns(`${ETH1}/mtu`, `${ETH1}/description`), false);
    assert.equal(concerns('/system', `${ETH1}/mtu`), false);
  });

  it('compares list keys exactly: eth1 is not eth10, rule 5 is not rule 50', () => {
    assert.equal(concerns(ETH1, `${ETH10}/mtu`), false);
    assert.equal(concerns(ETH1, ETH10), false);
    assert.equal(concerns(`${ETH1}/mtu`, ETH10), false, 'deleting eth10 does not concern a subscriber of eth1/mtu');
    assert.equal(concerns(ETH10, ETH1), false);
    assert.equal(concerns(`${RULE5}/action`, `${RULE50}/action`), false);
    assert.equal(concerns(`${RULE5}/action`, RULE50), false);
    assert.equal(concerns(RULE5, `${RULE5}/action`), true);
  });

  it('keys holding / [ ] or quotes do not confuse the comparison', () => {
    const r8 = "/routing/static/route[prefix='10.0.0.0/8']";
    const r16 = "/routing/static/route[prefix='10.0.0.0/16']";
    const r1 = "/routing/static/route[prefix='10.0.0.0/1']";
    assert.equal(concerns(r8, `${r8}/metric`), true);
    assert.equal(concerns(r8, `${r16}/metric`), false);
    assert.equal(concerns(r1, `${r16}/metric`), false);
    assert.equal(concerns(`${r16}/metric`, r1), false);
    // Canonical quoting: ' unless the value holds one; then "; with both, '' doubles.
    const quoted = `/interfaces/interface[name="it's"]`;
    assert.equal(concerns(quoted, `${quoted}/mtu`), true);
    assert.equal(concerns("/interfaces/interface[name='it']", `${quoted}/mtu`), false);
    const tricky = `/interfaces/interface[name="a']/b"]`; // the name is a']/b
    assert.equal(concerns("/interfaces/interface[name='a']", tricky), false);
    assert.equal(concerns("/interfaces/interface[name='a']", `${tricky}/mtu`), false);
    const both = `/interfaces/interface[name='x''"]']`; // the name is x'"]
    assert.equal(concerns("/interfaces/interface[name='x']", both), false);
    assert.equal(concerns(both, `${both}/mtu`), true);
  });

  it('a keyless list prefix covers every entry of the list', () => {
    assert.equal(concerns('/interfaces/interface', ETH1), true);
    assert.equal(concerns('/interfaces/interface', `${ETH10}/mtu`), true);
    assert.equal(concerns(`${BOB}/ssh-key`, `${BOB}/ssh-key[name='laptop']`), true);
    assert.equal(concerns(`${BOB}/ssh-key`, `${BOB}/ssh-key[name='laptop']/key`), true);
    assert.equal(concerns(`${BOB}/ssh-key`, `${BOB}/full-name`), false);
  });

  it('creating or deleting a whole entry concerns prefixes inside it', () => {
    assert.equal(concerns(`${ETH1}/mtu`, ETH1), true);
    assert.equal(concerns(`${RULE5}/action`, RULE5), true);
    assert.equal(concerns(`${BOB}/ssh-key[name='laptop']/key`, BOB), true, 'deleting the user removes its keys');
    assert.equal(concerns(`${BOB}/ssh-key`, BOB), true);
  });

  it("'/' covers everything", () => {
    for (const p of ['/system/hostname', ETH1, `${ETH1}/mtu`, `${RULE5}/action`, '/features/feature[name=\'x\']']) {
      assert.equal(concerns('/', p), true, p);
    }
  });
});

describe('partOf', () => {
  it('is the top-level part of a path', () => {
    assert.equal(partOf('/system/hostname'), 'system');
    assert.equal(partOf('/system'), 'system');
    assert.equal(partOf(`${ETH1}/mtu`), 'interfaces');
    assert.equal(partOf(RULE5), 'firewall');
    assert.equal(partOf('/'), '');
  });
});

describe('PathFilter', () => {
  const all: LeafChange[] = [
    modify('/system/hostname', 'a', 'b'),
    modify('/system/ntp/server', ['x'], ['y']),
    { path: ETH1, op: 'create', new: { name: 'eth1', mtu: 1500 } },
    modify(`${ETH10}/mtu`, 1500, 9000),
    { path: RULE5, op: 'delete', old: { sequence: 5, action: 'drop' } },
    modify(`${RULE50}/action`, 'accept', 'drop'),
    { path: "/features/feature[name='x']", op: 'create', new: { name: 'x' } },
  ];

  it('selects, in their order, exactly the changes under its prefixes', () => {
    const cases: Array<[string[], string[]]> = [
      [['/interfaces'], [ETH1, `${ETH10}/mtu`]],
      [[ETH1], [ETH1]],
      [[`${ETH1}/mtu`], [ETH1]],
      [[ETH10], [`${ETH10}/mtu`]],
      [['/system'], ['/system/hostname', '/system/ntp/server']],
      [['/system/ntp'], ['/system/ntp/server']],
      [[`${RULE5}/action`], [RULE5]],
      [['/firewall/rule'], [RULE5, `${RULE50}/action`]],
      [['/system/ntp', `${RULE50}/action`], ['/system/ntp/server', `${RULE50}/action`]],
      [['/routing'], []],
      [['/'], paths(all)],
      [['/routing', '/'], paths(all)],
      [[], []],
    ];
    for (const [prefixes, expected] of cases) {
      const f = new PathFilter(prefixes);
      assert.deepEqual(paths(f.select(all)), expected, `prefixes ${JSON.stringify(prefixes)}`);
      assert.equal(f.touches(all), expected.length > 0, `touches for ${JSON.stringify(prefixes)}`);
      for (const c of all) assert.equal(f.matches(c.path), expected.includes(c.path), `${c.path} for ${JSON.stringify(prefixes)}`);
    }
  });

  it('select returns the change objects themselves, and a new array', () => {
    const f = new PathFilter(['/']);
    const out = f.select(all);
    assert.notEqual(out, all);
    assert.equal(out[2], all[2]);
  });

  it('an entry deletion from a real diff reaches a subscriber of one of its leaves, a leaf change elsewhere does not', () => {
    const deleteEth1: NodeChange = { path: ETH1, old: { name: 'eth1', mtu: 9000, description: 'uplink' }, new: null };
    const changeEth1: NodeChange = { path: ETH1, old: { name: 'eth1', mtu: 9000, description: 'uplink' }, new: { name: 'eth1', mtu: 9000, description: 'core' } };
    const rootChange: NodeChange = { path: '/', old: { system: { hostname: 'a', ntp: { enabled: true } } }, new: { system: { hostname: 'b', ntp: { enabled: true } } } };
    const mtuSub = new PathFilter([`${ETH1}/mtu`]);
    const deleted = leafChanges(deleteEth1);
    assert.deepEqual(deleted.map((c) => [c.path, c.op]), [[ETH1, 'delete']]);
    assert.deepEqual(mtuSub.select(deleted), deleted);
    const described = leafChanges(changeEth1);
    assert.deepEqual(paths(described), [`${ETH1}/description`]);
    assert.deepEqual(mtuSub.select(described), [], 'a description change is not the mtu');
    assert.equal(mtuSub.touches(leafChanges(rootChange)), false);
    const hostSub = new PathFilter(['/system/hostname']);
    assert.deepEqual(paths(hostSub.select(leafChanges(rootChange))), ['/system/hostname']);
    assert.deepEqual(new PathFilter(['/system/ntp']).select(leafChanges(rootChange)), [], 'ntp did not change');
  });
});
