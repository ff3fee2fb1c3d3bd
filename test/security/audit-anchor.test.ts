/**
 * Item: the audit trail cannot be truncated or rewritten unseen. A real appliance makes a few
 * hundred audit records (logins, failed logins, locks); then, on copies of its stopped data
 * directory, an attacker with the disk edits the database with SQLite directly, and
 * `appliance audit verify` must name what was done: a truncated tail, a chain rewritten with
 * plain SHA-256, a deleted range, a replaced key file. Verification writes nothing: it works
 * on a data directory nobody can write to.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import ssh2 from 'ssh2';
import { auditHash, GENESIS_HASH, type AuditRecord } from '../../confd/store/audit-chain.js';
import { rowToAudit, type AuditRow } from '../../confd/store/store.js';
import { APPLIANCE_BIN, runAppliance, startAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD, connectNetconf } from './ssh-netconf.js';

const work = tempDir('appliance-sec-audit-');
const pristine = join(work.path, 'pristine');
let copies = 0;

/** A fresh copy of the stopped appliance's data directory (sockets left out). */
function copy(): { root: string; db: string; key: string; checkpoint: string } {
  const root = join(work.path, `copy-${++copies}`);
  cpSync(pristine, root, { recursive: true, filter: (src) => !lstatSync(src).isSocket() });
  return { root, db: join(root, 'slots', 'a', 'config.db'), key: join(root, 'audit-key'), checkpoint: join(root, 'slots', 'a', 'audit-checkpoint') };
}

async function verify(root: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runAppliance(['audit', 'verify', '--data-dir', root]);
}

/** A login that fails (wrong password): one login-failed record. */
function failedLogin(port: number): Promise<void> {
  return new Promise((resolve) => {
    const c = new ssh2.Client();
    c.on('error', () => { c.end(); resolve(); });
    c.on('ready', () => { c.end(); resolve(); });
    c.connect({ host: '127.0.0.1', port, username: 'admin', password: 'not-the-password', readyTimeout: 10_000, tryKeyboard: false });
  });
}

before(async () => {
  const app = await startAppliance(pristine, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD });
  try {
    for (let i = 0; i < 3; i++) await failedLogin(app.port);
    const s = await connectNetconf(app.port);
    for (let i = 0; i < 60; i++) {
      await s.nc.rpc('<lock><target><running/></target></lock>');
      await s.nc.rpc('<unlock><target><running/></target></unlock>');
    }
    s.close();
  } finally {
    assert.equal(await app.stop(), 0);
  }
});
after(() => work.remove());

