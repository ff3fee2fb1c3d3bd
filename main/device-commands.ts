/**
 * @module main/device-commands
 * Commands that work on a device's configuration database: backup, restore, audit,
 * config export/import/history/rollback/compare/blame. They reach a running appliance through
 * its socket, or a stopped one in-process (confd/main/device-api).
 */
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { ConfdError } from '../confd/core/errors.js';
import type { LeafChange } from '../confd/core/diff.js';
import { SCHEMAS_DIR, dataDir } from '../confd/main/app-paths.js';
import { defaultBackupFile, recordBackup } from '../confd/main/backups.js';
import { connectDevice, type DeviceApi } from '../confd/main/device-api.js';
import { newestSchemaVersion } from '../confd/schema/loader.js';
import type { AuditRecord } from '../confd/store/audit-chain.js';
import { reanchorAudit, verifyDeviceAudit } from '../confd/main/device.js';
import { DataDirLock } from '../confd/store/lock.js';
import { readSchemaVersion, replaceDatabase } from '../confd/store/backup-file.js';
import type { CommitHeader } from '../confd/store/store.js';
import { activeSlot } from './active-slot.js';
import { DATA_DIR_OPTION, JSON_OPTION, USER_OPTION, flag, str, toolUser, type Command, type CommandContext } from './commands.js';
import { exportXml } from './export-xml.js';
import { parseTime } from './time-arg.js';
import { UsageError, out, printJson } from './output.js';

const toolLogger = () => pino({ level: process.env.APPLIANCE_LOG_LEVEL ?? 'warn' }, pino.destination(2));

