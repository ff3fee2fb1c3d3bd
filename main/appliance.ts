/**
 * @module main/appliance
 * `appliance <command>`: the single entry point. Parses the command line, runs the command,
 * and turns any error into a one-line reason on stderr and a non-zero exit status.
 */
import { parseArgs } from 'node:util';
import type { Command } from './commands.js';
import { audit, backup, config, restore } from './device-commands.js';
import { UsageError, describeError, out } from './output.js';
import { start } from './start-command.js';
import { subscribers, watch } from './watch-commands.js';
import { daemon } from './daemon-command.js';
import { cli } from './cli-command.js';
import { migrate } from './migrate-command.js';
import { bundle, software } from './software-commands.js';
import { user } from './user-command.js';

const COMMANDS: Record<string, Command> = { start, cli, backup, restore, audit, config, watch, subscribers, software, bundle, user };
/** Run by the appliance itself, not listed in the help. */
const INTERNAL: Record<string, Command> = { daemon, migrate };

function help(): string {
  const lines = ['usage: appliance <command> [options]', '', 'commands:'];
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(width)}  ${c.summary}`);
  lines.push('', "Run 'appliance <command> --help' for a command's options.");
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { out(help()); return name ? 0 : 2; }
  const command = COMMANDS[name] ?? INTERNAL[name];
  if (!command) { process.stderr.write(`appliance: unknown command '${name}'\n${help()}\n`); return 2; }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
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

process.exitCode = await main(process.argv.slice(2));
