/**
 * RESTCONF codecs without sockets: resource identifiers, RFC 7951 JSON both ways, the XML
 * body, query parameters (fields, depth, content), the edits of each method, the media type
 * from Accept, and the one error table with its HTTP statuses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfdError } from '../../../../confd/core/errors.js';
import { decodeMembers, encodeResource } from '../../../../confd/northbound/restconf/json-codec.js';
import { instanceIdentifier, parseResourcePath, resourceIdentifier } from '../../../../confd/northbound/restconf/paths.js';
import { applyDepth, applyFields, checkParams, parseFields, readQuery, stateOnly } from '../../../../confd/northbound/restconf/query.js';
import { deleteAt, editAt, valueAt } from '../../../../confd/northbound/restconf/resource.js';
import { toRestconfErrors, errorsJson, errorsXml } from '../../../../confd/northbound/restconf/errors.js';
import { replyFormat } from '../../../../confd/northbound/restconf/service.js';
import { parsePatch } from '../../../../confd/northbound/restconf/yang-patch.js';
import { decodeXmlMembers, parseXmlBody, xmlResource } from '../../../../confd/northbound/restconf/xml-body.js';
import type { JsonObject } from '../../../../confd/core/tree.js';
import type { ContainerLike } from '../../../../confd/schema/model.js';
import { quietLogger, testSchema } from '../../../helpers/device.js';

const schema = testSchema(2);
const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { return (e as ConfdError).code; }
  return 'no error';
};

describe('resource identifiers', () => {
  test('module-qualified first segment, keys after =, percent-decoded', () => {
    const r = parseResourcePath(schema, '/appliance-interfaces:interfaces/interface=eth0%2F1/mtu');
    assert.equal(r.path, "/interfaces/interface[name='eth0/1']/mtu");
    assert.equal(r.node.kind, 'leaf');
    assert.equal(resourceIdentifier(schema, r.path), 'appliance-interfaces:interfaces/interface=eth0%2F1/mtu');
    assert.equal(parseResourcePath(schema, '').path, '/');
  });
  test('later segments may repeat the module, not name another', () => {
    assert.equal(parseResourcePath(schema, 'appliance-interfaces:interfaces/appliance-interfaces:interface=a').path, "/interfaces/interface[name='a']");
    assert.equal(code(() => parseResourcePath(schema, 'appliance-interfaces:interfaces/appliance-system:interface=a')), 'RC_NOT_FOUND');
  });
  test('an unqualified first segment, unknown names, wrong key counts and keys of containers are refused', () => {
    assert.equal(code(() => parseResourcePath(schema, 'interfaces')), 'RC_MALFORMED');
    assert.equal(code(() => parseResourcePath(schema, 'appliance-interfaces:nothing')), 'RC_NOT_FOUND');
    assert.equal(code(() => parseResourcePath(schema, 'appliance-interfaces:interfaces/interface=a,b')), 'RC_MALFORMED');
    assert.equal(code(() => parseResourcePath(schema, 'appliance-interfaces:interfaces=x')), 'RC_MALFORMED');
    assert.equal(code(() => parseResourcePath(schema, 'appliance-interfaces:interfaces/interface/mtu')), 'RC_MALFORMED');
    assert.equal(code(() => parseResourcePath(schema, 'appliance-interfaces:interfaces/interface=a/mtu/x')), 'RC_NOT_FOUND');
  });
  test('instance-identifiers qualify the first segment', () => {
    assert.equal(instanceIdentifier(schema, "/interfaces/interface[name='a']/mtu"), "/appliance-interfaces:interfaces/interface[name='a']/mtu");
  });
});

describe('RFC 7951 JSON', () => {
  const interfaces = schema.root.children.get('interfaces')!;
  test('qualified at the top, keys first, defaults trimmed or tagged', () => {
    const v = { interface: [{ mtu: 1400, name: 'eth0', enabled: true }] };
    assert.deepEqual(encodeResource(interfaces, v, 'report-all'), { 'appliance-interfaces:interfaces': { interface: [{ name: 'eth0', enabled: true, mtu: 1400 }] } });
    assert.deepEqual(encodeResource(interfaces, v, 'trim'), { 'appliance-interfaces:interfaces': { interface: [{ name: 'eth0', mtu: 1400 }] } });
    const tagged = encodeResource(interfaces, v, 'report-all-tagged') as Record<string, { interface: Array<Record<string, unknown>> }>;
    assert.deepEqual(tagged['appliance-interfaces:interfaces']!.interface[0]!['@enabled'], { 'ietf-netconf-with-defaults:default': true });
    assert.deepEqual(Object.keys(encodeResource(schema.root, { interfaces: {} }, 'report-all')), ['ietf-restconf:data']);
  });
  test('64-bit integers are strings', () => {
    const state = schema.nodes.get('/system/state/uptime-seconds');
    assert.ok(state && state.kind === 'leaf');
    assert.deepEqual(encodeResource(state, 12, 'report-all'), { 'appliance-system:uptime-seconds': '12' });
  });
  test('decoding checks names, shapes and types, all problems at once', () => {
    assert.deepEqual(decodeMembers(schema.root, { 'appliance-interfaces:interfaces': { interface: [{ name: 'e', mtu: 1500 }] } }, '/'),
      { interfaces: { interface: [{ name: 'e', mtu: 1500 }] } });
    let err: ConfdError | undefined;
    try {
      decodeMembers(interfaces as ContainerLike, { interface: [{ name: 'e', mtu: 'big', nope: 1 }, { mtu: 1 }] }, '/interfaces');
    } catch (e) { err = e as ConfdError; }
    assert.deepEqual(err?.flatten().map((i) => [i.code, i.path]), [
      ['SCHEMA_INVALID_VALUE', "/interfaces/interface[name='e']/mtu"],
      ['SCHEMA_UNKNOWN_ELEMENT', "/interfaces/interface[name='e']/nope"],
      ['SCHEMA_MISSING_KEY', '/interfaces/interface'],
    ]);
    assert.equal(code(() => decodeMembers(schema.root, { interfaces: {} }, '/')), 'SCHEMA_UNKNOWN_ELEMENT');
    assert.equal(code(() => decodeMembers(schema.root, { 'appliance-system:system': { state: {} } }, '/')), 'SCHEMA_NOT_CONFIG');
  });
});

describe('XML bodies', () => {
  test('an entry element decodes as its parent\'s member; a resource encodes as its element', () => {
    const root = parseXmlBody('<interface xmlns="urn:appliance:interfaces"><name>e1</name><mtu>1500</mtu></interface>', 10_000);
    const members = decodeXmlMembers(schema, [{ name: 'interfaces' }], [root]);
    assert.deepEqual(members, { interface: [{ name: 'e1', mtu: 1500 }] });
    const mtu = schema.nodes.get('/interfaces/interface/mtu')!;
    assert.equal(xmlResource(schema, mtu, 1500, 'report-all'), '<mtu xmlns="urn:appliance:interfaces">1500</mtu>');
    assert.equal(code(() => parseXmlBody('<a>', 100)), 'RC_MALFORMED');
  });
});

describe('query parameters', () => {
  test('only those of the method, each once, values checked', () => {
    assert.equal(code(() => checkParams('GET', new URLSearchParams('depth=1&depth=2'))), 'RC_BAD_QUERY');
    assert.equal(code(() => checkParams('PATCH', new URLSearchParams('depth=1'))), 'RC_BAD_QUERY');
    assert.equal(code(() => readQuery(new URLSearchParams('depth=0'))), 'RC_BAD_QUERY');
    assert.equal(code(() => readQuery(new URLSearchParams('content=some'))), 'RC_BAD_QUERY');
    assert.equal(readQuery(new URLSearchParams('with-defaults=explicit')).defaults, 'explicit');
    assert.equal(code(() => parseFields('a(b')), 'RC_BAD_QUERY');
    assert.deepEqual(readQuery(new URLSearchParams('depth=3&content=config')).depth, 3);
  });
  test('fields and depth select below the target; nonconfig keeps state', () => {
    const interfaces = schema.root.children.get('interfaces')!;
    const v = { interface: [{ name: 'a', mtu: 1500, description: 'd', state: { 'oper-status': 'up' } }] };
    assert.deepEqual(applyFields(interfaces, v, parseFields('appliance-interfaces:interface(mtu;state/oper-status)')),
      { interface: [{ name: 'a', mtu: 1500, state: { 'oper-status': 'up' } }] });
    assert.deepEqual(applyDepth(interfaces, v, 1), {});
    assert.deepEqual(applyDepth(interfaces, v, 2), { interface: [{ name: 'a' }] });
    assert.deepEqual(applyDepth(interfaces, v, 3), { interface: [{ name: 'a', mtu: 1500, description: 'd', state: {} }] });
    assert.deepEqual(stateOnly(interfaces, v), { interface: [{ state: { 'oper-status': 'up' }, name: 'a' }] });
  });
});

describe('edits of the methods', () => {
  const entry = parseResourcePath(schema, 'appliance-interfaces:interfaces/interface=a');
  test('members under their ancestors with the operation on each', () => {
    assert.deepEqual(editAt(schema, entry.segments, { mtu: 1400 }, 'merge'),
      { interfaces: { interface: [{ name: 'a', mtu: { '@op': 'merge', '@value': 1400 } }] } });
    assert.deepEqual(editAt(schema, [{ name: 'interfaces' }], { interface: [{ name: 'b' }] }, 'create'),
      { interfaces: { interface: [{ name: 'b', '@op': 'create' }] } });
    assert.deepEqual(deleteAt(schema, entry.segments), { interfaces: { interface: [{ name: 'a', '@op': 'delete' }] } });
    assert.deepEqual(valueAt({ interfaces: { interface: [{ name: 'b' }, { name: 'a', mtu: 1 }] } }, entry.segments), { name: 'a', mtu: 1 });
  });
});

describe('media types and errors', () => {
  test('Accept chooses JSON or XML; neither is 406', () => {
    assert.equal(replyFormat(undefined), 'json');
    assert.equal(replyFormat('application/yang-data+xml'), 'xml');
    assert.equal(replyFormat('application/yang-data+xml;q=0.5, application/yang-data+json'), 'json');
    assert.equal(code(() => replyFormat('text/html')), 'RC_NOT_ACCEPTABLE');
  });
  test('one table: codes to error-type, error-tag and the RFC 8040 §7 status', () => {
    const status = (c: ConstructorParameters<typeof ConfdError>[0]) => {
      const r = toRestconfErrors(new ConfdError(c, 'x'), quietLogger);
      return [r.status, r.errors[0]!.type, r.errors[0]!.tag];
    };
    assert.deepEqual(status('TXN_DATA_EXISTS'), [409, 'application', 'data-exists']);
    assert.deepEqual(status('ACCESS_DENIED'), [403, 'application', 'access-denied']);
    assert.deepEqual(status('SCHEMA_INVALID_VALUE'), [400, 'application', 'invalid-value']);
    assert.deepEqual(status('TXN_IN_USE'), [409, 'protocol', 'in-use']);
    assert.deepEqual(status('RC_NOT_FOUND'), [404, 'protocol', 'invalid-value']);
    assert.deepEqual(status('RC_PRECONDITION_FAILED'), [412, 'protocol', 'operation-failed']);
    assert.deepEqual(status('RC_TOO_BIG'), [413, 'transport', 'too-big']);
    assert.deepEqual(status('RC_METHOD_NOT_ALLOWED'), [405, 'protocol', 'operation-not-supported']);
    assert.deepEqual(status('TXN_NOT_SUPPORTED'), [501, 'protocol', 'operation-not-supported']);
    assert.deepEqual(status('TXN_VETOED'), [409, 'application', 'operation-failed']);
    assert.deepEqual(status('TXN_LOCKOUT'), [409, 'application', 'operation-failed']);
    const internal = toRestconfErrors(new Error('secret detail'), quietLogger);
    assert.equal(internal.status, 500);
    assert.doesNotMatch(errorsJson(schema, internal.errors), /secret detail/);
    const body = JSON.parse(errorsJson(schema, toRestconfErrors(new ConfdError('SCHEMA_INVALID_VALUE', 'bad', { path: '/interfaces' }), quietLogger).errors));
    assert.equal(body['ietf-restconf:errors'].error[0]['error-path'], '/appliance-interfaces:interfaces');
    const xml = errorsXml(schema, toRestconfErrors(new ConfdError('SCHEMA_INVALID_VALUE', 'bad', { path: "/interfaces/interface[name='a']" }), quietLogger).errors);
    assert.match(xml, /<error-path xmlns:interfaces="urn:appliance:interfaces">\/interfaces:interfaces\/interfaces:interface\[interfaces:name='a'\]<\/error-path>/);
  });
});

describe('YANG Patch documents', () => {
  const noCheck = () => undefined;
  const body = (edit: unknown[]) => ({ kind: 'json' as const, value: { 'ietf-yang-patch:yang-patch': { 'patch-id': 'p', edit } } as unknown as JsonObject });
  test('edits become edits from the root, targets below the request resource', () => {
    const p = parsePatch(schema, '/appliance-interfaces:interfaces', body([
      { 'edit-id': 'a', operation: 'merge', target: '/interface=x/mtu', value: { 'appliance-interfaces:mtu': 1400 } },
      { 'edit-id': 'b', operation: 'remove', target: '/interface=y' },
    ]), noCheck);
    assert.deepEqual(p.edits, [
      { id: 'a', edit: { interfaces: { interface: [{ name: 'x', mtu: { '@op': 'merge', '@value': 1400 } }] } } },
      { id: 'b', edit: { interfaces: { interface: [{ name: 'y', '@op': 'remove' }] } } },
    ]);
  });
  test('a bad edit is named by its edit-id; insert and move are not supported', () => {
    const failing = (edit: unknown[]) => {
      try { parsePatch(schema, '', body(edit), noCheck); } catch (e) { return [(e as { editId: string }).editId, ((e as { error: ConfdError }).error).code]; }
      return [];
    };
    assert.deepEqual(failing([{ 'edit-id': 'm', operation: 'move', target: '/appliance-interfaces:interfaces/interface=a' }]), ['m', 'TXN_NOT_SUPPORTED']);
    assert.deepEqual(failing([{ 'edit-id': 'n', operation: 'merge', target: '/appliance-interfaces:nothing', value: {} }]), ['n', 'RC_NOT_FOUND']);
    assert.equal(code(() => parsePatch(schema, '', { kind: 'json', value: { edits: [] } }, noCheck)), 'RC_MALFORMED');
  });
});
