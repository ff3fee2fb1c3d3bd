/**
 * Interop with a real NETCONF client: ncclient (Debian's python3-ncclient, the library Ansible's
 * netconf modules use) drives a spawned appliance over SSH through test/interop/ncclient_driver.py,
 * which prints what it observed as JSON; the assertions are all here. Error checks compare
 * error-type/error-tag/error-severity against RFC 6241 Appendix A, never message text.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../../confd/auth/passwords.js';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/device.js';

/** The repository root, found the way appliance-process.ts finds bin/appliance (the .py is not compiled). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DRIVER = join(REPO, 'test', 'interop', 'ncclient_driver.py');
/** Debian's python3-ncclient is importable only by Debian's own interpreter. */
const PYTHON = '/usr/bin/python3';

const BASE_10 = 'urn:ietf:params:netconf:base:1.0';
const BASE_11 = 'urn:ietf:params:netconf:base:1.1';
const IF_NS = 'urn:appliance:interfaces';
const SYS_NS = 'urn:appliance:system';

interface RpcError {
  'error-type': string;
  'error-tag': string;
  'error-severity': string;
  'error-path'?: string;
  'error-path-nsmap'?: Record<string, string>;
  'error-message'?: string;
  'error-message-lang'?: string | null;
  'error-info'?: Record<string, string>;
}
interface Outcome { ok: boolean; errors?: RpcError[] }
type Iface = Record<string, string>;
interface Setup { edit: Outcome; commit: Outcome }

interface HelloResult {
  session_id: string; server_capabilities: string[]; client_capabilities: string[];
  negotiated_base: '1.0' | '1.1'; rpc_ok: boolean; reply_framing: 'chunked' | 'eom' | 'unknown';
  rpc_reply_has_data?: boolean;
}
interface CycleResult { steps: Record<'lock' | 'edit-config' | 'validate' | 'commit' | 'unlock', Outcome>; running: Iface[] }
interface FilterResult { setup: Setup; running: Iface[]; by_key: Iface[]; one_leaf: Iface[]; one_leaf_top_elements: string[] }
interface InvalidResult { setup: Setup; ok: boolean; errors: RpcError[]; candidate_before: Iface[]; candidate_after: Iface[] }
interface ConfigChange {
  root: string; event_time: string; changed_by: Record<string, string> | null; datastore: string | null;
  edits: Array<{ target: string | null; target_nsmap: Record<string, string>; operation: string | null }>;
}
interface ConfirmedResult {
  setup: Setup; session_id: string; edit: Outcome; commit: Outcome; confirm_timeout: number;
  before: Iface[]; during: Iface[]; after: Iface[]; reverted_after_s: number | null;
  subscribe: Outcome; notifications: Array<ConfigChange | null>; confirmed: Array<Record<string, string>>;
}
interface ConfirmedPersistResult {
  subscribe: Outcome; setup: Setup; edit: Outcome; commit: Outcome; close: Outcome; after_close: Iface[];
  wrong: Outcome; confirm: Outcome; confirmed: Array<Record<string, string>>; changes: number;
}
interface ConfirmedCloseResult {
  setup: Setup; edit: Outcome; commit: Outcome; close: Outcome;
  before: Iface[]; during: Iface[]; after: Iface[]; reverted_after_s: number | null;
}
interface BadXmlResult {
  base: '1.0' | '1.1'; bad_reply_root: string; bad_reply_message_id: string | null; errors: RpcError[];
  next_reply_message_id: string; next_reply_has_data: boolean; next_reply_errors: number; close_reply_ok: boolean;
}
interface RpcAttributesResult { root: string; attributes: Record<string, string>; nsmap: Record<string, string>; has_data: boolean }
interface KillResult {
  a_session_id: string; b_session_id: string; b_kill_self: Outcome; a_lock: Outcome; b_lock_refused: Outcome;
  b_kill_a: Outcome; b_lock_after_kill: Outcome; a_connected_after_kill: boolean;
  a_rpc_after_kill: { raised: string | null; ok?: boolean }; b_unlock: Outcome;
}
interface Leaks { ok: boolean; password_hash_elements: number; scrypt_text: boolean }
interface ViewerResult {
  session_id: string; users: Iface[]; reads: Record<string, Leaks>;
  edit: Outcome; commit: Outcome; 'copy-config': Outcome; candidate_after: Iface[];
}
interface OperatorResult {
  session_id: string; edit_interfaces: Outcome; edit_users: Outcome; commit: Outcome; running: Iface[]; users: Iface[];
}
interface NotificationResult {
  subscriber_session_id: string; committer_session_id: string; committer_user: string; subscribe: Outcome; change: Setup;
  received: boolean; notification: ConfigChange | null; subscriber_rpc_ok: boolean;
}
interface BadLoginResult { connected: boolean; raised?: string }

