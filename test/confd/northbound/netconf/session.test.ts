/**
 * @module test/confd/northbound/netconf/session
 * NETCONF protocol behaviour of a whole server, in-process over a linked in-memory pair (no
 * sockets): the hello exchange and framing choice (RFC 6242), rpc handling (RFC 6241 §4),
 * every operation, confirmed commit on fake time, notifications (RFC 5277, RFC 6470), the shape
 * of rpc-errors (RFC 6241 §4.3, Appendix A) and access rules. Asserts bytes where RFC 6242 is
 * byte-precise, elements and error tags where RFC 6241 is, never message text.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { join } from 'node:path';
import {
  BASE_10, BASE_11, MONITORING_NS, NETCONF_NOTIFICATIONS_NS, NOTIFICATION_NS,
} from '../../../../confd/northbound/netconf/capabilities.js';
import { encodeMessage } from '../../../../confd/northbound/netconf/framing.js';
import { NetconfServer, type NetconfLimits } from '../../../../confd/northbound/netconf/server.js';
import { NETCONF_BASE_NS, attribute, type XmlElement } from '../../../../confd/northbound/netconf/xml-element.js';
import { writeXml } from '../../../../confd/northbound/netconf/xml-writer.js';
import { linkedPair } from '../../../../confd/northbound/transport.js';
import { Operations } from '../../../../confd/rpc/operations.js';
import { SCHEMAS_DIR } from '../../../../confd/main/app-paths.js';
import { publishedModules } from '../../../../confd/schema/yang-files.js';
import type { JsonObject } from '../../../../confd/core/tree.js';
import type { ConfigEngine } from '../../../../confd/txn/engine.js';
import { openTestDevice, quietLogger, type TestDevice } from '../../../helpers/device.js';
import { FakeClock, openDeviceOnClock, settleEngine } from '../../../helpers/engine-fixtures.js';
import { NetconfClient, clientHello, type NetconfClientOptions } from '../../../helpers/netconf-client.js';

const BASE = NETCONF_BASE_NS;
const IF_NS = 'urn:appliance:interfaces';
const SYS_NS = 'urn:appliance:system';
const RT_NS = 'urn:appliance:routing';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const EOM = ']]>]]>';

const PROTOCOL_CAPABILITIES = [
  'urn:ietf:params:netconf:base:1.0',
  'urn:ietf:params:netconf:base:1.1',
  'urn:ietf:params:netconf:capability:candidate:1.0',
  'urn:ietf:params:netconf:capability:confirmed-commit:1.1',
  'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
  'urn:ietf:params:netconf:capability:validate:1.0',
  'urn:ietf:params:netconf:capability:validate:1.1',
  'urn:ietf:params:netconf:capability:startup:1.0',
  'urn:ietf:params:netconf:capability:notification:1.0',
  'urn:ietf:params:netconf:capability:interleave:1.0',
  'urn:ietf:params:netconf:capability:xpath:1.0',
  'urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit&also-supported=report-all,trim,report-all-tagged',
];

const ADMIN_HASH = '$scrypt$N=16384,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';
const USERS: JsonObject[] = [
  { name: 'admin', role: 'admin', 'password-hash': ADMIN_HASH },
  { name: 'vic', role: 'viewer' },
  { name: 'olga', role: 'operator' },
];

// ---- the rig: one device, its NETCONF server(s), and the clients opened on them ----

interface ConnectOptions extends NetconfClientOptions {
  readonly server?: NetconfServer;
}

interface Rig {
  readonly device: TestDevice;
  readonly engine: ConfigEngine;
  readonly server: NetconfServer;
  /** Another server on the same device, with other limits. */
  makeServer(limits: Partial<NetconfLimits>): NetconfServer;
  connect(user?: string, options?: ConnectOptions): Promise<NetconfClient>;
  /** Closes every client still open and waits until the engine has ended their sessions. */
  closeClients(): Promise<void>;
  close(): Promise<void>;
}

async function openRig(clock?: FakeClock): Promise<Rig> {
  const device = clock ? await openDeviceOnClock(clock) : await openTestDevice();
  const engine = device.engine;
  if (clock) {
    // Wait for the engine's queue without writing an audit record: settling with validate()
    // audits, which re-arms the audit timer at every step of clock.advance (one fsync each).
    clock.settle = () => engine.unlock(engine.systemSession, 'startup').then(() => undefined, () => undefined);
  }
  await engine.load(engine.systemSession, { system: { users: { user: USERS } } }, { merge: true, source: 'test' });
  const ops = new Operations(engine, quietLogger);
  // No host interfaces: state must not depend on the machine running the tests.
  const state = { engine, softwareVersion: 'test', sysClassNet: join(device.dir, 'no-sys-class-net') };
  const servers: NetconfServer[] = [];
  const makeServer = (limits?: Partial<NetconfLimits>): NetconfServer => {
    const s = new NetconfServer({ ops, log: quietLogger, state, modules: publishedModules(SCHEMAS_DIR, engine.schema.version), ...(limits ? { limits } : {}) });
    servers.push(s);
    return s;
  };
  const server = makeServer();
  const clients: NetconfClient[] = [];
  let port = 40000;
  const rig: Rig = {
    device, engine, server, makeServer,
    async connect(user = 'admin', options = {}) {
      const { server: target = server, ...clientOptions } = options;
      const [serverSide, clientSide] = linkedPair();
      const accepted = target.accept(serverSide, user, `192.0.2.1:${port++}`);
      assert.ok(accepted, 'the server accepted the session');
      const client = await NetconfClient.connect(clientSide, clientOptions);
      clients.push(client);
      return client;
    },
    async closeClients() {
      for (const c of clients.splice(0)) await c.close();
      await settleEngine(engine);
    },
    async close() {
      await rig.closeClients();
      for (const s of servers) s.closeAll();
      await settleEngine(engine);
      device.close();
    },
  };
  return rig;
}

// ---- message builders ----

function getConfig(source: string, filter?: string): string {
  return `<get-config><source><${source}/></source>${filter === undefined ? '' : `<filter type="subtree">${filter}</filter>`}</get-config>`;
}

interface EditOptions {
  readonly target?: string;
  readonly defaultOperation?: string;
  readonly testOption?: string;
  readonly errorOption?: string;
}

/** An <edit-config> with its parameters in the order of RFC 6241 §7.2; `nc:` is declared on <config>. */
function editConfig(config: string, o: EditOptions = {}): string {
  return `<edit-config><target><${o.target ?? 'candidate'}/></target>`
    + (o.defaultOperation ? `<default-operation>${o.defaultOperation}</default-operation>` : '')
    + (o.testOption ? `<test-option>${o.testOption}</test-option>` : '')
    + (o.errorOption ? `<error-option>${o.errorOption}</error-option>` : '')
    + `<config xmlns:nc="${BASE}">${config}</config></edit-config>`;
}

function ifs(...entries: string[]): string {
  return `<interfaces xmlns="${IF_NS}">${entries.join('')}</interfaces>`;
}

function iface(name: string, inner = '', attrs = ''): string {
  return `<interface${attrs}><name>${name}</name>${inner}</interface>`;
}

function route(prefix: string, ifName: string): string {
  return `<routing xmlns="${RT_NS}"><static><route><prefix>${prefix}</prefix><interface>${ifName}</interface></route></static></routing>`;
}

const VALIDATE_RUNNING = '<validate><source><running/></source></validate>';
const COMMIT = '<commit/>';
const DISCARD = '<discard-changes/>';

// ---- reading replies ----

function show(el: XmlElement): string {
  return writeXml(el);
}

function children(el: XmlElement, name: string, ns: string): XmlElement[] {
  return el.children.filter((c) => c.name === name && c.ns === ns);
}

/** The one descendant reached by `path` (names separated by '/'), every step in `ns`. */
function dig(el: XmlElement, ns: string, path: string): XmlElement {
  let at = el;
  for (const name of path.split('/')) {
    const next = children(at, name, ns);
    assert.equal(next.length, 1, `expected one <${name}> (${ns}) under <${at.name}> in ${show(el)}`);
    at = next[0]!;
  }
  return at;
}

function maybe(el: XmlElement, ns: string, path: string): XmlElement | undefined {
  let at: XmlElement | undefined = el;
  for (const name of path.split('/')) {
    at = at ? children(at, name, ns)[0] : undefined;
  }
  return at;
}

function assertReply(reply: XmlElement): void {
  assert.equal(reply.name, 'rpc-reply', `expected an rpc-reply, got ${show(reply)}`);
  assert.equal(reply.ns, BASE);
}

function assertOk(reply: XmlElement): void {
  assertReply(reply);
  assert.deepEqual(reply.children.map((c) => [c.name, c.ns]), [['ok', BASE]], `expected <ok/>, got ${show(reply)}`);
}

function dataOf(reply: XmlElement): XmlElement {
  assertReply(reply);
  assert.deepEqual(reply.children.map((c) => [c.name, c.ns]), [['data', BASE]], `expected <data>, got ${show(reply)}`);
  return reply.children[0]!;
}

interface RpcErr {
  readonly el: XmlElement;
  /** Local names of the children, in document order. */
  readonly order: string[];
  readonly type: string | undefined;
  readonly tag: string | undefined;
  readonly severity: string | undefined;
  readonly appTag: string | undefined;
  readonly path: string | undefined;
  readonly message: XmlElement | undefined;
  readonly info: Record<string, string>;
}

