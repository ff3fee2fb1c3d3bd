/**
 * Confirm or revert (issue 13, items 8 and 9), black box: `software add --confirm-within M`
 * keeps the new slot only if `software confirm` comes in time, from any session of an
 * authorized user (here the operator CLI, a session other than the one that installed);
 * otherwise the appliance reverts to the previous slot with the configuration carried back,
 * commits made while waiting included (commits are kept through the revert, not refused).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { JsonObject } from '../../confd/api/index.js';
import {
  V1_CONFIG, bootFresh, assertOnGoodSlot, auditShow, control, exportConfig, importConfig, lastJsonDocument, refusedWith, runCli,
  softwareStatus, upgradeKit, waitFor, type JobRecord, type SoftwareStatus, type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

let k: UpgradeKit;
let v2: string;
before(async () => { k = await upgradeKit(); v2 = await k.bundle('2.0.0', 2); });
after(() => k?.remove());

async function fresh(t: TestContext): Promise<string> {
  const { dir } = await bootFresh(t, k);
  await importConfig(k, dir, V1_CONFIG);
  return dir;
}

/** `software add --confirm-within`: the follow ends once the new slot waits for its confirmation. */
async function addWithConfirm(dir: string, minutes: string): Promise<JobRecord> {
  const r = await runCli(['software', 'add', v2, '--confirm-within', minutes, '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const job = lastJsonDocument<JobRecord>(r.stdout);
  assert.equal(job.status, 'running');
  assert.equal(job.step, 'confirm-wait');
  return job;
}

describe('software add --confirm-within', () => {
  it('confirmed in time from another session (the operator CLI): the install stands; status showed the deadline', { timeout: 120_000 }, async (t) => {
    const dir = await fresh(t);
    await refusedWith(control(dir, 'software.confirm'), 'UPG_NOTHING_TO_CONFIRM');
    const before = Date.now();
    const job = await addWithConfirm(dir, '5');
    const deadline = Date.parse(job.confirmDeadline ?? '');
    assert.ok(deadline >= before + 5 * 60_000 - 1000 && deadline <= Date.now() + 5 * 60_000, `deadline ${job.confirmDeadline}`);
    const text = await runCli(['software', 'status'], dir);
    assert.match(text.stdout, new RegExp(`awaiting confirmation until ${job.confirmDeadline!.replaceAll('.', '\\.')}`));
    const st = await softwareStatus(dir);
    assert.equal(st.booted, 'b');
    assert.equal(st.job?.confirmDeadline, job.confirmDeadline);

    const confirmed = await runCli(['cli', '-c', 'request system software confirm'], dir);
    assert.equal(confirmed.code, 0, `${confirmed.stdout}${confirmed.stderr}`);
    const after = await softwareStatus(dir);
    assert.equal(after.job?.id, job.id);
    assert.equal(after.job?.status, 'watching', 'confirmed, and on watch still');
    assert.deepEqual(after.job?.steps.slice(-2).map((s) => s.name), ['confirm-wait', 'confirmed']);
    assertOnGoodSlot(after, 'b', 'good');
    await refusedWith(control(dir, 'software.confirm'), 'UPG_NOTHING_TO_CONFIRM');
  });

  it('not confirmed: reverted to slot a with the configuration carried back, a commit made while waiting kept', { timeout: 150_000 }, async (t) => {
    const dir = await fresh(t);
    const job = await addWithConfirm(dir, '0.3');
    // A commit on version 2 while the new slot waits for its confirmation.
    await importConfig(k, dir, { system: { hostname: 'changed-while-waiting' } });
    const st = await waitFor('the revert to end', async () => {
      const s = await control<SoftwareStatus>(dir, 'software.status');
      return s.job?.kind === 'rollback' && s.job.status !== 'running' ? s : null;
    }, 90_000, 250);
    assert.equal(st.job?.status, 'succeeded', JSON.stringify(st.job));
    assert.equal(st.job?.revertOf?.job, job.id);
    assert.match(st.job?.revertOf?.reason ?? '', /not confirmed within 0\.3 minutes/);
    assertOnGoodSlot(await softwareStatus(dir), 'a', 'good');
    const config = await exportConfig(dir);
    assert.equal((config.system as JsonObject).hostname, 'changed-while-waiting', 'the commit made while waiting was carried back');
    assert.equal((config.system as JsonObject).timezone, 'Europe/Zurich', 'in the schema of version 1');
    const text = await runCli(['software', 'status'], dir);
    assert.match(text.stdout, new RegExp(`reverts install ${job.id}: not confirmed within 0\\.3 minutes`));
    const audited = (await auditShow(dir)).filter((r) => r.action === 'software-add' && r.detail?.status === 'reverted');
    assert.equal(audited.length, 1, 'the unconfirmed install is audited as reverted');
  });

  it('a bad confirm-within is refused before anything starts', { timeout: 60_000 }, async (t) => {
    const dir = await fresh(t);
    for (const bad of ['0', '-1', 'ten', '2000']) {
      const r = await runCli(['software', 'add', v2, '--confirm-within', bad], dir);
      assert.notEqual(r.code, 0, bad);
    }
    assert.equal((await softwareStatus(dir)).job, null);
  });
});