interface AuditRecord { seq: number; user: string; source: string; session: number; action: string; target: string; result: string }

/** Runs one driver scenario; the parsed JSON it printed (fails the test if the driver itself broke). */
function drive<T>(scenario: string, port: number, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [DRIVER, scenario, '--port', String(port), ...args], { timeout: 40_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(stdout) as Record<string, unknown>;
        } catch {
          reject(new Error(`driver ${scenario} printed no JSON (${err?.message ?? 'exit 0'}): ${stdout}\n${stderr}`));
          return;
        }
        if (err || parsed.driver_error !== undefined) {
          reject(new Error(`driver ${scenario} failed: ${String(parsed.driver_error ?? err?.message)}\n${String(parsed.traceback ?? '')}${stderr}`));
          return;
        }
        resolve(parsed as T);
      });
  });
}

function only<T>(list: readonly T[] | undefined): T {
  assert.ok(list, 'expected a list');
  assert.equal(list.length, 1, `expected exactly one element: ${JSON.stringify(list)}`);
  return list[0]!;
}

function assertOk(o: Outcome, what: string): void {
  assert.deepEqual(o, { ok: true }, `${what}: ${JSON.stringify(o)}`);
}

/** An rpc-error as RFC 6241 Appendix A shapes it: the exact type/tag/severity, a message in a language. */
function assertRpcError(o: Outcome, type: string, tag: string): RpcError {
  assert.equal(o.ok, false, 'expected an rpc-error');
  const e = only(o.errors);
  assert.equal(e['error-type'], type);
  assert.equal(e['error-tag'], tag);
  assert.equal(e['error-severity'], 'error');
  assert.ok(e['error-message'] && e['error-message'].length > 0, 'error-message is present');
  assert.equal(e['error-message-lang'], 'en');
  return e;
}

const byName = (list: readonly Iface[], name: string): Iface | undefined => list.find((i) => i.name === name);

/** A fresh appliance with admin/password in a temp dir; stopped and removed in `after`. */
function applianceFixture(prefix: string) {
  const dir = tempDir(prefix);
  const password = randomBytes(12).toString('hex');
  const state: { app?: RunningAppliance; port: number; dir: string; password: string; admin: string[] } = {
    port: 0, dir: dir.path, password, admin: [],
  };
  before(async () => {
    state.app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: password });
    state.port = state.app.port;
    state.admin = ['--user', 'admin', '--password', password];
  });
  after(async () => {
    if (state.app) assert.equal(await state.app.stop(), 0, 'the appliance exits cleanly on SIGTERM');
    dir.remove();
  });
  return state;
}

