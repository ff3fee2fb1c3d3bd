/**
 * The renderers: the brace format, `display set`, JSON, XML and the compare format; and
 * `display set` output replayed through a session (on the real engine, in process) rebuilds
 * the same configuration, as does a saved file loaded back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../confd/api/index.js';
import { directoryFiles } from '../../cli/files.js';
import { renderBrace } from '../../cli/render/brace.js';
import { renderCompare } from '../../cli/render/compare.js';
import { renderJson } from '../../cli/render/json.js';
import { setLines } from '../../cli/render/set.js';
import { renderXml } from '../../cli/render/xml.js';
import { braceStatements } from '../../cli/config-text.js';
import { isProblem } from '../../cli/problem.js';
import { tempDir } from '../helpers/temp-dir.js';
import { grammar, openSession, realBackend } from './fixtures.js';

const g = grammar();

const CONFIG: JsonObject = {
  system: { hostname: 'r1', dns: { server: ['10.0.0.53', '10.0.0.54'] }, users: { user: [{ name: 'alice', role: 'operator', 'full-name': 'Alice "A" Smith' }] } },
  interfaces: { interface: [
    { name: 'eth0', description: 'uplink to core', mtu: 9000, enabled: true, address: ['10.0.0.1/24'] },
    { name: 'eth1' },
  ] },
  firewall: { 'default-action': 'drop', rule: [{ sequence: 10, action: 'accept', protocol: 'tcp', port: 22 }] },
};

describe('renderers', () => {
  test('brace format: keys beside the list name, leaf-lists, quoting, schema order', () => {
    assert.equal(renderBrace(g.root, CONFIG), [
      'system {',
      '    hostname r1;',
      '    dns {',
      '        server [ 10.0.0.53 10.0.0.54 ];',
      '    }',
      '    users {',
      '        user alice {',
      '            role operator;',
      '            full-name "Alice \\"A\\" Smith";',
      '        }',
      '    }',
      '}',
      'interfaces {',
      '    interface eth0 {',
      '        description "uplink to core";',
      '        enabled true;',
      '        mtu 9000;',
      '        address 10.0.0.1/24;',
      '    }',
      '    interface eth1;',
      '}',
      'firewall {',
      '    default-action drop;',
      '    rule 10 {',
      '        action accept;',
      '        protocol tcp;',
      '        port 22;',
      '    }',
      '}',
      '',
    ].join('\n'));
  });

  test('brace format of one node: a leaf, a whole list', () => {
    assert.equal(renderBrace(g.nodes.get('/interfaces/interface/mtu')!, 9000), 'mtu 9000;\n');
    assert.equal(renderBrace(g.nodes.get('/interfaces/interface')!, [{ name: 'eth1' }]), 'interface eth1;\n');
    assert.equal(renderBrace(g.root, {}), '');
  });

  test('display set: one line per leaf and leaf-list value, entries with nothing else on their own', () => {
    assert.deepEqual(setLines(g.root, CONFIG), [
      'set system hostname r1',
      'set system dns server 10.0.0.53',
      'set system dns server 10.0.0.54',
      'set system users user alice role operator',
      'set system users user alice full-name "Alice \\"A\\" Smith"',
      'set interfaces interface eth0 description "uplink to core"',
      'set interfaces interface eth0 enabled true',
      'set interfaces interface eth0 mtu 9000',
      'set interfaces interface eth0 address 10.0.0.1/24',
      'set interfaces interface eth1',
      'set firewall default-action drop',
      'set firewall rule 10 action accept',
      'set firewall rule 10 protocol tcp',
      'set firewall rule 10 port 22',
    ]);
  });

  test('display json is the tree; display xml has namespaces and keys first', () => {
    assert.deepEqual(JSON.parse(renderJson(CONFIG)), CONFIG);
    const xml = renderXml(g.root, { interfaces: { interface: [{ mtu: 9000, name: 'a<b' }] } });
    assert.equal(xml, [
      '<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">',
      '  <interfaces xmlns="urn:appliance:interfaces">',
      '    <interface>',
      '      <name>a&lt;b</name>',
      '      <mtu>9000</mtu>',
      '    </interface>',
      '  </interfaces>',
      '</config>',
      '',
    ].join('\n'));
  });

  test('compare: [edit …] headers in configuration order, one per level, - and + lines, entries as blocks, leaf-list items', () => {
    const text = renderCompare(g, [
      { path: '/system/dns/server', op: 'modify', old: ['10.0.0.53'], new: ['10.0.0.53', '10.0.0.54'] },
      { path: "/interfaces/interface[name='eth0']/mtu", op: 'modify', old: 1500, new: 9000 },
      { path: "/interfaces/interface[name='eth0']/description", op: 'create', new: 'up link' },
      { path: "/interfaces/interface[name='eth1']", op: 'create', new: { name: 'eth1', mtu: 1400 } },
      { path: "/interfaces/interface[name='eth2']", op: 'delete', old: { name: 'eth2' } },
    ]);
    assert.equal(text, [
      '[edit system dns]',
      '+   server 10.0.0.54;',
      '[edit interfaces]',
      '+   interface eth1 {',
      '+       mtu 1400;',
      '+   }',
      '-   interface eth2;',
      '[edit interfaces interface eth0]',
      '+   description "up link";',
      '-   mtu 1500;',
      '+   mtu 9000;',
      '',
    ].join('\n'));
  });

  test('the brace format reads back as set statements', () => {
    const st = braceStatements(renderBrace(g.root, CONFIG));
    assert.ok(!isProblem(st));
    assert.ok(st.some((s) => s.tokens.map((t) => t.text).join(' ') === 'interfaces interface eth0 description uplink to core'));
    assert.ok(isProblem(braceStatements('system { hostname r1 }')));
    assert.ok(isProblem(braceStatements('system { hostname r1;')));
  });
});

describe('round trips through a session on the real engine', () => {
  test('display set output replayed in configuration mode rebuilds the same configuration', async () => {
    const a = await realBackend();
    const b = await realBackend();
    try {
      const src = await openSession(a.backend);
      await src.run('configure');
      for (const line of setLines(g.root, CONFIG)) assert.equal(await src.run(line), 0, `${line}: ${src.err.text}`);
      assert.equal(await src.run('commit'), 0, src.err.text);
      src.out.take();
      assert.equal(await src.run('show | display set'), 0, src.err.text);
      const lines = src.out.take();
      assert.match(lines, /^set interfaces interface eth0 mtu 9000$/m);

      const dst = await openSession(b.backend);
      await dst.run('configure');
      assert.equal(await dst.run(lines), 0, dst.err.text);
      assert.equal(await dst.run('commit'), 0, dst.err.text);
      assert.deepEqual(b.device.engine.getConfig('running'), a.device.engine.getConfig('running'));
      // Idempotent: replaying again changes nothing.
      await dst.run(lines);
      dst.out.take();
      await dst.run('show | compare');
      assert.equal(dst.out.take(), '');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('save writes the brace format; load override on another device rebuilds it; load merge adds', async () => {
    const dir = tempDir('cli-files-');
    const a = await realBackend();
    const b = await realBackend();
    try {
      const files = directoryFiles(dir.path, { confined: true });
      const src = await openSession(a.backend, { files });
      await src.run('configure');
      assert.equal(await src.run('load merge missing.conf'), 1);
      assert.match(src.err.take(), /no such file/);
      for (const line of setLines(g.root, CONFIG)) await src.run(line);
      assert.equal(await src.run('commit'), 0);
      assert.equal(await src.run('save all.conf'), 0);
      assert.match(src.out.take(), /Wrote \d+ lines of configuration to 'all.conf'/);
      assert.equal(await src.run('save ../escape.conf'), 1);

      const dst = await openSession(b.backend, { files });
      await dst.run('configure');
      await dst.run('set interfaces interface gone mtu 1400');
      assert.equal(await dst.run('load override all.conf'), 0, dst.err.text);
      assert.equal(await dst.run('commit'), 0);
      assert.deepEqual(b.device.engine.getConfig('running'), a.device.engine.getConfig('running'));

      await files.write('more.set', '# extra\nset interfaces interface eth9 mtu 1280\nset system dns server 10.0.0.99\n');
      assert.equal(await dst.run('load set more.set'), 0, dst.err.text);
      await files.write('bad.set', 'set interfaces interface eth8 mtu 1280\nset interfaces interfce eth7\n');
      assert.equal(await dst.run('load set bad.set'), 1);
      assert.match(dst.err.take(), /bad\.set:2: unknown word 'interfce'/);
      dst.out.take();
      await dst.run('show | compare');
      const diff = dst.out.take();
      assert.match(diff, /\+   interface eth9 \{/);
      assert.doesNotMatch(diff, /eth8/, 'a file with a bad line applies nothing');
    } finally {
      await a.close();
      await b.close();
      dir.remove();
    }
  });
});

