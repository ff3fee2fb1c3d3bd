/**
 * The migration rule of the keyed audit chain: a database whose records predate the audit key
 * keeps them as they are (SHA-256); the first record signed under the key starts the keyed
 * chain, linked to the last unkeyed hash, and its seq is kept in the database and the
 * checkpoint. Both parts verify; an edit of either part is found.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { auditHash } from '../../../confd/store/audit-chain.js';
import { AuditAnchor, loadOrCreateAuditKey, readCheckpoint } from '../../../confd/store/audit-anchor.js';
import { verifyAudit } from '../../../confd/store/audit-verify.js';
import { Store } from '../../../confd/store/store.js';
import { tempDir } from '../../helpers/temp-dir.js';

const init = { schemaVersion: 2, rootBody: {} };
const input = (action: string) => ({ user: 'admin', source: 'cli', address: 'local', session: 1, action, target: 'running', result: 'ok' });

test('records from before the key keep their hashes; the keyed chain starts after them, anchored on the last', async () => {
  const dir = tempDir('appliance-audit-keying-');
  try {
    const file = join(dir.path, 'config.db');
    const old = Store.open(file, init);
    for (let i = 0; i < 5; i++) old.appendAudit(input(`old-${i}`));
    old.close();

    const { key } = loadOrCreateAuditKey(join(dir.path, 'audit-key'));
    const anchor = new AuditAnchor(key, join(dir.path, 'audit-checkpoint'), (e) => { throw e; });
    const store = Store.open(file, init, { audit: anchor });
    for (let i = 0; i < 5; i++) store.appendAudit(input(`new-${i}`));
    store.flushAudit();
    await anchor.settled();
    const records = [...store.auditRecords()];
    assert.equal(store.auditKeyedFrom(), 6);
    assert.equal(records[5]!.prev, records[4]!.hash, 'the first keyed record links to the last unkeyed one');
    assert.equal(records[4]!.hash, auditHash(records[4]!), 'old records keep their SHA-256');
    assert.notEqual(records[5]!.hash, auditHash(records[5]!), 'new ones are HMACs');
    const cp = readCheckpoint(join(dir.path, 'audit-checkpoint'));
    assert.ok(cp && cp !== 'invalid');
    assert.deepEqual([cp.seq, cp.hash, cp.keyedFrom], [10, records[9]!.hash, 6]);
    const v = verifyAudit(store.auditRecords(), store.auditEvidence());
    assert.equal(v.ok, true, JSON.stringify(v.findings));
    store.close();

    const db = new Database(file);
    db.prepare("UPDATE audit SET user = 'mallory' WHERE seq IN (2, 8)").run();
    db.close();
    const reopened = Store.open(file, init, { audit: anchor });
    const bad = verifyAudit(reopened.auditRecords(), reopened.auditEvidence());
    reopened.close();
    assert.deepEqual(bad.findings.map((f) => [f.kind, f.seq]), [['altered', 2], ['altered', 8]]);
    assert.match(bad.findings[0]!.reason, /its hash does not match/);
    assert.match(bad.findings[1]!.reason, /HMAC under the audit key/);
  } finally {
    dir.remove();
  }
});
