/**
 * @module main/daemon-command
 * `appliance daemon`: the management daemon itself, as the boot loader runs it from a slot.
 * Internal: operators run `appliance start`. Runs until SIGTERM or SIGINT.
 */
import pino from 'pino';
import { softwareVersion } from '../confd/main/app-paths.js';
import { Daemon } from '../confd/main/daemon.js';
import { ConfdError } from '../confd/core/errors.js';
import { EXIT_DATABASE_CORRUPT, EXIT_LOCKED } from '../upgrade/boot/loader.js';
import { faultSet, faultValue } from '../confd/api/faults.js';
import { DATA_DIR_OPTION, flag, str, type Command, type CommandContext } from './commands.js';
import { UsageError } from './output.js';

export const DAEMON_OPTIONS = {
  listen: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8830' },
  'log-level': { type: 'string', default: process.env.APPLIANCE_LOG_LEVEL ?? 'info' },
  daemon: { type: 'string', multiple: true },
} as const;

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
  usage: 'appliance daemon --data-dir D --slot a|b --schema-version N [--boot-socket S] [--listen ADDR] [--port P]',
  options: {
    ...DATA_DIR_OPTION, ...DAEMON_OPTIONS, slot: { type: 'string' }, 'schema-version': { type: 'string' }, 'boot-socket': { type: 'string' },
    'exit-with-parent': { type: 'boolean' },
  },
  async run(ctx) {
    const logger = pino({ level: str(ctx, 'log-level') }, pino.destination(2));
    // Fault injection for the upgrade tests: a version that crashes on start.
    if (faultSet(`crash-version:${softwareVersion()}`)) {
      logger.fatal({ version: softwareVersion() }, 'injected crash on start');
      return 70;
    }
    if (faultSet(`crash-later-version:${softwareVersion()}`)) {
      // Passes its health check, then dies: a crash loop after a good boot.
      // crash-later-ms=N: how long after its start (3000 ms by default; longer on a loaded machine).
      setTimeout(() => { logger.fatal('injected crash after start'); process.exit(71); }, Number(faultValue('crash-later-ms') ?? 3000)).unref();
    }
    const schemaVersion = str(ctx, 'schema-version') === undefined ? undefined : Number(str(ctx, 'schema-version'));
    let d: Daemon;
    try {
      d = await Daemon.start({
        dataDir: str(ctx, 'data-dir')!, logger, listen: str(ctx, 'listen')!, port: portOf(ctx),
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
      process.stderr.write(`appliance daemon: ${(e as Error).message}\n`);
      return status;
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
