/**
 * End to end through a real OpenSSH client (public-key login): the exec channel's output and
 * exit status, and the interactive shell on a pty (ssh -tt inside tmux): Tab completion of an
 * existing key, `?`, show | compare, a confirmed commit that reverts when not confirmed, and
 * rollback 1. The appliance runs in process with the CLI attached to its SSH listener.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CliService } from '../../confd/main/cli-service.js';
import { Daemon } from '../../confd/main/daemon.js';
import type { SshServer } from '../../confd/ssh/server.js';
import { quietLogger, tempDir } from '../helpers/device.js';

const dir = tempDir('appliance-cli-ssh-');
const key = join(dir.path, 'id_ed25519');
const TMUX = ['-L', `appliance-cli-e2e-${process.pid}`];
let daemon: Daemon;
let sshArgs: string[];

function ssh(command: string, user = 'admin'): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = sshArgs.map((a) => (a === 'admin@127.0.0.1' ? `${user}@127.0.0.1` : a));
  return new Promise((resolve) => {
    execFile('ssh', [...args, command], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function tmux(...args: string[]): string {
  return execFileSync('tmux', [...TMUX, ...args], { encoding: 'utf8' });
}

/** The pane's text, scrollback included, without the empty rows below the cursor (lines keep trailing spaces). */
function pane(): string {
  return tmux('capture-pane', '-p', '-J', '-N', '-t', 'cli', '-S', '-500').replace(/\n+$/, '');
}

