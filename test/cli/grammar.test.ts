/**
 * The grammar compiled from the schema description, the path parser, and the command tables:
 * paths with positional keys, multi-key lists, leaf-list values, typed values, and problems
 * that point at the bad word with the nearest valid words.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SchemaDescription } from '../../confd/api/index.js';
import { walkCommand, type ParseEnv } from '../../cli/command-table.js';
import { configurationTable } from '../../cli/commands/configuration.js';
import { operationalTable } from '../../cli/commands/operational.js';
import { deleteEdit, setEdit } from '../../cli/edit-tree.js';
import { compileGrammar, dataPath, topOf, typedValue, type Location } from '../../cli/grammar.js';
import { describeProblem } from '../../cli/messages.js';
import { parsePathWords, type PathPurpose, type PathTarget } from '../../cli/path-parser.js';
import { isProblem, type CliProblem } from '../../cli/problem.js';
import { tokenize } from '../../cli/tokenizer.js';
import { WordTable, editDistance } from '../../cli/word-table.js';
import { grammar } from './fixtures.js';

const g = grammar();

function parse(line: string, purpose: PathPurpose, from: Location = topOf(g)): PathTarget | CliProblem {
  const { tokens } = tokenize(line);
  return parsePathWords(from, tokens, purpose, line.length);
}

function target(line: string, purpose: PathPurpose, from?: Location): PathTarget {
  const r = parse(line, purpose, from);
  if (isProblem(r)) assert.fail(`'${line}': ${r.message}`);
  return r;
}

function fails(line: string, purpose: PathPurpose): CliProblem {
  const r = parse(line, purpose);
  assert.ok(isProblem(r), `'${line}' should not parse`);
  return r;
}

describe('grammar', () => {
  test('compiles once into a frozen tree; keys are not words; help carries numeric ranges', () => {
    assert.ok(Object.isFrozen(g));
    assert.ok(Object.isFrozen(g.root));
    const iface = g.nodes.get('/interfaces/interface')!;
    assert.deepEqual(iface.keys, ['name']);
    assert.equal(iface.children.get('name'), undefined);
    assert.ok(iface.children.get('mtu'));
    assert.equal(g.nodes.get('/interfaces/interface/mtu')!.help, 'Maximum transmission unit, in bytes (68..65535)');
    assert.equal(g.root.children.get('system')!.namespace, 'urn:appliance:system');
    // Read-only state is not part of the configuration grammar.
    assert.equal(g.nodes.get('/interfaces/interface/state'), undefined);
  });

  test('typed values: numbers and booleans where the type says, else the text as typed', () => {
    assert.equal(typedValue(g.nodes.get('/interfaces/interface/mtu')!, '9000'), 9000);
    assert.equal(typedValue(g.nodes.get('/interfaces/interface/mtu')!, 'big'), 'big');
    assert.equal(typedValue(g.nodes.get('/interfaces/interface/enabled')!, 'false'), false);
    assert.equal(typedValue(g.nodes.get('/interfaces/interface/enabled')!, 'no'), 'no');
    assert.equal(typedValue(g.nodes.get('/interfaces/interface/description')!, '42'), '42');
  });

  test('set: keys positionally after the list name, then a leaf and its value', () => {
    const t = target('interfaces interface eth0 mtu 9000', 'set');
    assert.equal(t.node.name, 'mtu');
    assert.equal(dataPath(t.segments), "/interfaces/interface[name='eth0']/mtu");
    assert.deepEqual(t.values, [9000]);
    assert.deepEqual(setEdit(t), { interfaces: { interface: [{ name: 'eth0', mtu: 9000 }] } });
  });

  test('integer keys are typed; unique prefixes of names are accepted', () => {
    const t = target('fire rule 10 act drop', 'set');
    assert.deepEqual(setEdit(t), { firewall: { rule: [{ sequence: 10, action: 'drop' }] } });
  });

  test('leaf-lists: one value per set, or [ a b ]', () => {
    assert.deepEqual(setEdit(target('system dns server 10.0.0.1', 'set')), { system: { dns: { server: ['10.0.0.1'] } } });
    const t = target('interfaces interface eth0 address [ 10.0.0.1/24 10.0.0.2/24 ]', 'set');
    assert.deepEqual(t.values, ['10.0.0.1/24', '10.0.0.2/24']);
    assert.match((fails('interfaces interface eth0 address [ 10.0.0.1/24', 'set')).message, /missing '\]'/);
  });

  test('a list entry alone may be set (created); a container may not', () => {
    assert.deepEqual(setEdit(target('interfaces interface eth1', 'set')), { interfaces: { interface: [{ name: 'eth1' }] } });
    assert.equal(fails('system ntp', 'set').kind, 'incomplete');
    assert.equal(fails('interfaces interface', 'set').kind, 'incomplete');
  });

  test('delete: entries, leaves, whole lists, one leaf-list value', () => {
    assert.deepEqual(deleteEdit(target('interfaces interface eth0', 'delete')), { interfaces: { interface: [{ name: 'eth0', '@op': 'delete' }] } });
    assert.deepEqual(deleteEdit(target('interfaces interface eth0 mtu', 'delete')), { interfaces: { interface: [{ name: 'eth0', mtu: { '@op': 'delete' } }] } });
    assert.deepEqual(deleteEdit(target('interfaces interface', 'delete')), { interfaces: { interface: { '@op': 'delete' } } });
    assert.deepEqual(deleteEdit(target('system dns server 10.0.0.1', 'delete')),
      { system: { dns: { server: [{ '@op': 'delete', '@value': '10.0.0.1' }] } } });
  });

  test('paths are relative to the edit level', () => {
    const at = target('interfaces interface eth0', 'edit');
    const t = target('mtu 1400', 'set', { node: at.node, segments: at.segments });
    assert.equal(dataPath(t.segments), "/interfaces/interface[name='eth0']/mtu");
    assert.equal(fails('interfaces interface eth0 mtu', 'edit').kind, 'bad-argument');
  });

  test('an unknown word points at itself with the nearest valid words', () => {
    const line = 'interfaces interfce eth0';
    const p = fails(line, 'set');
    assert.equal(p.kind, 'unknown-word');
    assert.equal(p.offset, line.indexOf('interfce'));
    assert.deepEqual(p.suggestions, ['interface']);
    const lines = describeProblem(p, 4 + p.offset!);
    assert.equal(lines[0], ' '.repeat(4 + 11) + '^');
    assert.match(lines[1]!, /^error: unknown word 'interfce'.*\(did you mean: interface\?\)$/);
  });

  test('an ambiguous abbreviation lists the candidates', () => {
    const p = fails('firewall rule 10 d x', 'set');
    assert.equal(p.kind, 'ambiguous-word');
    assert.deepEqual(p.suggestions, ['description', 'destination']);
    assert.match(describeProblem(p, null)[0]!, /could be: description, destination/);
  });

  test('a value after a complete leaf is a stray word (values with spaces need quotes)', () => {
    const p = fails('interfaces interface eth0 description uplink core', 'set');
    assert.equal(p.kind, 'unexpected-word');
    assert.ok(p.hint);
    assert.deepEqual(target('interfaces interface eth0 description "uplink core"', 'set').values, ['uplink core']);
  });

  test('lists with several keys take all of them in order', () => {
    const d: SchemaDescription = { version: 9, root: { name: '', kind: 'root', help: '', config: true, children: [
      { name: 'routes', kind: 'container', help: 'Routes', config: true, children: [
        { name: 'route', kind: 'list', help: 'A route', config: true, keys: ['vrf', 'prefix'], children: [
          { name: 'vrf', kind: 'leaf', help: 'VRF', config: true, type: 'string' },
          { name: 'prefix', kind: 'leaf', help: 'Prefix', config: true, type: 'string' },
          { name: 'metric', kind: 'leaf', help: 'Metric', config: true, type: 'integer', minimum: 1, maximum: 9 },
        ] },
      ] },
    ] } };
    const g2 = compileGrammar(d);
    const { tokens } = tokenize('routes route blue 10.0.0.0/8 metric 5');
    const t = parsePathWords(topOf(g2), tokens, 'set', 99);
    assert.ok(!isProblem(t));
    assert.equal(dataPath(t.segments), "/routes/route[vrf='blue'][prefix='10.0.0.0/8']/metric");
    assert.deepEqual(setEdit(t), { routes: { route: [{ vrf: 'blue', prefix: '10.0.0.0/8', metric: 5 }] } });
    const half = parsePathWords(topOf(g2), tokenize('routes route blue').tokens, 'set', 99);
    assert.ok(isProblem(half));
    assert.match(half.message, /prefix/);
  });
});

describe('command tables', () => {
  const tables = { operational: operationalTable(), configuration: configurationTable() };
  const env = (mode: 'operational' | 'configuration'): ParseEnv<unknown> =>
    ({ grammar: g, location: topOf(g), datastore: mode === 'configuration' ? 'candidate' : 'running', tables, mode } as ParseEnv<unknown>);
  const walk = (line: string, mode: 'operational' | 'configuration') =>
    walkCommand(tables[mode] as never, tokenize(line).tokens, env(mode) as never, line.length);

  test('command words, abbreviated to unique prefixes', () => {
    const w = walk('sh conf interfaces', 'operational');
    assert.deepEqual(w.spec?.words, ['show', 'configuration']);
    assert.equal(w.args.path('path')?.node.name, 'interfaces');
    assert.equal(w.problem, undefined);
  });

  test('options in any order with values; whole minutes for confirmed', () => {
    const w = walk('commit comment "hello world" confirmed 5 and-quit', 'configuration');
    assert.equal(w.problem, undefined);
    assert.equal(w.args.text('comment'), 'hello world');
    assert.equal(w.args.number('confirmed'), 5);
    assert.equal(walk('commit confirmed 0.5', 'configuration').problem?.kind, 'unknown-word');
    assert.ok(w.args.has('and-quit'));
    assert.ok(walk('commit confirmed', 'configuration').args.has('confirmed'));
    assert.equal(walk('commit confirmed soon', 'configuration').problem?.kind, 'unknown-word');
  });

  test('a configuration command in operational mode says where it belongs', () => {
    const w = walk('commit', 'operational');
    assert.equal(w.problem?.kind, 'unknown-word');
    assert.match(w.problem?.hint ?? '', /configure/);
    assert.equal(walk('show system', 'operational').incomplete?.kind, 'incomplete');
  });

  test('run parses an operational command inside configuration mode', () => {
    const w = walk('run show configuration system', 'configuration');
    assert.equal(w.problem, undefined);
    assert.equal(w.args.nested('command')?.mode, 'operational');
    assert.equal(walk('run shw', 'configuration').problem?.kind, 'unknown-word');
  });

  test('sensitive values are known to the parser (for the audit log)', () => {
    const w = walk('set system users user bob password-hash $scrypt$secret', 'configuration');
    assert.deepEqual(w.sensitive.map((t) => t.text), ['$scrypt$secret']);
    assert.equal(walk('set system hostname r1', 'configuration').sensitive.length, 0);
  });
});

describe('word table', () => {
  test('exact, prefix, ambiguous and nearest words', () => {
    const t = new WordTable([['interface', 1], ['interfaces', 2], ['mtu', 3]]);
    assert.equal(t.match('mtu').kind, 'exact');
    assert.deepEqual(t.match('m'), { kind: 'prefix', word: 'mtu', value: 3 });
    assert.deepEqual(t.match('inter'), { kind: 'ambiguous', words: ['interface', 'interfaces'] });
    assert.deepEqual(t.startingWith('interface'), ['interface', 'interfaces']);
    assert.deepEqual(t.nearest('interfce'), ['interface', 'interfaces']);
    assert.deepEqual(t.nearest('zzzzzz'), []);
    assert.equal(editDistance('mtu', 'mut'), 1);
  });
});
