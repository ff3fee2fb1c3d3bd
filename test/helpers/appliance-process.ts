/**
 * Test helpers: the real `bin/appliance` as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APPLIANCE_BIN = fileURLToPath(new URL('../../../bin/appliance', import.meta.url));

export interface RunResult { code: number | null; stdout: string; stderr: string }

/** Runs `appliance ARGS…` to completion. */
export function runAppliance(args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPLIANCE_BIN, ...args], {
      env: { ...process.env, APPLIANCE_LOG_LEVEL: 'warn', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface RunningAppliance {
  readonly child: ChildProcess;
  readonly dataDir: string;
  stderr(): string;
  /** SIGTERM and wait for a clean exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `appliance start` and waits until its socket answers. */
export async function startAppliance(dataDir: string, extraArgs: readonly string[] = [], env: Record<string, string> = {}): Promise<RunningAppliance> {
  const child = spawn(process.execPath, [APPLIANCE_BIN, 'start', '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const socket = join(dataDir, 'confd.sock');
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`appliance exited early (${child.exitCode}): ${stderr}`);
    if (existsSync(socket)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(socket)) { child.kill('SIGKILL'); throw new Error(`appliance did not come up: ${stderr}`); }
  return {
    child, dataDir, stderr: () => stderr,
    stop: async () => { if (child.exitCode === null) child.kill('SIGTERM'); return exited; },
  };
}
