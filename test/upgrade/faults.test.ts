/**
 * Faults the upgrade manager must survive (issue 6), each its own test, black box: the boot
 * loader runs with APPLIANCE_FAULT (confd/api/faults.ts), and, where the fault kills it, is
 * started again on the same data directory without it. Each test asserts that the appliance
 * ends on a good slot, that nothing is lost (the configuration as before, or transformed as
 * expected), the reason in `software status` and in the audit log, and the exact steps of the job.
 * Kills land at step boundaries and inside the writes: the slot's and the configuration copy's
 * (at a byte or page count drawn from a seeded generator: the test prints the seed,
 * APPLIANCE_TEST_SEED=<seed> replays it) and the boot state's (half of the new state written).
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { DataDirLock, type JsonObject } from '../../confd/api/index.js';
import { softwareVersion } from '../../confd/main/app-paths.js';
import { extractBundle, loadKeyring, loadPrivateKey, verifyBundle } from '../../upgrade/bundle/index.js';
import { deviceLayout } from '../../upgrade/layout.js';
import { runAppliance } from '../helpers/appliance-process.js';
import { randomInt, seedFromEnv } from '../helpers/random.js';
import { writeRawBundle } from './bundle/helpers.js';
import {
  BootLoaderProcess, INSTALL_STEPS, ROLLBACK_STEPS, V1_CONFIG, assertAuditedOutcome, assertAuditedRefusal, assertHistoryContinues,
  assertOnGoodSlot, auditShow, auditVerify, bootStateFile, control, copyDataDir, expectedV2, exportConfig, history, importConfig,
  lastJsonDocument, lastSeq, refusedWith, runCli, slotFiles, softwareStatus, stepNames, upgradeKit, waitFor, waitJobEnd,
  type CommitHeader, type JobRecord, type SoftwareStatus, type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

const TRIAL_DECIDED = new Set(['restart', 'health-check', 'mark-good']);

let k: UpgradeKit;
let v2Bundle: string;

before(async () => {
  k = await upgradeKit();
  v2Bundle = await k.bundle('2.0.0', 2);
});
after(() => k?.remove());

/** A boot loader on `dir`, killed (SIGKILL) when the test ends. */
function boot(t: TestContext, dir: string, env?: Record<string, string>): BootLoaderProcess {
  const app = BootLoaderProcess.start(dir, { schemaVersion: 1, ...(env ? { env } : {}) });
  t.after(() => app.kill());
  return app;
}

interface Snapshot { config: JsonObject; history: CommitHeader[]; seq: number }

/** A fresh appliance on schema version 1 holding V1_CONFIG; returns what it holds. */
async function freshAppliance(t: TestContext, env?: Record<string, string>): Promise<{ dir: string; app: BootLoaderProcess; was: Snapshot }> {
  const dir = k.dataDir();
  const app = boot(t, dir, env);
  await app.waitGood('a');
  await importConfig(k, dir, V1_CONFIG);
  return { dir, app, was: { config: await exportConfig(dir), history: await history(dir), seq: lastSeq(await auditShow(dir)) } };
}

/** Waits for a boot loader that a kill fault is to end, and checks that the fault killed it. */
async function killedByFault(app: BootLoaderProcess, fault: string): Promise<void> {
  const exit = await app.waitExit();
  assert.equal(exit.signal, 'SIGKILL', `${fault} should have killed the boot loader; it ended with ${JSON.stringify(exit)}:\n${app.tail()}`);
}

/** The install was aborted before its switch: slot a kept, good and primary, with the configuration as before. */
async function assertAborted(dir: string, job: JobRecord, steps: readonly string[], was: Snapshot): Promise<void> {
  assert.equal(job.kind, 'install');
  assert.equal(job.status, 'failed', `job ${JSON.stringify(job)}`);
  assert.deepEqual(stepNames(job), [...steps]);
  assert.equal(typeof job.reason, 'string');
  const st = await softwareStatus(dir);
  assert.equal(st.job?.id, job.id);
  assert.equal(st.job?.reason, job.reason, 'the reason is in software status');
  assertOnGoodSlot(st, 'a', 'bad');
  assert.equal(st.state.slots.a.schemaVersion, 1);
  assert.deepEqual(await exportConfig(dir), was.config, 'configuration as before');
  assert.deepEqual(await history(dir), was.history, 'history as before');
  assert.equal((await auditVerify(dir)).ok, true);
  assertAuditedOutcome(await auditShow(dir), job);
}

