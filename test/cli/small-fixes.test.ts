/**
 * Smaller CLI wording and parsing faults seen in use: a hint must name a command that works, a
 * word after a leaf's value says "one leaf per set", a bad regular expression is an error, one
 * pending change is singular, and `?` keeps its help column when a name is long.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeSchema } from '../../confd/schema/describe.js';
import { testSchema } from '../helpers/device.js';
import { FakeBackend, openSession } from './fixtures.js';

describe('small CLI fixes (issue 9, item 10)', () => {
  test("an operational command typed in configuration mode: the hint names a command that is accepted", async () => {
    const t = await openSession(new FakeBackend());
    await t.run('configure');
    assert.equal(await t.run('configure private'), 1);
    const text = t.err.take();
    assert.doesNotMatch(text, /use 'run configure/);
    assert.match(text, /cannot be run from configuration mode: leave with 'exit' first/);
    // The hint that remains for other commands is one that works.
    assert.equal(await t.run('show'), 0);
    assert.equal(await t.run('sessions'), 1);
    assert.equal(await t.run('run configure'), 1);
  });

  test("a second word after a quoted value is 'one leaf per set', not a quoting hint", async () => {
    const t = await openSession(new FakeBackend());
    await t.run('configure');
    assert.equal(await t.run('set system hostname "r2" domain example.org'), 1);
    const text = t.err.take();
    assert.match(text, /unexpected word 'domain'/);
    assert.match(text, /one leaf per 'set': 'hostname' has its value; set another leaf with its own 'set'/);
    assert.doesNotMatch(text, /holds spaces/);
    assert.equal(await t.run('set interfaces interface eth0 description up link'), 1);
    assert.match(t.err.take(), /a value that holds spaces is written in quotes/);
  });

  test('| match with a pattern that is not a regular expression is an error with a non-zero status', async () => {
    const t = await openSession(new FakeBackend());
    assert.equal(await t.run('show configuration | match "[unclosed"'), 1);
    assert.match(t.err.take(), /invalid regular expression '\[unclosed': Unterminated character class/);
    assert.equal(t.out.take(), '');
    assert.equal(await t.run('show configuration | except "(a"'), 1);
    assert.equal(await t.run('show configuration | match host'), 0);
    assert.match(t.out.take(), /hostname r1/);
  });

  test("status: '1 pending change', '2 pending changes'", async () => {
    const b = new FakeBackend();
    b.handlers['configure.editors'] = () => [
      { session: 7, user: 'bob', address: '10.0.0.9', mode: 'shared', since: '2024-01-01T10:00:00Z', pending: 1 },
      { session: 8, user: 'eve', address: '10.0.0.8', mode: 'private', since: '2024-01-01T10:00:00Z', pending: 2 },
    ];
    const t = await openSession(b);
    await t.run('configure');
    t.out.take();
    assert.equal(await t.run('status'), 0);
    const text = t.out.take();
    assert.match(text, /, 1 pending change$/m);
    assert.match(text, /, 2 pending changes$/m);
  });

  test('? puts every help text in one column; a name too long for it has its help on the next line', async () => {
    const b = new FakeBackend();
    b.handlers['schema'] = () => describeSchema(testSchema(2));
    const t = await openSession(b);
    await t.run('configure');
    const lines = (await t.session.help('set firewall rule 10 ', null)).split('\n');
    const at = lines.indexOf('  destination-prefix-length');
    assert.ok(at > 0, lines.join('\n'));
    const column = (l: string) => l.length - l.replace(/^ {2}\S+ {2,}/, '').length;
    const withHelp = lines.filter((l) => /^ {2}[a-z<]\S* {2,}\S/.test(l));
    assert.ok(withHelp.length > 5);
    const col = column(withHelp[0]!);
    for (const l of withHelp) assert.equal(column(l), col, `help in one column:\n${lines.join('\n')}`);
    assert.equal(lines[at + 1]!.search(/\S/), col, 'the long name has its help below, in the column');
    assert.match(lines[at + 1]!, /Prefix length of destination-address/);
  });
});
