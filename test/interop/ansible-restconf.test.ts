/**
 * Interop with Debian's ansible over RESTCONF: ansible.netcommon.restconf_config and
 * restconf_get through the httpapi connection (examples/ansible-restconf/playbook.yml) against
 * a real appliance on loopback. The first run changes the device (two commits from source
 * restconf); a second run commits nothing (Ansible still reports the list task changed: its
 * restconf_config compares lists whole), and the values are in running.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { APP_ROOT } from '../../confd/main/app-paths.js';
import { Daemon } from '../../confd/main/daemon.js';
import { quietLogger, tempDir } from '../helpers/device.js';

const PLAYBOOK = join(APP_ROOT, 'examples', 'ansible-restconf', 'playbook.yml');
const dir = tempDir('appliance-ansible-restconf-');
let daemon: Daemon;

function playbook(inventory: string, home: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('ansible-playbook', ['-i', inventory, PLAYBOOK], {
      env: { ...process.env, HOME: home, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(home, 'tmp'), ANSIBLE_PERSISTENT_CONTROL_PATH_DIR: join(home, 'pc') },
      timeout: 120_000, maxBuffer: 16 << 20,
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }));
  });
}

function recap(output: string): { ok: number; changed: number; failed: number } | undefined {
  const m = /^appliance\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/m.exec(output);
  return m ? { ok: Number(m[1]), changed: Number(m[2]), failed: Number(m[3]) } : undefined;
}

describe('Ansible restconf_config / restconf_get over httpapi', () => {
  let inventory = '';
  const home = join(dir.path, 'home');

  before(async () => {
    daemon = await Daemon.start({
      dataDir: join(dir.path, 'data'), logger: quietLogger, listen: ['127.0.0.1'], port: 0, httpPort: 0,
      env: { APPLIANCE_ADMIN_PASSWORD: 'ansible-secret' },
    });
    mkdirSync(join(home, 'tmp'), { recursive: true });
    inventory = join(dir.path, 'inventory.ini');
    writeFileSync(inventory, [
      '[appliances]', `appliance ansible_host=127.0.0.1 ansible_httpapi_port=${daemon.httpPort}`,
      '[appliances:vars]', 'ansible_connection=ansible.netcommon.httpapi', 'ansible_network_os=ansible.netcommon.restconf',
      'ansible_httpapi_use_ssl=true', 'ansible_httpapi_validate_certs=false', 'ansible_user=admin', 'ansible_password=ansible-secret', '',
    ].join('\n'));
  });
  after(async () => { await daemon.stop(); dir.remove(); });

  test('the playbook writes and reads the device; a rerun commits nothing', async () => {
    const first = await playbook(inventory, home);
    assert.equal(first.code, 0, first.output);
    assert.deepEqual(recap(first.output), { ok: 4, changed: 2, failed: 0 }, first.output);
    const commits = daemon.ops.engine.history(10).filter((c) => c.source === 'restconf');
    assert.equal(commits.length, 2);
    const running = daemon.ops.engine.getConfig('running') as { interfaces?: { interface?: Array<Record<string, unknown>> } };
    assert.deepEqual(running.interfaces?.interface?.find((i) => i.name === 'eth5'), { name: 'eth5', description: 'set by ansible', enabled: true, mtu: 1600 });
    const second = await playbook(inventory, home);
    assert.equal(second.code, 0, second.output);
    assert.deepEqual(recap(second.output), { ok: 4, changed: 1, failed: 0 }, second.output);
    assert.match(second.output, /TASK \[one leaf[^\n]*\n(ok): \[appliance\]/);
    assert.equal(daemon.ops.engine.history(10).filter((c) => c.source === 'restconf').length, 2);
  });
});