/** The install finished on slot b: both slots good, the configuration transformed, history continued. */
async function assertInstalled(dir: string, job: JobRecord, was: Snapshot): Promise<void> {
  assert.equal(job.kind, 'install');
  // On watch (5 minutes by default) once its slot passed the health check.
  assert.equal(job.status, 'watching', `job ${JSON.stringify(job)}`);
  assert.equal(job.reason, null);
  assert.deepEqual(stepNames(job), [...INSTALL_STEPS]);
  const st = await softwareStatus(dir);
  assert.equal(st.job?.id, job.id);
  assertOnGoodSlot(st, 'b', 'good');
  assert.equal(st.state.slots.b.schemaVersion, 2);
  assert.deepEqual(await exportConfig(dir), expectedV2(was.config), 'configuration transformed');
  assertHistoryContinues(await history(dir), was.history);
  assert.equal((await auditVerify(dir)).ok, true);
  assertAuditedOutcome(await auditShow(dir), job);
}

/** Temporary files left beside `file` by an interrupted durable write, with their sizes. */
function leftTemporaries(file: string): number[] {
  const dir = join(file, '..');
  const base = file.slice(dir.length + 1);
  return readdirSync(dir).filter((n) => n.startsWith(`${base}.tmp-`) && /^\d+$/.test(n.slice(base.length + 5))).map((n) => statSync(join(dir, n)).size);
}

function startAdd(dir: string, bundle: string) {
  return runCli(['software', 'add', bundle, '--no-follow', '--json'], dir);
}

describe('SIGKILL of the boot loader at every install step', () => {
  for (const [i, step] of INSTALL_STEPS.entries()) {
    if (step === 'mark-good') continue; // below: the boot loader's own mark-good point comes first on every boot
    const decidedByTrial = TRIAL_DECIDED.has(step);
    it(`killed at ${step}, then restarted: ${decidedByTrial ? 'the trial boot finishes the install' : 'the job is aborted and slot a kept'}`,
      { timeout: 120_000 }, async (t) => {
        const fault = `kill@${step}`;
        const { dir, app, was } = await freshAppliance(t, { APPLIANCE_FAULT: fault });
        const add = startAdd(dir, v2Bundle);
        await killedByFault(app, fault);
        await add;
        const again = boot(t, dir);
        await again.waitGood(decidedByTrial ? 'b' : 'a');
        const { job } = await waitJobEnd(dir);
        assert.ok(job);
        if (decidedByTrial) {
          await assertInstalled(dir, job, was);
        } else {
          assert.match(job.reason ?? '', new RegExp(`\\b${step}\\b`), 'the reason names the step');
          await assertAborted(dir, job, INSTALL_STEPS.slice(0, i + 1), was);
        }
      });
  }

  it('killed in the middle of writing the slot (at a random byte), then restarted: the job is aborted and slot a kept', { timeout: 120_000 }, async (t) => {
    const random = seedFromEnv(t);
    const verified = await verifyBundle(v2Bundle, { keyring: await loadKeyring(k.dir), product: 'appliance', freeSpaceDir: k.dir });
    const bytes = randomInt(random, 1, verified.unpackedBytes - 1);
    const fault = `slot-kill-after=${bytes}`;
    t.diagnostic(`${fault} of ${verified.unpackedBytes} bytes`);
    const { dir, app, was } = await freshAppliance(t, { APPLIANCE_FAULT: fault });
    const add = startAdd(dir, v2Bundle);
    await killedByFault(app, fault);
    await add;
    const written = slotFiles(dir).filter((f) => f.startsWith('b/'));
    assert.ok(written.length > 0, 'the kill landed inside the slot write: part of slot b is there');
    const again = boot(t, dir);
    await again.waitGood('a');
    const { job } = await waitJobEnd(dir);
    assert.ok(job);
    assert.match(job.reason ?? '', /\bwrite-slot\b/, 'the reason names the step');
    await assertAborted(dir, job, INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf('write-slot') + 1), was);
  });

  it('killed at mark-good (the trial boot passed its health check, not yet marked good), then restarted: the trial finishes the install',
    { timeout: 150_000 }, async (t) => {
      const { dir, app, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'kill@health-check' });
      const add = startAdd(dir, v2Bundle);
      await killedByFault(app, 'kill@health-check');
      await add;
      // The next boot is the trial of slot b: the boot loader dies as it is about to mark it good
      // (its own fault point, boot-mark-good; mark-good is the job's step).
      const second = boot(t, dir, { APPLIANCE_FAULT: 'kill@boot-mark-good' });
      await killedByFault(second, 'kill@boot-mark-good');
      assert.deepEqual(second.boots(), ['b'], 'the second boot loader booted the trial slot');
      const state = bootStateFile(dir).state!;
      assert.equal(state.trial?.slot, 'b', 'still on trial');
      assert.equal(state.primary, 'a');
      assert.equal(state.slots.a.status, 'good');
      const third = boot(t, dir);
      await third.waitGood('b');
      const { job } = await waitJobEnd(dir);
      await assertInstalled(dir, job!, was);
    });
});

