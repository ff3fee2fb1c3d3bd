/**
 * @module upgrade/install/job
 * Install and rollback jobs, run by the boot loader so that they survive the client going
 * away and the management daemon restarting. One job at a time. Every step is journaled
 * durably before it begins, so a restart either resumes a job past its switch (the trial boot
 * decides it) or cleanly aborts one that had not switched yet. The configuration is never
 * transformed in place: the active database is copied (online backup) and the copy is carried
 * to the target schema by the code that knows both versions; commits are suspended from the
 * copy until the switch, so nothing committed meanwhile can be lost.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { ConfdError, syncDirectory, writeFileDurably, type SocketClient } from '../../confd/api/index.js';
import { readManifest, type BootControl } from '../boot/loader.js';
import { markBad, markInstalling, markReady, other, startTrial, type SlotName } from '../boot/state.js';
import { extractBundle, loadKeyring, verifyBundle, verifyExtracted, type VerifiedBundle } from '../bundle/index.js';
import { faultPoint, faultValue, faultWait } from '../../confd/api/faults.js';
import { DaemonHealthProvider, type DaemonHealth, type HealthBaseline } from '../watch/health.js';
import type { SanityDeps, SanityResult } from '../watch/sanity.js';
import type { JobRecord, JobKind, JobStatus } from './job-record.js';
import { Verdicts } from './verdicts.js';
import { AuditQueue } from './audit-queue.js';
import { PRODUCT } from './factory.js';
import { removeDatabase, runMigration, type Loss, type MigrateResult } from './migration.js';

export type { Loss } from './migration.js';

export type { JobKind, JobRecord, JobStatus } from './job-record.js';

const PERCENT: Record<string, number> = {
  'verify': 5, 'mark-installing': 10, 'write-slot': 15, 'verify-slot': 45, 'copy-config': 50, 'transform': 60,
  'validate': 70, 'replace-config': 75, 'mark-ready': 80, 'switch': 85, 'restart': 88, 'health-check': 92, 'mark-good': 100,
  'confirm-wait': 100, 'confirmed': 100,
};
/** Steps after which the job is decided by the trial boot rather than aborted on a restart. */
const SWITCHED = new Set(['switch', 'restart', 'health-check', 'confirm-wait']);

export class JobManager {
  private job: JobRecord | null = null;
  private freezer: SocketClient | null = null;
  private readonly followers = new Set<(job: JobRecord) => void>();
  private readonly auditQueue: AuditQueue;

  private readonly verdicts: Verdicts;

  constructor(private readonly boot: BootControl, private readonly log: Logger, health?: HealthBaseline) {
    this.auditQueue = new AuditQueue(boot.layout.upgradeDir, () => boot.daemon(), log);
    const ask = async <T>(method: string): Promise<T> => {
      const c = await boot.daemon();
      try { return await c.request<T>(method); } finally { c.close(); }
    };
    const provider = health ?? new DaemonHealthProvider(() => ask('health'), () => boot.daemonPid(), () => ask('monitor.baseline'));
    const sanityDeps: SanityDeps = { config: () => ask('config.export'), daemons: async () => (await ask<DaemonHealth>('health')).daemons };
    this.verdicts = new Verdicts({
      job: () => this.job, enterQuietly: (step) => this.enterQuietly(step), finish: (st, reason, code) => this.finish(st, reason, code),
      saveQuietly: () => this.saveQuietly(), audit: (a, r, d) => this.audit(a, r, d), auditFlushed: () => this.auditQueue.flush(), log,
      revert: (revertOf) => this.rollback({ confirm: true, dryRun: false, user: 'system', revertOf }),
    }, provider, sanityDeps);
    boot.onBoot((slot, ok, reason) => this.booted(slot, ok, reason));
  }

  /** The running job, or the last one (across restarts). */
  status(): JobRecord | null {
    return this.job;
  }

  follow(fn: (job: JobRecord) => void): () => void {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }

