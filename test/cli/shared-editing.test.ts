/**
 * Several operators at once, through the shell's streams (readline in terminal mode) over
 * the real engine in process: leaving shared `configure` keeps everyone's changes, `exit
 * discard` and `rollback 0` name whose changes they throw away and ask first, `configure`
 * is refused under another session's `configure exclusive`, `configure private` over a
 * modified shared candidate, and a CLI confirmed commit is confirmed from another session.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { runShell, type Backend } from '../../cli/index.js';
import { MethodTable } from '../../confd/northbound/socket/methods.js';
import { Operations } from '../../confd/rpc/operations.js';
import { verifyPassword } from '../../confd/auth/passwords.js';
import { openTestDevice, quietLogger, testSchema, type TestDevice } from '../helpers/device.js';

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const methods = new MethodTable();

/** One operator's interactive shell on a terminal. */
class Operator {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  private raw = '';
  private mark = 0;
  readonly done: Promise<number>;

  constructor(ops: Operations, readonly user: string) {
    const session = ops.openSession({ user, source: 'cli', address: 'local' });
    const backend: Backend = { request: async <T>(m: string, p: Record<string, unknown> = {}) => (await methods.call({ ops, session }, m, p)) as T };
    this.output.on('data', (d: Buffer) => { this.raw += d.toString('utf8'); });
    this.done = runShell({ input: this.input, output: this.output, terminal: true, size: () => ({ cols: 200, rows: 0 }), backend, user })
      .finally(() => ops.closeSession(session));
  }

  get text(): string { return this.raw.replace(ANSI, '').replace(/\r/g, ''); }