function rpcErrors(reply: XmlElement): RpcErr[] {
  assertReply(reply);
  const errors = reply.children.filter((c) => c.name === 'rpc-error' && c.ns === BASE);
  assert.equal(errors.length, reply.children.length, `an error reply holds only rpc-error elements: ${show(reply)}`);
  return errors.map((el) => {
    const leaf = (name: string) => children(el, name, BASE)[0]?.text.trim();
    const info: Record<string, string> = {};
    for (const i of children(el, 'error-info', BASE)) for (const c of i.children) info[c.name] = c.text.trim();
    return {
      el, order: el.children.map((c) => c.name),
      type: leaf('error-type'), tag: leaf('error-tag'), severity: leaf('error-severity'), appTag: leaf('error-app-tag'),
      path: leaf('error-path'), message: children(el, 'error-message', BASE)[0], info,
    };
  });
}

/** Asserts the reply is exactly one rpc-error of `type`/`tag` (type may be a list of allowed ones). */
function oneError(reply: XmlElement, type: string | readonly string[], tag: string): RpcErr {
  const errors = rpcErrors(reply);
  assert.equal(errors.length, 1, `expected one rpc-error, got ${show(reply)}`);
  const e = errors[0]!;
  assert.equal(e.tag, tag, `error-tag in ${show(reply)}`);
  if (typeof type === 'string') assert.equal(e.type, type, `error-type in ${show(reply)}`);
  else assert.ok(e.type !== undefined && type.includes(e.type), `error-type ${e.type} not one of ${type.join(', ')}`);
  assert.equal(e.severity, 'error');
  return e;
}

/** Asserts the reply holds at least one rpc-error and nothing else. */
function someError(reply: XmlElement): RpcErr[] {
  const errors = rpcErrors(reply);
  assert.ok(errors.length >= 1, `expected an rpc-error, got ${show(reply)}`);
  for (const e of errors) assert.equal(e.severity, 'error');
  return errors;
}

/** Names of the interface entries in a <data> element. */
function interfaceNames(data: XmlElement): string[] {
  const top = children(data, 'interfaces', IF_NS)[0];
  if (!top) return [];
  return children(top, 'interface', IF_NS).map((e) => dig(e, IF_NS, 'name').text);
}

function interfaceEntry(data: XmlElement, name: string): XmlElement {
  const top = dig(data, IF_NS, 'interfaces');
  const entry = children(top, 'interface', IF_NS).find((e) => dig(e, IF_NS, 'name').text === name);
  assert.ok(entry, `no interface ${name} in ${show(data)}`);
  return entry;
}

/**
 * Start tags named `localName` (any prefix) in raw XML: their xmlns:prefix declarations and
 * their text. The XML reader drops declarations, and RFC 6241 §4.3 / RFC 7950 §9.13.2 need them
 * to read an XPath or instance-identifier.
 */
function declaredOn(raw: string, localName: string): Array<{ prefixes: Map<string, string>; text: string }> {
  const out: Array<{ prefixes: Map<string, string>; text: string }> = [];
  const tag = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${localName}((?:\\s[^>]*)?)>([^<]*)<`, 'g');
  for (const m of raw.matchAll(tag)) {
    const prefixes = new Map<string, string>();
    for (const d of (m[1] ?? '').matchAll(/xmlns:([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"/g)) prefixes.set(d[1]!, d[2]!);
    out.push({ prefixes, text: m[2] ?? '' });
  }
  return out;
}

/** A prefixed XPath without its prefixes (outside quoted key values), and the prefixes it used. */
function stripPrefixes(xpath: string): { plain: string; used: Set<string> } {
  const used = new Set<string>();
  let plain = '';
  let quote = '';
  let i = 0;
  while (i < xpath.length) {
    const ch = xpath[i]!;
    if (quote) {
      plain += ch;
      if (ch === quote) quote = '';
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') { quote = ch; plain += ch; i++; continue; }
    const m = /^([A-Za-z_][\w.-]*):(?=[A-Za-z_])/.exec(xpath.slice(i));
    if (m && (i === 0 || /[/[\s(]/.test(xpath[i - 1]!))) {
      used.add(m[1]!);
      i += m[0].length;
      continue;
    }
    plain += ch;
    i++;
  }
  return { plain, used };
}

/** Asserts a prefixed path reads as `expected` with every prefix declared on its element as `ns`. */
function assertPrefixedPath(found: { prefixes: Map<string, string>; text: string }, expected: string, ns: string): void {
  const xpath = found.text.trim();
  const { plain, used } = stripPrefixes(xpath);
  assert.equal(plain, expected, `path ${xpath}`);
  assert.ok(used.size > 0, `the path ${xpath} is not prefixed`);
  for (const p of used) assert.equal(found.prefixes.get(p), ns, `prefix '${p}' of ${xpath} is declared on its element as ${ns}`);
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// =====================================================================================

describe('hello exchange and framing (RFC 6242 §3, §4; RFC 6241 §8.1)', () => {
  let rig: Rig;
  before(async () => { rig = await openRig(); });
  after(async () => { await rig.close(); });
  afterEach(async () => { await rig.closeClients(); });

  it('the server hello comes first, unprompted, end-of-message framed, with a session-id', async () => {
    // The client sends nothing: the server must not wait for the client's hello.
    const c = await rig.connect('admin', { hello: null });
    const bytes = c.receivedBytes().toString('utf8');
    assert.equal(bytes, c.serverHelloText + EOM, 'exactly one EOM-framed message, the hello');
    assert.match(bytes, /^(<\?xml [^>]*\?>)?<hello[\s>]/);
    const hello = c.serverHello!;
    assert.deepEqual([hello.name, hello.ns], ['hello', BASE]);
    assert.deepEqual(hello.children.map((x) => x.name), ['capabilities', 'session-id']);
    assert.ok(Number.isInteger(c.sessionId) && c.sessionId > 0, `session-id ${c.sessionId}`);
    assert.ok(rig.server.list().some((s) => s.id === c.sessionId), 'the session-id names the session');
  });

  it('advertises exactly the capabilities it implements, and one per YANG module with its revision', async () => {
    const c = await rig.connect();
    const caps = c.serverCapabilities;
    assert.equal(new Set(caps).size, caps.length, 'no capability twice');
    // The module capability of ietf-netconf is in the base namespace, with module= (RFC 6020 §5.6.4).
    const protocol = caps.filter((x) => x.startsWith('urn:ietf:params:netconf:') && !x.includes(':yang-library:') && !x.includes('?module='));
    assert.deepEqual([...protocol].sort(), [...PROTOCOL_CAPABILITIES].sort());
    const library = caps.filter((x) => x.startsWith('urn:ietf:params:netconf:capability:yang-library:1.1?'));
    assert.equal(library.length, 1, 'the RFC 8526 yang-library capability');
    assert.match(library[0]!, /\?revision=2019-01-04&content-id=[0-9a-f]+$/);
    const models = new Map([...rig.engine.schema.namespaces].map(([part, ns]) => [ns, part]));
    assert.deepEqual([...models.keys()].sort(),
      ['urn:appliance:features', 'urn:appliance:firewall', 'urn:appliance:interfaces', 'urn:appliance:routing', 'urn:appliance:system']);
    const seen = new Map<string, number>();
    for (const cap of caps.filter((x) => !x.startsWith('urn:ietf:params:netconf:') || x.includes('?module='))) {
      const [uri, query = ''] = cap.split('?');
      const q = new URLSearchParams(query);
      // RFC 6020 §5.6.4: module capabilities carry module=<name> and revision=<date>.
      assert.match(q.get('revision') ?? '', /^\d{4}-\d{2}-\d{2}$/, cap);
      const part = models.get(uri!);
      if (part !== undefined) {
        assert.equal(q.get('module'), `appliance-${part}`, cap);
        seen.set(uri!, (seen.get(uri!) ?? 0) + 1);
        continue;
      }
      // The standard modules it implements or imports, and the upgrade manager's operations.
      // (yuma-ncx: the extensions the RFC 5277 module from yuma123 imports.)
      const standard = uri!.startsWith('urn:ietf:params:xml:ns:') || uri === 'http://netconfcentral.org/ns/yuma-ncx';
      assert.ok(standard || uri === 'urn:appliance:software', `unexpected capability ${cap}`);
    }
    for (const ns of models.keys()) assert.equal(seen.get(ns), 1, `one capability for ${ns}`);
    assert.ok(caps.includes(`${NETCONF_NOTIFICATIONS_NS}?module=ietf-netconf-notifications&revision=2012-02-06`));
  });

  it('both sides offering base:1.1 switch to chunked framing after the hellos (byte-exact)', async () => {
    const c = await rig.connect('admin', { base: '1.1' });
    assert.equal(c.framing, 'chunked');
    const helloBytes = Buffer.byteLength(c.serverHelloText) + EOM.length;
    const reply = await c.rpc(VALIDATE_RUNNING);
    assertOk(reply);
    const body = Buffer.from(c.textOf(reply), 'utf8');
    const expected = Buffer.concat([Buffer.from(`\n#${body.length}\n`), body, Buffer.from('\n##\n')]);
    assert.deepEqual(c.receivedBytes().subarray(helloBytes), expected);
  });

  it('a client offering only base:1.0 keeps end-of-message framing (byte-exact)', async () => {
    const c = await rig.connect('admin', { base: '1.0' });
    assert.equal(c.framing, 'end-of-message');
    const helloBytes = Buffer.byteLength(c.serverHelloText) + EOM.length;
    const reply = await c.rpc(VALIDATE_RUNNING);
    assertOk(reply);
    assert.equal(c.receivedBytes().subarray(helloBytes).toString('utf8'), c.textOf(reply) + EOM);
  });

  it('a client offering base:1.1 without base:1.0 also gets chunked framing', async () => {
    const hello = `<hello xmlns="${BASE}"><capabilities><capability>${BASE_11}</capability></capabilities></hello>`;
    const c = await rig.connect('admin', { base: '1.1', hello });
    const helloBytes = Buffer.byteLength(c.serverHelloText) + EOM.length;
    const reply = await c.rpc(VALIDATE_RUNNING);
    assertOk(reply);
    assert.equal(c.receivedBytes().subarray(helloBytes, helloBytes + 2).toString(), '\n#');
  });

  for (const base of ['1.0', '1.1'] as const) {
    it(`an rpc sent in the same write as the hello is answered (base:${base})`, async () => {
      const c = await rig.connect('admin', { base, hello: null });
      const { id, xml } = c.build(VALIDATE_RUNNING);
      c.raw(Buffer.concat([encodeMessage(clientHello(base), 'end-of-message'), c.frame(xml)]));
      assertOk(await c.waitReply(id));
    });
  }

  it('a prefixed client hello with an XML declaration (as ncclient sends it) is accepted; session-ids are distinct', async () => {
    const hello = `<?xml version="1.0" encoding="UTF-8"?><nc:hello xmlns:nc="${BASE}"><nc:capabilities>`
      + `<nc:capability>${BASE_10}</nc:capability><nc:capability>${BASE_11}</nc:capability></nc:capabilities></nc:hello>`;
    const a = await rig.connect('admin', { base: '1.1', hello });
    const b = await rig.connect('admin', { base: '1.1', hello });
    assertOk(await a.rpc(VALIDATE_RUNNING));
    assertOk(await b.rpc(VALIDATE_RUNNING));
    assert.notEqual(a.sessionId, b.sessionId);
  });

  it('a hello and an rpc split across writes at awkward places are read correctly', async () => {
    const c = await rig.connect('admin', { base: '1.1', hello: null });
    const hello = encodeMessage(clientHello('1.1'), 'end-of-message');
    const { id, xml } = c.build(VALIDATE_RUNNING);
    const stream = Buffer.concat([hello, c.frame(xml)]);
    // Cut inside the hello's delimiter, right after it, and inside the chunk header.
    const cuts = [hello.length - 3, hello.length, hello.length + 2, stream.length - 2];
    let from = 0;
    for (const at of [...cuts, stream.length]) { c.raw(stream.subarray(from, at)); from = at; }
    assertOk(await c.waitReply(id));
  });

  it('a client hello carrying a session-id closes the session', async () => {
    const bad = rig.server.badHellos;
    const hello = `<hello xmlns="${BASE}"><capabilities><capability>${BASE_10}</capability></capabilities><session-id>4</session-id></hello>`;
    const c = await rig.connect('admin', { hello });
    await within(c.closed, 2000, 'close after a hello with a session-id');
    assert.equal(rig.server.badHellos, bad + 1);
    assert.ok(!rig.server.list().some((s) => s.id === c.sessionId));
  });

  it('a client hello without any base capability closes the session', async () => {
    const hello = `<hello xmlns="${BASE}"><capabilities><capability>urn:ietf:params:netconf:capability:candidate:1.0</capability></capabilities></hello>`;
    const c = await rig.connect('admin', { hello });
    await within(c.closed, 2000, 'close after a hello without a base capability');
  });

  it('a first message that is not a hello closes the session', async () => {
    const c = await rig.connect('admin', { hello: null });
    c.raw(encodeMessage(`<rpc xmlns="${BASE}" message-id="1"><get/></rpc>`, 'end-of-message'));
    await within(c.closed, 2000, 'close after an rpc instead of a hello');
  });

  it('a client that sends no hello is disconnected after the hello timeout', async () => {
    const server = rig.makeServer({ helloTimeoutMs: 200 });
    const started = Date.now();
    const c = await rig.connect('admin', { hello: null, server });
    await within(c.closed, 3000, 'close after the hello timeout');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 150, `closed after ${elapsed} ms, before the 200 ms timeout`);
    assert.deepEqual(server.list(), []);
  });

  it('a client that sent its hello is not closed by the hello timer', async () => {
    const server = rig.makeServer({ helloTimeoutMs: 100 });
    const c = await rig.connect('admin', { server });
    await sleep(250);
    assert.ok(c.isOpen);
    assertOk(await c.rpc(VALIDATE_RUNNING));
  });
});

