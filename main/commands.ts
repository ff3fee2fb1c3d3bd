/**
 * @module main/commands
 * The command table of `appliance`: each command's usage, options and what it runs.
 */
import { existsSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { ConfdError } from '../confd/api/index.js';
import { dataDir } from '../confd/main/app-paths.js';

export interface CommandContext {
  readonly positionals: readonly string[];
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
}

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<number>;
}

export const DATA_DIR_OPTION = { 'data-dir': { type: 'string', default: './var' } } as const;
export const USER_OPTION = { as: { type: 'string' } } as const;

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