  async waitFor(re: RegExp, timeoutMs = 8000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const since = this.text.slice(this.mark);
      if (re.test(since)) return since;
      if (Date.now() > deadline) assert.fail(`${this.user}: timed out waiting for ${re}; output since the keys:\n${since}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Types a line; waits for the next prompt (or `until`). */
  async type(line: string, until: RegExp = new RegExp(`${this.user}@[\\w-]+[>#] $`)): Promise<string> {
    this.mark = this.text.length;
    this.input.write(line + '\r');
    return this.waitFor(until);
  }

  async close(): Promise<void> {
    this.input.end();
    await this.done;
  }
}

let device: TestDevice;
let ops: Operations;
let alice: Operator;
let bob: Operator;

const candidateDomain = () => (device.engine.getConfig('candidate').system as { domain?: string } | undefined)?.domain;

beforeEach(async () => {
  device = await openTestDevice();
  ops = new Operations(device.engine, quietLogger);
  alice = new Operator(ops, 'alice');
  bob = new Operator(ops, 'bob');
  await alice.waitFor(/alice@\w+> $/);
  await bob.waitFor(/bob@\w+> $/);
});

afterEach(async () => {
  await alice.close();
  await bob.close();
  device.close();
});

describe('leaving shared configure', () => {
  test('exit, quit and exit configuration-mode leave without touching another session\'s change', async () => {
    await alice.type('configure');
    await alice.type('set system domain example.org');
    for (const leaveBy of ['exit', 'quit', 'exit configuration-mode']) {
      await bob.type('configure');
      const out = await bob.type(leaveBy);
      assert.match(out, /Exiting configuration mode\nbob@\w+> $/, leaveBy);
      assert.doesNotMatch(out, /error/);
      assert.equal(candidateDomain(), 'example.org', `${leaveBy} kept alice's change`);
    }
  });

  test('exit with one\'s own changes asks "Exit with uncommitted changes?" and keeps them', async () => {
    await alice.type('configure');
    await alice.type('set system domain example.org');
    assert.match(await alice.type('exit', /Exit with uncommitted changes\? \[yes,no\] \(yes\) $/), /changed but not committed/);
    assert.match(await alice.type('no'), /alice@\w+# $/, 'no: stays in configuration mode');
    await alice.type('exit', /\(yes\) $/);
    assert.match(await alice.type(''), /stay in the shared candidate\nExiting configuration mode/);
    assert.equal(candidateDomain(), 'example.org');
  });

  test('exit discard and rollback 0 name whose changes they throw away and ask first', async () => {
    await alice.type('configure');
    await alice.type('set system domain example.org');
    await bob.type('configure');
    const asked = await bob.type('exit discard', /Discard them\? \[yes,no\] \(no\) $/);
    assert.match(asked, /'exit discard' throws away the uncommitted changes of alice \(session \d+, 1 changed node\)/);
    assert.match(await bob.type(''), /Nothing discarded\n\n\[edit\]\nbob@\w+# $/);
    assert.equal(candidateDomain(), 'example.org');
    assert.match(await bob.type('rollback 0', /\(no\) $/), /'rollback 0' throws away the uncommitted changes of alice/);
    await bob.type('no');
    assert.equal(candidateDomain(), 'example.org');
    await bob.type('exit discard', /\(no\) $/);
    assert.match(await bob.type('yes'), /Exiting configuration mode/);
    assert.equal(candidateDomain(), undefined, 'discarded once agreed to');
  });
});

describe('who may enter which mode', () => {
  test('configure and configure private are refused under another session\'s configure exclusive, naming it', async () => {
    await alice.type('configure exclusive');
    for (const how of ['configure', 'configure private']) {
      const out = await bob.type(how);
      assert.match(out, /error: configuration database locked by session \d+ \(alice, configure exclusive\)/, how);
      assert.match(out, /bob@\w+> $/, `${how}: bob stays in operational mode`);
    }
    await alice.type('exit');
    assert.match(await bob.type('configure'), /bob@\w+# $/);
  });

  test('configure private is refused while the shared candidate holds changes, naming whose', async () => {
    await alice.type('configure');
    await alice.type('set system domain example.org');
    const out = await bob.type('configure private');
    assert.match(out, /error: .*uncommitted changes of alice \(session \d+, 1 node\)/);
    assert.match(out, /bob@\w+> $/);
  });

  test('configure exclusive is refused while the shared candidate holds changes, naming whose', async () => {
    await alice.type('configure');
    await alice.type('set system domain example.org');
    assert.match(await bob.type('configure exclusive'), /error: .*uncommitted changes of alice/);
  });
});

describe('confirmed commit across sessions', () => {
  test('alice\'s confirmed commit survives her logout; bob\'s plain commit confirms it and says so', async () => {
    await alice.type('configure');
    await alice.type('set system domain example.org');
    assert.match(await alice.type('commit confirmed 5'), /rolled back in 5 minutes unless confirmed/);
    await alice.type('exit');
    await alice.type('exit', /$^/).catch(() => undefined);
    await alice.done;
    await device.engine.idle();
    assert.ok(device.engine.pendingConfirmed(), 'still pending after her session ended');
    await bob.type('configure');
    assert.match(await bob.type('commit'), /confirmed the pending commit of alice \(session \d+\): it will not be rolled back\ncommit complete/);
    assert.equal(device.engine.pendingConfirmed(), null);
    assert.equal((device.engine.getConfig('running').system as { domain?: string }).domain, 'example.org');
  });
});

describe('set … plain-text-password (schema v2)', () => {
  test('prompts twice without echo and commits only the scrypt hash; a mismatch changes nothing', async () => {
    const v2 = await openTestDevice({ schema: testSchema(2) });
    const v2ops = new Operations(v2.engine, quietLogger);
    const root = new Operator(v2ops, 'root');
    await root.waitFor(/root@\w+> $/);
    await root.type('configure');
    await root.type('set system users user root role admin');
    assert.match(await root.type('set system users user root plain-text-password', /New password: $/), /New password: $/);
    await root.type('secret-one-1', /Retype new password: $/);
    assert.match(await root.type('secret-two-2'), /the passwords do not match; nothing changed/);
    await root.type('set system users user root plain-text-password', /New password: $/);
    await root.type('horse battery staple', /Retype new password: $/);
    await root.type('horse battery staple');
    assert.match(await root.type('commit'), /commit complete/);
    assert.doesNotMatch(root.text, /secret-one|secret-two|horse battery/, 'never echoed');
    const user = ((v2.engine.getConfig('running').system as { users: { user: Array<Record<string, string>> } }).users.user)[0]!;
    assert.equal(user['plain-text-password'], undefined);
    assert.ok(await verifyPassword('horse battery staple', user['password-hash']!));
    await root.close();
    v2.close();
  });
});