describe('a kill during the boot-state write leaves the old state or the new one, never a partial one', () => {
  it('during the factory install: no state yet, and the next start installs and boots', { timeout: 60_000 }, async (t) => {
    const dir = k.dataDir();
    const first = boot(t, dir, { APPLIANCE_FAULT: 'kill@boot-state-write' });
    await killedByFault(first, 'kill@boot-state-write');
    assert.equal(bootStateFile(dir).text, null, 'the old state (none) is kept');
    const again = boot(t, dir);
    await again.waitGood('a');
    const st = await softwareStatus(dir);
    assertOnGoodSlot(st, 'a', 'empty');
    assert.equal(st.state.slots.a.schemaVersion, 1);
    assert.equal((await auditVerify(dir)).ok, true);
  });

  it('during an ordinary boot: the old state byte for byte, and the next start boots with the configuration intact', { timeout: 60_000 }, async (t) => {
    const { dir, app, was } = await freshAppliance(t);
    await app.kill();
    const old = bootStateFile(dir).text;
    const second = boot(t, dir, { APPLIANCE_FAULT: 'kill@boot-state-write' });
    await killedByFault(second, 'kill@boot-state-write');
    assert.equal(bootStateFile(dir).text, old);
    const third = boot(t, dir);
    await third.waitGood('a');
    assertOnGoodSlot(await softwareStatus(dir), 'a', 'empty');
    assert.deepEqual(await exportConfig(dir), was.config);
    assert.deepEqual(await history(dir), was.history);
  });

  it('in the middle of the write (half of the new state written): the old state byte for byte, and the next start boots',
    { timeout: 60_000 }, async (t) => {
      const { dir, app, was } = await freshAppliance(t);
      await app.kill();
      const old = bootStateFile(dir).text;
      assert.ok(old);
      const second = boot(t, dir, { APPLIANCE_FAULT: 'kill@boot-state-write-partial' });
      await killedByFault(second, 'kill@boot-state-write-partial');
      assert.equal(bootStateFile(dir).text, old);
      const partial = leftTemporaries(deviceLayout(dir).bootState);
      assert.equal(partial.length, 1, 'the interrupted write left its temporary file');
      assert.ok(partial[0]! > 0 && partial[0]! < old.length + 64, `half a state was written (${partial[0]} bytes)`);
      const third = boot(t, dir);
      await third.waitGood('a');
      assertOnGoodSlot(await softwareStatus(dir), 'a', 'empty');
      assert.deepEqual(await exportConfig(dir), was.config);
      assert.deepEqual(await history(dir), was.history);
    });

  it('during the trial boot of an install (its attempt counter): the old state, and the trial still finishes the install',
    { timeout: 150_000 }, async (t) => {
      const { dir, app, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'kill@health-check' });
      const add = startAdd(dir, v2Bundle);
      await killedByFault(app, 'kill@health-check');
      await add;
      const old = bootStateFile(dir);
      assert.equal(old.state?.trial?.slot, 'b');
      const second = boot(t, dir, { APPLIANCE_FAULT: 'kill@boot-state-write' });
      await killedByFault(second, 'kill@boot-state-write');
      assert.equal(bootStateFile(dir).text, old.text, 'the old state, byte for byte');
      const third = boot(t, dir);
      await third.waitGood('b');
      const { job } = await waitJobEnd(dir);
      await assertInstalled(dir, job!, was);
    });
});

