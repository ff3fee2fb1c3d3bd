/**
 * Tests of the schema-driven config codec: NETCONF <config> content → edit trees (operations,
 * namespaces, typed values, error paths) and configuration trees → XML, with round trips.
 * Asserts error codes and paths, never message text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfdError, type ErrorCode } from '../../../../confd/core/errors.js';
import type { JsonObject } from '../../../../confd/core/tree.js';
import { configFromXml, configToXml } from '../../../../confd/northbound/netconf/config-codec.js';
import { parseXml } from '../../../../confd/northbound/netconf/xml-codec.js';
import { NETCONF_BASE_NS } from '../../../../confd/northbound/netconf/xml-element.js';
import { testSchema } from '../../../helpers/device.js';

const IF = 'xmlns="urn:appliance:interfaces"';
const SYS = 'xmlns="urn:appliance:system"';
const FW = 'xmlns="urn:appliance:firewall"';
const LIMITS = { maxBytes: 4 << 20, maxDepth: 64 };

/** The children of a <config> element holding `body`, with the nc prefix declared. */
function configElements(body: string) {
  return parseXml(`<config xmlns="${NETCONF_BASE_NS}" xmlns:nc="${NETCONF_BASE_NS}">${body}</config>`, LIMITS).children;
}

function decode(body: string, allowOperations = true): JsonObject {
  return configFromXml(testSchema(), configElements(body), { allowOperations });
}

/** The problems decoding `body` reports, as [code, path] pairs. */
function problems(body: string, allowOperations = true): Array<[ErrorCode, string | undefined]> {
  try {
    decode(body, allowOperations);
  } catch (e) {
    assert.ok(e instanceof ConfdError);
    return e.flatten().map((p) => [p.code, p.path]);
  }
  assert.fail('expected the config to be refused');
}

test('containers, lists, typed leaves and leaf-lists become the edit format', () => {
  const edit = decode(
    `<interfaces ${IF}><interface><name>eth0</name><description>  uplink to core  </description><enabled>false</enabled>`
    + '<mtu>9000</mtu><address>10.0.0.1/24</address><address>10.0.1.1/24</address></interface></interfaces>'
    + `<system ${SYS}><hostname>edge-1</hostname><ntp><enabled>true</enabled><server>ntp1.example.net</server></ntp></system>`,
  );
  assert.deepEqual(edit, {
    interfaces: {
      interface: [{ name: 'eth0', description: '  uplink to core  ', enabled: false, mtu: 9000, address: ['10.0.0.1/24', '10.0.1.1/24'] }],
    },
    system: { hostname: 'edge-1', ntp: { enabled: true, server: ['ntp1.example.net'] } },
  });
});

test('an empty element for a string leaf is the empty string; an empty container is an object', () => {
  const edit = decode(`<interfaces ${IF}><interface><name>eth0</name><description/></interface></interfaces><system ${SYS}><ntp/></system>`);
  assert.deepEqual(edit, { interfaces: { interface: [{ name: 'eth0', description: '' }] }, system: { ntp: {} } });
});

test('list entries collect into one array in document order, keys first in each entry', () => {
  const edit = decode(
    `<firewall ${FW}><rule><action>drop</action><sequence>30</sequence></rule><default-action>drop</default-action>`
    + '<rule><sequence>10</sequence><action>accept</action></rule><rule><sequence>20</sequence><action>reject</action></rule></firewall>',
  );
  const fw = edit.firewall as JsonObject;
  assert.deepEqual(fw.rule, [{ sequence: 30, action: 'drop' }, { sequence: 10, action: 'accept' }, { sequence: 20, action: 'reject' }]);
  assert.equal(fw['default-action'], 'drop');
});

