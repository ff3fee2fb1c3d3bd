/**
 * The health seam of the upgrade watch (upgrade/watch/health.ts): the pure judgement of a
 * sample against the baseline, and today's provider over a fake `health` answer and /proc.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DaemonHealthProvider, judgeHealth, type HealthSample } from '../../../upgrade/watch/health.js';
import { tempDir } from '../../helpers/temp-dir.js';

const base: HealthSample = {
  at: '2026-12-03T00:00:00.000Z', commitP99Ms: 40, rpcErrorRate: 0.001, daemonRestarts: 1, daemonsDown: [], memoryBytes: 80e6, criticalAlarms: 0,
};

describe('judgeHealth', () => {
  it('a sample like the baseline passes', () => {
    assert.equal(judgeHealth(base, { ...base, commitP99Ms: 100, memoryBytes: 150e6 }), null);
  });
  it('commit p99 past 3× the baseline is a degradation, with both figures', () => {
    assert.match(judgeHealth(base, { ...base, commitP99Ms: 121 }) ?? '', /commit p99 latency \(ms\) 121 is more than 3× the baseline 40/);
  });
  it('a tiny baseline is judged against a floor, not tripled noise', () => {
    assert.equal(judgeHealth({ ...base, commitP99Ms: 1 }, { ...base, commitP99Ms: 15 }), null);
  });
  it('a critical alarm, a daemon down or an extra restart fails it', () => {
    assert.match(judgeHealth(base, { ...base, criticalAlarms: 1 }) ?? '', /1 critical alarm/);
    assert.match(judgeHealth(base, { ...base, daemonsDown: ['ntp'] }) ?? '', /daemons not running: ntp/);
    assert.match(judgeHealth(base, { ...base, daemonRestarts: 2 }) ?? '', /restarted 1 times/);
  });
  it('unknown figures (null) are not judged', () => {
    assert.equal(judgeHealth({ ...base, commitP99Ms: null }, { ...base, commitP99Ms: 1e6, rpcErrorRate: null, criticalAlarms: null }), null);
  });
  it('limits are configurable', () => {
    assert.equal(judgeHealth(base, { ...base, commitP99Ms: 121 }, { commitP99Ratio: 4, rpcErrorRateRatio: 3, memoryRatio: 2, extraRestarts: 0 }), null);
  });
});

describe('DaemonHealthProvider', () => {
  it('without monitoring: sums restarts, lists daemons down, reads the memory of the daemon and leaves the rest unknown', async (t) => {
    const dir = tempDir('health-');
    t.after(() => dir.remove());
    const proc = dir.path;
    mkdirSync(join(proc, '4242'));
    writeFileSync(join(proc, '4242', 'status'), 'Name:\tnode\nVmRSS:\t  51200 kB\n');
    const p = new DaemonHealthProvider(async () => ({ daemons: [
      { name: 'ntp', status: 'running', restarts: 2 }, { name: 'hostname', status: 'failed', restarts: 1 },
    ] }), () => 4242, async () => null, proc);
    const s = await p.sample();
    assert.equal(s.daemonRestarts, 3);
    assert.deepEqual(s.daemonsDown, ['hostname']);
    assert.equal(s.memoryBytes, 51200 * 1024);
    assert.equal(s.commitP99Ms, null);
    assert.equal(s.criticalAlarms, null);
    assert.match(judgeHealth({ ...s, daemonsDown: [] }, s) ?? '', /hostname/);
  });

  it('with monitoring: commit p99, RPC error rate, critical alarms and memory from monitor.baseline', async () => {
    const p = new DaemonHealthProvider(async () => ({ daemons: [{ name: 'ntp', status: 'running', restarts: 1 }] }), () => undefined,
      async () => ({ commitP99Ms: 50, rpcErrorRate: 0.25, totalDaemonRestarts: 1, rssBytes: 90e6, criticalAlarms: ['disk-full:/'] }));
    const s = await p.sample();
    assert.deepEqual({ ...s, at: '' }, {
      at: '', commitP99Ms: 50, rpcErrorRate: 0.25, daemonRestarts: 1, daemonsDown: [], memoryBytes: 90e6, criticalAlarms: 1,
    });
    // Judged against a baseline without them: a critical alarm raised is a failure.
    assert.match(judgeHealth({ ...s, criticalAlarms: 0 }, s) ?? '', /1 critical alarm/);
    assert.match(judgeHealth({ ...s, commitP99Ms: 10 }, { ...s, commitP99Ms: 250 }) ?? '', /commit p99/);
  });

  it('a daemon whose monitoring fails is sampled as one without', async () => {
    const p = new DaemonHealthProvider(async () => ({ daemons: [] }), () => undefined, async () => { throw new Error('TXN_NOT_SUPPORTED'); });
    const s = await p.sample();
    assert.equal(s.commitP99Ms, null);
    assert.equal(s.rpcErrorRate, null);
  });
});
