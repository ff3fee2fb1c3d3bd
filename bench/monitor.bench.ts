/**
 * @module bench/monitor.bench
 * Monitoring: CPU of one sample (host with 64 interfaces, management plane, history write,
 * thresholds) and its share of one core at the default 10 s interval; the history file's
 * size after a simulated 90 days of the default metric set; and `/metrics` response time over
 * HTTPS with 64 interfaces and 100 standing alarms (basic auth, after the first scrape).
 */
import { request } from 'node:https';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import pino from 'pino';
import { openDevice } from '../confd/main/device.js';
import { Monitor } from '../confd/monitor/monitor.js';
import { MetricsHistory } from '../confd/monitor/history.js';
import { pointsOf, seriesKey } from '../confd/monitor/series.js';
import { BasicAuth } from '../confd/northbound/http/auth.js';
import { loadOrCreateCertificate } from '../confd/northbound/http/certificate.js';
import { MetricsEndpoint, metricsRoute } from '../confd/northbound/http/metrics.js';
import { HttpServer } from '../confd/northbound/http/server.js';
import { hashPassword } from '../confd/auth/passwords.js';
import { MetricsDb } from '../confd/store/metrics-db.js';
import type { Clock } from '../confd/txn/clock.js';
import { FakeHost } from '../test/fixtures/fake-host.js';
import { report, summarize, timeIt } from './stats.js';

const logger = pino({ level: 'error' });
const INTERFACES = 64;

function manualClock(start: number): Clock & { time: number } {
  return { time: start, now() { return this.time; }, setTimer: () => ({ cancel: () => undefined }) };
}

export async function benchMonitor(scratch: string, quick: boolean): Promise<void> {
  const host = new FakeHost(join(scratch, 'monitor-host'));
  const names = Array.from({ length: INTERFACES }, (_, i) => `eth${i}`);
  let bytes = 0;
  const traffic = () => { bytes += 12345; for (const n of names) host.iface(n, { rx_bytes: bytes, tx_bytes: bytes / 2, rx_packets: bytes / 100 }); };
  traffic();
  const engine = await openDevice({ dataDir: join(scratch, 'monitor-data'), logger });
  const clock = manualClock(Date.UTC(2030, 0, 1));
  const monitor = new Monitor({
    engine, file: join(scratch, 'monitor.db'), dataDir: scratch, databaseFile: join(scratch, 'monitor-data', 'config.db'),
    log: logger, clock, sources: { proc: host.proc, sysClassNet: host.net },
  });
  // 1. Sampler CPU per sample.
  const samples = quick ? 50 : 300;
  monitor.sampleNow();
  const cpu0 = process.cpuUsage();
  const wall: number[] = [];
  for (let i = 0; i < samples; i++) {
    clock.time += 10_000;
    wall.push(await timeIt(() => monitor.sampleNow()));
  }
  const used = process.cpuUsage(cpu0);
  const perSampleMs = (used.user + used.system) / 1000 / samples;
  report({
    bench: 'monitor.sample', interfaces: INTERFACES, samples, cpu_ms_per_sample: Number(perSampleMs.toFixed(3)),
    core_share_at_10s_percent: Number(((perSampleMs / 10_000) * 100).toFixed(4)), wall: summarize(wall),
  });

  // 3. /metrics with 100 alarms.
  for (let i = 0; i < 100; i++) monitor.alarms.raise('threshold', `bench-${i}`, i % 4 === 0 ? 'major' : 'minor', `bench alarm ${i}`);
  const s = engine.openSession({ user: 'bench', source: 'bench', address: 'local' });
  await engine.editConfig(s, { system: { users: { user: [{ name: 'admin', role: 'admin', 'password-hash': await hashPassword('bench') }] } } });
  await engine.commit(s);
  const tls = loadOrCreateCertificate({ key: join(scratch, 'k.pem'), cert: join(scratch, 'c.pem') });
  const http = new HttpServer({ ...tls, routes: [metricsRoute(new MetricsEndpoint(monitor, { softwareVersion: 'bench', schemaVersion: 2 }))], auth: new BasicAuth(engine), log: logger });
  const port = (await http.listen(0, ['127.0.0.1']))[0]!.port;
  const auth = `Basic ${Buffer.from('admin:bench').toString('base64')}`;
  const scrape = () => new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', rejectUnauthorized: false, headers: { authorization: auth } }, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => { n += d.length; });
      res.on('end', () => resolve(n));
    });
    req.on('error', reject);
    req.end();
  });
  const size = await scrape();
  const times: number[] = [];
  for (let i = 0; i < (quick ? 20 : 100); i++) times.push(await timeIt(scrape));
  report({ bench: 'monitor.metrics', interfaces: INTERFACES, alarms: 100, body_bytes: size, response: summarize(times) });
  await http.close();
  monitor.close();
  engine.close();
  engine.store.close();

  // 2. History size after a simulated 90 days at the default interval, the default metric set.
  const keys = pointsOf(monitor.latest()).filter((p) => p.history).map((p) => seriesKey(p.metric, p.resource));
  const file = join(scratch, 'history-90d.db');
  const db = new MetricsDb(file);
  const history = new MetricsHistory(db);
  const days = quick ? 8 : 90;
  const end = Date.UTC(2030, 0, 1) + days * 86_400_000;
  // Traffic, CPU and memory wander; errors and drops stay 0 and links up, as on a healthy device.
  const wanders = keys.map((k) => !/^(errors|drops)-per-second|^oper-up/.test(k));
  const walk = new Float64Array(keys.length).fill(1000);
  const start = Date.now();
  // What is stored is the same at any sample interval once rolled up: 10 s samples for the last
  // 6 h (kept at full resolution), one a minute for the rest of the 7 days of 1-minute buckets,
  // and one every 5 minutes before (15-minute buckets only).
  const step = (t: number) => (t >= end - 6 * 3_600_000 ? 10_000 : t >= end - 7 * 86_400_000 ? 60_000 : 300_000);
  let records = 0;
  for (let t = Date.UTC(2030, 0, 1); t < end; t += step(t)) {
    const values = new Map<string, number>();
    keys.forEach((k, i) => {
      if (wanders[i]) walk[i] = Math.max(0, walk[i]! + (Math.random() - 0.5) * 100);
      values.set(k, wanders[i] ? Math.round(walk[i]!) : k.startsWith('oper-up') ? 1 : 0);
    });
    history.record(t, values);
    records++;
  }
  history.flush();
  db.close();
  report({ bench: 'monitor.history', days, series: keys.length, records, file_bytes: statSync(file).size, file_mb: Number((statSync(file).size / 1048576).toFixed(1)), seconds: (Date.now() - start) / 1000 });
}
