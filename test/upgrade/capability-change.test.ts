/**
 * RFC 6470 netconf-capability-change after an upgrade switch, black box: a v1 appliance is
 * upgraded to v2 with `appliance software add`; the v2 daemon finds that the previous slot
 * advertised other capabilities (the record in the data directory) and an NMS that reconnects
 * with an ncclient replay subscription from before the switch gets the change, changed by the
 * server, with the v2 modules as modified or added capabilities, between the commits it replays.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bootFresh, runCli, upgradeKit, waitJobEnd, type BootLoaderProcess, type UpgradeKit } from '../helpers/upgrade-fixtures.js';

const DRIVER = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test', 'interop', 'ncclient_yang_driver.py');

interface CapEvent { event: string; 'added-capability'?: string[]; 'deleted-capability'?: string[]; 'modified-capability'?: string[]; 'changed-by'?: string[] }

/** The SSH port of the newest daemon that started after log offset `from`. */
function sshPort(app: BootLoaderProcess, from: number): number {
  const started = app.stderr().slice(from).split('\n').filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l) as { msg?: string; sshPort?: number }; } catch { return {}; } })
    .filter((l) => l.msg === 'appliance started' && typeof l.sshPort === 'number');
  assert.ok(started.length > 0, `a daemon started:\n${app.tail()}`);
  return started.at(-1)!.sshPort!;
}

function replay(port: number, password: string, startTime: string): Promise<{ subscribe: { ok: boolean }; events: CapEvent[] }> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [DRIVER, 'capchange', '--start-time', startTime, '--port', String(port), '--user', 'admin', '--password', password],
      { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        try { resolve(JSON.parse(stdout)); } catch { reject(new Error(`driver: ${err?.message ?? ''}\n${stdout}\n${stderr}`)); }
      });
  });
}

describe('netconf-capability-change after an upgrade switch', () => {
  let k: UpgradeKit;
  before(async () => { k = await upgradeKit(); });
  after(() => k?.remove());

  it('is replayed to a subscriber from before the switch, once, changed by the server', { timeout: 180_000 }, async (t) => {
    const password = randomBytes(9).toString('hex');
    const { dir, app } = await bootFresh(t, k, { schemaVersion: 1, env: { APPLIANCE_ADMIN_PASSWORD: password } });
    const v1Caps = (JSON.parse(readFileSync(join(dir, 'netconf-capabilities.json'), 'utf8')) as { capabilities: string[]; changes: unknown[] });
    assert.deepEqual(v1Caps.changes, [], 'a factory start records the capabilities and no change');
    const startTime = new Date(Date.now() - 1000).toISOString();
    const mark = app.mark();
    const r = await runCli(['software', 'add', await k.bundle('2.0.0', 2), '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    // Installed and on its watch (5 minutes by default): the switch is done, which is what matters here.
    assert.equal((await waitJobEnd(dir)).job?.status, 'watching');

    const seen = await replay(sshPort(app, mark), password, startTime);
    assert.equal(seen.subscribe.ok, true);
    const changes = seen.events.filter((e) => e.event === 'netconf-capability-change');
    assert.equal(changes.length, 1, JSON.stringify(seen.events));
    const c = changes[0]!;
    assert.deepEqual(c['changed-by'], ['server']);
    const touched = [...c['added-capability']!, ...c['modified-capability']!];
    assert.ok(touched.some((x) => x.startsWith('urn:ietf:params:netconf:capability:yang-library:1.1?')), 'the YANG library content changed');
    assert.ok(touched.some((x) => /module=appliance-[a-z-]+&revision=/.test(x)), 'a v2 module is new or of another revision');
    for (const x of touched) assert.ok(!v1Caps.capabilities.includes(x), `${x} is not one v1 advertised`);
    for (const x of c['deleted-capability']!) assert.ok(v1Caps.capabilities.includes(x), `${x} was advertised by v1`);
  });
});
