/**
 * Samplers on a fake /proc and /sys/class/net (exact values) and on the real ones (sanity),
 * and the history's roll-ups and pruning across a simulated clock.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HostSampler } from '../../../confd/monitor/host-sampler.js';
import { LEVELS, MetricsHistory } from '../../../confd/monitor/history.js';
import { MetricsDb } from '../../../confd/store/metrics-db.js';
import { FakeHost } from '../../fixtures/fake-host.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('the host sampler reads CPU, memory, load and interface counters with rates from the fake tree exactly', () => {
  const dir = tempDir();
  try {
    const host = new FakeHost(dir.path);
    host.cpu([100, 0, 50, 800, 50, 0, 0, 0]);
    host.iface('eth0', { rx_bytes: 1000, tx_bytes: 2000, rx_packets: 10, rx_errors: 1, rx_dropped: 2 });
    host.iface('eth1', {}, 'down', 3);
    const s = new HostSampler({ proc: host.proc, sysClassNet: host.net, dataDir: dir.path });
    const t0 = Date.UTC(2030, 0, 1);
    s.sample(t0);
    // 10 s later: 200 more user ticks, 100 system, 600 idle, 100 iowait of 1000.
    host.cpu([300, 0, 150, 1400, 150, 0, 0, 0]);
    host.iface('eth0', { rx_bytes: 11000, tx_bytes: 2500, rx_packets: 30, rx_errors: 3, rx_dropped: 4, tx_dropped: 1 });
    const x = s.sample(t0 + 10_000);
    assert.deepEqual(x.cpu, { name: 'cpu', user: 20, system: 10, iowait: 10, steal: 0, idle: 60, busy: 30 });
    assert.equal(x.cores.length, 1);
    assert.equal(x.memory.totalBytes, 1024 * 1024 * 1024);
    assert.equal(x.memory.availableBytes, 512 * 1024 * 1024);
    assert.deepEqual(x.load, [0.5, 0.25, 0.1]);
    assert.equal(x.uptimeSeconds, 3600.25);
    const eth0 = x.interfaces.find((i) => i.name === 'eth0')!;
    assert.equal(eth0.inOctets, 11000);
    assert.equal(eth0.inOctetsRate, 1000);
    assert.equal(eth0.outOctetsRate, 50);
    assert.equal(eth0.inPacketsRate, 2);
    assert.equal(eth0.errorsRate, 0.2);
    assert.equal(eth0.dropsRate, 0.3);
    const eth1 = x.interfaces.find((i) => i.name === 'eth1')!;
    assert.equal(eth1.oper, 'down');
    assert.equal(eth1.carrierChanges, 3);
    assert.ok(x.disk.totalBytes > 0 && x.disk.usedPercent > 0 && x.disk.usedPercent <= 100);
    // clear interfaces statistics: shown counters restart from zero; rates are untouched.
    assert.deepEqual(s.clearCounters('eth0'), ['eth0']);
    host.iface('eth0', { rx_bytes: 12000, tx_bytes: 2500, rx_packets: 31 });
    const y = s.sample(t0 + 20_000).interfaces.find((i) => i.name === 'eth0')!;
    assert.equal(y.inOctets, 1000);
    assert.equal(y.inPackets, 1);
    assert.equal(y.inOctetsRate, 100);
  } finally {
    dir.remove();
  }
});

test('the host sampler reads the real /proc and /sys/class/net sensibly', () => {
  const dir = tempDir();
  try {
    const s = new HostSampler({ proc: '/proc', sysClassNet: '/sys/class/net', dataDir: dir.path });
    s.sample(Date.now() - 1000);
    const x = s.sample(Date.now());
    assert.ok(x.memory.totalBytes > 0 && x.memory.availableBytes <= x.memory.totalBytes);
    assert.ok(x.cores.length >= 1);
    assert.ok(x.cpu.busy >= 0 && x.cpu.busy <= 100);
    assert.ok(x.uptimeSeconds > 0);
    assert.ok(x.interfaces.some((i) => i.name === 'lo'));
  } finally {
    dir.remove();
  }
});

test('history keeps samples 6 h, 1-minute min/avg/max 7 days and 15-minute buckets 90 days, bounded', () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'monitor.db');
    let db = new MetricsDb(file);
    let h = new MetricsHistory(db);
    const t0 = Date.UTC(2030, 0, 1);
    // One minute of samples every 10 s: 1..6, then the next minute opens (and closes the first bucket).
    for (let i = 0; i < 6; i++) h.record(t0 + i * 10_000, new Map([['load-1', i + 1], ['oper-up{eth0}', 1]]));
    h.record(t0 + 60_000, new Map([['load-1', 10], ['oper-up{eth0}', 0]]));
    const minute = h.query('load-1', t0 - 8 * 24 * 3_600_000, t0 + 60_000);
    assert.equal(minute.level.level, 2);
    const one = h.query('load-1', t0 - 24 * 3_600_000, t0 + 60_000);
    assert.equal(one.level.level, 1);
    assert.deepEqual(one.points, [{ t: t0, min: 1, avg: 3.5, max: 6 }]);
    const full = h.query('load-1', t0, t0 + 60_000);
    assert.equal(full.level.level, 0);
    assert.deepEqual(full.points.map((p) => p.avg), [1, 2, 3, 4, 5, 6, 10]);
    // A restart keeps what was recorded.
    h.flush();
    db.close();
    db = new MetricsDb(file);
    h = new MetricsHistory(db);
    assert.equal(h.query('load-1', t0, t0 + 60_000).points.length, 7);
    // Simulate 100 days: every level keeps only its window. One sample a minute for the last
    // 7 days (what the 1-minute and full levels hold), one a quarter before (15-minute buckets only).
    const day = 24 * 3_600_000;
    const end = t0 + 100 * day;
    for (let t = t0 + 120_000; t <= end; t += t < end - 7 * day ? 900_000 : 60_000) h.record(t, new Map([['load-1', (t / 60_000) % 7]]));
    for (const lv of LEVELS) {
      const expected = lv.level === 0 ? lv.keepMs / 60_000 : lv.keepMs / lv.bucketMs;
      const n = db.countPoints(lv.level);
      assert.ok(n <= expected + 2 && n >= expected - 2, `level ${lv.level}: ${n} rows, expected about ${expected}`);
    }
    const q = h.query('load-1', end - 90 * day, end);
    assert.ok(q.points.length > 8000 && q.points.every((p) => p.min <= p.avg && p.avg <= p.max && p.min >= 0 && p.max <= 6));
    // The last day's quarters roll up 15 one-minute samples of 0..6 each.
    const quarters = h.query('load-1', end - 8 * day, end).points.filter((p) => p.t >= end - day && p.t < end - 900_000);
    assert.ok(quarters.length > 90 && quarters.every((p) => p.min === 0 && p.max === 6 && p.avg > 0 && p.avg < 6));
    db.close();
    assert.ok(statSync(file).size < 20 * 1024 * 1024, `${statSync(file).size} bytes`);
  } finally {
    dir.remove();
  }
});

test('a monitoring file that is not a database is set aside and a new one started', async () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'monitor.db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'this is not sqlite'.repeat(100));
    const db = new MetricsDb(file);
    assert.ok(db.setAside?.startsWith(`${file}.corrupt-`));
    assert.equal(db.countPoints(0), 0);
    db.close();
  } finally {
    dir.remove();
  }
});
