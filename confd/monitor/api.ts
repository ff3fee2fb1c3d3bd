/**
 * @module confd/monitor/api
 * The stable face of monitoring for the rest of the appliance (the upgrade manager's health
 * checks, the northbound layers): a snapshot of the latest sample with the alarms, and a
 * baseline — the few figures that tell a healthy appliance from a sick one (commit latency,
 * RPC error rate, daemon restarts, memory, critical alarms) — to take before a change and
 * compare after it. Code against these types, not the samplers. Pure.
 */
import type { Alarm, Severity } from './alarms.js';
import type { Histogram } from './plane.js';
import type { Sample } from './series.js';

export interface MonitorSnapshot {
  /** When the sample was taken (ISO). */
  readonly time: string;
  readonly sample: Sample;
  /** Standing alarms, shelved ones included (flagged), most severe first. */
  readonly alarms: readonly Alarm[];
  /** Standing, unshelved alarms by severity. */
  readonly activeAlarms: Readonly<Record<Severity, number>>;
}

export interface Baseline {
  readonly time: string;
  /** Commits since the daemon started, and their mean latency (null before the first). */
  readonly commits: number;
  readonly commitLatencyMeanMs: number | null;
  /** The 99th percentile of commit latency, as the upper bound of its histogram bucket (null before the first commit). */
  readonly commitP99Ms: number | null;
  readonly commitFailures: number;
  /** RPCs of every northbound protocol since start, and the share that failed (0..1). */
  readonly rpcs: number;
  readonly rpcErrorRate: number;
  /** Restarts of each supervised daemon, and their sum. */
  readonly daemonRestarts: Readonly<Record<string, number>>;
  readonly totalDaemonRestarts: number;
  readonly rssBytes: number;
  readonly memoryAvailableBytes: number;
  /** Ids of the standing critical alarms (not shelved). */
  readonly criticalAlarms: readonly string[];
}

/** What other parts may ask of the monitor. */
export interface MonitorApi {
  snapshot(): MonitorSnapshot;
  baseline(): Baseline;
}

export function baselineOf(s: MonitorSnapshot): Baseline {
  const p = s.sample.plane;
  const rpcs = Object.values(p.rpcs);
  const total = rpcs.reduce((a, r) => a + r.count, 0);
  const errors = rpcs.reduce((a, r) => a + r.errors, 0);
  const restarts = Object.fromEntries(s.sample.daemons.map((d) => [d.name, d.restarts]));
  return {
    time: s.time,
    commits: p.commits,
    commitLatencyMeanMs: p.commitDuration.count > 0 ? (p.commitDuration.sum / p.commitDuration.count) * 1000 : null,
    commitP99Ms: percentileMs(p.commitDuration, 0.99),
    commitFailures: Object.values(p.commitFailures).reduce((a, b) => a + b, 0),
    rpcs: total, rpcErrorRate: total > 0 ? errors / total : 0,
    daemonRestarts: restarts, totalDaemonRestarts: Object.values(restarts).reduce((a, b) => a + b, 0),
    rssBytes: p.rssBytes, memoryAvailableBytes: s.sample.host.memory.availableBytes,
    criticalAlarms: s.alarms.filter((a) => a.severity === 'critical' && !a.isCleared && !a.shelved).map((a) => a.id),
  };
}

/** The `q` quantile of a cumulative histogram (seconds), in ms: the bound of the first bucket that holds it. */
export function percentileMs(h: Histogram, q: number): number | null {
  if (h.count === 0) return null;
  const i = h.counts.findIndex((c) => c >= q * h.count);
  // Beyond the last bucket: the mean is all that is known of it, and no less than the last bound.
  const seconds = i >= 0 ? h.buckets[i]! : Math.max(h.buckets.at(-1) ?? 0, h.sum / h.count);
  return seconds * 1000;
}
