/**
 * `show | compare` on the real engine: hunks in the order of the configuration (schema order,
 * list entries in the list's order), one hunk per level, a new entry with its nested entries in
 * one block; `| display set` and `| display json` print the change; a pipe that does not apply
 * to the compare is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSession, realBackend, type TestSession } from './fixtures.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJx8 bob@laptop';

/** A new firewall rule as compare shows it (its defaults filled in), as a block and as set lines. */
const newRuleBlock = (seq: number, action: string) =>
  [`+   rule ${seq} {`, `+       action ${action};`, '+       protocol any;', '+       enabled true;', '+   }'];
const newRuleSets = (seq: number, action: string) =>
  [`set firewall rule ${seq} action ${action}`, `set firewall rule ${seq} protocol any`, `set firewall rule ${seq} enabled true`];

describe('show | compare on the real engine', () => {
  let real: Awaited<ReturnType<typeof realBackend>>;
  let t: TestSession;

  before(async () => {
    real = await realBackend();
    t = await openSession(real.backend);
    await t.run('configure');
    for (const line of [
      'set interfaces interface eth0 mtu 1500',
      'set firewall rule 100 action accept',
      'set system timezone UTC',
    ]) assert.equal(await t.run(line), 0, t.err.text);
    assert.equal(await t.run('commit'), 0, t.err.text);
    for (const line of [
      ...newRuleSets(300, 'drop'),
      'set system domain example.org',
      ...newRuleSets(25, 'accept'),
      'set system users user bob role operator',
      `set system users user bob ssh-key laptop key "${KEY}"`,
      ...newRuleSets(7, 'reject'),
      'set firewall rule 100 action drop',
      'set system hostname r9',
      'set system timezone Europe/Paris',
      'set interfaces interface eth0 mtu 9000',
    ]) assert.equal(await t.run(line), 0, `${line}: ${t.err.text}`);
    t.out.take();
  });

  after(async () => { await real.close(); });

  test('hunks follow the configuration order, one per level, nested new entries inside their parent', async () => {
    assert.equal(await t.run('show | compare'), 0, t.err.text);
    assert.equal(t.out.take(), [
      '[edit system]',
      '-   hostname appliance;',
      '+   hostname r9;',
      '+   domain example.org;',
      '-   timezone UTC;',
      '+   timezone Europe/Paris;',
      '[edit system users]',
      '+   user bob {',
      '+       role operator;',
      '+       ssh-key laptop {',
      `+           key "${KEY}";`,
      '+       }',
      '+   }',
      '[edit interfaces interface eth0]',
      '-   mtu 1500;',
      '+   mtu 9000;',
      '[edit firewall]',
      ...newRuleBlock(7, 'reject'),
      ...newRuleBlock(25, 'accept'),
      ...newRuleBlock(300, 'drop'),
      '[edit firewall rule 100]',
      '-   action accept;',
      '+   action drop;',
      '',
    ].join('\n'));
  });

  test('| display set prints the change as set and delete lines that replay it', async () => {
    assert.equal(await t.run('show | compare | display set'), 0, t.err.text);
    assert.equal(t.out.take(), [
      'set system hostname r9',
      'set system domain example.org',
      'set system timezone Europe/Paris',
      'set system users user bob role operator',
      `set system users user bob ssh-key laptop key "${KEY}"`,
      'set interfaces interface eth0 mtu 9000',
      ...newRuleSets(7, 'reject'),
      ...newRuleSets(25, 'accept'),
      'set firewall rule 100 action drop',
      ...newRuleSets(300, 'drop'),
      '',
    ].join('\n'));
  });

  test('| display set of deletions, and the lines replayed on running give the same change', async () => {
    const other = await realBackend();
    try {
      const u = await openSession(other.backend);
      await u.run('configure');
      for (const line of ['set interfaces interface eth0 description uplink', 'set firewall rule 100 action accept', 'commit',
        'delete firewall rule 100', 'delete interfaces interface eth0 description']) assert.equal(await u.run(line), 0, u.err.text);
      u.out.take();
      assert.equal(await u.run('show | compare | display set'), 0, u.err.text);
      const lines = u.out.take();
      assert.equal(lines, ['delete interfaces interface eth0 description', 'delete firewall rule 100', ''].join('\n'));
      await u.run('show | compare');
      const diff = u.out.take();
      assert.equal(await u.run('rollback 0'), 0, u.err.text);
      assert.equal(await u.run(lines), 0, u.err.text);
      u.out.take();
      await u.run('show | compare');
      assert.equal(u.out.take(), diff);
    } finally {
      await other.close();
    }
  });

  test('| display json prints the changes in the same order', async () => {
    assert.equal(await t.run('show | compare | display json'), 0, t.err.text);
    const changes = JSON.parse(t.out.take()) as Array<{ path: string; op: string }>;
    assert.deepEqual(changes.map((c) => c.path).slice(0, 4), ['/system/hostname', '/system/domain', '/system/timezone', "/system/users/user[name='bob']"]);
    assert.equal(changes.filter((c) => c.path.includes('ssh-key')).length, 0, 'the key is inside the new user');
    assert.deepEqual(changes.slice(-4).map((c) => c.path), [
      "/firewall/rule[sequence='7']", "/firewall/rule[sequence='25']", "/firewall/rule[sequence='100']/action", "/firewall/rule[sequence='300']"]);
  });

  test('a pipe that does not apply is an error, not ignored', async () => {
    assert.equal(await t.run('show | compare | display xml'), 1);
    assert.match(t.err.take(), /display xml.*does not apply to '\| compare'/);
    assert.equal(t.out.take(), '');
  });
});
