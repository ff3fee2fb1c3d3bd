/**
 * An online backup holds the whole audit chain: records appended outside a commit (written on
 * a short timer) are written before the copy, so a database copied by an upgrade carries them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { inspectBackup } from '../../../confd/store/backup-file.js';
import { openTestDevice } from '../../helpers/device.js';

it('a backup taken right after an audit record outside a commit holds that record', async (t) => {
  const dev = await openTestDevice();
  t.after(() => dev.close());
  const store = dev.engine.store;
  store.appendAudit({ user: 'system', source: 'upgrade', address: 'local', session: 0, action: 'software-add', target: 'job-1', result: 'error',
    detail: { status: 'reverted' } });
  assert.equal(store.pendingAuditCount(), 1, 'the record waits for the timer');
  const file = join(dev.dir, 'copy.db');
  await store.backup(file);
  const copy = inspectBackup(file, dev.engine.schema.version);
  assert.equal(copy.auditRecords, [...store.auditRecords()].length, 'the copy holds every record of the chain');
  assert.ok([...store.auditRecords()].some((r) => r.action === 'software-add' && r.target === 'job-1'));
});
