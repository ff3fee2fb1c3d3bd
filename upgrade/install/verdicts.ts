/**
 * @module upgrade/install/verdicts
 * What decides an install after its new slot passed its health check: confirm or revert
 * (`confirm-within`), the watch (upgrade/watch: health against the baseline, sanity checks),
 * and the rejection of a version that crash-loops later. A revert is a rollback job started
 * through the host (the job manager), which carries the configuration back.
 */
import type { Logger } from 'pino';
import { ConfdError } from '../../confd/api/index.js';
import { faultValue } from '../../confd/api/faults.js';
import type { HealthBaseline, HealthSample } from '../watch/health.js';
import { runSanityChecks, type SanityDeps, type SanityResult } from '../watch/sanity.js';
import { DEFAULT_WATCH_MINUTES, UpgradeWatch, watchSettings } from '../watch/watch.js';
import type { JobRecord, JobStatus } from './job-record.js';

/** What the verdicts may do to the job manager's current job. */
export interface VerdictHost {
  job(): JobRecord | null;
  enterQuietly(step: string): void;
  finish(status: JobStatus, reason: string | null, code: string | null): void;
  saveQuietly(): void;
  audit(action: string, result: 'ok' | 'error' | 'denied', detail: Record<string, unknown>): void;
  /** Resolves once the audit records queued so far reached the daemon (or wait for the next one). */
  auditFlushed(): Promise<void>;
  /** Starts the rollback that reverts an install (losses accepted: the operator asked for the revert). */
  revert(revertOf: { job: string; reason: string }): Promise<unknown>;
  readonly log: Logger;
}

export class Verdicts {
  private watcher: UpgradeWatch | null = null;

  constructor(private readonly host: VerdictHost, private readonly health: HealthBaseline, private readonly deps: SanityDeps) {}

  /** The health now, recorded before an install as its baseline. */
  baseline(): Promise<HealthSample> {
    return this.health.sample();
  }

  private confirmTimer: NodeJS.Timeout | null = null;

  /** The new slot passed its health check: it stays only if confirmed by the deadline. */
  awaitConfirmation(): void {
    const job = this.host.job()!;
    job.confirmDeadline = new Date(Date.now() + job.confirmWithin! * 60_000).toISOString();
    this.host.enterQuietly('confirm-wait');
    job.message = `confirm by ${job.confirmDeadline} (request system software confirm), or slot ${job.from} comes back`;
    this.armConfirmTimer();
  }

  armConfirmTimer(): void {
    const job = this.host.job();
    if (!job?.confirmDeadline || this.confirmTimer) return;
    this.confirmTimer = setTimeout(() => { this.confirmTimer = null; void this.revert(); }, Math.max(0, Date.parse(job.confirmDeadline) - Date.now()));
  }

  /** `software confirm`: the install waiting for its confirmation stands. */
  confirm(user: string): JobRecord {
    const job = this.host.job();
    if (!job || job.status !== 'running' || job.step !== 'confirm-wait') {
      throw new ConfdError('UPG_NOTHING_TO_CONFIRM', 'no software install is waiting for its confirmation');
    }
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    this.confirmTimer = null;
    this.host.enterQuietly('confirmed');
    if (job.watch === 'watching') {
      // Confirmed while on watch: the watch still decides.
      job.status = 'watching';
      job.message = `confirmed by ${user}; on watch until ${job.watchUntil ?? '?'}`;
      this.host.saveQuietly();
    } else {
      job.message = `confirmed by ${user}`;
      this.host.finish('succeeded', null, null);
    }
    return job;
  }

  /** The deadline passed unconfirmed: a rollback carries the configuration back (commits made meanwhile included). */
  private async revert(): Promise<void> {
    const job = this.host.job();
    if (!job || job.status !== 'running' || job.step !== 'confirm-wait') return;
    const reason = `not confirmed within ${job.confirmWithin} minutes (by ${job.confirmDeadline}); reverting to slot ${job.from} (version ${job.fromVersion})`;
    this.host.finish('reverted', reason, 'UPG_NOT_CONFIRMED');
    try {
      // The outcome goes into this slot's audit log before the rollback copies its database.
      await this.host.auditFlushed();
      await this.host.revert({ job: job.id, reason });
    } catch (e) {
      this.host.log.error({ job: job.id, err: (e as Error).message }, 'the revert of an unconfirmed install could not start');
    }
  }

