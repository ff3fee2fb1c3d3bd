/**
 * @module upgrade/boot/loader
 * `appliance start` is the boot loader and init of the appliance, in the manner of RAUC with a
 * boot counter: it keeps the boot state, factory-installs slot a on an empty data directory,
 * chooses the slot to boot (a trial slot spends an attempt each boot), runs the management
 * daemon from that slot as a child process, health-checks it on every boot (daemon up, schema
 * loaded, configuration valid, SSH answering, supervised daemons running) and marks it good,
 * or falls back to the last good slot with the reason recorded. A crash loop is a failure
 * too. Every loop is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfdError, DataDirLock, SocketClient } from '../../confd/api/index.js';
import { faultPoint } from '../../confd/api/faults.js';
import type { Manifest } from '../bundle/format.js';
import { deviceLayout, type DeviceLayout } from '../layout.js';
import {
  TRIAL_EXHAUSTED, type BootState, type SlotName, chooseBoot, markBad, markGood, other, readBootState, writeBootState,
} from './state.js';

/** The daemon's exit status for a corrupt configuration database: the boot loader stops rather than retry. */
export const EXIT_DATABASE_CORRUPT = 78;
/** The daemon's exit status when another daemon still holds the data directory: a retry, not a failure. */
export const EXIT_LOCKED = 75;

export interface BootLoaderOptions {
  readonly root: string;
  readonly log: Logger;
  /** Arguments passed on to the management daemon (--listen, --port, --log-level, --daemon…). */
  readonly daemonArgs: readonly string[];
  /** Installs slot a on an empty data directory; returns the first boot state. */
  readonly factoryInstall: (layout: DeviceLayout) => Promise<BootState>;
  readonly healthDeadlineMs?: number;
  /** Crashes in a row (each within `stableMs` of its start) after which a slot is given up. */
  readonly crashLimit?: number;
  readonly stableMs?: number;
}

export type BootOutcome =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'restart' }
  | { readonly kind: 'failed'; readonly reason: string };

/** What the installer may ask of the boot loader. */
export interface BootControl {
  readonly layout: DeviceLayout;
  state(): BootState;
  /** Writes the boot state durably, then makes it current; throws (the old state stays) when the write fails. */
  persist(state: BootState): void;
  /** Makes `state` current and writes it; a failed write is logged and tried again at the next persist. */
  persistQuietly(state: BootState): void;
  /** The slot the daemon runs from now (null while none runs). */
  booted(): SlotName | null;
  /** The process id of the management daemon running now. */
  daemonPid(): number | undefined;
  /** Stops the daemon and boots again (the chosen slot may change). Resolves once it is stopped. */
  restart(): Promise<void>;
  /** A session on the running daemon's socket. */
  daemon(): Promise<SocketClient>;
  /** Told of every boot's result, to finish or fail the job that caused it. */
  onBoot(listener: (slot: SlotName, ok: boolean, reason: string | null) => void): void;
}

/** The manifest of the bundle a slot was written from (kept beside it). */
export function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

export class BootLoader implements BootControl {
  readonly layout: DeviceLayout;
  private current: BootState | null = null;
  private child: ChildProcess | null = null;
  private bootedSlot: SlotName | null = null;
  private stopping = false;
  private restartRequested = false;
  private wake: (() => void) | null = null;
  private readonly listeners: Array<(slot: SlotName, ok: boolean, reason: string | null) => void> = [];
  private crashes = 0;
  private lockRetries = 0;
  private readonly log: Logger;

  constructor(private readonly o: BootLoaderOptions) {
    this.layout = deviceLayout(o.root);
    this.log = o.log;
  }

  state(): BootState {
    if (!this.current) throw new ConfdError('INTERNAL', 'no boot state yet');
    return this.current;
  }

  persist(state: BootState): void {
    writeBootState(this.layout.bootState, state);
    this.current = state;
  }

  persistQuietly(state: BootState): void {
    this.current = state;
    try {
      writeBootState(this.layout.bootState, state);
    } catch (e) {
      // The boot loader goes on with the state in memory: a full or failing disk must not stop
      // it or the running slot. On disk the previous state stays whole (it is replaced atomically).
      this.log.error({ err: (e as Error).message }, 'the boot state could not be written; going on with it in memory');
    }
  }

