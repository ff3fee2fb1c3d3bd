/**
 * @module main/software-commands
 * `appliance software add|status|rollback` and `appliance bundle keygen|create`: the upgrade
 * manager for a technician. Software commands talk to the boot loader's control socket, which
 * keeps working while the appliance restarts, so a client can follow an install to its end
 * (or re-attach to one with `software status --follow`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SocketClient, ConfdError } from '../confd/api/index.js';
import { APP_ROOT, SCHEMAS_DIR, softwareVersion } from '../confd/main/app-paths.js';
import { newestSchemaVersion } from '../confd/schema/loader.js';
import { collectBuildFiles, createBundle, generateKeyPair } from '../upgrade/bundle/index.js';
import { inspect, verify } from './bundle-check.js';
import { PRODUCT } from '../upgrade/install/factory.js';
import type { JobRecord } from '../upgrade/install/job.js';
import { deviceLayout } from '../upgrade/layout.js';
import { DATA_DIR_OPTION, JSON_OPTION, USER_OPTION, flag, str, toolUser, type Command, type CommandContext } from './commands.js';
import { renderMigrationDiff, type MigrationDiff } from './migration-diff-text.js';
import { UsageError, out, printJson } from './output.js';

async function control(ctx: CommandContext): Promise<SocketClient> {
  const socket = deviceLayout(str(ctx, 'data-dir')!).bootSocket;
  if (!existsSync(socket)) throw new ConfdError('STORE_LOCKED', `the appliance is not running on ${str(ctx, 'data-dir')} (start it with appliance start)`);
  return SocketClient.connect(socket, toolUser(ctx), 'appliance-software');
}

function bar(job: JobRecord): string {
  const width = 30;
  const filled = Math.round((job.percent / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(job.percent).padStart(3)}% ${job.step}${job.message ? `: ${job.message}` : ''}`;
}

/** Follows a running job to its end, drawing a progress bar on a terminal (one line per step otherwise). */
async function follow(client: SocketClient, json: boolean): Promise<JobRecord | null> {
  let lastStep = '';
  const tty = process.stdout.isTTY && !json;
  client.onNotification = (n) => {
    if (n.method !== 'progress') return;
    const job = n.params as unknown as JobRecord;
    if (json) out(JSON.stringify(job));
    else if (tty) process.stdout.write(`\r${bar(job)}\u001b[K`);
    else if (job.step !== lastStep) out(bar(job));
    lastStep = job.step;
  };
  const final = await client.request<JobRecord | null>('software.follow');
  if (tty) process.stdout.write('\n');
  return final;
}

/** The job's end; with --json after following, one more JSON line (a follow prints JSON lines only). */
function report(job: JobRecord | null, json: boolean, followed = false): number {
  if (json) {
    if (followed) out(JSON.stringify(job)); else printJson(job);
    return job && !['succeeded', 'running', 'watching'].includes(job.status) ? 1 : 0;
  }
  if (!job) { out('no software job has run'); return 0; }
  out(`${job.kind} ${job.id}: ${job.status}${job.rejectedAt ? ` at ${job.rejectedAt}` : ''}${job.reason ? ` — ${job.reason}` : ''}`);
  out(`  ${job.fromVersion} (slot ${job.from}) -> ${job.toVersion ?? '?'} (slot ${job.target}); steps: ${job.steps.map((s) => s.name).join(', ')}`);
  if (job.status === 'running' && job.step === 'confirm-wait') {
    out(`  awaiting confirmation until ${job.confirmDeadline ?? '?'} (appliance software confirm); otherwise slot ${job.from} comes back`);
  }
  if (job.revertOf) out(`  reverts install ${job.revertOf.job}: ${job.revertOf.reason}`);
  if (job.watch === 'watching') out(`  on watch until ${job.watchUntil ?? '?'} (health against the baseline, sanity checks)`);
  return ['succeeded', 'running', 'watching'].includes(job.status) ? 0 : 1;
}

