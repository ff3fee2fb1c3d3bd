/**
 * Monitoring end to end on a running appliance sampling a fake host: /metrics over HTTPS
 * (promtool, wrong password, a user without read access), built-in and operator alarms raised
 * and cleared, acknowledged and shelved over SSH exec, alarms surviving a restart, and the
 * CLI's show commands with exact output.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../../confd/auth/passwords.js';
import pino from 'pino';
import { Daemon } from '../../confd/main/daemon.js';
import { LogRing } from '../../confd/main/log-ring.js';
import { linkedPair } from '../../confd/northbound/transport.js';
import { FakeHost } from '../fixtures/fake-host.js';
import { NetconfClient } from '../helpers/netconf-client.js';
import { connectNetconf } from '../security/ssh-netconf.js';
import { SocketClient } from '../../confd/northbound/socket/client.js';
import ssh2 from 'ssh2';
import { tempDir } from '../helpers/device.js';

const dir = tempDir('appliance-monitoring-');
const host = new FakeHost(join(dir.path, 'host'));
const data = join(dir.path, 'data');
const key = join(dir.path, 'id_ed25519');
let daemon: Daemon;
const logRing = new LogRing();
const logger = pino({ level: 'info' }, logRing);

const start = () => Daemon.start({
  dataDir: data, logger, logRing, listen: ['127.0.0.1'], port: 0, httpPort: 0, daemons: ['ntp-hostname'],
  env: { APPLIANCE_ADMIN_PASSWORD: 'secret', APPLIANCE_PROC_ROOT: host.proc, APPLIANCE_SYS_CLASS_NET: host.net },
});

function ssh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['-p', String(daemon.sshPort), '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', 'admin@127.0.0.1', command];
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function get(path: string, auth: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: daemon.httpPort!, path, rejectUnauthorized: false, headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The next alarm-notification of `type` the NETCONF session receives (other notifications skipped), as text. */
async function alarmNotification(nc: NetconfClient, type: string): Promise<string> {
  for (;;) {
    const text = nc.textOf(await nc.nextNotification(10_000));
    if (text.includes('<alarm-notification') && text.includes(`<alarm-type-id>${type}</alarm-type-id>`)) return text;
  }
}

/** An interactive CLI shell over SSH (ssh2, a pty), whose output can be waited on. */
function shellOverSsh(port: number): Promise<{ waitFor(re: RegExp): Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    conn.on('error', reject);
    conn.on('ready', () => conn.shell({ term: 'xterm', cols: 200, rows: 50 }, (err, channel) => {
      if (err) { reject(err); return; }
      let seen = '';
      channel.on('data', (d: Buffer) => { seen += d.toString('utf8'); });
      const waitFor = async (re: RegExp) => {
        for (let i = 0; i < 200 && !re.test(seen); i++) await new Promise((r) => setTimeout(r, 50));
        assert.match(seen, re);
      };
      void waitFor(/admin@[\w-]+> /).then(() => resolve({ waitFor, close: () => conn.end() }), reject);
    }));
    conn.connect({ host: '127.0.0.1', port, username: 'admin', password: 'secret', readyTimeout: 10_000 });
  });
}

async function commit(edit: object): Promise<void> {
  const s = daemon.ops.openSession({ user: 'admin', source: 'socket', address: 'local' });
  await daemon.ops.editConfig(s, edit as never);
  await daemon.ops.commit(s, {});
  await daemon.ops.closeSession(s);
}