  private tell(slot: SlotName, ok: boolean, reason: string | null): void {
    for (const l of this.listeners) {
      try {
        l(slot, ok, reason);
      } catch (e) {
        this.log.error({ slot, err: (e as Error).message }, 'a boot listener failed');
      }
    }
  }

  booted(): SlotName | null {
    return this.bootedSlot;
  }

  daemonPid(): number | undefined {
    return this.child?.pid;
  }

  onBoot(listener: (slot: SlotName, ok: boolean, reason: string | null) => void): void {
    this.listeners.push(listener);
  }

  async daemon(): Promise<SocketClient> {
    return SocketClient.connect(this.layout.daemonSocket, 'upgrade', 'boot-loader', 'daemon');
  }

  /** Passes SIGHUP (reopen the log file) on to the running daemon. */
  hangup(): void {
    this.child?.kill('SIGHUP');
  }

  async restart(): Promise<void> {
    this.restartRequested = true;
    await this.stopChild();
  }

  /** Takes the boot lock, factory-installs if needed, and boots until stop() is called. */
  async start(beforeBoot: () => Promise<void>): Promise<void> {
    mkdirSync(this.layout.root, { recursive: true, mode: 0o750 });
    const lock = DataDirLock.tryAcquire(this.layout.bootLock);
    if (!lock) throw new ConfdError('STORE_LOCKED', `an appliance is already running on ${this.layout.root}`);
    try {
      this.current = readBootState(this.layout.bootState) ?? await this.o.factoryInstall(this.layout);
      await beforeBoot();
      await this.bootLoop();
    } finally {
      lock.release();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.stopChild();
  }

  private async bootLoop(): Promise<void> {
    // Bounded: after this many failed boots in a row with nothing else to try, give up.
    const maxFailures = 20;
    let failures = 0;
    while (!this.stopping && failures < maxFailures) {
      const choice = chooseBoot(this.state());
      if (choice.state !== this.current) this.persistQuietly(choice.state);
      if (choice.failedTrial) {
        this.log.error({ slot: choice.failedTrial }, 'the trial slot used up its boot attempts; falling back');
        this.tell(choice.failedTrial, false, TRIAL_EXHAUSTED);
      }
      const outcome = await this.boot(choice.slot);
      if (outcome.kind === 'stopped') return;
      if (outcome.kind === 'restart') { failures = 0; continue; }
      failures++;
      this.log.error({ slot: choice.slot, reason: outcome.reason, trial: choice.trial }, 'boot failed');
      this.tell(choice.slot, false, outcome.reason);
      const fallback = other(choice.slot);
      if (choice.trial || this.state().slots[fallback].status === 'good') {
        // Give the failed slot up; the last good one is primary (a trial's failure never touched it).
        const st = markBad(this.state(), choice.slot, outcome.reason);
        this.persistQuietly(choice.trial ? st : { ...st, primary: fallback });
      } else {
        // Nothing better to boot: retry this slot after a pause that grows, bounded.
        await this.pause(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
      }
    }
    if (!this.stopping) throw new ConfdError('INTERNAL', `giving up after ${maxFailures} failed boots`);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(t); resolve(); };
    });
  }

  /** Boots one slot: runs its daemon, checks its health, then supervises it until it ends. */
  private async boot(slot: SlotName): Promise<BootOutcome> {
    const paths = this.layout.slot(slot);
    if (!existsSync(paths.manifest)) return { kind: 'failed', reason: `slot ${slot} holds no installed version` };
    const manifest = readManifest(paths.manifest);
    const program = join(paths.app, 'dist', 'main', 'appliance.js');
    // A daemon of an earlier boot loader (killed) may still be on its way out: let it go first.
    await this.waitForDaemonLock(15_000);
    const startedAt = Date.now();
    const child = spawn(process.execPath, [
      program, 'daemon', '--data-dir', this.layout.root, '--slot', slot, '--schema-version', String(manifest.schemaVersion),
      '--boot-socket', this.layout.bootSocket, '--exit-with-parent', ...this.o.daemonArgs,
    ], { stdio: ['pipe', 'inherit', 'inherit'] });
    this.child = child;
    this.bootedSlot = slot;
    this.restartRequested = false;
    let corrupt = false;
    let locked = false;
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => {
      corrupt = code === EXIT_DATABASE_CORRUPT;
      locked = code === EXIT_LOCKED;
      resolve(signal ? `signal ${signal}` : `exit ${code}`);
    }));
    this.log.info({ slot, version: manifest.version, schemaVersion: manifest.schemaVersion, daemonPid: child.pid }, 'booting');

    const health = await Promise.race([
      this.healthCheck(manifest.schemaVersion, this.o.healthDeadlineMs ?? 30_000),
      exited.then((how) => `the daemon ended during its health check (${how})`),
    ]);
    if (this.stopping || this.restartRequested) {
      await this.stopChild();
      return this.stopping ? { kind: 'stopped' } : { kind: 'restart' };
    }
    if (health !== null) {
      await this.stopChild();
      if (corrupt) {
        throw new ConfdError('STORE_CORRUPT', `the configuration database of slot ${slot} is corrupt; refusing to start (restore a backup with appliance restore --full)`);
      }
      if (locked && ++this.lockRetries <= 10) {
        await this.pause(500);
        return { kind: 'restart' };
      }
      return { kind: 'failed', reason: `health check failed: ${health}` };
    }
    this.lockRetries = 0;
    faultPoint('boot-mark-good');
    this.persistQuietly(markGood(this.state(), slot));
    this.log.info({ slot }, 'slot is good');
    this.tell(slot, true, null);

    const how = await exited;
    this.child = null;
    this.bootedSlot = null;
    if (this.stopping) return { kind: 'stopped' };
    if (this.restartRequested) return { kind: 'restart' };
    this.crashes = Date.now() - startedAt < (this.o.stableMs ?? 60_000) ? this.crashes + 1 : 1;
    this.log.error({ slot, how, crashes: this.crashes }, 'the management daemon ended unexpectedly');
    if (this.crashes >= (this.o.crashLimit ?? 3)) {
      this.crashes = 0;
      return { kind: 'failed', reason: `the management daemon crashed ${this.o.crashLimit ?? 3} times in a row (${how})` };
    }
    await this.pause(250 * this.crashes);
    return { kind: 'restart' };
  }

  /** null when healthy within the deadline, else what was wrong last. */
  private async healthCheck(schemaVersion: number, deadlineMs: number): Promise<string | null> {
    const deadline = Date.now() + deadlineMs;
    let last = 'the daemon did not answer';
    while (Date.now() < deadline && !this.stopping && !this.restartRequested) {
      const problem = await this.probe(schemaVersion).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (problem === null) return null;
      last = problem;
      await new Promise((r) => setTimeout(r, 200));
    }
    return last;
  }

  private async probe(schemaVersion: number): Promise<string | null> {
    const client = await this.daemon();
    try {
      const h = await client.request<{
        schemaVersion: number; sshListen: Array<{ address: string; port: number }>; valid: boolean;
        issues: Array<{ message: string; path?: string }>; daemons: Array<{ name: string; status: string }>;
      }>('health');
      if (h.schemaVersion !== schemaVersion) return `schema version ${h.schemaVersion} loaded, ${schemaVersion} expected`;
      if (!h.valid) return `the configuration is not valid: ${h.issues.map((i) => `${i.path ?? ''} ${i.message}`).join('; ')}`;
      if (h.sshListen.length === 0) return 'SSH listens nowhere';
      for (const l of h.sshListen) {
        if (!(await sshAnswers(l.address, l.port))) return `SSH does not answer on ${hostPort(l.address, l.port)}`;
      }
      const down = h.daemons.filter((d) => d.status !== 'running');
      if (down.length > 0) return `daemons not running: ${down.map((d) => `${d.name} (${d.status})`).join(', ')}`;
      return null;
    } finally {
      client.close();
    }
  }

  private async waitForDaemonLock(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && DataDirLock.isHeld(this.layout.daemonLock)) await new Promise((r) => setTimeout(r, 100));
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => { clearTimeout(kill); resolve(); });
      child.kill('SIGTERM');
    });
  }
}

/** An address wildcard is probed on the loopback address of its family. */
function probeAddress(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Whether an SSH server answers on the address and port with its identification string. */
function sshAnswers(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, probeAddress(address));
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(2000, () => done(false));
    s.once('data', (d) => done(d.toString('latin1').startsWith('SSH-2.0-')));
    s.once('error', () => done(false));
  });
}
