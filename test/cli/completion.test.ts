/**
 * Tab and `?`: command words, schema names, enum values, pipes, and the keys of existing list
 * entries fetched lazily from the backend and cached per session until the next edit.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FileStore } from '../../cli/files.js';
import { FakeBackend, openSession } from './fixtures.js';

function backend(): FakeBackend {
  const b = new FakeBackend();
  b.candidate = { interfaces: { interface: [{ name: 'eth0', mtu: 1500 }, { name: 'xe-1/0', mtu: 9000 }, { name: 'eth1', mtu: 1500 }] } };
  b.running = { interfaces: { interface: [{ name: 'lo0', mtu: 1500 }] }, system: { hostname: 'r1' } };
  return b;
}

describe('completion', () => {
  test('command words of the mode, completed from a prefix', async () => {
    const { session } = await openSession(backend());
    assert.deepEqual((await session.complete('conf')).words, ['configure ']);
    assert.deepEqual((await session.complete('show sys')).words, ['system ']);
    const top = await session.complete('');
    assert.ok(top.words.includes('configure') && top.words.includes('show'));
    assert.ok(!top.words.includes('commit'), 'configuration commands are not offered in operational mode');
  });

  test('schema names and enum values; no round trip for static words', async () => {
    const b = backend();
    const t = await openSession(b);
    await t.run('configure');
    const before = b.of('config.get').length;
    assert.deepEqual((await t.session.complete('set interfaces interface eth0 m')).words, ['mtu ']);
    assert.deepEqual((await t.session.complete('set firewall default-action ')).words, ['accept', 'drop']);
    assert.deepEqual((await t.session.complete('set interfaces interface eth0 enabled f')).words, ['false ']);
    assert.deepEqual((await t.session.complete('set int')).words, ['interfaces ']);
    assert.equal(b.of('config.get').length, before);
  });

  test('keys of existing entries come from the candidate, lazily, cached until an edit', async () => {
    const b = backend();
    const t = await openSession(b);
    await t.run('configure');
    const gets = () => b.of('config.get').filter((c) => c.params.path === '/interfaces/interface');
    const r = await t.session.complete('set interfaces interface e');
    assert.deepEqual(r.words, ['eth0', 'eth1']);
    assert.equal(r.completeOn, 'e');
    assert.deepEqual((await t.session.complete('set interfaces interface x')).words, ['xe-1/0 ']);
    assert.equal(gets().length, 1);
    assert.equal(gets()[0]!.params.datastore, 'candidate');
    assert.equal(await t.run('set interfaces interface eth2 mtu 1400'), 0);
    await t.session.complete('set interfaces interface e');
    assert.equal(gets().length, 2, 'an edit drops the cached keys');
  });

  test('operational mode completes keys from running', async () => {
    const b = backend();
    const { session } = await openSession(b);
    assert.deepEqual((await session.complete('show configuration interfaces interface l')).words, ['lo0 ']);
  });

  test('? lists what may follow with the help text of the schema', async () => {
    const b = backend();
    const t = await openSession(b);
    await t.run('configure');
    const help = await t.session.help('set interfaces interface eth0 ', null);
    assert.match(help, /^Possible completions:/);
    assert.match(help, /^ {2}mtu +Maximum transmission unit, in bytes \(68\.\.65535\)$/m);
    assert.match(help, /^ {2}description +Free-form description$/m);
    assert.match(help, /<\[Enter\]>/, 'an entry may be set on its own');
    const value = await t.session.help('set interfaces interface eth0 mtu ', null);
    assert.match(value, /<mtu> +Maximum transmission unit, in bytes \(68\.\.65535\)/);
    assert.doesNotMatch(value, /\[Enter\]/);
    const keys = await t.session.help('set interfaces interface ', null);
    assert.match(keys, /<name> +Interface name/);
    assert.match(keys, /^ {2}eth0$/m);
  });

  test('? on a line with a mistake shows the mistake', async () => {
    const t = await openSession(backend());
    await t.run('configure');
    const help = await t.session.help('set interfces ', null);
    assert.match(help, /error: unknown word 'interfces' \(did you mean: interfaces\?\)/);
  });

  test('pipes: the pipe commands a command takes, then their words', async () => {
    const t = await openSession(backend());
    await t.run('configure');
    assert.ok((await t.session.complete('show ')).words.includes('|'));
    const pipes = (await t.session.complete('show | ')).words;
    assert.ok(pipes.includes('display') && pipes.includes('compare') && pipes.includes('match'));
    assert.deepEqual((await t.session.complete('show | display ')).words, ['json', 'set', 'xml']);
    assert.deepEqual((await t.session.complete('run show configuration | d')).words, ['display ']);
    assert.deepEqual((await t.session.complete('show | compare r')).words, ['rollback ']);
  });

  test('file names for load and save come from the session file store', async () => {
    const files: FileStore = {
      description: 'test', read: async () => '', write: async () => '', path: (n) => n,
      list: async () => ['base.conf', 'backup.conf', 'other.json'],
    };
    const t = await openSession(backend(), { files });
    await t.run('configure');
    assert.deepEqual((await t.session.complete('load merge b')).words, ['backup.conf', 'base.conf']);
    assert.deepEqual((await t.session.complete('load ')).words, ['merge', 'override', 'set']);
  });
});
