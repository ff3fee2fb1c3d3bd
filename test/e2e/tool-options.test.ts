/**
 * The tools as a script or a person at a shell uses them: --help that describes every option
 * with its default, --version, bash completion, --json results, `status`, times for `audit show`,
 * a reader that closes the pipe, XML export, `schema migrate`, `bundle inspect` and `bundle verify`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.js';
import { APPLIANCE_BIN, runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { parseTime } from '../../main/time-arg.js';

const dir = tempDir('appliance-tool-options-');
const D = ['--data-dir', dir.path];
let app: RunningAppliance;

before(async () => { app = await startAppliance(dir.path); });
after(async () => { await app.stop(); dir.remove(); });

async function ok(args: string[]): Promise<string> {
  const r = await runAppliance(args);
  assert.equal(r.code, 0, `appliance ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('help, version and completion', () => {
  test('every option of every command is described in its --help, with its default', async () => {
    const commands = (await ok(['--help'])).split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]!);
    assert.ok(commands.includes('status') && commands.includes('completion'));
    for (const c of commands) {
      const help = await ok([c, '--help']);
      assert.match(help, /^usage: appliance /, c);
      const usageOptions = new Set([...help.split('\noptions:')[0]!.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!));
      const described = help.split('\noptions:\n')[1]!.split('\n').filter(Boolean);
      for (const o of usageOptions) {
        const row = described.find((l) => l.includes(`--${o} `) || l.endsWith(`--${o}`) || l.includes(`--${o}  `));
        assert.ok(row, `${c} --help describes --${o}`);
      }
    }
    const start = await ok(['start', '--help']);
    assert.match(start, /--port P\s+the SSH and NETCONF port \(0: any free port\) \(default: 8830\)/);
    assert.match(start, /--data-dir DIR\s+the data directory \(default: \$APPLIANCE_DATA_DIR, else \.\/var\)/);
    assert.match(start, /--listen ADDR \(repeatable\)/);
  });

  test('--version prints the version of this build', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal((await ok(['--version'])).trim(), `appliance ${pkg.version}`);
  });

  test('completion bash is a script bash accepts, completing commands and options', async () => {
    const script = join(dir.path, 'completion.bash');
    writeFileSync(script, await ok(['completion', 'bash']));
    const r = spawn('bash', ['-c', `source ${script}; COMP_WORDS=(appliance con); COMP_CWORD=1; _appliance; echo "\${COMPREPLY[@]}";`
      + ` COMP_WORDS=(appliance config --me); COMP_CWORD=2; _appliance; echo "\${COMPREPLY[@]}"`]);
    let outText = '';
    r.stdout.on('data', (d: Buffer) => { outText += d.toString(); });
    const code = await new Promise((resolve) => r.on('close', resolve));
    assert.equal(code, 0);
    assert.deepEqual(outText.trim().split('\n'), ['config', '--merge']);
  });
});

describe('results as JSON and the status of the device', () => {
  test('backup, restore, config import, config rollback and audit verify print JSON with --json', async () => {
    const b = JSON.parse(await ok(['backup', join(dir.path, 'b.db'), '--json', ...D])) as { file: string; bytes: number };
    assert.equal(b.file, join(dir.path, 'b.db'));
    assert.ok(b.bytes > 0);
    const cfg = join(dir.path, 'c.json');
    writeFileSync(cfg, JSON.stringify({ system: { hostname: 'json-tools' } }));
    const imp = JSON.parse(await ok(['config', 'import', cfg, '--merge', '--json', ...D])) as { txid: number };
    assert.equal(typeof imp.txid, 'number');
    const rb = JSON.parse(await ok(['config', 'rollback', '1', '--json', ...D])) as { txid: number };
    assert.equal(rb.txid, imp.txid + 1);
    const rs = JSON.parse(await ok(['restore', b.file, '--json', ...D])) as { txid: number | null };
    assert.ok('txid' in rs);
    const v = JSON.parse(await ok(['audit', 'verify', '--json', ...D])) as { ok: boolean };
    assert.equal(v.ok, true);
  });

  test('status --json reports the daemon, both slots and the sessions; a stopped device exits 3', async () => {
    const s = JSON.parse(await ok(['status', '--json', ...D])) as {
      daemon: { running: boolean; schemaVersion: number }; slots: { primary: string; slots: Record<string, { status: string }> };
      sessions: unknown[]; alarms: unknown[];
    };
    assert.equal(s.daemon.running, true);
    assert.equal(s.slots.primary, 'a');
    assert.equal(s.slots.slots.a!.status, 'good');
    assert.ok(Array.isArray(s.sessions) && Array.isArray(s.alarms));
    const text = await ok(['status', ...D]);
    assert.match(text, /^daemon: {3}running, schema \d+/);
    const stopped = await runAppliance(['status', '--data-dir', join(dir.path, 'nothing-here')]);
    assert.equal(stopped.code, 3);
    assert.match(stopped.stdout, /not running/);
  });
});

describe('audit show times', () => {
  test('--since takes ISO times and relative ones; anything else says what is accepted', async () => {
    const now = new Date('2026-12-03T12:00:00Z');
    assert.equal(parseTime('since', '1h', now).toISOString(), '2026-12-03T11:00:00.000Z');
    assert.equal(parseTime('since', '2026-12-01T10:00:00Z', now).toISOString(), '2026-12-01T10:00:00.000Z');
    const y = parseTime('since', 'yesterday', now);
    assert.equal(y.getHours(), 0);
    assert.ok(now.getTime() - y.getTime() > 86_400_000 && now.getTime() - y.getTime() <= 2 * 86_400_000);
    for (const since of ['yesterday', '1h', '30m', new Date(Date.now() - 3_600_000).toISOString()]) {
      const records = JSON.parse(await ok(['audit', 'show', '--since', since, '--json', ...D])) as unknown[];
      assert.ok(records.length > 0, `records since ${since}`);
    }
    const bad = await runAppliance(['audit', 'show', '--since', 'last tuesday', ...D]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since takes an ISO time .* 'last tuesday' is none of them/);
    assert.doesNotMatch(bad.stderr, /Invalid time value/);
  });
});

describe('pipes and formats', () => {
  test('a reader that closes the pipe early ends the tool quietly', async () => {
    for (const args of [['config', 'history'], ['config', 'compare', '0', 'running'], ['audit', 'show']]) {
      const r = spawn('bash', ['-c', `set -o pipefail; for i in 1 2 3 4 5 6; do node ${APPLIANCE_BIN} ${args.join(' ')} --data-dir ${dir.path}; done | head -1 >/dev/null`],
        { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      r.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const code = await new Promise((resolve) => r.on('close', resolve));
      assert.equal(stderr, '', `${args.join(' ')}: nothing on stderr`);
      assert.equal(code, 0);
    }
  });

  test('config export --format xml writes the configuration as a NETCONF <config>', async () => {
    const xml = await ok(['config', 'export', '--format', 'xml', ...D]);
    assert.match(xml, /^<config xmlns="urn:ietf:params:xml:ns:netconf:base:1\.0">.*<system xmlns="urn:appliance:system">.*<\/config>\n$/s);
    const bad = await runAppliance(['config', 'export', '--format', 'yaml', ...D]);
    assert.equal(bad.code, 2);
  });

  test('schema migrate carries a v1 file to v2 and back', async () => {
    const v1 = join(dir.path, 'v1.json');
    writeFileSync(v1, JSON.stringify({ system: { hostname: 'm', ntp: { server: ['10.0.0.1'] } } }));
    const v2 = JSON.parse(await ok(['schema', 'migrate', '--from', '1', '--to', '2', v1])) as { system: { ntp: { server: Array<{ address: string }> } } };
    assert.equal(v2.system.ntp.server[0]!.address, '10.0.0.1');
    const v2file = join(dir.path, 'v2.json');
    writeFileSync(v2file, JSON.stringify(v2));
    const back = JSON.parse(await ok(['schema', 'migrate', '--from', '2', '--to', '1', v2file])) as Record<string, unknown>;
    assert.deepEqual(back, { system: { hostname: 'm', ntp: { server: ['10.0.0.1'] } } });
    const bad = await runAppliance(['schema', 'migrate', '--from', 'one', '--to', '2', v1]);
    assert.equal(bad.code, 2);
  });
});

describe('bundles', () => {
  test('bundle inspect shows manifest, platform, signer and sizes; bundle verify checks it against a keyring', async () => {
    const key = join(dir.path, 'signing.key');
    await ok(['bundle', 'keygen', '--out', key]);
    const file = join(dir.path, 'x.bundle');
    await ok(['bundle', 'create', '--version', '9.9.9', '--key', key, '--out', file]);
    const i = JSON.parse(await ok(['bundle', 'inspect', file, '--json'])) as {
      signer: string; sizes: { file: number; files: number }; manifest: { version: string; platform: { arch: string; nodeAbi: string; libc: string } };
    };
    assert.equal(i.manifest.version, '9.9.9');
    assert.deepEqual(i.manifest.platform, { arch: process.arch, nodeAbi: process.versions.modules, libc: 'glibc' });
    assert.match(i.signer, /^[0-9a-f]{64}$/);
    assert.ok(i.sizes.file > 0 && i.sizes.files > 0);
    assert.match(await ok(['bundle', 'inspect', file]), /platform: {2}\S+, Node ABI \d+, glibc/);
    const keyring = join(dir.path, 'keyring-ok');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(keyring);
    copyFileSync(`${key}.pub`, join(keyring, 'signing.pub'));
    assert.match(await ok(['bundle', 'verify', file, '--keyring', keyring]), /verified/);
    const empty = join(dir.path, 'keyring-empty');
    mkdirSync(empty);
    const refused = await runAppliance(['bundle', 'verify', file, '--keyring', empty]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not in the keyring/);
  });
});