function showChanges(r: MigrationDiff): void {
  out(`${r.changes.length} change${r.changes.length === 1 ? '' : 's'}, ${r.losses.length} loss${r.losses.length === 1 ? '' : 'es'}`);
  for (const line of renderMigrationDiff(r)) out(line);
}

function confirmWithin(ctx: CommandContext): { confirmWithin?: number } {
  const v = str(ctx, 'confirm-within');
  if (v === undefined) return {};
  const minutes = Number(v);
  if (!(minutes > 0 && minutes <= 1440)) throw new UsageError('--confirm-within takes minutes, more than 0 and at most 1440');
  return { confirmWithin: minutes };
}

export const software: Command = {
  summary: 'install a signed software bundle, show the install status, or return to the other slot',
  usage: [
    'appliance software add BUNDLE [--dry-run] [--force] [--confirm-within MINUTES] [--no-follow] [--json]',
    'appliance software confirm [--json]',
    'appliance software sanity-check [--json]',
    'appliance software status [--follow] [--json]',
    'appliance software rollback [--confirm] [--dry-run] [--json]',
  ].join('\n       '),
  subcommands: ['add', 'confirm', 'sanity-check', 'status', 'rollback'],
  options: {
    ...DATA_DIR_OPTION, ...USER_OPTION, ...JSON_OPTION,
    'dry-run': { type: 'boolean', describe: 'add, rollback: show what would change; write nothing' },
    follow: { type: 'boolean', describe: 'status: follow a running job to its end' },
    'no-follow': { type: 'boolean', describe: 'add: return once the job has started' },
    confirm: { type: 'boolean', describe: 'rollback: go back even though settings of the newer version are lost' },
    force: { type: 'boolean', describe: 'add: install even the version that is running' },
    'confirm-within': { type: 'string', arg: 'MINUTES', describe: 'add: keep the new version only if `software confirm` comes within MINUTES' },
  },
  async run(ctx) {
    const [sub, arg] = ctx.positionals;
    const json = flag(ctx, 'json');
    const client = await control(ctx);
    try {
      switch (sub) {
        case 'add': {
          if (!arg) throw new UsageError('add needs the bundle file');
          const r = await client.request<JobRecord | (MigrationDiff & { dryRun: true; version: string })>('software.add',
            { bundle: resolve(arg), dryRun: flag(ctx, 'dry-run'), force: flag(ctx, 'force'), ...confirmWithin(ctx) });
          if ('dryRun' in r) {
            if (json) printJson(r);
            else { out(`dry run of ${r.version}: nothing was written`); showChanges(r); }
            return 0;
          }
          if (flag(ctx, 'no-follow')) return report(r, json);
          return report(await follow(client, json), json, true);
        }
        case 'status': {
          const st = await client.request<{ state: unknown; booted: string | null; job: JobRecord | null }>('software.status');
          if (flag(ctx, 'follow') && st.job?.status === 'running') return report(await follow(client, json), json, true);
          if (json) { printJson(st); return 0; }
          const state = st.state as { primary: string; trial: unknown; slots: Record<string, { status: string; version: string | null; schemaVersion: number | null; reason: string | null }> };
          out(`booted: slot ${st.booted ?? '-'}   primary: slot ${state.primary}${state.trial ? `   trial: ${JSON.stringify(state.trial)}` : ''}`);
          for (const [name, s] of Object.entries(state.slots)) {
            out(`  slot ${name}: ${s.status} ${s.version ?? ''} (schema ${s.schemaVersion ?? '-'})${s.reason ? ` — ${s.reason}` : ''}`);
          }
          return report(st.job, false);
        }
        case 'sanity-check': {
          const r = await client.request<{ ok: boolean; results: Array<{ name: string; ok: boolean; detail: string }> }>('software.sanity-check');
          if (json) printJson(r);
          else if (r.results.length === 0) out('no sanity checks are configured (/system/software/sanity-check)');
          else for (const c of r.results) out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
          return r.ok ? 0 : 1;
        }
        case 'confirm': {
          const job = await client.request<JobRecord>('software.confirm');
          return report(job, json);
        }
        case 'rollback': {
          const r = await client.request<JobRecord | (MigrationDiff & { dryRun: true })>('software.rollback',
            { confirm: flag(ctx, 'confirm'), dryRun: flag(ctx, 'dry-run') });
          if ('dryRun' in r) { if (json) printJson(r); else showChanges(r); return 0; }
          return report(await follow(client, json), json, true);
        }
        default:
          throw new UsageError('software takes add, status, confirm, sanity-check or rollback');
      }
    } catch (e) {
      // Show the settings a rollback would lose, then the one-line reason.
      const losses = (e as ConfdError).details?.losses as Array<{ path: string; reason: string }> | undefined;
      if (losses && !json) for (const line of renderMigrationDiff({ changes: [], losses })) out(line);
      throw e;
    } finally {
      client.close();
    }
  },
};

