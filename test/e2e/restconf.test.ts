/**
 * RESTCONF end to end with real curl over HTTPS against an appliance started in-process:
 * discovery, every method on data resources in JSON and XML, query parameters, entity tags
 * and preconditions, the operations, the event stream with replay, access rules (viewer 403
 * on a write, no password hash), the login throttle, and the error of each kind with its status.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Daemon } from '../../confd/main/daemon.js';
import { hashPassword } from '../../confd/auth/passwords.js';
import { ConfdError } from '../../confd/core/errors.js';
import { curl, type CurlReply } from '../helpers/curl.js';
import { connectNetconf } from '../security/ssh-netconf.js';
import { quietLogger, tempDir } from '../helpers/device.js';

const dir = tempDir('appliance-restconf-');
let daemon: Daemon;
let base = '';
const ADMIN = ['-u', 'admin:secret'];
const VIEWER = ['-u', 'watcher:watch-pass'];
const JSON_BODY = (body: unknown) => ['-H', 'content-type: application/yang-data+json', '--data-binary', JSON.stringify(body)];
const XML_BODY = (body: string) => ['-H', 'content-type: application/yang-data+xml', '--data-binary', body];
const data = (p = '') => `${base}/restconf/data${p}`;
const IF = '/appliance-interfaces:interfaces';
const json = (r: CurlReply) => JSON.parse(r.body) as Record<string, any>;
const firstError = (r: CurlReply) => json(r)['ietf-restconf:errors'].error[0] as Record<string, string>;

before(async () => {
  daemon = await Daemon.start({
    dataDir: join(dir.path, 'data'), logger: quietLogger, listen: ['127.0.0.1'], port: 0, httpPort: 0,
    env: { APPLIANCE_ADMIN_PASSWORD: 'secret' },
  });
  base = `https://127.0.0.1:${daemon.httpPort}`;
  const s = daemon.ops.openSession({ user: 'admin', source: 'socket', address: 'local' });
  await daemon.ops.editConfig(s, { system: { users: { user: [{ name: 'watcher', role: 'viewer', 'password-hash': await hashPassword('watch-pass') }] } } });
  await daemon.ops.commit(s, {});
  await daemon.ops.closeSession(s);
});
after(async () => { await daemon.stop(); dir.remove(); });

describe('RESTCONF over HTTPS with curl', () => {
  test('root discovery, the API root, yang-library-version, the operations', async () => {
    const meta = await curl(`${base}/.well-known/host-meta`, ADMIN);
    assert.equal(meta.status, 200);
    assert.match(meta.body, /<Link rel="restconf" href="\/restconf"\/>/);
    const root = await curl(`${base}/restconf`, ADMIN);
    assert.equal(root.headers['content-type'], 'application/yang-data+json');
    assert.equal(json(root)['ietf-restconf:restconf']['yang-library-version'], '2019-01-04');
    assert.equal(json(await curl(`${base}/restconf/yang-library-version`, ADMIN))['ietf-restconf:yang-library-version'], '2019-01-04');
    const ops = json(await curl(`${base}/restconf/operations`, ADMIN))['ietf-restconf:operations'];
    assert.ok('appliance-software:software-add' in ops && 'appliance-history:rollback' in ops);
  });

  test('the YANG library as ietf-yang-library data, in JSON and XML', async () => {
    const lib = json(await curl(data('/ietf-yang-library:yang-library'), ADMIN))['ietf-yang-library:yang-library'];
    const modules = lib['module-set'][0].module as Array<{ name: string; revision: string }>;
    assert.ok(modules.some((m) => m.name === 'appliance-interfaces' && /^\d{4}-\d\d-\d\d$/.test(m.revision)));
    assert.deepEqual(lib.schema, [{ name: 'appliance', 'module-set': ['appliance'] }]);
    assert.equal(lib.datastore[0].name, 'ietf-datastores:running');
    const xml = await curl(data('/ietf-yang-library:modules-state'), [...ADMIN, '-H', 'accept: application/yang-data+xml']);
    assert.match(xml.body, /^<modules-state xmlns="urn:ietf:params:xml:ns:yang:ietf-yang-library"><module-set-id>/);
    assert.equal((await curl(data('/ietf-yang-library:yang-library'), [...ADMIN, '-X', 'DELETE'])).status, 405);
  });

  test('POST creates (201 and Location), again is 409 data-exists', async () => {
    const r = await curl(data(IF), [...ADMIN, '-X', 'POST', ...JSON_BODY({ 'appliance-interfaces:interface': [{ name: 'eth0', mtu: 1400 }] })]);
    assert.equal(r.status, 201);
    assert.equal(r.headers.location, `/restconf/data${IF}/interface=eth0`);
    const again = await curl(data(IF), [...ADMIN, '-X', 'POST', ...JSON_BODY({ 'appliance-interfaces:interface': [{ name: 'eth0' }] })]);
    assert.equal(again.status, 409);
    assert.deepEqual([firstError(again)['error-type'], firstError(again)['error-tag']], ['application', 'data-exists']);
    assert.equal(firstError(again)['error-path'], `${IF}/interface[name='eth0']`);
  });

  test('GET in JSON and XML, HEAD without a body, OPTIONS', async () => {
    const r = await curl(data(`${IF}/interface=eth0?content=config`), ADMIN);
    assert.equal(r.status, 200);
    assert.deepEqual(json(r), { 'appliance-interfaces:interface': [{ name: 'eth0', enabled: true, mtu: 1400 }] });
    assert.match(r.headers.etag ?? '', /^"\d+"$/);
    assert.ok(r.headers['last-modified']);
    const x = await curl(data(`${IF}/interface=eth0/mtu`), [...ADMIN, '-H', 'accept: application/yang-data+xml']);
    assert.equal(x.headers['content-type'], 'application/yang-data+xml');
    assert.equal(x.body, '<mtu xmlns="urn:appliance:interfaces">1400</mtu>');
    const head = await curl(data(IF), [...ADMIN, '-I']);
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers.etag, r.headers.etag);
    const opt = await curl(data(IF), [...ADMIN, '-X', 'OPTIONS']);
    assert.equal(opt.status, 200);
    assert.match(opt.headers.allow ?? '', /PATCH/);
  });

  test('PUT creates (201) then replaces (204); XML bodies too; a key unlike the URI is 400', async () => {
    const put = (body: unknown) => curl(data(`${IF}/interface=eth1`), [...ADMIN, '-X', 'PUT', ...JSON_BODY(body)]);
    assert.equal((await put({ 'appliance-interfaces:interface': [{ name: 'eth1', description: 'uplink' }] })).status, 201);
    assert.equal((await put({ 'appliance-interfaces:interface': [{ name: 'eth1', mtu: 9000 }] })).status, 204);
    const after1 = json(await curl(data(`${IF}/interface=eth1?content=config`), ADMIN));
    assert.deepEqual(after1['appliance-interfaces:interface'][0], { name: 'eth1', enabled: true, mtu: 9000 });
    const wrongKey = await put({ 'appliance-interfaces:interface': [{ name: 'eth9' }] });
    assert.equal(wrongKey.status, 400);
    const xml = await curl(data(`${IF}/interface=eth2`), [...ADMIN, '-X', 'PUT', ...XML_BODY('<interface xmlns="urn:appliance:interfaces"><name>eth2</name><mtu>1500</mtu></interface>')]);
    assert.equal(xml.status, 201);
  });

  test('PATCH merges into an existing resource (204), a missing one is 404; DELETE 204 then 404', async () => {
    const patch = await curl(data(`${IF}/interface=eth2`), [...ADMIN, '-X', 'PATCH', ...JSON_BODY({ 'appliance-interfaces:interface': [{ name: 'eth2', description: 'lab' }] })]);
    assert.equal(patch.status, 204);
    assert.equal(json(await curl(data(`${IF}/interface=eth2/description`), ADMIN))['appliance-interfaces:description'], 'lab');
    const missing = await curl(data(`${IF}/interface=nope/mtu`), [...ADMIN, '-X', 'PATCH', ...JSON_BODY({ 'appliance-interfaces:mtu': 1500 })]);
    assert.equal(missing.status, 404);
    assert.equal((await curl(data(`${IF}/interface=eth2`), [...ADMIN, '-X', 'DELETE'])).status, 204);
    assert.equal((await curl(data(`${IF}/interface=eth2`), [...ADMIN, '-X', 'DELETE'])).status, 404);
  });

  test('YANG Patch: several edits in one commit, or none when one fails (its edit-id named)', async () => {
    const patch = (edits: unknown[]) => curl(data(IF), [...ADMIN, '-X', 'PATCH', '-H', 'content-type: application/yang-patch+json',
      '--data-binary', JSON.stringify({ 'ietf-yang-patch:yang-patch': { 'patch-id': 'p1', edit: edits } })]);
    const before = daemon.ops.engine.store.lastTxid;
    const ok = await patch([
      { 'edit-id': 'e1', operation: 'create', target: '/interface=eth8', value: { 'appliance-interfaces:interface': [{ name: 'eth8', mtu: 1300 }] } },
      { 'edit-id': 'e2', operation: 'merge', target: '/interface=eth8/description', value: { 'appliance-interfaces:description': 'patched' } },
    ]);
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(json(ok), { 'ietf-yang-patch:yang-patch-status': { 'patch-id': 'p1', ok: [null] } });
    assert.equal(daemon.ops.engine.store.lastTxid, before + 1);
    const failed = await patch([
      { 'edit-id': 'a', operation: 'create', target: '/interface=eth9', value: { 'appliance-interfaces:interface': [{ name: 'eth9' }] } },
      { 'edit-id': 'b', operation: 'create', target: '/interface=eth8', value: { 'appliance-interfaces:interface': [{ name: 'eth8' }] } },
    ]);
    assert.equal(failed.status, 409);
    const edit = json(failed)['ietf-yang-patch:yang-patch-status']['edit-status'].edit[0];
    assert.deepEqual([edit['edit-id'], edit.errors.error[0]['error-tag']], ['b', 'data-exists']);
    assert.equal((await curl(data(`${IF}/interface=eth9`), ADMIN)).status, 404);
    assert.equal((await curl(data(`${IF}/interface=eth8`), [...ADMIN, '-X', 'DELETE'])).status, 204);
  });

  test('PUT of the datastore: its GET put back changes nothing; one leaving no admin login is 409 and changes nothing', async () => {
    // Read as set (explicit): written back, nothing changes (writing a default would set it explicitly).
    const whole = (await curl(data('?content=config&with-defaults=explicit'), ADMIN)).body;
    const txid = daemon.ops.engine.store.lastTxid;
    const same = await curl(data(''), [...ADMIN, '-X', 'PUT', '-H', 'content-type: application/yang-data+json', '--data-binary', whole]);
    assert.equal(same.status, 204, same.body);
    assert.equal(daemon.ops.engine.store.lastTxid, txid);
    const lockout = await curl(data(''), [...ADMIN, '-X', 'PUT', ...JSON_BODY({ 'appliance-interfaces:interfaces': { interface: [{ name: 'only' }] } })]);
    assert.deepEqual([lockout.status, firstError(lockout)['error-tag']], [409, 'operation-failed']);
    assert.equal(daemon.ops.engine.store.lastTxid, txid);
  });

  test('query parameters: depth, fields, content, with-defaults; bad ones are 400', async () => {
    const d = json(await curl(data(`${IF}?depth=2`), ADMIN))['appliance-interfaces:interfaces'];
    assert.deepEqual(d.interface.map((e: object) => Object.keys(e)), [['name'], ['name']]);
    const f = json(await curl(data(`${IF}?fields=interface(name;mtu)&content=config`), ADMIN))['appliance-interfaces:interfaces'];
    assert.deepEqual(f.interface, [{ name: 'eth0', mtu: 1400 }, { name: 'eth1', mtu: 9000 }]);
    const trim = json(await curl(data(`${IF}/interface=eth0?content=config&with-defaults=trim`), ADMIN));
    assert.deepEqual(trim['appliance-interfaces:interface'], [{ name: 'eth0', mtu: 1400 }]);
    const state = json(await curl(data(`/appliance-system:system?content=nonconfig`), ADMIN))['appliance-system:system'];
    assert.deepEqual(Object.keys(state), ['state']);
    assert.equal((await curl(data(`${IF}?depth=0`), ADMIN)).status, 400);
    assert.equal((await curl(data(`${IF}?colour=red`), ADMIN)).status, 400);
    // The basic mode is report-all; explicit leaves out the defaults no client set.
    const explicit = json(await curl(data(`${IF}/interface=eth0?content=config&with-defaults=explicit`), ADMIN))['appliance-interfaces:interface'];
    const all = json(await curl(data(`${IF}/interface=eth0?content=config`), ADMIN))['appliance-interfaces:interface'];
    assert.ok(Object.keys(all[0]).length > Object.keys(explicit[0]).length, `report-all adds the defaults: ${JSON.stringify(all)} vs ${JSON.stringify(explicit)}`);
  });

  test('entity tags: a stale If-Match or If-Unmodified-Since is 412 and changes nothing; If-None-Match reads 304', async () => {
    const tag = (await curl(data(IF), [...ADMIN, '-I'])).headers.etag!;
    const mtu = (m: number, extra: string[]) => curl(data(`${IF}/interface=eth0/mtu`), [...ADMIN, '-X', 'PATCH', ...extra, ...JSON_BODY({ 'appliance-interfaces:mtu': m })]);
    assert.equal((await mtu(1500, ['-H', `if-match: ${tag}`])).status, 204);
    const stale = await mtu(1600, ['-H', `if-match: ${tag}`]);
    assert.equal(stale.status, 412);
    assert.equal(firstError(stale)['error-tag'], 'operation-failed');
    assert.equal((await mtu(1600, ['-H', 'if-unmodified-since: Thu, 01 Jan 2015 00:00:00 GMT'])).status, 412);
    assert.equal(json(await curl(data(`${IF}/interface=eth0/mtu`), ADMIN))['appliance-interfaces:mtu'], 1500);
    const now = (await curl(data(IF), [...ADMIN, '-I'])).headers.etag!;
    assert.notEqual(now, tag);
    assert.equal((await curl(data(IF), [...ADMIN, '-H', `if-none-match: ${now}`])).status, 304);
  });

  test('errors: bad value, malformed body, media types, size limits, unknown resource, wrong method', async () => {
    const bad = await curl(data(`${IF}/interface=eth0/mtu`), [...ADMIN, '-X', 'PATCH', ...JSON_BODY({ 'appliance-interfaces:mtu': 10 })]);
    assert.equal(bad.status, 400);
    assert.equal(firstError(bad)['error-tag'], 'invalid-value');
    assert.equal(firstError(bad)['error-path'], `${IF}/interface[name='eth0']/mtu`);
    const malformed = await curl(data(IF), [...ADMIN, '-X', 'POST', '-H', 'content-type: application/yang-data+json', '--data-binary', '{"a":']);
    assert.deepEqual([malformed.status, firstError(malformed)['error-tag']], [400, 'malformed-message']);
    assert.equal((await curl(data(IF), [...ADMIN, '-X', 'POST', '-H', 'content-type: text/plain', '--data-binary', 'x'])).status, 415);
    assert.equal((await curl(data(IF), [...ADMIN, '-H', 'accept: text/html'])).status, 406);
    const big = join(dir.path, 'big.json');
    writeFileSync(big, `{"appliance-interfaces:interface":[{"name":"x","description":"${'x'.repeat(9 * 1024 * 1024)}"}]}`);
    const tooBig = await curl(data(IF), [...ADMIN, '-X', 'POST', '-H', 'content-type: application/yang-data+json', '--data-binary', `@${big}`]);
    assert.deepEqual([tooBig.status, firstError(tooBig)['error-tag']], [413, 'too-big']);
    assert.equal((await curl(data('/appliance-interfaces:nothing'), ADMIN)).status, 404);
    const del = await curl(data(''), [...ADMIN, '-X', 'DELETE']);
    assert.deepEqual([del.status, del.headers.allow], [405, 'GET, HEAD, OPTIONS, POST, PUT, PATCH']);
    assert.equal((await curl(data(IF), [...ADMIN, '-H', `x-filler: ${'y'.repeat(20_000)}`])).status, 431);
    const xmlErr = await curl(data('/appliance-interfaces:nothing'), [...ADMIN, '-H', 'accept: application/yang-data+xml']);
    assert.match(xmlErr.body, /^<errors xmlns="urn:ietf:params:xml:ns:yang:ietf-restconf"><error><error-type>protocol<\/error-type>/);
  });

  test('operations: history, compare and rollback of the commit history; software without a boot loader is 501', async () => {
    const hist = json(await curl(`${base}/restconf/operations/appliance-history:history`, [...ADMIN, '-X', 'POST', ...JSON_BODY({ 'appliance-history:input': { limit: 1 } })]));
    const last = hist['appliance-history:output'].commit[0];
    assert.equal(last.source, 'restconf');
    const cmp = json(await curl(`${base}/restconf/operations/appliance-history:compare`, [...ADMIN, '-X', 'POST', ...JSON_BODY({ 'appliance-history:input': { from: last.txid - 1, to: last.txid } })]));
    assert.equal(cmp['appliance-history:output'].change[0].path, `${IF}/interface[name='eth0']/mtu`);
    const rb = await curl(`${base}/restconf/operations/appliance-history:rollback`, [...ADMIN, '-X', 'POST', ...JSON_BODY({ 'appliance-history:input': { back: 1 } })]);
    assert.equal(rb.status, 200);
    assert.equal(json(await curl(data(`${IF}/interface=eth0/mtu`), ADMIN))['appliance-interfaces:mtu'], 1400);
    const sw = await curl(`${base}/restconf/operations/appliance-software:software-status`, [...ADMIN, '-X', 'POST']);
    assert.deepEqual([sw.status, firstError(sw)['error-tag']], [501, 'operation-not-supported']);
    assert.equal((await curl(`${base}/restconf/operations/appliance-history:nothing`, [...ADMIN, '-X', 'POST'])).status, 404);
  });

  test('a datastore locked over NETCONF refuses RESTCONF writes with 409 in-use, and they work once it is unlocked', async () => {
    const holder = daemon.ops.openSession({ user: 'admin', source: 'netconf', address: '127.0.0.1:1' });
    await daemon.ops.lock(holder, 'running');
    const patch = () => curl(data(`${IF}/interface=eth0`), [...ADMIN, '-X', 'PATCH', ...JSON_BODY({ 'appliance-interfaces:interface': [{ name: 'eth0', description: 'locked?' }] })]);
    const refused = await patch();
    assert.deepEqual([refused.status, firstError(refused)['error-tag']], [409, 'in-use']);
    await daemon.ops.unlock(holder, 'running');
    await daemon.ops.closeSession(holder);
    assert.equal((await patch()).status, 204);
  });

  test('a write is offered to the participants: a veto is 409 with error-app-tag vetoed, and nothing is committed', async () => {
    const veto = {
      name: 'test-veto',
      prepare: async (e: { changes: ReadonlyArray<{ path: string }> }) => {
        if (e.changes.some((c) => c.path.includes("'vetoed'"))) throw new ConfdError('TXN_VETOED', 'the test subscriber refuses it');
      },
    };
    daemon.ops.engine.addParticipant(veto);
    try {
      const txid = daemon.ops.engine.store.lastTxid;
      const r = await curl(data(IF), [...ADMIN, '-X', 'POST', ...JSON_BODY({ 'appliance-interfaces:interface': [{ name: 'vetoed' }] })]);
      assert.deepEqual([r.status, firstError(r)['error-tag'], firstError(r)['error-app-tag']], [409, 'operation-failed', 'vetoed']);
      assert.equal(daemon.ops.engine.store.lastTxid, txid);
    } finally {
      daemon.ops.engine.removeParticipant(veto);
    }
  });

  test('every write is one commit audited with source restconf', async () => {
    const commits = daemon.ops.engine.history(50).filter((c) => c.source === 'restconf');
    assert.ok(commits.length >= 7, `${commits.length} restconf commits`);
    const audit = daemon.ops.engine.store.queryAudit({ action: 'commit', limit: 100 });
    assert.ok(audit.some((a) => a.source === 'restconf' && a.user === 'admin'));
  });

  test('the event stream replays the history from start-time, then sends live commits and alarms', async () => {
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const child = spawn('curl', ['-skN', '--max-time', '20', ...ADMIN, `${base}/restconf/streams/NETCONF/json?start-time=${start}`]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    // A second subscriber asks only for changes of eth7 (the filter parameter, XPath over the content).
    const filter = encodeURIComponent("/netconf-config-change/edit[contains(target, 'eth7')]");
    const filtered = spawn('curl', ['-skN', '--max-time', '20', ...ADMIN, `${base}/restconf/streams/NETCONF/json?start-time=${start}&filter=${filter}`]);
    let only = '';
    filtered.stdout.on('data', (d: Buffer) => { only += d.toString(); });
    const until = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(out, re);
    };
    await until(/replayComplete/);
    for (let i = 0; i < 200 && !only.includes('replayComplete'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(only, /replayComplete/, 'the filtered subscriber is attached before the live commits');
    assert.match(out, /interface\[name='eth1'\]/);
    const r = await curl(data(`${IF}/interface=eth7`), [...ADMIN, '-X', 'PUT', ...JSON_BODY({ 'appliance-interfaces:interface': [{ name: 'eth7' }] })]);
    assert.equal(r.status, 201);
    await until(/interface\[name='eth7'\]","operation":"create"/);
    daemon.monitor.alarms.raise('restconf-test', 'eth7', 'major', 'raised by the RESTCONF test');
    await until(/"appliance-system:alarm-notification":\{"resource":"eth7","alarm-type-id":"restconf-test"/);
    child.kill();
    // The deletion of eth7 comes after the alarm: once the filtered stream has it, the alarm had its chance to arrive.
    assert.equal((await curl(data(`${IF}/interface=eth7`), [...ADMIN, '-X', 'DELETE'])).status, 204);
    for (let i = 0; i < 200 && !/"operation":"delete"/.test(only); i++) await new Promise((r) => setTimeout(r, 50));
    filtered.kill();
    const events = only.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    // Nothing of the replay matched (eth7 did not exist), then its creation and deletion; no other commit, no alarm.
    assert.equal(events.length, 3, `only the replay's end and the changes of eth7: ${only}`);
    assert.match(events[0]!, /replayComplete/);
    assert.match(events[1]!, /interface\[name='eth7'\]","operation":"create"/);
    assert.match(events[2]!, /interface\[name='eth7'\]","operation":"delete"/);
    const bad = await curl(`${base}/restconf/streams/NETCONF/json?filter=${encodeURIComponent('/edit[')}`, ADMIN);
    assert.equal(bad.status, 400, bad.body);
    const stream = json(await curl(data('/ietf-restconf-monitoring:restconf-state/streams'), ADMIN));
    assert.equal(stream['ietf-restconf-monitoring:streams'].stream[0].access[0].location, `https://127.0.0.1:${daemon.httpPort}/restconf/streams/NETCONF/json`);
  });

  test('a viewer reads without password hashes and gets 403 on every write', async () => {
    const users = await curl(data('/appliance-system:system/users?content=config'), VIEWER);
    assert.equal(users.status, 200);
    assert.doesNotMatch(users.body, /password-hash|scrypt/);
    assert.match((await curl(data('/appliance-system:system/users?content=config'), ADMIN)).body, /password-hash/);
    for (const [method, body] of [['PATCH', { 'appliance-interfaces:mtu': 1500 }], ['PUT', { 'appliance-interfaces:mtu': 1500 }]] as const) {
      const r = await curl(data(`${IF}/interface=eth0/mtu`), [...VIEWER, '-X', method, ...JSON_BODY(body)]);
      assert.deepEqual([r.status, firstError(r)['error-tag']], [403, 'access-denied']);
    }
    assert.equal((await curl(data(`${IF}/interface=eth0`), [...VIEWER, '-X', 'DELETE'])).status, 403);
    assert.equal(json(await curl(data(`${IF}/interface=eth0/mtu`), ADMIN))['appliance-interfaces:mtu'], 1400);
  });

  test('no or wrong credentials are 401; repeated failures are throttled (429) by the throttle of SSH logins', async () => {
    (await connectNetconf(daemon.sshPort, 'admin', 'secret')).close();
    assert.equal((await curl(data(IF))).status, 401);
    assert.equal((await curl(data(IF), ['-u', 'admin:wrong'])).status, 401);
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++) status = (await curl(data(IF), ['-u', `admin:wrong${i}`])).status;
    assert.equal(status, 429);
    const audit = daemon.ops.engine.store.queryAudit({ action: 'login-failed', limit: 20 });
    assert.ok(audit.length >= 3);
    // One throttle for both listeners: the address blocked over HTTPS is blocked for SSH too, even with the right password.
    await assert.rejects(connectNetconf(daemon.sshPort, 'admin', 'secret'));
  });
});
