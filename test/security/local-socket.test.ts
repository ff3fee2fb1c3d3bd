/**
 * Item: the local socket takes the caller's identity from the kernel (SO_PEERCRED), not from
 * the name it declares. Processes of other uids are run with setpriv (util-linux) when the
 * test runs as root (as in CI); the socket is opened to them (0666, as to a member of its
 * group) so that only the identity check stands between them and the daemon. As another
 * user, the same rule is checked in-process on a test device with a uid that is not ours.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { localIdentity } from '../../confd/auth/local-identity.js';
import { ConfdError } from '../../confd/core/errors.js';
import { SocketClient } from '../../confd/northbound/socket/client.js';
import { startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { openTestDevice } from '../helpers/device.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD } from './ssh-netconf.js';

const CHILD = fileURLToPath(new URL('./socket-peer-child.js', import.meta.url));
const ROOT = process.getuid!() === 0;
const OTHER_UID = 4242;
const MAPPED_UID = 4243;
/** The name the kernel's uid of this process gets: root, or its login name. */
const ME = ROOT ? 'root' : userInfo().username;

type Outcome = { ok: Record<string, unknown> } | { error: { code: string; message: string } };
interface ChildOut { uid: number; hello: Outcome; results: Outcome[] }

const dir = tempDir('appliance-sec-socket-');
let app: RunningAppliance;
let admin: SocketClient;
const socket = () => join(dir.path, 'confd.sock');

before(async () => {
  app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD });
  admin = await SocketClient.connect(socket(), 'admin', 'peer-test-admin');
  // Open the way to the socket for any uid: only the identity check may refuse them now.
  chmodSync(dir.path, 0o755);
  chmodSync(socket(), 0o666);
});
after(async () => { admin.close(); await app.stop(); dir.remove(); });

/** Runs the child client as `uid` (setpriv; only as root) or as this process, with a 20 s bound. */
function client(uid: number | null, declared: string, requests: Array<[string, Record<string, unknown>]> = []): Promise<ChildOut> {
  const node = [process.execPath, CHILD, socket(), declared, JSON.stringify(requests)];
  const argv = uid === null ? node : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', ...node];
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 20_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`${err.message}\n${stderr}`)); return; }
      resolve(JSON.parse(stdout) as ChildOut);
    });
  });
}

const errorOf = (o: Outcome | undefined) => (o && 'error' in o ? o.error : undefined);
const records = (params: Record<string, unknown>) =>
  admin.request<Array<{ user: string; action: string; result: string; detail?: Record<string, unknown> }>>('audit.show', { limit: 500, ...params });
const hostname = async () => ((await admin.request<{ system: { hostname: string } }>('config.get', { path: '/system/hostname' })).system.hostname);

async function commitAs(c: SocketClient, edit: Record<string, unknown>): Promise<void> {
  await c.request('config.edit', { edit });
  await c.request('commit', {});
}