describe('ncclient: hello, framing, the edit cycle, filters and rpc-errors', () => {
  const a = applianceFixture('appliance-ncclient-a-');

  test('hello: session id, the advertised capabilities, base:1.1 chunked framing', async () => {
    const r = await drive<HelloResult>('hello', a.port, a.admin);
    assert.match(r.session_id, /^[1-9][0-9]*$/);
    for (const c of [
      BASE_10, BASE_11,
      'urn:ietf:params:netconf:capability:candidate:1.0',
      'urn:ietf:params:netconf:capability:confirmed-commit:1.1',
      'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
      'urn:ietf:params:netconf:capability:validate:1.1',
      'urn:ietf:params:netconf:capability:startup:1.0',
      'urn:ietf:params:netconf:capability:notification:1.0',
      'urn:ietf:params:netconf:capability:xpath:1.0',
    ]) assert.ok(r.server_capabilities.includes(c), `capability ${c} advertised: ${r.server_capabilities.join(' ')}`);
    for (const part of ['interfaces', 'system', 'routing', 'firewall', 'features']) {
      assert.ok(r.server_capabilities.some((c) => c.startsWith(`urn:appliance:${part}?module=appliance-${part}&revision=`)),
        `model capability for ${part}: ${r.server_capabilities.join(' ')}`);
    }
    // Only what is implemented: no :writable-running or :url.
    for (const c of r.server_capabilities) assert.doesNotMatch(c, /:(writable-running|url):/);
    assert.equal(new Set(r.server_capabilities).size, r.server_capabilities.length, 'no capability twice');
    assert.ok(r.client_capabilities.includes(BASE_11));
    assert.equal(r.negotiated_base, '1.1');
    assert.equal(r.rpc_ok, true);
    assert.equal(r.reply_framing, 'chunked', 'after a base:1.1 hello both sides use chunked framing (RFC 6242 §4.1)');
  });

  test('hello10: a client offering only base:1.0 gets end-of-message framing', async () => {
    const r = await drive<HelloResult>('hello10', a.port, a.admin);
    assert.deepEqual(r.client_capabilities, [BASE_10]);
    assert.ok(r.server_capabilities.includes(BASE_11));
    assert.equal(r.negotiated_base, '1.0');
    assert.equal(r.rpc_ok, true);
    assert.equal(r.rpc_reply_has_data, true);
    assert.equal(r.reply_framing, 'eom', 'RFC 6242 §4.3: ]]>]]> framing unless both hellos carry base:1.1');
  });

  test('cycle: lock candidate → edit-config → validate → commit → unlock, read back from running', async () => {
    const r = await drive<CycleResult>('cycle', a.port, a.admin);
    for (const step of ['lock', 'edit-config', 'validate', 'commit', 'unlock'] as const) assertOk(r.steps[step], step);
    assert.deepEqual(byName(r.running, 'eth0'), { name: 'eth0', description: 'uplink', enabled: 'true', mtu: '9000' });
    assert.deepEqual(byName(r.running, 'eth1'), { name: 'eth1', description: 'lan', enabled: 'false', mtu: '1500' });
  });

  test('filter: a subtree filter selecting one interface by key, and one leaf of all interfaces', async () => {
    const r = await drive<FilterResult>('filter', a.port, a.admin);
    assertOk(r.setup.edit, 'setup edit'); assertOk(r.setup.commit, 'setup commit');
    assert.ok(r.running.length >= 3, JSON.stringify(r.running));
    // RFC 6241 §6.2.5: a content match node alone selects the whole entry.
    assert.deepEqual(r.by_key, [byName(r.running, 'eth1')]);
    assert.equal(byName(r.by_key, 'eth1')!.description, 'lan');
    // A selection node: only mtu (and, optionally, the list key) of every interface.
    assert.equal(r.one_leaf.length, r.running.length, JSON.stringify(r.one_leaf));
    for (const entry of r.one_leaf) {
      assert.deepEqual(Object.keys(entry).filter((k) => k !== 'name'), ['mtu'], JSON.stringify(entry));
    }
    assert.deepEqual(r.one_leaf.map((i) => i.mtu).sort(), r.running.map((i) => i.mtu).sort());
    assert.deepEqual(r.one_leaf_top_elements, [`{${IF_NS}}interfaces`]);
  });

  test('invalid: mtu 70000 → application/invalid-value with the prefixed error-path; candidate unchanged', async () => {
    const r = await drive<InvalidResult>('invalid', a.port, a.admin);
    assertOk(r.setup.edit, 'setup edit'); assertOk(r.setup.commit, 'setup commit');
    const e = assertRpcError({ ok: r.ok, errors: r.errors }, 'application', 'invalid-value');
    assert.equal(e['error-path'], "/interfaces:interfaces/interfaces:interface[interfaces:name='eth0']/interfaces:mtu");
    // The prefix the path uses is declared (lxml's map also holds what the echoed <rpc> declared).
    assert.equal(e['error-path-nsmap']?.interfaces, IF_NS);
    assert.deepEqual(r.candidate_after, r.candidate_before, 'a rejected edit leaves the candidate as it was');
    assert.equal(byName(r.candidate_after, 'eth0')!.mtu, '1500');
  });

  test('bad-xml (base:1.1): malformed-message, and the session stays usable', async () => {
    const r = await drive<BadXmlResult>('bad-xml', a.port, a.admin);
    assert.equal(r.base, '1.1');
    assert.equal(r.bad_reply_root, '{urn:ietf:params:xml:ns:netconf:base:1.0}rpc-reply');
    assertRpcError({ ok: false, errors: r.errors }, 'rpc', 'malformed-message');
    assert.equal(r.next_reply_message_id, '102');
    assert.equal(r.next_reply_has_data, true);
    assert.equal(r.next_reply_errors, 0);
    assert.equal(r.close_reply_ok, true);
  });

  test('bad-xml (base:1.0): no malformed-message to a base:1.0 peer, and the session stays usable', async () => {
    const r = await drive<BadXmlResult>('bad-xml', a.port, [...a.admin, '--base10']);
    assert.equal(r.base, '1.0');
    // RFC 6241 Appendix A: malformed-message is new in :base:1.1 and MUST NOT be sent to old clients.
    const e = only(r.errors);
    assert.notEqual(e['error-tag'], 'malformed-message');
    assert.equal(e['error-tag'], 'operation-failed');
    assert.equal(e['error-type'], 'rpc');
    assert.equal(e['error-severity'], 'error');
    assert.equal(r.next_reply_message_id, '102');
    assert.equal(r.next_reply_has_data, true);
    assert.equal(r.close_reply_ok, true);
  });

  test('rpc-attributes: every attribute of <rpc>, namespaced ones with their xmlns, comes back on <rpc-reply>', async () => {
    const r = await drive<RpcAttributesResult>('rpc-attributes', a.port, a.admin);
    assert.equal(r.root, '{urn:ietf:params:xml:ns:netconf:base:1.0}rpc-reply');
    assert.equal(r.has_data, true);
    // RFC 6241 §4.2: "If additional attributes are present in an <rpc> element, a NETCONF peer MUST
    // return them unmodified in the <rpc-reply> element. This includes any "xmlns" attribute."
    assert.deepEqual(r.attributes, { 'message-id': '101', 'client-tag': 't-1', '{http://example.net/content/1.0}user-id': 'fred' });
    assert.equal(r.nsmap.ex, 'http://example.net/content/1.0');
  });

  let confirmed: ConfirmedResult | undefined;

  test('confirmed-revert: a confirmed commit that is not confirmed reverts running after confirm-timeout', async () => {
    const r = confirmed = await drive<ConfirmedResult>('confirmed-revert', a.port, [...a.admin, '--confirm-timeout', '2']);
    assertOk(r.setup.edit, 'setup edit'); assertOk(r.setup.commit, 'setup commit');
    assertOk(r.edit, 'edit'); assertOk(r.commit, 'commit confirmed');
    assert.deepEqual(byName(r.before, 'eth5'), { name: 'eth5', description: 'before', enabled: 'true', mtu: '1500' });
    assert.deepEqual(byName(r.during, 'eth5'), { name: 'eth5', description: 'trial', enabled: 'true', mtu: '1280' });
    assert.deepEqual(r.after, r.before, 'running is back to what it was before the confirmed commit');
    assert.ok(r.reverted_after_s !== null, 'reverted within the deadline');
    assert.ok(r.reverted_after_s >= r.confirm_timeout - 0.25, `not reverted before the timeout (${r.reverted_after_s} s)`);
  });

  test('confirmed-revert notifications: the commit names its session; the timeout revert is the server\'s own', () => {
    assert.ok(confirmed, 'the confirmed-revert scenario ran');
    assertOk(confirmed.subscribe, 'create-subscription');
    assert.equal(confirmed.notifications.length, 2, JSON.stringify(confirmed.notifications));
    const [commit, revert] = confirmed.notifications;
    assert.deepEqual(commit?.changed_by, { username: 'admin', 'session-id': confirmed.session_id, 'source-host': '127.0.0.1' });
    assert.deepEqual(commit?.edits.map((e) => e.target), ["/interfaces:interfaces/interfaces:interface[interfaces:name='eth5']"]);
    assert.deepEqual(revert?.edits.map((e) => e.target), ["/interfaces:interfaces/interfaces:interface[interfaces:name='eth5']"]);
    // RFC 6470 changed-by: "If caused by internal action, then the empty leaf 'server' will be present."
    // A confirm-timeout revert is done by the server, not by a user session.
    assert.deepEqual(revert?.changed_by, { server: '' });
    // RFC 6470 netconf-confirmed-commit: start (with the session and the timeout), then timeout (the server's own).
    assert.deepEqual(confirmed.confirmed, [
      { username: 'admin', 'session-id': confirmed.session_id, 'source-host': '127.0.0.1', 'confirm-event': 'start', timeout: '2' },
      { 'confirm-event': 'timeout' },
    ]);
  });

  test('confirmed-persist: a persist commit outlives its session; another session confirms it with persist-id (RFC 6241 §8.4)', async () => {
    const r = await drive<ConfirmedPersistResult>('confirmed-persist', a.port, a.admin);
    assertOk(r.subscribe, 'create-subscription'); assertOk(r.setup.commit, 'setup commit'); assertOk(r.edit, 'edit');
    assertOk(r.commit, 'commit confirmed persist'); assertOk(r.close, 'close-session');
    assert.equal(byName(r.after_close, 'eth8')?.description, 'trial', 'not reverted when its session ended');
    assertRpcError(r.wrong, 'protocol', 'invalid-value');
    assertOk(r.confirm, 'commit with persist-id from another session');
    assert.deepEqual(r.confirmed.map((e) => e['confirm-event']), ['start', 'complete']);
    assert.equal(r.changes, 2, 'config-change of the setup and of the confirmed commit');
  });

  test('confirmed-close: ending the session of a confirmed commit reverts at once (RFC 6241 §8.4.1)', async () => {
    const r = await drive<ConfirmedCloseResult>('confirmed-close', a.port, a.admin);
    assertOk(r.setup.edit, 'setup edit'); assertOk(r.setup.commit, 'setup commit');
    assertOk(r.edit, 'edit'); assertOk(r.commit, 'commit confirmed (confirm-timeout 120)'); assertOk(r.close, 'close-session');
    assert.equal(byName(r.during, 'eth6')?.description, 'trial');
    assert.deepEqual(r.after, r.before);
    assert.ok(r.reverted_after_s !== null && r.reverted_after_s < 10, `reverted long before the 120 s timeout (${r.reverted_after_s})`);
  });
});

