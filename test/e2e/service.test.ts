/**
 * The appliance as a service runs it: on management addresses other than 127.0.0.1 (IPv4 and
 * IPv6, several at once), with its data directory from the environment, and a log that a
 * collector can read: JSON lines only, the supervised daemons' output in it, a log file that
 * logrotate can move (SIGHUP), a bad --log-level refused in one line.
 */
import assert from 'node:assert/strict';
import { readFileSync, renameSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.js';
import { runAppliance, startAppliance } from '../helpers/appliance-process.js';

const dirs: Array<{ remove(): void }> = [];
after(() => { for (const d of dirs) d.remove(); });
function fresh(): string {
  const d = tempDir('appliance-service-');
  dirs.push(d);
  return d.path;
}

/** A TCP port free on every loopback address right now (the appliance is then told to use it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '::', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
    s.once('error', reject);
  });
}

/** The HTTP status of an unauthenticated GET /metrics over HTTPS on address:port. */
function httpsStatus(address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsGet({ host: address, port, path: '/metrics', rejectUnauthorized: false, timeout: 5000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.once('timeout', () => req.destroy(new Error(`no answer on ${address}:${port}`)));
    req.once('error', reject);
  });
}

/** The first bytes an SSH server sends on address:port. */
function sshBanner(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, address);
    s.setTimeout(5000, () => { s.destroy(); reject(new Error(`no answer on ${address}:${port}`)); });
    s.once('data', (d) => { s.destroy(); resolve(d.toString('latin1')); });
    s.once('error', reject);
  });
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((l) => l !== '').map((l) => {
    try { return JSON.parse(l) as Record<string, unknown>; } catch { throw new Error(`a log line is not JSON: ${l}`); }
  });
}

describe('listen addresses', () => {
  test('listens on 127.0.0.2 and ::1 at once, passes its health check there and answers SSH and HTTPS on both', async () => {
    const dir = fresh();
    const http = await freePort();
    const app = await startAppliance(dir, ['--listen', '127.0.0.2', '--listen', '::1', '--http-port', String(http)]);
    try {
      // "slot is good" is logged only once the health check dialled every address listened on.
      await until('the slot to be marked good', () => app.stderr().includes('slot is good'));
      assert.match(await sshBanner('127.0.0.2', app.port), /^SSH-2\.0-/);
      assert.match(await sshBanner('::1', app.port), /^SSH-2\.0-/);
      await assert.rejects(sshBanner('127.0.0.1', app.port));
      // HTTPS (/metrics, RESTCONF, the page) on the same addresses, not elsewhere: 401 asks for a login.
      assert.equal(await httpsStatus('127.0.0.2', http), 401);
      assert.equal(await httpsStatus('::1', http), 401);
      await assert.rejects(httpsStatus('127.0.0.1', http));
      assert.doesNotMatch(app.stderr(), /SSH does not answer|boot failed/);
      const st = await runAppliance(['status', '--json', '--data-dir', dir]);
      assert.equal(st.code, 0, st.stderr);
      const report = JSON.parse(st.stdout) as { daemon: { running: boolean; ssh: Array<{ address: string; port: number }> } };
      assert.deepEqual(report.daemon.ssh.map((l) => l.address), ['127.0.0.2', '::1']);
    } finally {
      assert.equal(await app.stop(), 0);
    }
  });

  test('a --listen that is not an address is refused with exit 2', async () => {
    const r = await runAppliance(['start', '--listen', 'somewhere', '--data-dir', fresh()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--listen takes an IPv4 or IPv6 address/);
  });
});

describe('the data directory', () => {
  test('APPLIANCE_DATA_DIR is used when --data-dir is not given, and --data-dir wins over it', async () => {
    const dir = fresh();
    const app = await startAppliance(dir);
    try {
      const viaEnv = await runAppliance(['status', '--json'], { env: { APPLIANCE_DATA_DIR: dir } });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      assert.equal((JSON.parse(viaEnv.stdout) as { daemon: { running: boolean } }).daemon.running, true);
      const other = fresh();
      const flagWins = await runAppliance(['status', '--json', '--data-dir', other], { env: { APPLIANCE_DATA_DIR: dir } });
      assert.equal(flagWins.code, 3);
      assert.equal((JSON.parse(flagWins.stdout) as { daemon: { running: boolean } }).daemon.running, false);
    } finally {
      await app.stop();
    }
  });
});

describe('logs', () => {
  test('a log file of JSON lines only: pids not duplicated, daemon output captured with its name, reopened on SIGHUP', async () => {
    const dir = fresh();
    const log = join(dir, 'appliance.log');
    const app = await startAppliance(dir, ['--log-file', log, '--daemon', 'ntp-hostname']);
    try {
      await until('the slot to be marked good', () => readFileSync(log, 'utf8').includes('slot is good'));
      await until('the daemon\'s output in the log', () => readFileSync(log, 'utf8').includes('"daemon":"ntp-hostname","stream":"stderr"'));
      const lines = jsonLines(readFileSync(log, 'utf8'));
      const booting = lines.find((l) => l.msg === 'booting')!;
      assert.equal(booting.pid, app.child.pid, 'the boot loader logs its own pid');
      assert.equal(typeof booting.daemonPid, 'number');
      for (const raw of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
        assert.equal((raw.match(/"pid":/g) ?? []).length, 1, `one pid key per line: ${raw}`);
      }
      const captured = lines.find((l) => l.daemon === 'ntp-hostname' && l.stream === 'stderr')!;
      assert.equal(typeof captured.record, 'object');
      // logrotate: move the file, SIGHUP; both the boot loader and the daemon write to a new one.
      renameSync(log, `${log}.1`);
      app.child.kill('SIGHUP');
      await until('both processes to reopen', () => {
        try { return jsonLines(readFileSync(log, 'utf8')).filter((l) => l.msg === 'log reopened').length >= 2; } catch { return false; }
      });
      const pids = new Set(jsonLines(readFileSync(log, 'utf8')).map((l) => l.pid));
      assert.ok(pids.has(app.child.pid), 'the boot loader writes to the new file');
      assert.ok(pids.size >= 2, 'the daemon writes to the new file');
    } finally {
      assert.equal(await app.stop(), 0);
    }
    assert.equal(app.stderr().trim(), '', 'with --log-file nothing is written to stderr');
  });

  test('an unknown --log-level is refused with the appliance\'s own one-line message and exit 2', async () => {
    const r = await runAppliance(['start', '--log-level', 'loud', '--data-dir', fresh()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^appliance start: --log-level takes one of fatal, error, warn, info, debug, trace, silent, not 'loud'\n/);
  });
});
