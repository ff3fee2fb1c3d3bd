/**
 * @module bench/security-overhead
 * The cost of the hostile-client checks (message pre-scan, admission, throttle, escaping): the
 * single-leaf NETCONF read cycle and connect + hello + close, over ssh2, against this build and
 * against another build of the appliance (BASE_BIN, e.g. the commit before the checks), in the
 * same run and interleaved round by round so that the machine's load hits both alike.
 *   node dist/bench/security-overhead.js /path/to/base/bin/appliance [rounds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { APPLIANCE_BIN } from '../test/helpers/appliance-process.js';
import { PASSWORD, connectNetconf, type SshNetconf } from '../test/security/ssh-netconf.js';
import { nowMs, summarize } from './stats.js';

const READ = '<get-config><source><running/></source><filter type="subtree"><system xmlns="urn:appliance:system"><hostname/></system></filter></get-config>';

interface Target { name: string; port: number; stop(): void; session?: SshNetconf }

function start(name: string, bin: string): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), `bench-sec-${name}-`));
  const child = spawn(process.execPath, [bin, 'start', '--data-dir', dir, '--port', '0', '--log-level', 'info'],
    { env: { ...process.env, APPLIANCE_ADMIN_PASSWORD: PASSWORD }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /"sshPort":(\d+)/.exec(err);
      if (m) { child.stderr.removeAllListeners('data'); child.stderr.resume(); resolve({ name, port: Number(m[1]), stop: () => { child.kill('SIGTERM'); setTimeout(() => rmSync(dir, { recursive: true, force: true }), 2000); } }); }
    });
  });
}

const base = process.argv[2];
if (!base) { process.stderr.write('usage: security-overhead BASE_BIN [rounds]\n'); process.exit(2); }
const rounds = Number(process.argv[3] ?? 10);
const targets = [await start('base', base), await start('this', APPLIANCE_BIN)];
const cycle = new Map<string, number[]>(), connect = new Map<string, number[]>();
for (const t of targets) { t.session = await connectNetconf(t.port); cycle.set(t.name, []); connect.set(t.name, []); }
for (let r = 0; r < rounds; r++) {
  for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
    for (let i = 0; i < 100; i++) { const t0 = nowMs(); await t.session!.nc.rpc(READ); cycle.get(t.name)!.push(nowMs() - t0); }
    for (let i = 0; i < 5; i++) {
      const t0 = nowMs();
      const s = await connectNetconf(t.port);
      await s.nc.rpc('<close-session/>');
      s.close();
      connect.get(t.name)!.push(nowMs() - t0);
    }
  }
}
const out: Record<string, unknown> = {};
for (const [what, m] of [['single-leaf cycle', cycle], ['connect+hello+close', connect]] as const) {
  const b = summarize(m.get('base')!), t = summarize(m.get('this')!);
  out[what] = { base_p50_ms: b.p50_ms, this_p50_ms: t.p50_ms, ratio: Number((t.p50_ms / b.p50_ms).toFixed(3)), base_mean_ms: b.mean_ms, this_mean_ms: t.mean_ms };
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
for (const t of targets) { t.session!.close(); t.stop(); }
setTimeout(() => process.exit(0), 2500);