test('nc:operation on a top-level part, a container, a list entry, a leaf and leaf-list items', () => {
  const edit = decode(
    `<firewall ${FW} nc:operation="delete"/>`
    + `<system ${SYS}><ntp nc:operation="replace"><server>a.example.net</server></ntp>`
    + '<dns><server nc:operation="delete">10.0.0.53</server><server>10.0.0.54</server><server nc:operation="create">10.0.0.55</server></dns>'
    + '<domain nc:operation="remove"/><timezone nc:operation="create">Europe/Paris</timezone></system>'
    + `<interfaces ${IF}><interface nc:operation="delete"><name>eth1</name></interface>`
    + '<interface nc:operation="merge"><name>eth0</name><mtu nc:operation="delete"/><description nc:operation="delete">old</description></interface></interfaces>',
  );
  assert.deepEqual(edit, {
    firewall: { '@op': 'delete' },
    system: {
      ntp: { '@op': 'replace', server: ['a.example.net'] },
      dns: { server: [{ '@op': 'delete', '@value': '10.0.0.53' }, '10.0.0.54', { '@op': 'create', '@value': '10.0.0.55' }] },
      domain: { '@op': 'remove' },
      timezone: { '@op': 'create', '@value': 'Europe/Paris' },
    },
    interfaces: {
      interface: [
        { '@op': 'delete', name: 'eth1' },
        { '@op': 'merge', name: 'eth0', mtu: { '@op': 'delete' }, description: { '@op': 'delete', '@value': 'old' } },
      ],
    },
  });
});

test('any prefix bound to the NETCONF namespace names the operation; other namespaces are not operations', () => {
  const edit = decode(
    `<interfaces ${IF} xmlns:x="${NETCONF_BASE_NS}" xmlns:o="urn:other"><interface x:operation="create"><name>eth0</name></interface>`
    + '<interface o:operation="delete"><name>eth1</name></interface></interfaces>',
  );
  assert.deepEqual(edit, { interfaces: { interface: [{ '@op': 'create', name: 'eth0' }, { name: 'eth1' }] } });
});

test('a bad, misplaced or forbidden operation is TXN_BAD_OPERATION at its path', () => {
  assert.deepEqual(problems(`<interfaces ${IF}><interface nc:operation="destroy"><name>eth0</name></interface></interfaces>`),
    [['TXN_BAD_OPERATION', "/interfaces/interface[name='eth0']"]]);
  assert.deepEqual(problems(`<system ${SYS}><hostname nc:operation="erase">x</hostname></system>`),
    [['TXN_BAD_OPERATION', '/system/hostname']]);
  // Unprefixed, the attribute is in no namespace: refused rather than read as a merge.
  assert.deepEqual(problems(`<system ${SYS}><ntp operation="delete"/></system>`), [['TXN_BAD_OPERATION', '/system/ntp']]);
  // Keys identify the entry; they are never operated on.
  assert.deepEqual(problems(`<interfaces ${IF}><interface><name nc:operation="delete">eth0</name></interface></interfaces>`),
    [['TXN_BAD_OPERATION', '/interfaces/interface/name']]);
});

test('without allowOperations any operation is TXN_BAD_OPERATION', () => {
  assert.deepEqual(problems(`<system ${SYS}><ntp nc:operation="merge"><enabled>true</enabled></ntp></system>`, false),
    [['TXN_BAD_OPERATION', '/system/ntp']]);
  assert.deepEqual(decode(`<system ${SYS}><ntp><enabled>true</enabled></ntp></system>`, false), { system: { ntp: { enabled: true } } });
});

test('ordered-by-user insert attributes are not supported', () => {
  assert.deepEqual(
    problems(`<firewall ${FW} xmlns:yang="urn:ietf:params:xml:ns:yang:1"><rule yang:insert="first"><sequence>5</sequence><action>drop</action></rule></firewall>`),
    [['TXN_NOT_SUPPORTED', "/firewall/rule[sequence='5']"]],
  );
});

test('elements must be in the namespace of their part', () => {
  assert.deepEqual(problems('<interfaces xmlns="urn:appliance:system"/>'), [['SCHEMA_UNKNOWN_ELEMENT', '/interfaces']]);
  assert.deepEqual(problems('<interfaces xmlns=""/>'), [['SCHEMA_UNKNOWN_ELEMENT', '/interfaces']]);
  assert.deepEqual(problems(`<interfaces ${IF}><interface><name>eth0</name><mtu xmlns="urn:other">1500</mtu></interface></interfaces>`),
    [['SCHEMA_UNKNOWN_ELEMENT', "/interfaces/interface[name='eth0']/mtu"]]);
  // A prefixed child in the right namespace is fine.
  assert.deepEqual(decode(`<i:interfaces xmlns:i="urn:appliance:interfaces"><i:interface><i:name>eth0</i:name></i:interface></i:interfaces>`),
    { interfaces: { interface: [{ name: 'eth0' }] } });
});