// =====================================================================================

describe('rpc handling (RFC 6241 §4, RFC 6242 §4)', () => {
  let rig: Rig;
  before(async () => { rig = await openRig(); });
  after(async () => { await rig.close(); });
  afterEach(async () => { await rig.closeClients(); });

  it('every attribute of <rpc> is echoed on <rpc-reply> (unprefixed attributes, escaped values)', async () => {
    const c = await rig.connect();
    const reply = await c.rpc(VALIDATE_RUNNING, { 'message-id': 'a&b"c<d>\te', 'user-ref': 'fred', 'x.y': '' });
    assertOk(reply);
    assert.equal(attribute(reply, '', 'message-id'), 'a&b"c<d>\te');
    assert.equal(attribute(reply, '', 'user-ref'), 'fred');
    assert.equal(attribute(reply, '', 'x.y'), '');
  });

  it('a namespaced attribute of <rpc> is echoed with its namespace (RFC 6241 §4.2 example: ex:user-id)', async () => {
    const c = await rig.connect();
    c.send(`<rpc message-id="101" xmlns="${BASE}" xmlns:ex="http://example.net/content/1.0" ex:user-id="fred">${VALIDATE_RUNNING}</rpc>`);
    const reply = await c.waitReply('101');
    assertOk(reply);
    assert.equal(attribute(reply, 'http://example.net/content/1.0', 'user-id'), 'fred',
      `RFC 6241 §4.2: the rpc-reply MUST carry every additional attribute of the rpc; got ${c.textOf(reply)}`);
  });

  it('xmlns attributes of <rpc> are echoed on <rpc-reply> (RFC 6241 §4.1: "This includes any xmlns attributes")', async () => {
    const c = await rig.connect();
    c.send(`<nc:rpc xmlns:nc="${BASE}" message-id="102"><nc:validate><nc:source><nc:running/></nc:source></nc:validate></nc:rpc>`);
    const reply = await c.waitReply('102');
    assertOk(reply);
    const start = /^<[^>]*>/.exec(c.textOf(reply))?.[0] ?? '';
    assert.match(start, new RegExp(`\\sxmlns:nc="${BASE.replaceAll('.', '\\.')}"`), `rpc-reply start tag: ${start}`);
  });

  it('the echo is capped: message-id and the first attributes within 16 and 4 KiB come back, no more', async () => {
    const c = await rig.connect();
    const many: Record<string, string> = {};
    for (let i = 0; i < 40; i++) many[`a${i}`] = 'v'.repeat(200);
    const reply = await c.rpc(VALIDATE_RUNNING, { ...many, 'message-id': 'last' });
    assertOk(reply);
    assert.equal(attribute(reply, '', 'message-id'), 'last');
    assert.ok(reply.attributes.length <= 16, `${reply.attributes.length} attributes echoed`);
    assert.equal(attribute(reply, '', 'a0'), 'v'.repeat(200));
  });

  it('an rpc without message-id: rpc-error rpc/missing-attribute with bad-attribute message-id', async () => {
    const c = await rig.connect();
    c.send(`<rpc xmlns="${BASE}">${VALIDATE_RUNNING}</rpc>`);
    const reply = await c.nextReply();
    assert.equal(attribute(reply, '', 'message-id'), undefined);
    const e = oneError(reply, 'rpc', 'missing-attribute');
    assert.equal(e.info['bad-attribute'], 'message-id');
    assert.equal(e.info['bad-element'], 'rpc');
    assertOk(await c.rpc(VALIDATE_RUNNING));
  });

  it('an unknown operation: operation-not-supported (base namespace or another)', async () => {
    const c = await rig.connect();
    oneError(await c.rpc('<frobnicate/>'), ['protocol', 'application'], 'operation-not-supported');
    oneError(await c.rpc('<reboot xmlns="urn:example:ops"/>'), ['protocol', 'application'], 'operation-not-supported');
  });

  it('two operations in one rpc are refused, and neither is run', async () => {
    const c = await rig.connect();
    const reply = await c.rpc('<lock><target><running/></target></lock><get/>');
    const [e] = someError(reply);
    assert.ok(e && (e.type === 'rpc' || e.type === 'protocol'), `error-type ${e?.type}`);
    assert.equal(rig.engine.lockHolder('running'), undefined, 'the lock was not taken');
  });

  it('an rpc with no operation is refused', async () => {
    const c = await rig.connect();
    someError(await c.rpc(''));
  });

  it('malformed XML on a base:1.1 session: rpc/malformed-message, and the session keeps working', async () => {
    const c = await rig.connect('admin', { base: '1.1' });
    c.send(`<rpc xmlns="${BASE}" message-id="9"><get></rpc>`);
    const reply = await c.nextReply();
    oneError(reply, 'rpc', 'malformed-message');
    assertOk(await c.rpc(VALIDATE_RUNNING));
  });

  it('malformed XML on a base:1.0 session: operation-failed (malformed-message is base:1.1 only), and the session keeps working', async () => {
    const c = await rig.connect('admin', { base: '1.0' });
    c.send(`<rpc xmlns="${BASE}" message-id="9"><get></rpc>`);
    const reply = await c.nextReply();
    const e = oneError(reply, ['rpc', 'protocol', 'application'], 'operation-failed');
    assert.notEqual(e.tag, 'malformed-message');
    assertOk(await c.rpc(VALIDATE_RUNNING));
  });

  it('a DOCTYPE with an entity bomb is refused at once, and the session keeps working', async () => {
    const c = await rig.connect('admin', { base: '1.1' });
    let dtd = '<!ENTITY lol0 "lollollollollollollollollollol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const started = Date.now();
    c.send(`<?xml version="1.0"?><!DOCTYPE rpc [${dtd}]><rpc xmlns="${BASE}" message-id="1"><get-config><source><running/></source>`
      + `<filter type="subtree"><interfaces xmlns="${IF_NS}"><interface><description>&lol9;</description></interface></interfaces></filter></get-config></rpc>`);
    const reply = await c.nextReply();
    assert.ok(Date.now() - started < 1000, `answered after ${Date.now() - started} ms`);
    oneError(reply, 'rpc', 'malformed-message');
    assertOk(await c.rpc(VALIDATE_RUNNING));
  });

  it('an external entity (XXE) is refused and nothing of it is read', async () => {
    const c = await rig.connect('admin', { base: '1.1' });
    c.send(`<?xml version="1.0"?><!DOCTYPE rpc [<!ENTITY x SYSTEM "file:///etc/passwd">]><rpc xmlns="${BASE}" message-id="2"><get/></rpc>`);
    const reply = await c.nextReply();
    oneError(reply, 'rpc', 'malformed-message');
    assert.doesNotMatch(c.textOf(reply), /root:/);
  });

  it('an oversized end-of-message framed message closes the session cleanly; other sessions go on', async () => {
    const server = rig.makeServer({ maxMessageBytes: 4096 });
    const bystander = await rig.connect('admin', { base: '1.0', server });
    const c = await rig.connect('admin', { base: '1.0', server });
    // Just under the limit is fine.
    assertOk(await c.rpc(`${' '.repeat(3500)}${VALIDATE_RUNNING}`));
    const id = c.sessionId;
    c.send(`<rpc xmlns="${BASE}" message-id="big">${' '.repeat(8000)}${VALIDATE_RUNNING}</rpc>`);
    await within(c.closed, 2000, 'close after an oversized message');
    await settleEngine(rig.engine);
    assert.ok(!server.list().some((s) => s.id === id), 'the session is gone from the server');
    assert.equal(rig.engine.session(id), undefined, 'the session is gone from the engine');
    assert.equal(c.protocolErrors.length, 0);
    assertOk(await bystander.rpc(VALIDATE_RUNNING));
  });

  it('a chunk header past the size limit closes the session cleanly (chunked)', async () => {
    const server = rig.makeServer({ maxMessageBytes: 4096 });
    const c = await rig.connect('admin', { base: '1.1', server });
    c.raw('\n#100000\n<rpc');
    await within(c.closed, 2000, 'close after an oversized chunk header');
    assert.deepEqual(server.list(), []);
  });

  const badFrames: ReadonlyArray<readonly [string, string]> = [
    ['a zero chunk size', '\n#0\n'],
    ['a chunk size with a leading zero', `\n#07\n<rpc/>\n##\n`],
    ['a chunk size that is not a number', '\n#abc\n'],
    ['end-of-chunks before any chunk', '\n##\n'],
    ['junk after a chunk instead of a header', `\n#5\n<rpc/junk`],
    ['an end-of-message framed rpc on a base:1.1 session', `<rpc xmlns="${BASE}" message-id="1"><get/></rpc>${EOM}`],
  ];
  for (const [what, bytes] of badFrames) {
    it(`bad chunked framing closes the session: ${what}`, async () => {
      const c = await rig.connect('admin', { base: '1.1' });
      const id = c.sessionId;
      c.raw(bytes);
      await within(c.closed, 2000, `close after ${what}`);
      assert.ok(!rig.server.list().some((s) => s.id === id));
    });
  }

  for (const base of ['1.0', '1.1'] as const) {
    it(`replies to rpcs pipelined in one write come back in request order (base:${base})`, async () => {
      const c = await rig.connect('admin', { base });
      const bodies = [
        editConfig(ifs(iface('pipe0', '<mtu>9000</mtu>'))),
        getConfig('candidate', ifs(iface('pipe0'))),
        '<validate><source><candidate/></source></validate>',
        DISCARD,
        getConfig('candidate', ifs(iface('pipe0'))),
        VALIDATE_RUNNING,
      ];
      const built = bodies.map((b) => c.build(b));
      c.raw(Buffer.concat(built.map((b) => c.frame(b.xml))));
      const replies: XmlElement[] = [];
      for (let i = 0; i < bodies.length; i++) replies.push(await c.nextReply());
      assert.deepEqual(replies.map((r) => attribute(r, '', 'message-id')), built.map((b) => b.id));
      assertOk(replies[0]!);
      assert.deepEqual(interfaceNames(dataOf(replies[1]!)), ['pipe0']);
      assertOk(replies[2]!);
      assertOk(replies[3]!);
      assert.deepEqual(interfaceNames(dataOf(replies[4]!)), []);
      assertOk(replies[5]!);
    });
  }
});

