/**
 * Sensitive leaves (x-sensitive: password hashes) are readable by the admin group only, on
 * every read path: get-config, export, compare (history diffs), blame, subscriptions' trees
 * and changes, and the CLI's show in every display form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CliSession, type Backend } from '../../../cli/index.js';
import { redactChange } from '../../../confd/auth/access.js';
import { MethodTable } from '../../../confd/northbound/socket/methods.js';
import { Operations } from '../../../confd/rpc/operations.js';
import type { Session } from '../../../confd/txn/session.js';
import { openTestDevice, quietLogger, type TestDevice } from '../../helpers/device.js';
import { rejectsWith } from '../../helpers/engine-fixtures.js';

const HASH = '$scrypt$ln=13,r=8,p=1$c2FsdHNhbHQ=$aGFzaGhhc2g=';
let device: TestDevice;
let ops: Operations;
let admin: Session;
const sessions: Record<string, Session> = {};

before(async () => {
  device = await openTestDevice();
  ops = new Operations(device.engine, quietLogger);
  admin = ops.openSession({ user: 'root', source: 'socket', address: 'local' });
  await ops.editConfig(admin, { system: { users: { user: [
    { name: 'root', role: 'admin', 'password-hash': HASH },
    { name: 'otto', role: 'operator', 'password-hash': HASH },
    { name: 'vera', role: 'viewer', 'password-hash': HASH },
  ] } } });
  await ops.commit(admin);
  for (const user of ['otto', 'vera']) sessions[user] = ops.openSession({ user, source: 'netconf', address: '192.0.2.9:1' });
});

after(() => device.close());

describe('an operator and a viewer never read a password hash', () => {
  for (const user of ['otto', 'vera']) {
    test(`${user}: get-config, export, compare, blame and subscription redaction`, async () => {
      const s = sessions[user]!;
      const text = JSON.stringify(ops.getConfig(s, 'running')) + JSON.stringify(ops.exportConfig(s));
      assert.doesNotMatch(text, /scrypt|password-hash/);
      assert.match(text, /"otto"/, 'the rest of the users is readable');
      const diff = ops.compare(s, 0, 'running');
      assert.ok(diff.length > 0);
      assert.doesNotMatch(JSON.stringify(diff), /scrypt/);
      await rejectsWith(() => ops.blame(s, "/system/users/user[name='root']/password-hash"), 'ACCESS_DENIED');
      const change = { path: "/system/users/user[name='root']", op: 'create' as const, new: { name: 'root', role: 'admin', 'password-hash': HASH } };
      assert.doesNotMatch(JSON.stringify(redactChange(ops.accessFor(s), change)), /scrypt/);
    });
  }

  test('the CLI show of an operator, in every display form, has no hash; the admin\'s has', async () => {
    const methods = new MethodTable();
    const show = async (s: Session, line: string) => {
      const backend: Backend = { request: async <T>(m: string, p: Record<string, unknown> = {}) => (await methods.call({ ops, session: s }, m, p)) as T };
      let out = '';
      const cli = await CliSession.open({ backend, user: s.user, output: { write: (t: string) => { out += t; } } });
      assert.equal((await cli.execute(line)).status, 0, out);
      return out;
    };
    for (const form of ['', ' | display set', ' | display xml', ' | display json']) {
      assert.doesNotMatch(await show(sessions.otto!, `show configuration system users${form}`), /scrypt/, form);
      assert.match(await show(admin, `show configuration system users${form}`), /scrypt/, form);
    }
  });
});
