/**
 * Item 2 of issue 13 with real bundles, black box through bin/appliance: after v1 → v2 and
 * after the rollback to v1, `config blame` keeps the author, time and comment of every leaf the
 * transform left alone, `config compare N running` shows an older commit in today's schema,
 * and `config rollback` to a commit of the other version applies it through the transforms,
 * refused with the losses listed when the transform cannot carry it whole.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JsonObject } from '../../confd/api/index.js';
import {
  BootLoaderProcess, V1_CONFIG, exportConfig, history, importConfig, jsonOf, lastJsonDocument, runCli, upgradeKit,
  type CommitHeader, type JobRecord, type UpgradeKit,
} from '../helpers/upgrade-fixtures.js';

interface Blame extends CommitHeader { sinceCreation: boolean }
interface LeafChange { path: string; op: string; old?: unknown; new?: unknown }

const PREFER = "/system/ntp/server[address='192.0.2.123']/prefer";

async function blame(dir: string, path: string): Promise<Blame> {
  return jsonOf(await runCli(['config', 'blame', path, '--json'], dir), `config blame ${path}`);
}

async function compare(dir: string, txid: number): Promise<LeafChange[]> {
  return jsonOf(await runCli(['config', 'compare', String(txid), 'running', '--json'], dir), `config compare ${txid} running`);
}

/** `config rollback` to commit `txid` (the command counts commits back from the last). */
async function rollbackTo(dir: string, txid: number) {
  const last = (await history(dir))[0]!.txid;
  return runCli(['config', 'rollback', String(last - txid), '--json'], dir);
}

function pick(b: Blame): Omit<Blame, 'sinceCreation'> {
  return { txid: b.txid, time: b.time, user: b.user, source: b.source, comment: b.comment, nodes: b.nodes };
}

async function software(dir: string, args: string[], app: BootLoaderProcess): Promise<JobRecord> {
  const r = await runCli(['software', ...args, '--json'], dir);
  assert.equal(r.code, 0, `software ${args.join(' ')}: ${r.stderr}\n${app.tail()}`);
  const job = lastJsonDocument<JobRecord>(r.stdout);
  assert.equal(job.status, args[0] === 'add' ? 'watching' : 'succeeded', `${job.reason}`);
  return job;
}

describe('history, blame and rollback across v1 → v2 → v1', { timeout: 300_000 }, () => {
  let k: UpgradeKit;
  let dir: string;
  let app: BootLoaderProcess;
  let imported: number;
  let renamed: Blame;
  let zone: Blame;
  let rolledBack: Blame | undefined;
  let preferred: number | undefined;

  before(async () => {
    k = await upgradeKit();
    dir = k.dataDir();
    app = BootLoaderProcess.start(dir, { schemaVersion: 1 });
    await app.waitGood('a');
    await importConfig(k, dir, V1_CONFIG);
    imported = (await history(dir))[0]!.txid;
    const r = await runCli(['config', 'import', '--merge', k.jsonFile('rename.json', { system: { hostname: 'summit-gw' } }),
      '--comment', 'renamed for the summit'], dir);
    assert.equal(r.code, 0, r.stderr);
    renamed = await blame(dir, '/system/hostname');
    assert.equal(renamed.comment, 'renamed for the summit');
    zone = await blame(dir, '/system/timezone');
    assert.equal(zone.txid, imported);
  });
  after(async () => {
    await app?.kill();
    k?.remove();
  });

  it('after the upgrade: blame keeps the leaves the transform left alone, compare and rollback reach v1 commits', async () => {
    await software(dir, ['add', await k.bundle('2.0.0', 2)], app);
    const upgrade = (await history(dir))[0]!;
    assert.equal(upgrade.source, 'upgrade');

    assert.deepEqual(pick(await blame(dir, '/system/hostname')), pick(renamed), 'the hostname keeps its commit, author, time and comment');
    assert.equal((await blame(dir, "/firewall/rule[sequence='10']/action")).txid, imported, 'an unchanged rule leaf keeps its commit');
    assert.equal((await blame(dir, '/system/time-zone')).txid, upgrade.txid, 'the renamed leaf is the upgrade\'s');
    assert.equal((await blame(dir, "/firewall/rule[sequence='10']/source-address")).txid, upgrade.txid, 'a split leaf is the upgrade\'s');

    // The commit before the rename, in version 2's terms: only the hostname differs from running.
    assert.deepEqual(await compare(dir, imported), [{ path: '/system/hostname', op: 'modify', old: 'mountain-gw', new: 'summit-gw' }]);
    assert.deepEqual(await compare(dir, renamed.txid), [], 'the last v1 commit is what the upgrade carried');

    const v2 = await exportConfig(dir);
    const r = await rollbackTo(dir, imported);
    assert.equal(r.code, 0, `config rollback: ${r.stderr}`);
    rolledBack = await blame(dir, '/system/hostname');
    assert.equal(rolledBack.source, 'rollback');
    assert.deepEqual(await exportConfig(dir), { ...v2, system: { ...(v2.system as JsonObject), hostname: 'mountain-gw' } });
    // A setting version 1 cannot hold, for the way back.
    await importConfig(k, dir, { system: { ntp: { server: [{ address: '192.0.2.123', prefer: true }] } } });
    preferred = (await history(dir))[0]!.txid;
  });

  it('after the rollback to v1: slot a\'s own history and the v2 commits are reachable; a loss is refused and listed', async () => {
    assert.ok(preferred, 'needs the commits on v2 above');
    await software(dir, ['rollback', '--confirm'], app);
    const down = (await history(dir))[0]!;
    assert.equal(down.source, 'upgrade');

    // Changed by both transforms (renamed there and back), the time zone is the down migration's; the rest keeps its commits.
    assert.equal((await blame(dir, '/system/timezone')).txid, down.txid);
    assert.deepEqual(pick(await blame(dir, '/system/hostname')), pick(rolledBack!), 'the hostname set on v2 keeps that commit');
    assert.equal((await blame(dir, "/firewall/rule[sequence='10']/action")).txid, imported, 'blame survives two migrations');

    // A commit of version 2 whose preference version 1 cannot hold: refused, the loss listed, nothing changed.
    const before = await exportConfig(dir);
    const lost = await rollbackTo(dir, preferred!);
    assert.equal(lost.code, 1, lost.stdout);
    assert.ok(lost.stderr.includes(PREFER), `the loss is listed: ${lost.stderr}`);
    assert.deepEqual(await exportConfig(dir), before);
    assert.equal((await history(dir))[0]!.txid, down.txid, 'no commit was made');

    // Slot a's own commit before the upgrade: compare and rollback in version 1, no transform needed.
    assert.deepEqual(await compare(dir, renamed.txid), [{ path: '/system/hostname', op: 'modify', old: 'summit-gw', new: 'mountain-gw' }]);
    const r = await rollbackTo(dir, renamed.txid);
    assert.equal(r.code, 0, `config rollback: ${r.stderr}`);
    assert.deepEqual(await exportConfig(dir), { ...before, system: { ...(before.system as JsonObject), hostname: 'summit-gw' } });
  });
});
