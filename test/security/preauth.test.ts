/**
 * Item: pre-authentication limits as OpenSSH has them. A flood of TCP connections that never
 * speak SSH is capped (per source, MaxStartups) and released at the grace time counted from
 * accept; a client that sends its version line and stalls is dropped at the grace time;
 * MaxAuthTries ends a connection; the CLI idle timeout closes an idle shell while NETCONF,
 * off by default, stays open. Limits are set in /system/services over NETCONF first.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD, connectNetconf, fdsOf, sleep, type SshNetconf } from './ssh-netconf.js';

const dir = tempDir('appliance-sec-preauth-');
let app: RunningAppliance;
let admin: SshNetconf;

const SERVICES = `<system xmlns="urn:appliance:system"><services>
  <ssh><login-grace-time>2</login-grace-time><max-connections-per-source>40</max-connections-per-source></ssh>
  <cli><idle-timeout>1</idle-timeout></cli></services></system>`;

before(async () => {
  app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD });
  admin = await connectNetconf(app.port);
  const edit = await admin.nc.rpc(`<edit-config><target><candidate/></target><config>${SERVICES}</config></edit-config>`);
  assert.equal(edit.children[0]?.name, 'ok', admin.nc.textOf(edit));
  const commit = await admin.nc.rpc('<commit/>');
  assert.equal(commit.children[0]?.name, 'ok', admin.nc.textOf(commit));
});
after(async () => { admin.close(); await app.stop(); dir.remove(); });

function openRaw(localAddress: string): Promise<Socket> {
  return new Promise((resolve) => {
    // Flowing, so that the server's close is seen even with its version line unread.
    const s = connect({ host: '127.0.0.1', port: app.port, localAddress }, () => resolve(s)).resume();
    s.on('error', () => resolve(s));
  });
}

function closedWithin(s: Socket, ms: number): Promise<boolean> {
  if (s.destroyed || s.readyState === 'closed') return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => { clearTimeout(t); resolve(true); });
  });
}

test('300 silent TCP connections: the daemon holds at most the caps, and all are gone after the grace time', async () => {
  const baseline = fdsOf(app.child.pid!);
  const sockets: Socket[] = [];
  // From 10 sources, 30 each: the per-source cap does not bite, MaxStartups (full at 100) does.
  for (let i = 0; i < 300; i++) sockets.push(await openRaw(`127.0.1.${1 + (i % 10)}`));
  await sleep(300);
  const during = fdsOf(app.child.pid!);
  assert.ok(during - baseline <= 100 + 5, `${during - baseline} more file handles during the flood`);
  const closed = await Promise.all(sockets.map((s) => closedWithin(s, 6000)));
  assert.equal(closed.filter((c) => !c).length, 0, 'connections still open past the grace time');
  await sleep(200);
  assert.ok(fdsOf(app.child.pid!) - baseline <= 2, `file handles ${baseline} → ${fdsOf(app.child.pid!)}`);
});

test('connections per source are capped', async () => {
  const sockets: Socket[] = [];
  for (let i = 0; i < 45; i++) sockets.push(await openRaw('127.0.2.1'));
  await sleep(300);
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
  assert.ok(open <= 40, `${open} connections open from one source`);
  for (const s of sockets) s.destroy();
});

test('a client that sends its version line and stalls is dropped at the grace time from accept', async () => {
  const s = await openRaw('127.0.3.1');
  s.write('SSH-2.0-stall\r\n');
  const t0 = performance.now();
  assert.ok(await closedWithin(s, 6000));
  assert.ok(performance.now() - t0 < 5000);
});

test('MaxAuthTries: the connection ends after 6 authentication requests', async () => {
  let tries = 0;
  await new Promise<void>((resolve) => {
    const conn = new ssh2.Client();
    conn.on('error', () => resolve());
    conn.on('close', () => resolve());
    conn.on('ready', () => { conn.end(); resolve(); });
    conn.connect({
      host: '127.0.0.1', port: app.port, username: 'nobody', localAddress: '127.0.4.1', readyTimeout: 10_000,
      authHandler: (_methods, _partial, next) => { tries++; if (tries > 20) return false; next({ type: 'password', username: 'nobody', password: `p${tries}` }); return undefined; },
    });
  });
  // Every request the server handled is audited (login-failed, or login-rate-limited once the source is blocked).
  const r = await runAppliance(['audit', 'show', '--user', 'nobody', '--json', '--data-dir', dir.path]);
  const handled = (JSON.parse(r.stdout) as unknown[]).length;
  assert.ok(tries > 6, `the client gave up after ${tries}`);
  assert.ok(handled <= 6, `${handled} authentication requests handled on one connection`);
});

test('CLI idle timeout closes an idle shell; NETCONF (no timeout by default) stays open', async () => {
  const conn = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    conn.on('ready', () => resolve()).on('error', reject);
    conn.connect({ host: '127.0.0.1', port: app.port, username: 'admin', password: PASSWORD, localAddress: '127.0.5.1' });
  });
  const closed = new Promise<number>((resolve) => { conn.on('close', () => resolve(performance.now())); });
  const t0 = performance.now();
  conn.shell({ term: 'dumb', cols: 80, rows: 24 }, () => undefined);
  const at = await Promise.race([closed, sleep(8000).then(() => Number.NaN)]);
  assert.ok(at - t0 < 6000, 'the idle shell was not closed');
  await sleep(1500);
  assert.equal((await admin.nc.rpc('<get-config><source><running/></source></get-config>')).children[0]?.name, 'data');
});