describe('a stopped appliance\'s audit trail, tampered with on disk', () => {
  test('untouched, it verifies: keyed from its first record, anchored by the checkpoint', async () => {
    const r = await verify(copy().root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /audit chain intact: \d+ records, keyed from record 1, checkpoint at record \d+/);
    const key = statSync(join(pristine, 'audit-key'));
    assert.equal(key.mode & 0o777, 0o600);
    assert.equal(key.size, 32);
    assert.equal(statSync(join(pristine, 'slots', 'a', 'audit-checkpoint')).mode & 0o777, 0o600);
  });

  test('the last 50 records deleted: a truncated tail, named with its range', async () => {
    const c = copy();
    const db = new Database(c.db);
    const head = (db.prepare('SELECT max(seq) AS m FROM audit').get() as { m: number }).m;
    assert.ok(head > 100, `only ${head} records were made`);
    assert.equal(db.prepare('DELETE FROM audit WHERE seq > ?').run(head - 50).changes, 50);
    db.close();
    const r = await verify(c.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`truncated: the checkpoint records ${head} records.*ends at record ${head - 50} \\(records ${head - 49}–${head} are gone\\)`));
  });

  /** Removes every login* record and recomputes seq, links and hashes with plain SHA-256 (the unkeyed recipe). */
  function rewriteWithoutLogins(file: string, dropKeyedMark: boolean): number {
    const db = new Database(file);
    const rows = (db.prepare('SELECT * FROM audit ORDER BY seq').all() as AuditRow[]).map(rowToAudit);
    const kept = rows.filter((r) => !r.action.startsWith('login'));
    assert.ok(kept.length < rows.length, 'there were login records to remove');
    let prev = GENESIS_HASH;
    const rewritten: AuditRecord[] = kept.map((r, i) => {
      const unsigned = { ...r, seq: i + 1, prev };
      const hash = auditHash(unsigned);
      prev = hash;
      return { ...unsigned, hash };
    });
    db.transaction(() => {
      db.prepare('DELETE FROM audit').run();
      const ins = db.prepare('INSERT INTO audit(seq, time, user, source, address, session, action, target, result, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const r of rewritten) ins.run(r.seq, r.time, r.user, r.source, r.address, r.session, r.action, r.target, r.result, r.detail ? JSON.stringify(r.detail) : null, r.prev, r.hash);
      if (dropKeyedMark) db.prepare("DELETE FROM meta WHERE key = 'audit_keyed_from'").run();
    })();
    db.close();
    return rows.length - kept.length;
  }

  test('every login record deleted and the chain recomputed with SHA-256: a rewritten chain', async () => {
    const c = copy();
    assert.ok(rewriteWithoutLogins(c.db, false) >= 3);
    const r = await verify(c.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /truncated|rewritten/);
    assert.match(r.stderr, /records 1–\d+ were altered or the chain rewritten \(their HMACs under the audit key do not match\)/);
  });

  test('…and the database\'s mark of where keying starts removed too: still a rewritten chain', async () => {
    const c = copy();
    rewriteWithoutLogins(c.db, true);
    const r = await verify(c.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the chain was rewritten: the checkpoint has it keyed from record 1, the database not keyed at all/);
  });

  test('a range in the middle deleted: a deleted range, named', async () => {
    const c = copy();
    const db = new Database(c.db);
    db.prepare('DELETE FROM audit WHERE seq BETWEEN 40 AND 59').run();
    db.close();
    const r = await verify(c.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /record 40 is missing \(found 60 after 39: records 40–59 deleted\)/);
  });

  test('the key file replaced by another key: a replaced key, named by fingerprint', async () => {
    const c = copy();
    writeFileSync(c.key, randomBytes(32), { mode: 0o600 });
    const r = await verify(c.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the audit key file was replaced: the checkpoint was made with key [0-9a-f]{32}, the key file is [0-9a-f]{32}/);
    // …and an appliance started on it raises the chain's failure and leaves the checkpoint as evidence.
    const before = readFileSync(c.checkpoint, 'utf8');
    const app = await startAppliance(c.root, [], {});
    try {
      assert.match(app.stderr(), /the audit trail fails its checkpoint: the audit key file was replaced/);
    } finally {
      assert.equal(await app.stop(), 0);
    }
    assert.equal(readFileSync(c.checkpoint, 'utf8'), before, 'the checkpoint is not moved on past a failure');
    assert.equal((await verify(c.root)).code, 1);
  });

  test('the checkpoint deleted with the tail: a missing checkpoint', async () => {
    const c = copy();
    const db = new Database(c.db);
    db.prepare('DELETE FROM audit WHERE seq > 100').run();
    db.close();
    rmSync(c.checkpoint);
    let r = await verify(c.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the audit checkpoint is missing though records from 1 on are keyed/);
    // A checkpoint scribbled over is no better.
    writeFileSync(c.checkpoint, '{"version":1,');
    r = await verify(c.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /checkpoint file is unreadable/);
  });
});

/** Every file and directory under `dir` with its size and mtime: what a write would change. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = lstatSync(join(dir, name));
    out.push(`${name} ${st.size} ${st.mtimeMs}`);
  }
  return out.sort();
}

function chmodTree(dir: string, dirMode: number, fileMode: number): void {
  chmodSync(dir, dirMode);
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) chmodSync(p, dirMode);
    else if (st.isFile()) chmodSync(p, fileMode);
  }
}

test('verify works on a data directory nobody can write to, and writes nothing', async () => {
  const c = copy();
  const db = new Database(c.db);
  db.prepare('DELETE FROM audit WHERE seq BETWEEN 10 AND 12').run();
  db.close();
  chmodTree(c.root, 0o555, 0o444);
  chmodSync(work.path, 0o755);
  const beforeFiles = snapshot(c.root);
  try {
    // As root permissions do not bind: the check runs as an unprivileged user, to whom the tree is read-only.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [APPLIANCE_BIN, 'audit', 'verify', '--data-dir', c.root], { ...asUser, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /record 10 is missing \(found 13 after 9: records 10–12 deleted\)/);
    assert.deepEqual(snapshot(c.root), beforeFiles, 'verification wrote nothing');
  } finally {
    chmodTree(c.root, 0o755, 0o644);
  }
});
