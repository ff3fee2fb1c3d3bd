/**
 * Session command flows against a fake backend: what each command asks the appliance, how its
 * answers and errors are shown (one table of messages), modes and edit levels, exit rules,
 * the audit of every command, and non-interactive runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfdError } from '../../confd/api/index.js';
import { CliSession, runCommands } from '../../cli/index.js';
import { Capture, FakeBackend, openSession } from './fixtures.js';

const mtuError = () => new ConfdError('SCHEMA_INVALID_VALUE', 'must be between 68 and 65535, not 70000', { path: "/interfaces/interface[name='eth0']/mtu" });

describe('modes and levels', () => {
  test('prompts, configure, edit, up, top and the [edit] banner', async () => {
    const b = new FakeBackend();
    const t = await openSession(b);
    assert.equal(t.session.prompt(), 'admin@r1> ');
    assert.equal(t.session.banner(), null);
    assert.equal(await t.run('configure'), 0);
    assert.deepEqual(b.of('configure.enter')[0]!.params, { mode: 'shared' });
    assert.equal(t.session.prompt(), 'admin@r1# ');
    assert.equal(t.session.banner(), '[edit]');
    assert.equal(await t.run('edit interfaces interface "eth 0"'), 0);
    assert.equal(t.session.banner(), '[edit interfaces interface "eth 0"]');
    assert.equal(await t.run('set mtu 1400'), 0);
    assert.deepEqual(b.of('config.edit')[0]!.params, { edit: { interfaces: { interface: [{ name: 'eth 0', mtu: 1400 }] } } });
    assert.equal(await t.run('up'), 0);
    assert.equal(t.session.banner(), '[edit interfaces]');
    assert.equal(await t.run('top'), 0);
    assert.equal(t.session.banner(), '[edit]');
  });

  test('configure private and exclusive ask the appliance for that mode', async () => {
    for (const mode of ['private', 'exclusive']) {
      const b = new FakeBackend();
      const t = await openSession(b);
      assert.equal(await t.run(`configure ${mode}`), 0);
      assert.deepEqual(b.of('configure.enter')[0]!.params, { mode });
    }
  });

  test('a viewer is refused configuration mode with the appliance\'s words', async () => {
    const b = new FakeBackend();
    b.fail('configure.enter', new ConfdError('ACCESS_DENIED', 'access denied: bob (viewer) may not exec /operations/configure'));
    const t = await openSession(b, { user: 'bob' });
    assert.equal(await t.run('configure'), 1);
    assert.equal(t.err.text, 'error: access denied: bob (viewer) may not exec /operations/configure\n');
    assert.equal(t.session.state.mode, 'operational');
  });

  test('others editing are announced on configure, and by status', async () => {
    const b = new FakeBackend();
    b.handlers['configure.editors'] = () => [{ session: 7, user: 'alice', address: '10.0.0.9:5000', mode: 'exclusive', since: '2024-01-01T10:00:00Z', pending: 2 }];
    const t = await openSession(b);
    await t.run('configure');
    assert.match(t.out.take(), /Users currently editing the configuration:\n {2}alice \(session 7, exclusive/);
    await t.run('status');
    assert.match(t.out.take(), /alice \(session 7/);
  });
});

describe('errors, one table', () => {
  test('a value the appliance refuses: its path and message', async () => {
    const b = new FakeBackend();
    b.fail('config.edit', mtuError());
    const t = await openSession(b);
    await t.run('configure');
    assert.equal(await t.run('set interfaces interface eth0 mtu 70000'), 1);
    assert.equal(t.err.text, "error: /interfaces/interface[name='eth0']/mtu: must be between 68 and 65535, not 70000\n");
    assert.deepEqual(b.of('config.edit')[0]!.params, { edit: { interfaces: { interface: [{ name: 'eth0', mtu: 70000 }] } } });
  });

  test('several issues give several lines; a failed commit says so last', async () => {
    const b = new FakeBackend();
    b.fail('commit', new ConfdError('TXN_VALIDATION_FAILED', '2 problems', { issues: [
      mtuError(), new ConfdError('TXN_REF_MISSING', "no interface 'eth9'", { path: "/routing/static/route[prefix='10.0.0.0/8']/interface" }),
    ] }));
    const t = await openSession(b);
    await t.run('configure');
    assert.equal(await t.run('commit'), 1);
    assert.deepEqual(t.err.text.trim().split('\n'), [
      "error: /interfaces/interface[name='eth0']/mtu: must be between 68 and 65535, not 70000",
      "error: /routing/static/route[prefix='10.0.0.0/8']/interface: no interface 'eth9'",
      'error: commit failed',
    ]);
  });

  test('a veto names the daemon that rejected the change', async () => {
    const b = new FakeBackend();
    b.fail('commit', new ConfdError('TXN_VETOED', 'ntp-hostname rejected the change: server unreachable', { details: { participant: 'ntp-hostname' } }));
    const t = await openSession(b);
    await t.run('configure');
    assert.equal(await t.run('commit'), 1);
    assert.equal(t.err.text, 'error: commit failed: ntp-hostname rejected the change: server unreachable\n');
  });

  test('a locked database names the session and its user', async () => {
    const b = new FakeBackend();
    b.fail('config.edit', new ConfdError('TXN_IN_USE', 'the candidate datastore is locked by session 7 (alice)', { details: { session: 7 } }));
    b.handlers['sessions'] = () => [{ session: 7, user: 'alice' }, { session: 1, user: 'admin', self: true }];
    const t = await openSession(b);
    await t.run('configure');
    assert.equal(await t.run('set system hostname r2'), 1);
    assert.equal(t.err.text, 'error: configuration database locked by session 7 (alice)\n');
  });

  test('deleting what is not there is a warning, not a failure', async () => {
    const b = new FakeBackend();
    b.fail('config.edit', new ConfdError('TXN_DATA_MISSING', "'mtu' has no value to delete", { path: "/interfaces/interface[name='eth0']/mtu" }));
    const t = await openSession(b);
    await t.run('configure');
    assert.equal(await t.run('delete interfaces interface eth0 mtu'), 0);
    assert.match(t.out.text, /warning: statement not found: \/interfaces/);
  });

  test('a syntax error in a non-interactive run echoes the line with a caret', async () => {
    const t = await openSession(new FakeBackend());
    assert.equal(await t.run('show confguration'), 1);
    assert.deepEqual(t.err.text.split('\n').slice(0, 3), ['show confguration', '     ^', "error: unknown word 'confguration' (did you mean: configuration?)"]);
  });

  test('an interactive line gets the caret under the typed word, past the prompt', async () => {
    const t = await openSession(new FakeBackend());
    const width = t.session.prompt().length;
    await t.session.execute('show sistem', { promptWidth: width });
    assert.equal(t.err.text.split('\n')[0], ' '.repeat(width + 5) + '^');
  });
});

describe('commit, rollback, compare, exit', () => {
  test('commit options become the commit parameters; confirmed takes 1..65535 minutes, confirmable from any session', async () => {
    const b = new FakeBackend();
    const t = await openSession(b);
    await t.run('configure');
    await t.run('commit');
    await t.run('commit comment "first try" confirmed 1');
    await t.run('commit confirmed');
    await t.run('commit confirmed 65535');
    assert.deepEqual(b.of('commit').map((c) => c.params), [
      {},
      { comment: 'first try', confirmed: true, confirmTimeout: 60, anySession: true },
      { confirmed: true, confirmTimeout: 600, anySession: true },
      { confirmed: true, confirmTimeout: 65535 * 60, anySession: true },
    ]);
    assert.match(t.out.text, /rolled back in 1 minute unless confirmed\nconfirm it with 'commit' from any session/);
    assert.match(t.out.text, /rolled back in 65535 minutes unless confirmed/);
    for (const bad of ['0', '65536', '100000']) {
      assert.equal(await t.run(`commit confirmed ${bad}`), 1, bad);
      assert.match(t.err.take(), /a confirmed commit waits 1 to 65535 minutes/);
    }
    assert.equal(b.of('commit').length, 4, 'a refused time sends no commit');
    b.handlers['commit'] = () => ({ txid: 9, confirmedPending: false, confirmed: { session: 4, user: 'alice' } });
    t.out.take();
    assert.equal(await t.run('commit'), 0);
    assert.match(t.out.text, /^confirmed the pending commit of alice \(session 4\): it will not be rolled back\ncommit complete\n$/);
  });

  test('commit check validates the candidate; and-quit leaves configuration mode', async () => {
    const b = new FakeBackend();
    const t = await openSession(b);
    await t.run('configure');
    assert.equal(await t.run('commit check'), 0);
    assert.deepEqual(b.of('validate')[0]!.params, { datastore: 'candidate' });
    assert.equal(b.of('commit').length, 0);
    assert.equal(await t.run('commit check and-quit'), 1);
    assert.equal(await t.run('commit and-quit'), 0);
    assert.equal(t.session.state.mode, 'operational');
    assert.equal(b.of('configure.exit').length, 1);
  });

  test('rollback N loads into the candidate; rollback alone is 0', async () => {
    const b = new FakeBackend();
    const t = await openSession(b);
    await t.run('configure');
    await t.run('rollback 2');
    await t.run('rollback');
    assert.deepEqual(b.of('config.rollback-load').map((c) => c.params), [{ back: 2 }, { back: 0 }]);
    b.fail('config.rollback-load', new ConfdError('TXN_NO_SUCH_COMMIT', 'no commit -6 (the last is 3)', { details: { txid: -6, last: 3 } }));
    assert.equal(await t.run('rollback 9'), 1);
    assert.match(t.err.text, /rollback 9 does not exist/);
  });

  test('show | compare [rollback N] compares with running or N commits back', async () => {
    const b = new FakeBackend();
    b.handlers['compare'] = () => [{ path: "/interfaces/interface[name='eth0']/mtu", op: 'modify', old: 1500, new: 9000 }];
    const t = await openSession(b);
    await t.run('configure');
    const before = b.of('compare').length;
    t.out.take();
    await t.run('show | compare');
    assert.equal(t.out.take(), '[edit interfaces interface eth0]\n-   mtu 1500;\n+   mtu 9000;\n');
    await t.run('show | compare rollback 1');
    assert.deepEqual(b.of('compare').slice(before).map((c) => c.params), [{ from: 'running', to: 'candidate' }, { from: 2, to: 'candidate' }]);
    await t.run('edit system');
    t.out.take();
    await t.run('show | compare');
    assert.equal(t.out.take(), '', 'only the changes under the edit level');
    assert.equal(await t.run('show | compare rollback 7'), 1);
  });

  test('exclusive: exit refuses to leave uncommitted changes unless exit discard', async () => {
    const b = new FakeBackend();
    b.handlers['compare'] = () => [{ path: '/system/hostname', op: 'modify', old: 'r1', new: 'r2' }];
    const t = await openSession(b);
    await t.run('configure exclusive');
    await t.run('edit system');
    assert.equal(await t.run('exit'), 0, 'exit inside a level goes up');
    assert.equal(t.session.banner(), '[edit]');
    assert.equal(await t.run('exit'), 1);
    assert.match(t.out.text, /The configuration has been changed but not committed/);
    assert.equal(t.session.state.mode, 'configuration');
    assert.equal(await t.run('exit discard'), 0);
    assert.equal(b.of('discard').length, 1);
    assert.equal(b.of('configure.exit').length, 1);
    assert.equal(t.session.state.mode, 'operational');
  });

  test('a private candidate is dropped by leaving, without a discard', async () => {
    const b = new FakeBackend();
    const t = await openSession(b);
    await t.run('configure private');
    await t.run('exit discard');
    assert.equal(b.of('discard').length, 0);
    assert.equal(b.of('configure.exit').length, 1);
  });
});

describe('operational commands', () => {
  test('show audit user U last N, newest last', async () => {
    const b = new FakeBackend();
    b.handlers['audit.show'] = () => [
      { seq: 9, time: '2024-01-01T10:00:09Z', user: 'bob', source: 'cli', address: 'local', action: 'commit', target: 'running', result: 'ok' },
      { seq: 8, time: '2024-01-01T10:00:08Z', user: 'bob', source: 'cli', address: 'local', action: 'edit', target: 'candidate', result: 'ok' },
    ];
    const t = await openSession(b);
    assert.equal(await t.run('show audit user bob last 5'), 0);
    assert.deepEqual(b.of('audit.show')[0]!.params, { user: 'bob', limit: 5 });
    const rows = t.out.text.trim().split('\n');
    assert.match(rows[1]!, /^8 /);
    assert.match(rows[2]!, /^9 /);
  });

  test('show system software without an upgrade manager says so and fakes nothing', async () => {
    const b = new FakeBackend();
    const t = await openSession(b);
    assert.equal(await t.run('show system software'), 0);
    assert.match(t.out.take(), /not available/);
    b.fail('software.status', new ConfdError('TXN_NOT_SUPPORTED', 'no upgrade manager'));
    assert.equal(await t.run('show system software'), 0);
    assert.match(t.out.take(), /not available/);
    assert.equal(await t.run('request system software rollback'), 1);
    b.handlers['software.status'] = () => ({ current: 'A', slots: { A: { version: '1.2.0' } } });
    assert.equal(await t.run('show system software'), 0);
    assert.match(t.out.take(), /current: A\nslots:\n {2}A:\n {4}version: 1\.2\.0/);
  });

  test('pipes filter text output; run reaches operational commands from configuration mode', async () => {
    const b = new FakeBackend();
    b.handlers['history'] = () => [
      { txid: 3, time: '2024-01-01T10:00:00Z', user: 'alice', source: 'cli', comment: 'one' },
      { txid: 2, time: '2024-01-01T09:00:00Z', user: 'bob', source: 'netconf', comment: 'two' },
    ];
    const t = await openSession(b);
    await t.run('configure');
    t.out.take();
    assert.equal(await t.run('run show system commit | match alice'), 0);
    assert.doesNotMatch(t.out.text, /bob/);
    assert.match(t.out.take(), /alice/);
    assert.equal(await t.run('run show system commit | count'), 0);
    assert.equal(t.out.take(), 'Count: 3 lines\n');
    assert.equal(await t.run('run show system commit | display xml'), 1, 'display is for configurations');
    assert.equal(await t.run('run configure'), 1);
  });
});

describe('audit', () => {
  test('every command is recorded with its mode and result; sensitive values are hidden', async () => {
    const b = new FakeBackend();
    const t = await openSession(b);
    await t.run('configure');
    await t.run('set system users user bob password-hash "$scrypt$abc def"');
    await t.run('set sytem hostname x');
    const records = b.of('cli.command').map((c) => c.params);
    assert.deepEqual(records.map((r) => [r.command, r.result, r.mode]), [
      ['configure', 'ok', 'operational'],
      ['set system users user bob password-hash <hidden>', 'ok', 'configuration'],
      ['set sytem hostname x', 'error', 'configuration'],
    ]);
    assert.ok(!JSON.stringify(b.calls.filter((c) => c.method === 'cli.command')).includes('scrypt'));
  });

  test('an audit record that cannot be written: asked every time, a read-only command goes on, a change fails, each logged', async () => {
    const b = new FakeBackend();
    b.fail('cli.command', new ConfdError('STORE_IO', 'disk I/O error'));
    const logged: string[] = [];
    const out = new Capture(), err = new Capture();
    const session = await CliSession.open({
      backend: b, user: 'admin', output: out, errorOutput: err,
      log: { error: (details, message) => { logged.push(`${message} ${(details as { command: string }).command}`); } },
    });
    assert.equal((await session.execute('show system commit')).status, 0);
    assert.equal((await session.execute('show system commit')).status, 0);
    assert.equal(err.take(), '');
    assert.equal((await session.execute('configure; set system hostname x')).status, 1);
    assert.equal(err.take(), 'error: the audit record of this command could not be written (disk I/O error); it is reported as failed\n');
    assert.equal(b.of('config.edit').length, 0, 'the line stopped at the command that could not be audited');
    assert.equal(b.of('cli.command').length, 3);
    assert.deepEqual(logged, ['show system commit', 'show system commit', 'configure'].map((c) => `audit failure: the record of a CLI command could not be written ${c}`));
  });
});

describe('non-interactive runs', () => {
  test('commands separated by ; or newlines run in order and stop at the first failure', async () => {
    const b = new FakeBackend();
    b.handlers['config.edit'] = (p) => {
      const mtu = JSON.stringify(p.edit).includes('99999');
      if (mtu) throw mtuError();
      return {};
    };
    const out = new Capture();
    const err = new Capture();
    assert.equal(await runCommands('configure; set system hostname r2\ncommit', { backend: b, output: out, errorOutput: err }), 0);
    assert.equal(b.of('commit').length, 1);
    assert.equal(await runCommands('configure; set interfaces interface eth0 mtu 99999; commit', { backend: b, output: out, errorOutput: err }), 1);
    assert.equal(b.of('commit').length, 1, 'the commit after the failure did not run');
    assert.match(err.text, /must be between 68 and 65535/);
    assert.equal(b.of('configure.exit').length, 2, 'each run leaves configuration mode at the end');
  });

  test('a confirmed commit in a one-shot run stays pending after it: the run says how to confirm it', async () => {
    const out = new Capture();
    assert.equal(await runCommands('configure; commit confirmed 1', { backend: new FakeBackend(), output: out }), 0);
    assert.match(out.text, /rolled back in 1 minute unless confirmed\nconfirm it with 'commit' from any session \(it stays pending if this one ends\)/);
  });
});
