/**
 * @module upgrade/watch/health
 * The seam between the upgrade manager and whatever measures the appliance's health. A
 * `HealthBaseline` provider takes samples (commit p99 latency, RPC error rate, daemon
 * restarts, memory, critical alarms); one is recorded before an install as the baseline, and
 * the watch after the switch compares later samples with it (`judgeHealth`, pure).
 *
 * The provider (`DaemonHealthProvider`) asks the management daemon: `monitor.baseline`
 * (confd/monitor/api: commit p99 latency, RPC error rate, daemon restarts, resident memory,
 * standing critical alarms, all since that daemon started) and `health` (which supervised
 * daemons are down). A daemon without monitoring (an older build) leaves latency, error rate
 * and alarms null (not judged), with memory read from /proc and restarts from `health`.
 */
import { readFile } from 'node:fs/promises';

export interface HealthSample {
  readonly at: string;
  /** p99 of commit latency over the provider's window, ms; null when unknown. */
  readonly commitP99Ms: number | null;
  /** Failed RPCs / all RPCs over the window (0..1); null when unknown. */
  readonly rpcErrorRate: number | null;
  /** Restarts of the supervised daemons, summed, since the management daemon started. */
  readonly daemonRestarts: number;
  /** Supervised daemons that are not running. */
  readonly daemonsDown: readonly string[];
  /** Resident memory of the management daemon, bytes; null when unknown. */
  readonly memoryBytes: number | null;
  /** Critical alarms raised; null when no alarm source exists. */
  readonly criticalAlarms: number | null;
}

export interface HealthBaseline {
  sample(): Promise<HealthSample>;
}

/** How far a sample may drift from the baseline before the new version is reverted. */
export interface HealthLimits {
  /** e.g. 3: commit p99 more than 3× the baseline's is a degradation. */
  readonly commitP99Ratio: number;
  readonly rpcErrorRateRatio: number;
  readonly memoryRatio: number;
  /** Daemon restarts more than the baseline's by this many. */
  readonly extraRestarts: number;
}

export const DEFAULT_LIMITS: HealthLimits = { commitP99Ratio: 3, rpcErrorRateRatio: 3, memoryRatio: 2, extraRestarts: 0 };

/** Floors below which a ratio is not judged (a 1 ms baseline tripling is noise, not a degradation). */
const FLOOR = { commitP99Ms: 20, rpcErrorRate: 0.01, memoryBytes: 32 * 1024 * 1024 };

function ratioExceeded(name: string, base: number | null, now: number | null, ratio: number, floor: number): string | null {
  if (base === null || now === null) return null;
  const limit = Math.max(base, floor) * ratio;
  return now > limit ? `${name} ${round(now)} is more than ${ratio}× the baseline ${round(base)}` : null;
}

const round = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3));

/** Why `now` is worse than `baseline` past `limits`, or null when it is not. */
export function judgeHealth(baseline: HealthSample, now: HealthSample, limits: HealthLimits = DEFAULT_LIMITS): string | null {
  if (now.criticalAlarms !== null && now.criticalAlarms > (baseline.criticalAlarms ?? 0)) {
    return `${now.criticalAlarms - (baseline.criticalAlarms ?? 0)} critical alarm(s) raised`;
  }
  if (now.daemonsDown.length > 0) return `daemons not running: ${now.daemonsDown.join(', ')}`;
  if (now.daemonRestarts > baseline.daemonRestarts + limits.extraRestarts) {
    return `supervised daemons restarted ${now.daemonRestarts - baseline.daemonRestarts} times (baseline ${baseline.daemonRestarts})`;
  }
  return ratioExceeded('commit p99 latency (ms)', baseline.commitP99Ms, now.commitP99Ms, limits.commitP99Ratio, FLOOR.commitP99Ms)
    ?? ratioExceeded('RPC error rate', baseline.rpcErrorRate, now.rpcErrorRate, limits.rpcErrorRateRatio, FLOOR.rpcErrorRate)
    ?? ratioExceeded('memory (bytes)', baseline.memoryBytes, now.memoryBytes, limits.memoryRatio, FLOOR.memoryBytes);
}

/** The daemon's `health` answer, as far as this provider reads it. */
export interface DaemonHealth { readonly daemons: ReadonlyArray<{ readonly name: string; readonly status: string; readonly restarts?: number }> }

/** What `monitor.baseline` answers (confd/monitor/api Baseline), as far as the watch reads it. */
export interface MonitorFigures {
  readonly commitP99Ms: number | null;
  readonly rpcErrorRate: number;
  readonly totalDaemonRestarts: number;
  readonly rssBytes: number;
  readonly criticalAlarms: readonly string[];
}

/** The daemon's monitoring figures and `health`; /proc/PID/status for memory when it has no monitoring. */
export class DaemonHealthProvider implements HealthBaseline {
  constructor(
    private readonly health: () => Promise<DaemonHealth>,
    private readonly pid: () => number | undefined,
    /** `monitor.baseline` of the daemon, null when it has none. */
    private readonly monitor: () => Promise<MonitorFigures | null> = async () => null,
    private readonly proc = '/proc',
  ) {}

  async sample(): Promise<HealthSample> {
    const [h, m] = await Promise.all([this.health(), this.monitor().catch(() => null)]);
    const restarts = h.daemons.reduce((n, d) => n + (d.restarts ?? 0), 0);
    return {
      at: new Date().toISOString(),
      commitP99Ms: m?.commitP99Ms ?? null,
      rpcErrorRate: m ? m.rpcErrorRate : null,
      daemonRestarts: m ? Math.max(m.totalDaemonRestarts, restarts) : restarts,
      daemonsDown: h.daemons.filter((d) => d.status !== 'running').map((d) => d.name),
      memoryBytes: m ? m.rssBytes : await this.memory(),
      criticalAlarms: m ? m.criticalAlarms.length : null,
    };
  }

  private async memory(): Promise<number | null> {
    const pid = this.pid();
    if (pid === undefined) return null;
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`${this.proc}/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  }
}
