/**
 * Item: file modes. What holds secrets under the data directory is created 0600 (umask), a
 * backup is written 0600, an old 0644 database is tightened at start, and restore tightens a
 * backup readable by others, with a warning.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD } from './ssh-netconf.js';

const dir = tempDir('appliance-sec-modes-');
let app: RunningAppliance;
const mode = (f: string) => statSync(f).mode & 0o777;

before(async () => { app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD }); });
after(async () => { await app.stop(); dir.remove(); });

test('the database, its WAL and the host key are 0600 from the first start', () => {
  const db = join(dir.path, 'slots', 'a', 'config.db');
  const files = [db, `${db}-wal`, join(dir.path, 'ssh_host_ed25519_key'), join(dir.path, 'slots', 'a', 'ssh_host_ed25519_key')].filter(existsSync);
  assert.ok(files.includes(db), 'no database where expected');
  for (const f of files) assert.equal(mode(f), 0o600, f);
});

test('a backup is 0600; restore of a world-readable backup tightens it and warns', async () => {
  const file = join(dir.path, 'b.db');
  const b = await runAppliance(['backup', file, '--data-dir', dir.path]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(mode(file), 0o600);
  chmodSync(file, 0o644);
  const r = await runAppliance(['restore', file, '--data-dir', dir.path]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /readable by others/);
  assert.equal(mode(file), 0o600);
});
