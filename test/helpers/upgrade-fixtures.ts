/**
 * Test helpers for the upgrade manager, black box: a signing key and its keyring, bundles of
 * this build (built once per process), data directories, the boot loader (`appliance start`)
 * as a child process with fault injection, the boot loader's control socket, and the
 * configuration, history and audit of a device through `bin/appliance`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { ConfdError, DataDirLock, SocketClient, type JsonObject } from '../../confd/api/index.js';
import { APP_ROOT } from '../../confd/main/app-paths.js';
import type { BootState, SlotName } from '../../upgrade/boot/state.js';
import { collectBuildFiles, createBundle } from '../../upgrade/bundle/index.js';
import type { JobRecord } from '../../upgrade/install/job.js';
import { deviceLayout } from '../../upgrade/layout.js';
import { APPLIANCE_BIN, runAppliance, type RunResult } from './appliance-process.js';

export type { BootState, JobRecord, SlotName };

/** The steps of an install job, in order (upgrade/install/job.ts). */
export const INSTALL_STEPS = [
  'verify', 'mark-installing', 'write-slot', 'verify-slot', 'copy-config', 'transform', 'validate', 'replace-config',
  'mark-ready', 'switch', 'restart', 'health-check', 'mark-good',
] as const;

/** The steps of a rollback job, in order. */
export const ROLLBACK_STEPS = [
  'verify', 'copy-config', 'transform', 'validate', 'replace-config', 'switch', 'restart', 'health-check', 'mark-good',
] as const;

/** Short, so that a failing boot costs little. */
export const HEALTH_DEADLINE_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Waiting