describe('ncclient: sessions, access control, notifications and the audit trail', () => {
  const a = applianceFixture('appliance-ncclient-b-');
  const viewer = { name: 'vera', password: randomBytes(9).toString('hex') };
  const operator = { name: 'otto', password: randomBytes(9).toString('hex') };
  let viewerSession = '';

  async function auditRecords(): Promise<AuditRecord[]> {
    const r = await runAppliance(['audit', 'show', '--json', '--data-dir', a.dir]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as AuditRecord[];
  }

  before(async () => {
    // Users are configuration: add them through the running daemon's socket.
    const file = join(a.dir, 'users.json');
    writeFileSync(file, JSON.stringify({ system: { users: { user: [
      { name: viewer.name, role: 'viewer', 'password-hash': await hashPassword(viewer.password) },
      { name: operator.name, role: 'operator', 'password-hash': await hashPassword(operator.password) },
    ] } } }));
    const r = await runAppliance(['config', 'import', '--merge', file, '--data-dir', a.dir]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('kill: lock-denied names the holder; kill-session frees the lock and closes the session', async () => {
    const r = await drive<KillResult>('kill', a.port, a.admin);
    // RFC 6241 §7.9: killing one's own session is invalid-value.
    assertRpcError(r.b_kill_self, 'protocol', 'invalid-value');
    assertOk(r.a_lock, 'A locks the candidate');
    const denied = assertRpcError(r.b_lock_refused, 'protocol', 'lock-denied');
    assert.deepEqual(denied['error-info'], { 'session-id': r.a_session_id }, 'lock-denied error-info names the holder');
    assertOk(r.b_kill_a, 'B kills A');
    assertOk(r.b_lock_after_kill, 'B locks once A is gone');
    assert.equal(r.a_connected_after_kill, false, 'A sees its session closed');
    assert.notEqual(r.a_rpc_after_kill.raised, null, 'an rpc on the killed session fails');
    assertOk(r.b_unlock, 'B unlocks');
  });

  test('notification: create-subscription, then another session commits → netconf-config-change', async () => {
    const r = await drive<NotificationResult>('notification', a.port, a.admin);
    assertOk(r.subscribe, 'create-subscription');
    assertOk(r.change.edit, 'edit'); assertOk(r.change.commit, 'commit');
    assert.equal(r.received, true, 'a notification arrived');
    const n = r.notification;
    assert.ok(n);
    assert.equal(n.root, '{urn:ietf:params:xml:ns:netconf:notification:1.0}notification');
    assert.ok(!Number.isNaN(Date.parse(n.event_time)), `eventTime is a date-time: ${n.event_time}`);
    assert.deepEqual(n.changed_by, { username: r.committer_user, 'session-id': r.committer_session_id, 'source-host': '127.0.0.1' });
    assert.notEqual(r.committer_session_id, r.subscriber_session_id);
    assert.equal(n.datastore, 'running');
    const edit = only(n.edits);
    assert.equal(edit.target, "/interfaces:interfaces/interfaces:interface[interfaces:name='eth7']");
    assert.equal(edit.target_nsmap.interfaces, IF_NS);
    assert.equal(edit.operation, 'create');
    assert.equal(r.subscriber_rpc_ok, true, ':interleave:1.0 — a subscribed session still takes rpcs');
  });

  test('viewer: reads without password hashes; every write is access-denied', async () => {
    const r = await drive<ViewerResult>('viewer', a.port, [...a.admin, '--user2', viewer.name, '--password2', viewer.password]);
    viewerSession = r.session_id;
    assert.deepEqual(r.users.map((u) => u.name).sort(), ['admin', operator.name, viewer.name].sort());
    for (const u of r.users) assert.equal(u['password-hash'], undefined);
    for (const [what, leaks] of Object.entries(r.reads)) {
      assert.deepEqual(leaks, { ok: true, password_hash_elements: 0, scrypt_text: false }, what);
    }
    // The whole operation is refused (an exec rule on the operation), so the error is at the protocol layer.
    assertRpcError(r.edit, 'protocol', 'access-denied');
    assertRpcError(r.commit, 'protocol', 'access-denied');
    assertRpcError(r['copy-config'], 'protocol', 'access-denied');
    assert.ok(r.candidate_after.length > 0);
    assert.ok(r.candidate_after.every((i) => i.description !== 'viewer-was-here'), 'the viewer changed nothing');
  });

  test('operator: may change interfaces, but a change to users is access-denied on that data node', async () => {
    const r = await drive<OperatorResult>('operator', a.port, [...a.admin, '--user2', operator.name, '--password2', operator.password]);
    assertOk(r.edit_interfaces, 'edit interfaces');
    const e = assertRpcError(r.edit_users, 'application', 'access-denied');
    assert.equal(e['error-path'], `/system:system/system:users/system:user[system:name='${operator.name}']/system:role`);
    assert.equal(e['error-path-nsmap']?.system, SYS_NS);
    assertOk(r.commit, 'commit');
    assert.equal(byName(r.running, 'op0')?.description, 'by-operator');
    assert.equal(r.users.find((u) => u.name === operator.name)?.role, 'operator', 'the role did not change');
  });

  test('bad-login: a wrong password is refused', async () => {
    const r = await drive<BadLoginResult>('bad-login', a.port, a.admin);
    assert.equal(r.connected, false);
    assert.equal(r.raised, 'AuthenticationError');
  });

  test('audit: the viewer\'s denied write and the failed login are recorded', async () => {
    assert.ok(viewerSession, 'the viewer scenario ran');
    const records = await auditRecords();
    const denied = records.filter((x) => x.user === viewer.name && x.result === 'denied');
    const deniedEdit = denied.find((x) => x.action === 'edit-config' || x.action === 'edit');
    assert.ok(deniedEdit, `a denied edit by ${viewer.name}: ${JSON.stringify(denied)}`);
    assert.equal(deniedEdit.source, 'netconf');
    assert.equal(String(deniedEdit.session), viewerSession);
    const failed = records.filter((x) => x.action === 'login-failed');
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.equal(failed[0]!.user, 'admin');
    assert.equal(failed[0]!.result, 'denied');
    assert.equal(failed[0]!.source, 'ssh');
  });
});
