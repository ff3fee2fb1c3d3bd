/**
 * @module main/user-command
 * `appliance user passwd NAME`: sets a user's password from the console. The password is read
 * twice (without echo on a terminal; two lines of standard input otherwise), hashed here with
 * the appliance's scrypt parameters, and committed as the user's password-hash: the clear
 * text never leaves this process.
 */
import { createInterface } from 'node:readline';
import { ConfdError } from '../confd/core/errors.js';
import { hashPassword } from '../confd/auth/passwords.js';
import { DATA_DIR_OPTION, USER_OPTION, type Command } from './commands.js';
import { reportCommit, withDevice, type Outcome } from './device-commands.js';
import { UsageError } from './output.js';

const MIN_LENGTH = 8;

/** One line from a terminal without echo. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') { done(); resolve(text); return; }
        if (ch === '\u0003' || ch === '\u0004') { done(); reject(new UsageError('cancelled')); return; }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    const done = () => { stdin.off('data', onData); stdin.setRawMode(false); stdin.pause(); process.stderr.write('\n'); };
    stdin.on('data', onData);
  });
}

/** Two lines of standard input (a script, a pipe). */
async function readLines(count: number): Promise<string[]> {
  const lines: string[] = [];
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) { lines.push(line); if (lines.length === count) break; }
  rl.close();
  return lines;
}

async function readNewPassword(): Promise<string> {
  const [first, second] = process.stdin.isTTY
    ? [await readHidden('New password: '), await readHidden('Retype new password: ')]
    : await readLines(2);
  if (first === undefined || second === undefined) throw new UsageError('the password is read twice (two lines of input)');
  if (first !== second) throw new ConfdError('TXN_BAD_ARGUMENT', 'the passwords do not match; nothing changed');
  if (first.length < MIN_LENGTH) throw new ConfdError('TXN_BAD_ARGUMENT', `a password has at least ${MIN_LENGTH} characters; nothing changed`);
  return first;
}

export const user: Command = {
  summary: 'set a user\'s password (read twice, without echo)',
  usage: 'appliance user passwd NAME [--data-dir D]',
  options: { ...DATA_DIR_OPTION, ...USER_OPTION },
  run: async (ctx) => {
    const [sub, name] = ctx.positionals;
    if (sub !== 'passwd' || !name) throw new UsageError('user takes passwd NAME');
    return withDevice(ctx, async (api) => {
      const found = await api.request<{ system?: { users?: { user?: unknown[] } } }>('config.get', { path: `/system/users/user[name='${name}']` });
      if (!found.system?.users?.user?.length) throw new ConfdError('TXN_DATA_MISSING', `no user '${name}': create it first (with its role)`);
      const hash = await hashPassword(await readNewPassword());
      await api.request('config.edit', { edit: { system: { users: { user: [{ name, 'password-hash': hash }] } } } });
      reportCommit(ctx, await api.request<Outcome>('commit', { comment: `password of ${name} set` }), 'passwd');
      return 0;
    });
  },
};
