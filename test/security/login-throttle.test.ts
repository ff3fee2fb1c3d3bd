/**
 * Item: the login throttle counts an attempt before checking it. 60 concurrent password
 * attempts from one source (59 wrong, one right) get at most the configured 5 checks; the
 * source is then refused; the administrator still logs in from another source; an account
 * under attack is slowed, not locked.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD } from './ssh-netconf.js';

const dir = tempDir('appliance-sec-login-');
let app: RunningAppliance;

before(async () => { app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD }); });
after(async () => { await app.stop(); dir.remove(); });

/** One password login; resolves true when accepted. `localAddress` picks the source (127.0.0.x). */
export function tryLogin(port: number, password: string, localAddress = '127.0.0.1', user = 'admin'): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = new ssh2.Client();
    conn.on('ready', () => { conn.end(); resolve(true); });
    conn.on('error', () => resolve(false));
    conn.connect({ host: '127.0.0.1', port, username: user, password, localAddress, readyTimeout: 30_000, tryKeyboard: false });
  });
}

async function auditCount(action: string): Promise<number> {
  const r = await runAppliance(['audit', 'show', '--action', action, '--json', '--data-dir', dir.path]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as unknown[]).length;
}

test('60 concurrent guesses from one source: at most 5 are checked, the rest refused unchecked', async () => {
  const attempts = Array.from({ length: 60 }, (_, i) => tryLogin(app.port, i === 59 ? PASSWORD : `wrong-${i}`, '127.0.0.2'));
  const results = await Promise.all(attempts);
  const checked = await auditCount('login-failed');
  const refused = await auditCount('login-rate-limited');
  assert.ok(checked <= 5, `${checked} wrong passwords were checked`);
  // The rest were refused unchecked: by the throttle, or at accept (32 connections per source, MaxStartups).
  assert.ok(checked >= 1 && refused >= 1, `${checked} checked, ${refused} refused by the throttle`);
  assert.equal(results.filter(Boolean).length <= 1, true);
  // The blocked source stays blocked, even for the right password.
  assert.equal(await tryLogin(app.port, PASSWORD, '127.0.0.2'), false);
});

test('the administrator still logs in from another source, slowed by at most the account delay cap', async () => {
  const t0 = performance.now();
  assert.equal(await tryLogin(app.port, PASSWORD, '127.0.0.3'), true);
  assert.ok(performance.now() - t0 < 10_000);
});
