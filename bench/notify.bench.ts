/**
 * @module bench/notify.bench
 * The change bus: commit-to-notification latency (from the commit being acknowledged to the
 * change reaching each subscriber, in another process; subscribed to overlapping paths that all
 * concern the commits) with 1, 10 and 100 subscribers, and
 * commit throughput with 0 and 10 subscribers. A delivery later than WINDOW_MS after its commit,
 * or missing when the subscribers are stopped, is a failure, and stays in the percentiles (a
 * missing one at the time it was still missing when they stopped, a lower bound).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pino from 'pino';
import { openDevice } from '../confd/main/device.js';
import { SocketServer } from '../confd/northbound/socket/server.js';
import { ChangeBus } from '../confd/notify/bus.js';
import { Operations } from '../confd/rpc/operations.js';
import type { ConfigEngine } from '../confd/txn/engine.js';
import { nowMs, ratio, report, summarize } from './stats.js';

const CHILD = fileURLToPath(new URL('./notify-subscribers.js', import.meta.url));
const logger = pino({ level: 'warn' });
/** How long after its commit a change may reach a subscriber and still count as delivered. */
const WINDOW_MS = 300;

async function withSubscribers<T>(socket: string, n: number, fn: () => Promise<T>): Promise<{ result: T; received: Record<string, number[]>; stoppedAt: number }> {
  if (n === 0) return { result: await fn(), received: {}, stoppedAt: nowMs() };
  const child = spawn(process.execPath, [CHILD, socket, String(n), '/system,/system/hostname,/'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.value !== 'READY') throw new Error('the subscribers did not start');
  const result = await fn();
  // Give the last notifications their window to arrive before asking for the figures.
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const stoppedAt = nowMs();
  child.kill('SIGTERM');
  const data = await iterator.next();
  return { result, received: JSON.parse(String(data.value)) as Record<string, number[]>, stoppedAt };
}

/** When each commit became durable: a participant told right after the write, before the bus. */
function durableTimes(engine: ConfigEngine): Map<number, number> {
  const times = new Map<number, number>();
  engine.addParticipant({ name: 'bench-clock', committed: (e) => { times.set(e.txid, nowMs()); } });
  return times;
}

async function commits(engine: ConfigEngine, count: number, paceMs: number): Promise<number[]> {
  const s = engine.openSession({ user: 'bench', source: 'bench', address: 'local' });
  const txids: number[] = [];
  for (let i = 0; i < count; i++) {
    await engine.editConfig(s, { system: { hostname: `h${i % 2}-${i}` } });
    const r = await engine.commit(s);
    txids.push(r.header!.txid);
    if (paceMs > 0) await new Promise((res) => setTimeout(res, paceMs));
  }
  await engine.closeSession(s);
  return txids;
}

export async function benchNotify(scratch: string, quick: boolean): Promise<Record<string, unknown>> {
  const engine = await openDevice({ dataDir: join(scratch, 'notify'), logger });
  const durable = durableTimes(engine);
  const bus = new ChangeBus(engine, logger);
  engine.addParticipant(bus);
  const ops = new Operations(engine, logger);
  const socketPath = join(scratch, 'notify.sock');
  const server = new SocketServer(ops, bus, logger, socketPath);
  await server.listen();
  const summary: Record<string, unknown> = {};
  try {
    for (const n of [1, 10, 100]) {
      const { result: committed, received, stoppedAt } = await withSubscribers(socketPath, n, () => commits(engine, quick ? 100 : 300, 2));
      const latencies: number[] = [];
      let late = 0, missing = 0;
      for (const txid of committed) {
        const at = durable.get(txid)!;
        const times = received[txid] ?? [];
        for (const t of times) {
          latencies.push(t - at);
          if (t - at > WINDOW_MS) late++;
        }
        for (let i = times.length; i < n; i++) latencies.push(stoppedAt - at);
        missing += Math.max(0, n - times.length);
      }
      const expected = committed.length * n;
      const s = summarize(latencies);
      report({ bench: 'notify', workload: `latency_${n}_subscribers`, expected, delivered: expected - late - missing, late, missing,
        failures: late + missing, window_ms: WINDOW_MS, ...s });
      summary[`latency_p50_${n}`] = s.p50_ms;
      summary[`latency_p99_${n}`] = s.p99_ms;
      summary[`latency_failures_${n}`] = late + missing;
    }
    for (const n of [0, 10]) {
      const count = quick ? 500 : 2000;
      const { result: t } = await withSubscribers(socketPath, n, async () => {
        const start = nowMs();
        await commits(engine, count, 0);
        return nowMs() - start;
      });
      const perSecond = Math.round((count / t) * 1000);
      report({ bench: 'notify', workload: `throughput_${n}_subscribers`, commits: count, total_ms: Math.round(t), commits_per_s: perSecond });
      summary[`throughput_${n}`] = perSecond;
    }
    summary.throughput_cost_10 = ratio(1 - (summary.throughput_10 as number) / (summary.throughput_0 as number), 1);
    summary.target_latency_p50_1 = 1;
    summary.target_throughput_cost_10 = 0.2;
    report({ bench: 'notify', workload: 'summary', ...summary });
    return summary;
  } finally {
    await server.close();
    engine.close();
    engine.store.close();
  }
}