  /** On boot-loader start: a job interrupted before its switch is aborted; one past it waits for the trial boot. */
  recover(): void {
    const file = this.boot.layout.journal;
    if (!existsSync(file)) return;
    this.job = JSON.parse(readFileSync(file, 'utf8')) as JobRecord;
    const job = this.job;
    if (job.status !== 'running') return;
    // Waiting for its confirmation: the deadline holds across restarts (armed at the next good boot).
    if (job.step === 'confirm-wait') return;
    if (job.step === 'mark-good' && job.confirmWithin) { this.verdicts.awaitConfirmation(); return; }
    if (job.step === 'mark-good') {
      // Killed after its slot was marked good: the install stands.
      this.finish('succeeded', null);
      return;
    }
    const trial = this.boot.state().trial;
    if (SWITCHED.has(job.step) && trial?.slot === job.target) {
      this.log.warn({ job: job.id, step: job.step }, 'resuming the job at its trial boot');
      // The restart happened (the boot loader itself went down): the trial boot is the health check.
      if (job.step === 'switch') this.enter('restart');
      if (job.step === 'restart') this.enter('health-check');
      return;
    }
    const reason = `interrupted at step ${job.step} (the boot loader restarted); the job was aborted and slot ${job.from} kept`;
    if (job.kind === 'install') this.discardSlot(job.target, reason);
    else this.restoreDatabase(job.target, job.id);
    this.finish('failed', reason, 'UPG_INTERRUPTED');
  }

  private busy(): void {
    if (this.job?.status === 'running') {
      throw new ConfdError('UPG_BUSY', `install job ${this.job.id} is running (step ${this.job.step}); one job at a time`,
        { details: { job: this.job.id } });
    }
    // A new job ends the watch of the last install: it stands as it is (succeeded).
    this.verdicts.stopWatch();
    if (this.job?.status === 'watching') {
      this.job.watch = null;
      this.finish('succeeded', null);
    }
  }

  private newJob(
    kind: JobKind, user: string, bundle: string | null, target: SlotName, to: { version: string | null; schemaVersion: number },
  ): JobRecord {
    const from = this.boot.booted() ?? this.boot.state().primary;
    const st = this.boot.state().slots[from];
    return {
      id: randomUUID(), kind, status: 'running', bundle, from, target, fromVersion: st.version ?? '?', toVersion: to.version,
      fromSchema: st.schemaVersion ?? 0, toSchema: to.schemaVersion, step: 'queued', percent: 0, message: '', steps: [], reason: null, code: null,
      started: new Date().toISOString(), finished: null, user, losses: [], changes: null,
    };
  }

  /** Journals `step` durably, then reaches its fault point (for the kill tests). */
  private enter(step: string, message = ''): void {
    const job = this.job!;
    job.step = step;
    job.percent = PERCENT[step] ?? job.percent;
    job.message = message;
    job.steps.push({ name: step, at: new Date().toISOString() });
    this.save();
    faultPoint(step);
  }

  /**
   * `enter` for the steps after the switch, which the trial boot decides: a journal that
   * cannot be written then must not stop the switch (the boot state already holds the trial).
   */
  private enterQuietly(step: string): void {
    try {
      this.enter(step);
    } catch (e) {
      this.log.error({ job: this.job?.id, step, err: (e as Error).message }, 'the journal could not record the step; the job goes on');
    }
  }

  private progress(percent: number, message: string): void {
    const job = this.job!;
    job.percent = percent;
    job.message = message;
    for (const f of this.followers) f(job);
  }

  private save(): void {
    for (const f of this.followers) f(this.job!);
    mkdirSync(this.boot.layout.upgradeDir, { recursive: true });
    writeFileDurably(this.boot.layout.journal, JSON.stringify(this.job, null, 2) + '\n', 0o644, () => faultPoint('journal-write'));
  }