export const bundle: Command = {
  summary: 'make a signing key, pack this build into a signed bundle, inspect or verify a bundle',
  usage: [
    'appliance bundle keygen --out KEY',
    'appliance bundle create --version V [--schema-version N] --key KEY --out FILE',
    'appliance bundle inspect FILE [--json]',
    'appliance bundle verify FILE --keyring DIR [--json]',
  ].join('\n       '),
  subcommands: ['keygen', 'create', 'inspect', 'verify'],
  options: {
    ...JSON_OPTION,
    out: { type: 'string', arg: 'FILE', describe: 'keygen: the private key file (KEY.pub beside it); create: the bundle file' },
    version: { type: 'string', arg: 'V', describe: 'create: the software version the bundle installs', defaultText: "this build's" },
    'schema-version': { type: 'string', arg: 'N', describe: 'create: the schema version of the bundle', defaultText: 'the newest of this build' },
    key: { type: 'string', arg: 'KEY', describe: 'create: the private key to sign with' },
    keyring: { type: 'string', arg: 'DIR', describe: 'verify: the directory of trusted public keys (*.pub)' },
  },
  async run(ctx) {
    const [sub, file] = ctx.positionals;
    if (sub === 'inspect' || sub === 'verify') {
      if (!file) throw new UsageError(`bundle ${sub} needs the bundle file`);
      return sub === 'inspect' ? inspect(resolve(file), flag(ctx, 'json')) : verify(resolve(file), str(ctx, 'keyring'), flag(ctx, 'json'));
    }
    const outFile = str(ctx, 'out');
    if (!outFile) throw new UsageError('--out is required');
    if (ctx.positionals[0] === 'keygen') {
      const k = await generateKeyPair(resolve(outFile));
      out(`key ${k.keyId}: private ${k.privateKeyFile}, public ${k.publicKeyFile} (copy the .pub into <data-dir>/keyring/)`);
      return 0;
    }
    if (ctx.positionals[0] !== 'create') throw new UsageError('bundle takes keygen, create, inspect or verify');
    const key = str(ctx, 'key');
    if (!key) throw new UsageError('--key is required');
    const schemaVersion = Number(str(ctx, 'schema-version') ?? newestSchemaVersion(SCHEMAS_DIR));
    const version = str(ctx, 'version') ?? softwareVersion();
    // The bundled package.json carries the bundle's version: it is what the installed software reports.
    const stage = mkdtempSync(join(tmpdir(), 'appliance-bundle-'));
    try {
      const pkg = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(stage, 'package.json'), JSON.stringify({ ...pkg, version }, null, 2) + '\n');
      const files = (await collectBuildFiles(APP_ROOT)).map((f) => (f.path === 'package.json' ? { ...f, absolute: join(stage, 'package.json') } : f));
      const b = await createBundle({ files, version, schemaVersion, product: PRODUCT, privateKeyFile: resolve(key), out: resolve(outFile) });
      out(`bundle ${b.file}: version ${b.manifest.version}, schema ${b.manifest.schemaVersion}, ${b.manifest.files.length} files, ${b.bundleBytes} bytes, signed by ${b.keyId}`);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
    return 0;
  },
};
