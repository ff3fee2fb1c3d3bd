/**
 * The upgrade manager end to end, black box through bin/appliance: a dry run, an install of
 * schema version 2 over version 1 (a real transform), and a rollback that carries the
 * configuration committed on version 2 back, refused first because it would lose a setting.
 * One appliance goes through all of it, in order (each install or rollback costs a restart).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JsonObject } from '../../confd/api/index.js';
import {
  BootLoaderProcess, INSTALL_STEPS, ROLLBACK_STEPS, V1_CONFIG, assertAuditedOutcome, assertHistoryContinues, assertOnGoodSlot,
  auditShow, auditVerify, bootStateFile, control, expectedV2, exportConfig, history, importConfig, lastJsonDocument, lastSeq,
  refusedWith, runCli, slotFiles, softwareRecords, softwareStatus, stepNames, upgradeKit,
  type CommitHeader, type JobRecord, type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

const PREFERRED = "/system/ntp/server[address='192.0.2.123']/prefer";

describe('software add and rollback, v1 → v2 → v1', { timeout: 240_000 }, () => {
  let k: UpgradeKit;
  let dir: string;
  let app: BootLoaderProcess;
  let v2Bundle: string;
  let v1Config: JsonObject;
  let v1History: CommitHeader[];
  let installJob: JobRecord | undefined;
  let v2Config: JsonObject | undefined;
  let v2History: CommitHeader[] | undefined;

  before(async () => {
    k = await upgradeKit();
    v2Bundle = await k.bundle('2.0.0', 2);
    dir = k.dataDir();
    app = BootLoaderProcess.start(dir, { schemaVersion: 1 });
    await app.waitGood('a');
    await importConfig(k, dir, V1_CONFIG);
    v1Config = await exportConfig(dir);
    v1History = await history(dir);
  });
  after(async () => {
    await app?.kill();
    k?.remove();
  });

  it('--dry-run shows the configuration diff and writes nothing', async () => {
    const state = bootStateFile(dir).text;
    const slots = slotFiles(dir);
    assert.ok(state !== null);

    const text = await runCli(['software', 'add', v2Bundle, '--dry-run'], dir);
    assert.equal(text.code, 0, text.stderr);
    // Old → new values under [edit …] headers, as `show | compare`; schema defaults (prefer false) are no change.
    const shown = text.stdout.slice(text.stdout.indexOf('[edit'));
    for (const block of [
      '[edit system]\n-   timezone Europe/Zurich\n+   time-zone Europe/Zurich\n',
      '[edit system ntp]\n-   server [ 0.pool.ntp.org 192.0.2.123 ]\n+   server 0.pool.ntp.org\n+   server 192.0.2.123\n',
      '[edit firewall rule 10]\n-   source 10.10.0.0/16\n-   destination 10.10.0.1/32\n+   source-address 10.10.0.0\n+   source-prefix-length 16\n'
        + '+   destination-address 10.10.0.1\n+   destination-prefix-length 32\n',
    ]) assert.ok(shown.includes(block), `the diff shows\n${block}in:\n${text.stdout}`);
    assert.doesNotMatch(text.stdout, /prefer/, 'defaults are not changes');
    assert.match(text.stdout, /^\d+ changes, 0 losses$/m);

    const json = await runCli(['software', 'add', v2Bundle, '--dry-run', '--json'], dir);
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { dryRun: boolean; version: string; schemaVersion: number; changes: Array<{ path: string; op: string; old?: unknown; new?: unknown }>; losses: unknown[] };
    assert.equal(r.dryRun, true);
    assert.equal(r.version, '2.0.0');
    assert.equal(r.schemaVersion, 2);
    assert.deepEqual(r.losses, []);
    assert.deepEqual(r.changes.find((c) => c.path === '/system/timezone'), { path: '/system/timezone', op: 'delete', old: 'Europe/Zurich' });
    assert.deepEqual(r.changes.find((c) => c.path === '/system/time-zone'), { path: '/system/time-zone', op: 'create', new: 'Europe/Zurich' });
    assert.ok(!JSON.stringify(r.changes).includes('prefer'), 'defaults are not changes in --json either');
    assert.deepEqual(r.changes.find((c) => c.path === "/system/ntp/server[address='0.pool.ntp.org']"),
      { path: "/system/ntp/server[address='0.pool.ntp.org']", op: 'create', new: { address: '0.pool.ntp.org' } });
    assert.deepEqual(r.changes.find((c) => c.path === "/firewall/rule[sequence='20']/source-prefix-length"),
      { path: "/firewall/rule[sequence='20']/source-prefix-length", op: 'create', new: 16 });

    // Nothing written: boot state byte for byte, no slot b, no job, no scratch left, no commit.
    assert.equal(bootStateFile(dir).text, state);
    assert.deepEqual(slotFiles(dir), slots);
    assert.equal(existsSync(join(dir, 'slots', 'b')), false);
    const upgradeDir = join(dir, 'upgrade');
    assert.deepEqual(existsSync(upgradeDir) ? readdirSync(upgradeDir) : [], []);
    const st = await softwareStatus(dir);
    assert.equal(st.job, null);
    assertOnGoodSlot(st, 'a', 'empty');
    assert.deepEqual(await exportConfig(dir), v1Config);
    assert.deepEqual(await history(dir), v1History);
  });

  it('software add installs v2 into slot b: every step in order, both slots good, configuration transformed, history and audit continuous', async () => {
    const seq = lastSeq(await auditShow(dir));
    const r = await runCli(['software', 'add', v2Bundle, '--json'], dir);
    assert.equal(r.code, 0, `software add: ${r.stderr}\n${app.tail()}`);
    const job = lastJsonDocument<JobRecord>(r.stdout);
    installJob = job;
    // Progress is streamed as it goes (one JSON line per update), step by step in order.
    const progress = r.stdout.split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l) as JobRecord);
    assert.ok(progress.length >= INSTALL_STEPS.length, `progress lines: ${progress.length}`);
    const seen = [...new Set(progress.map((p) => p.step))];
    assert.deepEqual(seen, INSTALL_STEPS.filter((s) => seen.includes(s)), 'progress follows the steps in order');

    assert.equal(job.kind, 'install');
    // Its slot passed the health check: on watch (5 minutes by default) until it is decided.
    assert.equal(job.status, 'watching', `${job.reason}`);
    assert.ok(Date.parse(job.watchUntil ?? '') > Date.now() + 3 * 60_000, `on watch until ${job.watchUntil}`);
    assert.equal(job.reason, null);
    assert.deepEqual(stepNames(job), [...INSTALL_STEPS]);
    assert.equal(job.from, 'a');
    assert.equal(job.target, 'b');
    assert.equal(job.toVersion, '2.0.0');
    assert.equal(job.fromSchema, 1);
    assert.equal(job.toSchema, 2);
    assert.equal(job.percent, 100);

    const st = await softwareStatus(dir);
    assert.equal(st.job?.id, job.id);
    assert.equal(st.job?.status, 'watching');
    assertOnGoodSlot(st, 'b', 'good');
    const text = await runCli(['software', 'status'], dir);
    assert.match(text.stdout, new RegExp(`install ${job.id}: watching\n[^]*on watch until ${job.watchUntil!.replaceAll('.', '\\.')}`));
    assert.equal(st.state.slots.b.version, '2.0.0');
    assert.equal(st.state.slots.b.schemaVersion, 2);
    assert.equal(st.state.slots.a.schemaVersion, 1);

    v2Config = await exportConfig(dir);
    assert.deepEqual(v2Config, expectedV2(v1Config));
    v2History = await history(dir);
    assertHistoryContinues(v2History, v1History);

    assert.equal((await auditVerify(dir)).ok, true);
    const records = await auditShow(dir);
    assert.ok(records.length > seq, 'the audit log of slot b continues that of slot a');
    const started = softwareRecords(records, job.id).filter((x) => x.action === 'software-add' && x.detail?.status === undefined);
    assert.equal(started.length, 1, 'the start of the install is audited');
    assert.equal(started[0]!.result, 'ok');
    assertAuditedOutcome(records, job);
  });

  it('the restart into the new slot stops the old daemon cleanly, without waiting for the 10 s SIGKILL', () => {
    assert.ok(installJob, 'needs the install above');
    const at = (name: string) => Date.parse(installJob!.steps.find((s) => s.name === name)!.at);
    const stopMs = at('health-check') - at('restart');
    assert.ok(stopMs < 5000, `stopping the old management daemon took ${stopMs} ms (restart → health-check)`);
  });

  it('a rollback that would lose a setting is refused with the loss listed, and changes nothing', async () => {
    assert.ok(installJob && v2History, 'needs the install above');
    // A commit on version 2: a new hostname (carried back) and a preferred NTP server (version 1 cannot say it).
    await importConfig(k, dir, { system: { hostname: 'peak-gw', ntp: { server: [{ address: '192.0.2.123', prefer: true }] } } });
    v2Config = await exportConfig(dir);
    v2History = await history(dir);
    const state = bootStateFile(dir).text;

    const dry = await runCli(['software', 'rollback', '--dry-run', '--json'], dir);
    assert.equal(dry.code, 0, dry.stderr);
    const preview = JSON.parse(dry.stdout) as { dryRun: boolean; target: string; losses: Array<{ path: string }> };
    assert.equal(preview.dryRun, true);
    assert.equal(preview.target, 'a');
    assert.deepEqual(preview.losses.map((l) => l.path), [PREFERRED]);
    const dryText = await runCli(['software', 'rollback', '--dry-run'], dir);
    assert.equal(dryText.code, 0, dryText.stderr);
    assert.ok(dryText.stdout.includes(`!!! 1 setting cannot be carried (LOST):\n!!!   ${PREFERRED}: `), `the loss stands out:\n${dryText.stdout}`);
    assert.match(dryText.stdout, /^\[edit system\]\n-   hostname peak-gw|^-   time-zone /m, `old → new values:\n${dryText.stdout}`);

    const e = await refusedWith(control(dir, 'software.rollback', {}), 'UPG_LOSSES');
    assert.deepEqual((e.details?.losses as Array<{ path: string }>).map((l) => l.path), [PREFERRED]);

    const r = await runCli(['software', 'rollback'], dir);
    assert.equal(r.code, 1);
    assert.ok(r.stdout.split('\n').some((l) => l.startsWith(`!!!   ${PREFERRED}: `)), `the loss is listed:\n${r.stdout}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line of reason: ${r.stderr}`);

    assert.equal(bootStateFile(dir).text, state, 'boot state unchanged');
    const st = await softwareStatus(dir);
    assert.equal(st.job?.id, installJob.id, 'no rollback job was started');
    assertOnGoodSlot(st, 'b', 'good');
    assert.deepEqual(await exportConfig(dir), v2Config);
    assert.deepEqual(await history(dir), v2History);
  });

  it('rollback --confirm returns to slot a with the configuration committed on v2 carried back', async () => {
    assert.ok(v2Config && v2History, 'needs the commit on v2 above');
    const r = await runCli(['software', 'rollback', '--confirm', '--json'], dir);
    assert.equal(r.code, 0, `software rollback: ${r.stderr}\n${app.tail()}`);
    const job = lastJsonDocument<JobRecord>(r.stdout);
    assert.equal(job.kind, 'rollback');
    assert.equal(job.status, 'succeeded', `${job.reason}`);
    assert.deepEqual(stepNames(job), [...ROLLBACK_STEPS]);
    assert.equal(job.from, 'b');
    assert.equal(job.target, 'a');
    assert.equal(job.fromSchema, 2);
    assert.equal(job.toSchema, 1);
    assert.deepEqual(job.losses.map((l) => l.path), [PREFERRED]);

    const st = await softwareStatus(dir);
    assert.equal(st.job?.id, job.id);
    assertOnGoodSlot(st, 'a', 'good');
    assert.equal(st.state.slots.a.schemaVersion, 1);

    // The hostname committed on version 2 came back; the preference could not (confirmed).
    const system = v1Config.system as JsonObject;
    assert.deepEqual(await exportConfig(dir), { ...v1Config, system: { ...system, hostname: 'peak-gw' } });
    assertHistoryContinues(await history(dir), v2History);

    assert.equal((await auditVerify(dir)).ok, true);
    const records = await auditShow(dir);
    assertAuditedOutcome(records, job);
    assert.ok(installJob, 'needs the install above');
    // The rollback ended the install's watch: it stands, succeeded.
    assertAuditedOutcome(records, { ...installJob, status: 'succeeded' });
  });
});
