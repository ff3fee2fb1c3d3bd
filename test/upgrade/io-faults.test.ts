/**
 * I/O errors during an install or a rollback (issue 13, item 1), black box: ENOSPC and EIO
 * injected at every write of the two jobs (APPLIANCE_FAULT `enospc@POINT#N`, `eio@POINT#N`,
 * confd/api/faults.ts), and one real full disk (a small tmpfs filled while the slot is being
 * written). In every case the job fails with the reason, the half-written slot is removed, the
 * boot loader and the running slot keep serving (status, reads, commits), and a later job runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { JsonObject } from '../../confd/api/index.js';
import { deviceLayout } from '../../upgrade/layout.js';
import {
  BootLoaderProcess, INSTALL_STEPS, ROLLBACK_STEPS, V1_CONFIG, assertOnGoodSlot, control, copyDataDir, exportConfig, history,
  importConfig, runCli, softwareStatus, upgradeKit, waitFor, waitJobEnd, type CommitHeader, type JobRecord, type SoftwareStatus,
  type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

let k: UpgradeKit;
let v2Bundle: string;
/** A stopped appliance on slot a (schema 1) holding V1_CONFIG. */
let v1Dir: string;
/** A stopped appliance upgraded to slot b (schema 2); slot a holds schema 1, both good. */
let v2Dir: string;

function boot(t: TestContext, dir: string, fault?: string): BootLoaderProcess {
  const app = BootLoaderProcess.start(dir, { schemaVersion: 1, ...(fault ? { env: { APPLIANCE_FAULT: fault } } : {}) });
  t.after(() => app.kill());
  return app;
}

function copyOf(dir: string): string {
  const d = k.dataDir('upg-io-');
  rmSync(d, { recursive: true, force: true });
  copyDataDir(dir, d);
  return d;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

before(async () => {
  k = await upgradeKit();
  v2Bundle = await k.bundle('2.0.0', 2);
  v1Dir = k.dataDir('upg-io-v1-');
  const app = BootLoaderProcess.start(v1Dir, { schemaVersion: 1 });
  try {
    await app.waitGood('a');
    await importConfig(k, v1Dir, V1_CONFIG);
  } finally {
    await app.kill();
  }
  v2Dir = copyOf(v1Dir);
  // No watch: its copies boot with the install decided (a watch resumed at boot would write the journal the faults count).
  const up = BootLoaderProcess.start(v2Dir, { schemaVersion: 1, env: { APPLIANCE_FAULT: 'watch-minutes=0' } });
  try {
    await up.waitGood('a');
    assert.equal((await runCli(['software', 'add', v2Bundle, '--no-follow', '--json'], v2Dir)).code, 0);
    const { job } = await waitJobEnd(v2Dir);
    assert.equal(job?.status, 'succeeded', JSON.stringify(job));
    await up.waitGood('b');
  } finally {
    await up.kill();
  }
});
after(() => k?.remove());

interface Before { config: JsonObject; history: CommitHeader[] }

/** The job failed for `errno`, the appliance still runs `slot`, good, with its configuration, and commits. */
async function assertStillServing(app: BootLoaderProcess, dir: string, job: JobRecord, errno: string, slot: 'a' | 'b', was: Before): Promise<SoftwareStatus> {
  assert.equal(job.status, 'failed', JSON.stringify(job));
  assert.match(job.reason ?? '', new RegExp(errno), `the reason names the error: ${job.reason}`);
  assert.ok(job.code === 'UPG_IO' || job.code === 'UPG_TRANSFORM_FAILED', `code ${job.code}`);
  assert.ok(app.running, `the boot loader runs:\n${app.tail()}`);
  const st = await softwareStatus(dir);
  assert.equal(st.job?.id, job.id);
  assert.equal(st.job?.status, 'failed', 'software status shows the failure');
  assert.equal(st.job?.reason, job.reason, 'and its reason');
  assert.equal(st.booted, slot);
  assert.equal(st.state.primary, slot);
  assert.equal(st.state.trial, null);
  assert.equal(st.state.slots[slot].status, 'good');
  assert.deepEqual(await exportConfig(dir), was.config, 'the configuration as before');
  assert.deepEqual(await history(dir), was.history, 'the history as before');
  await importConfig(k, dir, { system: { hostname: `after-${errno.toLowerCase()}` } });
  assert.equal(((await exportConfig(dir)).system as JsonObject).hostname, `after-${errno.toLowerCase()}`, 'commits are accepted');
  return st;
}

/** Where the install writes, and the fault that fails that write. */
const INSTALL_WRITES: ReadonlyArray<{ write: string; fault: (kind: string) => string }> = [
  ...INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf('switch') + 1).map((step, i) => ({
    write: `the journal entry of step ${step}`, fault: (kind: string) => `${kind}@journal-write#${i + 1}`,
  })),
  // #1 is the boot's own mark-good; then mark-installing, mark-ready and the switch (the trial).
  { write: 'the boot state at mark-installing', fault: (kind) => `${kind}@boot-state-write#2` },
  { write: 'the boot state at mark-ready', fault: (kind) => `${kind}@boot-state-write#3` },
  { write: 'the boot state at the switch', fault: (kind) => `${kind}@boot-state-write#4` },
  { write: 'a file of the slot (the 100th)', fault: (kind) => `${kind}@slot-write#100` },
  { write: 'the manifest of the slot', fault: (kind) => `${kind}@manifest-write` },
  { write: 'the copy of the configuration', fault: (kind) => `${kind}@config-copy-write` },
  { write: 'the transformed configuration (the migration)', fault: (kind) => `${kind}@transform-run` },
  { write: 'the carried configuration into the slot', fault: (kind) => `${kind}@replace-config-write` },
];

