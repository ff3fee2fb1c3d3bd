/**
 * @module main/appliance
 * `appliance <command>`: the single entry point. Parses the command line, runs the command,
 * and turns any error into a one-line reason on stderr and a non-zero exit status.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { softwareVersion } from '../confd/main/app-paths.js';
import type { Command, OptionTable } from './commands.js';
import { audit, backup, config, restore } from './device-commands.js';
import { bashCompletion, commandHelp, mainHelp } from './help.js';
import { UsageError, describeError, exitQuietlyOnClosedPipe, out } from './output.js';
import { start } from './start-command.js';
import { subscribers, watch } from './watch-commands.js';
import { daemon } from './daemon-command.js';
import { cli } from './cli-command.js';
import { migrate } from './migrate-command.js';
import { bundle, software } from './software-commands.js';
import { user } from './user-command.js';
import { status } from './status-command.js';
import { schema } from './schema-command.js';

/** One line per command, in the order --help lists them. */
const COMMANDS: Record<string, Command> = {
  start,
  status,
  cli,
  backup,
  restore,
  audit,
  config,
  watch,
  subscribers,
  software,
  bundle,
  schema,
  user,
  completion: {
    summary: 'print a shell completion script (bash): source <(appliance completion bash)',
    usage: 'appliance completion bash',
    options: {},
    subcommands: ['bash'],
    run: async (ctx) => {
      if (ctx.positionals[0] !== 'bash') throw new UsageError('completion takes bash');
      out(bashCompletion(COMMANDS));
      return 0;
    },
  },
};
/** Run by the appliance itself, not listed in the help. */
const INTERNAL: Record<string, Command> = { daemon, migrate };

function parseConfig(options: OptionTable): NonNullable<ParseArgsConfig['options']> {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  return config;
}

async function main(argv: string[]): Promise<number> {
  // Everything the appliance and its tools create is the owner's only: the database holds
  // password hashes and the audit chain, backups the same, keys are keys (docs/security.md).
  process.umask(0o077);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { out(mainHelp(COMMANDS)); return name ? 0 : 2; }
  if (name === '--version' || name === '-V') { out(`appliance ${softwareVersion()}`); return 0; }
  const command = COMMANDS[name] ?? INTERNAL[name];
  if (!command) { process.stderr.write(`appliance: unknown command '${name}'\n${mainHelp(COMMANDS)}\n`); return 2; }
  if (rest.includes('--help') || rest.includes('-h')) { out(commandHelp(command)); return 0; }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: parseConfig(command.options), allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`appliance ${name}: ${(e as Error).message}\nusage: ${command.usage}\n`);
    return 2;
  }
  try {
    return await command.run({ positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | undefined> });
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`appliance ${name}: ${e.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`appliance ${name}: ${describeError(e)}\n`);
    return 1;
  }
}

exitQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
