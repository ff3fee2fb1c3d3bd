/**
 * The watch after an install's switch (issue 13: watch window and sanity checks), black box:
 * an appliance on schema 2 configured with /system/software installs another schema-2
 * version; a sanity check that fails during the watch, or a supervised daemon that restarts
 * (a degraded metric against the baseline recorded before the install), reverts it with the
 * reason recorded and the configuration carried back. The checks also run on request
 * (`appliance software sanity-check`, CLI `request system software sanity-check`).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { JsonObject } from '../../confd/api/index.js';
import {
  BootLoaderProcess, assertOnGoodSlot, bootFresh, control, exportConfig, importConfig, runCli, softwareStatus, upgradeKit, waitFor,
  type SoftwareStatus, type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

let k: UpgradeKit;
let next: string;
before(async () => { k = await upgradeKit(); next = await k.bundle('2.1.0', 2); });
after(() => k?.remove());

function freshV2(t: TestContext, args: readonly string[] = []): Promise<{ dir: string; app: BootLoaderProcess }> {
  return bootFresh(t, k, { schemaVersion: 2, args });
}

function listening(t: TestContext): Promise<number> {
  return new Promise((resolve) => {
    const s: Server = createServer((c) => c.destroy()).listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
    t.after(() => s.close());
  });
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

async function waitReverted(dir: string): Promise<SoftwareStatus> {
  return waitFor('the revert to end', async () => {
    const s = await control<SoftwareStatus>(dir, 'software.status');
    return s.job?.kind === 'rollback' && s.job.status !== 'running' ? s : null;
  }, 90_000, 250);
}

describe('sanity checks', () => {
  it('run on request: each check with its result; exit 1 when one fails', { timeout: 90_000 }, async (t) => {
    const { dir } = await freshV2(t);
    const none = await runCli(['software', 'sanity-check'], dir);
    assert.equal(none.code, 0);
    assert.match(none.stdout, /no sanity checks are configured/);
    const open = await listening(t);
    const closed = await closedPort();
    await importConfig(k, dir, { system: { hostname: 'checked', software: { 'sanity-check': [
      { name: 'hostname', 'get-path': '/system/hostname', match: 'checked' },
      { name: 'listener', port: open, 'timeout-ms': 1000 },
      { name: 'nothing-there', port: closed, 'timeout-ms': 500 },
      { name: 'no-such-daemon', daemon: 'firewall' },
    ] } } });
    const r = await runCli(['software', 'sanity-check', '--json'], dir);
    assert.equal(r.code, 1, r.stderr);
    const results = (JSON.parse(r.stdout) as { ok: boolean; results: Array<{ name: string; ok: boolean; detail: string }> }).results;
    // In the order of the list (keyed by name).
    assert.deepEqual(results.map((x) => [x.name, x.ok]), [['hostname', true], ['listener', true], ['no-such-daemon', false], ['nothing-there', false]]);
    assert.match(results[3]!.detail, new RegExp(`port ${closed} does not accept`));
    assert.match(results[2]!.detail, /daemon firewall is not supervised/);
    const cli = await runCli(['cli', '-c', 'request system software sanity-check'], dir);
    assert.match(cli.stdout, /nothing-there/, `${cli.stdout}${cli.stderr}`);
  });
});

describe('the watch after the switch', () => {
  it('the job is watching until its watch passes, then succeeded; software status says which', { timeout: 150_000 }, async (t) => {
    const { dir } = await freshV2(t);
    await importConfig(k, dir, { system: { software: { 'watch-minutes': 0.25 } } });
    const add = await runCli(['software', 'add', next, '--json'], dir);
    assert.equal(add.code, 0, add.stderr);
    const lines = add.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { status: string; watchUntil?: string; finished: string | null });
    const end = lines.at(-1)!;
    assert.equal(end.status, 'watching', 'following ends when the job has done its part');
    assert.equal(end.finished, null, 'not finished while on watch');
    const watching = await runCli(['software', 'status'], dir);
    assert.match(watching.stdout, /: watching\n[^]*on watch until /);
    const done = await waitFor('the watch to pass', async () => {
      const s = await control<SoftwareStatus>(dir, 'software.status');
      return s.job?.status !== 'watching' ? s : null;
    }, 60_000, 250);
    assert.equal(done.job?.status, 'succeeded', JSON.stringify(done.job));
    assert.equal(done.job?.watch, 'passed');
    assert.ok(Date.parse(done.job!.finished!) >= Date.parse(end.watchUntil!), `finished ${done.job!.finished} after the watch ${end.watchUntil}`);
    assertOnGoodSlot(await softwareStatus(dir), 'b', 'good');
  });

  it('with watch-minutes 0 there is no watch: the install succeeds at once', { timeout: 120_000 }, async (t) => {
    const { dir } = await freshV2(t);
    await importConfig(k, dir, { system: { software: { 'watch-minutes': 0 } } });
    const add = await runCli(['software', 'add', next, '--json'], dir);
    assert.equal(add.code, 0, add.stderr);
    const end = JSON.parse(add.stdout.trim().split('\n').at(-1)!) as { status: string; watch?: string | null };
    assert.equal(end.status, 'succeeded');
    assert.ok(!end.watch, 'no watch');
  });

  it('a sanity check that fails after the switch reverts the install, with the reason, configuration carried back', { timeout: 150_000 }, async (t) => {
    const { dir } = await freshV2(t);
    const closed = await closedPort();
    await importConfig(k, dir, { system: { hostname: 'watched', software: { 'watch-minutes': 1, 'sanity-check': [
      { name: 'collector', port: closed, 'timeout-ms': 500 },
    ] } } });
    const add = await runCli(['software', 'add', next, '--json'], dir);
    assert.equal(add.code, 0, add.stderr);
    const st = await waitReverted(dir);
    assert.equal(st.job?.status, 'succeeded', JSON.stringify(st.job));
    assert.match(st.job?.revertOf?.reason ?? '', /version 2\.1\.0 failed its watch: sanity check failed: collector \(port \d+ does not accept/);
    assertOnGoodSlot(await softwareStatus(dir), 'a', 'good');
    const config = await exportConfig(dir);
    assert.equal((config.system as JsonObject).hostname, 'watched');
  });

  it('a degraded metric (a supervised daemon restarting, against the baseline) reverts the install', { timeout: 150_000 }, async (t) => {
    const { dir } = await freshV2(t, ['--daemon', 'ntp-hostname']);
    await importConfig(k, dir, { system: { software: { 'watch-minutes': 1 } } });
    const add = await runCli(['software', 'add', next, '--no-follow', '--json'], dir);
    assert.equal(add.code, 0, add.stderr);
    // Once the new version is on watch, its supervised daemon dies (the supervisor restarts it).
    const watching = await waitFor('the watch to begin', async () => {
      const s = await control<SoftwareStatus>(dir, 'software.status');
      return s.job?.watch === 'watching' ? s : null;
    }, 60_000, 100);
    assert.ok(watching.job?.watchUntil);
    const pid = await daemonPid(dir, 'ntp-hostname');
    process.kill(pid, 'SIGKILL');
    const st = await waitReverted(dir);
    assert.match(st.job?.revertOf?.reason ?? '', /failed its watch: health degraded: .*(restarted|not running)/);
    assertOnGoodSlot(await softwareStatus(dir), 'a', 'good');
  });
});

/** The pid of a supervised daemon, from the management daemon's health answer (through the shell tool's socket). */
async function daemonPid(dir: string, name: string): Promise<number> {
  const { SocketClient } = await import('../../confd/api/index.js');
  const { join } = await import('node:path');
  return waitFor(`a pid of ${name}`, async () => {
    const c = await SocketClient.connect(join(dir, 'confd.sock'), 'root', 'upgrade-test');
    try {
      const h = await c.request<{ daemons: Array<{ name: string; pid?: number; status: string }> }>('health');
      return h.daemons.find((d) => d.name === name && d.status === 'running')?.pid;
    } finally {
      c.close();
    }
  }, 30_000, 200);
}