describe('monitoring on a running appliance', () => {
  before(async () => {
    host.iface('eth0', { rx_bytes: 1000, tx_bytes: 2000, rx_packets: 10, tx_packets: 20 });
    host.iface('eth1', {}, 'down', 2);
    daemon = await start();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'e2e', '-f', key]);
    const pub = readFileSync(`${key}.pub`, 'utf8').trim();
    await commit({ system: {
      users: { user: [
        { name: 'admin', 'ssh-key': [{ name: 'e2e', key: pub }] },
        { name: 'watcher', role: 'viewer', 'password-hash': await hashPassword('watch-pass') },
        { name: 'reader', role: 'viewer', 'password-hash': await hashPassword('read-pass') },
      ] },
      access: { rule: [{ sequence: 10, group: 'viewer', path: '/system/monitoring', operations: ['read'], action: 'deny' }] },
    } });
    daemon.monitor.sampleNow();
  });
  after(async () => {
    await daemon.stop();
    dir.remove();
  });

  test('/metrics passes promtool, and refuses a wrong password and a user without read access', async () => {
    const ok = await get('/metrics', 'admin:secret');
    assert.equal(ok.status, 200);
    assert.match(ok.body, /^appliance_host_network_receive_bytes_total\{device="eth0"\} 1000$/m);
    assert.match(ok.body, /^appliance_host_network_up\{device="eth1"\} 0$/m);
    assert.match(ok.body, /^appliance_commits_total \d+$/m);
    assert.match(ok.body, /^# TYPE appliance_commit_duration_seconds histogram$/m);
    assert.match(ok.body, /^appliance_alarms_active\{severity="critical"\} 0$/m);
    const lint = execFileSync('promtool', ['check', 'metrics'], { input: ok.body, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    assert.equal(lint.trim(), '');
    assert.equal((await get('/metrics', 'admin:wrong')).status, 401);
    assert.equal((await get('/metrics', 'watcher:watch-pass')).status, 403);
    assert.equal((await get('/nothing', 'admin:secret')).status, 404);
  });

  test('show version and show interfaces print exactly what was sampled', async () => {
    const v = await ssh('show version');
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^Software version: \d+\.\d+\.\d+\nSchema version: 2\n$/);
    const terse = await ssh('show interfaces terse');
    assert.equal(terse.stdout, [
      'INTERFACE  LINK  IN-BYTES  OUT-BYTES  ERRORS  DROPS',
      'eth0       up    1000      2000       0       0',
      'eth1       down  0         0          0       0', ''].join('\n'));
    const ext = await ssh('show interfaces eth1 extensive');
    assert.equal(ext.stdout, [
      'Physical interface: eth1, Down', '  Speed: unknown, carrier changes: 2', '  Input rate  : 0 bps (0 pps)', '  Output rate : 0 bps (0 pps)',
      '  Input bytes  : 0', '  Output bytes : 0', '  Input packets: 0', '  Output packets: 0', '  Input errors: 0, drops: 0', '  Output errors: 0, drops: 0', ''].join('\n'));
    const json = JSON.parse((await ssh('show interfaces eth0 | display json')).stdout) as { interfaces: Array<{ name: string; inOctets: number }> };
    assert.deepEqual(json.interfaces.map((i) => [i.name, i.inOctets]), [['eth0', 1000]]);
    assert.match((await ssh('show system storage | display xml')).stdout, /^<storage>\n {2}<path>.*<\/path>\n/);
    const bad = await ssh('show interfaces nosuch');
    assert.equal(bad.code, 1);
  });

  test('history as a chart, the log, uptime, statistics, monitor and clear interfaces statistics over SSH exec', async () => {
    host.iface('eth0', { rx_bytes: 5000, tx_bytes: 2000, rx_packets: 50, tx_packets: 20 });
    daemon.monitor.sampleNow();
    const chart = await ssh('show system history memory-available-percent last 1h');
    assert.equal(chart.code, 0, chart.stderr);
    assert.match(chart.stdout, /^memory-available-percent, last 1h \(min 50, max 50, \d+ points\)\n {6}50 ┤\n {9}│▄+\n {6}50 ┤\n/);
    // More points than an 80-column terminal (exec has no pty) holds: the bars fill 80 less the scale and the last column.
    // Each at its own millisecond: samples of the same instant are one point.
    for (let i = 0; i < 100; i++) { daemon.monitor.sampleNow(); await new Promise((r) => setTimeout(r, 2)); }
    const wide = await ssh('show system history memory-available-percent last 1h');
    const points = Number(/, (\d+) points\)/.exec(wide.stdout)?.[1]);
    assert.ok(points > 69, `${points} points`);
    assert.equal(/│([ ▄]+)\n/.exec(wide.stdout)?.[1]?.length, 69, wide.stdout);
    const json = JSON.parse((await ssh('show system history in-octets-per-second resource eth0 | display json')).stdout) as { history: unknown[] };
    assert.ok(json.history.length >= 2);
    assert.equal((await ssh('show system history load-1 last 2h')).code, 1);
    const log = await ssh('show log messages');
    assert.match(log.stdout, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC (info|warn) /m);
    const up = JSON.parse((await ssh('show system uptime | display json')).stdout) as { uptime: { 'system-uptime-seconds': number } };
    assert.equal(up.uptime['system-uptime-seconds'], 3600);
    assert.match((await ssh('show system statistics')).stdout, /^Commits: \d+ \(0 failed, 0 confirmed-commit reverts\)\n/);
    assert.match((await ssh('monitor interface eth0')).stdout, /^Interface: eth0, up {2}\(.*\)\n {2}Speed: unknown, carrier changes: 0\n/);
    assert.equal((await ssh('clear interfaces statistics eth0')).stdout, 'Statistics cleared: eth0\n');
    daemon.monitor.sampleNow();
    assert.match((await ssh('show interfaces terse')).stdout, /\neth0 +up +0 +0 +0 +0\n/);
  });

  test('NETCONF get returns the sampled state tree and the alarms, filtered like configuration', async () => {
    const [serverSide, clientSide] = linkedPair();
    assert.ok(daemon.netconf.accept(serverSide, 'admin', '192.0.2.1:4000'));
    const nc = await NetconfClient.connect(clientSide);
    try {
      const reply = nc.textOf(await nc.rpc('<get><filter type="subtree"><interfaces xmlns="urn:appliance:interfaces"/></filter></get>'));
      assert.doesNotMatch(reply, /urn:appliance:system/);
      const all = nc.textOf(await nc.rpc('<get><filter type="subtree"><system xmlns="urn:appliance:system"><state/><alarms/></system></filter></get>'));
      assert.match(all, /<memory-total-bytes>1073741824<\/memory-total-bytes>/);
      assert.match(all, /<active-alarms>\d+<\/active-alarms>/);
    } finally {
      await nc.close();
    }
  });

  test('a supervised daemon killed is a daemon-down alarm, cleared when it runs again', async () => {
    const pid = daemon.supervisor.list().find((d) => d.name === 'ntp-hostname')?.pid;
    assert.equal(typeof pid, 'number');
    process.kill(pid as number, 'SIGKILL');
    const until = async (cond: () => boolean) => { for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 50)); };
    await until(() => daemon.supervisor.state('ntp-hostname')?.status !== 'running');
    daemon.monitor.sampleNow();
    assert.match(daemon.monitor.alarms.get('daemon-down:ntp-hostname')?.text ?? '', /SIGKILL/);
    await until(() => daemon.supervisor.state('ntp-hostname')?.status === 'running');
    daemon.monitor.sampleNow();
    assert.equal(daemon.monitor.alarms.get('daemon-down:ntp-hostname')?.isCleared, true);
    const ps = await ssh('show system processes');
    assert.match(ps.stdout, /^NAME +STATE +PID +RESTARTS +RSS +CPU +LAST-EXIT\nntp-hostname +running +\d+ +1 /);
  });

  test('the disk-usage alarm is raised at 1 % and cleared at 100 %; an operator threshold is raised, acknowledged and shelved; alarms survive a restart', async () => {
    await commit({ system: { monitoring: { 'disk-usage-alarm-percent': 1 } } });
    daemon.monitor.sampleNow();
    const raised = daemon.monitor.alarms.list().find((a) => a.type === 'disk-usage');
    assert.equal(raised?.severity === 'major' || raised?.severity === 'critical', true);
    assert.match((await ssh('show system alarms')).stdout, /^1 alarm currently active\nTIME +SEVERITY +TYPE +RESOURCE/);
    await commit({ system: { monitoring: { 'disk-usage-alarm-percent': 100 } } });
    daemon.monitor.sampleNow();
    assert.equal(daemon.monitor.alarms.list().length, 0);
    assert.equal((await ssh('show system alarms')).stdout, 'No alarms currently active\n');

    await commit({ system: { monitoring: { threshold: [{ name: 'eth0-drops', metric: 'in-drops', resource: 'eth0', value: 5, severity: 'major' }] } } });
    host.iface('eth0', { rx_bytes: 1000, tx_bytes: 2000, rx_dropped: 9 });
    daemon.monitor.sampleNow();
    const id = 'threshold:eth0-drops:in-drops{eth0}';
    assert.equal(daemon.monitor.alarms.get(id)?.isCleared, false);
    const ack = await ssh(`request system alarm acknowledge "${id}"`);
    assert.equal(ack.stdout, '1 alarm acknowledged\n', ack.stderr);
    assert.equal(daemon.monitor.alarms.get(id)?.acknowledged?.user, 'admin');
    assert.equal((await ssh('request system alarm shelve type threshold')).stdout, '1 alarm shelved\n');
    assert.match((await ssh('show system alarms')).stdout, /major +threshold +eth0-drops:in-drops\{eth0\} +ack,shelved/);
    const audit = daemon.engine.store.queryAudit({ limit: 50 }).map((r) => r.action);
    for (const a of ['alarm-raised', 'alarm-cleared', 'alarm-acknowledged', 'alarm-shelved']) assert.ok(audit.includes(a), `${a} audited`);

    await daemon.stop();
    daemon = await start();
    const again = daemon.monitor.alarms.get(id);
    assert.equal(again?.acknowledged?.user, 'admin');
    assert.equal(again?.shelved, true);
    host.iface('eth0', { rx_bytes: 1000, tx_bytes: 2000, rx_dropped: 0 });
    daemon.monitor.sampleNow();
    assert.equal(daemon.monitor.alarms.get(id)?.isCleared, true);
  });
  test('an alarm raised and cleared reaches a NETCONF subscriber over SSH, every CLI shell over SSH, and a bus subscriber', async () => {
    const { nc, close } = await connectNetconf(daemon.sshPort, 'admin', 'secret');
    const shell = await shellOverSsh(daemon.sshPort);
    const bus = await SocketClient.connect(daemon.dirs.socket, 'admin', 'alarm-watcher', 'daemon');
    const busEvents: Array<{ event: string; alarm: { type: string } }> = [];
    bus.onNotification = (n) => { if (n.method === 'alarm') busEvents.push(n.params as never); };
    try {
      nc.textOf(await nc.rpc('<create-subscription xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"/>'));
      await bus.request('subscribe', { name: 'alarm-watcher', paths: ['/system/alarms'] });
      await commit({ system: { monitoring: { 'disk-usage-alarm-percent': 1 } } });
      daemon.monitor.sampleNow();
      const raised = await alarmNotification(nc, 'disk-usage');
      assert.match(raised, /<perceived-severity>(major|critical)<\/perceived-severity>/);
      assert.match(raised, /<event>raised<\/event>/);
      await shell.waitFor(/\*\*\* alarm raised: (major|critical) disk-usage /);

      await commit({ system: { monitoring: { 'disk-usage-alarm-percent': 100 } } });
      daemon.monitor.sampleNow();
      assert.match(await alarmNotification(nc, 'disk-usage'), /<perceived-severity>cleared<\/perceived-severity>/);
      await shell.waitFor(/\*\*\* alarm cleared: (major|critical) disk-usage /);
      assert.deepEqual(busEvents.filter((e) => e.alarm.type === 'disk-usage').map((e) => e.event), ['raised', 'cleared']);
    } finally {
      bus.close();
      shell.close();
      close();
    }
  });
});
