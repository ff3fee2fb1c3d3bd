/**
 * Item: the audit anchors feed monitoring. A daemon started on a data directory whose audit key
 * was replaced raises the critical `audit-chain-broken` alarm at its first sample; a remote
 * syslog collector that cannot be reached raises `syslog-unreachable`, cleared once it is back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { Daemon } from '../../confd/main/daemon.js';
import { SyslogReceiver } from '../helpers/syslog-receiver.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('appliance-sec-audit-alarms-');
const logger = pino({ level: 'silent' });
const start = () => Daemon.start({ dataDir: dir.path, logger, listen: ['127.0.0.1'], port: 0, httpPort: null, env: { APPLIANCE_ADMIN_PASSWORD: 'secret' } });
after(() => dir.remove());

async function until(what: string, pred: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a replaced audit key raises audit-chain-broken; an unreachable collector raises syslog-unreachable', async () => {
  let daemon = await start();
  const s = daemon.engine.openSession({ user: 'admin', source: 'cli', address: 'local' });
  await daemon.engine.editConfig(s, { interfaces: { interface: [{ name: 'eth0', description: 'x' }] } });
  await daemon.engine.commit(s);
  await daemon.engine.closeSession(s, 'done');
  assert.equal(daemon.monitor.alarms.get('audit-chain-broken:audit')?.isCleared ?? true, true, 'no alarm on an intact trail');
  await daemon.stop();

  writeFileSync(join(dir.path, 'audit-key'), randomBytes(32), { mode: 0o600 });
  daemon = await start();
  try {
    const a = daemon.monitor.alarms.get('audit-chain-broken:audit');
    assert.equal(a?.isCleared, false);
    assert.equal(a?.severity, 'critical');
    assert.match(a?.text ?? '', /the audit key file was replaced/);

    const receiver = new SyslogReceiver();
    const port = await receiver.listen(0);
    await receiver.close();
    const t = daemon.engine.openSession({ user: 'admin', source: 'cli', address: 'local' });
    await daemon.engine.editConfig(t, { system: { syslog: { remote: [{ host: '127.0.0.1', port, protocol: 'tcp' }] } } });
    await daemon.engine.commit(t);
    const id = `syslog-unreachable:127.0.0.1:${port}`;
    await until('the collector to be seen unreachable', () => { daemon.monitor.sampleNow(); return daemon.monitor.alarms.get(id)?.isCleared === false; }, 10_000);
    await receiver.listen(port);
    await until('the alarm to clear', () => { daemon.monitor.sampleNow(); return daemon.monitor.alarms.get(id)?.isCleared === true; }, 20_000);
    await receiver.close();
    await daemon.engine.closeSession(t, 'done');
  } finally {
    await daemon.stop();
  }
});
