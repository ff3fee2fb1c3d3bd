/**
 * Test helpers: the real `bin/appliance` as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  /** The SSH port it listens on (127.0.0.1). */
  readonly port: number;
  stderr(): string;
  /** SIGTERM and wait for a clean exit; returns the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `appliance start` on a free loopback port and waits until it reports that it is up. */
export async function startAppliance(dataDir: string, extraArgs: readonly string[] = [], env: Record<string, string> = {}): Promise<RunningAppliance> {
  const child = spawn(process.execPath, [APPLIANCE_BIN, 'start', '--data-dir', dataDir, '--port', '0', '--http-port', '0', '--log-level', 'info', ...extraArgs], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    // With --log-file the log is not on stderr: wait for the file to report it instead.
    const logFile = extraArgs[extraArgs.indexOf('--log-file') + 1];
    if (extraArgs.includes('--log-file') && logFile) pollLog(logFile, resolve);
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`appliance did not come up: ${stderr}`)); }, 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /"sshPort":(\d+)/.exec(stderr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`appliance exited early (${code}): ${stderr}`)); });
  });
  return {
    child, dataDir, port, stderr: () => stderr,
    stop: async () => { if (child.exitCode === null) child.kill('SIGTERM'); return exited; },
  };
}

function pollLog(file: string, found: (port: number) => void): void {
  const timer = setInterval(() => {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { return; }
    const m = /"sshPort":(\d+)/.exec(text);
    if (m) { clearInterval(timer); found(Number(m[1])); }
  }, 100);
  timer.unref();
}