// =====================================================================================

describe('operations (RFC 6241 §7, §8)', () => {
  let rig: Rig;
  let admin: NetconfClient;

  async function candidate(filter?: string): Promise<XmlElement> {
    return dataOf(await admin.rpc(getConfig('candidate', filter)));
  }
  async function running(filter?: string): Promise<XmlElement> {
    return dataOf(await admin.rpc(getConfig('running', filter)));
  }

  before(async () => {
    rig = await openRig();
    admin = await rig.connect();
    assertOk(await admin.rpc(editConfig(`<system xmlns="${SYS_NS}"><hostname>base-host</hostname></system>`
      + ifs(iface('eth0', '<description>uplink</description><mtu>1500</mtu>'), iface('eth1')))));
    assertOk(await admin.rpc(COMMIT));
    await admin.close();
  });
  after(async () => { await rig.close(); });
  afterEach(async () => {
    await rig.closeClients();
    // Whatever a failed test left in the shared candidate must not leak into the next one.
    await rig.engine.discardChanges(rig.engine.systemSession);
  });

  describe('get-config', () => {
    it('running: every part of the configuration, each in its own namespace', async () => {
      admin = await rig.connect();
      const data = await running();
      for (const el of data.children) assert.equal(el.ns, rig.engine.schema.namespaces.get(el.name), `namespace of <${el.name}>`);
      assert.equal(dig(data, SYS_NS, 'system/hostname').text, 'base-host');
      assert.deepEqual(interfaceNames(data), ['eth0', 'eth1']);
      assert.equal(dig(interfaceEntry(data, 'eth0'), IF_NS, 'description').text, 'uplink');
    });

    it('a subtree filter with a key content match selects that entry only (§6.2.5)', async () => {
      admin = await rig.connect();
      const data = await running(ifs(iface('eth1')));
      assert.deepEqual(data.children.map((c) => c.name), ['interfaces']);
      assert.deepEqual(interfaceNames(data), ['eth1']);
    });

    it('a subtree filter with a selection node returns the key and the selected leaf only (§6.2.3)', async () => {
      admin = await rig.connect();
      const data = await running(ifs(iface('eth0', '<mtu/>')));
      assert.deepEqual(interfaceEntry(data, 'eth0').children.map((c) => [c.name, c.text]), [['name', 'eth0'], ['mtu', '1500']]);
    });

    it('an empty subtree filter selects nothing (§6.4.2)', async () => {
      admin = await rig.connect();
      const reply = await admin.rpc('<get-config><source><running/></source><filter type="subtree"/></get-config>');
      assert.deepEqual(dataOf(reply).children, []);
    });

    it('candidate shows uncommitted edits; running does not', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc(editConfig(ifs(iface('eth2')))));
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1', 'eth2']);
      assert.deepEqual(interfaceNames(await running()), ['eth0', 'eth1']);
      assertOk(await admin.rpc(DISCARD));
    });
  });

  describe('edit-config (§7.2)', () => {
    it('merge, the default operation, adds to the candidate', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc(editConfig(ifs(iface('eth0', '<mtu>9000</mtu>'), iface('eth3')))));
      const data = await candidate();
      assert.deepEqual(interfaceNames(data), ['eth0', 'eth1', 'eth3']);
      assert.equal(dig(interfaceEntry(data, 'eth0'), IF_NS, 'mtu').text, '9000');
      assert.equal(dig(interfaceEntry(data, 'eth0'), IF_NS, 'description').text, 'uplink', 'merge keeps the siblings');
      assertOk(await admin.rpc(DISCARD));
    });

    it('default-operation replace replaces the whole configuration', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc(editConfig(ifs(iface('solo')), { defaultOperation: 'replace' })));
      const data = await candidate();
      assert.deepEqual(interfaceNames(data), ['solo']);
      assert.notEqual(maybe(data, SYS_NS, 'system/hostname')?.text, 'base-host', 'the hostname was replaced too');
      assertOk(await admin.rpc(DISCARD));
    });

    it('default-operation none ignores data without an operation attribute and applies nc:operation', async () => {
      admin = await rig.connect();
      const edit = ifs(iface('eth0', '<mtu>9000</mtu><description nc:operation="replace">changed</description>'));
      assertOk(await admin.rpc(editConfig(edit, { defaultOperation: 'none' })));
      const eth0 = interfaceEntry(await candidate(), 'eth0');
      assert.equal(dig(eth0, IF_NS, 'mtu').text, '1500');
      assert.equal(dig(eth0, IF_NS, 'description').text, 'changed');
      assertOk(await admin.rpc(DISCARD));
    });

    it('default-operation none with data missing from the datastore: data-missing', async () => {
      admin = await rig.connect();
      const reply = await admin.rpc(editConfig(ifs(iface('ghost', '<mtu>9000</mtu>')), { defaultOperation: 'none' }));
      const e = oneError(reply, 'application', 'data-missing');
      const [path] = declaredOn(admin.textOf(reply), 'error-path');
      assert.ok(path);
      assertPrefixedPath(path, "/interfaces/interface[name='ghost']", IF_NS);
      assert.ok(e.path);
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1']);
    });

    it('create of existing data: data-exists; delete of missing data: data-missing; remove of missing data: ok', async () => {
      admin = await rig.connect();
      oneError(await admin.rpc(editConfig(ifs(iface('eth0', '', ' nc:operation="create"')))), 'application', 'data-exists');
      oneError(await admin.rpc(editConfig(ifs(iface('nope', '', ' nc:operation="delete"')))), 'application', 'data-missing');
      assertOk(await admin.rpc(editConfig(ifs(iface('nope', '', ' nc:operation="remove"')))));
      assertOk(await admin.rpc(editConfig(ifs(iface('eth1', '', ' nc:operation="delete"')))));
      assert.deepEqual(interfaceNames(await candidate()), ['eth0']);
      assertOk(await admin.rpc(DISCARD));
    });

    it('test-option test-only validates fully without changing the candidate', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc(editConfig(ifs(iface('eth5')), { testOption: 'test-only' })));
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1']);
      oneError(await admin.rpc(editConfig(ifs(iface('eth5', '<mtu>70000</mtu>')), { testOption: 'test-only' })), 'application', 'invalid-value');
      // Full validation: a reference to an interface that does not exist.
      const ref = oneError(await admin.rpc(editConfig(route('10.0.0.0/8', 'nope'), { testOption: 'test-only' })), 'application', 'data-missing');
      assert.equal(ref.appTag, 'instance-required');
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1']);
    });

    it('test-option set applies without validation; validate and commit then refuse the result', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc(editConfig(ifs(iface('eth0', '<mtu>70000</mtu>')), { testOption: 'set' })));
      assert.equal(dig(interfaceEntry(await candidate(), 'eth0'), IF_NS, 'mtu').text, '70000');
      oneError(await admin.rpc('<validate><source><candidate/></source></validate>'), 'application', 'invalid-value');
      oneError(await admin.rpc(COMMIT), 'application', 'invalid-value');
      assert.equal(dig(interfaceEntry(await running(), 'eth0'), IF_NS, 'mtu').text, '1500');
      assertOk(await admin.rpc(DISCARD));
    });

    it('error-option stop-on-error stops at the first error', async () => {
      admin = await rig.connect();
      // Two creates of entries that exist: applying stops at the first.
      const edit = ifs('<interface nc:operation="create"><name>eth0</name></interface>', '<interface nc:operation="create"><name>eth1</name></interface>');
      const errors = someError(await admin.rpc(editConfig(edit, { errorOption: 'stop-on-error' })));
      assert.equal(errors.length, 1, 'abort on the first error');
      assert.equal(errors[0]!.tag, 'data-exists');
    });

    it('an absent error-option behaves as stop-on-error, the default (§7.2)', async () => {
      admin = await rig.connect();
      const edit = ifs('<interface nc:operation="create"><name>eth0</name></interface>', '<interface nc:operation="create"><name>eth1</name></interface>');
      const errors = someError(await admin.rpc(editConfig(edit)));
      assert.equal(errors.length, 1, 'stop-on-error is the default error-option: abort on the first error');
    });

    it('every invalid value of an edit is its own rpc-error with its path, under stop-on-error too', async () => {
      admin = await rig.connect();
      const edit = ifs(iface('ok1'), iface('bad1', '<mtu>70000</mtu>'), iface('bad2', '<mtu>10</mtu>'));
      const errors = someError(await admin.rpc(editConfig(edit)));
      assert.deepEqual(errors.map((e) => e.tag), ['invalid-value', 'invalid-value']);
      assert.deepEqual(errors.map((e) => e.path?.includes("'bad1'") ? 'bad1' : e.path?.includes("'bad2'") ? 'bad2' : e.path).sort(), ['bad1', 'bad2']);
    });

    it('error-option rollback-on-error leaves the candidate exactly as it was', async () => {
      admin = await rig.connect();
      const edit = ifs(iface('eth0', '<description>half</description>'), iface('new1'), iface('bad1', '<mtu>70000</mtu>'));
      const errors = someError(await admin.rpc(editConfig(edit, { errorOption: 'rollback-on-error' })));
      assert.equal(errors[0]!.tag, 'invalid-value');
      const data = await candidate();
      assert.deepEqual(interfaceNames(data), ['eth0', 'eth1']);
      assert.equal(dig(interfaceEntry(data, 'eth0'), IF_NS, 'description').text, 'uplink');
    });

    it('error-option continue-on-error: operation-not-supported', async () => {
      admin = await rig.connect();
      oneError(await admin.rpc(editConfig(ifs(iface('eth7')), { errorOption: 'continue-on-error' })), ['protocol', 'application'], 'operation-not-supported');
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1']);
    });

    it('target running: operation-not-supported (no :writable-running)', async () => {
      admin = await rig.connect();
      oneError(await admin.rpc(editConfig(ifs(iface('eth7')), { target: 'running' })), ['protocol', 'application'], 'operation-not-supported');
      assert.deepEqual(interfaceNames(await running()), ['eth0', 'eth1']);
    });
  });

  describe('copy-config, delete-config, validate (§7.3, §7.4, §8.6)', () => {
    it('copy-config running → startup; get-config startup returns the running configuration', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc('<copy-config><target><startup/></target><source><running/></source></copy-config>'));
      const startup = dataOf(await admin.rpc(getConfig('startup')));
      assert.equal(show(startup), show(await running()));
      assert.deepEqual(interfaceNames(startup), ['eth0', 'eth1']);
    });

    it('copy-config of an inline <config> replaces the candidate', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc(`<copy-config><target><candidate/></target><source><config>${ifs(iface('inline0'))}</config></source></copy-config>`));
      assert.deepEqual(interfaceNames(await candidate()), ['inline0']);
      assert.deepEqual(interfaceNames(await running()), ['eth0', 'eth1']);
      assertOk(await admin.rpc(DISCARD));
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1']);
    });

    it('delete-config empties startup; delete-config of running is refused', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc('<copy-config><target><startup/></target><source><running/></source></copy-config>'));
      assertOk(await admin.rpc('<delete-config><target><startup/></target></delete-config>'));
      assert.deepEqual(interfaceNames(dataOf(await admin.rpc(getConfig('startup')))), []);
      someError(await admin.rpc('<delete-config><target><running/></target></delete-config>'));
      assert.deepEqual(interfaceNames(await running()), ['eth0', 'eth1']);
    });

    it('validate checks the candidate and an inline configuration', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc('<validate><source><candidate/></source></validate>'));
      assertOk(await admin.rpc(`<validate><source><config>${ifs(iface('v0', '<mtu>9000</mtu>'))}</config></source></validate>`));
      const bad = await admin.rpc(`<validate><source><config>${ifs(iface('v0'))}${route('10.0.0.0/8', 'nope')}</config></source></validate>`);
      const e = oneError(bad, 'application', 'data-missing');
      assert.equal(e.appTag, 'instance-required');
      const [path] = declaredOn(admin.textOf(bad), 'error-path');
      assert.ok(path);
      assertPrefixedPath(path, "/routing/static/route[prefix='10.0.0.0/8']/interface", RT_NS);
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1'], 'validate changes nothing');
    });
  });

  describe('lock, unlock, discard-changes, commit (§7.5, §7.6, §8.3)', () => {
    it('lock is exclusive: lock-denied carries the holder\'s session-id; only the holder can unlock', async () => {
      const a = await rig.connect();
      const b = await rig.connect();
      assertOk(await a.rpc('<lock><target><running/></target></lock>'));
      const denied = oneError(await b.rpc('<lock><target><running/></target></lock>'), 'protocol', 'lock-denied');
      assert.equal(denied.info['session-id'], String(a.sessionId));
      someError(await b.rpc('<unlock><target><running/></target></unlock>'));
      assertOk(await a.rpc('<unlock><target><running/></target></unlock>'));
      assertOk(await b.rpc('<lock><target><running/></target></lock>'));
      assertOk(await b.rpc('<unlock><target><running/></target></unlock>'));
    });

    it('a candidate locked by one session refuses the edits and commits of another', async () => {
      const a = await rig.connect();
      const b = await rig.connect();
      assertOk(await a.rpc('<lock><target><candidate/></target></lock>'));
      someError(await b.rpc(editConfig(ifs(iface('eth8')))));
      someError(await b.rpc(COMMIT));
      admin = a;
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1']);
      assertOk(await a.rpc('<unlock><target><candidate/></target></unlock>'));
    });

    it('a modified candidate cannot be locked (§8.3.5.2): lock-denied', async () => {
      const a = await rig.connect();
      const b = await rig.connect();
      assertOk(await b.rpc(editConfig(ifs(iface('eth8')))));
      const e = oneError(await a.rpc('<lock><target><candidate/></target></lock>'), 'protocol', 'lock-denied');
      assert.ok(e.info['session-id'] !== undefined, 'lock-denied carries a session-id');
      assertOk(await b.rpc(DISCARD));
      assertOk(await a.rpc('<lock><target><candidate/></target></lock>'));
      assertOk(await a.rpc('<unlock><target><candidate/></target></unlock>'));
    });

    it('unlock of the candidate discards its outstanding changes (§8.3.5.2)', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc('<lock><target><candidate/></target></lock>'));
      assertOk(await admin.rpc(editConfig(ifs(iface('eth6')))));
      assertOk(await admin.rpc('<unlock><target><candidate/></target></unlock>'));
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1'],
        'RFC 6241 §8.3.5.2: outstanding changes are discarded when the lock is released, explicitly with <unlock> or by session failure');
    });

    it('the end of a session holding the candidate lock discards its outstanding changes (§8.3.5.2)', async () => {
      const a = await rig.connect();
      const b = await rig.connect();
      assertOk(await b.rpc('<lock><target><candidate/></target></lock>'));
      assertOk(await b.rpc(editConfig(ifs(iface('eth6')))));
      assertOk(await a.rpc(`<kill-session><session-id>${b.sessionId}</session-id></kill-session>`));
      await within(b.closed, 2000, 'the killed session closes');
      admin = a;
      assert.deepEqual(interfaceNames(await candidate()), ['eth0', 'eth1']);
    });

    it('discard-changes reverts the candidate to running', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc(editConfig(ifs(iface('eth9'), iface('eth0', '<mtu>1400</mtu>')))));
      assertOk(await admin.rpc(DISCARD));
      assert.equal(show(await candidate()), show(await running()));
    });

    it('commit makes the candidate running', async () => {
      admin = await rig.connect();
      assertOk(await admin.rpc(editConfig(ifs(iface('eth4', '<description>committed</description>')))));
      assertOk(await admin.rpc(COMMIT));
      assert.equal(dig(interfaceEntry(await running(), 'eth4'), IF_NS, 'description').text, 'committed');
      assertOk(await admin.rpc(editConfig(ifs(iface('eth4', '', ' nc:operation="delete"')))));
      assertOk(await admin.rpc(COMMIT));
      assert.deepEqual(interfaceNames(await running()), ['eth0', 'eth1']);
    });
  });

  describe('sessions: kill-session, close-session (§7.8, §7.9)', () => {
    it('kill-session ends another session and releases its locks', async () => {
      const a = await rig.connect();
      const b = await rig.connect();
      assertOk(await b.rpc('<lock><target><running/></target></lock>'));
      assertOk(await a.rpc(`<kill-session><session-id>${b.sessionId}</session-id></kill-session>`));
      await within(b.closed, 2000, 'the killed session closes');
      assert.equal(rig.engine.session(b.sessionId), undefined);
      assertOk(await a.rpc('<lock><target><running/></target></lock>'));
      assertOk(await a.rpc('<unlock><target><running/></target></unlock>'));
    });

    it('kill-session of the own session: invalid-value; of an unknown session: an error', async () => {
      const a = await rig.connect();
      oneError(await a.rpc(`<kill-session><session-id>${a.sessionId}</session-id></kill-session>`), ['protocol', 'application'], 'invalid-value');
      someError(await a.rpc('<kill-session><session-id>99999</session-id></kill-session>'));
      assert.ok(a.isOpen);
      assertOk(await a.rpc(VALIDATE_RUNNING));
    });

    it('close-session answers <ok/>, releases locks, closes the transport, and ignores what follows', async () => {
      const a = await rig.connect();
      assertOk(await a.rpc('<lock><target><running/></target></lock>'));
      const close = a.build('<close-session/>');
      const after = a.build(VALIDATE_RUNNING);
      a.raw(Buffer.concat([a.frame(close.xml), a.frame(after.xml)]));
      const reply = await a.nextReply();
      assert.equal(attribute(reply, '', 'message-id'), close.id);
      assertOk(reply);
      await within(a.closed, 2000, 'the transport closes after close-session');
      await assert.rejects(a.nextReply(), 'no reply to a request after close-session');
      await settleEngine(rig.engine);
      assert.equal(rig.engine.lockHolder('running'), undefined);
    });
  });

  describe('get (§7.7)', () => {
    it('returns configuration, system state (software-version) and NETCONF monitoring state', async () => {
      const a = await rig.connect();
      const b = await rig.connect('olga');
      assertOk(await b.rpc('<lock><target><running/></target></lock>'));
      const data = dataOf(await a.rpc('<get/>'));
      assert.deepEqual(interfaceNames(data), ['eth0', 'eth1']);
      assert.equal(dig(data, SYS_NS, 'system/hostname').text, 'base-host');
      assert.equal(dig(data, SYS_NS, 'system/state/software-version').text, 'test');
      const state = dig(data, MONITORING_NS, 'netconf-state');
      const sessions = children(dig(state, MONITORING_NS, 'sessions'), 'session', MONITORING_NS);
      const byId = new Map(sessions.map((s) => [dig(s, MONITORING_NS, 'session-id').text, s]));
      assert.equal(dig(byId.get(String(a.sessionId))!, MONITORING_NS, 'username').text, 'admin');
      assert.equal(dig(byId.get(String(b.sessionId))!, MONITORING_NS, 'username').text, 'olga');
      const datastores = children(dig(state, MONITORING_NS, 'datastores'), 'datastore', MONITORING_NS);
      const runningDs = datastores.find((d) => dig(d, MONITORING_NS, 'name').text === 'running');
      assert.ok(runningDs);
      assert.equal(dig(runningDs, MONITORING_NS, 'locks/global-lock/locked-by-session').text, String(b.sessionId));
      assertOk(await b.rpc('<unlock><target><running/></target></unlock>'));
    });

    it('the statistics count since start (RFC 6022): a session that closes takes nothing away', async () => {
      const a = await rig.connect();
      const statistics = async (): Promise<Record<string, number>> => {
        const s = dig(dataOf(await a.rpc('<get/>')), MONITORING_NS, 'netconf-state/statistics');
        const numbers = s.children.filter((c) => c.name !== 'netconf-start-time').map((c) => [c.name, Number(c.text)] as const);
        return Object.fromEntries(numbers);
      };
      const before = await statistics();
      const b = await rig.connect('olga');
      dataOf(await b.rpc('<get-config><source><running/></source></get-config>'));
      oneError(await b.rpc('<frobnicate/>'), ['protocol', 'application'], 'operation-not-supported');
      await b.close();
      await settleEngine(rig.engine);
      const after = await statistics();
      // b's two rpcs (one bad, answered with one rpc-error) and a's second <get>; b's session started and ended.
      assert.deepEqual(after, {
        ...before, 'in-sessions': before['in-sessions']! + 1, 'in-rpcs': before['in-rpcs']! + 3,
        'in-bad-rpcs': before['in-bad-rpcs']! + 1, 'out-rpc-errors': before['out-rpc-errors']! + 1,
      });
    });

    it('a subtree filter on state selects just that state', async () => {
      const a = await rig.connect();
      const data = dataOf(await a.rpc(`<get><filter type="subtree"><system xmlns="${SYS_NS}"><state><software-version/></state></system></filter></get>`));
      assert.deepEqual(data.children.map((c) => c.name), ['system']);
      assert.deepEqual(dig(data, SYS_NS, 'system').children.map((c) => c.name), ['state']);
      assert.deepEqual(dig(data, SYS_NS, 'system/state').children.map((c) => [c.name, c.text]), [['software-version', 'test']]);
    });
  });
});

