/**
 * Item: terminal injection. Values are stored by one path and shown by another: what XML 1.0
 * allows but a terminal acts on (C1 controls, DEL, bidi overrides) is stored and then shown
 * escaped by `show configuration` over SSH and by `appliance config export`; what XML 1.0
 * forbids (ESC, U+0001…) is refused at validation on every path, `config import` included, and
 * the next get-config reply is still well-formed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { PASSWORD, connectNetconf, type SshNetconf } from './ssh-netconf.js';

const dir = tempDir('appliance-sec-term-');
let app: RunningAppliance;
let admin: SshNetconf;
const HOSTILE = 'x\u009b2J\u009b]0;pwned\u009c\u007f\u202e[edit] commit complete\u2066';
const TERMINAL_ACTS_ON = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

function exec(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    conn.on('error', reject).on('ready', () => {
      conn.exec(command, (err, ch) => {
        if (err) { reject(err); return; }
        let out = '';
        ch.on('data', (d: Buffer) => { out += d.toString('utf8'); });
        ch.stderr.on('data', (d: Buffer) => { out += d.toString('utf8'); });
        ch.on('close', () => { conn.end(); resolve(out); });
      });
    }).connect({ host: '127.0.0.1', port: app.port, username: 'admin', password: PASSWORD });
  });
}

before(async () => {
  app = await startAppliance(dir.path, [], { APPLIANCE_ADMIN_PASSWORD: PASSWORD });
  admin = await connectNetconf(app.port);
});
after(async () => { admin.close(); await app.stop(); if (process.env.SEC_DEBUG) console.log(app.stderr().slice(-3000)); dir.remove(); });

test('C1, DEL and bidi overrides in a description are shown escaped by the CLI over SSH and by the tools', async () => {
  const edit = await admin.nc.rpc(`<edit-config><target><candidate/></target><config><interfaces xmlns="urn:appliance:interfaces">
    <interface><name>eth0</name><description>${HOSTILE}</description></interface></interfaces></config></edit-config>`);
  assert.equal(edit.children[0]?.name, 'ok', admin.nc.textOf(edit));
  assert.equal((await admin.nc.rpc('<commit/>')).children[0]?.name, 'ok');
  const shown = await exec('show configuration interfaces');
  assert.match(shown, /eth0/);
  assert.doesNotMatch(shown, TERMINAL_ACTS_ON);
  assert.match(shown, /\\u009b2J/);
  assert.match(shown, /\\u202e/);
  const exported = await runAppliance(['config', 'export', '--data-dir', dir.path]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.doesNotMatch(exported.stdout, TERMINAL_ACTS_ON);
  assert.match(exported.stdout, /\\u007f/);
  // Escaped as JSON escapes: the export still parses, to the same value.
  assert.match(JSON.stringify(JSON.parse(exported.stdout)), /eth0/);
});

test('config import of U+0001 and ESC in a string leaf is refused; nothing changes; get-config stays well-formed', async () => {
  for (const bad of ['a\u0001b', 'a\u001b]0;x\u0007']) {
    const file = join(dir.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ interfaces: { interface: [{ name: 'eth9', description: bad }] } }));
    const r = await runAppliance(['config', 'import', file, '--merge', '--data-dir', dir.path]);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stderr, TERMINAL_ACTS_ON);
  }
  const reply = await admin.nc.rpc('<get-config><source><running/></source></get-config>');
  assert.equal(reply.children[0]?.name, 'data');
  assert.doesNotMatch(admin.nc.textOf(reply), /eth9/);
});
