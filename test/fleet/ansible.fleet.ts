/**
 * @module test/fleet/ansible
 * The fleet example (examples/ansible/) run as an operator would: three appliances on loopback,
 * Debian's ansible-playbook with the generic ansible.netcommon.netconf connection. Every host
 * ends with the change in running, and a second run reports no change. Separate from `npm test`
 * (it takes most of a minute): `npm run test:fleet`, which .ci/run calls.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { APP_ROOT } from '../../confd/main/app-paths.js';
import { runAppliance, startAppliance, type RunningAppliance } from '../helpers/appliance-process.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const PLAYBOOK = join(APP_ROOT, 'examples', 'ansible', 'playbook.yml');
const HOSTS = ['appliance-1', 'appliance-2', 'appliance-3'];

interface Recap { ok: number; changed: number; failed: number; unreachable: number }

function playbook(inventory: string, home: string): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile('ansible-playbook', ['-i', inventory, PLAYBOOK], {
      env: { ...process.env, HOME: home, ANSIBLE_HOST_KEY_CHECKING: 'false', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(home, 'tmp') },
      timeout: 300_000, maxBuffer: 16 << 20,
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr, ms: Date.now() - started }));
  });
}

/** The PLAY RECAP line of each host. */
function recap(output: string): Record<string, Recap> {
  const out: Record<string, Recap> = {};
  for (const m of output.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    out[m[1]!] = { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) };
  }
  return out;
}

describe('Ansible fleet (examples/ansible)', () => {
  const password = randomBytes(12).toString('hex');
  let dir: TempDir;
  const apps: RunningAppliance[] = [];
  let inventory = '';
  let home = '';

  before(async () => {
    dir = tempDir('appliance-fleet-');
    home = join(dir.path, 'home');
    mkdirSync(join(home, 'tmp'), { recursive: true });
    for (const name of HOSTS) {
      const data = join(dir.path, name);
      mkdirSync(data);
      apps.push(await startAppliance(data, [], { APPLIANCE_ADMIN_PASSWORD: password }));
    }
    inventory = join(dir.path, 'inventory.ini');
    writeFileSync(inventory, [
      '[appliances]',
      ...HOSTS.map((h, i) => `${h} ansible_host=127.0.0.1 ansible_port=${apps[i]!.port}`),
      '[appliances:vars]',
      'ansible_user=admin', `ansible_password=${password}`, 'ansible_network_os=ansible.netcommon.default', '',
    ].join('\n'));
  });
  after(async () => {
    for (const a of apps) assert.equal(await a.stop(), 0);
    dir.remove();
  });

  test('the playbook changes every host, and a rerun reports no change', async (t) => {
    const first = await playbook(inventory, home);
    assert.equal(first.code, 0, first.output);
    t.diagnostic(`first run (3 hosts): ${first.ms} ms`);
    const r1 = recap(first.output);
    for (const h of HOSTS) {
      assert.ok(r1[h], `a recap for ${h}: ${first.output}`);
      assert.equal(r1[h]!.failed + r1[h]!.unreachable, 0, first.output);
      assert.ok(r1[h]!.changed > 0, `${h} changed`);
    }
    for (const a of apps) {
      const exported = await runAppliance(['config', 'export', '--data-dir', a.dataDir]);
      assert.equal(exported.code, 0, exported.stderr);
      const config = JSON.parse(exported.stdout) as { interfaces: { interface: Array<{ name: string; mtu?: number }> } };
      assert.equal(config.interfaces.interface.find((i) => i.name === 'eth9')?.mtu, 1400, a.dataDir);
    }
    const second = await playbook(inventory, home);
    assert.equal(second.code, 0, second.output);
    t.diagnostic(`rerun (3 hosts): ${second.ms} ms`);
    const r2 = recap(second.output);
    for (const h of HOSTS) assert.deepEqual([r2[h]?.changed, r2[h]?.failed], [0, 0], second.output);
  });
});
