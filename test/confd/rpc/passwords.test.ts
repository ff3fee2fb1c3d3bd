/**
 * Setting passwords: the clear-text leaf (`plain-text-password`, as NETCONF writes it) is
 * hashed on commit and never stored — not in running, the database file or the audit log —
 * and an import carrying one stores only the hash. `appliance user passwd NAME` sets one
 * from the console (read twice).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyPassword } from '../../../confd/auth/passwords.js';
import { Operations } from '../../../confd/rpc/operations.js';
import { openTestDevice, quietLogger, tempDir, testSchema } from '../../helpers/device.js';
import { runAppliance, startAppliance } from '../../helpers/appliance-process.js';

const CLEAR = 'correct horse battery';

function hashOf(tree: Record<string, unknown>, name: string): string | undefined {
  const users = ((tree.system as { users?: { user?: Array<Record<string, unknown>> } }).users?.user) ?? [];
  return users.find((u) => u.name === name)?.['password-hash'] as string | undefined;
}

describe('the clear-text password leaf', () => {
  test('is hashed on commit; the clear text is in no datastore, file or audit record', async () => {
    const device = await openTestDevice({ schema: testSchema(2) });
    const ops = new Operations(device.engine, quietLogger);
    const s = ops.openSession({ user: 'root', source: 'netconf', address: 'local' });
    const admin = ops.openSession({ user: 'root', source: 'socket', address: 'local' });
    await ops.editConfig(admin, { system: { users: { user: [{ name: 'root', role: 'admin' }] } } });
    await ops.commit(admin);
    await ops.editConfig(admin, { system: { users: { user: [{ name: 'otto', role: 'operator', 'plain-text-password': CLEAR }] } } });
    await ops.commit(admin);
    const running = ops.getConfig(admin, 'running');
    const hash = hashOf(running, 'otto');
    assert.ok(hash && await verifyPassword(CLEAR, hash), 'the stored hash verifies the password');
    assert.doesNotMatch(JSON.stringify(running), /plain-text-password|correct horse/);
    // An import carrying one stores only the hash.
    await ops.importConfig(s, { system: { users: { user: [{ name: 'root', role: 'admin', 'plain-text-password': CLEAR }] } } }, { merge: true });
    assert.ok(await verifyPassword(CLEAR, hashOf(ops.getConfig(admin, 'running'), 'root')!));
    device.engine.store.flushAudit();
    const audit = JSON.stringify(device.engine.store.auditRecords());
    assert.doesNotMatch(audit, /correct horse/);
    device.close();
  });

  test('appliance user passwd NAME reads it twice and stores its hash; a mismatch changes nothing', async () => {
    const dir = tempDir('appliance-passwd-');
    const app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: 'initial-secret' });
    await app.stop();
    const D = ['--data-dir', dir.path];
    const bad = await runAppliance(['user', 'passwd', 'admin', ...D], { input: 'new-password-1\nnew-password-2\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /do not match; nothing changed/);
    const r = await runAppliance(['user', 'passwd', 'admin', ...D], { input: `${CLEAR}\n${CLEAR}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /passwd: committed as commit \d+/);
    const exported = JSON.parse((await runAppliance(['config', 'export', ...D])).stdout) as Record<string, unknown>;
    assert.ok(await verifyPassword(CLEAR, hashOf(exported, 'admin')!));
    for (const f of readdirSync(dir.path)) {
      if (f.endsWith('.db') || f.endsWith('-wal')) assert.ok(!readFileSync(join(dir.path, f)).includes(CLEAR), f);
    }
    const missing = await runAppliance(['user', 'passwd', 'nobody', ...D], { input: `${CLEAR}\n${CLEAR}\n` });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no user 'nobody'/);
    dir.remove();
  });
});
