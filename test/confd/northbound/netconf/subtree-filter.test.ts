/**
 * Tests of confd/northbound/netconf/subtree-filter: RFC 6241 §6.4 filter patterns adapted to
 * the device model, converted to a Selector and evaluated against a running configuration.
 * XmlElements are built by hand so these tests do not depend on the XML parser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JsonObject } from '../../../../confd/core/tree.js';
import { selectorFromSubtreeFilter } from '../../../../confd/northbound/netconf/subtree-filter.js';
import type { XmlAttribute, XmlElement } from '../../../../confd/northbound/netconf/xml-element.js';
import { selectConfig } from '../../../../confd/rpc/select.js';
import type { DataView } from '../../../../confd/txn/datastore.js';
import { openTestDevice, testSchema, type TestDevice } from '../../../helpers/device.js';

const SYS = 'urn:appliance:system';
const IF = 'urn:appliance:interfaces';
const FW = 'urn:appliance:firewall';

/** An element builder for one namespace: strings become the element's text. */
function inNs(ns: string) {
  return (name: string, ...content: Array<XmlElement | string>): XmlElement => ({
    name, ns, attributes: [],
    children: content.filter((c): c is XmlElement => typeof c !== 'string'),
    text: content.filter((c): c is string => typeof c === 'string').join(''),
  });
}
const sys = inNs(SYS);
const ifs = inNs(IF);
const fw = inNs(FW);

function withAttributes(el: XmlElement, attributes: XmlAttribute[]): XmlElement {
  return { ...el, attributes };
}

const CONFIG: JsonObject = {
  system: {
    hostname: 'edge1',
    domain: 'example.net',
    ntp: { server: ['0.pool.ntp.org', '1.pool.ntp.org'] },
    users: {
      user: [
        {
          name: 'alice', role: 'admin',
          'ssh-key': [
            { name: 'laptop', key: 'ssh-ed25519 AAAA alice@laptop' },
            { name: 'phone', key: 'ssh-ed25519 BBBB alice@phone' },
          ],
        },
        { name: 'bob', role: 'viewer', 'ssh-key': [{ name: 'laptop', key: 'ssh-rsa CCCC bob@laptop' }] },
      ],
    },
  },
  interfaces: {
    interface: [
      { name: 'eth0', description: 'uplink', mtu: 9000 },
      { name: 'eth1', enabled: false },
      { name: 'lo' },
    ],
  },
  firewall: {
    rule: [
      { sequence: 10, action: 'accept', protocol: 'tcp', port: 22 },
      { sequence: 20, action: 'drop' },
    ],
  },
};