test('unknown elements are reported at their data path, with the keys of enclosing entries', () => {
  assert.deepEqual(problems('<bogus xmlns="urn:appliance:bogus"/>'), [['SCHEMA_UNKNOWN_ELEMENT', '/bogus']]);
  assert.deepEqual(problems(`<interfaces ${IF}><interface><bogus/><name>eth0</name></interface></interfaces>`),
    [['SCHEMA_UNKNOWN_ELEMENT', "/interfaces/interface[name='eth0']/bogus"]]);
  assert.deepEqual(
    problems(`<system ${SYS}><users><user><name>alice</name><role>admin</role><ssh-key><name>laptop</name><key>ssh-ed25519 AAAA</key><bogus/></ssh-key></user></users></system>`),
    [['SCHEMA_UNKNOWN_ELEMENT', "/system/users/user[name='alice']/ssh-key[name='laptop']/bogus"]],
  );
  assert.deepEqual(problems(`<firewall ${FW}><rule><sequence>10</sequence><bogus/></rule></firewall>`),
    [['SCHEMA_UNKNOWN_ELEMENT', "/firewall/rule[sequence='10']/bogus"]]);
});

test('values that do not fit their type are SCHEMA_INVALID_VALUE at the exact path', () => {
  assert.deepEqual(problems(`<interfaces ${IF}><interface><name>eth0</name><mtu>big</mtu></interface></interfaces>`),
    [['SCHEMA_INVALID_VALUE', "/interfaces/interface[name='eth0']/mtu"]]);
  assert.deepEqual(problems(`<interfaces ${IF}><interface><name>eth0</name><enabled>yes</enabled></interface></interfaces>`),
    [['SCHEMA_INVALID_VALUE', "/interfaces/interface[name='eth0']/enabled"]]);
  assert.deepEqual(problems(`<interfaces ${IF}><interface><name>eth0</name><mtu/></interface></interfaces>`),
    [['SCHEMA_INVALID_VALUE', "/interfaces/interface[name='eth0']/mtu"]]);
  assert.deepEqual(problems(`<firewall ${FW}><rule><sequence>ten</sequence><action>drop</action></rule></firewall>`),
    [['SCHEMA_INVALID_VALUE', '/firewall/rule/sequence']]);
});

test('a leaf with children, a container with text, a repeated leaf are SCHEMA_INVALID_VALUE', () => {
  assert.deepEqual(problems(`<system ${SYS}><hostname><x/></hostname></system>`), [['SCHEMA_INVALID_VALUE', '/system/hostname']]);
  assert.deepEqual(problems(`<system ${SYS}><ntp>on</ntp></system>`), [['SCHEMA_INVALID_VALUE', '/system/ntp']]);
  assert.deepEqual(problems(`<system ${SYS}><hostname>a</hostname><hostname>b</hostname></system>`), [['SCHEMA_INVALID_VALUE', '/system/hostname']]);
  assert.deepEqual(problems(`<interfaces ${IF}><interface><name>eth0</name><name>eth1</name></interface></interfaces>`),
    [['SCHEMA_INVALID_VALUE', "/interfaces/interface[name='eth0']/name"]]);
});

test('a list entry without its key is SCHEMA_MISSING_KEY at the list', () => {
  assert.deepEqual(problems(`<interfaces ${IF}><interface><mtu>1500</mtu></interface></interfaces>`),
    [['SCHEMA_MISSING_KEY', '/interfaces/interface']]);
});

test('read-only state inside a config is SCHEMA_NOT_CONFIG', () => {
  assert.deepEqual(problems(`<interfaces ${IF}><interface><name>eth0</name><state><oper-status>up</oper-status></state></interface></interfaces>`),
    [['SCHEMA_NOT_CONFIG', "/interfaces/interface[name='eth0']/state"]]);
});

test('every problem is reported, each with its path', () => {
  assert.deepEqual(
    problems(`<interfaces ${IF}><interface><name>eth0</name><mtu>x</mtu><bogus/></interface></interfaces><nope xmlns="urn:x"/>`),
    [
      ['SCHEMA_INVALID_VALUE', "/interfaces/interface[name='eth0']/mtu"],
      ['SCHEMA_UNKNOWN_ELEMENT', "/interfaces/interface[name='eth0']/bogus"],
      ['SCHEMA_UNKNOWN_ELEMENT', '/nope'],
    ],
  );
  assert.throws(() => decode(`<interfaces ${IF}><interface><name>eth0</name><mtu>x</mtu><bogus/></interface></interfaces>`),
    (e: unknown) => e instanceof ConfdError && e.code === 'TXN_VALIDATION_FAILED' && e.issues.length === 2);
});