describe('bad bundles are refused with their code before anything is written', () => {
  let dir: string;
  let app: BootLoaderProcess;
  let snap: Snapshot & { state: string | null; slots: string[] };

  before(async () => {
    dir = k.dataDir();
    app = BootLoaderProcess.start(dir, { schemaVersion: 1 });
    await app.waitGood('a');
    await importConfig(k, dir, V1_CONFIG);
    snap = {
      config: await exportConfig(dir), history: await history(dir), seq: 0, state: bootStateFile(dir).text, slots: slotFiles(dir),
    };
  });
  after(async () => { await app?.kill(); });

  async function assertRefused(bundle: string, code: string): Promise<void> {
    const seq = lastSeq(await auditShow(dir));
    await refusedWith(control(dir, 'software.add', { bundle }), code);
    const r = await runCli(['software', 'add', bundle], dir);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line of reason: ${r.stderr}`);
    // Nothing changed.
    assert.equal(bootStateFile(dir).text, snap.state, 'boot state unchanged');
    assert.deepEqual(slotFiles(dir), snap.slots, 'no byte reached a slot');
    const st = await softwareStatus(dir);
    assert.equal(st.job, null, 'no job');
    assertOnGoodSlot(st, 'a', 'empty');
    assert.deepEqual(await exportConfig(dir), snap.config);
    assert.deepEqual(await history(dir), snap.history);
    // The refusal, with its code, in the audit log.
    assertAuditedRefusal(await auditShow(dir), seq, 'software-add', code);
  }

  function copyOf(name: string): string {
    const f = join(k.dir, name);
    copyFileSync(v2Bundle, f);
    return f;
  }

  function manifestLength(file: string): number {
    return readFileSync(file).readUInt32BE(12);
  }

  it('a corrupt bundle (a payload byte flipped): UPG_BAD_BUNDLE', { timeout: 60_000 }, async () => {
    const f = copyOf('corrupt.bundle');
    const bytes = readFileSync(f);
    const payloadStart = 120 + manifestLength(f);
    const at = payloadStart + Math.floor((bytes.length - payloadStart) / 2);
    bytes[at] = bytes[at]! ^ 0x5a;
    writeFileSync(f, bytes);
    await assertRefused(f, 'UPG_BAD_BUNDLE');
  });

  it('a truncated bundle: UPG_BAD_BUNDLE', { timeout: 60_000 }, async () => {
    const f = copyOf('truncated.bundle');
    truncateSync(f, Math.floor(readFileSync(f).length / 2));
    await assertRefused(f, 'UPG_BAD_BUNDLE');
  });

  it('a bad signature: UPG_BAD_SIGNATURE', { timeout: 60_000 }, async () => {
    const f = copyOf('bad-signature.bundle');
    const bytes = readFileSync(f);
    const at = 16 + manifestLength(f) + 32 + 7;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(f, bytes);
    await assertRefused(f, 'UPG_BAD_SIGNATURE');
  });

  it('a bundle signed by a key not in the keyring: UPG_UNKNOWN_KEY', { timeout: 60_000 }, async () => {
    await assertRefused(await k.bundle('2.0.0', 2, k.otherKey), 'UPG_UNKNOWN_KEY');
  });

  it('a path escaping the slot (signed by a trusted key): UPG_UNSAFE_PATH', { timeout: 60_000 }, async () => {
    const f = join(k.dir, 'escape.bundle');
    writeRawBundle(f, {
      key: await loadPrivateKey(k.key),
      files: [
        { path: 'package.json', content: Buffer.from('{"name":"appliance","version":"6.6.6"}\n') },
        { path: '../../escaped.txt', content: Buffer.from('out of the slot\n') },
      ],
    });
    await assertRefused(f, 'UPG_UNSAFE_PATH');
    for (const p of [join(dir, 'slots', 'escaped.txt'), join(dir, 'escaped.txt')]) assert.equal(existsSync(p), false, p);
  });
});

describe('the configuration cannot be carried: the install fails before its switch, slot a kept as it was', () => {
  const TO_TRANSFORM = INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf('transform') + 1);

  it('a transform that throws (throw@transform-run); commits are accepted again afterwards', { timeout: 90_000 }, async (t) => {
    const { dir, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'throw@transform-run' });
    await startAdd(dir, v2Bundle);
    const { job } = await waitJobEnd(dir);
    await assertAborted(dir, job!, TO_TRANSFORM, was);
    // The freeze on commits ended with the job.
    await importConfig(k, dir, { system: { hostname: 'after-failure' } });
    assert.equal(((await exportConfig(dir)).system as JsonObject).hostname, 'after-failure');
  });

  it('the transform process dies (kill@transform-run)', { timeout: 90_000 }, async (t) => {
    const { dir, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'kill@transform-run' });
    await startAdd(dir, v2Bundle);
    const { job } = await waitJobEnd(dir);
    await assertAborted(dir, job!, TO_TRANSFORM, was);
  });

  it('a real transform refuses: an access rule on a firewall source, which version 2 splits in two', { timeout: 90_000 }, async (t) => {
    const { dir } = await freshAppliance(t);
    await importConfig(k, dir, {
      system: { access: { rule: [{ sequence: 30, group: 'operator', path: '/firewall/rule/source', operations: ['update'], action: 'deny' }] } },
    });
    const was: Snapshot = { config: await exportConfig(dir), history: await history(dir), seq: 0 };
    await startAdd(dir, v2Bundle);
    const { job } = await waitJobEnd(dir);
    await assertAborted(dir, job!, TO_TRANSFORM, was);
  });

  it('a transform result invalid under the new schema (transform-invalid): refused at validate', { timeout: 90_000 }, async (t) => {
    const { dir, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'transform-invalid' });
    await startAdd(dir, v2Bundle);
    const { job } = await waitJobEnd(dir);
    await assertAborted(dir, job!, INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf('validate') + 1), was);
  });

  it('a transform result that leaves no administrator a password or key (transform-drops-logins): refused at validate', { timeout: 90_000 }, async (t) => {
    const { dir, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'transform-drops-logins' });
    await startAdd(dir, v2Bundle);
    const { job } = await waitJobEnd(dir);
    assert.match(JSON.stringify(job), /no user of the admin role would be left/);
    await assertAborted(dir, job!, INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf('validate') + 1), was);
  });

  it('the daemon killed in the middle of the configuration copy (after a random number of its pages)', { timeout: 90_000 }, async (t) => {
    const random = seedFromEnv(t);
    const { dir, app, was } = await freshAppliance(t);
    await app.kill();
    // The logical size the copy reads page by page (the WAL's pages included: the killed daemon did not checkpoint).
    const db = new Database(join(dir, 'slots', 'a', 'config.db'), { readonly: true });
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.close();
    assert.ok(pages >= 2, `the database has ${pages} pages`);
    const fault = `config-copy-kill-after=${randomInt(random, 1, pages - 1)}`;
    t.diagnostic(`${fault} of at least ${pages} pages`);
    const again = boot(t, dir, { APPLIANCE_FAULT: fault });
    await again.waitGood('a');
    const mark = again.mark();
    await startAdd(dir, v2Bundle);
    const { job } = await waitJobEnd(dir);
    // The boot loader starts the daemon it lost again, on slot a.
    await again.waitGood('a', mark);
    // The boot loader lost its daemon mid-copy (restarted above); the failed job removed the partial slot, cut-off copy and all.
    const slotB = join(dir, 'slots', 'b');
    assert.deepEqual(existsSync(slotB) ? leftTemporaries(join(slotB, 'config.db.new')) : [], [], 'no cut-off copy is left');
    await assertAborted(dir, job!, INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf('copy-config') + 1), was);
  });

  it('disk full while writing the slot (slot-full-after)', { timeout: 90_000 }, async (t) => {
    const { dir, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'slot-full-after=200000' });
    await startAdd(dir, v2Bundle);
    const { job } = await waitJobEnd(dir);
    assert.match(job!.reason ?? '', /ENOSPC|no space|disk.*full/i);
    await assertAborted(dir, job!, INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf('write-slot') + 1), was);
  });
});

describe('the new version fails on the appliance: fall back to the last good slot', () => {
  it('crash-version:V fires for the version given to `appliance bundle create --version V`', { timeout: 60_000 }, async (t) => {
    const bundle = await k.bundle('9.0.0-crash', 2);
    const scratch = mkdtempSync(join(tmpdir(), 'upg-crash-'));
    t.after(() => rmSync(scratch, { recursive: true, force: true }));
    const verified = await verifyBundle(bundle, { keyring: await loadKeyring(join(k.dir)), product: 'appliance', freeSpaceDir: scratch });
    await extractBundle(bundle, verified, join(scratch, 'app'));
    const daemon = spawn(process.execPath, [join(scratch, 'app', 'dist', 'main', 'appliance.js'), 'daemon', '--data-dir', join(scratch, 'data'),
      '--port', '0', '--http-port', '0', '--log-level', 'info'], { env: { ...process.env, APPLIANCE_FAULT: 'crash-version:9.0.0-crash' }, stdio: ['ignore', 'ignore', 'pipe'] });
    t.after(() => { if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL'); });
    let log = '';
    daemon.stderr.on('data', (d: Buffer) => { log += d.toString(); });
    const outcome = await waitFor('the daemon to crash or start', () => {
      if (daemon.exitCode !== null) return `exit ${daemon.exitCode}`;
      if (log.includes('"sshPort"')) return 'started';
      return null;
    }, 20_000);
    const packaged = (JSON.parse(readFileSync(join(scratch, 'app', 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(outcome, 'exit 70', `the daemon of a bundle created with --version 9.0.0-crash ${outcome} (its package.json says ${packaged})`);
  });

  it('a new version that crashes on start: rolled back with the reason, slot b bad, slot a good and primary', { timeout: 120_000 }, async (t) => {
    const bundle = await k.stampedBundle('9.0.0-crash', 2);
    const { dir, app, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'crash-version:9.0.0-crash' });
    const mark = app.mark();
    await startAdd(dir, bundle);
    const { job } = await waitJobEnd(dir);
    await app.waitGood('a', mark);
    assert.equal(job!.status, 'rolled-back', JSON.stringify(job));
    assert.deepEqual(stepNames(job!), INSTALL_STEPS.slice(0, INSTALL_STEPS.indexOf('health-check') + 1));
    assert.match(job!.reason ?? '', /slot b/);
    assert.deepEqual(app.goodBoots(mark), ['a'], 'slot b never passed its health check');
    const st = await softwareStatus(dir);
    assert.equal(st.job?.reason, job!.reason, 'the reason is in software status');
    assertOnGoodSlot(st, 'a', 'bad');
    assert.ok(st.state.slots.b.reason, 'slot b says why it is bad');
    assert.deepEqual(await exportConfig(dir), was.config);
    assert.deepEqual(await history(dir), was.history);
    assert.equal((await auditVerify(dir)).ok, true);
    assertAuditedOutcome(await auditShow(dir), job!);
  });

  it('a crash loop after a good boot: falls back to the other good slot, with the reason', { timeout: 150_000 }, async (t) => {
    const bundle = await k.stampedBundle('9.1.0-crashloop', 2);
    const { dir, app, was } = await freshAppliance(t, { APPLIANCE_FAULT: 'crash-later-version:9.1.0-crashloop' });
    const mark = app.mark();
    await startAdd(dir, bundle);
    const { job } = await waitJobEnd(dir);
    assert.equal(job!.status, 'watching', 'the new version passed its health check and is on watch');
    assert.deepEqual(stepNames(job!), [...INSTALL_STEPS]);
    await app.waitGood('a', mark, 90_000);
    assert.deepEqual(app.goodBoots(mark), ['b', 'b', 'b', 'a'], 'three crashes in a row after good boots, then the fallback');
    const st: SoftwareStatus = await softwareStatus(dir);
    assertOnGoodSlot(st, 'a', 'bad');
    const reason = st.state.slots.b.reason;
    assert.match(reason ?? '', /crash/, 'the reason is in software status');
    assert.deepEqual(await exportConfig(dir), was.config, 'slot a holds its configuration as it was');
    assert.deepEqual(await history(dir), was.history);
    assert.equal((await auditVerify(dir)).ok, true);
    const records = await auditShow(dir);
    assert.ok(records.some((r) => r.seq > was.seq && JSON.stringify(r).includes(reason!)),
      `the fallback and its reason are in the audit log of slot a; records since: ${JSON.stringify(records.filter((r) => r.seq > was.seq).map((r) => [r.action, r.result, r.detail]))}`);
  });
});

describe('one job at a time', () => {
  it('a second install while one runs is refused with UPG_BUSY; the first finishes', { timeout: 120_000 }, async (t) => {
    const v1Bundle = await k.bundle('1.1.0', 1);
    const { dir, was } = await freshAppliance(t);
    const first = await startAdd(dir, v2Bundle);
    assert.equal(first.code, 0, first.stderr);
    const running = JSON.parse(first.stdout) as JobRecord;
    assert.equal(running.status, 'running');
    await refusedWith(control(dir, 'software.add', { bundle: v1Bundle }), 'UPG_BUSY');
    await refusedWith(control(dir, 'software.rollback', { confirm: true }), 'UPG_BUSY');
    const second = await runCli(['software', 'add', v1Bundle], dir);
    assert.equal(second.code, 1);
    assert.equal(second.stderr.trim().split('\n').length, 1, `one line of reason: ${second.stderr}`);
    const { job } = await waitJobEnd(dir);
    assert.equal(job!.id, running.id, 'the first job is the one that ran');
    await assertInstalled(dir, job!, was);
    assertAuditedRefusal(await auditShow(dir), was.seq, 'software-add', 'UPG_BUSY');
  });
});

describe('the configuration is carried by the build of the newer schema', () => {
  it('install and rollback both run the transforms of the v2 build, never those of the running v1 build', { timeout: 150_000 }, async (t) => {
    // The factory build (slot a) plays an old version that knows no transform to schema 2.
    const fault = `no-transforms-version:${softwareVersion()}`;
    const refused = await runAppliance(['migrate', '--db', join(k.dir, 'none.db'), '--from', '1', '--to', '2'], { env: { APPLIANCE_FAULT: fault } });
    assert.equal(refused.code, 1, `the fault makes the factory build refuse to migrate: ${refused.stderr}`);
    assert.match(refused.stderr, /knows no transforms/);

    const bundle = await k.stampedBundle('2.1.0-transforms', 2);
    const { dir, was } = await freshAppliance(t, { APPLIANCE_FAULT: fault });
    const add = await runCli(['software', 'add', bundle, '--json'], dir);
    assert.equal(add.code, 0, add.stderr);
    const installed = lastJsonDocument<JobRecord>(add.stdout);
    assert.equal(installed.status, 'watching', JSON.stringify(installed));
    assert.deepEqual(await exportConfig(dir), expectedV2(was.config));

    const back = await runCli(['software', 'rollback', '--confirm', '--json'], dir);
    assert.equal(back.code, 0, back.stderr);
    const rolledBack = lastJsonDocument<JobRecord>(back.stdout);
    assert.equal(rolledBack.status, 'succeeded', JSON.stringify(rolledBack));
    assert.deepEqual(await exportConfig(dir), was.config);
  });
});

describe('on an upgraded appliance (v2 on slot b, v1 on slot a, a commit made on v2)', () => {
  let template: string;
  let v1Config: JsonObject;
  let v2Config: JsonObject;
  let v2History: CommitHeader[];

  before(async () => {
    template = k.dataDir('upg-template-');
    const app = BootLoaderProcess.start(template, { schemaVersion: 1 });
    try {
      await app.waitGood('a');
      await importConfig(k, template, V1_CONFIG);
      v1Config = await exportConfig(template);
      const r = await runCli(['software', 'add', v2Bundle, '--json'], template);
      assert.equal(r.code, 0, `${r.stderr}\n${app.tail()}`);
      await importConfig(k, template, { system: { hostname: 'peak-gw' } });
      v2Config = await exportConfig(template);
      v2History = await history(template);
    } finally {
      await app.kill();
    }
  });

  function copy(): string {
    const dir = k.dataDir();
    copyDataDir(template, dir);
    return dir;
  }

  it('a rollback killed before its switch (at transform): aborted, still on slot b with its configuration, slot a still a fallback',
    { timeout: 90_000 }, async (t) => {
      const dir = copy();
      const app = boot(t, dir, { APPLIANCE_FAULT: 'kill@transform' });
      await app.waitGood('b');
      const rollback = runCli(['software', 'rollback', '--json'], dir);
      await killedByFault(app, 'kill@transform');
      await rollback;
      const again = boot(t, dir);
      await again.waitGood('b');
      const { job } = await waitJobEnd(dir);
      assert.equal(job!.kind, 'rollback');
      assert.equal(job!.status, 'failed');
      assert.deepEqual(stepNames(job!), ROLLBACK_STEPS.slice(0, ROLLBACK_STEPS.indexOf('transform') + 1));
      assert.match(job!.reason ?? '', /\btransform\b/);
      const st = await softwareStatus(dir);
      assert.equal(st.job?.reason, job!.reason);
      assertOnGoodSlot(st, 'b', 'good');
      assert.deepEqual(await exportConfig(dir), v2Config);
      assert.deepEqual(await history(dir), v2History);
      assert.equal((await auditVerify(dir)).ok, true);
      assertAuditedOutcome(await auditShow(dir), job!);
    });

  it('a rollback killed after its switch (at restart): the trial boot finishes it, on slot a with the configuration carried back',
    { timeout: 90_000 }, async (t) => {
      const dir = copy();
      const app = boot(t, dir, { APPLIANCE_FAULT: 'kill@restart' });
      await app.waitGood('b');
      const rollback = runCli(['software', 'rollback', '--json'], dir);
      await killedByFault(app, 'kill@restart');
      await rollback;
      const again = boot(t, dir);
      await again.waitGood('a');
      const { job } = await waitJobEnd(dir);
      assert.equal(job!.kind, 'rollback');
      assert.equal(job!.status, 'succeeded', JSON.stringify(job));
      assert.deepEqual(stepNames(job!), [...ROLLBACK_STEPS]);
      const st = await softwareStatus(dir);
      assertOnGoodSlot(st, 'a', 'good');
      assert.deepEqual(await exportConfig(dir), { ...v1Config, system: { ...(v1Config.system as JsonObject), hostname: 'peak-gw' } });
      assertHistoryContinues(await history(dir), v2History);
      assert.equal((await auditVerify(dir)).ok, true);
      assertAuditedOutcome(await auditShow(dir), job!);
    });

  it('restarted while the daemon of the killed boot loader still holds the data directory: no slot is marked bad for it',
    { timeout: 60_000 }, async (t) => {
      // After a SIGKILL of the boot loader its daemon ends only when it notices its stdin closed; one still
      // starting takes the lock after that. Here the test holds the daemon's lock for 2 s as that daemon would.
      const dir = copy();
      const lock = DataDirLock.tryAcquire(join(dir, 'appliance.lock'));
      assert.ok(lock);
      const released = new Promise<void>((resolve) => setTimeout(() => { lock.release(); resolve(); }, 2000));
      t.after(() => released);
      const app = boot(t, dir);
      await app.waitGood();
      await released;
      const st = await softwareStatus(dir);
      assertOnGoodSlot(st, 'b', 'good');
      assert.deepEqual(app.goodBoots(), ['b']);
      assert.deepEqual(await exportConfig(dir), v2Config);
    });

  it('killed right after the trial slot was marked good (job step mark-good, journaled before the job ended): the install stands',
    { timeout: 60_000 }, async (t) => {
      // APPLIANCE_FAULT cannot reach this point (the boot loader's own mark-good point comes first on every boot),
      // so the journal is put in the state that point leaves: the job journaled at mark-good and still running.
      const dir = copy();
      const journal = deviceLayout(dir).journal;
      const done = JSON.parse(readFileSync(journal, 'utf8')) as JobRecord;
      assert.equal(done.status, 'watching');
      assert.deepEqual(stepNames(done), [...INSTALL_STEPS]);
      writeFileSync(journal, JSON.stringify({ ...done, status: 'running', reason: null, finished: null, message: '' }, null, 2) + '\n');
      const app = boot(t, dir);
      await app.waitGood('b');
      const { job } = await waitJobEnd(dir);
      assert.equal(job!.id, done.id);
      assert.equal(job!.status, 'succeeded', `the job record says ${job!.status}: ${job!.reason}`);
      assert.deepEqual(stepNames(job!), [...INSTALL_STEPS]);
      const st = await softwareStatus(dir);
      assertOnGoodSlot(st, 'b', 'good');
      assert.deepEqual(await exportConfig(dir), v2Config);
    });
});
