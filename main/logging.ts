/**
 * @module main/logging
 * The log of the long-running commands (start, daemon): pino JSON lines on stderr (for
 * journald), or appended to --log-file, reopened on SIGHUP (logrotate). Nothing else is
 * written to that stream: Node's warnings and a last unexpected error become log lines too.
 */
import pino, { type Logger } from 'pino';
import { str, type CommandContext, type OptionTable } from './commands.js';
import { UsageError } from './output.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const LOG_OPTIONS = {
  'log-level': {
    type: 'string', arg: 'LEVEL', default: process.env.APPLIANCE_LOG_LEVEL || 'info',
    describe: `the least severe level logged: ${LEVELS.join(', ')}`, defaultText: '$APPLIANCE_LOG_LEVEL, else info',
  },
  'log-file': { type: 'string', arg: 'PATH', describe: 'append the log to PATH instead of stderr; reopened on SIGHUP', defaultText: 'stderr' },
} as const satisfies OptionTable;

/** The --log-level, refused when pino does not know it. */
export function logLevelOf(ctx: CommandContext): string {
  const level = str(ctx, 'log-level')!;
  if (!(LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level takes one of ${LEVELS.join(', ')}, not '${level}'`);
  return level;
}

/** Whether the log is the JSON stream on stderr (then nothing else may be written there). */
export function logsToStderr(ctx: CommandContext): boolean {
  return str(ctx, 'log-file') === undefined && logLevelOf(ctx) !== 'silent';
}

/** The options a parent passes on to a child process so that both log alike. */
export function logArgs(ctx: CommandContext): string[] {
  const file = str(ctx, 'log-file');
  return ['--log-level', logLevelOf(ctx), ...(file ? ['--log-file', file] : [])];
}

/** `tee`, when given, also receives every record of level info and above (the daemon's recent log). */
export function createLogger(ctx: CommandContext, onHangup: () => void = () => undefined, tee?: pino.DestinationStream): Logger {
  const level = logLevelOf(ctx);
  const file = str(ctx, 'log-file');
  const destination = file ? pino.destination({ dest: file, append: true, mkdir: true, sync: true }) : pino.destination(2);
  const logger = tee
    ? pino({ level }, pino.multistream([{ stream: destination, level: 'trace' }, { stream: tee, level: 'info' }]))
    : pino({ level }, destination);
  process.on('SIGHUP', () => {
    if (file) destination.reopen();
    logger.info({ file: file ?? null }, 'log reopened');
    onHangup();
  });
  // Node prints its warnings as text on stderr: keep them in the JSON stream instead.
  process.removeAllListeners('warning');
  process.on('warning', (w) => logger.warn({ warning: w.name, detail: w.message }, 'node warning'));
  process.on('uncaughtException', (e) => {
    logger.fatal({ err: e }, 'unexpected error');
    process.exit(70);
  });
  return logger;
}