  private finish(status: JobStatus, reason: string | null, code: string | null = null): void {
    const job = this.job!;
    job.status = status;
    job.reason = reason;
    job.code = code;
    job.finished = new Date().toISOString();
    job.message = reason ?? (status === 'succeeded' ? 'done' : '');
    if (status === 'succeeded') job.percent = 100;
    this.unfreeze();
    try {
      this.save();
    } catch (e) {
      // The outcome stands in memory (software status shows it) and in the log; a restart finds
      // the job at its last journaled step and aborts it, which the slot's state agrees with.
      this.log.error({ job: job.id, err: (e as Error).message }, 'the journal could not record the end of the job');
    }
    this.audit(job.kind === 'install' ? 'software-add' : 'software-rollback', status === 'succeeded' ? 'ok' : 'error',
      { job: job.id, status, reason, code: job.code, steps: job.steps.map((s) => s.name) });
    this.log[status === 'succeeded' ? 'info' : 'error']({ job: job.id, status, reason }, `${job.kind} job ended`);
  }

  private audit(action: string, result: 'ok' | 'error' | 'denied', detail: Record<string, unknown>): void {
    this.auditQueue.record(action, result, detail);
  }

  /** A refused software request, recorded as the daemon's relay records one. */
  refused(method: 'software.add' | 'software.rollback', e: unknown, user: string): void {
    this.audit(method.replace('.', '-'), 'error', { error: e instanceof ConfdError ? e.code : 'INTERNAL', reason: (e as Error).message, user });
  }

  // ---- install ----

  async add(bundle: string, o: { dryRun: boolean; user: string; force?: boolean; confirmWithin?: number }): Promise<JobRecord | { dryRun: true; changes: MigrateResult['changes']; losses: Loss[]; version: string; schemaVersion: number }> {
    this.busy();
    const active = this.boot.booted() ?? this.boot.state().primary;
    const target = other(active);
    const layout = this.boot.layout;
    const verified = await verifyBundle(bundle, { keyring: await loadKeyring(layout.keyring), product: PRODUCT, freeSpaceDir: layout.root });
    if (o.dryRun) return this.dryRun(verified, active);
    const running = this.boot.state().slots[active];
    if (!o.force && running.version === verified.manifest.version && running.schemaVersion === verified.manifest.schemaVersion) {
      throw new ConfdError('UPG_SAME_VERSION',
        `version ${running.version} (schema ${running.schemaVersion}) is already running on slot ${active}; force to install it again`,
        { details: { version: running.version, slot: active } });
    }
    this.job = this.newJob('install', o.user, bundle, target, verified.manifest);
    this.job.confirmWithin = o.confirmWithin ?? null;
    this.audit('software-add', 'ok', { job: this.job.id, bundle, version: verified.manifest.version, started: true });
    void this.runInstall(verified).catch((e: unknown) => this.fail(e));
    return this.job;
  }

  /**
   * Ends a job that failed before its switch (the boot state holds no trial of its target):
   * the half-written slot is removed and marked bad, the copy of the configuration dropped,
   * and nothing of the active slot changed. Never throws: it is the last word of a job, and
   * an I/O error here (the disk is still full) must not stop the boot loader.
   */
  private fail(e: unknown): void {
    if (this.job?.status !== 'running') return;
    const job = this.job;
    const errno = (e as NodeJS.ErrnoException | undefined)?.code;
    const code = e instanceof ConfdError ? e.code : typeof errno === 'string' && /^E[A-Z]+$/.test(errno) ? 'UPG_IO' : 'INTERNAL';
    const reason = `${job.kind} failed at step ${job.step}: ${e instanceof Error ? e.message : String(e)}`;
    try {
      if (this.boot.state().trial?.slot !== job.target) {
        // An install's target is discarded once marked installing (a failed mark leaves it as it was).
        const written = ['installing', 'ready'].includes(this.boot.state().slots[job.target].status);
        if (job.kind === 'install' && written) this.discardSlot(job.target, reason);
        else this.restoreDatabase(job.target, job.id);
      }
    } catch (cleanup) {
      this.log.error({ job: job.id, err: (cleanup as Error).message }, 'cleaning up after the failed job failed');
    }
    this.finish('failed', reason, code);
  }