// =====================================================================================

describe('confirmed commit (RFC 6241 §8.4, :confirmed-commit:1.1) on fake time', () => {
  const clock = new FakeClock();
  let rig: Rig;

  async function mtu(c: NetconfClient): Promise<string> {
    const data = dataOf(await c.rpc(getConfig('running', ifs(iface('eth0', '<mtu/>')))));
    return dig(interfaceEntry(data, 'eth0'), IF_NS, 'mtu').text;
  }

  async function confirmedEdit(c: NetconfClient, value: number, params: string): Promise<void> {
    assertOk(await c.rpc(editConfig(ifs(iface('eth0', `<mtu>${value}</mtu>`)))));
    assertOk(await c.rpc(`<commit><confirmed/>${params}</commit>`));
  }

  before(async () => {
    rig = await openRig(clock);
    const c = await rig.connect();
    assertOk(await c.rpc(editConfig(ifs(iface('eth0', '<mtu>1500</mtu>')))));
    assertOk(await c.rpc(COMMIT));
    await rig.closeClients();
  });
  after(async () => { await rig.close(); });
  afterEach(async () => {
    await rig.closeClients();
    assert.equal(rig.engine.pendingConfirmed(), null, 'the test left no confirmed commit pending');
  });

  it('a confirmed commit that is not confirmed within confirm-timeout is reverted', async () => {
    const a = await rig.connect();
    await confirmedEdit(a, 9000, '<confirm-timeout>30</confirm-timeout>');
    assert.equal(await mtu(a), '9000');
    await clock.advance(29_000);
    assert.equal(await mtu(a), '9000');
    await clock.advance(2_000);
    assert.equal(await mtu(a), '1500');
  });

  it('a confirming commit from the same session makes it permanent; a new confirmed commit extends the timeout', async () => {
    const a = await rig.connect();
    await confirmedEdit(a, 9000, '<confirm-timeout>10</confirm-timeout>');
    await clock.advance(8_000);
    assertOk(await a.rpc('<commit><confirmed/><confirm-timeout>60</confirm-timeout></commit>'));
    await clock.advance(10_000);
    assert.equal(await mtu(a), '9000', 'the second confirmed commit reset the timeout');
    assertOk(await a.rpc(COMMIT));
    await clock.advance(120_000);
    assert.equal(await mtu(a), '9000');
    assertOk(await a.rpc(editConfig(ifs(iface('eth0', '<mtu>1500</mtu>')))));
    assertOk(await a.rpc(COMMIT));
  });

  it('the end of the issuing session reverts a confirmed commit without persist', async () => {
    const a = await rig.connect();
    const b = await rig.connect();
    await confirmedEdit(a, 9000, '<confirm-timeout>600</confirm-timeout>');
    assert.equal(await mtu(b), '9000');
    await a.close();
    await settleEngine(rig.engine);
    assert.equal(await mtu(b), '1500');
  });

  it('another session can neither confirm nor cancel a confirmed commit without persist; the issuer can cancel', async () => {
    const a = await rig.connect();
    const b = await rig.connect();
    await confirmedEdit(a, 9000, '');
    someError(await b.rpc(COMMIT));
    someError(await b.rpc('<cancel-commit/>'));
    assert.equal(await mtu(b), '9000');
    assertOk(await a.rpc('<cancel-commit/>'));
    assert.equal(await mtu(b), '1500');
  });

  it('a persistent confirmed commit outlives its session and is confirmed with its persist-id', async () => {
    const a = await rig.connect();
    await confirmedEdit(a, 9000, '<confirm-timeout>60</confirm-timeout><persist>p-1</persist>');
    await a.close();
    await settleEngine(rig.engine);
    const b = await rig.connect();
    assert.equal(await mtu(b), '9000', 'persist: the end of the session does not revert');
    someError(await b.rpc(COMMIT));
    oneError(await b.rpc('<commit><persist-id>wrong</persist-id></commit>'), ['protocol', 'application'], 'invalid-value');
    assertOk(await b.rpc('<commit><persist-id>p-1</persist-id></commit>'));
    await clock.advance(120_000);
    assert.equal(await mtu(b), '9000');
    assertOk(await b.rpc(editConfig(ifs(iface('eth0', '<mtu>1500</mtu>')))));
    assertOk(await b.rpc(COMMIT));
  });

  it('cancel-commit with the persist-id reverts a persistent confirmed commit; a wrong one is invalid-value', async () => {
    const a = await rig.connect();
    const b = await rig.connect();
    await confirmedEdit(a, 9000, '<persist>p-2</persist>');
    oneError(await b.rpc('<cancel-commit><persist-id>nope</persist-id></cancel-commit>'), ['protocol', 'application'], 'invalid-value');
    assert.equal(await mtu(b), '9000');
    assertOk(await b.rpc('<cancel-commit><persist-id>p-2</persist-id></cancel-commit>'));
    assert.equal(await mtu(b), '1500');
  });

  it('a lock on running is denied to another session while a confirmed commit is pending (§7.5)', async () => {
    const a = await rig.connect();
    const b = await rig.connect();
    await confirmedEdit(a, 9000, '<confirm-timeout>60</confirm-timeout>');
    const reply = await b.rpc('<lock><target><running/></target></lock>');
    const granted = reply.children.some((x) => x.name === 'ok');
    if (granted) assertOk(await b.rpc('<unlock><target><running/></target></unlock>'));
    assertOk(await a.rpc('<cancel-commit/>'));
    assert.equal(await mtu(a), '1500');
    oneError(reply, 'protocol', 'lock-denied');
  });

  it('the revert at confirm-timeout is notified as a change made by the server (RFC 6470 changed-by/server)', async () => {
    const watcher = await rig.connect();
    // Config changes and confirmed-commit events only: the stream also carries the session start and end events.
    assertOk(await watcher.rpc(`<create-subscription xmlns="${NOTIFICATION_NS}"><filter type="subtree"><netconf-config-change xmlns="${NETCONF_NOTIFICATIONS_NS}"/>`
      + `<netconf-confirmed-commit xmlns="${NETCONF_NOTIFICATIONS_NS}"/></filter></create-subscription>`));
    const a = await rig.connect();
    await confirmedEdit(a, 9000, '<confirm-timeout>5</confirm-timeout>');
    const first = await watcher.nextNotification();
    assert.equal(dig(first, NETCONF_NOTIFICATIONS_NS, 'netconf-config-change/changed-by/session-id').text, String(a.sessionId));
    // RFC 6470 netconf-confirmed-commit: start, with the timeout in seconds on the server's clock.
    const start = await watcher.nextNotification();
    assert.equal(dig(start, NETCONF_NOTIFICATIONS_NS, 'netconf-confirmed-commit/confirm-event').text, 'start');
    assert.equal(dig(start, NETCONF_NOTIFICATIONS_NS, 'netconf-confirmed-commit/timeout').text, '5');
    await clock.advance(6_000);
    assert.equal(await mtu(a), '1500');
    const revert = await watcher.nextNotification();
    const changedBy = dig(revert, NETCONF_NOTIFICATIONS_NS, 'netconf-config-change/changed-by');
    assert.deepEqual(changedBy.children.map((x) => x.name), ['server'],
      `the revert was caused by the server's timer, not a user session: ${show(changedBy)}`);
    const timeout = await watcher.nextNotification();
    const cc = dig(timeout, NETCONF_NOTIFICATIONS_NS, 'netconf-confirmed-commit');
    assert.deepEqual(cc.children.map((x) => [x.name, x.text]), [['confirm-event', 'timeout']], 'a timeout names no session');
  });

  it('cancel-commit with no confirmed commit pending is an error', async () => {
    const a = await rig.connect();
    someError(await a.rpc('<cancel-commit/>'));
  });

  it('confirm-timeout without <confirmed/> is refused and commits nothing', async () => {
    const a = await rig.connect();
    assertOk(await a.rpc(editConfig(ifs(iface('eth0', '<mtu>9000</mtu>')))));
    someError(await a.rpc('<commit><confirm-timeout>30</confirm-timeout></commit>'));
    assert.equal(await mtu(a), '1500');
    assertOk(await a.rpc(DISCARD));
  });
});