export async function waitFor<T>(what: string, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// Keys, keyring, bundles

export interface UpgradeKit {
  /** Scratch directory of this process (keys, bundles, configuration files). */
  readonly dir: string;
  /** The trusted signing key (KEY, KEY.pub). */
  readonly key: string;
  readonly publicKey: string;
  /** A key that no data directory trusts. */
  readonly otherKey: string;
  /** A bundle of this build made by `appliance bundle create` (cached by arguments). */
  bundle(version: string, schemaVersion: number, key?: string): Promise<string>;
  /**
   * A bundle of this build whose package.json says `version` too, as a real release's would:
   * the management daemon knows its version from package.json (crash-version faults use it).
   */
  stampedBundle(version: string, schemaVersion: number): Promise<string>;
  /** A fresh data directory that trusts `key.pub`. */
  dataDir(prefix?: string): string;
  /** Writes `value` as JSON into the kit's directory and returns the file. */
  jsonFile(name: string, value: unknown): string;
  remove(): void;
}

let kit: Promise<UpgradeKit> | null = null;

/** The kit of this process: one key pair, bundles built once. */
export function upgradeKit(): Promise<UpgradeKit> {
  kit ??= makeKit();
  return kit;
}

function cli(args: readonly string[]): Promise<RunResult> {
  return runAppliance(args);
}

async function makeKit(): Promise<UpgradeKit> {
  const dir = mkdtempSync(join(tmpdir(), 'upg-kit-'));
  const dataDirs: string[] = [];
  const key = join(dir, 'signer');
  const otherKey = join(dir, 'stranger');
  for (const k of [key, otherKey]) {
    const r = await cli(['bundle', 'keygen', '--out', k]);
    assert.equal(r.code, 0, `bundle keygen: ${r.stderr}`);
  }
  const bundles = new Map<string, Promise<string>>();
  let files = 0;
  // ssh2's generateKeyPairSync('ed25519') makes a key its own parser rejects about once in 250 (see the
  // report: confd/ssh/host-key.ts); a data directory with such a host key never boots. The data
  // directories here get a host key known to parse, so that these tests do not fail at random for it.
  let hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
  for (let i = 0; i < 100 && ssh2.utils.parseKey(hostKey) instanceof Error; i++) hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
  return {
    dir, key, publicKey: `${key}.pub`, otherKey,
    bundle(version, schemaVersion, signer = key) {
      const id = `cli:${version}:${schemaVersion}:${signer}`;
      let p = bundles.get(id);
      if (!p) {
        const out = join(dir, `b${bundles.size}-${version}-s${schemaVersion}.bundle`);
        p = cli(['bundle', 'create', '--version', version, '--schema-version', String(schemaVersion), '--key', signer, '--out', out])
          .then((r) => { assert.equal(r.code, 0, `bundle create: ${r.stderr}`); return out; });
        bundles.set(id, p);
      }
      return p;
    },
    stampedBundle(version, schemaVersion) {
      const id = `stamped:${version}:${schemaVersion}`;
      let p = bundles.get(id);
      if (!p) {
        const out = join(dir, `b${bundles.size}-${version}-s${schemaVersion}-stamped.bundle`);
        p = (async () => {
          const pkgFile = join(dir, `package-${version}.json`);
          const pkg = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
          writeFileSync(pkgFile, JSON.stringify({ ...pkg, version }, null, 2) + '\n');
          const build = (await collectBuildFiles(APP_ROOT)).map((f) => (f.path === 'package.json' ? { path: f.path, absolute: pkgFile } : f));
          await createBundle({ files: build, version, schemaVersion, product: 'appliance', privateKeyFile: key, out });
          return out;
        })();
        bundles.set(id, p);
      }
      return p;
    },
    dataDir(prefix = 'upg-') {
      const d = mkdtempSync(join(tmpdir(), prefix));
      mkdirSync(join(d, 'keyring'), { recursive: true });
      copyFileSync(`${key}.pub`, join(d, 'keyring', 'signer.pub'));
      writeFileSync(join(d, 'ssh_host_ed25519_key'), hostKey, { mode: 0o600 });
      dataDirs.push(d);
      return d;
    },
    jsonFile(name, value) {
      const f = join(dir, `${files++}-${name}`);
      writeFileSync(f, JSON.stringify(value, null, 2) + '\n');
      return f;
    },
    remove() {
      for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Copies a stopped data directory (without its sockets), e.g. to reuse an upgraded appliance. */
export function copyDataDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.sock') });
}

// ---------------------------------------------------------------------------------------------
// The boot loader as a child process

export interface StartOptions {
  /** The schema version of the factory install (an empty data directory). */
  readonly schemaVersion?: number;
  readonly healthDeadlineMs?: number;
  /** APPLIANCE_FAULT and friends. */
  readonly env?: Record<string, string>;
  /** More arguments of `appliance start` (e.g. --daemon NAME). */
  readonly args?: readonly string[];
}

interface LogLine { msg?: string; slot?: string; daemonPid?: number; [k: string]: unknown }

/** `appliance start` on a data directory; its stderr (the boot loader's and the daemon's logs) is kept. */
export class BootLoaderProcess {
  private log = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly dir: string, readonly child: ChildProcess) {
    child.stderr!.on('data', (d: Buffer) => { this.log += d.toString(); });
    child.stdout!.resume();
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(dir: string, o: StartOptions = {}): BootLoaderProcess {
    const args = [APPLIANCE_BIN, 'start', '--data-dir', dir, '--port', '0', '--http-port', '0', '--log-level', 'info',
      '--health-deadline', String(o.healthDeadlineMs ?? HEALTH_DEADLINE_MS)];
    if (o.schemaVersion !== undefined) args.push('--schema-version', String(o.schemaVersion));
    args.push(...(o.args ?? []));
    const env: Record<string, string | undefined> = { ...process.env, ...o.env };
    if (!o.env?.APPLIANCE_FAULT) delete env.APPLIANCE_FAULT;
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new BootLoaderProcess(dir, child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything logged so far; an offset into it marks "from now on". */
  stderr(): string {
    return this.log;
  }

  mark(): number {
    return this.log.length;
  }

  private lines(from = 0): LogLine[] {
    const out: LogLine[] = [];
    for (const line of this.log.slice(from).split('\n')) {
      if (!line.startsWith('{')) continue;
      try { out.push(JSON.parse(line) as LogLine); } catch { /* a partial last line */ }
    }
    return out;
  }

  /** The slots that passed their health check since `from`, in order. */
  goodBoots(from = 0): string[] {
    return this.lines(from).filter((l) => l.msg === 'slot is good').map((l) => String(l.slot));
  }

  /** The slots booted since `from`, in order (whether or not they passed). */
  boots(from = 0): string[] {
    return this.lines(from).filter((l) => l.msg === 'booting').map((l) => String(l.slot));
  }

  /** Waits until `slot` (any slot if omitted) passes its health check, after log offset `from`. */
  async waitGood(slot?: SlotName, from = 0, timeoutMs = 45_000): Promise<void> {
    try {
      await waitFor(`a good boot of slot ${slot ?? 'any'} on ${this.dir}`, () => {
        if (this.goodBoots(from).some((s) => slot === undefined || s === slot)) return true;
        if (!this.running) throw new Error(`the boot loader exited (${this.child.exitCode ?? this.child.signalCode})`);
        return false;
      }, timeoutMs);
    } catch (e) {
      throw new Error(`${(e as Error).message}; its log ends:\n${this.tail()}`);
    }
  }

  /** Waits for the boot loader to end (a fault killed it), then for its daemons to end and let go of the data directory. */
  async waitExit(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the boot loader on ${this.dir} did not exit within ${timeoutMs} ms:\n${this.tail()}`)), timeoutMs);
    });
    try {
      const r = await Promise.race([this.exited, timeout]);
      // Its daemon may still be starting: wait for it to end (its stdin is closed), then for the locks.
      const pids = this.daemonPids();
      await waitFor(`the daemons ${pids.join(', ')} of ${this.dir} to end`, () => pids.every(processGone), 15_000, 50);
      await waitReleased(this.dir);
      return r;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The management daemons it started (from its "booting" log lines). */
  daemonPids(): number[] {
    return this.lines().filter((l) => l.msg === 'booting').map((l) => {
      // Without the pid the kill would not wait for the daemon, which then races the next user of the directory.
      if (typeof l.daemonPid !== 'number') throw new Error(`a "booting" line without daemonPid: ${JSON.stringify(l)}`);
      return l.daemonPid;
    });
  }

  /**
   * SIGKILL (a clean stop takes 10 s, see the report) and wait until the daemons it started have
   * ended too (they stop when their stdin, held by the boot loader, closes). Waits for nothing
   * when it had already ended: another boot loader may run on the same directory by now.
   */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
    const pids = this.daemonPids();
    try {
      await waitFor(`the daemons ${pids.join(', ')} of ${this.dir} to end`, () => pids.every(processGone), 15_000, 50);
    } catch (e) {
      for (const pid of pids.filter((p) => !processGone(p))) process.kill(pid, 'SIGKILL');
      throw e;
    }
  }

  tail(lines = 30): string {
    return this.log.split('\n').slice(-lines).join('\n');
  }
}

/** A boot loader on a fresh data directory of `k`, killed when the test ends, once slot a passed its health check. */
export async function bootFresh(t: { after(fn: () => Promise<void>): void }, k: UpgradeKit, o: StartOptions = { schemaVersion: 1 }): Promise<{ dir: string; app: BootLoaderProcess }> {
  const dir = k.dataDir();
  const app = BootLoaderProcess.start(dir, o);
  t.after(() => app.kill());
  await app.waitGood('a');
  return { dir, app };
}

/** Whether process `pid` has ended (gone, or a zombie nobody reaped yet). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits until no process holds the boot loader's or the daemon's lock on `dir`. */
export async function waitReleased(dir: string, timeoutMs = 15_000): Promise<void> {
  const locks = [deviceLayout(dir).bootLock, join(dir, 'appliance.lock')];
  await waitFor(`the locks of ${dir} to be released`, () => locks.every((l) => !existsSync(l) || !DataDirLock.isHeld(l)), timeoutMs, 50);
}

// ---------------------------------------------------------------------------------------------
// The control socket and the job

/** One request on the boot loader's control socket (D/boot.sock); errors are ConfdErrors with their code. */
export async function control<T = unknown>(dir: string, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const c = await SocketClient.connect(deviceLayout(dir).bootSocket, 'upgrade-test', 'upgrade-test');
  try {
    return await c.request<T>(method, params);
  } finally {
    c.close();
  }
}

export interface SoftwareStatus { state: BootState; booted: SlotName | null; job: JobRecord | null }

/** Polls the control socket until the job is no longer running; returns the status then. */
export async function waitJobEnd(dir: string, timeoutMs = 90_000): Promise<SoftwareStatus> {
  return waitFor(`the software job on ${dir} to end`, async () => {
    const st = await control<SoftwareStatus>(dir, 'software.status');
    return st.job && st.job.status !== 'running' ? st : null;
  }, timeoutMs, 150);
}

/** `appliance software status --json`. */
export async function softwareStatus(dir: string): Promise<SoftwareStatus> {
  return jsonOf(await runCli(['software', 'status', '--json'], dir), 'software status');
}

/** The boot state on disk, as text (to compare byte for byte) and parsed. */
export function bootStateFile(dir: string): { text: string | null; state: BootState | null } {
  const f = deviceLayout(dir).bootState;
  if (!existsSync(f)) return { text: null, state: null };
  const text = readFileSync(f, 'utf8');
  return { text, state: JSON.parse(text) as BootState };
}

/** The slot the appliance runs on is good and primary, nothing is on trial, and the other slot is `other`. */
export function assertOnGoodSlot(st: SoftwareStatus, slot: SlotName, other: BootState['slots']['a']['status']): void {
  const otherSlot: SlotName = slot === 'a' ? 'b' : 'a';
  assert.equal(st.booted, slot, `booted slot (state ${JSON.stringify(st.state)})`);
  assert.equal(st.state.primary, slot, 'primary slot');
  assert.equal(st.state.trial, null, 'nothing on trial');
  assert.equal(st.state.slots[slot].status, 'good', `slot ${slot} is good`);
  assert.equal(st.state.slots[otherSlot].status, other, `slot ${otherSlot} is ${other} (${st.state.slots[otherSlot].reason ?? ''})`);
}

export function stepNames(job: JobRecord): string[] {
  return job.steps.map((s) => s.name);
}

// ---------------------------------------------------------------------------------------------
// The device through bin/appliance

export function runCli(args: readonly string[], dir: string, env: Record<string, string> = {}): Promise<RunResult> {
  return runAppliance([...args, '--data-dir', dir], { env });
}

export function jsonOf<T>(r: RunResult, what: string): T {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}`);
  try {
    return JSON.parse(r.stdout) as T;
  } catch (e) {
    throw new Error(`${what} printed no JSON: ${(e as Error).message}\n${r.stdout}`);
  }
}

/** The last line of a `--json --follow` output: JSON lines only (progress, then the job's end); throws on any other line. */
export function lastJsonDocument<T>(stdout: string): T {
  const lines = stdout.split('\n').filter((l) => l !== '');
  for (const l of lines) JSON.parse(l);
  return JSON.parse(lines.at(-1) ?? 'null') as T;
}

/** `appliance config import --merge FILE` of `tree` (written into the kit's directory). */
export async function importConfig(k: UpgradeKit, dir: string, tree: JsonObject): Promise<void> {
  const r = await runCli(['config', 'import', '--merge', k.jsonFile('import.json', tree)], dir);
  assert.equal(r.code, 0, `config import: ${r.stderr}`);
}

export async function exportConfig(dir: string): Promise<JsonObject> {
  return jsonOf(await runCli(['config', 'export'], dir), 'config export');
}

export interface CommitHeader { txid: number; time: string; user: string; source: string; comment: string; nodes: number }

export async function history(dir: string): Promise<CommitHeader[]> {
  return jsonOf(await runCli(['config', 'history', '--json', '--last', '1000'], dir), 'config history');
}

export interface AuditRecord {
  seq: number; time: string; user: string; source: string; action: string; target: string; result: string;
  detail?: Record<string, unknown>;
}

export async function auditShow(dir: string): Promise<AuditRecord[]> {
  return jsonOf(await runCli(['audit', 'show', '--json', '--last', '100000'], dir), 'audit show');
}

export async function auditVerify(dir: string): Promise<{ ok: boolean; records: number }> {
  return jsonOf(await runCli(['audit', 'verify', '--json'], dir), 'audit verify');
}

/** The audit records of software jobs (install, rollback), by job id. */
export function softwareRecords(records: readonly AuditRecord[], jobId: string): AuditRecord[] {
  return records.filter((r) => r.action.startsWith('software-') && (r.target === jobId || r.detail?.job === jobId));
}

/** The audit record of a job's outcome: its status and its reason, as `software status` shows them. */
export function assertAuditedOutcome(records: readonly AuditRecord[], job: JobRecord): void {
  const mine = softwareRecords(records, job.id);
  const outcome = mine.filter((r) => r.detail?.status !== undefined);
  assert.ok(outcome.length > 0, `no audit record of the outcome of ${job.kind} job ${job.id} (${job.status}: ${job.reason ?? ''}); `
    + `software records: ${JSON.stringify(records.filter((r) => r.action.startsWith('software-')))}`);
  const last = outcome.at(-1)!;
  assert.ok(last.action === `software-${job.kind === 'install' ? 'add' : 'rollback'}` || last.action === `software-${job.kind}`,
    `audit action ${last.action}`);
  assert.equal(last.detail!.status, job.status, 'audited status');
  assert.equal(last.detail!.reason ?? null, job.reason, 'audited reason');
  assert.equal(last.result, job.status === 'succeeded' || job.status === 'watching' ? 'ok' : 'error', 'audited result');
  assert.deepEqual(last.detail!.steps, stepNames(job), 'audited steps');
}

/** A refused `software add` or `rollback` is in the audit log with its code. */
export function assertAuditedRefusal(records: readonly AuditRecord[], afterSeq: number, action: string, code: string): void {
  const refused = records.filter((r) => r.seq > afterSeq && r.action === action && r.result !== 'ok');
  assert.ok(refused.some((r) => JSON.stringify(r.detail ?? {}).includes(code)),
    `no audit record of the refused ${action} (${code}); records since seq ${afterSeq}: `
    + JSON.stringify(records.filter((r) => r.seq > afterSeq).map((r) => ({ action: r.action, result: r.result, detail: r.detail }))));
}

/** Awaits a ConfdError with `code` (the control socket's). */
export async function refusedWith(p: Promise<unknown>, code: string): Promise<ConfdError> {
  let caught: unknown;
  try { await p; } catch (e) { caught = e; }
  assert.ok(caught instanceof ConfdError, `expected ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  return caught;
}

/** File names under D/slots, recursively (to show that nothing was written). */
export function slotFiles(dir: string): string[] {
  const root = join(dir, 'slots');
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).map(String).sort();
}

// ---------------------------------------------------------------------------------------------
// The sample configuration and what schema version 2 makes of it

export const V1_CONFIG: JsonObject = {
  system: {
    hostname: 'mountain-gw', timezone: 'Europe/Zurich',
    ntp: { enabled: true, server: ['0.pool.ntp.org', '192.0.2.123'] },
  },
  interfaces: {
    interface: [
      { name: 'eth0', description: 'uplink', mtu: 1500, address: ['203.0.113.2/30'] },
      { name: 'eth1', description: 'office LAN', mtu: 1500, address: ['10.10.0.1/24'] },
    ],
  },
  firewall: {
    rule: [
      { sequence: 10, name: 'ssh-from-lan', action: 'accept', protocol: 'tcp', source: '10.10.0.0/16', destination: '10.10.0.1/32', port: 22 },
      { sequence: 20, name: 'block-bogons', action: 'drop', protocol: 'any', source: '192.168.0.0/16', destination: '10.10.0.0/16' },
    ],
  },
};

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function splitPrefix(v: string): [string, number] {
  const [address, length] = v.split('/');
  return [address!, Number(length)];
}

/** What an exported version 1 configuration becomes under version 2 (with version 2's defaults). */
export function expectedV2(v1: JsonObject): JsonObject {
  const out = clone(v1) as Record<string, unknown>;
  const system = out.system as Record<string, unknown> | undefined;
  if (system) {
    if ('timezone' in system) { system['time-zone'] = system.timezone; delete system.timezone; }
    const ntp = system.ntp as Record<string, unknown> | undefined;
    if (ntp && Array.isArray(ntp.server)) ntp.server = (ntp.server as string[]).map((address) => ({ address, prefer: false }));
    // Parts new in version 2, with their defaults: monitoring, and the SSH/NETCONF/CLI limits.
    system.monitoring = { 'interval-seconds': 10, 'disk-usage-alarm-percent': 90, 'memory-available-alarm-percent': 5 };
    system.services = {
      ssh: { 'login-grace-time': 30, 'max-auth-tries': 6, 'max-connections-per-source': 32, 'max-startups': { start: 10, rate: 30, full: 100 } },
      netconf: { 'idle-timeout': 0 },
      cli: { 'idle-timeout': 900 },
    };
  }
  for (const rule of (out.firewall as { rule?: Array<Record<string, unknown>> } | undefined)?.rule ?? []) {
    for (const side of ['source', 'destination']) {
      if (typeof rule[side] !== 'string') continue;
      const [address, length] = splitPrefix(rule[side] as string);
      delete rule[side];
      rule[`${side}-address`] = address;
      rule[`${side}-prefix-length`] = length;
    }
  }
  return out as JsonObject;
}

/** The sequence number of the newest audit record (0 when there is none). */
export function lastSeq(records: readonly AuditRecord[]): number {
  return records.reduce((m, r) => Math.max(m, r.seq), 0);
}

/** History after an upgrade or rollback: one new commit (source upgrade) on top of exactly the history before. */
export function assertHistoryContinues(after: readonly CommitHeader[], before: readonly CommitHeader[]): void {
  assert.equal(after.length, before.length + 1, `one commit on top of the ${before.length} before: ${JSON.stringify(after)}`);
  const [top, ...rest] = after;
  assert.equal(top!.source, 'upgrade', 'the new commit is the upgrade\'s');
  assert.ok(top!.txid > Math.max(0, ...before.map((h) => h.txid)), 'the new commit is the newest');
  assert.deepEqual(rest, [...before], 'the history before is kept, commit for commit');
}
