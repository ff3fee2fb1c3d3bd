/**
 * @module upgrade/watch/watch
 * The watch after an install's switch: for `/system/software/watch-minutes` (5 when not set,
 * 0 for none) the new version is compared with the health baseline recorded before the
 * install (upgrade/watch/health) and the operator's sanity checks are run (upgrade/watch/sanity);
 * the first failure is reported once through `onFail` (the job manager then reverts). A sample
 * that cannot be taken (the daemon restarting) is skipped: a crash loop is the boot loader's
 * to judge. Every loop is bounded by the deadline, and `stop()` ends it at once.
 */
import type { JsonObject } from '../../confd/api/index.js';
import { DEFAULT_LIMITS, judgeHealth, type HealthBaseline, type HealthLimits, type HealthSample } from './health.js';
import { runSanityChecks, valueAt, type SanityCheck, type SanityDeps } from './sanity.js';

export const DEFAULT_WATCH_MINUTES = 5;

export interface WatchSettings {
  readonly minutes: number;
  readonly limits: HealthLimits;
  readonly checks: readonly SanityCheck[];
}

/** The watch settings of a configuration (schema version 2; an older one has none: the defaults). */
export function watchSettings(config: JsonObject, defaultMinutes = DEFAULT_WATCH_MINUTES): WatchSettings {
  const sw = valueAt(config, '/system/software') as JsonObject | undefined;
  const num = (k: string, d: number) => (typeof sw?.[k] === 'number' ? sw[k] as number : d);
  return {
    minutes: num('watch-minutes', defaultMinutes),
    limits: { ...DEFAULT_LIMITS, commitP99Ratio: num('commit-p99-ratio', DEFAULT_LIMITS.commitP99Ratio), memoryRatio: num('memory-ratio', DEFAULT_LIMITS.memoryRatio) },
    checks: Array.isArray(sw?.['sanity-check']) ? sw['sanity-check'] as unknown as SanityCheck[] : [],
  };
}

export interface WatchOptions {
  readonly baseline: HealthSample | null;
  readonly health: HealthBaseline;
  readonly deps: SanityDeps;
  readonly settings: WatchSettings;
  readonly onFail: (reason: string) => void;
  readonly intervalMs?: number;
}

export class UpgradeWatch {
  private stopped = false;
  private wake: (() => void) | null = null;
  readonly until: number;

  constructor(private readonly o: WatchOptions) {
    this.until = Date.now() + o.settings.minutes * 60_000;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Resolves when the watch ends: passed (null) or failed (the reason, also given to onFail). */
  async run(): Promise<string | null> {
    while (!this.stopped && Date.now() < this.until) {
      const reason = await this.round();
      if (reason !== null && !this.stopped) {
        this.stopped = true;
        this.o.onFail(reason);
        return reason;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(this.o.intervalMs ?? 1000, Math.max(0, this.until - Date.now())));
        this.wake = () => { clearTimeout(t); resolve(); };
      });
    }
    return null;
  }

  private async round(): Promise<string | null> {
    let sample: HealthSample;
    try {
      sample = await this.o.health.sample();
    } catch {
      return null;
    }
    const degraded = this.o.baseline ? judgeHealth(this.o.baseline, sample, this.o.settings.limits) : null;
    if (degraded) return `health degraded: ${degraded}`;
    const failed = (await runSanityChecks(this.o.settings.checks, this.o.deps)).filter((r) => !r.ok);
    return failed.length > 0 ? `sanity check failed: ${failed.map((r) => `${r.name} (${r.detail})`).join('; ')}` : null;
  }
}
