/**
 * The systemd unit shipped in packaging/ passes `systemd-analyze verify`, and the appliance
 * works end to end as an unprivileged service user: started as that user (setpriv when the
 * test runs as root, else as the non-root user running it), an SSH login, a commit and a
 * software upgrade to a new slot.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { APP_ROOT } from '../../confd/main/app-paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { APPLIANCE_BIN } from '../helpers/appliance-process.js';

const USER = 'appliance-svc';
const dir = tempDir('appliance-service-user-');
after(() => dir.remove());

/** uid/gid of the service user (created when the test runs as root), or of this non-root process. */
function serviceUser(): { uid: number; gid: number } {
  if (process.getuid!() !== 0) return { uid: process.getuid!(), gid: process.getgid!() };
  try { execFileSync('id', ['-u', USER], { stdio: 'ignore' }); } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', USER]);
  }
  const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }));
  return { uid, gid };
}

/** argv running `appliance ARGS` as the service user. */
function asService(u: { uid: number; gid: number }, args: string[]): string[] {
  const node = [process.execPath, APPLIANCE_BIN, ...args];
  return process.getuid!() === 0 ? ['setpriv', `--reuid=${u.uid}`, `--regid=${u.gid}`, '--clear-groups', '--', ...node] : node;
}

function run(u: { uid: number; gid: number }, args: string[], env: Record<string, string> = {}): string {
  const [cmd, ...rest] = asService(u, args);
  return execFileSync(cmd!, rest, { encoding: 'utf8', env: { ...process.env, ...env }, cwd: dir.path, timeout: 240_000 });
}

function sshExec(port: number, password: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => c.exec(command, (err, ch) => {
      if (err) { reject(err); return; }
      let out = '';
      ch.on('data', (d: Buffer) => { out += d.toString(); });
      ch.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      ch.on('close', () => { c.end(); resolve(out); });
    })).on('error', reject).connect({ host: '127.0.0.1', port, username: 'admin', password, readyTimeout: 10_000 });
  });
}

async function until<T>(what: string, check: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('as a service', () => {
  test('packaging/appliance.service passes systemd-analyze verify', () => {
    // The unit names the install path /opt/appliance: verify it pointing at this build instead.
    const unit = readFileSync(join(APP_ROOT, 'packaging', 'appliance.service'), 'utf8').replaceAll('/opt/appliance', APP_ROOT.replace(/\/$/, ''));
    for (const line of ['StateDirectory=appliance', 'Restart=on-failure', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes',
      'PrivateTmp=yes', 'ReadWritePaths=/var/lib/appliance', 'Environment=APPLIANCE_DATA_DIR=/var/lib/appliance', 'User=appliance']) {
      assert.ok(unit.split('\n').includes(line), `the unit has ${line}`);
    }
    assert.match(unit, /^ExecStart=\S+\/bin\/appliance start --data-dir \/var\/lib\/appliance/m);
    const file = join(dir.path, 'appliance.service');
    writeFileSync(file, unit);
    const r = spawnSyncText('systemd-analyze', ['verify', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', 'no warnings');
  });

  test('as an unprivileged user: start, SSH login, commit, upgrade', async () => {
    const u = serviceUser();
    assert.notEqual(u.uid, 0);
    const data = join(dir.path, 'var');
    mkdirSync(data);
    chmodSync(dir.path, 0o755);
    chownSync(data, u.uid, u.gid);
    const password = 'svc-secret';
    const [cmd, ...args] = asService(u, ['start', '--port', '0', '--http-port', '0', '--log-level', 'info']);
    const app: ChildProcess = spawn(cmd!, args, {
      env: { ...process.env, APPLIANCE_DATA_DIR: data, APPLIANCE_ADMIN_PASSWORD: password }, stdio: ['ignore', 'ignore', 'pipe'], cwd: dir.path,
    });
    let log = '';
    app.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    const exited = new Promise<number | null>((resolve) => app.once('exit', resolve));
    try {
      const port = await until('the appliance to listen', () => { const m = /"sshPort":(\d+)/.exec(log); return m ? Number(m[1]) : undefined; });
      await until('the first boot to be marked good', () => (log.includes('slot is good') ? true : undefined));
      // The daemon runs as the service user, not root.
      const pids = [...log.matchAll(/"daemonPid":(\d+)/g)].map((m) => Number(m[1]));
      const status = readFileSync(`/proc/${pids.at(-1)}/status`, 'utf8');
      assert.match(status, new RegExp(`^Uid:\\s+${u.uid}\\s`, 'm'));

      const commit = await sshExec(port, password, 'configure; set system hostname svc-test; commit');
      assert.match(commit, /commit complete/);
      assert.match(await sshExec(port, password, 'show configuration system hostname'), /svc-test/);

      // An upgrade, by the service user's own tools: key, bundle of this build, install.
      const key = join(data, 'upgrade.key');
      run(u, ['bundle', 'keygen', '--out', key]);
      mkdirSync(join(data, 'keyring'), { recursive: true });
      writeFileSync(join(data, 'keyring', 'upgrade.pub'), readFileSync(`${key}.pub`));
      chownSync(join(data, 'keyring'), u.uid, u.gid);
      const bundle = join(data, 'next.bundle');
      run(u, ['bundle', 'create', '--version', '0.2.0-svc', '--key', key, '--out', bundle]);
      const job = JSON.parse(run(u, ['software', 'add', bundle, '--no-follow', '--json'], { APPLIANCE_DATA_DIR: data })) as { id: string };
      assert.ok(job.id);
      const done = await until('the upgrade to finish', () => {
        const st = JSON.parse(run(u, ['software', 'status', '--json'], { APPLIANCE_DATA_DIR: data })) as {
          booted: string | null; job: { status: string; reason?: string } | null;
        };
        return st.job && st.job.status !== 'running' && st.booted ? st : undefined;
      }, 200_000);
      assert.equal(done.job!.status, 'watching', done.job!.reason);
      assert.equal(done.booted, 'b');
      assert.match(await sshExec(await until('SSH after the upgrade', () => {
        const all = [...log.matchAll(/"sshPort":(\d+)/g)];
        return all.length >= 2 ? Number(all.at(-1)![1]) : undefined;
      }), password, 'show configuration system hostname'), /svc-test/);
    } finally {
      app.kill('SIGTERM');
      assert.equal(await exited, 0, log.slice(-2000));
    }
  });
});

function spawnSyncText(cmd: string, args: string[]): { code: number; stderr: string } {
  try {
    execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stderr: string };
    return { code: err.status, stderr: err.stderr };
  }
}