for (const [kind, errno] of [['enospc', 'ENOSPC'], ['eio', 'EIO']] as const) {
  describe(`${errno} at every write of an install: the job fails, the slot is removed, slot a serves`, () => {
    for (const w of INSTALL_WRITES) {
      it(`${errno} writing ${w.write}`, { timeout: 90_000 }, async (t) => {
        const dir = copyOf(v1Dir);
        const app = boot(t, dir, w.fault(kind));
        await app.waitGood('a');
        const was = { config: await exportConfig(dir), history: await history(dir) };
        // The job may fail before `add` answers (a write before its first await): then add exits 1 with the failed job.
        const add = await runCli(['software', 'add', v2Bundle, '--no-follow', '--json'], dir);
        assert.equal((JSON.parse(add.stdout) as JobRecord).kind, 'install', add.stderr);
        const { job } = await waitJobEnd(dir);
        const st = await assertStillServing(app, dir, job!, errno, 'a', was);
        assert.notEqual(st.state.slots.b.status, 'ready', 'slot b is not bootable');
        assert.notEqual(st.state.slots.b.status, 'good', 'slot b is not bootable');
        assert.equal(existsSync(join(deviceLayout(dir).slot('b').dir, 'app')), false, 'the half-written slot is removed');
        assert.equal(existsSync(`${deviceLayout(dir).slot('b').database}.new`), false, 'no copy of the configuration is left');
      });
    }
  });
}

const ROLLBACK_WRITES: ReadonlyArray<{ write: string; fault: (kind: string) => string }> = [
  ...ROLLBACK_STEPS.slice(0, ROLLBACK_STEPS.indexOf('switch') + 1).map((step, i) => ({
    write: `the journal entry of step ${step}`, fault: (kind: string) => `${kind}@journal-write#${i + 1}`,
  })),
  { write: 'the boot state at the switch', fault: (kind) => `${kind}@boot-state-write#2` },
  { write: 'the copy of the configuration', fault: (kind) => `${kind}@config-copy-write` },
  { write: 'the transformed configuration (the migration)', fault: (kind) => `${kind}@transform-run` },
  { write: 'the carried configuration into slot a', fault: (kind) => `${kind}@replace-config-write` },
];

