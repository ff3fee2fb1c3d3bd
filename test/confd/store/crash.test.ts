/**
 * Crash consistency: a child process commits in a loop and is SIGKILLed at random moments and
 * inside the commit transaction. After every kill the database opens, passes SQLite's
 * integrity check, the audit chain verifies, and every commit acknowledged so far, in any
 * round, is in the history with its comment and (unless compacted as the oldest) its content. The kill times come from a seeded generator:
 * the test prints its seed and each kill time, and APPLIANCE_TEST_SEED=<seed> replays them.
 */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { NodeChange } from '../../../confd/core/diff.js';
import { verifyChain } from '../../../confd/store/audit-chain.js';
import { commitRules, type LoopKind } from '../../fixtures/commit-loop-plan.js';
import { openTestDevice, tempDir } from '../../helpers/device.js';
import { randomInt, seedFromEnv } from '../../helpers/random.js';

const CHILD = fileURLToPath(new URL('../../fixtures/commit-loop.js', import.meta.url));

/** An acknowledged commit: its txid, the loop's number for it and what it did. */
interface Ack { txid: number; n: number; kind: LoopKind }

/** When to kill the child: so long after it started, or so long after it opened the database. */
type KillAt = { afterStartMs: number } | { afterReadyMs: number };

/** Runs the child and SIGKILLs it at `at` (it may also kill itself first). */
function runAndKill(dir: string, at: KillAt, env: Record<string, string> = {}): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buffered = '';
    let stderr = '';
    let timer = 'afterStartMs' in at ? setTimeout(() => child.kill('SIGKILL'), at.afterStartMs) : undefined;
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const [word, txid, n, kind] = buffered.slice(0, nl).split(' ');
        buffered = buffered.slice(nl + 1);
        if (word === 'READY') {
          if ('afterReadyMs' in at) timer = setTimeout(() => child.kill('SIGKILL'), at.afterReadyMs);
          continue;
        }
        assert.equal(word, 'ACK');
        acks.push({ txid: Number(txid), n: Number(n), kind: kind as LoopKind });
      }
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

/** The content the loop gave commit `ack`, against what its history row holds. */
function assertContent(ack: Ack, changes: readonly NodeChange[]): void {
  const where = `commit ${ack.txid} (loop ${ack.n}, ${ack.kind}): ${JSON.stringify(changes).slice(0, 300)}`;
  assert.ok(changes.length > 0, where);
  if (ack.kind === 'host') {
    assert.deepEqual(changes.map((c) => [c.path, (c.new?.system as { hostname?: unknown } | undefined)?.hostname]), [['/', `h${ack.n}`]], where);
  } else if (ack.kind === 'rules') {
    const wanted = new Set(commitRules(ack.n).map((q) => `/firewall/rule[sequence='${q}']`));
    for (const c of changes) {
      assert.ok(wanted.has(c.path), where);
      assert.equal(c.new?.action, 'accept', where);
    }
  } else {
    for (const c of changes) {
      assert.match(c.path, /^\/firewall\/rule\[/, where);
      assert.equal(c.new, null, where);
    }
  }
}

/**
 * Opens the directory after a kill and checks it: integrity, the audit chain, every commit in
 * `acks` (all acknowledged so far) with its content, and the host name running holds: the one
 * of the commit that last set it. Returns the last txid.
 */
async function checkAfterCrash(dir: string, acks: readonly Ack[]): Promise<number> {
  const device = await openTestDevice({ dataDir: dir });
  try {
    const { engine } = device;
    const { store } = engine;
    assert.equal(store.integrityCheck(), 'ok');
    const verdict = verifyChain(store.auditRecords(), store.auditKeying());
    assert.ok(verdict.ok, `audit chain broken: ${JSON.stringify(verdict)}`);
    for (const ack of acks) {
      const header = store.commitHeader(ack.txid);
      assert.ok(header, `acknowledged commit ${ack.txid} lost (db has ${store.lastTxid})`);
      assert.equal(header.comment, `loop ${ack.n}`);
      // The store keeps the changes of its last HISTORY_KEEP commits (older ones are compacted by design).
      if (ack.txid <= store.historyFloor()) continue;
      const [entry] = store.changesBetween(ack.txid - 1, ack.txid);
      assert.equal(entry?.txid, ack.txid);
      assertContent(ack, entry.changes);
    }
    const hostname = (engine.getConfig('running').system as { hostname: string }).hostname;
    // Commit 0 is the database's creation, with the default host name.
    const blame = store.blame('/', 'system/hostname');
    if (blame && blame.txid > 0) assert.equal(hostname, `h${store.commitHeader(blame.txid)!.comment.replace('loop ', '')}`, `running holds the host name of commit ${blame.txid}`);
    else assert.equal(hostname, 'appliance');
    return store.lastTxid;
  } finally {
    device.close();
  }
}

test('SIGKILL at random moments of a commit loop loses no acknowledged commit (50 kills)', { timeout: 300_000 }, async (t) => {
  const random = seedFromEnv(t);
  const dir = tempDir();
  try {
    const acked: Ack[] = [];
    let previousLast = 0;
    for (let round = 0; round < 50; round++) {
      // One round in five while the child starts and opens (or creates) the database; the
      // others anywhere in the first 300 ms of its commit loop, however slow the machine.
      const ms = randomInt(random, 0, 299);
      const at: KillAt = round % 5 === 0 ? { afterStartMs: ms } : { afterReadyMs: ms };
      t.diagnostic(`round ${round}: kill ${JSON.stringify(at)}`);
      acked.push(...await runAndKill(dir.path, at));
      const last = await checkAfterCrash(dir.path, acked);
      assert.ok(last >= previousLast, 'history went backwards');
      previousLast = last;
    }
    assert.ok(acked.length > 50, `expected many acknowledged commits over 50 rounds, got ${acked.length}`);
    assert.ok(acked.some((a) => a.kind === 'rules') && acked.some((a) => a.kind === 'remove'), 'every kind of commit was acknowledged');
  } finally {
    dir.remove();
  }
});

test('SIGKILL inside the commit transaction: the interrupted commit is absent, everything before it intact', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  try {
    const acked: Ack[] = [];
    for (const killAt of [1, 3, 5, 7]) {
      const before = await checkAfterCrash(dir.path, acked);
      const acks = await runAndKill(dir.path, { afterReadyMs: 10_000 }, { KILL_INSIDE_COMMIT: String(killAt) });
      assert.equal(acks.length, killAt - 1, 'every commit before the killed one was acknowledged');
      acked.push(...acks);
      const after = await checkAfterCrash(dir.path, acked);
      assert.equal(after, before + killAt - 1, 'the commit killed inside its transaction did not land');
    }
  } finally {
    dir.remove();
  }
});