export async function withDevice<T>(ctx: CommandContext, fn: (api: DeviceApi) => Promise<T>): Promise<T> {
  const root = str(ctx, 'data-dir')!;
  const api = await connectDevice(root, toolUser(ctx), toolLogger(), activeSlot(root));
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

export interface Outcome { txid: number | null; confirmedPending: boolean }

export function reportCommit(ctx: CommandContext, o: Outcome, what: string): void {
  if (flag(ctx, 'json')) printJson(o);
  else out(o.txid === null ? `${what}: no changes` : `${what}: committed as commit ${o.txid}`);
}

const COMMENT_OPTION = { comment: { type: 'string', arg: 'TEXT', describe: 'the comment recorded with the commit', defaultText: 'none' } } as const;

export const backup: Command = {
  summary: 'write an online, consistent copy of configuration, history and audit',
  usage: 'appliance backup [FILE] [--json] [--data-dir D]',
  options: { ...DATA_DIR_OPTION, ...USER_OPTION, ...JSON_OPTION },
  run: (ctx) => withDevice(ctx, async (api) => {
    const dirs = dataDir(str(ctx, 'data-dir')!);
    const file = resolve(ctx.positionals[0] ?? defaultBackupFile(dirs));
    mkdirSync(resolve(file, '..'), { recursive: true });
    const r = await api.request<{ file: string; bytes: number }>('backup', { file });
    recordBackup(dirs, r.file);
    if (flag(ctx, 'json')) printJson(r);
    else out(`backup written to ${r.file} (${r.bytes} bytes)`);
    return 0;
  }),
};

export const restore: Command = {
  summary: 'restore the configuration from a backup (as one commit), or --full: replace the whole database of a stopped device',
  usage: 'appliance restore FILE [--full] [--json] [--data-dir D]',
  options: {
    ...DATA_DIR_OPTION, ...USER_OPTION, ...JSON_OPTION,
    full: { type: 'boolean', describe: 'replace the whole database (history and audit too) of a stopped device' },
  },
  async run(ctx) {
    const file = ctx.positionals[0];
    if (!file) throw new UsageError('restore needs the backup file');
    tightenBackup(resolve(file));
    if (flag(ctx, 'full')) {
      const root = str(ctx, 'data-dir')!;
      const active = activeSlot(root);
      const dirs = dataDir(root, active.slot);
      const lock = DataDirLock.tryAcquire(dirs.lock);
      if (!lock) throw new ConfdError('STORE_LOCKED', 'the appliance is running; stop it before a full restore, or restore without --full');
      try {
        const version = active.schemaVersion ?? readSchemaVersion(dirs.database) ?? newestSchemaVersion(SCHEMAS_DIR);
        const c = replaceDatabase(dirs.database, resolve(file), version);
        // The replaced database's checkpoint no longer applies: the restored chain is anchored anew.
        reanchorAudit(root, active.slot);
        if (flag(ctx, 'json')) printJson({ file: resolve(file), lastTxid: c.lastTxid, auditRecords: c.auditRecords });
        else out(`database replaced by ${file} (last commit ${c.lastTxid}, ${c.auditRecords} audit records); the previous one was kept beside it`);
      } finally {
        lock.release();
      }
      return 0;
    }
    return withDevice(ctx, async (api) => {
      reportCommit(ctx, await api.request<Outcome>('restore', { file: resolve(file) }), 'restore');
      return 0;
    });
  },
};

export const audit: Command = {
  summary: 'verify the audit chain, or show audit records',
  usage: 'appliance audit verify|show [--user U] [--action A] [--since TIME] [--until TIME] [--last N] [--json] [--data-dir D]',
  subcommands: ['verify', 'show'],
  options: {
    ...DATA_DIR_OPTION, ...USER_OPTION, ...JSON_OPTION,
    user: { type: 'string', arg: 'U', describe: 'show: only records of this user', defaultText: 'all' },
    action: { type: 'string', arg: 'A', describe: 'show: only records of this action (commit, login…)', defaultText: 'all' },
    since: { type: 'string', arg: 'TIME', describe: 'show: records from TIME on: ISO time, 30m, 1h, 2d, today, yesterday', defaultText: 'the first' },
    until: { type: 'string', arg: 'TIME', describe: 'show: records up to TIME (same forms as --since)', defaultText: 'now' },
    last: { type: 'string', arg: 'N', describe: 'show: only the N newest records', defaultText: 'all' },
  },
  run: (ctx) => {
    const sub = ctx.positionals[0];
    if (sub === 'verify') {
      // Read-only, whether the appliance runs or not: verification writes nothing (a full disk, a read-only directory).
      const root = str(ctx, 'data-dir')!;
      const v = verifyDeviceAudit(root, activeSlot(root).slot);
      if (flag(ctx, 'json')) printJson(v);
      if (v.ok) {
        if (!flag(ctx, 'json')) {
          const anchor = v.checkpoint ? `, checkpoint at record ${v.checkpoint.seq} of ${v.checkpoint.time}` : ', no checkpoint yet';
          out(`audit chain intact: ${v.records} records${v.keyedFrom === null ? ' (not keyed yet)' : `, keyed from record ${v.keyedFrom}`}${anchor}`);
        }
        return Promise.resolve(0);
      }
      const [first, ...rest] = v.findings;
      process.stderr.write(`appliance: ${first!.seq ? `audit chain broken at record ${first!.seq}` : 'audit trail fails verification'}: ${first!.reason}\n`);
      for (const f of rest) process.stderr.write(`appliance: also (${f.kind}) at record ${f.seq}: ${f.reason}\n`);
      return Promise.resolve(1);
    }
    if (sub === 'show') {
      return withDevice(ctx, async (api) => {
        const q: Record<string, unknown> = {};
        for (const opt of ['user', 'action', 'since', 'until'] as const) {
          const v = str(ctx, opt);
          if (v !== undefined) q[opt] = opt === 'since' || opt === 'until' ? parseTime(opt, v).toISOString() : v;
        }
        const last = str(ctx, 'last');
        if (last !== undefined) {
          if (!/^\d+$/.test(last)) throw new UsageError('--last takes a number of records');
          q.limit = Number(last);
        }
        const records = (await api.request<AuditRecord[]>('audit.show', q)).reverse();
        if (flag(ctx, 'json')) { printJson(records); return 0; }
        for (const r of records) {
          out(`${r.seq}\t${r.time}\t${r.user}@${r.address} (${r.source}, session ${r.session})\t${r.action} ${r.target}\t${r.result}${r.detail ? '\t' + JSON.stringify(r.detail) : ''}`);
        }
        return 0;
      });
    }
    throw new UsageError('audit takes verify or show');
  },
};

function formatChange(c: LeafChange): string {
  const v = (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x));
  switch (c.op) {
    case 'create': return `+ ${c.path} ${v(c.new)}`;
    case 'delete': return `- ${c.path} ${v(c.old)}`;
    case 'modify': return `~ ${c.path} ${v(c.old)} -> ${v(c.new)}`;
  }
}

function parsePoint(text: string | undefined): number | 'running' | 'candidate' {
  if (text === 'running' || text === 'candidate') return text;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`'${text}' is not a commit number, running or candidate`);
  return n;
}

