/**
 * @module bench/restconf
 * RESTCONF against NETCONF on one spawned appliance, in the same run, interleaved round by
 * round so the machine's load hits both alike: the single-leaf change (RESTCONF PATCH of one
 * leaf on a keep-alive HTTPS connection vs the NETCONF cycle lock / edit-config / commit /
 * unlock over ssh2), and reading 10,000 interfaces (GET in JSON vs get-config of the same
 * subtree). Targets (issue 15): PATCH p50 ≤ the NETCONF cycle; GET ≤ get-config.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { APPLIANCE_BIN } from '../test/helpers/appliance-process.js';
import { PASSWORD, connectNetconf } from '../test/security/ssh-netconf.js';
import { nowMs, ratio, report, summarize } from './stats.js';

const AUTH = 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64');
const IF_NS = 'urn:appliance:interfaces';

/** A loopback port free just now (`--http-port 0` turns HTTPS off). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); });
  });
}

async function start(dir: string): Promise<{ ssh: number; http: number; stop(): void }> {
  const httpPort = await freePort();
  const child = spawn(process.execPath, [APPLIANCE_BIN, 'start', '--data-dir', dir, '--port', '0', '--http-port', String(httpPort), '--log-level', 'info'],
    { env: { ...process.env, APPLIANCE_ADMIN_PASSWORD: PASSWORD }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the appliance did not start: ${err}`)); }, 30_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /"sshPort":(\d+),"httpPort":(\d+)/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      child.stderr.removeAllListeners('data');
      child.stderr.resume();
      resolve({ ssh: Number(m[1]), http: Number(m[2]), stop: () => child.kill('SIGTERM') });
    });
  });
}

function https(agent: Agent, port: number, method: string, path: string, body?: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, method, path, agent, rejectUnauthorized: false,
      headers: { authorization: AUTH, accept: 'application/yang-data+json', ...(body ? { 'content-type': 'application/yang-data+json' } : {}) },
    }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => { bytes += d.length; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function benchRestconf(scratch: string, quick: boolean): Promise<void> {
  const dir = mkdtempSync(join(scratch, 'restconf-'));
  const app = await start(dir);
  // Idle sockets closed before the server's 5 s keep-alive timeout would (reusing one it is closing resets it).
  const agent = new Agent({ keepAlive: true, maxSockets: 1, timeout: 4000 });
  const nc = await connectNetconf(app.ssh);
  try {
    const entries = quick ? 1000 : 10_000;
    const load = JSON.stringify({ 'appliance-interfaces:interfaces': { interface: Array.from({ length: entries }, (_, i) => ({ name: `if${i}`, description: `port ${i}`, mtu: 1500 })) } });
    const loaded = await https(agent, app.http, 'PATCH', '/restconf/data', load);
    if (loaded.status !== 204) throw new Error(`loading ${entries} interfaces: HTTP ${loaded.status}`);
    const rounds = quick ? 2 : 10, perRound = quick ? 10 : 30, reads = quick ? 2 : 5;
    const patch: number[] = [], cycle: number[] = [], get: number[] = [], getConfig: number[] = [];
    let mtu = 1400, bytes = 0;
    const patchOnce = async () => {
      const t0 = nowMs();
      const r = await https(agent, app.http, 'PATCH', '/restconf/data/appliance-interfaces:interfaces/interface=if0/mtu', JSON.stringify({ 'appliance-interfaces:mtu': ++mtu }));
      if (r.status !== 204) throw new Error(`PATCH: HTTP ${r.status}`);
      patch.push(nowMs() - t0);
    };
    const cycleOnce = async () => {
      const t0 = nowMs();
      await nc.nc.rpc('<lock><target><candidate/></target></lock>');
      const edit = await nc.nc.rpc(`<edit-config><target><candidate/></target><config><interfaces xmlns="${IF_NS}"><interface><name>if0</name><mtu>${++mtu}</mtu></interface></interfaces></config></edit-config>`);
      const commit = await nc.nc.rpc('<commit/>');
      await nc.nc.rpc('<unlock><target><candidate/></target></unlock>');
      cycle.push(nowMs() - t0);
      if (!edit.children.some((c) => c.name === 'ok') || !commit.children.some((c) => c.name === 'ok')) throw new Error('the NETCONF cycle failed');
    };
    const getOnce = async () => {
      const t0 = nowMs();
      const r = await https(agent, app.http, 'GET', '/restconf/data/appliance-interfaces:interfaces?content=config');
      if (r.status !== 200) throw new Error(`GET: HTTP ${r.status}`);
      get.push(nowMs() - t0);
      bytes = r.bytes;
    };
    const getConfigOnce = async () => {
      const t0 = nowMs();
      const reply = await nc.nc.rpc(`<get-config><source><running/></source><filter type="subtree"><interfaces xmlns="${IF_NS}"/></filter></get-config>`);
      getConfig.push(nowMs() - t0);
      if (!reply.children.some((c) => c.name === 'data')) throw new Error('get-config failed');
    };
    // Warm-up: connections, JIT, caches.
    await patchOnce(); await cycleOnce(); await getOnce(); await getConfigOnce();
    patch.length = cycle.length = get.length = getConfig.length = 0;
    for (let r = 0; r < rounds; r++) {
      const first = r % 2 === 0;
      for (const run of first ? [patchOnce, cycleOnce] : [cycleOnce, patchOnce]) for (let i = 0; i < perRound; i++) await run();
      for (const run of first ? [getOnce, getConfigOnce] : [getConfigOnce, getOnce]) for (let i = 0; i < reads; i++) await run();
    }
    const p = summarize(patch), c = summarize(cycle), g = summarize(get), gc = summarize(getConfig);
    report({
      bench: 'restconf', entries,
      patch_p50_ms: p.p50_ms, patch_p99_ms: p.p99_ms, netconf_cycle_p50_ms: c.p50_ms, netconf_cycle_p99_ms: c.p99_ms,
      ratio_patch_to_cycle: ratio(p.p50_ms, c.p50_ms), target_ratio_patch_to_cycle: 1,
      get_p50_ms: g.p50_ms, get_bytes: bytes, netconf_get_config_p50_ms: gc.p50_ms,
      ratio_get_to_get_config: ratio(g.p50_ms, gc.p50_ms), target_ratio_get_to_get_config: 1,
      samples: { patch: p.n, cycle: c.n, get: g.n, get_config: gc.n },
    });
  } finally {
    nc.close();
    agent.destroy();
    app.stop();
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(dir, { recursive: true, force: true });
  }
}
