/**
 * @module main/help
 * What `appliance --help`, `appliance COMMAND --help` and `appliance completion bash` print,
 * all from the command table.
 */
import type { Command, OptionSpec } from './commands.js';

export function mainHelp(commands: Readonly<Record<string, Command>>): string {
  const lines = ['usage: appliance <command> [options]', '       appliance --version', '', 'commands:'];
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(width)}  ${c.summary}`);
  lines.push('', "Run 'appliance <command> --help' for a command's options.");
  return lines.join('\n');
}

function optionLabel(name: string, o: OptionSpec): string {
  const value = o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : '';
  return `${o.short ? `-${o.short}, ` : ''}--${name}${value}${o.multiple ? ' (repeatable)' : ''}`;
}

function defaultOf(o: OptionSpec): string {
  if (o.defaultText !== undefined) return ` (default: ${o.defaultText})`;
  if (o.default !== undefined) return ` (default: ${o.default})`;
  return o.type === 'boolean' ? ' (default: off)' : '';
}

export function commandHelp(c: Command): string {
  const lines = [`usage: ${c.usage}`, '', c.summary, '', 'options:'];
  const rows = [...Object.entries(c.options).map(([name, o]) => [optionLabel(name, o), o.describe + defaultOf(o)] as const),
    ['-h, --help', 'show this help'] as const];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, text] of rows) lines.push(`  ${label.padEnd(width)}  ${text}`);
  return lines.join('\n');
}

/** A bash completion script: `source <(appliance completion bash)`. */
export function bashCompletion(commands: Readonly<Record<string, Command>>): string {
  const cases = Object.entries(commands).map(([name, c]) => {
    const words = [...(c.subcommands ?? []), ...Object.keys(c.options).map((o) => `--${o}`), '--help'];
    return `    ${name}) words="${words.join(' ')}" ;;`;
  });
  return [
    '# bash completion for appliance: source <(appliance completion bash)',
    '_appliance() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" words',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W "${Object.keys(commands).join(' ')} --help --version" -- "$cur"))`,
    '    return',
    '  fi',
    '  case "${COMP_WORDS[1]}" in',
    ...cases,
    '    *) words="" ;;',
    '  esac',
    '  case "$cur" in',
    '    -*|"") COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;',
    '    *) COMPREPLY=($(compgen -W "$words" -- "$cur")); [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur")) ;;',
    '  esac',
    '}',
    'complete -o default -F _appliance appliance',
    '',
  ].join('\n');
}
