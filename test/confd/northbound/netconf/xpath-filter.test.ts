/**
 * RFC 6241 §8.9 XPath filters, in-process: get-config and get with type="xpath", the reply
 * holding each selected node with its subtree and its ancestors (list keys included); every
 * XPath 1.0 core function (§4 of the XPath 1.0 recommendation) used in a predicate over the
 * data tree, which is what advertising :xpath promises; prefixes from the filter or the rpc,
 * unprefixed names in any namespace; with-defaults applied before the filter; bad expressions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NetconfClient } from '../../../helpers/netconf-client.js';
import { kids, openNetconfRig, replyData, replyErrors, type NetconfRig } from '../../../helpers/netconf-rig.js';
import { writeXml } from '../../../../confd/northbound/netconf/xml-writer.js';
import type { XmlElement } from '../../../../confd/northbound/netconf/xml-element.js';

const IF_NS = 'urn:appliance:interfaces';
const SYS_NS = 'urn:appliance:system';
const WD_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults';

describe('XPath filters (RFC 6241 §8.9)', () => {
  let rig: NetconfRig;
  let c: NetconfClient;
  before(async () => {
    rig = await openNetconfRig(2, {
      system: { hostname: 'edge-1' },
      interfaces: { interface: [
        { name: 'eth0', description: 'uplink to core', mtu: 9000 },
        { name: 'eth1', description: '  lan   side ', mtu: 1400, enabled: false },
        { name: 'eth2' },
      ] },
    });
    c = await rig.connect();
  });
  after(() => rig.close());

  const xpathRpc = (select: string, op = 'get-config', extra = '') => `<${op}>${op === 'get-config' ? '<source><running/></source>' : ''}`
    + `<filter type="xpath" xmlns:if="${IF_NS}" xmlns:sys="${SYS_NS}" select="${select.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')}"/>${extra}</${op}>`;

  async function data(select: string, op = 'get-config', extra = ''): Promise<XmlElement> {
    return replyData(await c.rpc(xpathRpc(select, op, extra)));
  }

  /** Names of the interfaces in the reply. */
  async function names(select: string): Promise<string[]> {
    const d = await data(select);
    const top = kids(d, 'interfaces', IF_NS)[0];
    return top ? kids(top, 'interface', IF_NS).map((i) => kids(i, 'name', IF_NS)[0]!.text) : [];
  }

  it('selects an entry with its subtree and ancestors only', async () => {
    const d = await data("/if:interfaces/if:interface[if:name='eth0']");
    assert.equal(d.children.length, 1, writeXml(d));
    assert.equal(writeXml(d.children[0]!), `<interfaces xmlns="${IF_NS}"><interface><name>eth0</name><description>uplink to core</description><mtu>9000</mtu></interface></interfaces>`);
  });

  it('a selected leaf comes with its ancestors and the keys of the list entries on the way', async () => {
    const d = await data('/if:interfaces/if:interface/if:mtu');
    assert.equal(writeXml(d.children[0]!), `<interfaces xmlns="${IF_NS}"><interface><name>eth0</name><mtu>9000</mtu></interface><interface><name>eth1</name><mtu>1400</mtu></interface></interfaces>`);
  });

  it('every XPath 1.0 core function works on the data tree', async () => {
    const cases: Array<[string, string[]]> = [
      // node-set functions
      ['/if:interfaces/if:interface[last()]', ['eth2']],
      ['/if:interfaces/if:interface[position() = 2]', ['eth1']],
      ['/if:interfaces/if:interface[count(if:description) = 0]', ['eth2']],
      ['/if:interfaces/if:interface[count(id(\'eth0\')) = 0][1]', ['eth0']],
      ['/if:interfaces/if:interface[local-name(if:mtu) = \'mtu\']', ['eth0', 'eth1']],
      [`/if:interfaces/if:interface[namespace-uri() = '${IF_NS}'][if:name = 'eth2']`, ['eth2']],
      ['/if:interfaces/if:interface[name(*[1]) = \'name\'][if:mtu > 5000]', ['eth0']],
      // string functions
      ['/if:interfaces/if:interface[string(if:mtu) = \'1400\']', ['eth1']],
      ['/if:interfaces/if:interface[concat(if:name, \'/\', if:mtu) = \'eth0/9000\']', ['eth0']],
      ['/if:interfaces/if:interface[starts-with(if:description, \'uplink\')]', ['eth0']],
      ['/if:interfaces/if:interface[contains(if:description, \'lan\')]', ['eth1']],
      ['/if:interfaces/if:interface[substring-before(if:description, \' to\') = \'uplink\']', ['eth0']],
      ['/if:interfaces/if:interface[substring-after(if:description, \'to \') = \'core\']', ['eth0']],
      ['/if:interfaces/if:interface[substring(if:name, 4) = \'1\']', ['eth1']],
      ['/if:interfaces/if:interface[string-length(if:description) = 14]', ['eth0']],
      ['/if:interfaces/if:interface[normalize-space(if:description) = \'lan side\']', ['eth1']],
      ['/if:interfaces/if:interface[translate(if:name, \'eth\', \'ETH\') = \'ETH2\']', ['eth2']],
      // boolean functions
      ['/if:interfaces/if:interface[boolean(if:description)]', ['eth0', 'eth1']],
      ['/if:interfaces/if:interface[not(if:description)]', ['eth2']],
      ['/if:interfaces/if:interface[true()][if:name = \'eth0\']', ['eth0']],
      ['/if:interfaces/if:interface[false()]', []],
      ['/if:interfaces/if:interface[not(lang(\'en\'))][if:name = \'eth1\']', ['eth1']],
      // number functions
      ['/if:interfaces/if:interface[number(if:mtu) > 1000]', ['eth0', 'eth1']],
      ['/if:interfaces[sum(if:interface/if:mtu) = 10400]/if:interface[1]', ['eth0']],
      ['/if:interfaces/if:interface[floor(if:mtu div 1000) = 1]', ['eth1']],
      ['/if:interfaces/if:interface[ceiling(if:mtu div 1000) = 9]', ['eth0']],
      ['/if:interfaces/if:interface[round(if:mtu div 1000) = 1]', ['eth1']],
    ];
    for (const [select, expected] of cases) assert.deepEqual(await names(select), expected, select);
  });

  it('unions, axes and names without a prefix; prefixes declared on the rpc', async () => {
    assert.deepEqual(await names("/interfaces/interface[name='eth1']"), ['eth1']);
    assert.deepEqual(await names("//if:interface[if:mtu=1400]/following-sibling::if:interface"), ['eth2']);
    const d = await data("/sys:system/sys:hostname | /if:interfaces/if:interface[if:name='eth2']/if:name");
    assert.deepEqual(d.children.map((e) => e.name), ['system', 'interfaces']);
    assert.equal(kids(d.children[0]!, 'hostname', SYS_NS)[0]!.text, 'edge-1');
    const onRpc = await c.rpc(`<get-config><source><running/></source><filter type="xpath" select="/x:interfaces/x:interface[x:name='eth0']/x:mtu"/></get-config>`,
      { 'xmlns:x': IF_NS });
    assert.match(writeXml(replyData(onRpc)), /<mtu>9000<\/mtu>/);
  });

  it('applies after with-defaults (report-all shows defaults to the filter) and works on get with state and server data', async () => {
    assert.deepEqual(await names('/if:interfaces/if:interface[if:enabled = \'true\']'), []);
    const all = await data('/if:interfaces/if:interface[if:enabled = \'true\']', 'get-config', `<with-defaults xmlns="${WD_NS}">report-all</with-defaults>`);
    assert.deepEqual(kids(kids(all, 'interfaces', IF_NS)[0]!, 'interface', IF_NS).map((i) => kids(i, 'name', IF_NS)[0]!.text), ['eth0', 'eth2']);
    const state = await data("/if:interfaces/if:interface[if:name='eth0']/if:state", 'get');
    assert.ok(kids(kids(kids(state, 'interfaces', IF_NS)[0]!, 'interface', IF_NS)[0]!, 'state', IF_NS).length === 1, writeXml(state));
    const mon = await data("/*[local-name()='netconf-state']/*[local-name()='schemas']/*[local-name()='schema'][*[local-name()='identifier']='appliance-interfaces']", 'get');
    assert.match(writeXml(mon), /<identifier>appliance-interfaces<\/identifier>/);
    assert.ok(!writeXml(mon).includes('<sessions'), 'only the schema asked for');
  });

  it('a bad expression, an undeclared prefix, a value that is not a node-set, or no select is refused; nothing is returned', async () => {
    for (const select of ['/if:interfaces[', '/nope:interfaces', 'count(/if:interfaces)']) {
      const errors = replyErrors(await c.rpc(xpathRpc(select)));
      assert.deepEqual(errors.map((e) => [e.tag, e.info['bad-attribute']]), [['bad-attribute', 'select']], select);
    }
    const missing = replyErrors(await c.rpc('<get-config><source><running/></source><filter type="xpath"/></get-config>'));
    assert.deepEqual(missing.map((e) => e.tag), ['missing-attribute']);
    const other = replyErrors(await c.rpc('<get-config><source><running/></source><filter type="regex" select="x"/></get-config>'));
    assert.deepEqual(other.map((e) => e.tag), ['bad-attribute']);
  });
});

describe('XPath filter cost', () => {
  it('an expression quadratic in the data is stopped after its visit budget with bad-attribute, and the session goes on', { timeout: 120_000 }, async () => {
    const many = Array.from({ length: 1500 }, (_, i) => ({ name: `eth${i}`, description: `d${i}` }));
    const rig = await openNetconfRig(2, { interfaces: { interface: many } });
    try {
      const c = await rig.connect();
      const started = Date.now();
      const errors = replyErrors(await c.rpc('<get-config><source><running/></source><filter type="xpath" select="//*[count(//*) &gt; 0]"/></get-config>'));
      assert.deepEqual(errors.map((e) => [e.tag, e.info['bad-attribute']]), [['bad-attribute', 'select']]);
      assert.ok(Date.now() - started < 60_000, 'stopped, not run to the end');
      const d = replyData(await c.rpc(`<get-config><source><running/></source><filter type="xpath" select="/interfaces/interface[name='eth7']/description"/></get-config>`));
      assert.match(writeXml(d), /<name>eth7<\/name><description>d7<\/description>/);
    } finally {
      await rig.close();
    }
  });
});
