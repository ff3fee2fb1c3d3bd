/**
 * @module upgrade/install/migration
 * Runs `appliance migrate` of an installed build on a database copy (the build that knows
 * both schema versions carries the configuration), and removes such copies.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfdError, JsonLinesDecoder } from '../../confd/api/index.js';

export interface Loss { readonly path: string; readonly reason: string }

export interface LeafChange { readonly path: string; readonly op: string; readonly old?: unknown; readonly new?: unknown }

export interface MigrateResult { changes: LeafChange[]; changed: number; losses: Loss[]; txid: number | null }

/** A database copy and its WAL files, if any. */
export function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}

/**
 * Runs `appliance migrate` of the build in `app` on a database copy. Its stdout is JSON lines:
 * {"step": …} as it goes, then {"result": …}; a failure is one line on stderr and exit 1.
 */
export function runMigration(
  app: string, db: string, from: number, to: number,
  o: { dryRun?: boolean; acceptLosses?: boolean; onStep?: (step: string) => void; auditKey?: string } = {},
): Promise<MigrateResult> {
  return new Promise((resolve, reject) => {
    const args = [join(app, 'dist', 'main', 'appliance.js'), 'migrate', '--db', db, '--from', String(from), '--to', String(to), '--json'];
    if (o.dryRun) args.push('--dry-run');
    if (o.acceptLosses) args.push('--accept-losses');
    const env = o.auditKey ? { ...process.env, APPLIANCE_AUDIT_KEY_FILE: o.auditKey } : process.env;
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const lines = new JsonLinesDecoder();
    let err = '';
    let result: MigrateResult | undefined;
    child.stdout.on('data', (d: Buffer) => {
      try {
        for (const m of lines.push(d) as Array<{ step?: string; result?: MigrateResult }>) {
          if (m.step) o.onStep?.(m.step);
          if (m.result) result = m.result;
        }
      } catch (e) {
        err += `unreadable output: ${(e as Error).message}\n`;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new ConfdError('UPG_TRANSFORM_FAILED', `carrying the configuration from schema ${from} to ${to} failed: ${err.trim().split('\n').pop() ?? `exit ${code}`}`));
    });
  });
}
