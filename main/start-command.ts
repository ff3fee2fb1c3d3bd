/**
 * @module main/start-command
 * `appliance start`: runs the appliance in the foreground until SIGTERM or SIGINT.
 */
import pino from 'pino';
import { Daemon } from '../confd/main/daemon.js';
import { DATA_DIR_OPTION, str, type Command } from './commands.js';
import { UsageError } from './output.js';

export const start: Command = {
  summary: 'run the appliance in the foreground (SSH on 127.0.0.1:8830 by default)',
  usage: 'appliance start [--data-dir D] [--listen ADDR] [--port P] [--log-level LEVEL] [--daemon NAME]…',
  options: {
    ...DATA_DIR_OPTION, listen: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8830' },
    'log-level': { type: 'string', default: process.env.APPLIANCE_LOG_LEVEL ?? 'info' },
    daemon: { type: 'string', multiple: true },
  },
  async run(ctx) {
    const logger = pino({ level: str(ctx, 'log-level') }, pino.destination(2));
    const port = Number(str(ctx, 'port'));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number');
    const daemons = (ctx.values.daemon as string[] | undefined) ?? [];
    const daemon = await Daemon.start({ dataDir: str(ctx, 'data-dir')!, logger, listen: str(ctx, 'listen')!, port, daemons });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        daemon.stop().then(resolve, (e: unknown) => { logger.error({ err: e }, 'shutdown failed'); resolve(); });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
