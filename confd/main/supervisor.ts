/**
 * @module confd/main/supervisor
 * Starts, watches and restarts the daemons the appliance runs: those listed under
 * /system/daemons (enabled) and those named on the command line. A daemon is a program
 * installed with the software (dist/daemons/<name>/main.js), never an arbitrary command from
 * the configuration. A daemon that exits is restarted with a growing delay (bounded); its
 * status is state data (/system/daemons/daemon/state).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { isPathWithin } from '../core/path.js';
import type { JsonObject } from '../core/tree.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { CommitEvent, Participant } from '../txn/participant.js';
import { APP_ROOT, type DataDir } from './app-paths.js';

export type DaemonStatus = 'running' | 'starting' | 'backoff' | 'stopped' | 'failed' | 'not-installed';

interface Managed {
  readonly name: string;
  args: readonly string[];
  child: ChildProcess | null;
  status: DaemonStatus;
  restarts: number;
  /** Consecutive quick exits, for the restart delay. */
  quickExits: number;
  lastExit: string;
  since: string;
  startedAt: number;
  timer: NodeJS.Timeout | null;
  wanted: boolean;
}

const DAEMONS_PATH = '/system/daemons';
const MAX_DELAY_MS = 30_000;
/** A run this long resets the restart delay. */
const STABLE_MS = 60_000;

function parseRecord(line: string): JsonObject | null {
  if (!line.startsWith('{')) return null;
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : null;
  } catch {
    return null;
  }
}

export function daemonProgram(name: string): string {
  return join(APP_ROOT, 'dist', 'daemons', name, 'main.js');
}

export class Supervisor implements Participant {
  readonly name = 'supervisor';
  private readonly managed = new Map<string, Managed>();
  private stopping = false;

  constructor(
    private readonly engine: ConfigEngine,
    private readonly dirs: DataDir,
    private readonly log: Logger,
    /** Daemons named on the command line (always wanted). */
    private readonly extra: readonly string[] = [],
  ) {}

  start(): void {
    this.reconcile();
  }

  committed(event: CommitEvent): void {
    if (event.leafChanges().some((c) => isPathWithin(c.path, DAEMONS_PATH) || isPathWithin(DAEMONS_PATH, c.path))) this.reconcile();
  }

  /** What the configuration (and the command line) asks for. */
  private desired(): Map<string, readonly string[]> {
    const out = new Map<string, readonly string[]>();
    for (const name of this.extra) out.set(name, []);
    const list = this.engine.schema.lists.get(`${DAEMONS_PATH}/daemon`);
    for (const e of list ? this.engine.running.children('/', list) : []) {
      if (e.body.enabled === false) continue;
      out.set(String(e.body.name), Array.isArray(e.body.args) ? e.body.args.map(String) : []);
    }
    return out;
  }

  private reconcile(): void {
    if (this.stopping) return;
    const desired = this.desired();
    for (const [name, args] of desired) {
      const m = this.managed.get(name);
      if (!m) {
        this.launch(this.track(name, args));
      } else if (!m.wanted || m.args.join('\0') !== args.join('\0')) {
        m.wanted = true;
        m.args = args;
        // New arguments take effect by a restart.
        if (m.child) m.child.kill('SIGTERM');
        else this.launch(m);
      }
    }
    for (const m of this.managed.values()) {
      if (desired.has(m.name) || !m.wanted) continue;
      m.wanted = false;
      if (m.timer) { clearTimeout(m.timer); m.timer = null; }
      if (m.child) m.child.kill('SIGTERM');
      else this.setStatus(m, 'stopped');
    }
  }

  private track(name: string, args: readonly string[]): Managed {
    const m: Managed = {
      name, args, child: null, status: 'stopped', restarts: 0, quickExits: 0, lastExit: '', since: new Date().toISOString(),
      startedAt: 0, timer: null, wanted: true,
    };
    this.managed.set(name, m);
    return m;
  }

  private setStatus(m: Managed, status: DaemonStatus): void {
    if (m.status !== status) { m.status = status; m.since = new Date().toISOString(); }
  }

  private launch(m: Managed): void {
    m.timer = null;
    if (!m.wanted || this.stopping) return;
    const program = daemonProgram(m.name);
    if (!existsSync(program)) {
      this.setStatus(m, 'not-installed');
      this.log.warn({ daemon: m.name }, 'daemon is not installed');
      return;
    }
    this.setStatus(m, 'starting');
    const child = spawn(process.execPath, [program, '--socket', this.dirs.socket, '--data-dir', this.dirs.root, '--name', m.name, ...m.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.capture(m.name, 'stdout', child.stdout!);
    this.capture(m.name, 'stderr', child.stderr!);
    m.child = child;
    m.startedAt = Date.now();
    child.once('spawn', () => { this.setStatus(m, 'running'); this.log.info({ daemon: m.name, daemonPid: child.pid }, 'daemon started'); });
    child.once('error', (e) => this.log.error({ daemon: m.name, err: e.message }, 'daemon could not start'));
    child.once('exit', (code, signal) => this.exited(m, code, signal));
  }

  /**
   * A daemon's output becomes the appliance's log: one JSON line per line it writes, with its
   * name (a JSON line of its own is kept as an object, text as the line).
   */
  private capture(daemon: string, stream: 'stdout' | 'stderr', from: Readable): void {
    const lines = createInterface({ input: from, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.trim() === '') return;
      const record = parseRecord(line);
      if (record) this.log.info({ daemon, stream, record }, typeof record.msg === 'string' ? record.msg : 'daemon output');
      else this.log.info({ daemon, stream, line }, 'daemon output');
    });
  }

  private exited(m: Managed, code: number | null, signal: NodeJS.Signals | null): void {
    m.child = null;
    m.lastExit = signal ? `signal ${signal}` : `exit ${code ?? '?'}`;
    if (!m.wanted || this.stopping) { this.setStatus(m, 'stopped'); return; }
    m.restarts++;
    m.quickExits = Date.now() - m.startedAt >= STABLE_MS ? 0 : m.quickExits + 1;
    const delay = Math.min(MAX_DELAY_MS, 250 * 2 ** Math.max(0, m.quickExits - 1));
    this.setStatus(m, m.quickExits >= 5 ? 'failed' : 'backoff');
    this.log.warn({ daemon: m.name, exit: m.lastExit, restartInMs: delay }, 'daemon exited; restarting');
    m.timer = setTimeout(() => this.launch(m), delay);
    m.timer.unref();
  }

  /** The state subtree of one daemon, or undefined when it is not managed. */
  state(name: string): JsonObject | undefined {
    const m = this.managed.get(name);
    if (!m) return undefined;
    return {
      status: m.status, restarts: m.restarts, since: m.since,
      ...(m.child?.pid !== undefined && m.status === 'running' ? { pid: m.child.pid } : {}),
      ...(m.lastExit ? { 'last-exit': m.lastExit } : {}),
    };
  }

  list(): Array<{ name: string } & JsonObject> {
    return [...this.managed.keys()].sort().map((name) => ({ name, ...this.state(name)! }));
  }

  /** Stops every daemon (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const waits: Promise<void>[] = [];
    for (const m of this.managed.values()) {
      if (m.timer) clearTimeout(m.timer);
      const child = m.child;
      if (!child) continue;
      waits.push(new Promise((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => { clearTimeout(kill); resolve(); });
        child.kill('SIGTERM');
      }));
    }
    await Promise.all(waits);
  }
}