// =====================================================================================

describe('notifications (RFC 5277, RFC 6470 netconf-config-change)', () => {
  let rig: Rig;
  before(async () => { rig = await openRig(); });
  after(async () => { await rig.close(); });
  afterEach(async () => { await rig.closeClients(); });

  const SUBSCRIBE = `<create-subscription xmlns="${NOTIFICATION_NS}"/>`;

  function configChange(c: NetconfClient, n: XmlElement): {
    user: string; session: string; host: string | undefined; datastore: string;
    edits: Array<{ target: { prefixes: Map<string, string>; text: string }; operation: string }>;
  } {
    assert.deepEqual([n.name, n.ns], ['notification', NOTIFICATION_NS]);
    assert.deepEqual(n.children.map((x) => [x.name, x.ns]), [['eventTime', NOTIFICATION_NS], ['netconf-config-change', NETCONF_NOTIFICATIONS_NS]]);
    assert.match(n.children[0]!.text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, 'eventTime is a dateTime');
    const change = n.children[1]!;
    const ns = NETCONF_NOTIFICATIONS_NS;
    const targets = declaredOn(c.textOf(n), 'target');
    const edits = children(change, 'edit', ns);
    assert.equal(targets.length, edits.length);
    return {
      user: dig(change, ns, 'changed-by/username').text,
      session: dig(change, ns, 'changed-by/session-id').text,
      host: maybe(change, ns, 'changed-by/source-host')?.text,
      datastore: dig(change, ns, 'datastore').text,
      edits: edits.map((e, i) => ({ target: targets[i]!, operation: dig(e, ns, 'operation').text })),
    };
  }

  it('a commit by another session sends netconf-config-change: user, session-id, datastore, prefixed edit target', async () => {
    const a = await rig.connect();
    const b = await rig.connect('olga');
    assertOk(await a.rpc(SUBSCRIBE));
    assertOk(await b.rpc(editConfig(ifs(iface('notif0')))));
    assertOk(await b.rpc(COMMIT));
    const n = configChange(a, await a.nextNotification());
    assert.equal(n.user, 'olga');
    assert.equal(n.session, String(b.sessionId));
    assert.equal(n.host, '192.0.2.1');
    assert.equal(n.datastore, 'running');
    assert.equal(n.edits.length, 1);
    assertPrefixedPath(n.edits[0]!.target, "/interfaces/interface[name='notif0']", IF_NS);
    assert.equal(n.edits[0]!.operation, 'create');

    // :interleave: the subscribed session still runs operations.
    assert.deepEqual(interfaceNames(dataOf(await a.rpc(getConfig('running', ifs(iface('notif0')))))), ['notif0']);

    assertOk(await b.rpc(editConfig(ifs(iface('notif0', '', ' nc:operation="delete"')))));
    assertOk(await b.rpc(COMMIT));
    const gone = configChange(a, await a.nextNotification());
    assertPrefixedPath(gone.edits[0]!.target, "/interfaces/interface[name='notif0']", IF_NS);
    assert.equal(gone.edits[0]!.operation, 'delete');
  });

  it('a session that did not subscribe gets no notification', async () => {
    const a = await rig.connect();
    const b = await rig.connect();
    assertOk(await b.rpc(editConfig(ifs(iface('quiet0')))));
    assertOk(await b.rpc(COMMIT));
    assertOk(await a.rpc(VALIDATE_RUNNING)); // a round trip: anything sent before it has arrived
    assert.deepEqual(a.notifications, []);
  });

  it('a subscriber that is killed is dropped; later commits and notifications to others go on', async () => {
    const a = await rig.connect();
    const b = await rig.connect();
    const c = await rig.connect();
    assertOk(await a.rpc(SUBSCRIBE));
    // Config changes only: a's end is an event of the stream too.
    assertOk(await c.rpc(`<create-subscription xmlns="${NOTIFICATION_NS}"><filter type="subtree"><netconf-config-change xmlns="${NETCONF_NOTIFICATIONS_NS}"/></filter></create-subscription>`));
    assertOk(await b.rpc(`<kill-session><session-id>${a.sessionId}</session-id></kill-session>`));
    await within(a.closed, 2000, 'the killed subscriber closes');
    assertOk(await b.rpc(editConfig(ifs(iface('after0')))));
    assertOk(await b.rpc(COMMIT));
    const n = configChange(c, await c.nextNotification());
    assertPrefixedPath(n.edits[0]!.target, "/interfaces/interface[name='after0']", IF_NS);
  });

  it('a second create-subscription on the same session is an error', async () => {
    const a = await rig.connect();
    assertOk(await a.rpc(SUBSCRIBE));
    someError(await a.rpc(SUBSCRIBE));
  });
});

