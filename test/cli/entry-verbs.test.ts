/**
 * rename, copy and insert on the real engine: one edit each, everything under the entry kept,
 * refusals that change nothing, and Tab/`?` for their arguments.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { JsonObject } from '../../confd/api/index.js';
import { openSession, realBackend, type TestSession } from './fixtures.js';

describe('rename, copy, insert, wildcard delete', () => {
  let real: Awaited<ReturnType<typeof realBackend>>;
  let t: TestSession;
  const candidate = () => real.device.engine.getConfig('candidate') as JsonObject;
  const rules = () => ((candidate().firewall as JsonObject | undefined)?.rule as JsonObject[] | undefined ?? []).map((r) => [r.sequence, r.action]);

  beforeEach(async () => {
    real = await realBackend();
    t = await openSession(real.backend);
    await t.run('configure');
    for (const line of [
      'set interfaces interface eth1 description uplink', 'set interfaces interface eth1 address 10.0.0.1/24',
      'set firewall rule 10 action accept', 'set firewall rule 20 action drop', 'set firewall rule 30 action reject',
      'set firewall rule 35 action accept', 'set firewall rule 35 description "late rule"',
    ]) assert.equal(await t.run(line), 0, `${line}: ${t.err.text}`);
    t.out.take();
  });

  afterEach(async () => { await real.close(); });

  test('rename gives an entry new keys, with everything under it; from an edit level too', async () => {
    assert.equal(await t.run('rename interfaces interface eth1 to interface eth2'), 0, t.err.text);
    const ifs = (candidate().interfaces as JsonObject).interface as JsonObject[];
    assert.deepEqual(ifs.map((i) => i.name), ['eth2']);
    assert.equal(ifs[0]!.description, 'uplink');
    assert.deepEqual(ifs[0]!.address, ['10.0.0.1/24']);
    await t.run('edit firewall');
    assert.equal(await t.run('rename rule 35 to 40'), 0, t.err.text);
    assert.deepEqual(rules(), [[10, 'accept'], [20, 'drop'], [30, 'reject'], [40, 'accept']]);
  });

  test('copy keeps the original; an existing target or a missing source is refused and nothing changes', async () => {
    assert.equal(await t.run('copy firewall rule 35 to rule 36'), 0, t.err.text);
    assert.deepEqual(rules().map(([s]) => s), [10, 20, 30, 35, 36]);
    assert.equal(((candidate().firewall as JsonObject).rule as JsonObject[])[4]!.description, 'late rule');
    const before = candidate();
    assert.equal(await t.run('copy firewall rule 35 to rule 10'), 1);
    assert.match(t.err.take(), /rule 10 already exists/);
    assert.equal(await t.run('rename firewall rule 99 to rule 98'), 1);
    assert.match(t.err.take(), /rule 99 does not exist/);
    assert.equal(await t.run('rename firewall to rule 98'), 1);
    assert.match(t.err.take(), /takes a list entry \(for example: firewall rule 10\)/);
    assert.deepEqual(candidate(), before);
  });

  test('insert moves a rule before or after another by giving it a free number between them', async () => {
    assert.equal(await t.run('insert firewall rule 35 before rule 20'), 0, t.err.text);
    assert.match(t.out.take(), /rule 35 is now rule 15, before rule 20/);
    assert.deepEqual(rules(), [[10, 'accept'], [15, 'accept'], [20, 'drop'], [30, 'reject']]);
    assert.equal(await t.run('insert firewall rule 10 after rule 30'), 0, t.err.text);
    assert.deepEqual(rules().map(([s]) => s), [15, 20, 30, 40]);
    assert.equal(await t.run('insert firewall rule 20 after rule 15'), 0);
    assert.match(t.out.take(), /rule 20 is already after rule 15/);
    await t.run('set firewall rule 16 action drop');
    await t.run('set firewall rule 17 action drop');
    const before = candidate();
    assert.equal(await t.run('insert firewall rule 40 before rule 17'), 1);
    assert.match(t.err.take(), /no free sequence between 16 and 17/);
    assert.equal(await t.run('insert interfaces interface eth1 before interface eth0'), 1);
    assert.match(t.err.take(), /kept in the order of their name/);
    assert.deepEqual(candidate(), before);
  });

  test('wildcard delete removes every entry whose keys match, in one edit; no match is an error', async () => {
    for (const name of ['eth2', 'eth3', 'lo0']) await t.run(`set interfaces interface ${name} mtu 1500`);
    await t.run('delete firewall rule 20 interface');
    const edits = () => real.device.engine.getConfig('candidate');
    assert.equal(await t.run('wildcard delete interfaces interface "eth*"'), 0, t.err.text);
    assert.match(t.out.take(), /deleted 3 entries: interface eth1, interface eth2, interface eth3/);
    assert.deepEqual(((edits().interfaces as JsonObject).interface as JsonObject[]).map((i) => i.name), ['lo0']);
    assert.equal(await t.run('wildcard delete firewall rule 3?'), 0, t.err.text);
    assert.deepEqual(rules().map(([s]) => s), [10, 20]);
    const before = candidate();
    assert.equal(await t.run('wildcard delete interfaces interface "ge-*"'), 1);
    assert.match(t.err.take(), /no interface ge-\* matches/);
    assert.deepEqual(candidate(), before);
  });

  test('Tab and ? know the arguments', async () => {
    assert.deepEqual((await t.session.complete('insert firewall rule 35 b')).words, ['before ']);
    const help = await t.session.help('insert firewall rule 35 before ', null);
    assert.match(help, /rule/);
    assert.match(help, /<sequence>/);
    const keys = await t.session.help('insert firewall rule 35 before rule ', null);
    assert.match(keys, /^ {2}20$/m);
    assert.deepEqual((await t.session.complete('rename firewall rule 35 t')).words, ['to ']);
    assert.match(await t.session.help('', null), /rename/);
  });
});
