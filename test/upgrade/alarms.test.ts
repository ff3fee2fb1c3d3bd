/**
 * The upgrade manager's alarms (issue 12: "a slot under trial or a failed upgrade"), black box:
 * an install with confirm-within raises `slot-under-trial` on the new slot while it waits for
 * its confirmation; left unconfirmed, it is reverted, and slot a's appliance raises
 * `upgrade-failed` with the reason while `slot-under-trial` is cleared. Read as an operator
 * would, with `show system alarms | display json` in the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { softwareCondition } from '../../confd/main/software-conditions.js';
import {
  bootFresh, control, importConfig, lastJsonDocument, runCli, upgradeKit, waitFor, type JobRecord, type SoftwareStatus, type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

interface Alarm { type: string; resource: string; severity: string; text: string; cleared: boolean }

let k: UpgradeKit;
let next: string;
before(async () => { k = await upgradeKit(); next = await k.bundle('2.1.0', 2); });
after(() => k?.remove());

async function alarms(dir: string): Promise<Alarm[]> {
  const r = await runCli(['cli', '-c', 'show system alarms | display json'], dir);
  // While the daemon switches slots the CLI cannot reach it: no list (waitFor asks again), never an empty one.
  if (r.code !== 0) throw new Error(`show system alarms failed (${r.code}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { alarms: Alarm[] }).alarms.filter((a) => !a.cleared);
}

/** Waits for an active alarm of `type` whose text matches `text` (its text follows the state: trial boot, then the wait for confirmation). */
const active = (dir: string, type: string, text: RegExp) =>
  waitFor(`an active ${type} alarm matching ${text} on ${dir}`, async () => (await alarms(dir)).find((a) => a.type === type && text.test(a.text)), 60_000, 500);

describe('the upgrade manager\'s alarms', () => {
  it('slot-under-trial while a confirm-within install waits; upgrade-failed with the reason once it is reverted', { timeout: 180_000 }, async (t) => {
    const { dir } = await bootFresh(t, k, { schemaVersion: 2 });
    await importConfig(k, dir, { system: { monitoring: { 'interval-seconds': 1 }, software: { 'watch-minutes': 0 } } });
    assert.deepEqual((await alarms(dir)).filter((a) => a.resource === 'software'), [], 'none before the install');

    const add = await runCli(['software', 'add', next, '--confirm-within', '0.5', '--json'], dir);
    assert.equal(add.code, 0, add.stderr);
    const job = lastJsonDocument<JobRecord>(add.stdout);
    assert.equal(job.step, 'confirm-wait');
    const trial = await active(dir, 'slot-under-trial', new RegExp(`slot b \\(2\\.1\\.0\\) is reverted unless confirmed by ${job.confirmDeadline!.replaceAll('.', '\\.')}`));
    assert.equal(trial.severity, 'minor');

    await waitFor('the revert to end', async () => {
      const s = await control<SoftwareStatus>(dir, 'software.status');
      return s.job?.kind === 'rollback' && s.job.status !== 'running' ? s : null;
    }, 120_000, 250);
    const failed = await active(dir, 'upgrade-failed', new RegExp(`software install ${job.id} reverted: not confirmed within 0\\.5 minutes`));
    assert.equal(failed.severity, 'major');
    // Slot a itself boots on trial after the rollback's switch; once it passed, no slot is under trial.
    await waitFor('slot-under-trial to clear', async () => !(await alarms(dir)).some((a) => a.type === 'slot-under-trial'), 60_000, 500);
  });
});

describe('softwareCondition (the alarm texts)', () => {
  const job = { id: 'j1', kind: 'install', status: 'succeeded', reason: null, toVersion: '2.1.0', step: 'done' };
  it('a trial boot, a watch, a failure and a rejection each have their text; a good end has none', () => {
    assert.deepEqual(softwareCondition({ booted: 'a', state: { trial: { slot: 'b' } }, job: { ...job, status: 'running', step: 'restart' } }),
      { trial: 'slot b (2.1.0) is on trial until its health check passes', failed: null });
    assert.deepEqual(softwareCondition({ booted: 'b', state: { trial: null }, job: { ...job, status: 'watching', watch: 'watching', watchUntil: '2026-12-04T10:05:00Z' } }),
      { trial: 'slot b (2.1.0) is watched until 2026-12-04T10:05:00Z', failed: null });
    assert.deepEqual(softwareCondition({ booted: 'a', state: { trial: null }, job: { ...job, status: 'rejected', reason: 'crash loop' } }),
      { trial: null, failed: 'software install j1 rejected: crash loop' });
    assert.deepEqual(softwareCondition({ booted: 'b', state: { trial: null }, job: { ...job, watch: 'passed' } }), { trial: null, failed: null });
    assert.deepEqual(softwareCondition({ booted: 'a', state: { trial: null }, job: null }), { trial: null, failed: null });
  });
});
