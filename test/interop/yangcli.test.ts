/**
 * Interop with yangcli (Debian package `yangcli`, Yuma123) in batch mode against a spawned
 * appliance. yangcli has no copy of the appliance's modules: it fetches them with <get-schema>
 * (RFC 6022) and then edits schema-driven (`merge /interfaces/interface -- name=… mtu=…`); the
 * raw forms (`config=@FILE`, `filter=@FILE`) work too. The checks read yangcli's plain-text
 * rendering of the replies (and, independently, `appliance config export`).
 * yangcli exits 0 even when its script is cancelled by an rpc-error, so the output is what counts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/device.js';

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    try { accessSync(join(d, program), constants.X_OK); return true; } catch { return false; }
  });
}


interface YangcliRun { code: number | null; output: string }

// yangcli is a test dependency (.ci/run installs it): its absence fails here rather than hiding the test.
describe('yangcli (batch mode, the appliance modules fetched with get-schema)', () => {
  test('is installed', () => assert.ok(onPath('yangcli'), 'yangcli is not installed (apt-get install yangcli)'));

  const password = randomBytes(12).toString('hex');
  let dir: { path: string; remove(): void };
  let home = '';
  let app: RunningAppliance | undefined;

  const file = (name: string, content: string): string => {
    const p = join(dir.path, name);
    writeFileSync(p, content);
    return p;
  };

  /** Runs one yangcli script with its own HOME, no saved history/aliases/variables. */
  function yangcli(script: string, extra: readonly string[] = []): Promise<YangcliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn('yangcli', [
        '--server=127.0.0.1', `--ncport=${app!.port}`, '--user=admin', `--password=${password}`,
        '--batch-mode', `--run-script=${script}`, `--home=${home}`, '--timeout=10',
        '--autoaliases=false', '--autohistory=false', '--autouservars=false', ...extra,
      ], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
    });
  }

  /**
   * The text of the n-th reply yangcli prints (1-based) for the script's commands, from its
   * "RPC … Reply ID" line to the next one. The message-ids do not count from 1: yangcli's own
   * get-schema requests come first and are not printed.
   */
  function reply(output: string, n: number): string {
    const heads = [...output.matchAll(/^RPC (OK|Data|Error) Reply \d+ for session \d+:\s*$/gm)];
    const m = heads[n - 1];
    assert.ok(m, `reply ${n} in:\n${output}`);
    const start = m.index! + m[0].length;
    const end = heads[n]?.index ?? output.length;
    return m[1] + '\n' + output.slice(start, end);
  }

  before(async () => {
    dir = tempDir('appliance-yangcli-');
    home = join(dir.path, 'home');
    mkdirSync(home, { recursive: true });
    app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: password });
  });
  after(async () => {
    if (app) assert.equal(await app.stop(), 0);
    dir.remove();
  });

  test('lock → edit-config → validate → commit → unlock, then get-config with a subtree filter (base:1.1)', async () => {
    const edit = file('edit.xml', '<interfaces xmlns="urn:appliance:interfaces"><interface><name>yc0</name>'
      + '<description>from-yangcli</description><mtu>1400</mtu></interface></interfaces>');
    const filter = file('filter.xml', '<interfaces xmlns="urn:appliance:interfaces"><interface><name>yc0</name></interface></interfaces>');
    const script = file('cycle.yc', [
      'lock target=candidate',
      `edit-config target=candidate config=@${edit}`,
      'validate source=candidate',
      'commit',
      'unlock target=candidate',
      `get-config source=running filter=@${filter}`,
      '',
    ].join('\n'));
    const r = await yangcli(script);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /NETCONF session established for admin/);
    assert.match(r.output, /Protocol version set to: RFC 6241 \(base:1\.1\)/);
    assert.match(r.output, /^\s+appliance-interfaces@\d{4}-\d{2}-\d{2}\s*$/m, 'the interfaces module is listed among the module capabilities');
    assert.doesNotMatch(r.output, /RPC Error Reply|canceled/, r.output);
    for (let n = 1; n <= 5; n++) assert.match(reply(r.output, n), /^OK\n/, `reply ${n}:\n${r.output}`);
    const data = reply(r.output, 6);
    assert.match(data, /^Data\n/);
    assert.match(data, /name yc0/);
    assert.match(data, /description from-yangcli/);
    assert.match(data, /mtu 1400/);
    assert.doesNotMatch(data, /system|firewall/, 'the filter selected only the interfaces subtree');

    // Independently of yangcli: the change is in running.
    const exported = await runAppliance(['config', 'export', '--data-dir', dir.path]);
    assert.equal(exported.code, 0, exported.stderr);
    const config = JSON.parse(exported.stdout) as { interfaces: { interface: Array<{ name: string; description?: string; mtu?: number }> } };
    const yc0 = config.interfaces.interface.find((i) => i.name === 'yc0');
    assert.deepEqual({ description: yc0?.description, mtu: yc0?.mtu }, { description: 'from-yangcli', mtu: 1400 });
  });

  test('base:1.0: get-config, and an invalid edit answered with invalid-value and the error-path', async () => {
    const filter = file('filter10.xml', '<interfaces xmlns="urn:appliance:interfaces"><interface><name>yc0</name><mtu/></interface></interfaces>');
    const bad = file('bad.xml', '<interfaces xmlns="urn:appliance:interfaces"><interface><name>yc0</name><mtu>70000</mtu></interface></interfaces>');
    const script = file('base10.yc', [`get-config source=running filter=@${filter}`, `edit-config target=candidate config=@${bad}`, ''].join('\n'));
    const r = await yangcli(script, ['--protocols=netconf1.0']);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Protocol version set to: RFC 4741 \(base:1\.0\)/);
    const data = reply(r.output, 1);
    assert.match(data, /^Data\n/);
    assert.match(data, /name yc0/);
    assert.match(data, /mtu 1400/);
    assert.doesNotMatch(data, /description/, 'only the selected leaf');
    const err = reply(r.output, 2);
    assert.match(err, /^Error\n/);
    assert.match(err, /error-type application/);
    assert.match(err, /error-tag invalid-value/);
    assert.match(err, /error-severity error/);
    assert.match(err, /error-path \/interfaces:interfaces\/interfaces:interface\[interfaces:name='yc0'\]\/interfaces:mtu/);
  });

  test('with no local copy of the appliance modules, loads each with get-schema and merges schema-driven, then commits', async () => {
    const script = file('merge.yc', ['merge /interfaces/interface -- name=eth9 mtu=1400', 'commit', ''].join('\n'));
    const r = await yangcli(script, ['--log-level=debug']);
    assert.equal(r.code, 0, r.output);
    for (const m of ['appliance-features', 'appliance-firewall', 'appliance-interfaces', 'appliance-routing', 'appliance-software', 'appliance-system']) {
      assert.match(r.output, new RegExp(`Module '${m}' not available, will try <get-schema>`), `${m} is not installed with yangcli`);
      assert.match(r.output, new RegExp(`Got autoload reply for '${m}'`), `${m} loaded through get-schema`);
    }
    assert.doesNotMatch(r.output, /No object match|RPC Error Reply|canceled/, r.output);
    assert.match(reply(r.output, 1), /^OK\n/, r.output);
    assert.match(reply(r.output, 2), /^OK\n/, r.output);

    const exported = await runAppliance(['config', 'export', '--data-dir', dir.path]);
    assert.equal(exported.code, 0, exported.stderr);
    const config = JSON.parse(exported.stdout) as { interfaces: { interface: Array<{ name: string; mtu?: number }> } };
    assert.equal(config.interfaces.interface.find((i) => i.name === 'eth9')?.mtu, 1400);
  });

  test(':xpath is advertised: xget-config with an XPath filter returns the one interface it names', async () => {
    const script = file('xget.yc', ["xget-config /interfaces/interface[name='eth9'] source=running", ''].join('\n'));
    const r = await yangcli(script);
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /RPC Error Reply|not supported|canceled/, r.output);
    const data = reply(r.output, 1);
    assert.match(data, /^Data\n/, r.output);
    assert.match(data, /name eth9/, data);
    assert.match(data, /mtu 1400/, data);
    assert.doesNotMatch(data, /name yc0/, 'only the interface the filter names');
  });
});
