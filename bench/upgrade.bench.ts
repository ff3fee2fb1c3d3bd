/**
 * @module bench/upgrade.bench
 * The upgrade manager on an appliance holding 100,000 firewall rules: a real boot loader on
 * schema version 1, a signed bundle of this build on schema version 2, then `software add` and
 * `software rollback`, timed step by step from the job journal. It fails (throws) when a job
 * does not succeed or the configuration after it is not the one expected: every rule carried
 * to version 2's shape after the install, the configuration of before after the rollback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SocketClient } from '../confd/api/index.js';
import { APP_ROOT } from '../confd/main/app-paths.js';
import type { JobRecord } from '../upgrade/install/job.js';
import { nowMs, report } from './stats.js';

const BIN = join(APP_ROOT, 'bin', 'appliance');

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`appliance ${args[0]} exited ${code}`))));
  });
}

async function connect(socket: string): Promise<SocketClient> {
  for (let i = 0; i < 600; i++) {
    try { return await SocketClient.connect(socket, 'bench', 'bench'); } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error(`no answer on ${socket}`);
}

function rules(n: number): Record<string, unknown> {
  return {
    firewall: {
      rule: Array.from({ length: n }, (_, i) => ({
        sequence: i + 1, action: i % 3 === 0 ? 'drop' : 'accept', protocol: 'tcp', port: 1 + (i % 65535),
        source: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`, description: `rule ${i + 1}`,
      })),
    },
  };
}

/** Milliseconds spent in each step, from the journal's step timestamps. */
function stepTimes(job: JobRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < job.steps.length; i++) {
    const s = job.steps[i]!;
    const next = job.steps[i + 1]?.at ?? job.finished ?? s.at;
    out[s.name] = Date.parse(next) - Date.parse(s.at);
  }
  return out;
}

/** The running configuration, from the daemon that serves it now (after a switch, the new one). */
async function exportRunning(socket: string): Promise<Record<string, unknown>> {
  const c = await connect(socket);
  try {
    return await c.request<Record<string, unknown>>('config.export');
  } finally {
    c.close();
  }
}

/** A rollback succeeded; an install did its part (on watch after its health check, or succeeded with no watch). */
function expectSucceeded(job: JobRecord): void {
  const ok = job.status === 'succeeded' || (job.kind === 'install' && job.status === 'watching');
  if (!ok) throw new Error(`the ${job.kind} job ended ${job.status}: ${job.reason ?? ''}`);
}

/** Every one of the `n` rules of rules(n), in version 2's shape (source split in address and prefix length). */
function expectV2Rules(config: Record<string, unknown>, n: number): void {
  const list = ((config.firewall as { rule?: Array<Record<string, unknown>> } | undefined)?.rule) ?? [];
  if (list.length !== n) throw new Error(`after the install the configuration holds ${list.length} rules, not ${n}`);
  list.forEach((r, i) => {
    const want = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    if (r.sequence !== i + 1 || r['source-address'] !== want || r['source-prefix-length'] !== 32 || 'source' in r || r.description !== `rule ${i + 1}`) {
      throw new Error(`after the install rule ${i + 1} is ${JSON.stringify(r)}`);
    }
  });
}

async function followJob(boot: SocketClient): Promise<JobRecord> {
  for (;;) {
    const st = await boot.request<{ job: JobRecord }>('software.status');
    if (st.job.status !== 'running') return st.job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchUpgrade(scratch: string, quick: boolean): Promise<Record<string, unknown>> {
  const n = quick ? 10_000 : 100_000;
  const data = join(scratch, 'upgrade');
  const keys = join(scratch, 'keys');
  mkdirSync(join(data, 'keyring'), { recursive: true });
  mkdirSync(keys, { recursive: true });
  await run(['bundle', 'keygen', '--out', join(keys, 'key')]);
  copyFileSync(join(keys, 'key.pub'), join(data, 'keyring', 'key.pub'));
  const bundle = join(scratch, 'v2.bundle');
  await run(['bundle', 'create', '--version', '2.0.0-bench', '--schema-version', '2', '--key', join(keys, 'key'), '--out', bundle]);

  const appliance: ChildProcess = spawn(process.execPath, [BIN, 'start', '--data-dir', data, '--port', '0', '--schema-version', '1',
    '--log-level', 'warn', '--health-deadline', '120000'], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const socket = join(data, 'confd.sock');
    const daemon = await connect(socket);
    const t0 = nowMs();
    await daemon.request('config.import', { tree: rules(n), merge: true });
    daemon.close();
    const before = JSON.stringify(await exportRunning(socket));
    report({ bench: 'upgrade', workload: `load_${n}_rules`, total_ms: Math.round(nowMs() - t0) });

    const boot = await connect(join(data, 'boot.sock'));
    const start = nowMs();
    await boot.request('software.add', { bundle });
    const job = await followJob(boot);
    const total = nowMs() - start;
    expectSucceeded(job);
    expectV2Rules(await exportRunning(socket), n);
    const steps = stepTimes(job);
    const restart = (steps.restart ?? 0) + (steps['health-check'] ?? 0);
    report({ bench: 'upgrade', workload: `upgrade_${n}_rules`, status: job.status, total_ms: Math.round(total),
      without_restart_ms: Math.round(total - restart), restart_and_health_ms: restart, steps_ms: steps });

    const rbStart = nowMs();
    await boot.request('software.rollback', { confirm: true });
    const rb = await followJob(boot);
    const rbTotal = nowMs() - rbStart;
    expectSucceeded(rb);
    if (JSON.stringify(await exportRunning(socket)) !== before) throw new Error('after the rollback the configuration is not the one of before the install');
    const rbSteps = stepTimes(rb);
    const rbRestart = (rbSteps.restart ?? 0) + (rbSteps['health-check'] ?? 0);
    report({ bench: 'upgrade', workload: `rollback_${n}_rules`, status: rb.status, total_ms: Math.round(rbTotal),
      without_restart_ms: Math.round(rbTotal - rbRestart), restart_and_health_ms: rbRestart, steps_ms: rbSteps });
    boot.close();
    const summary = {
      rules: n, upgrade_status: job.status, upgrade_without_restart_ms: Math.round(total - restart), target_upgrade_ms: 10_000,
      upgrade_total_ms: Math.round(total), rollback_status: rb.status, rollback_without_restart_ms: Math.round(rbTotal - rbRestart),
      rollback_total_ms: Math.round(rbTotal), target_rollback_ms: 5_000,
    };
    report({ bench: 'upgrade', workload: 'summary', ...summary });
    return summary;
  } finally {
    appliance.kill('SIGTERM');
    await new Promise((r) => appliance.once('exit', r));
  }
}