describe('selectorFromSubtreeFilter', () => {
  let dev: TestDevice;
  let view: DataView;
  const schema = testSchema();
  const get = (...filter: XmlElement[]): JsonObject => selectConfig(schema, view, selectorFromSubtreeFilter(schema, filter));
  const running = (): JsonObject => dev.engine.getConfig('running');

  before(async () => {
    dev = await openTestDevice();
    const s = dev.engine.openSession({ user: 'test', source: 'test', address: 'local' });
    await dev.engine.editConfig(s, CONFIG);
    await dev.engine.commit(s);
    view = dev.engine.view('running');
  });
  after(() => dev.close());

  it('an empty filter selects nothing (§6.4.1)', () => {
    const selector = selectorFromSubtreeFilter(schema, []);
    assert.equal(selector.children?.size, 0);
    assert.deepEqual(get(), {});
  });

  it('an empty top-level element selects its whole part (namespace selection, §6.4.2)', () => {
    assert.deepEqual(get(ifs('interfaces')), { interfaces: running().interfaces });
    assert.deepEqual(get(sys('system'), fw('firewall')), { system: running().system, firewall: running().firewall });
  });

  it('an element in another namespace, or in none, selects nothing', () => {
    assert.deepEqual(get(inNs(SYS)('interfaces')), {});
    assert.deepEqual(get(inNs('')('interfaces')), {});
    assert.deepEqual(get(sys('system', inNs(IF)('hostname'))), {});
    // A content match that cannot hold: the other namespace's <name> is not our key.
    assert.deepEqual(get(ifs('interfaces', ifs('interface', inNs(SYS)('name', 'eth0')))), {});
  });

  it('unknown elements select nothing, and do not hide known ones', () => {
    assert.deepEqual(get(sys('bogus')), {});
    assert.deepEqual(get(sys('bogus'), fw('firewall')), { firewall: running().firewall });
    assert.deepEqual(get(sys('system', sys('bogus'))), {});
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('bogus')))), {
      interfaces: { interface: [{ name: 'eth0' }, { name: 'eth1' }, { name: 'lo' }] },
    });
    // An unknown content-match node is a test that fails: its sibling set is not selected.
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('name', 'eth0'), ifs('bogus', 'x')))), {});
  });

  it('containment and selection nodes pick single leaves (§6.4.3)', () => {
    assert.deepEqual(get(sys('system', sys('hostname'), sys('ntp'))), {
      system: { hostname: 'edge1', ntp: { enabled: true, server: ['0.pool.ntp.org', '1.pool.ntp.org'] } },
    });
  });

  it('whitespace-only text is a selection node, not a content match', () => {
    assert.deepEqual(get(sys('system', sys('hostname', '\n  '))), { system: { hostname: 'edge1' } });
  });

  it('selects one leaf of every list entry, with the keys (§6.4.4)', () => {
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('mtu')))), {
      interfaces: { interface: [{ name: 'eth0', mtu: 9000 }, { name: 'eth1', mtu: 1500 }, { name: 'lo', mtu: 1500 }] },
    });
  });

  it('a content match on the key alone returns the whole entry (§6.4.5)', () => {
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('name', 'eth0')))), {
      interfaces: { interface: [{ name: 'eth0', description: 'uplink', enabled: true, mtu: 9000 }] },
    });
  });

  it('a key match with selection nodes returns the key, the match and the selection (§6.4.6)', () => {
    const filter = fw('firewall', fw('rule', fw('sequence', '10'), fw('port')));
    const selector = selectorFromSubtreeFilter(schema, [filter]);
    const rule = selector.children?.get('firewall')?.children?.get('rule');
    assert.deepEqual(rule?.match, { sequence: 10 }, 'the match value is typed');
    assert.deepEqual(get(filter), { firewall: { rule: [{ sequence: 10, port: 22 }] } });
    assert.deepEqual(get(fw('firewall', fw('rule', fw('sequence', ' 10 '), fw('port')))), { firewall: { rule: [{ sequence: 10, port: 22 }] } });
  });

  it('a content match on a non-key leaf selects every entry that has it', () => {
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('enabled', 'false')))), {
      interfaces: { interface: [{ name: 'eth1', enabled: false, mtu: 1500 }] },
    });
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('enabled', 'true'), ifs('description')))), {
      interfaces: { interface: [{ name: 'eth0', enabled: true, description: 'uplink' }, { name: 'lo', enabled: true }] },
    });
  });

  it('several entries by key select their union (§6.4.7)', () => {
    const filter = ifs('interfaces',
      ifs('interface', ifs('name', 'lo'), ifs('mtu')),
      ifs('interface', ifs('name', 'eth0')),
      ifs('interface', ifs('name', 'nope')),
    );
    const selector = selectorFromSubtreeFilter(schema, [filter]);
    assert.equal(selector.children?.get('interfaces')?.children?.get('interface')?.alternatives?.length, 3);
    assert.deepEqual(get(filter), {
      interfaces: {
        interface: [
          { name: 'eth0', description: 'uplink', enabled: true, mtu: 9000 },
          { name: 'lo', mtu: 1500 },
        ],
      },
    });
  });

  it('repeated containers select the union of their selections', () => {
    assert.deepEqual(get(sys('system', sys('hostname')), sys('system', sys('domain'))), {
      system: { hostname: 'edge1', domain: 'example.net' },
    });
  });

  it('a content match on a container level must hold for anything below to be selected', () => {
    assert.deepEqual(get(sys('system', sys('hostname', 'edge1'), sys('domain'))), { system: { hostname: 'edge1', domain: 'example.net' } });
    assert.deepEqual(get(sys('system', sys('hostname', 'other'), sys('domain'))), {});
  });

  it('nested lists: one key of one user (§6.4.8)', () => {
    const filter = sys('system', sys('users', sys('user', sys('name', 'alice'), sys('ssh-key', sys('name', 'phone')))));
    assert.deepEqual(get(filter), {
      system: { users: { user: [{ name: 'alice', 'ssh-key': [{ name: 'phone', key: 'ssh-ed25519 BBBB alice@phone' }] }] } },
    });
  });

  it('nested lists: the key names of every user', () => {
    assert.deepEqual(get(sys('system', sys('users', sys('user', sys('ssh-key', sys('name')))))), {
      system: {
        users: {
          user: [
            { name: 'alice', 'ssh-key': [{ name: 'laptop' }, { name: 'phone' }] },
            { name: 'bob', 'ssh-key': [{ name: 'laptop' }] },
          ],
        },
      },
    });
  });

  it('a value that cannot be of the leaf type matches nothing, without throwing', () => {
    assert.deepEqual(get(fw('firewall', fw('rule', fw('sequence', 'ten')))), {});
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('enabled', 'yes')))), {});
  });

  it('two different values for one leaf can never both match', () => {
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('name', 'eth0'), ifs('name', 'lo')))), {});
    assert.deepEqual(get(ifs('interfaces', ifs('interface', ifs('name', 'eth0'), ifs('name', 'eth0'), ifs('mtu')))), {
      interfaces: { interface: [{ name: 'eth0', mtu: 9000 }] },
    });
  });

  it('a leaf-list instance with content selects that value', () => {
    assert.deepEqual(get(sys('system', sys('ntp', sys('server', '1.pool.ntp.org')))), { system: { ntp: { server: ['1.pool.ntp.org'] } } });
    assert.deepEqual(get(sys('system', sys('ntp', sys('server', '1.pool.ntp.org'), sys('server', '0.pool.ntp.org')))), {
      system: { ntp: { server: ['0.pool.ntp.org', '1.pool.ntp.org'] } },
    });
    assert.deepEqual(get(sys('system', sys('ntp', sys('server', 'other.example')))), {});
  });

  it('attribute match expressions are ignored without failing', () => {
    const filter = withAttributes(ifs('interfaces', withAttributes(ifs('interface', ifs('name', 'lo'), ifs('mtu')), [
      { ns: '', name: 'name', value: 'eth0', qname: 'name' },
    ])), [{ ns: 'urn:example:other', name: 'flag', value: 'x', qname: 'o:flag' }]);
    assert.deepEqual(get(filter), { interfaces: { interface: [{ name: 'lo', mtu: 1500 }] } });
  });

  it('a leaf with element children selects nothing', () => {
    assert.deepEqual(get(sys('system', sys('hostname', sys('x')))), {});
  });
});
