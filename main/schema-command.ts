/**
 * @module main/schema-command
 * `appliance schema migrate --from N --to M FILE`: runs this build's transforms on a
 * configuration file (JSON, as `config export` writes it) and prints the result, with what a
 * step down could not carry on stderr. Touches no device: for writing and checking transforms.
 */
import { readFileSync } from 'node:fs';
import { ConfdError, type JsonObject } from '../confd/api/index.js';
import { migrate } from '../transforms/index.js';
import { JSON_OPTION, flag, str, type Command } from './commands.js';
import { UsageError, printJson } from './output.js';

function version(option: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < 1) throw new UsageError(`--${option} takes a schema version (1, 2…)`);
  return n;
}

export const schema: Command = {
  summary: "carry a configuration file between schema versions with this build's transforms",
  usage: 'appliance schema migrate --from N --to M FILE [--json]',
  subcommands: ['migrate'],
  options: {
    ...JSON_OPTION,
    from: { type: 'string', arg: 'N', describe: 'the schema version of FILE' },
    to: { type: 'string', arg: 'M', describe: 'the schema version to carry it to' },
  },
  async run(ctx) {
    const [sub, file] = ctx.positionals;
    if (sub !== 'migrate') throw new UsageError('schema takes migrate');
    if (!file) throw new UsageError('schema migrate needs the configuration file');
    const from = version('from', str(ctx, 'from')), to = version('to', str(ctx, 'to'));
    let config: JsonObject;
    try {
      config = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
    } catch (e) {
      throw new ConfdError('TXN_BAD_ARGUMENT', `${file} is not a JSON configuration: ${(e as Error).message}`);
    }
    const r = migrate(config, from, to);
    if (flag(ctx, 'json')) { printJson(r); return 0; }
    printJson(r.config);
    for (const l of r.losses) process.stderr.write(`lost ${l.path}: ${l.reason}\n`);
    return 0;
  },
};
