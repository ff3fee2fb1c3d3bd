/**
 * HTTP basic authentication remembers good credentials for a minute: an ordinary commit (a
 * RESTCONF PATCH of an interface) keeps them, so a keep-alive client does not pay an scrypt
 * per request; a change of the users or access rules forgets them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashPassword } from '../../../../confd/auth/passwords.js';
import { BasicAuth } from '../../../../confd/northbound/http/auth.js';
import { openTestDevice, type TestDevice } from '../../../helpers/device.js';

let device: TestDevice;
const header = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

async function commit(edit: object): Promise<void> {
  const e = device.engine;
  const s = e.openSession({ user: 'admin', source: 'socket', address: 'local' });
  await e.editConfig(s, edit as never);
  await e.commit(s, {});
  await e.closeSession(s);
}

before(async () => {
  device = await openTestDevice();
  await commit({ system: { users: { user: [{ name: 'alice', role: 'admin', 'password-hash': await hashPassword('alice-pw') }] } } });
});
after(() => device.close());

test('remembered credentials survive unrelated commits, not a change of the users', async () => {
  const auth = new BasicAuth(device.engine);
  let verified = 0;
  const throttle = (auth as unknown as { throttle: { begin: (...a: unknown[]) => unknown } }).throttle;
  const begin = throttle.begin.bind(throttle);
  throttle.begin = (...a: unknown[]) => { verified++; return begin(...a); };
  const check = () => auth.check(header('alice', 'alice-pw'), '127.0.0.1:1', '/');
  assert.deepEqual(await check(), { user: 'alice', address: '127.0.0.1:1' });
  await commit({ interfaces: { interface: [{ name: 'eth0', description: 'one' }] } });
  await check();
  await commit({ interfaces: { interface: [{ name: 'eth0', description: 'two' }] } });
  await check();
  assert.equal(verified, 1);
  await commit({ system: { users: { user: [{ name: 'alice', 'password-hash': await hashPassword('new-pw') }] } } });
  assert.equal(await check(), 'unauthenticated');
  assert.equal(verified, 2);
});
