/**
 * Smaller upgrade behaviours a technician meets (issue 13, item 6), black box through
 * `bin/appliance`: reinstalling the running version is refused with a reason unless forced,
 * and `software add --json` (which follows the job) prints JSON lines only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { softwareVersion } from '../../confd/main/app-paths.js';
import {
  assertOnGoodSlot, bootFresh, auditShow, assertAuditedRefusal, control, importConfig, lastSeq, refusedWith, runCli, softwareStatus,
  upgradeKit, waitJobEnd, type JobRecord, type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

let k: UpgradeKit;
before(async () => { k = await upgradeKit(); });
after(() => k?.remove());

async function fresh(t: TestContext): Promise<string> {
  return (await bootFresh(t, k)).dir;
}

describe('reinstalling the running version', () => {
  it('is refused with UPG_SAME_VERSION and a one-line reason; --force installs it', { timeout: 120_000 }, async (t) => {
    const same = await k.bundle(softwareVersion(), 1);
    const dir = await fresh(t);
    const seq = lastSeq(await auditShow(dir));
    const refused = await runCli(['software', 'add', same], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr.trim(), new RegExp(`version ${softwareVersion().replaceAll('.', '\\.')} \\(schema 1\\) is already running on slot a; force`));
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    await refusedWith(control(dir, 'software.add', { bundle: same }), 'UPG_SAME_VERSION');
    assert.equal((await softwareStatus(dir)).job, null, 'no job was started');
    assertAuditedRefusal(await auditShow(dir), seq, 'software-add', 'UPG_SAME_VERSION');

    const forced = await runCli(['software', 'add', same, '--force', '--json'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    const { job } = await waitJobEnd(dir);
    assert.equal(job?.status, 'watching', JSON.stringify(job));
    const st = await softwareStatus(dir);
    assertOnGoodSlot(st, 'b', 'good');
    assert.equal(st.state.slots.b.version, softwareVersion());
  });
});

describe('software add --json follows the job in JSON lines', () => {
  it('every line of the output is one JSON object; the last is the finished job', { timeout: 120_000 }, async (t) => {
    const v2 = await k.bundle('2.0.0', 2);
    const dir = await fresh(t);
    // One commit before the install, so that the baseline has a commit latency.
    await importConfig(k, dir, { system: { hostname: 'measured' } });
    const r = await runCli(['software', 'add', v2, '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 2, `progress lines and the end: ${r.stdout}`);
    const jobs = lines.map((l) => JSON.parse(l) as JobRecord);
    assert.equal(jobs[0]!.status, 'running', 'progress first');
    const end = jobs.findIndex((j) => j.status !== 'running');
    assert.ok(jobs.slice(end).every((j) => j.status === 'watching'), 'then the end of its part: on watch');
    assert.equal(jobs.at(-1)!.status, 'watching');
    assert.equal(jobs.at(-1)!.id, jobs[0]!.id);
    // The health baseline recorded before the install (upgrade/watch/health.ts), from the monitoring's figures.
    const baseline = jobs.at(-1)!.baseline;
    assert.ok(baseline, 'a baseline was recorded');
    assert.equal(typeof baseline.daemonRestarts, 'number');
    assert.ok((baseline.memoryBytes ?? 0) > 1e6, `memory of the daemon: ${baseline.memoryBytes}`);
    assert.equal(typeof baseline.rpcErrorRate, 'number', 'the RPC error rate of monitor.baseline');
    assert.equal(baseline.criticalAlarms, 0, 'no critical alarm stands');
    assert.ok((baseline.commitP99Ms ?? 0) > 0, `commit p99 of the commit before: ${baseline.commitP99Ms}`);
  });
});
