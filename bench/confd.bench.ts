/**
 * @module bench/confd.bench
 * The configuration database: the floor (a bare durable single-row SQLite transaction with
 * the same pragmas), single-leaf commit latency at 1,000 and 100,000 firewall rules, a bulk
 * load of 100,000 rules in one commit, a full read of it, and the peak memory of a real
 * daemon holding it.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { JsonObject } from '../confd/core/tree.js';
import { APP_ROOT } from '../confd/main/app-paths.js';
import { openDevice } from '../confd/main/device.js';
import { SocketClient } from '../confd/northbound/socket/client.js';
import type { ConfigEngine } from '../confd/txn/engine.js';
import { nowMs, ratio, report, summarize, timeIt, type Summary } from './stats.js';

const logger = pino({ level: 'warn' });
/** Samples dropped at the start of every timed loop, the floor's and the commits' alike. */
const WARMUP = 50;

/** `n` firewall rules in the shapes of the newest schema (the one a fresh device runs). */
function rules(n: number): JsonObject {
  return {
    firewall: {
      rule: Array.from({ length: n }, (_, i) => ({
        sequence: i + 1, name: `rule-${i + 1}`, action: i % 3 === 0 ? 'drop' : 'accept', protocol: 'tcp',
        'source-address': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'source-prefix-length': 32,
        port: 1 + (i % 65535), description: `rule number ${i + 1}`,
      })),
    },
  };
}

/** The floor: one durable single-row `immediate` transaction (as the store commits), warmed like the commits. */
function floor(dir: string, n: number): Summary {
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID');
  const ins = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  db.transaction(() => { for (let i = 0; i < 1000; i++) ins.run(`k${i}`, 'x'); }).immediate();
  const upd = db.prepare('UPDATE t SET v = ? WHERE k = ?');
  const tx = db.transaction((v: string) => upd.run(v, 'k500'));
  const samples: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const t = nowMs();
    tx.immediate(`v${i}`);
    if (i >= WARMUP) samples.push(nowMs() - t);
  }
  db.close();
  return summarize(samples);
}

async function singleLeafCommits(engine: ConfigEngine, n: number, ruleCount: number): Promise<Summary> {
  const s = engine.openSession({ user: 'bench', source: 'bench', address: 'local' });
  const samples: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const seq = 1 + ((i * 7919) % ruleCount);
    const ms = await timeIt(async () => {
      await engine.editConfig(s, { firewall: { rule: [{ sequence: seq, description: `changed ${i}` }] } });
      await engine.commit(s);
    });
    if (i >= WARMUP) samples.push(ms);
  }
  await engine.closeSession(s);
  return summarize(samples);
}

async function withEngine<T>(dir: string, fn: (e: ConfigEngine) => Promise<T>): Promise<T> {
  const engine = await openDevice({ dataDir: dir, logger });
  try { return await fn(engine); } finally { engine.close(); engine.store.close(); }
}

/**
 * Peak resident memory (VmHWM) of a real management daemon that loads the 100k-rule database,
 * commits and serves a full read. The daemon is run directly on the database (no slot), as the
 * boot loader runs it from a slot; the boot loader is a separate, small process.
 */
async function daemonPeakMemory(dir: string): Promise<{ vmhwm_mb: number; startup_ms: number }> {
  const t0 = nowMs();
  const child = spawn(process.execPath, [join(APP_ROOT, 'bin/appliance'), 'daemon', '--data-dir', dir, '--port', '0', '--http-port', '0', '--log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    let client: SocketClient | undefined;
    for (let i = 0; i < 600 && !client; i++) {
      try { client = await SocketClient.connect(join(dir, 'confd.sock'), 'bench'); } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
    if (!client) throw new Error('the daemon did not come up');
    const startup = nowMs() - t0;
    await client.request('config.edit', { edit: { firewall: { rule: [{ sequence: 1, description: 'from the daemon bench' }] } } });
    await client.request('commit', {});
    await client.request('config.export');
    client.close();
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { vmhwm_mb: Math.round(kb / 102.4) / 10, startup_ms: Math.round(startup) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function benchConfd(scratch: string, quick: boolean): Promise<Record<string, unknown>> {
  const commits = quick ? 100 : 300;
  const big = quick ? 20_000 : 100_000;
  const floorSummary = floor(scratch, commits * 2);
  report({ bench: 'confd', workload: 'floor_sqlite_1row_tx_wal_full', ...floorSummary });

  const small = join(scratch, 'small');
  const at1k = await withEngine(small, async (engine) => {
    const s = engine.openSession({ user: 'bench', source: 'bench', address: 'local' });
    await engine.editConfig(s, rules(1000));
    await engine.commit(s);
    return singleLeafCommits(engine, commits, 1000);
  });
  report({ bench: 'confd', workload: 'single_leaf_commit_1k_rules', ...at1k });

  const large = join(scratch, 'large');
  const { bulkMs, readMs, readBytes, at100k } = await withEngine(large, async (engine) => {
    const s = engine.openSession({ user: 'bench', source: 'bench', address: 'local' });
    const tree = rules(big);
    const bulkMs = await timeIt(async () => { await engine.editConfig(s, tree); await engine.commit(s, { comment: 'bulk' }); });
    let readBytes = 0;
    const readMs = await timeIt(() => { readBytes = JSON.stringify(engine.getConfig('running')).length; });
    const at100k = await singleLeafCommits(engine, commits, big);
    return { bulkMs, readMs, readBytes, at100k };
  });
  report({ bench: 'confd', workload: `bulk_load_${big}_rules_one_commit`, total_ms: Math.round(bulkMs) });
  report({ bench: 'confd', workload: `full_read_${big}_rules`, total_ms: Math.round(readMs), bytes: readBytes });
  report({ bench: 'confd', workload: `single_leaf_commit_${big}_rules`, ...at100k });

  await withEngine(large, async () => undefined); // reopen once: load time is part of startup
  const mem = await daemonPeakMemory(large);
  report({ bench: 'confd', workload: `daemon_peak_memory_${big}_rules`, ...mem });

  const summary = {
    floor_p50_ms: floorSummary.p50_ms,
    commit_p50_1k_ms: at1k.p50_ms, commit_p99_1k_ms: at1k.p99_ms,
    commit_p50_big_ms: at100k.p50_ms, commit_p99_big_ms: at100k.p99_ms,
    ratio_big_to_1k: ratio(at100k.p50_ms, at1k.p50_ms), target_ratio_big_to_1k: 1.2,
    ratio_big_to_floor: ratio(at100k.p50_ms, floorSummary.p50_ms), target_ratio_to_floor: 3,
    bulk_load_ms: Math.round(bulkMs), target_bulk_ms: 5000,
    full_read_ms: Math.round(readMs), target_read_ms: 1000,
    daemon_peak_mb: mem.vmhwm_mb, target_peak_mb: 300, rules: big,
  };
  report({ bench: 'confd', workload: 'summary', ...summary });
  return summary;
}