// =====================================================================================

describe('rpc-error shape (RFC 6241 §4.3, Appendix A)', () => {
  let rig: Rig;
  before(async () => {
    rig = await openRig();
    const c = await rig.connect();
    assertOk(await c.rpc(editConfig(ifs(iface('eth0')))));
    assertOk(await c.rpc(COMMIT));
    await rig.closeClients();
  });
  after(async () => { await rig.close(); });
  afterEach(async () => { await rig.closeClients(); });

  it('an invalid value: error-type, error-tag, error-severity, prefixed error-path, error-message xml:lang="en", in that order', async () => {
    const c = await rig.connect();
    const reply = await c.rpc(editConfig(ifs(iface('eth0', '<mtu>70000</mtu>'))));
    const e = oneError(reply, 'application', 'invalid-value');
    assert.deepEqual(e.order, ['error-type', 'error-tag', 'error-severity', 'error-path', 'error-message']);
    const [path] = declaredOn(c.textOf(reply), 'error-path');
    assert.ok(path);
    assertPrefixedPath(path, "/interfaces/interface[name='eth0']/mtu", IF_NS);
    assert.ok(e.message && e.message.text.length > 0, 'an error-message');
    assert.equal(attribute(e.message, XML_NS, 'lang'), 'en');
  });

  it('a validation failure with several problems: one rpc-error per problem in one reply', async () => {
    const c = await rig.connect();
    const config = `<system xmlns="${SYS_NS}"><hostname>-bad-</hostname></system>`
      + ifs(iface('a0', '<mtu>70000</mtu>'), iface('a1', '<mtu>10</mtu>'));
    const reply = await c.rpc(`<validate><source><config>${config}</config></source></validate>`);
    const errors = someError(reply);
    assert.equal(errors.length, 3, show(reply));
    for (const e of errors) {
      assert.equal(e.type, 'application');
      assert.equal(e.tag, 'invalid-value');
      assert.equal(attribute(e.message!, XML_NS, 'lang'), 'en');
    }
    const paths = declaredOn(c.textOf(reply), 'error-path');
    assert.equal(paths.length, 3);
    const plain = paths.map((p) => stripPrefixes(p.text.trim()).plain).sort();
    assert.deepEqual(plain, ["/interfaces/interface[name='a0']/mtu", "/interfaces/interface[name='a1']/mtu", '/system/hostname']);
    for (const p of paths) {
      const ns = stripPrefixes(p.text.trim()).plain.startsWith('/system') ? SYS_NS : IF_NS;
      assertPrefixedPath(p, stripPrefixes(p.text.trim()).plain, ns);
    }
  });

  it('error-info carries the content Appendix A makes mandatory: unknown-element → bad-element', async () => {
    const c = await rig.connect();
    const e = oneError(await c.rpc(editConfig(ifs(iface('eth0', '<bogus>1</bogus>')))), ['rpc', 'protocol', 'application'], 'unknown-element');
    assert.equal(e.info['bad-element'], 'bogus', `RFC 6241 Appendix A unknown-element: error-info <bad-element>; got ${show(e.el)}`);
  });

  it('error-info carries the content Appendix A makes mandatory: missing-element → bad-element', async () => {
    const c = await rig.connect();
    const e = oneError(await c.rpc(editConfig(ifs('<interface><mtu>1400</mtu></interface>'))), ['rpc', 'protocol', 'application'], 'missing-element');
    assert.equal(e.info['bad-element'], 'name', `RFC 6241 Appendix A missing-element: error-info <bad-element>; got ${show(e.el)}`);
  });

  it('error-info carries the content Appendix A makes mandatory: bad-attribute → bad-attribute and bad-element', async () => {
    const c = await rig.connect();
    const e = oneError(await c.rpc(editConfig(ifs(iface('eth0', '', ' nc:operation="frobnicate"')))), ['rpc', 'protocol', 'application'], 'bad-attribute');
    assert.deepEqual([e.info['bad-attribute'], e.info['bad-element']], ['operation', 'interface'],
      `RFC 6241 Appendix A bad-attribute: error-info <bad-attribute> and <bad-element>; got ${show(e.el)}`);
  });

  it('the error-path of an error on one list entry names that entry by its key', async () => {
    const c = await rig.connect();
    const reply = await c.rpc(editConfig(ifs(iface('eth0'), iface('eth1', '', ' nc:operation="frobnicate"'))));
    const e = oneError(reply, ['rpc', 'protocol', 'application'], 'bad-attribute');
    assert.ok(e.path !== undefined, 'an error-path');
    const [path] = declaredOn(c.textOf(reply), 'error-path');
    assert.ok(path);
    assertPrefixedPath(path, "/interfaces/interface[name='eth1']", IF_NS);
  });

  it('an error with no data node has no error-path', async () => {
    const c = await rig.connect();
    const e = oneError(await c.rpc('<frobnicate/>'), ['protocol', 'application'], 'operation-not-supported');
    assert.equal(e.path, undefined);
    assert.deepEqual(e.order.slice(0, 3), ['error-type', 'error-tag', 'error-severity']);
  });
});

