/**
 * End to end through a real OpenSSH client (public-key login): the exec channel's output and
 * exit status, and the interactive shell on a pty (ssh -tt inside tmux): Tab completion of an
 * existing key, `?`, show | compare, a confirmed commit that reverts when not confirmed, and
 * rollback 1. The appliance is the real `appliance start` process: its SSH listener and the CLI
 * its daemon attaches, as production wires them.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/device.js';
import { connectNetconf } from '../security/ssh-netconf.js';

const dir = tempDir('appliance-cli-ssh-');
const key = join(dir.path, 'id_ed25519');
const TMUX = ['-L', `appliance-cli-e2e-${process.pid}`];
let app: RunningAppliance;
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
function pane(target = 'cli'): string {
  return tmux('capture-pane', '-p', '-J', '-N', '-t', target, '-S', '-500').replace(/\n+$/, '');
}

async function waitFor(what: () => string | Promise<string>, re: RegExp, timeoutMs = 8000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await what();
    if (re.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${re}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Where each prompt at which `typed` was typed begins in `text`. */
function prompts(text: string, typed: string): number[] {
  const out: number[] = [];
  const re = new RegExp(`@[\\w-]+[#>] ${typed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m.index);
  return out;
}

/** The pane's text from the `n`-th prompt (0-based) at which `typed` was typed; '' until it is shown. */
const from = (typed: string, n?: number, target = 'cli') => () => {
  const text = pane(target);
  const at = prompts(text, typed);
  const i = n === undefined ? at[at.length - 1] : at[n];
  return i === undefined ? '' : text.slice(i);
};

const keys = (text: string, target = 'cli') => tmux('send-keys', '-t', target, '-l', text);
const press = (...names: string[]) => tmux('send-keys', '-t', 'cli', ...names);

/** Answers a question a command asked, and waits for the pane to match `re`. */
async function answer(text: string, target: string, re: RegExp): Promise<string> {
  keys(text, target);
  tmux('send-keys', '-t', target, 'Enter');
  return waitFor(() => pane(target), re);
}

/** Types a command once the prompt is shown, and returns its output up to the next prompt (or `until`). */
async function command(line: string, target = 'cli', until = /\n[^\n]*@[\w-]+[#>] $/): Promise<string> {
  const shown = prompts(await waitFor(() => pane(target), /([#>]|\)) $/), line).length;
  keys(line, target);
  tmux('send-keys', '-t', target, 'Enter');
  return waitFor(from(line, shown, target), until);
}

/** Opens ssh -tt in a tmux pane of `rows` rows and enters configuration mode. */
async function configureOnPty(rows: number): Promise<void> {
  tmux('new-session', '-d', '-s', 'cli', '-x', '150', '-y', String(rows), ['ssh', '-tt', ...sshArgs].join(' '));
  await waitFor(pane, /admin@appliance> $/m);
  assert.match(await command('configure'), /\[edit\]\nadmin@appliance# $/);
}

describe('the CLI through OpenSSH', () => {
  before(async () => {
    const data = join(dir.path, 'data');
    app = await startAppliance(data, [], { APPLIANCE_ADMIN_PASSWORD: 'secret' });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'e2e', '-f', key]);
    const pub = readFileSync(`${key}.pub`, 'utf8').trim();
    const users = join(dir.path, 'users.json');
    writeFileSync(users, JSON.stringify({ system: { users: { user: [
      { name: 'admin', 'ssh-key': [{ name: 'e2e', key: pub }] },
      { name: 'vera', role: 'viewer', 'ssh-key': [{ name: 'e2e', key: pub }] },
    ] } } }));
    const imported = await runAppliance(['config', 'import', '--merge', users, '--comment', 'e2e key', '--data-dir', data]);
    assert.equal(imported.code, 0, imported.stderr);
    sshArgs = ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
      '-o', 'LogLevel=ERROR', '-p', String(app.port), 'admin@127.0.0.1'];
  });

  after(async () => {
    try { tmux('kill-server'); } catch { /* already gone */ }
    if (app) assert.equal(await app.stop(), 0, app.stderr());
    dir.remove();
  });

  test('exec: output and exit status 0', async () => {
    const r = await ssh('show configuration system');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^hostname appliance;$/m);
    assert.match(r.stdout, /ssh-key e2e \{/);
    // The session is the appliance daemon's own: a cli session of admin from the SSH client's address.
    const sessions = await ssh('show system sessions');
    assert.equal(sessions.code, 0, sessions.stderr);
    assert.match(sessions.stdout, /^\d+\* +admin +cli +127\.0\.0\.1:\d+ /m);
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

  test('the shell on a pty: Tab, ?, show | compare, commit confirmed confirmed from another session, rollback 1', async () => {
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

    // A confirmed commit outlives its session: another session confirms it with a plain commit.
    assert.match(await command('commit confirmed 1'), /rolled back in 1 minute unless confirmed\n.*\ncommit complete/);
    const confirm = await ssh('configure; commit');
    assert.equal(confirm.code, 0, confirm.stderr);
    assert.match(confirm.stdout, /confirmed the pending commit of admin \(session \d+\): it will not be rolled back\ncommit complete/);
    assert.match((await ssh('show configuration interfaces interface eth7 description')).stdout, /description pty-ok;/);

    // rollback 1: the configuration as it was one commit back (without the description), to be committed.
    assert.match(await command('rollback 1'), /load complete/);
    assert.match(await command('show | compare'), /- {3}description pty-ok;/);
    assert.match(await command('commit and-quit'), /commit complete\nExiting configuration mode\nadmin@appliance> $/);
    assert.doesNotMatch((await ssh('show configuration interfaces interface eth7')).stdout, /pty-ok/);

    keys('exit');
    press('Enter');
    await waitFor(() => {
      try { return tmux('list-sessions'); } catch { return 'gone'; }
    }, /^gone$/);
  });

  test('two operators on ptys: leaving keeps the other\'s change, discards ask, configure exclusive shuts the door, a revert is broadcast', async () => {
    for (const t of ['a', 'b']) {
      tmux('new-session', '-d', '-s', t, '-x', '160', '-y', '50', ['ssh', '-tt', ...sshArgs].join(' '));
      await waitFor(() => pane(t), /admin@[\w-]+> $/m);
    }
    await command('configure', 'a');
    await command('set system domain example.org', 'a');
    await command('configure', 'b');
    assert.match(await command('exit', 'b'), /Exiting configuration mode\n/);
    await command('configure', 'b');
    assert.match(await command('show | compare', 'b'), /\+ {3}domain example\.org;/);
    const asked = await command('exit discard', 'b', /Discard them\? \[yes,no\] \(no\) $/);
    assert.match(asked, /throws away the uncommitted changes of admin \(session \d+, 1 changed node\)/);
    await answer('no', 'b', /\(no\) no\nNothing discarded\n\n\[edit\]\nadmin@appliance# $/);
    assert.match(await command('exit', 'a', /\(yes\) $/), /changed but not committed/);
    await answer('yes', 'a', /\(yes\) yes\nYour 1 changed node stay in the shared candidate\nExiting configuration mode\nadmin@appliance> $/);
    await command('rollback 0', 'b', /\(no\) $/);
    await answer('yes', 'b', /\(no\) yes\n[\s\S]*admin@appliance# $/);
    assert.match(await command('exit', 'b'), /Exiting configuration mode/);

    assert.match(await command('configure exclusive', 'a'), /admin@[\w-]+# $/);
    assert.match(await command('configure', 'b'), /error: configuration database locked by session \d+ \(admin, configure exclusive\)\n.*admin@[\w-]+> $/);
    await command('exit', 'a');

    // A confirmed commit (from NETCONF's side, 2 seconds) renames the host, then times out: every shell hears of it.
    const nc = await connectNetconf(app.port, 'admin', 'secret');
    await nc.nc.rpc('<edit-config><target><candidate/></target><config><system xmlns="urn:appliance:system"><hostname>edge-1</hostname></system></config></edit-config>');
    await nc.nc.rpc('<commit><confirmed/><confirm-timeout>2</confirm-timeout></commit>');
    for (const t of ['a', 'b']) await waitFor(() => pane(t), /admin@edge-1> $/);
    for (const t of ['a', 'b']) {
      await waitFor(() => pane(t), /Message from the appliance: the confirmed commit of admin \(session \d+\) was not confirmed in time and has been rolled back\n(.*\n)?admin@appliance> $/, 10_000);
    }
    nc.close();
    for (const t of ['a', 'b']) tmux('kill-session', '-t', t);
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
    // Space shows the next page: more than the first page's nine set lines, then another more prompt or the end.
    press('Space');
    const next = await waitFor(from('run show configuration | display set', shown), /(\nset [^\n]*){10}[\s\S]*(---\(more\)---|admin@appliance# )$/);
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
  test('the shell on a pty: monitor interface refreshes until Ctrl-C, and the pager follows a resized window', async () => {
    tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '40', ['ssh', '-tt', ...sshArgs].join(' '));
    await waitFor(() => pane('mon'), /admin@appliance> $/m);
    keys('monitor interface lo', 'mon');
    tmux('send-keys', '-t', 'mon', 'Enter');
    // Two refreshes (two seconds apart) show it is live; then Ctrl-C gives the prompt back, with no third.
    await waitFor(() => pane('mon'), /Interface: lo, /);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 2500));
    // Still refreshing (no prompt under it) until Ctrl-C: the stop below is the interrupt's doing.
    assert.doesNotMatch(pane('mon'), /Interface: lo, [\s\S]*admin@appliance> $/);
    tmux('send-keys', '-t', 'mon', 'C-c');
    await waitFor(() => pane('mon'), /Interface: lo, [\s\S]*\nadmin@appliance> $/, 5000);
    assert.ok(Date.now() - started < 7000, 'stopped at Ctrl-C, not after its 1000 refreshes');
    assert.match(await command('show system uptime', 'mon'), /admin@appliance> $/, 'the shell takes commands again');

    // The window shrinks to ten rows: the next long output is paged at the new height (window-change reaches the shell).
    tmux('resize-window', '-t', 'mon', '-x', '120', '-y', '10');
    const shown = prompts(pane('mon'), 'show configuration | display set').length;
    keys('show configuration | display set', 'mon');
    tmux('send-keys', '-t', 'mon', 'Enter');
    const first = await waitFor(from('show configuration | display set', shown, 'mon'), /---\(more\)---$/);
    assert.equal(first.split('\n').filter((l) => l.startsWith('set ')).length, 9);
    tmux('send-keys', '-t', 'mon', 'q');
    await waitFor(() => pane('mon'), /admin@appliance> $/);
    keys('exit', 'mon');
    tmux('send-keys', '-t', 'mon', 'Enter');
  });
});
