/**
 * @module main/start-command
 * `appliance start`: the boot loader and init (upgrade/boot/loader): factory-installs slot a on
 * an empty data directory, boots the management daemon from the chosen slot, health-checks it,
 * runs software install and rollback jobs, and stops everything on SIGTERM or SIGINT.
 */
import { APP_ROOT, SCHEMAS_DIR, softwareVersion } from '../confd/main/app-paths.js';
import { newestSchemaVersion } from '../confd/schema/loader.js';
import { BootLoader } from '../upgrade/boot/loader.js';
import { ControlServer } from '../upgrade/control/server.js';
import { factoryInstall } from '../upgrade/install/factory.js';
import { JobManager, type JobRecord } from '../upgrade/install/job.js';
import { ConfdError } from '../confd/core/errors.js';
import { DATA_DIR_OPTION, str, type Command } from './commands.js';
import { DAEMON_OPTIONS, httpPortOf, listenOf, portOf, untilSignal } from './daemon-command.js';
import { createLogger, logArgs, logsToStderr } from './logging.js';
import { UsageError } from './output.js';

/** `confirmWithin` (minutes, fractions allowed, at most a day) of a software.add request. */
function confirmWithin(p: Record<string, unknown>): { confirmWithin?: number } {
  const v = p.confirmWithin;
  if (v === undefined || v === null) return {};
  if (typeof v !== 'number' || !(v > 0) || v > 1440) throw new ConfdError('SOCK_BAD_REQUEST', 'confirm-within takes minutes, more than 0 and at most 1440');
  return { confirmWithin: v };
}

export const start: Command = {
  summary: 'run the appliance in the foreground (SSH on 127.0.0.1:8830 by default)',
  usage: 'appliance start [--data-dir D] [--listen ADDR]… [--port P] [--http-port P|0] [--log-level LEVEL] [--log-file PATH] [--daemon NAME]… '
    + '[--factory-bundle FILE] [--schema-version N] [--health-deadline MS]',
  options: {
    ...DATA_DIR_OPTION, ...DAEMON_OPTIONS,
    'factory-bundle': { type: 'string', arg: 'FILE', describe: 'the signed bundle to factory-install on an empty data directory', defaultText: 'this build' },
    'schema-version': { type: 'string', arg: 'N', describe: 'the schema version of the factory install', defaultText: 'the newest of this build' },
    'health-deadline': { type: 'string', arg: 'MS', describe: 'how long a booted daemon has to pass its health check', defaultText: '30000' },
  },
  async run(ctx) {
    const listen = listenOf(ctx);
    portOf(ctx);
    httpPortOf(ctx);
    const schemaVersion = Number(str(ctx, 'schema-version') ?? newestSchemaVersion(SCHEMAS_DIR));
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1) throw new UsageError('--schema-version takes a schema version');
    const daemonArgs = [...listen.flatMap((a) => ['--listen', a]), '--port', str(ctx, 'port')!, ...logArgs(ctx),
      '--http-port', str(ctx, 'http-port')!];
    // SIGHUP (logrotate) reopens this log file, and the daemon's: it is passed on.
    const logger = createLogger(ctx, () => boot.hangup());
    for (const d of (ctx.values.daemon as string[] | undefined) ?? []) daemonArgs.push('--daemon', d);
    const deadline = str(ctx, 'health-deadline');
    const factoryBundle = str(ctx, 'factory-bundle');
    const boot = new BootLoader({
      root: str(ctx, 'data-dir')!, log: logger.child({ part: 'boot' }), daemonArgs,
      ...(deadline ? { healthDeadlineMs: Number(deadline) } : {}),
      factoryInstall: (layout) => factoryInstall(layout, {
        appRoot: APP_ROOT, version: softwareVersion(), schemaVersion, log: logger, ...(factoryBundle ? { bundle: factoryBundle } : {}),
      }),
    });
    const jobs = new JobManager(boot, logger.child({ part: 'install' }));
    const control = new ControlServer(boot.layout.bootSocket, async (req) => {
      const p = req.params;
      const user = typeof p.user === 'string' ? p.user : 'local';
      switch (req.method) {
        case 'software.status':
          return { state: boot.state(), booted: boot.booted(), job: jobs.status() };
        case 'software.confirm':
          return jobs.confirm(user);
        case 'software.sanity-check':
          return jobs.sanityCheck();
        case 'software.add':
        case 'software.rollback':
          try {
            return req.method === 'software.add'
              ? await jobs.add(String(p.bundle), { dryRun: p.dryRun === true, force: p.force === true, user, ...confirmWithin(p) })
              : await jobs.rollback({ confirm: p.confirm === true, dryRun: p.dryRun === true, user });
          } catch (e) {
            // A request relayed by the daemon (CLI, NETCONF) was audited there already.
            if (p.relayed !== true) jobs.refused(req.method, e, user);
            throw e;
          }
        case 'software.follow': {
          // Streams the job's progress until it ends (or the client leaves).
          // A job waiting for its confirmation has done what it can: following it ends there.
          const done = (job: JobRecord) => job.status !== 'running' || job.step === 'confirm-wait';
          const current = jobs.status();
          if (!current || done(current)) return current;
          return new Promise<JobRecord>((resolve) => {
            const stop = jobs.follow((job) => {
              req.notify('progress', { ...job });
              if (done(job)) { stop(); resolve(job); }
            });
            void req.closed.then(() => { stop(); resolve(jobs.status()!); });
          });
        }
        default:
          throw new ConfdError('SOCK_BAD_REQUEST', `unknown method ${req.method}`);
      }
    }, logger.child({ part: 'control' }));
    void untilSignal(async (signal) => {
      logger.info({ signal }, 'shutting down');
      await boot.stop();
    });
    try {
      await boot.start(async () => {
        await control.listen();
        jobs.recover();
      });
    } catch (e) {
      // On stderr's JSON stream the reason is one more JSON line, not text beside it; with the log
      // elsewhere (or silenced), stderr also gets the usual one-line reason.
      logger.fatal({ code: e instanceof ConfdError ? e.code : undefined, err: e instanceof ConfdError ? undefined : e },
        e instanceof Error ? e.message : String(e));
      if (!logsToStderr(ctx)) throw e;
      return 1;
    } finally {
      await control.close();
    }
    return 0;
  },
};
