/**
 * Crash consistency: a child process commits in a loop and is SIGKILLed at random moments and
 * inside the commit transaction. After every kill the database opens, passes SQLite's
 * integrity check, the audit chain verifies, and every acknowledged commit is there.
 */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyChain } from '../../../confd/store/audit-chain.js';
import { openTestDevice, tempDir } from '../../helpers/device.js';

const CHILD = fileURLToPath(new URL('../../fixtures/commit-loop.js', import.meta.url));

interface Ack { txid: number; hostname: string }

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
        const [word, txid, hostname] = buffered.slice(0, nl).split(' ');
        buffered = buffered.slice(nl + 1);
        if (word === 'READY') {
          if ('afterReadyMs' in at) timer = setTimeout(() => child.kill('SIGKILL'), at.afterReadyMs);
          continue;
        }
        acks.push({ txid: Number(txid), hostname: hostname! });
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

async function checkAfterCrash(dir: string, acks: readonly Ack[]): Promise<number> {
  const device = await openTestDevice({ dataDir: dir });
  try {
    const { engine } = device;
    assert.equal(engine.store.integrityCheck(), 'ok');
    const verdict = verifyChain(engine.store.auditRecords());
    assert.ok(verdict.ok, `audit chain broken: ${JSON.stringify(verdict)}`);
    const last = acks[acks.length - 1];
    if (last) {
      assert.ok(engine.store.lastTxid >= last.txid, `acknowledged commit ${last.txid} lost (db has ${engine.store.lastTxid})`);
      const header = engine.store.commitHeader(last.txid);
      assert.ok(header, `commit ${last.txid} missing from history`);
      assert.equal(header.comment.startsWith('loop '), true);
      // The newest acknowledged hostname is in running unless a later (unacknowledged but
      // durable) commit changed it again.
      const lastHost = [...acks].reverse().find((a) => a.hostname !== '-');
      if (lastHost && engine.store.lastTxid === lastHost.txid) {
        assert.equal((engine.getConfig('running').system as { hostname: string }).hostname, lastHost.hostname);
      }
    }
    return engine.store.lastTxid;
  } finally {
    device.close();
  }
}

test('SIGKILL at random moments of a commit loop loses no acknowledged commit (50 kills)', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  try {
    let kills = 0;
    let previousLast = 0;
    for (let round = 0; round < 50; round++) {
      // One round in five while the child starts and opens (or creates) the database; the
      // others anywhere in the first 300 ms of its commit loop, however slow the machine.
      const acks = await runAndKill(dir.path, round % 5 === 0
        ? { afterStartMs: Math.floor(Math.random() * 300) }
        : { afterReadyMs: Math.floor(Math.random() * 300) });
      kills++;
      const last = await checkAfterCrash(dir.path, acks);
      assert.ok(last >= previousLast, 'history went backwards');
      previousLast = last;
    }
    assert.equal(kills, 50);
    assert.ok(previousLast > 50, `expected many commits over 50 rounds, got ${previousLast}`);
  } finally {
    dir.remove();
  }
});

test('SIGKILL inside the commit transaction: the interrupted commit is absent, everything before it intact', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  try {
    for (const killAt of [1, 3, 5, 7]) {
      const before = await checkAfterCrash(dir.path, []);
      const acks = await runAndKill(dir.path, { afterReadyMs: 10_000 }, { KILL_INSIDE_COMMIT: String(killAt) });
      assert.equal(acks.length, killAt - 1, 'every commit before the killed one was acknowledged');
      const after = await checkAfterCrash(dir.path, acks);
      assert.equal(after, before + killAt - 1, 'the commit killed inside its transaction did not land');
    }
  } finally {
    dir.remove();
  }
});