async function waitFor(what: () => string | Promise<string>, re: RegExp, timeoutMs = 8000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await what();
    if (re.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${re}:\n${text}\n--- pane:\n${pane()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Where each prompt at which `typed` was typed begins in `text`. */
function prompts(text: string, typed: string): number[] {
  const out: number[] = [];
  const re = new RegExp(`@appliance[#>] ${typed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m.index);
  return out;
}

/** The pane's text from the `n`-th prompt (0-based) at which `typed` was typed; '' until it is shown. */
const from = (typed: string, n?: number) => () => {
  const text = pane();
  const at = prompts(text, typed);
  const i = n === undefined ? at[at.length - 1] : at[n];
  return i === undefined ? '' : text.slice(i);
};

const keys = (text: string) => tmux('send-keys', '-t', 'cli', '-l', text);
const press = (...names: string[]) => tmux('send-keys', '-t', 'cli', ...names);

/** Types a command once the prompt is shown, and returns its output up to the next prompt. */
async function command(line: string): Promise<string> {
  const shown = prompts(await waitFor(pane, /[#>] $/), line).length;
  keys(line);
  press('Enter');
  return waitFor(from(line, shown), /\n[^\n]*@appliance[#>] $/);
}

/** Opens ssh -tt in a tmux pane of `rows` rows and enters configuration mode. */
async function configureOnPty(rows: number): Promise<void> {
  tmux('new-session', '-d', '-s', 'cli', '-x', '150', '-y', String(rows), ['ssh', '-tt', ...sshArgs].join(' '));
  await waitFor(pane, /admin@appliance> $/m);
  assert.match(await command('configure'), /\[edit\]\nadmin@appliance# $/);
}

describe('the CLI through OpenSSH', () => {
  before(async () => {
    daemon = await Daemon.start({ dataDir: dir.path, logger: quietLogger, listen: '127.0.0.1', port: 0, env: { APPLIANCE_ADMIN_PASSWORD: 'secret' } });
    // The daemon does not attach the CLI yet: attach it to its SSH listener here.
    (daemon as unknown as { ssh: SshServer }).ssh.shell = new CliService({ ops: daemon.ops, bus: daemon.bus, log: quietLogger, dataDir: dir.path });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'e2e', '-f', key]);
    const pub = readFileSync(`${key}.pub`, 'utf8').trim();
    const s = daemon.ops.openSession({ user: 'admin', source: 'socket', address: 'local' });
    await daemon.ops.editConfig(s, { system: { users: { user: [
      { name: 'admin', 'ssh-key': [{ name: 'e2e', key: pub }] },
      { name: 'vera', role: 'viewer', 'ssh-key': [{ name: 'e2e', key: pub }] },
    ] } } });
    await daemon.ops.commit(s, { comment: 'e2e key' });
    await daemon.ops.closeSession(s);
    sshArgs = ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
      '-o', 'LogLevel=ERROR', '-p', String(daemon.sshPort), 'admin@127.0.0.1'];
  });

  after(async () => {
    try { tmux('kill-server'); } catch { /* already gone */ }
    await daemon?.stop();
    dir.remove();
  });

  test('exec: output and exit status 0', async () => {
    const r = await ssh('show configuration system');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^hostname appliance;$/m);
    assert.match(r.stdout, /ssh-key e2e \{/);
  });

  test('exec: a refused value gives a non-zero status and the appliance\'s message', async () => {
    const r = await ssh('configure; set interfaces interface eth0 mtu 99999; commit');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /\/interfaces\/interface\[name='eth0'\]\/mtu: must be between 68 and 65535, not 99999/);
    assert.doesNotMatch(r.stdout, /commit complete/);
    const ok = await ssh('configure; set interfaces interface eth7 mtu 1500; commit');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /commit complete/);
  });

  test('a viewer reads but is refused configuration mode, in the appliance\'s words', async () => {
    const read = await ssh('show configuration interfaces', 'vera');
    assert.equal(read.code, 0, read.stderr);
    const r = await ssh('configure; set system hostname nope; commit', 'vera');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^error: access denied: vera \(viewer\)/m);
    assert.doesNotMatch(r.stdout, /commit complete/);
  });

  test('the shell on a pty: Tab, ?, show | compare, commit confirmed that reverts, rollback 1', async () => {
    await configureOnPty(50);

    // Tab completes the key of the existing entry; ? lists what may follow, and is not inserted.
    keys('set interfaces interface e');
    press('Tab');
    await waitFor(pane, /admin@appliance# set interfaces interface eth7 $/m);
    keys('?');
    const help = await waitFor(from('set interfaces interface eth7 ?'), /Possible completions:[\s\S]*# set interfaces interface eth7 $/);
    assert.match(help, /^ {2}mtu +Maximum transmission unit, in bytes \(68\.\.65535\)$/m);
    keys('description pty-ok');
    press('Enter');
    const diff = await command('show | compare');
    assert.match(diff, /\[edit interfaces interface eth7\]\n\+ {3}description pty-ok;/);

    // Unconfirmed, the commit is undone after its time (0.05 minutes: 3 seconds).
    assert.match(await command('commit confirmed 0.05'), /rolled back in 3 seconds unless confirmed\ncommit complete/);
    assert.match((await ssh('show configuration interfaces interface eth7 description')).stdout, /description pty-ok;/);
    await waitFor(async () => (await ssh('show configuration interfaces interface eth7')).stdout, /^(?![\s\S]*pty-ok)[\s\S]*mtu 1500;/, 10_000);
    const history = await ssh('show system commit');
    assert.match(history.stdout.split('\n')[1] ?? '', /confirmed-revert/);

    // rollback 1: the configuration as it was one commit back (with the description), to be committed.
    assert.match(await command('rollback 1'), /load complete/);
    assert.match(await command('show | compare'), /\+ {3}description pty-ok;/);
    assert.match(await command('commit and-quit'), /commit complete\nExiting configuration mode\nadmin@appliance> $/);
    assert.match((await ssh('show configuration interfaces interface eth7')).stdout, /description pty-ok;/);

    keys('exit');
    press('Enter');
    await waitFor(() => {
      try { return tmux('list-sessions'); } catch { return 'gone'; }
    }, /^gone$/);
  });

  test('the shell on a pty: load set terminal ended by Ctrl-D, and the pager at the pty height', async () => {
    await configureOnPty(10);
    keys('load set terminal');
    press('Enter');
    await waitFor(pane, /\[Type \^D at a new line to end input, \^C to abort\]$/);
    keys('set interfaces interface eth9 mtu 1280');
    press('Enter');
    keys('set interfaces interface eth9 description pasted-over-ssh');
    press('Enter');
    press('C-d');
    await waitFor(pane, /load complete\n[\s\S]*admin@appliance# $/);
    assert.match(await command('show | compare | display set'), /set interfaces interface eth9 description pasted-over-ssh\n(set .*\n)*set interfaces interface eth9 mtu 1280/);
    assert.match(await command('commit'), /commit complete/);

    // Ten rows: the configuration as set lines is longer, so it stops at the more prompt.
    const shown = prompts(pane(), 'run show configuration | display set').length;
    keys('run show configuration | display set');
    press('Enter');
    const first = await waitFor(from('run show configuration | display set', shown), /---\(more\)---$/);
    assert.equal(first.split('\n').filter((l) => l.startsWith('set ')).length, 9);
    press('Space');
    const next = await waitFor(from('run show configuration | display set', shown), /set interfaces interface eth9[\s\S]*(---\(more\)---|admin@appliance# )$/);
    if (next.endsWith('---(more)---')) press('q');
    await waitFor(pane, /admin@appliance# $/);
    const all = await command('run show configuration | display set | no-more');
    assert.doesNotMatch(all, /more\)---/);
    assert.match(all, /set interfaces interface eth9 mtu 1280/);

    keys('exit');
    press('Enter');
    keys('exit');
    press('Enter');
    await waitFor(() => {
      try { return tmux('list-sessions'); } catch { return 'gone'; }
    }, /^gone$/);
  });
});
