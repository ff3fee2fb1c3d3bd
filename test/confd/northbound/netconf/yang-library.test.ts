/**
 * @module test/confd/northbound/netconf/yang-library
 * What a schema-driven NMS reads from the server, in-process: <get-schema> (RFC 6022 §3.1) for
 * every published module and its errors, netconf-state (RFC 6022) and yang-library (RFC 8525)
 * filtered by subtree filters, get and get-config replies of the fixtures validated by
 * yanglint, RFC 6243 with-defaults (each mode on get, get-config and copy-config), and unknown parameters refused with unknown-element.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APP_ROOT, SCHEMAS_DIR } from '../../../../confd/main/app-paths.js';
import { MONITORING_NS } from '../../../../confd/northbound/netconf/capabilities.js';
import { NETCONF_BASE_NS, attribute, type XmlElement } from '../../../../confd/northbound/netconf/xml-element.js';
import { YANG_LIBRARY_NS } from '../../../../confd/northbound/netconf/yang-library.js';
import type { JsonObject } from '../../../../confd/core/tree.js';
import { publishedModules } from '../../../../confd/schema/yang-files.js';
import { kids, openNetconfRig, replyData, replyErrors, type NetconfRig } from '../../../helpers/netconf-rig.js';
import { validateData } from '../../../helpers/yanglint.js';
import type { NetconfClient } from '../../../helpers/netconf-client.js';

const IF_NS = 'urn:appliance:interfaces';
const WD_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults';
const SERVER_MODULES = ['ietf-netconf-monitoring', 'ietf-yang-library', 'ietf-datastores', 'nc-notifications'];

function getSchema(identifier: string, extra = ''): string {
  return `<get-schema xmlns="${MONITORING_NS}"><identifier>${identifier}</identifier>${extra}</get-schema>`;
}

function fixture(version: number, name: string): JsonObject {
  return JSON.parse(readFileSync(join(APP_ROOT, 'test', 'fixtures', 'configs', `v${version}`, name), 'utf8')) as JsonObject;
}

describe('get-schema (RFC 6022 §3.1)', () => {
  let rig: NetconfRig;
  before(async () => { rig = await openNetconfRig(2); });
  after(() => rig.close());

  it('returns the text of every published module, byte for byte', async () => {
    const c = await rig.connect();
    const modules = publishedModules(SCHEMAS_DIR, 2);
    assert.ok(modules.length >= 15);
    for (const m of modules) {
      const data = replyData(await c.rpc(getSchema(m.name, `<version>${m.revision}</version><format>yang</format>`)), MONITORING_NS);
      assert.equal(data.ns, MONITORING_NS);
      assert.equal(data.text, m.text, m.name);
      const noVersion = replyData(await c.rpc(getSchema(m.name)), MONITORING_NS);
      assert.equal(noVersion.text, m.text);
    }
  });

  it('an unknown identifier, version or format is invalid-value, naming the element', async () => {
    const c = await rig.connect();
    const cases: [string, string][] = [
      [getSchema('no-such-module'), 'identifier'],
      [getSchema('appliance-interfaces', '<version>1999-01-01</version>'), 'version'],
      [getSchema('appliance-interfaces', '<format>xsd</format>'), 'format'],
    ];
    for (const [rpc, element] of cases) {
      const errors = replyErrors(await c.rpc(rpc));
      assert.deepEqual(errors.map((e) => [e.type, e.tag, e.info['bad-element']]), [['application', 'invalid-value', element]], rpc);
    }
  });

  it('a missing identifier is missing-element, an unknown parameter unknown-element', async () => {
    const c = await rig.connect();
    let errors = replyErrors(await c.rpc(`<get-schema xmlns="${MONITORING_NS}"/>`));
    assert.deepEqual(errors.map((e) => [e.tag, e.info['bad-element']]), [['missing-element', 'identifier']]);
    errors = replyErrors(await c.rpc(getSchema('appliance-interfaces', '<bogus/>')));
    assert.deepEqual(errors.map((e) => [e.type, e.tag, e.info['bad-element']]), [['protocol', 'unknown-element', 'bogus']]);
  });
});

describe('netconf-state and yang-library under subtree filters', () => {
  let rig: NetconfRig;
  before(async () => { rig = await openNetconfRig(2, fixture(2, 'full.json')); });
  after(() => rig.close());

  const get = (filter: string): string => `<get><filter type="subtree">${filter}</filter></get>`;

  it('a filter selecting netconf-state/schemas returns only the schemas, every module with format yang and location NETCONF', async () => {
    const c = await rig.connect();
    const data = replyData(await c.rpc(get(`<netconf-state xmlns="${MONITORING_NS}"><schemas/></netconf-state>`)));
    assert.deepEqual(data.children.map((x) => x.name), ['netconf-state']);
    const state = data.children[0]!;
    assert.deepEqual(state.children.map((x) => x.name), ['schemas']);
    const schemas = kids(state.children[0]!, 'schema', MONITORING_NS);
    assert.equal(schemas.length, rig.server.library.modules.length);
    for (const s of schemas) {
      assert.deepEqual(s.children.map((x) => x.name), ['identifier', 'version', 'format', 'namespace', 'location']);
      assert.equal(kids(s, 'format', MONITORING_NS)[0]!.text, 'yang');
      assert.equal(kids(s, 'location', MONITORING_NS)[0]!.text, 'NETCONF');
    }
  });

  it('a content match on session-id selects that one session; the datastores show locks with their time', async () => {
    const a = await rig.connect();
    const b = await rig.connect();
    assert.ok(kids(await b.rpc('<lock><target><candidate/></target></lock>'), 'ok', NETCONF_BASE_NS).length === 1);
    const data = replyData(await a.rpc(get(`<netconf-state xmlns="${MONITORING_NS}"><sessions><session><session-id>${b.sessionId}</session-id></session></sessions><datastores/></netconf-state>`)));
    const state = data.children[0]!;
    const sessions = kids(kids(state, 'sessions', MONITORING_NS)[0]!, 'session', MONITORING_NS);
    assert.deepEqual(sessions.map((s) => kids(s, 'session-id', MONITORING_NS)[0]!.text), [String(b.sessionId)]);
    assert.ok(kids(sessions[0]!, 'in-rpcs', MONITORING_NS).length === 1, 'the whole entry is returned');
    const candidate = kids(kids(state, 'datastores', MONITORING_NS)[0]!, 'datastore', MONITORING_NS)
      .find((d) => kids(d, 'name', MONITORING_NS)[0]!.text === 'candidate')!;
    const lock = kids(kids(candidate, 'locks', MONITORING_NS)[0]!, 'global-lock', MONITORING_NS)[0]!;
    assert.equal(kids(lock, 'locked-by-session', MONITORING_NS)[0]!.text, String(b.sessionId));
    assert.ok(!Number.isNaN(Date.parse(kids(lock, 'locked-time', MONITORING_NS)[0]!.text)));
    await b.rpc('<unlock><target><candidate/></target></unlock>');
  });

  it('a filter on netconf-state returns no device configuration, and one on the model no netconf-state', async () => {
    const c = await rig.connect();
    let data = replyData(await c.rpc(get(`<netconf-state xmlns="${MONITORING_NS}"><statistics/></netconf-state>`)));
    assert.deepEqual(data.children.map((x) => x.name), ['netconf-state']);
    data = replyData(await c.rpc(get(`<interfaces xmlns="${IF_NS}"/>`)));
    assert.deepEqual(data.children.map((x) => x.name), ['interfaces']);
  });

  it('yang-library lists every module in one module set, with the datastores and the content-id of the hello', async () => {
    const c = await rig.connect();
    const data = replyData(await c.rpc(get(`<yang-library xmlns="${YANG_LIBRARY_NS}"/>`)));
    const lib = data.children[0]!;
    assert.equal(lib.name, 'yang-library');
    const set = kids(lib, 'module-set', YANG_LIBRARY_NS)[0]!;
    const names = [...kids(set, 'module', YANG_LIBRARY_NS), ...kids(set, 'import-only-module', YANG_LIBRARY_NS)]
      .map((m) => kids(m, 'name', YANG_LIBRARY_NS)[0]!.text).sort();
    assert.deepEqual(names, rig.server.library.modules.map((m) => m.name).sort());
    const implemented = kids(set, 'module', YANG_LIBRARY_NS).map((m) => kids(m, 'name', YANG_LIBRARY_NS)[0]!.text);
    for (const m of ['ietf-netconf', 'ietf-netconf-monitoring', 'ietf-netconf-notifications', 'ietf-netconf-with-defaults', 'ietf-yang-library', 'appliance-interfaces']) {
      assert.ok(implemented.includes(m), `${m} implemented`);
    }
    const id = kids(lib, 'content-id', YANG_LIBRARY_NS)[0]!.text;
    assert.ok(c.serverCapabilities.some((x) => x.endsWith(`content-id=${id}`)));
    assert.equal(kids(lib, 'datastore', YANG_LIBRARY_NS).length, 3);
  });
});

describe('replies validate against the published modules (yanglint)', () => {
  for (const version of [1, 2]) {
    const names = readdirSync(join(APP_ROOT, 'test', 'fixtures', 'configs', `v${version}`)).filter((f) => f.endsWith('.json')).sort();
    for (const name of names) {
      it(`v${version} ${name}: get-config and get`, async () => {
        const rig = await openNetconfRig(version, fixture(version, name));
        try {
          const c = await rig.connect();
          // The reply as sent (identity prefixes are declared in it), without <rpc-reply><data>.
          const body = (reply: XmlElement): string => {
            replyData(reply);
            return c.textOf(reply).replace(/^(<\?xml[^>]*\?>)?\s*<rpc-reply[^>]*>\s*<data[^>]*>/, '').replace(/<\/data>\s*<\/rpc-reply>\s*$/, '');
          };
          const config = body(await c.rpc('<get-config><source><running/></source></get-config>'));
          let r = await validateData(version, config, 'config');
          assert.equal(r.stderr, '', config);
          await c.rpc('<lock><target><running/></target></lock>');
          const all = body(await c.rpc('<get/>'));
          r = await validateData(version, all, 'get', SERVER_MODULES);
          assert.equal(r.stderr, '');
          assert.equal(r.code, 0);
        } finally {
          await rig.close();
        }
      });
    }
  }
});

describe('with-defaults (RFC 6243)', () => {
  let rig: NetconfRig;
  let client: NetconfClient;
  before(async () => {
    rig = await openNetconfRig(2, { interfaces: { interface: [{ name: 'eth0', mtu: 1400 }, { name: 'eth1' }, { name: 'eth2', mtu: 1500 }] } });
    client = await rig.connect();
  });
  after(() => rig.close());

  const wd = (mode?: string) => (mode ? `<with-defaults xmlns="${WD_NS}">${mode}</with-defaults>` : '');
  const getConfig = (mode?: string, source = 'running'): string => `<get-config><source><${source}/></source><filter type="subtree"><interfaces xmlns="${IF_NS}"/></filter>`
    + `${wd(mode)}</get-config>`;

  async function leaves(mode?: string, source = 'running', op: 'get-config' | 'get' = 'get-config'): Promise<Record<string, [string, string | undefined][]>> {
    const c = client;
    const rpc = op === 'get' ? `<get><filter type="subtree"><interfaces xmlns="${IF_NS}"/></filter>${wd(mode)}</get>` : getConfig(mode, source);
    const data = replyData(await c.rpc(rpc));
    const out: Record<string, [string, string | undefined][]> = {};
    for (const i of kids(data.children[0]!, 'interface', IF_NS)) {
      out[kids(i, 'name', IF_NS)[0]!.text] = i.children.filter((x) => x.name !== 'name' && x.name !== 'state')
        .map((x) => [`${x.name}=${x.text}`, attribute(x, 'urn:ietf:params:xml:ns:netconf:default:1.0', 'default')]);
    }
    return out;
  }

  const explicit = { eth0: [['mtu=1400', undefined]], eth1: [], eth2: [['mtu=1500', undefined]] };

  it('explicit (the basic mode, and when absent) returns what a client set, a value equal to its default included', async () => {
    assert.deepEqual(await leaves(), explicit);
    assert.deepEqual(await leaves('explicit'), explicit);
  });

  it('report-all returns every default', async () => {
    assert.deepEqual(await leaves('report-all'), {
      eth0: [['enabled=true', undefined], ['mtu=1400', undefined]], eth1: [['enabled=true', undefined], ['mtu=1500', undefined]],
      eth2: [['enabled=true', undefined], ['mtu=1500', undefined]],
    });
  });

  it('trim leaves out values equal to their default, set or not', async () => {
    assert.deepEqual(await leaves('trim'), { eth0: [['mtu=1400', undefined]], eth1: [], eth2: [] });
  });

  it('report-all-tagged marks them wd:default="true"', async () => {
    assert.deepEqual(await leaves('report-all-tagged'), {
      eth0: [['enabled=true', 'true'], ['mtu=1400', undefined]], eth1: [['enabled=true', 'true'], ['mtu=1500', 'true']],
      eth2: [['enabled=true', 'true'], ['mtu=1500', 'true']],
    });
  });

  it('an unknown mode is invalid-value naming with-defaults', async () => {
    const c = client;
    const errors = replyErrors(await c.rpc(getConfig('everything')));
    assert.deepEqual(errors.map((e) => [e.tag, e.info['bad-element']]), [['invalid-value', 'with-defaults']]);
  });

  it('applies to get', async () => {
    assert.deepEqual(await leaves(undefined, 'running', 'get'), explicit);
    assert.deepEqual(await leaves('trim', 'running', 'get'), { eth0: [['mtu=1400', undefined]], eth1: [], eth2: [] });
    const all = await leaves('report-all', 'running', 'get');
    assert.deepEqual(all['eth1'], [['enabled=true', undefined], ['mtu=1500', undefined]]);
  });

  it('on copy-config, says which defaults of the source the target gets as set values', async () => {
    const c = client;
    const copy = async (mode?: string) => {
      const r = await c.rpc(`<copy-config><target><candidate/></target><source><running/></source>${wd(mode)}</copy-config>`);
      assert.equal(kids(r, 'ok', NETCONF_BASE_NS).length, 1, JSON.stringify(r));
      return leaves('explicit', 'candidate');
    };
    const all = { eth0: [['enabled=true', undefined], ['mtu=1400', undefined]], eth1: [['enabled=true', undefined], ['mtu=1500', undefined]], eth2: [['enabled=true', undefined], ['mtu=1500', undefined]] };
    assert.deepEqual(await copy('report-all'), all);
    assert.deepEqual(await copy('report-all-tagged'), all);
    assert.deepEqual(await copy('trim'), { eth0: [['mtu=1400', undefined]], eth1: [], eth2: [] });
    assert.deepEqual(await copy(), explicit);
    const discard = await c.rpc('<discard-changes/>');
    assert.equal(kids(discard, 'ok', NETCONF_BASE_NS).length, 1);
  });

  it('an edit setting a leaf to its default is reported by explicit from then on; delete makes it a default again', async () => {
    const c = client;
    const edit = async (body: string) => {
      const r = await c.rpc(`<edit-config><target><candidate/></target><config><interfaces xmlns="${IF_NS}">${body}</interfaces></config></edit-config>`);
      assert.equal(kids(r, 'ok', NETCONF_BASE_NS).length, 1, JSON.stringify(r));
      const done = await c.rpc('<commit/>');
      assert.equal(kids(done, 'ok', NETCONF_BASE_NS).length, 1, JSON.stringify(done));
    };
    await edit('<interface><name>eth1</name><enabled>true</enabled></interface>');
    assert.deepEqual((await leaves())['eth1'], [['enabled=true', undefined]]);
    await edit('<interface xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><name>eth1</name><enabled nc:operation="delete"/></interface>');
    assert.deepEqual((await leaves())['eth1'], []);
  });
});

describe('unknown parameters (RFC 6241 §4.3)', () => {
  it('<get><bogus/></get> and <get-config> with an extra element are unknown-element', async () => {
    const rig = await openNetconfRig(2);
    try {
      const c = await rig.connect();
      for (const rpc of ['<get><bogus/></get>', '<get-config><source><running/></source><bogus xmlns="urn:x"/></get-config>']) {
        const errors = replyErrors(await c.rpc(rpc));
        assert.deepEqual(errors.map((e) => [e.type, e.tag, e.info['bad-element']]), [['protocol', 'unknown-element', 'bogus']], rpc);
      }
    } finally {
      await rig.close();
    }
  });
});