for (const [kind, errno] of [['enospc', 'ENOSPC'], ['eio', 'EIO']] as const) {
  describe(`${errno} at every write of a rollback: the job fails, both slots as they were, slot b serves`, () => {
    for (const w of ROLLBACK_WRITES) {
      it(`${errno} writing ${w.write}`, { timeout: 90_000 }, async (t) => {
        const dir = copyOf(v2Dir);
        const slotA = deviceLayout(dir).slot('a').database;
        const slotADb = sha256(slotA);
        const app = boot(t, dir, w.fault(kind));
        await app.waitGood('b');
        const was = { config: await exportConfig(dir), history: await history(dir) };
        await control(dir, 'software.rollback', { confirm: true });
        const { job } = await waitJobEnd(dir);
        const st = await assertStillServing(app, dir, job!, errno, 'b', was);
        assertOnGoodSlot(st, 'b', 'good');
        assert.equal(sha256(slotA), slotADb, 'the database of slot a is as it was');
        assert.equal(existsSync(`${slotA}.new`), false, 'no copy of the configuration is left');
      });
    }
  });
}

describe('a boot-state write that fails on boot', () => {
  it('EIO writing the boot state as the slot is marked good: the boot loader goes on serving, and an install runs', { timeout: 120_000 }, async (t) => {
    const dir = copyOf(v1Dir);
    const app = boot(t, dir, 'eio@boot-state-write#1');
    await app.waitGood('a');
    assert.match(app.stderr(), /the boot state could not be written/);
    assert.equal((await runCli(['software', 'add', v2Bundle, '--no-follow', '--json'], dir)).code, 0);
    const { job } = await waitJobEnd(dir);
    assert.equal(job?.status, 'watching', JSON.stringify(job));
    assertOnGoodSlot(await softwareStatus(dir), 'b', 'good');
  });
});

describe('a real full disk (a small tmpfs) while the slot is written', () => {
  it('ENOSPC from the kernel: the job fails, the slot is removed, slot a serves; once space is freed an install runs', { timeout: 180_000 }, async () => {
    const mount = mkdtempSync(join(tmpdir(), 'upg-tmpfs-'));
    const release = join(k.dir, `filled-${process.pid}`);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mount]);
    let app: BootLoaderProcess | undefined;
    try {
      const dir = join(mount, 'data');
      copyDataDir(v1Dir, dir);
      app = BootLoaderProcess.start(dir, { schemaVersion: 1, env: { APPLIANCE_FAULT: `wait@write-slot=${release}` } });
      await app.waitGood('a');
      const was = { config: await exportConfig(dir), history: await history(dir) };
      assert.equal((await runCli(['software', 'add', v2Bundle, '--no-follow', '--json'], dir)).code, 0);
      await waitFor('the job to reach write-slot', async () => (await control<SoftwareStatus>(dir, 'software.status')).job?.step === 'write-slot', 30_000, 50);
      // Fill the filesystem to the last byte, then let the slot write go on.
      const filler = join(mount, 'filler');
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(1 << 20, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      try { for (;;) writeSync(fd, chunk, 0, 4096); } catch { /* the last pages */ }
      closeSync(fd);
      assert.ok(statfsSync(mount).bavail < 4, 'the filesystem is full');
      writeFileSync(release, '');
      const { job } = await waitJobEnd(dir);
      assert.equal(job?.status, 'failed', JSON.stringify(job));
      assert.match(job!.reason ?? '', /ENOSPC|no space/i);
      assert.ok(job!.steps.some((s) => s.name === 'write-slot'));
      assert.ok(!job!.steps.some((s) => s.name === 'verify-slot'), 'it failed while the slot was written');
      assert.ok(app.running, `the boot loader runs:\n${app.tail()}`);
      assert.equal(existsSync(join(deviceLayout(dir).slot('b').dir, 'app')), false, 'the half-written slot is removed');
      const st = await softwareStatus(dir);
      assert.equal(st.booted, 'a');
      assert.equal(st.state.slots.a.status, 'good');
      assert.equal(st.job?.reason, job!.reason);
      assert.deepEqual(await exportConfig(dir), was.config, 'reads are served on the full disk');
      rmSync(filler);
      await importConfig(k, dir, { system: { hostname: 'after-full-disk' } });
      assert.equal((await runCli(['software', 'add', v2Bundle, '--no-follow', '--json'], dir)).code, 0);
      const second = await waitJobEnd(dir);
      assert.equal(second.job?.status, 'watching', JSON.stringify(second.job));
      assert.equal(((await exportConfig(dir)).system as JsonObject).hostname, 'after-full-disk');
    } finally {
      await app?.kill();
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
      rmSync(release, { force: true });
    }
  });
});
