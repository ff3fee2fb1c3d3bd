/**
 * @module upgrade/watch/health
 * The seam between the upgrade manager and whatever measures the appliance's health. A
 * `HealthBaseline` provider takes samples (commit p99 latency, RPC error rate, daemon
 * restarts, memory, critical alarms); one is recorded before an install as the baseline, and
 * the watch after the switch compares later samples with it (`judgeHealth`, pure).
 *
 * Today's provider (`DaemonHealthProvider`) uses what exists: the management daemon's
 * `health` answer (the supervised daemons, their restarts) and the daemon's resident memory
 * from /proc. It has no latency, error-rate or alarm source, and reports those as null
 * (not judged). The monitoring subsystem (confd/monitor/) is to provide a fuller
 * implementation of the same interface; nothing here depends on it.
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

/** Today's provider: the supervised daemons from the daemon's `health`, memory from /proc/PID/status. */
export class DaemonHealthProvider implements HealthBaseline {
  constructor(
    private readonly health: () => Promise<DaemonHealth>,
    private readonly pid: () => number | undefined,
    private readonly proc = '/proc',
  ) {}

  async sample(): Promise<HealthSample> {
    const h = await this.health();
    return {
      at: new Date().toISOString(),
      commitP99Ms: null,
      rpcErrorRate: null,
      daemonRestarts: h.daemons.reduce((n, d) => n + (d.restarts ?? 0), 0),
      daemonsDown: h.daemons.filter((d) => d.status !== 'running').map((d) => d.name),
      memoryBytes: await this.memory(),
      criticalAlarms: null,
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