// =====================================================================================

describe('access rules (RFC 8341 in spirit): viewer, operator, unknown user', () => {
  let rig: Rig;
  before(async () => { rig = await openRig(); });
  after(async () => { await rig.close(); });
  afterEach(async () => {
    await rig.closeClients();
    await rig.engine.discardChanges(rig.engine.systemSession);
  });

  it('a viewer gets access-denied on edit-config, and the candidate is unchanged', async () => {
    const vic = await rig.connect('vic');
    oneError(await vic.rpc(editConfig(ifs(iface('v1')))), ['protocol', 'application'], 'access-denied');
    assert.deepEqual(interfaceNames(dataOf(await vic.rpc(getConfig('candidate')))), []);
  });

  it('a viewer does not see password hashes (get-config, get); an admin does', async () => {
    const users = `<system xmlns="${SYS_NS}"><users/></system>`;
    const admin = await rig.connect('admin');
    const adminUser = dig(dataOf(await admin.rpc(getConfig('running', users))), SYS_NS, 'system/users');
    const adminEntry = children(adminUser, 'user', SYS_NS).find((u) => dig(u, SYS_NS, 'name').text === 'admin');
    assert.equal(adminEntry && dig(adminEntry, SYS_NS, 'password-hash').text, ADMIN_HASH);

    const vic = await rig.connect('vic');
    for (const reply of [await vic.rpc(getConfig('running', users)), await vic.rpc('<get/>')]) {
      const list = children(dig(dataOf(reply), SYS_NS, 'system/users'), 'user', SYS_NS);
      assert.deepEqual(list.map((u) => dig(u, SYS_NS, 'name').text).sort(), ['admin', 'olga', 'vic']);
      for (const u of list) assert.equal(children(u, 'password-hash', SYS_NS).length, 0);
      assert.doesNotMatch(vic.textOf(reply), /\$scrypt\$/);
    }
  });

  it('an operator may edit and commit interfaces', async () => {
    const olga = await rig.connect('olga');
    assertOk(await olga.rpc(editConfig(ifs(iface('op0', '<mtu>9000</mtu>')))));
    assertOk(await olga.rpc(COMMIT));
    assert.deepEqual(interfaceNames(dataOf(await olga.rpc(getConfig('running', ifs(iface('op0')))))), ['op0']);
  });

  it('an operator gets access-denied editing /system/users, with the path of the denied data', async () => {
    const olga = await rig.connect('olga');
    const reply = await olga.rpc(editConfig(`<system xmlns="${SYS_NS}"><users><user><name>eve</name><role>admin</role></user></users></system>`));
    const errors = someError(reply);
    for (const e of errors) assert.equal(e.tag, 'access-denied');
    const [path] = declaredOn(olga.textOf(reply), 'error-path');
    assert.ok(path, 'the denial names the data');
    assert.ok(stripPrefixes(path.text.trim()).plain.startsWith("/system/users/user[name='eve']"), path.text);
    const users = dig(dataOf(await olga.rpc(getConfig('candidate', `<system xmlns="${SYS_NS}"><users/></system>`))), SYS_NS, 'system/users');
    assert.ok(!children(users, 'user', SYS_NS).some((u) => dig(u, SYS_NS, 'name').text === 'eve'));
  });

  it('a user who is not configured is denied reads and writes', async () => {
    const mallory = await rig.connect('mallory');
    oneError(await mallory.rpc(getConfig('running')), ['protocol', 'application'], 'access-denied');
    oneError(await mallory.rpc(editConfig(ifs(iface('m0')))), ['protocol', 'application'], 'access-denied');
  });

  it('close-session is always permitted, even to a user in no group (RFC 8341 §3.4.4 step 3)', async () => {
    const mallory = await rig.connect('mallory');
    assertOk(await mallory.rpc('<close-session/>'));
    await within(mallory.closed, 2000, 'close after close-session');
  });
});
