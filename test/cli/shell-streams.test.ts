/**
 * The interactive shell driven through its streams (PassThrough, terminal mode: readline's
 * line editing, Tab and `?`) against a real appliance process over its local socket:
 * configure, set, show | compare, commit, rollback 1, Tab completing an existing key, `?`,
 * Ctrl-C, exit.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ConfdError, SocketClient, type JsonObject } from '../../confd/api/index.js';
import { runCommands, runShell, type AuditFailure } from '../../cli/index.js';
import { startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/device.js';

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

class Terminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  private raw = '';
  private mark = 0;

  constructor() {
    this.output.on('data', (d: Buffer) => { this.raw += d.toString('utf8'); });
  }

  get text(): string {
    return this.raw.replace(ANSI, '').replace(/\r/g, '');
  }

  /** Types keys (Enter is \r, as a terminal sends it). */
  type(keys: string): void {
    this.mark = this.text.length;
    this.input.write(keys);
  }

  /** Waits until the output since the last keys typed matches. */
  async waitFor(re: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const since = this.text.slice(this.mark);
      if (re.test(since)) return since;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${re}; output since the keys:\n${since}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Types a command line and waits for the next prompt. */
  async command(line: string): Promise<string> {
    this.type(line + '\r');
    return this.waitFor(/admin@[\w-]+[>#] $/);
  }
}

describe('the shell over streams, against a running appliance', () => {
  const dir = tempDir('appliance-cli-shell-');
  let app: RunningAppliance;
  let client: SocketClient;
  let observer: SocketClient;
  const term = new Terminal();
  let done: Promise<number>;

  const running = async () => observer.request<JsonObject>('config.get', { datastore: 'running', path: '/interfaces' });

  before(async () => {
    app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: 'secret' });
    const socket = join(dir.path, 'confd.sock');
    client = await SocketClient.connect(socket, 'admin', 'appliance-cli', 'cli');
    observer = await SocketClient.connect(socket, 'admin', 'test');
    done = runShell({ input: term.input, output: term.output, terminal: true, size: () => ({ cols: 200, rows: 0 }), backend: client, user: 'admin' });
    await term.waitFor(/admin@appliance> $/);
  });

  after(async () => {
    client?.close();
    observer?.close();
    await app?.stop();
    dir.remove();
  });

  test('configure, set, show | compare, commit', async () => {
    assert.match(await term.command('configure'), /Entering configuration mode\n\n\[edit\]\nadmin@appliance# $/);
    await term.command('set interfaces interface eth0 mtu 9000');
    const diff = await term.command('show | compare');
    assert.match(diff, /\[edit interfaces\]\n\+ {3}interface eth0 \{\n(\+ .*\n)*\+ {7}mtu 9000;\n/);
    assert.match(await term.command('commit'), /commit complete/);
    assert.deepEqual(await running(), { interfaces: { interface: [{ name: 'eth0', enabled: true, mtu: 9000 }] } });
  });

  test('a syntax error points at the word, under the typed line', async () => {
    const out = await term.command('set interfaces interfce eth0');
    const lines = out.split('\n');
    const caret = lines.findIndex((l) => /^ *\^$/.test(l));
    assert.ok(caret > 0, out);
    assert.equal(lines[caret]!.indexOf('^'), 'admin@appliance# set interfaces '.length);
    assert.match(lines[caret + 1]!, /error: unknown word 'interfce'.*did you mean: interface\?/);
  });

  test('Tab completes the key of an existing entry', async () => {
    term.type('set interfaces interface e\t');
    await term.waitFor(/set interfaces interface eth0 $/);
    await term.command('mtu 1400');
    assert.match(await term.command('show interfaces interface eth0 mtu'), /mtu 1400;/);
  });

  test('? lists what may follow with help, and is not inserted', async () => {
    term.type('set interfaces interface eth0 ?');
    const help = await term.waitFor(/Possible completions:[\s\S]*admin@appliance# set interfaces interface eth0 $/);
    assert.match(help, /\n {2}mtu +Maximum transmission unit, in bytes \(68\.\.65535\)\n/);
    assert.match(help, /\n {2}description +Free-form description\n/);
    await term.command('description "set after help"');
    assert.match(await term.command('show interfaces interface eth0 description'), /description "set after help";/);
  });

  test('Ctrl-C clears the line', async () => {
    term.type('set system hostname nope\x03');
    await term.waitFor(/\^C\n/);
    await term.waitFor(/admin@appliance# $/);
    assert.match(await term.command('commit'), /commit complete/);
    const system = await observer.request<JsonObject>('config.get', { datastore: 'running', path: '/system/hostname' });
    assert.deepEqual(system, { system: { hostname: 'appliance' } });
  });

  test('rollback 1 loads the previous configuration into the candidate, to be committed', async () => {
    assert.match(await term.command('rollback 1'), /load complete/);
    const diff = await term.command('show | compare');
    assert.match(diff, /\[edit interfaces interface eth0\]/);
    assert.match(diff, /- {3}mtu 1400;\n\+ {3}mtu 9000;/);
    assert.match(diff, /- {3}description "set after help";/);
    await term.command('commit');
    assert.deepEqual(await running(), { interfaces: { interface: [{ name: 'eth0', enabled: true, mtu: 9000 }] } });
  });

  test('load set terminal reads the pasted lines until Ctrl-D; Ctrl-C aborts and changes nothing', async () => {
    term.type('load set terminal\r');
    await term.waitFor(/\[Type \^D at a new line to end input, \^C to abort\]\n/);
    term.type('set interfaces interface eth7 mtu 1400\rset interfaces interface eth7 description pasted\r');
    term.type('\x04');
    await term.waitFor(/load complete\n[\s\S]*admin@appliance# $/);
    const diff = await term.command('show | compare');
    assert.match(diff, /\+ {3}interface eth7 \{\n(\+ .*\n)*\+ {7}mtu 1400;/);
    assert.match(diff, /description pasted;/);
    term.type('load merge terminal\r');
    await term.waitFor(/\^C to abort\]\n/);
    term.type('interfaces { interface eth8 { mtu 1300; } }\r\x03');
    await term.waitFor(/load aborted: nothing changed\n[\s\S]*admin@appliance# $/);
    assert.doesNotMatch(await term.command('show | compare'), /eth8/);
    assert.match(await term.command('rollback 0'), /load complete/);
  });

  test('exit leaves configuration mode, then the shell, with status 0; the commands are audited', async () => {
    assert.match(await term.command('exit'), /Exiting configuration mode\nadmin@appliance> $/);
    term.type('exit\r');
    assert.equal(await done, 0);
    const records = await observer.request<Array<{ action: string; target: string; source: string }>>('audit.show', { user: client.user, limit: 200 });
    const cli = records.filter((r) => r.action === 'cli-command');
    assert.ok(cli.some((r) => r.target === 'rollback 1' && r.source === 'cli'), JSON.stringify(cli.slice(0, 5)));
    assert.ok(cli.some((r) => r.target === 'set interfaces interfce eth0' && r.source === 'cli'), 'a refused command is audited too');
    assert.ok(cli.some((r) => r.target === 'show | compare'), 'a read-only command is audited too');
  });

  test('a command whose audit record the appliance refuses: a change fails, a read-only command goes on, logged as an audit failure', async () => {
    // The observer's connection is a tool's (source test), for which the daemon refuses cli.command.
    const logged: Array<{ details: Record<string, unknown>; message: string }> = [];
    const failures: AuditFailure[] = [];
    const log = { error: (details: object, message: string) => { logged.push({ details: details as Record<string, unknown>, message }); } };
    const run = async (line: string) => {
      let out = '', err = '';
      const status = await runCommands(line, {
        backend: observer, user: 'admin', output: { write: (t: string) => { out += t; } }, errorOutput: { write: (t: string) => { err += t; } },
        log, onAuditFailure: (f) => failures.push(f),
      });
      return { status, out, err };
    };
    const refused = await run('configure; set system hostname never-audited; commit');
    assert.equal(refused.status, 1);
    assert.match(refused.err, /^error: the audit record of this command could not be written \(only a CLI session reports its command lines\)/m);
    assert.deepEqual(failures.map((f) => [f.command, f.readOnly]), [['configure', false]], 'the line stops at the command that could not be audited');
    assert.deepEqual(await observer.request<JsonObject>('config.get', { datastore: 'running', path: '/system/hostname' }), { system: { hostname: 'appliance' } });

    const read = await run('show configuration interfaces');
    assert.equal(read.status, 0, read.err);
    assert.match(read.out, /^interface eth0 \{$/m);
    assert.deepEqual(failures.map((f) => [f.command, f.readOnly]), [['configure', false], ['show configuration interfaces', true]]);
    assert.deepEqual(logged.map((l) => [l.message, l.details.audit, l.details.command]), [
      ['audit failure: the record of a CLI command could not be written', 'failure', 'configure'],
      ['audit failure: the record of a CLI command could not be written', 'failure', 'show configuration interfaces'],
    ]);
    assert.ok(failures.every((f) => f.error instanceof ConfdError && f.error.code === 'ACCESS_DENIED'));
  });

  test('output longer than the terminal is paged: Space for a screen, Enter for a line, q to stop; | no-more does not page', async () => {
    const c = await SocketClient.connect(join(dir.path, 'confd.sock'), 'admin', 'appliance-cli', 'cli');
    const small = new Terminal();
    // The more prompt is blanked with \r and spaces; the screen then shows only the next line.
    const unprompted = (l: string) => l.replace(/^(---\(more\)---)? *(?=set )/, '');
    try {
      const shell = runShell({ input: small.input, output: small.output, terminal: true, size: () => ({ cols: 120, rows: 4 }), backend: c, user: 'admin' });
      await small.waitFor(/admin@appliance> $/);
      const all = (await small.command('show configuration | display set | no-more')).split('\n').map(unprompted).filter((l) => l.startsWith('set '));
      assert.ok(all.length > 7, `enough lines to page: ${all.length}`);
      assert.doesNotMatch(small.text, /---\(more\)---/);
      small.type('show configuration | display set\r');
      const first = await small.waitFor(/---\(more\)---$/);
      assert.deepEqual(first.split('\n').map(unprompted).filter((l) => l.startsWith('set ')), all.slice(0, 3));
      small.type(' ');
      const second = await small.waitFor(/---\(more\)---$/);
      assert.deepEqual(second.split('\n').map(unprompted).filter((l) => l.startsWith('set ')), all.slice(3, 6));
      small.type('\r');
      const one = await small.waitFor(/---\(more\)---$/);
      assert.deepEqual(one.split('\n').map(unprompted).filter((l) => l.startsWith('set ')), all.slice(6, 7));
      small.type('q');
      const rest = await small.waitFor(/admin@appliance> $/);
      assert.equal(rest.split('\n').map(unprompted).filter((l) => l.startsWith('set ')).length, 0, 'q drops the rest');
      small.type('exit\r');
      assert.equal(await shell, 0);
    } finally {
      c.close();
    }
  });

  /** Runs a shell without a terminal over `lines`; its exit status and everything it wrote. */
  async function plainShell(lines: string): Promise<{ status: number; text: string }> {
    const c = await SocketClient.connect(join(dir.path, 'confd.sock'), 'admin', 'appliance-cli', 'cli');
    try {
      const input = new PassThrough();
      const output = new PassThrough();
      let text = '';
      output.on('data', (d: Buffer) => { text += d.toString('utf8'); });
      const shell = runShell({ input, output, terminal: false, backend: c, user: 'admin' });
      input.end(lines);
      return { status: await shell, text };
    } finally {
      c.close();
    }
  }

  test('without a terminal, load merge terminal takes the rest of the input', async () => {
    const { status, text } = await plainShell('configure private\nload merge terminal\ninterfaces {\n    interface eth5 {\n        mtu 1300;\n    }\n}\n');
    assert.equal(status, 0);
    assert.match(text, /load complete/);
  });

  test('without a terminal the shell reads lines, prompts plainly and ends with its input', async () => {
    const { status, text } = await plainShell('show configuration interfaces\nshow sistem\n');
    assert.equal(status, 0);
    assert.doesNotMatch(text, /\x1b\[|\r/, 'no terminal control sequences');
    assert.match(text, /^admin@appliance> interface eth0 \{$/m);
    assert.match(text, /error: unknown word 'sistem'/);
  });
});
