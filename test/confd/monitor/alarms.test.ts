/**
 * The monitor in process on a simulated clock and a fake host: sampling at
 * /system/monitoring/interval-seconds, every built-in alarm raised and cleared (memory floor,
 * daemon down and crash-looping, mandatory subscriber away, confirmed commit pending, and the
 * reported conditions: slot under trial, failed upgrade, syslog unreachable, audit chain),
 * an operator threshold with its hold time and clear value, and the baseline seam.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JsonObject } from '../../../confd/core/tree.js';
import { loadDeviceSchema } from '../../../confd/schema/loader.js';
import { SCHEMAS_DIR } from '../../../confd/main/app-paths.js';
import { Monitor } from '../../../confd/monitor/monitor.js';
import type { SubscriberLag } from '../../../confd/monitor/plane.js';
import { FakeHost } from '../../fixtures/fake-host.js';
import { FakeClock, openSession, settleEngine } from '../../helpers/engine-fixtures.js';
import { openTestDevice, quietLogger, tempDir } from '../../helpers/device.js';

test('built-in alarms, operator thresholds, the sampling interval and the baseline on a simulated clock', async () => {
  const dir = tempDir();
  const clock = new FakeClock();
  const device = await openTestDevice({ dataDir: join(dir.path, 'data'), clock, schema: loadDeviceSchema(SCHEMAS_DIR, 2) });
  clock.settle = () => settleEngine(device.engine);
  const host = new FakeHost(join(dir.path, 'host'));
  host.iface('eth0', { rx_bytes: 0 });
  let daemons: Array<{ name: string } & JsonObject> = [{ name: 'ntp-hostname', status: 'running', restarts: 0, since: '' }];
  let subscribers: SubscriberLag[] = [{ name: 'firewall', lag: 0, connected: true, mandatory: true }];
  const reported = { trial: null as string | null, failed: null as string | null, syslog: [] as string[], audit: null as string | null };
  const events: string[] = [];
  const monitor = new Monitor({
    engine: device.engine, file: join(dir.path, 'monitor.db'), dataDir: dir.path, databaseFile: join(dir.path, 'data', 'config.db'),
    log: quietLogger, clock, sources: { proc: host.proc, sysClassNet: host.net },
    daemons: () => daemons, subscribers: () => subscribers,
    conditions: {
      upgrade: () => ({ trial: reported.trial, failed: reported.failed }),
      syslogUnreachable: () => reported.syslog, auditChainFailure: () => reported.audit,
    },
  });
  monitor.onAlarm((e) => events.push(`${e.kind} ${e.alarm.id}`));
  const s = openSession(device.engine);
  const commit = async (edit: JsonObject, options = {}) => {
    await device.engine.editConfig(s, edit);
    return device.engine.commit(s, options);
  };
  const standing = () => monitor.alarms.list().map((a) => `${a.severity} ${a.id}`).sort();
  try {
    monitor.start();
    assert.deepEqual(standing(), []);
    // The interval is read from the configuration: 10 s by default, then 2 s.
    let samples = 0;
    const sample = monitor.sampleNow.bind(monitor);
    monitor.sampleNow = () => { samples++; return sample(); };
    await clock.advance(10_000);
    assert.equal(samples, 1);
    await commit({ system: { monitoring: { 'interval-seconds': 2 } } });
    await clock.advance(10_000);
    assert.equal(samples, 2);
    await clock.advance(10_000);
    assert.equal(samples, 7);

    host.memory(1000, 10);
    daemons = [{ name: 'ntp-hostname', status: 'backoff', restarts: 1, 'last-exit': 'signal SIGKILL', since: '' },
      { name: 'other', status: 'failed', restarts: 5, 'last-exit': 'exit 1', since: '' }];
    subscribers = [{ name: 'firewall', lag: 3, connected: false, mandatory: true }];
    Object.assign(reported, { trial: 'slot b boots on trial', failed: 'install of 2.0 failed', syslog: ['192.0.2.7'], audit: 'record 12 altered' });
    await commit({ system: { hostname: 'pending' } }, { confirmed: true, confirmTimeout: 600 });
    monitor.sampleNow();
    assert.deepEqual(standing(), [
      'critical audit-chain-broken:audit', 'critical daemon-crash-looping:other', 'major daemon-down:ntp-hostname', 'major memory-low:memory',
      'major subscriber-away:firewall', 'major upgrade-failed:software', 'minor confirmed-commit-pending:running', 'minor slot-under-trial:software',
      'minor syslog-unreachable:192.0.2.7',
    ]);
    assert.deepEqual([...monitor.baseline().criticalAlarms].sort(), ['audit-chain-broken:audit', 'daemon-crash-looping:other']);
    assert.deepEqual(monitor.baseline().daemonRestarts, { 'ntp-hostname': 1, other: 5 });

    host.memory(1000, 500);
    daemons = [{ name: 'ntp-hostname', status: 'running', restarts: 1, since: '' }];
    subscribers = [{ name: 'firewall', lag: 0, connected: true, mandatory: true }];
    Object.assign(reported, { trial: null, failed: null, syslog: [], audit: null });
    await commit({});
    monitor.sampleNow();
    assert.deepEqual(standing(), []);
    assert.ok(events.includes('cleared confirmed-commit-pending:running'));

    // An operator threshold: raised after holding 30 s, kept until back below the clear value.
    await commit({ system: { monitoring: { threshold: [{ name: 'busy-eth0', metric: 'in-octets-per-second', resource: 'eth0', value: 100, 'for-seconds': 30, 'clear-value': 50 }] } } });
    let bytes = 0;
    const traffic = async (rate: number, seconds: number) => {
      for (let i = 0; i < seconds / 2; i++) { bytes += rate * 2; host.iface('eth0', { rx_bytes: bytes }); await clock.advance(2000); }
    };
    await traffic(200, 20);
    assert.deepEqual(standing(), []);
    await traffic(200, 20);
    assert.deepEqual(standing(), ['minor threshold:busy-eth0:in-octets-per-second{eth0}']);
    await traffic(80, 10);
    assert.deepEqual(standing(), ['minor threshold:busy-eth0:in-octets-per-second{eth0}']);
    await traffic(10, 4);
    assert.deepEqual(standing(), []);
    const h = monitor.historyOf('in-octets-per-second', 'eth0', 3_600_000);
    assert.ok(h.points.some((p) => p.avg === 200) && h.points.some((p) => p.avg === 10));
  } finally {
    monitor.close();
    device.close();
    dir.remove();
  }
});