export const config: Command = {
  summary: 'export, import, and inspect the configuration and its history',
  usage: [
    'appliance config export [--format json|xml] [--data-dir D]',
    'appliance config import FILE --merge|--replace [--force] [--comment TEXT] [--json] [--data-dir D]',
    'appliance config history [--last N] [--json]',
    'appliance config rollback N [--comment TEXT] [--json]     (N commits back; a new commit)',
    'appliance config compare FROM TO                 (commit numbers, running or candidate)',
    'appliance config blame PATH',
  ].join('\n       '),
  subcommands: ['export', 'import', 'history', 'rollback', 'compare', 'blame'],
  options: {
    ...DATA_DIR_OPTION, ...USER_OPTION, ...JSON_OPTION, ...COMMENT_OPTION,
    format: { type: 'string', arg: 'json|xml', default: 'json', describe: 'export: JSON, or XML as NETCONF <config>' },
    merge: { type: 'boolean', describe: 'import: merge the file into the configuration' },
    replace: { type: 'boolean', describe: 'import: replace the whole configuration with the file' },
    force: { type: 'boolean', describe: 'import: commit even a configuration that locks every administrator out (audited)' },
    last: { type: 'string', arg: 'N', describe: 'history: the N newest commits', defaultText: '20' },
  },
  run: (ctx) => {
    const [sub, arg, arg2] = ctx.positionals;
    switch (sub) {
      case 'export':
        return withDevice(ctx, async (api) => {
          const tree = await api.request('config.export');
          const format = str(ctx, 'format');
          if (format === 'json') printJson(tree);
          else if (format === 'xml') out(exportXml(tree as Record<string, unknown>, (await api.request<{ schemaVersion: number }>('health')).schemaVersion));
          else throw new UsageError(`unknown format '${format}'`);
          return 0;
        });
      case 'import': {
        if (!arg) throw new UsageError('import needs a file');
        // Replacing everything (users included) is never the silent default: say which is meant.
        if (flag(ctx, 'merge') === flag(ctx, 'replace')) {
          throw new UsageError('import takes --merge (add the file to the configuration) or --replace (the file becomes the whole configuration)');
        }
        const tree = parseConfigFile(arg);
        return withDevice(ctx, async (api) => {
          reportCommit(ctx, await api.request<Outcome>('config.import', {
            tree, merge: flag(ctx, 'merge'), ...(flag(ctx, 'force') ? { force: true } : {}),
            ...(str(ctx, 'comment') ? { comment: str(ctx, 'comment') } : {}),
          }), 'import');
          return 0;
        });
      }
      case 'history':
        return withDevice(ctx, async (api) => {
          const rows = await api.request<CommitHeader[]>('history', { limit: Number(str(ctx, 'last') ?? 20) });
          if (flag(ctx, 'json')) { printJson(rows); return 0; }
          for (const h of rows) out(`${h.txid}\t${h.time}\t${h.user}\t${h.source}\t${h.nodes} nodes\t${h.comment}`);
          return 0;
        });
      case 'rollback':
        return withDevice(ctx, async (api) => {
          const back = Number(arg);
          if (!Number.isInteger(back) || back < 0) throw new UsageError('rollback takes a number of commits back');
          reportCommit(ctx, await api.request<Outcome>('rollback', { back, ...(str(ctx, 'comment') ? { comment: str(ctx, 'comment') } : {}) }), 'rollback');
          return 0;
        });
      case 'compare':
        return withDevice(ctx, async (api) => {
          const changes = await api.request<LeafChange[]>('compare', { from: parsePoint(arg), to: parsePoint(arg2) });
          if (flag(ctx, 'json')) printJson(changes);
          else for (const c of changes) out(formatChange(c));
          return 0;
        });
      case 'blame':
        return withDevice(ctx, async (api) => {
          if (!arg) throw new UsageError('blame needs a path');
          const b = await api.request<CommitHeader & { sinceCreation: boolean }>('blame', { path: arg });
          if (flag(ctx, 'json')) printJson(b);
          else out(`commit ${b.txid} by ${b.user} at ${b.time} (${b.source})${b.comment ? `: ${b.comment}` : ''}`);
          return 0;
        });
      default:
        throw new UsageError('config takes export, import, history, rollback, compare or blame');
    }
  },
};

function parseConfigFile(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('the top level must be an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new ConfdError('TXN_BAD_ARGUMENT', `${file} is not a JSON configuration: ${(e as Error).message}`);
  }
}

/**
 * A backup holds password hashes and the audit chain: one that others can read is made the
 * owner's only before it is used, with a warning (refused when it cannot be tightened).
 */
function tightenBackup(file: string): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    chmodSync(file, 0o600);
  } catch {
    throw new ConfdError('STORE_BAD_BACKUP', `${file} is readable by others (mode ${mode.toString(8)}) and cannot be made private; refusing it`);
  }
  process.stderr.write(`appliance restore: warning: ${file} was readable by others (mode ${mode.toString(8)}); it is now 600\n`);
}