describe('the local socket identifies its clients by the kernel', () => {
  test('the declared name is ignored in favour of the kernel\'s uid', async () => {
    const out = await client(null, 'mallory', [['config.edit', { edit: { system: { hostname: 'by-declared-mallory' } } }], ['commit', {}]]);
    assert.equal(out.uid, process.getuid!());
    assert.deepEqual(out.hello, { ok: { user: ME } });
    assert.deepEqual(out.results.map(errorOf), [undefined, undefined], JSON.stringify(out.results));
    const [last] = await admin.request<Array<{ user: string }>>('history', { limit: 1 });
    assert.equal(last!.user, ME, 'the commit is recorded under the kernel\'s user');
    assert.equal((await records({ user: 'mallory' })).length, 0, 'nothing is recorded under the declared name');
    const start = (await records({ user: ME, action: 'session-start' })).find((r) => r.detail?.declared === 'mallory');
    assert.ok(start, 'the session-start record notes the declared name');
    assert.equal(start.detail!.uid, process.getuid!());
    assert.equal(start.detail!.console, true);
  });

  test('a process of an unmapped uid is refused, whatever name it declares', async () => {
    if (!ROOT) {
      // Not root: no other uid can be taken; the daemon's rule, in-process, for a uid not ours.
      const device = await openTestDevice();
      try {
        const uid = process.getuid!() + 1;
        assert.throws(() => localIdentity(device.engine, { uid, pid: 1 }, process.getuid!(), 'admin'),
          (e: unknown) => e instanceof ConfdError && e.code === 'ACCESS_DENIED' && e.message.includes(`uid ${uid}`));
      } finally { device.close(); }
      return;
    }
    const out = await client(OTHER_UID, 'admin', [['config.edit', { edit: { system: { hostname: 'pwned' } } }]]);
    assert.equal(out.uid, OTHER_UID);
    assert.equal(errorOf(out.hello)?.code, 'ACCESS_DENIED', JSON.stringify(out.hello));
    assert.match(errorOf(out.hello)!.message, new RegExp(`uid ${OTHER_UID} has no device user`));
    assert.deepEqual(out.results, [], 'nothing ran after the refused hello');
    assert.notEqual(await hostname(), 'pwned');
    const denied = await records({ action: 'session-start' });
    assert.ok(denied.some((r) => r.result === 'denied' && r.detail?.uid === OTHER_UID && r.detail?.declared === 'admin'), 'the refusal is audited');
  });

  test('a mapped uid is its configured user, with that user\'s role: declaring admin does not make it one', async () => {
    const uid = ROOT ? MAPPED_UID : process.getuid!();
    await commitAs(admin, { system: { users: { user: [{ name: 'vic', role: 'viewer', 'local-uid': uid }] } } });
    const before = await hostname();
    const out = await client(ROOT ? MAPPED_UID : null, 'admin', [
      ['config.get', { path: '/system/hostname' }],
      ['config.edit', { edit: { system: { hostname: 'by-vic' } } }],
      ['restore', { file: '/nonexistent.db', force: true }],
    ]);
    try {
      assert.deepEqual(out.hello, { ok: { user: 'vic' } });
      assert.equal(errorOf(out.results[0]), undefined, 'a viewer reads');
      if (ROOT) {
        assert.equal(errorOf(out.results[1])?.code, 'ACCESS_DENIED', JSON.stringify(out.results[1]));
        assert.equal(errorOf(out.results[2])?.code, 'ACCESS_DENIED', JSON.stringify(out.results[2]));
        assert.equal(await hostname(), before);
      } else {
        // Our own uid is the service user's: a console admin whatever the mapping, named after it.
        assert.equal(errorOf(out.results[1]), undefined);
      }
    } finally {
      await commitAs(admin, { system: { users: { user: [{ name: 'vic', '@op': 'remove' }] } } });
    }
  });

  test('no client writes an audit record: audit.record is gone, boot.audit only from the boot loader, cli.command only from the CLI', async () => {
    const forge: Array<[string, Record<string, unknown>]> = [
      ['audit.record', { action: 'forged', result: 'ok', target: 'x' }],
      ['boot.audit', { action: 'software-forged', result: 'ok', target: 'x' }],
      ['cli.command', { command: 'forged', result: 'ok', mode: 'operational' }],
    ];
    const outs = [await client(null, 'admin', forge), ...(ROOT ? [await client(MAPPED_UID, 'vic', forge)] : [])];
    const mine = outs[0]!;
    assert.deepEqual(mine.results.map((r) => errorOf(r)?.code), ['SOCK_BAD_REQUEST', 'ACCESS_DENIED', 'ACCESS_DENIED'], JSON.stringify(mine.results));
    assert.match(errorOf(mine.results[0])!.message, /unknown method 'audit.record'/);
    if (ROOT) assert.equal(errorOf(outs[1]!.hello)?.code, 'ACCESS_DENIED', 'an unmapped uid does not even get a session');
    const all = await records({});
    assert.ok(!all.some((r) => /forged/.test(r.action) || JSON.stringify(r).includes('"forged"')), 'no forged record in the chain');
  });
});
