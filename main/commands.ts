/**
 * @module main/commands
 * The command table of `appliance`: each command's usage, options (each with its description
 * and default, the source of --help and of shell completion) and what it runs.
 */
import { existsSync } from 'node:fs';
import { ConfdError } from '../confd/api/index.js';
import { dataDir } from '../confd/main/app-paths.js';

export interface CommandContext {
  readonly positionals: readonly string[];
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
}

/** One option: what util.parseArgs needs, plus what --help says about it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string;
  /** The value's placeholder in --help (string options). */
  readonly arg?: string;
  readonly describe: string;
  /** How --help states the default, when it is not the plain value (e.g. taken from the environment). */
  readonly defaultText?: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: OptionTable;
  /** The words that may follow the command (for completion). */
  readonly subcommands?: readonly string[];
  run(ctx: CommandContext): Promise<number>;
}

/** Where the data directory is: --data-dir, else $APPLIANCE_DATA_DIR, else ./var of the working directory. */
export const DATA_DIR_OPTION = {
  'data-dir': {
    type: 'string', arg: 'DIR', default: process.env.APPLIANCE_DATA_DIR || './var',
    describe: 'the data directory', defaultText: '$APPLIANCE_DATA_DIR, else ./var',
  },
} as const satisfies OptionTable;
export const USER_OPTION = { as: { type: 'string', arg: 'USER', describe: 'a name to note in the audit log (not trusted: on a running appliance the user is the one your uid maps to)', defaultText: 'the login name' } } as const satisfies OptionTable;
export const JSON_OPTION = { json: { type: 'boolean', describe: 'print the result as JSON' } } as const satisfies OptionTable;

export function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.values[name] === true;
}

/** Who a local tool acts as (for audit): --as, else the login name. */
export function toolUser(ctx: CommandContext): string {
  return str(ctx, 'as') ?? process.env.USER ?? process.env.LOGNAME ?? 'root';
}

/** The socket of the appliance running on --data-dir; refused when it is not running. */
export function runningSocket(ctx: CommandContext): string {
  const root = str(ctx, 'data-dir')!;
  const socket = dataDir(root).socket;
  if (!existsSync(socket)) throw new ConfdError('STORE_LOCKED', `the appliance is not running on ${root}`);
  return socket;
}
