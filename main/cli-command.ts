/**
 * @module main/cli-command
 * `appliance cli`: the operator CLI on this terminal, connected to the running appliance's
 * local socket as a `cli` session of the given user. With `-c "COMMANDS"` (or input that is
 * not a terminal) it runs the commands non-interactively and exits with their status. Files
 * for `load`/`save` are resolved in the current directory.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { SocketClient } from '../confd/api/index.js';
import { directoryFiles, runCommands, runShell, type ShellNotice, type ShellNotices } from '../cli/index.js';
import { DATA_DIR_OPTION, USER_OPTION, runningSocket, str, toolUser, type Command } from './commands.js';

export const cli: Command = {
  summary: 'the operator CLI (configure, show, commit…) on the running appliance',
  usage: 'appliance cli [-c "COMMANDS"] [--as USER] [--data-dir D]',
  options: { ...DATA_DIR_OPTION, ...USER_OPTION, command: { type: 'string', short: 'c', arg: 'COMMANDS', describe: 'run these commands (; or newline between them) and exit with their status', defaultText: 'interactive, or stdin when it is not a terminal' } },
  async run(ctx) {
    const socket = runningSocket(ctx);
    const client = await SocketClient.connect(socket, toolUser(ctx), 'appliance-cli', 'cli');
    // The prompt and messages use the user the appliance identified from this process's uid.
    const user = client.user;
    // Broadcasts (a reverted confirmed commit, an alarm) and running changes come as cli.notice notifications.
    const listeners = new Set<(n: ShellNotice) => void>();
    client.onNotification = (n) => { if (n.method === 'cli.notice') for (const fn of listeners) fn(n.params as unknown as ShellNotice); };
    const notices: ShellNotices = { subscribe: (fn) => { listeners.add(fn); return () => { listeners.delete(fn); }; } };
    const files = directoryFiles(process.cwd(), { confined: false, description: 'the current directory' });
    // Logs (an audit record that could not be written) go to stderr as JSON lines; stdout is the CLI's.
    const log = pino({ level: process.env.APPLIANCE_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    try {
      const commands = str(ctx, 'command');
      if (commands !== undefined || !process.stdin.isTTY) {
        const text = commands ?? readFileSync(0, 'utf8');
        return await runCommands(text, { backend: client, user, output: process.stdout, errorOutput: process.stderr, files, log });
      }
      return await runShell({
        input: process.stdin, output: process.stdout, terminal: true, backend: client, user, files, log, notices,
        ...(process.stdout.isTTY ? { size: () => ({ cols: process.stdout.columns, rows: process.stdout.rows }) } : {}),
      });
    } finally {
      client.close();
    }
  },
};
