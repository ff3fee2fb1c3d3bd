/**
 * @module main/daemon-command
 * `appliance daemon`: the management daemon itself, as the boot loader runs it from a slot.
 * Internal: operators run `appliance start`. Runs until SIGTERM or SIGINT.
 */
import { isIP } from 'node:net';
import { softwareVersion } from '../confd/main/app-paths.js';
import { Daemon } from '../confd/main/daemon.js';
import { ConfdError } from '../confd/core/errors.js';
import { EXIT_DATABASE_CORRUPT, EXIT_LOCKED } from '../upgrade/boot/loader.js';
import { faultSet, faultValue } from '../confd/api/faults.js';
import { DATA_DIR_OPTION, flag, str, type Command, type CommandContext, type OptionTable } from './commands.js';
import { LOG_OPTIONS, createLogger, logsToStderr } from './logging.js';
import { UsageError } from './output.js';
import { LogRing } from '../confd/main/log-ring.js';

const DEFAULT_LISTEN = '127.0.0.1';

export const DAEMON_OPTIONS = {
  listen: {
    type: 'string', arg: 'ADDR', multiple: true, defaultText: DEFAULT_LISTEN,
    describe: 'an address SSH and NETCONF listen on (IPv4 or IPv6; 0.0.0.0 or :: for all)',
  },
  port: { type: 'string', arg: 'P', default: '8830', describe: 'the SSH and NETCONF port (0: any free port)' },
  ...LOG_OPTIONS,
  daemon: { type: 'string', arg: 'NAME', multiple: true, describe: 'also run this supervised daemon (besides /system/daemons)' },
  'http-port': { type: 'string', arg: 'P|0|any', default: '8443', describe: 'the HTTPS port (/metrics); 0 turns it off, any takes a free port' },
} as const satisfies OptionTable;

/** The --listen addresses, each checked (an IP address, not a name). */
export function listenOf(ctx: CommandContext): string[] {
  const given = (ctx.values.listen as string[] | undefined) ?? [];
  const addresses = given.length > 0 ? given : [DEFAULT_LISTEN];
  for (const a of addresses) if (isIP(a) === 0) throw new UsageError(`--listen takes an IPv4 or IPv6 address, not '${a}'`);
  return [...new Set(addresses)];
}

/** `--http-port`: a port, 0 for off, or `any` for a free port (tests). */
export function httpPortOf(ctx: CommandContext): number | null {
  const v = str(ctx, 'http-port');
  if (v === 'any') return 0;
  const port = Number(v);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--http-port takes a port number (0 turns HTTPS off)');
  return port === 0 ? null : port;
}

export function portOf(ctx: CommandContext): number {
  const port = Number(str(ctx, 'port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number');
  return port;
}

/** Runs `stop` on the first SIGTERM or SIGINT and resolves when it is done. */
export function untilSignal(stop: (signal: string) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const once = (signal: string) => { stop(signal).finally(resolve); };
    process.once('SIGTERM', () => once('SIGTERM'));
    process.once('SIGINT', () => once('SIGINT'));
  });
}

/** Start failures the boot loader tells apart by the daemon's exit status. */
const EXIT_STATUS_OF: Partial<Record<string, number>> = { STORE_CORRUPT: EXIT_DATABASE_CORRUPT, STORE_LOCKED: EXIT_LOCKED };

export const daemon: Command = {
  summary: 'the management daemon (run by appliance start from a slot)',
  usage: 'appliance daemon --data-dir D --slot a|b --schema-version N [--boot-socket S] [--listen ADDR]… [--port P]',
  options: {
    ...DATA_DIR_OPTION, ...DAEMON_OPTIONS,
    slot: { type: 'string', arg: 'a|b', describe: 'the slot to run from' },
    'schema-version': { type: 'string', arg: 'N', describe: "the schema version of the slot's database" },
    'boot-socket': { type: 'string', arg: 'PATH', describe: "the boot loader's control socket" },
    'exit-with-parent': { type: 'boolean', describe: 'stop when stdin (held by the boot loader) closes' },
  },
  async run(ctx) {
    const logRing = new LogRing();
    const logger = createLogger(ctx, undefined, logRing);
    const listen = listenOf(ctx);
    // Fault injection for the upgrade tests: a version that crashes on start.
    if (faultSet(`crash-version:${softwareVersion()}`)) {
      logger.fatal({ version: softwareVersion() }, 'injected crash on start');
      return 70;
    }
    const schemaVersion = str(ctx, 'schema-version') === undefined ? undefined : Number(str(ctx, 'schema-version'));
    let d: Daemon;
    try {
      d = await Daemon.start({
        dataDir: str(ctx, 'data-dir')!, logger, listen, port: portOf(ctx), httpPort: httpPortOf(ctx), logRing,
        daemons: (ctx.values.daemon as string[] | undefined) ?? [],
        ...(str(ctx, 'slot') ? { slot: str(ctx, 'slot')! } : {}),
        ...(schemaVersion !== undefined ? { schemaVersion } : {}),
        ...(str(ctx, 'boot-socket') ? { bootSocket: str(ctx, 'boot-socket')! } : {}),
      });
    } catch (e) {
      // A corrupt database needs the operator (restore): the boot loader must not retry or fall
      // back over it. A locked one is still held by the daemon before this one: a retry.
      const status = e instanceof ConfdError ? EXIT_STATUS_OF[e.code] : undefined;
      if (status === undefined) throw e;
      logger.fatal({ code: (e as ConfdError).code }, (e as Error).message);
      // Logged elsewhere or silenced: the operator still gets the reason, as one line.
      if (!logsToStderr(ctx)) process.stderr.write(`appliance daemon: ${(e as Error).message}\n`);
      return status;
    }
    if (faultSet(`crash-later-version:${softwareVersion()}`)) {
      // Passes its health check, then dies: a crash loop after a good boot. The time counts from
      // the daemon being up (its start takes seconds on a loaded machine, the probe after it less).
      // crash-later-ms=N: how long (3000 ms by default).
      setTimeout(() => { logger.fatal('injected crash after start'); process.exit(71); }, Number(faultValue('crash-later-ms') ?? 3000)).unref();
    }
    if (flag(ctx, 'exit-with-parent')) {
      // The boot loader holds our stdin: when it dies (even by SIGKILL) the pipe closes and we stop.
      process.stdin.resume();
      process.stdin.once('end', () => process.kill(process.pid, 'SIGTERM'));
    }
    await untilSignal(async (signal) => {
      logger.info({ signal }, 'shutting down');
      await d.stop().catch((e: unknown) => logger.error({ err: e }, 'shutdown failed'));
    });
    // A resumed stdin would keep the process alive after everything else has stopped.
    if (flag(ctx, 'exit-with-parent')) process.stdin.destroy();
    return 0;
  },
};