/** A realistic configuration, as a datastore would materialize it. */
function realisticConfig(): JsonObject {
  return {
    system: {
      hostname: 'edge-1',
      domain: 'example.net',
      timezone: 'Europe/Paris',
      ntp: { enabled: true, server: ['0.pool.ntp.org', '10.0.0.123'] },
      dns: { server: ['10.0.0.53', '10.0.1.53'], search: ['example.net', 'lab.example.net'] },
      syslog: { remote: [{ host: 'logs.example.net', port: 6514, protocol: 'tcp', severity: 'warning' }] },
      users: {
        user: [
          {
            name: 'alice', role: 'admin', 'full-name': 'Alice <Ops> & "Co"', 'password-hash': '$scrypt$N=16384,r=8,p=1$abc$def',
            'ssh-key': [
              { name: 'laptop', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq alice@laptop' },
              { name: 'ci', key: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC= ci' },
            ],
          },
          { name: 'bob', role: 'viewer' },
        ],
      },
    },
    interfaces: {
      interface: [
        { name: 'eth0', description: 'uplink to core, rack 4', enabled: true, mtu: 9000, address: ['192.0.2.1/24', '198.51.100.1/25'] },
        { name: 'eth1', description: '  spaces kept  ', enabled: false, mtu: 1500 },
        { name: 'lo0', address: ['127.0.0.1/8'] },
      ],
    },
    routing: {
      static: {
        route: [
          { prefix: '0.0.0.0/0', 'next-hop': '192.0.2.254', interface: 'eth0', metric: 1 },
          { prefix: '10.0.0.0/8', 'next-hop': '198.51.100.126', interface: 'eth0', metric: 20, description: 'to the lab' },
        ],
      },
    },
    firewall: {
      'default-action': 'drop',
      rule: [
        { sequence: 10, name: 'ssh', action: 'accept', protocol: 'tcp', port: 22, interface: 'eth0', enabled: true },
        { sequence: 20, name: 'ping', action: 'accept', protocol: 'icmp', source: '10.0.0.0/8', enabled: true },
        { sequence: 4294967295, action: 'reject', protocol: 'any', enabled: false, description: 'catch-all' },
      ],
    },
    features: { feature: [{ name: 'lldp', enabled: true, description: 'Link layer discovery' }, { name: 'netflow', enabled: false }] },
  };
}

test('a realistic configuration round-trips through XML unchanged', () => {
  const tree = realisticConfig();
  const xml = configToXml(testSchema(), tree);
  const back = configFromXml(testSchema(), configElements(xml), { allowOperations: false });
  assert.deepEqual(back, tree);
});

test('configToXml writes schema order, keys first, namespaces on parts, escaped text', () => {
  const xml = configToXml(testSchema(), {
    firewall: { rule: [{ action: 'drop', description: 'a < b & c', sequence: 7 }], 'default-action': 'accept' },
    system: { users: { user: [{ role: 'admin', 'ssh-key': [{ key: 'ssh-ed25519 AAAA', name: 'k1' }], name: 'root' }] } },
  });
  assert.equal(xml,
    '<system xmlns="urn:appliance:system"><users><user><name>root</name><role>admin</role>'
    + '<ssh-key><name>k1</name><key>ssh-ed25519 AAAA</key></ssh-key></user></users></system>'
    + '<firewall xmlns="urn:appliance:firewall"><default-action>accept</default-action>'
    + '<rule><sequence>7</sequence><action>drop</action><description>a &lt; b &amp; c</description></rule></firewall>');
});

test('configToXml writes read-only state too', () => {
  const xml = configToXml(testSchema(), {
    interfaces: { interface: [{ name: 'eth0', state: { 'oper-status': 'up', 'in-octets': 1234 } }] },
  });
  assert.equal(xml, '<interfaces xmlns="urn:appliance:interfaces"><interface><name>eth0</name>'
    + '<state><oper-status>up</oper-status><in-octets>1234</in-octets></state></interface></interfaces>');
});

test('configToXml refuses a tree that does not have the schema shape', () => {
  const internal = (e: unknown) => e instanceof ConfdError && e.code === 'INTERNAL';
  assert.throws(() => configToXml(testSchema(), { interfaces: { interface: { name: 'eth0' } } }), internal);
  assert.throws(() => configToXml(testSchema(), { system: { hostname: { x: 1 } } }), internal);
  assert.throws(() => configToXml(testSchema(), { interfaces: { interface: [{ mtu: 1500 }] } }), internal);
});
