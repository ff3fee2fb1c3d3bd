/**
 * `| last N`, `| find RE`, `| save FILE`, `| no-more`, and `edit` as `configure` in
 * operational mode, through a session.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { directoryFiles } from '../../cli/files.js';
import { tempDir } from '../helpers/device.js';
import { FakeBackend, openSession, realBackend } from './fixtures.js';

function backend(): FakeBackend {
  const b = new FakeBackend();
  b.running = { system: { hostname: 'r1', domain: 'example.org', dns: { server: ['10.0.0.1', '10.0.0.2'] } }, interfaces: { interface: [{ name: 'eth0', mtu: 1500 }, { name: 'eth1', mtu: 9000 }] } };
  return b;
}

describe('more pipes, and edit in operational mode', () => {
  test('| last N keeps the last lines; | find RE starts at the first match; bad arguments are errors', async () => {
    const t = await openSession(backend());
    assert.equal(await t.run('show configuration | display set | last 2'), 0, t.err.text);
    assert.equal(t.out.take(), 'set interfaces interface eth0 mtu 1500\nset interfaces interface eth1 mtu 9000\n');
    assert.equal(await t.run('show configuration | display set | find interface | count'), 0, t.err.text);
    assert.equal(t.out.take(), 'Count: 2 lines\n');
    assert.equal(await t.run('show configuration | find "^interfaces"'), 0);
    assert.match(t.out.take(), /^interfaces \{\n/);
    assert.equal(await t.run('show configuration | last 0'), 1);
    assert.match(t.err.take(), /expected a number of lines above 0/);
    assert.equal(await t.run('show configuration | find "(x"'), 1);
    assert.equal(await t.run('show configuration | no-more'), 0);
    assert.match(t.out.take(), /hostname r1/);
  });

  test('| save FILE writes the output to the session\'s files instead of the terminal', async () => {
    const dir = tempDir('cli-save-');
    try {
      const files = directoryFiles(dir.path, { confined: true });
      const t = await openSession(backend(), { files });
      assert.equal(await t.run('show configuration | display set | match dns | save dns.set'), 0, t.err.text);
      assert.equal(t.out.take(), "Wrote 2 lines of output to 'dns.set'\n");
      assert.equal(await files.read('dns.set'), 'set system dns server 10.0.0.1\nset system dns server 10.0.0.2\n');
      assert.equal(await t.run('show configuration | save ../out.txt'), 1);
      const plain = await openSession(backend());
      assert.equal(await plain.run('show configuration | save x'), 1);
      assert.match(plain.err.take(), /no place to save files/);
    } finally {
      dir.remove();
    }
  });

  test('show | display set from an edit level prints full paths of that level only', async () => {
    const real = await realBackend();
    try {
      const t = await openSession(real.backend);
      await t.run('configure');
      for (const line of ['set interfaces interface eth0 mtu 1500', 'set interfaces interface eth1 mtu 9000', 'set system domain example.org', 'edit interfaces interface eth1']) {
        assert.equal(await t.run(line), 0, t.err.text);
      }
      t.out.take();
      assert.equal(await t.run('show | display set'), 0, t.err.text);
      assert.equal(t.out.take(), 'set interfaces interface eth1 enabled true\nset interfaces interface eth1 mtu 9000\n');
    } finally {
      await real.close();
    }
  });

  test("'edit' in operational mode enters configuration mode as 'configure' does", async () => {
    const b = backend();
    const t = await openSession(b);
    assert.equal(await t.run('edit private'), 0, t.err.text);
    assert.deepEqual(b.of('configure.enter').map((c) => c.params), [{ mode: 'private' }]);
    assert.equal(t.session.prompt(), 'admin@r1# ');
    assert.match(await t.session.help('', null), /edit/);
  });
});