  /**
   * Starts the watch of an install whose new slot passed its health check (upgrade/watch), for
   * its configured minutes, or for `remainingMs` (resumed after a restart of the boot loader).
   * The job is `watching` until the watch passes (then `succeeded`) or fails (`reverted`); with
   * no watch it succeeds at once (or when confirmed, if it awaits its confirmation).
   */
  startWatch(job: JobRecord, remainingMs?: number): void {
    if (job.kind !== 'install') return;
    void (async () => {
      let settings;
      try {
        // Fault injection: `watch-minutes=M` is the default for a configuration that sets none (tests that need no watch).
        settings = watchSettings(await this.deps.config(), Number(faultValue('watch-minutes') ?? DEFAULT_WATCH_MINUTES));
      } catch (e) {
        this.host.log.warn({ job: job.id, err: (e as Error).message }, 'the watch could not read its settings; no watch');
      }
      if (this.host.job() !== job) return;
      const ms = remainingMs ?? (settings?.minutes ?? 0) * 60_000;
      if (!settings || ms <= 0) { this.watchPassed(job, false); return; }
      const w = this.watcher = new UpgradeWatch({
        baseline: job.baseline ?? null, health: this.health, deps: this.deps, settings: { ...settings, minutes: ms / 60_000 },
        onFail: (r) => void this.watchFailed(job, r),
      });
      job.watchUntil = new Date(w.until).toISOString();
      job.watch = 'watching';
      if (job.step !== 'confirm-wait') {
        job.status = 'watching';
        job.percent = 100;
        job.message = `on watch until ${job.watchUntil}`;
        this.host.audit('software-add', 'ok', { job: job.id, status: job.status, reason: null, code: null, watchUntil: job.watchUntil, steps: job.steps.map((s) => s.name) });
      }
      this.host.saveQuietly();
      const failed = await w.run();
      if (this.watcher === w) this.watcher = null;
      if (failed === null && job.watch === 'watching') this.watchPassed(job, true);
    })();
  }

  /** Whether a watch is running. */
  watching(): boolean {
    return this.watcher !== null;
  }

  /** The watch passed (or there was none): a watching install succeeded; one awaiting its confirmation still awaits it. */
  private watchPassed(job: JobRecord, watched: boolean): void {
    if (this.host.job() !== job) return;
    if (watched) job.watch = 'passed';
    if (job.status === 'watching' || (job.status === 'running' && job.step !== 'confirm-wait')) this.host.finish('succeeded', null, null);
    else this.host.saveQuietly();
  }

  stopWatch(): void {
    this.watcher?.stop();
    this.watcher = null;
  }

  /** The watch failed: the install is reverted as an unconfirmed one is, with the reason. */
  private async watchFailed(job: JobRecord, why: string): Promise<void> {
    if (this.host.job() !== job || !['succeeded', 'running', 'watching'].includes(job.status)) return;
    if (this.confirmTimer) { clearTimeout(this.confirmTimer); this.confirmTimer = null; }
    const reason = `version ${job.toVersion ?? '?'} failed its watch: ${why}; reverting to slot ${job.from} (version ${job.fromVersion})`;
    job.watch = 'failed';
    if (job.status === 'running' || job.status === 'watching') this.host.finish('reverted', reason, 'UPG_WATCH_FAILED');
    else {
      job.status = 'reverted';
      job.reason = reason;
      job.code = 'UPG_WATCH_FAILED';
      this.host.saveQuietly();
      this.host.audit('software-add', 'error', { job: job.id, status: job.status, reason, code: job.code, steps: job.steps.map((s) => s.name) });
    }
    this.host.log.error({ job: job.id, reason }, 'the new version failed its watch');
    try {
      await this.host.auditFlushed();
      await this.host.revert({ job: job.id, reason });
    } catch (e) {
      this.host.log.error({ job: job.id, err: (e as Error).message }, 'the revert after the failed watch could not start');
    }
  }

  /** `software sanity-check`: the operator's checks, now. */
  async sanityCheck(): Promise<{ ok: boolean; results: SanityResult[] }> {
    const settings = watchSettings(await this.deps.config());
    const results = await runSanityChecks(settings.checks, this.deps);
    return { ok: results.every((r) => r.ok), results };
  }

  /** The version a succeeded install brought failed later (a crash loop): the boot loader fell back from it. */
  reject(job: JobRecord, reason: string): void {
    job.status = 'rejected';
    job.rejectedAt = new Date().toISOString();
    job.reason = `version ${job.toVersion ?? '?'} was rejected: ${reason}; back on slot ${job.from} (version ${job.fromVersion})`;
    job.code = 'UPG_BOOT_FAILED';
    job.message = job.reason;
    this.host.saveQuietly();
    this.host.audit('software-add', 'error', { job: job.id, status: job.status, reason: job.reason, code: job.code, rejectedAt: job.rejectedAt, steps: job.steps.map((s) => s.name) });
    this.host.log.error({ job: job.id, reason: job.reason }, 'the installed version was rejected');
  }
}
