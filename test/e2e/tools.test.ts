/**
 * The device tools as an operator runs them — backup, restore, config import/export/history,
 * audit verify/show — against a stopped device and a running one, with bad input, tampering
 * and a corrupt database.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/device.js';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';

const dir = tempDir('appliance-tools-');
const D = ['--data-dir', dir.path];
/** The configuration database of the slot the appliance runs from (a, after the factory install). */
const DB = join(dir.path, 'slots', 'a', 'config.db');
/** The configuration exported right after the online backup (below), which restore --full must bring back. */
let configAtBackup: Record<string, unknown> | undefined;
const file = (name: string, content: unknown) => {
  const p = join(dir.path, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

async function ok(args: string[]): Promise<string> {
  const r = await runAppliance([...args, ...D]);
  assert.equal(r.code, 0, `appliance ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function exportConfig(): Promise<Record<string, unknown>> {
  return JSON.parse(await ok(['config', 'export'])) as Record<string, unknown>;
}

after(() => dir.remove());

/**
 * What a database file holds, read with SQLite directly: every node of running, the newest
 * commit's header and the newest audit record (its sequence number and chain hash).
 */
function databaseHeads(file: string): { running: unknown[]; history: { txid: number; time: string; user: string; comment: string }; audit: { seq: number; hash: string } } {
  const db = new Database(file, { readonly: true });
  try {
    const running = db.prepare('SELECT path, body FROM nodes WHERE ds = 0 ORDER BY path').all();
    const history = db.prepare('SELECT txid, time, user, comment FROM commits ORDER BY txid DESC LIMIT 1').get() as { txid: number; time: string; user: string; comment: string };
    const audit = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
    return { running, history, audit };
  } finally {
    db.close();
  }
}

describe('a stopped device', () => {
  before(async () => {
    // First start creates the database; then stop it.
    const app = await startAppliance(dir.path);
    assert.equal(await app.stop(), 0);
  });

  test('config import, export and history work in-process, audited', async () => {
    const base = file('base.json', { system: { hostname: 'offline' }, interfaces: { interface: [{ name: 'eth0', mtu: 1400 }] } });
    // Neither --merge nor --replace: a usage error, nothing changed.
    const unsaid = await runAppliance(['config', 'import', base, ...D]);
    assert.equal(unsaid.code, 2, unsaid.stderr);
    assert.match(unsaid.stderr, /--merge .* or --replace/);
    // --replace of a file without users would lock every administrator out: refused (TXN_LOCKOUT)…
    const locked = await runAppliance(['config', 'import', '--replace', base, ...D]);
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /no user of the admin role would be left with a password or an SSH key \(now: admin\)/);
    // …unless a technician at the console forces it, which the audit log records.
    await ok(['config', 'import', '--replace', '--force', base, '--comment', 'initial']);
    const forced = JSON.parse(await ok(['audit', 'show', '--action', 'import', '--json'])) as Array<{ result: string }>;
    assert.deepEqual(forced.map((r) => r.result).filter((x) => x !== 'ok'), ['denied', 'forced']);
    const config = await exportConfig();
    assert.deepEqual((config.system as Record<string, unknown>).hostname, 'offline');
    const history = JSON.parse(await ok(['config', 'history', '--json'])) as Array<{ source: string; comment: string }>;
    assert.equal(history[0]!.source, 'import');
    assert.equal(history[0]!.comment, 'initial');
    assert.match(await ok(['audit', 'verify']), /audit chain intact/);
  });

  test('a rejected import changes nothing and names the path', async () => {
    const beforeConfig = await exportConfig();
    const r = await runAppliance(['config', 'import', '--merge', file('bad.json', { interfaces: { interface: [{ name: 'eth0', mtu: 70000 }] } }), ...D]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/interfaces\/interface\[name='eth0'\]\/mtu/);
    assert.deepEqual(await exportConfig(), beforeConfig);
  });
});

describe('a running device', () => {
  let app: RunningAppliance;
  const backupFile = join(dir.path, 'online-backup.db');

  before(async () => { app = await startAppliance(dir.path); });
  after(async () => { if (app) await app.stop(); });

  test('import goes through the daemon: validated, one commit, audited under the kernel\'s user, not the --as name', async () => {
    await ok(['config', 'import', '--merge', file('more.json', { interfaces: { interface: [{ name: 'eth1' }] } }), '--as', 'carol']);
    const config = await exportConfig();
    const names = ((config.interfaces as Record<string, unknown>).interface as Array<{ name: string }>).map((i) => i.name);
    assert.deepEqual(names, ['eth0', 'eth1']);
    const me = process.getuid!() === 0 ? 'root' : userInfo().username;
    const records = JSON.parse(await ok(['audit', 'show', '--user', me, '--json'])) as Array<{ user: string; action: string; source: string; detail?: { declared?: string } }>;
    assert.ok(records.some((r) => r.action === 'import' && r.source === 'socket'));
    assert.ok(records.some((r) => r.action === 'session-start' && r.detail?.declared === 'carol'), 'the --as name is only noted');
    assert.equal(JSON.parse(await ok(['audit', 'show', '--user', 'carol', '--json'])).length, 0);
  });

  test('backup while running, then restore of that backup as one commit', async () => {
    assert.match(await ok(['backup', backupFile]), /backup written/);
    const atBackup = configAtBackup = await exportConfig();
    await ok(['config', 'import', '--merge', file('later.json', { system: { hostname: 'changed-later' } })]);
    assert.notDeepEqual(await exportConfig(), atBackup);
    assert.match(await ok(['restore', backupFile]), /committed as commit/);
    assert.deepEqual(await exportConfig(), atBackup);
    const history = JSON.parse(await ok(['config', 'history', '--json', '--last', '1'])) as Array<{ source: string }>;
    assert.equal(history[0]!.source, 'restore');
  });

  test('a bad backup file is refused and changes nothing', async () => {
    const beforeConfig = await exportConfig();
    const r = await runAppliance(['restore', file('garbage.db', randomBytes(8192).toString('binary')), ...D]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot be restored/);
    assert.deepEqual(await exportConfig(), beforeConfig);
  });

  test('audit verify while running; full restore refused while running', async () => {
    assert.match(await ok(['audit', 'verify']), /intact/);
    const r = await runAppliance(['restore', '--full', backupFile, ...D]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /running/);
  });

  test('rollback and compare from the command line', async () => {
    await ok(['config', 'import', '--merge', file('mtu.json', { interfaces: { interface: [{ name: 'eth1', mtu: 9000 }] } })]);
    const diff = await ok(['config', 'compare', 'running', 'candidate']);
    assert.equal(diff.trim(), '');
    const hist = JSON.parse(await ok(['config', 'history', '--json', '--last', '2'])) as Array<{ txid: number }>;
    const changes = JSON.parse(await ok(['config', 'compare', String(hist[1]!.txid), String(hist[0]!.txid), '--json'])) as Array<{ path: string; op: string; old: unknown; new: unknown }>;
    assert.deepEqual(changes, [{ path: "/interfaces/interface[name='eth1']/mtu", op: 'modify', old: 1500, new: 9000 }]);
    await ok(['config', 'rollback', '1']);
    const ifs = ((await exportConfig()).interfaces as Record<string, unknown>).interface as Array<{ name: string; mtu: number }>;
    assert.equal(ifs.find((i) => i.name === 'eth1')!.mtu, 1500);
    assert.match(await ok(['config', 'blame', "/interfaces/interface[name='eth1']/mtu"]), /commit \d+ by /);
  });
});

describe('tampering and corruption', () => {
  const backupFile = join(dir.path, 'online-backup.db');

  test('audit verify names the first altered, removed or inserted record', async () => {
    const db = new Database(DB);
    const original = db.prepare('SELECT * FROM audit WHERE seq = 3').get() as Record<string, unknown>;
    db.prepare("UPDATE audit SET user = 'mallory' WHERE seq = 3").run();
    db.close();
    let r = await runAppliance(['audit', 'verify', ...D]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /record 3 was altered/);

    const db2 = new Database(DB);
    db2.prepare('UPDATE audit SET user = ? WHERE seq = 3').run(original.user);
    db2.prepare('DELETE FROM audit WHERE seq = 5').run();
    db2.close();
    r = await runAppliance(['audit', 'verify', ...D]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /record 5 is missing/);

    const db3 = new Database(DB);
    const row = db3.prepare('SELECT * FROM audit WHERE seq = 4').get() as Record<string, unknown>;
    db3.prepare('INSERT INTO audit (seq, time, user, source, address, session, action, target, result, detail, prev, hash) VALUES (5, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.time, 'mallory', row.source, row.address, row.session, 'edit', row.target, 'ok', null, row.hash, 'f'.repeat(64));
    db3.close();
    r = await runAppliance(['audit', 'verify', ...D]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /record 5 was altered|record 6 does not link/);
  });

  test('a corrupt database: start refuses and points at the newest backup; restore --full recovers exactly the backup', async () => {
    // What the backup holds, read from the file itself: the whole configuration, the history head and the audit chain head.
    const backup = databaseHeads(backupFile);
    const fd = openSync(DB, 'r+');
    // Scribble over the middle of the database file.
    writeSync(fd, randomBytes(4096 * 4), 0, 4096 * 4, 4096 * 2);
    closeSync(fd);
    const refused = await runAppliance(['start', ...D, '--port', '0', '--http-port', '0', '--log-level', 'silent']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /integrity|not usable|corrupt/i);
    assert.ok(refused.stderr.includes(backupFile), `the message names the newest backup: ${refused.stderr}`);

    assert.match(await ok(['restore', '--full', backupFile]), /database replaced/);
    assert.deepEqual(databaseHeads(DB), backup, 'the restored database holds the backup: configuration, history head, audit head');
    const app = await startAppliance(dir.path);
    try {
      const history = JSON.parse(await ok(['config', 'history', '--json', '--last', '1'])) as Array<{ txid: number; comment: string }>;
      assert.equal(history[0]!.txid, backup.history.txid, 'the appliance goes on from the backup\'s last commit');
      assert.match(await ok(['audit', 'verify']), /intact/);
      assert.ok(configAtBackup);
      assert.deepEqual(await exportConfig(), configAtBackup, 'the appliance serves the whole configuration of the backup');
      assert.deepEqual(databaseHeads(DB).running, backup.running);
    } finally {
      await app.stop();
    }
    assert.ok(readFileSync(join(dir.path, 'last-backup'), 'utf8').includes('online-backup.db'));
  });
});