  /** The target's own database back in place of one a job carried into it (a rollback's target stays as it was). */
  private restoreDatabase(target: SlotName, jobId: string): void {
    const db = this.boot.layout.slot(target).database;
    removeDatabase(`${db}.new`);
    const replaced = `${db}.replaced-${jobId}`;
    if (!existsSync(replaced)) return;
    removeDatabase(db);
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(replaced + suffix)) renameSync(replaced + suffix, db + suffix);
    syncDirectory(dirname(db));
  }

  /**
   * A slot an install did not finish: its files are removed first (on a full disk that frees
   * the space the writes below need), then it is marked bad with the reason. If the boot state
   * cannot be written, the slot is bad in memory and, its files gone, unbootable on disk too.
   */
  private discardSlot(target: SlotName, reason: string): void {
    const st = markBad(this.boot.state(), target, reason);
    try {
      rmSync(this.boot.layout.slot(target).dir, { recursive: true, force: true });
    } catch (e) {
      this.log.error({ slot: target, err: (e as Error).message }, 'the half-written slot could not be removed');
    }
    this.boot.persistQuietly(st);
  }

  /** Installs a bundle `add` verified (extraction checks every byte against it again). */
  private async runInstall(verified: VerifiedBundle): Promise<void> {
    const target = this.job!.target;
    const slot = this.boot.layout.slot(target);
    this.enter('verify');
    this.job!.baseline = await this.verdicts.baseline().catch((e: unknown) => {
      this.log.warn({ err: (e as Error).message }, 'no health baseline before the install');
      return null;
    });
    this.enter('mark-installing');
    this.boot.persist(markInstalling(this.boot.state(), target));
    this.enter('write-slot');
    await faultWait('write-slot');
    rmSync(slot.dir, { recursive: true, force: true });
    mkdirSync(slot.dir, { recursive: true, mode: 0o755 });
    // Fault injection: the disk fills up after so many bytes of the slot, or the process dies there.
    const slotFullAfter = faultValue('slot-full-after');
    const slotKillAfter = faultValue('slot-kill-after');
    await extractBundle(verified.file, verified, slot.app, {
      onProgress: (done, total) => {
        faultPoint('slot-write');
        this.progress(15 + Math.floor((30 * done) / Math.max(1, total)), `writing slot ${target}`);
      },
      faults: {
        ...(slotFullAfter !== undefined ? { failWriteAfterBytes: Number(slotFullAfter) } : {}),
        ...(slotKillAfter !== undefined ? { afterBytes: { bytes: Number(slotKillAfter), reached: () => process.kill(process.pid, 'SIGKILL') } } : {}),
      },
    });
    writeFileDurably(slot.manifest, JSON.stringify(verified.manifest) + '\n', 0o644, () => faultPoint('manifest-write'));
    this.enter('verify-slot');
    await verifyExtracted(slot.app, verified.manifest);
    await this.carryConfiguration({ refuseLosses: true });
    this.enter('mark-ready');
    this.boot.persist(markReady(this.boot.state(), target, verified.manifest.version, verified.manifest.schemaVersion));
    await this.switchTo(target);
  }

  /** Shows what the upgrade would do to the configuration; writes nothing anywhere durable. */
  private async dryRun(verified: VerifiedBundle, active: SlotName) {
    const { manifest } = verified;
    const layout = this.boot.layout;
    const scratch = join(layout.upgradeDir, `dry-run-${randomUUID()}`);
    mkdirSync(scratch, { recursive: true });
    try {
      const app = join(scratch, 'app');
      await extractBundle(verified.file, verified, app);
      const db = join(scratch, 'config.db');
      await this.backupActive(db);
      const from = this.boot.state().slots[active].schemaVersion ?? manifest.schemaVersion;
      const newer = manifest.schemaVersion >= from ? app : layout.slot(active).app;
      const r = await runMigration(newer, db, from, manifest.schemaVersion, { dryRun: true });
      return { dryRun: true as const, changes: r.changes, losses: r.losses, version: manifest.version, schemaVersion: manifest.schemaVersion };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  // ---- rollback ----

  async rollback(o: { confirm: boolean; dryRun: boolean; user: string; revertOf?: { job: string; reason: string } }): Promise<unknown> {
    this.busy();
    const state = this.boot.state();
    const active = this.boot.booted() ?? state.primary;
    const target = other(active);
    const ts = state.slots[target];
    if ((ts.status !== 'good' && ts.status !== 'ready') || ts.schemaVersion === null) {
      throw new ConfdError('UPG_NO_ROLLBACK', `slot ${target} holds no version to return to (it is ${ts.status}${ts.reason ? `: ${ts.reason}` : ''})`);
    }
    if (o.dryRun) {
      const preview = await this.preview(active, target);
      return { dryRun: true, target, version: ts.version, changes: preview.changes, losses: preview.losses };
    }
    const previous = this.job;
    const job = this.job = this.newJob('rollback', o.user, null, target, { version: ts.version, schemaVersion: ts.schemaVersion });
    job.revertOf = o.revertOf ?? null;
    // The configuration is carried before the request is answered, in one migration: a loss
    // the technician has not confirmed then refuses the rollback as if it had never started.
    try {
      this.enter('verify');
      const slot = this.boot.layout.slot(target);
      await verifyExtracted(slot.app, readManifest(slot.manifest));
      await this.carryConfiguration({ refuseLosses: !o.confirm });
    } catch (e) {
      if (!(e instanceof ConfdError && e.code === 'UPG_LOSSES')) {
        this.fail(e);
        return job;
      }
      this.unfreeze();
      this.job = previous;
      if (previous) this.save(); else rmSync(this.boot.layout.journal, { force: true });
      throw e;
    }
    void this.switchTo(target).catch((e: unknown) => this.fail(e));
    return job;
  }

  /** What a rollback would do to the configuration; writes nothing anywhere durable. */
  private async preview(active: SlotName, target: SlotName): Promise<MigrateResult> {
    const layout = this.boot.layout;
    const scratch = join(layout.upgradeDir, `preview-${randomUUID()}`);
    mkdirSync(scratch, { recursive: true });
    try {
      const db = join(scratch, 'config.db');
      await this.backupActive(db);
      const st = this.boot.state();
      const fromSchema = st.slots[active].schemaVersion!, toSchema = st.slots[target].schemaVersion!;
      return await runMigration(this.transformingApp(active, fromSchema, target, toSchema), db, fromSchema, toSchema, { dryRun: true });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  // ---- shared steps ----

  /**
   * The build that carries a configuration from schema `fromSchema` (slot `from`) to `toSchema`
   * (slot `target`): the one of the newer schema, which knows the transforms both ways.
   */
  private transformingApp(from: SlotName, fromSchema: number, target: SlotName, toSchema: number): string {
    return this.boot.layout.slot(toSchema >= fromSchema ? target : from).app;
  }

  /**
   * Copy the active database (commits suspended from here) and carry it to the target's
   * schema (those of the job). With `refuseLosses`, settings the target cannot hold refuse it (UPG_LOSSES) and
   * the copy is dropped.
   */
  private async carryConfiguration(o: { refuseLosses: boolean }): Promise<void> {
    const job = this.job!;
    const { from, target, fromSchema } = job;
    const toSchema = job.toSchema!;
    const slot = this.boot.layout.slot(target);
    this.enter('copy-config');
    this.freezer = await this.boot.daemon();
    await this.freezer.request('upgrade.freeze', { reason: `software ${job.kind} ${job.id} in progress` });
    const copy = `${slot.database}.new`;
    removeDatabase(copy);
    const copyCheckpoint = `${copy}-audit-checkpoint`;
    rmSync(copyCheckpoint, { force: true });
    await this.backupActive(copy, copyCheckpoint);
    faultPoint('config-copy-write');
    this.enter('transform');
    // The migration reports each stage when it ends: validation begins once the transform is done.
    const r = await runMigration(this.transformingApp(from, fromSchema, target, toSchema), copy, fromSchema, toSchema,
      { acceptLosses: true, auditKey: this.boot.layout.auditKey, onStep: (s) => { if (s === 'transform') this.enter('validate'); } });
    if (o.refuseLosses && r.losses.length > 0) {
      removeDatabase(copy);
      const confirm = job.kind === 'rollback' ? '; review them and confirm' : '';
      throw new ConfdError('UPG_LOSSES', `${r.losses.length} settings cannot be carried to version ${job.toVersion}${confirm}`,
        { details: { losses: r.losses } });
    }
    job.changes = r.changed;
    job.losses = r.losses;
    this.enter('replace-config');
    const replaced = `${slot.database}.replaced-${job.id}`;
    const moved: string[] = [];
    try {
      for (const suffix of ['', '-wal', '-shm']) {
        if (!existsSync(slot.database + suffix)) continue;
        renameSync(slot.database + suffix, replaced + suffix);
        moved.push(suffix);
      }
      faultPoint('replace-config-write');
      renameSync(copy, slot.database);
      // The copy's audit checkpoint goes with it (a copy of a database without a keyed chain has none).
      if (existsSync(copyCheckpoint)) renameSync(copyCheckpoint, slot.auditCheckpoint);
      else rmSync(slot.auditCheckpoint, { force: true });
      syncDirectory(slot.dir);
    } catch (e) {
      // The target's own database goes back where it was (a rollback's target must stay bootable).
      for (const suffix of moved) renameSync(replaced + suffix, slot.database + suffix);
      removeDatabase(copy);
      throw e;
    }
  }

  /** The switch: the target is tried on the next boots; then the daemon restarts into it. */
  private async switchTo(target: SlotName): Promise<void> {
    this.enter('switch');
    this.boot.persist(startTrial(this.boot.state(), target));
    // From here the trial boot decides the job.
    this.enterQuietly('restart');
    this.unfreeze();
    await this.boot.restart();
    this.enterQuietly('health-check');
  }

  private async backupActive(file: string, checkpoint?: string): Promise<void> {
    const c = this.freezer ?? await this.boot.daemon();
    try {
      await c.request('backup', checkpoint ? { file, checkpoint } : { file });
    } finally {
      if (c !== this.freezer) c.close();
    }
  }

  private unfreeze(): void {
    this.freezer?.close();
    this.freezer = null;
  }

  private saveQuietly(): void {
    try {
      this.save();
    } catch (e) {
      this.log.error({ job: this.job?.id, err: (e as Error).message }, 'the journal could not be written');
    }
  }

  /** `software confirm` (upgrade/install/verdicts). */
  confirm(user: string): JobRecord {
    return this.verdicts.confirm(user);
  }

  /** `software sanity-check` (upgrade/install/verdicts). */
  sanityCheck(): Promise<{ ok: boolean; results: SanityResult[] }> {
    return this.verdicts.sanityCheck();
  }

  /** Every boot's result: the trial of this job's target decides it. */
  private booted(slot: SlotName, ok: boolean, reason: string | null): void {
    if (ok) void this.auditQueue.flush();
    else this.audit('boot-failed', 'error', { slot, reason });
    const job = this.job;
    if (!ok) this.verdicts.stopWatch();
    if (!ok && job?.kind === 'install' && (job.status === 'succeeded' || job.status === 'watching') && slot === job.target) {
      this.verdicts.reject(job, reason ?? 'it failed on boot');
      return;
    }
    // On watch when the boot loader restarted: the watch goes on for the time it had left.
    if (ok && job?.status === 'watching' && slot === job.target && !this.verdicts.watching()) {
      this.verdicts.startWatch(job, Math.max(0, Date.parse(job.watchUntil ?? '') - Date.now()) || 0);
      return;
    }
    if (!job || job.status !== 'running' || slot !== job.target || !SWITCHED.has(job.step)) return;
    if (ok && job.step === 'confirm-wait') {
      this.verdicts.armConfirmTimer();
    } else if (ok) {
      this.enterQuietly('mark-good');
      if (job.confirmWithin) this.verdicts.awaitConfirmation();
      // An install is watching (then succeeded) or reverted by its watch; a rollback is done.
      if (job.kind === 'install') this.verdicts.startWatch(job);
      else this.finish('succeeded', null);
    } else {
      this.finish(job.kind === 'install' ? 'rolled-back' : 'failed', `slot ${slot} failed on boot (${reason}); back on slot ${job.from}`, 'UPG_BOOT_FAILED');
    }
  }
}
