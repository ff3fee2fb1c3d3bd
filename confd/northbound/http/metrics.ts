/**
 * @module confd/northbound/http/metrics
 * `/metrics` in the Prometheus text format, with prom-client: one registry per listener whose
 * gauges and counters read the monitor's latest sample when scraped (a scrape never samples),
 * the commit latency histogram fed commit by commit, and prom-client's process_* metrics.
 * Names follow Prometheus conventions: appliance_… for the management plane, appliance_host_…
 * in the style of node_exporter for the host.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Monitor } from '../../monitor/monitor.js';
import { COMMIT_BUCKETS } from '../../monitor/plane.js';
import type { Sample } from '../../monitor/series.js';
import type { Route } from './server.js';

type Labels = Record<string, string>;
type Values = ReadonlyArray<readonly [Labels, number]>;

export interface MetricsInfo { readonly softwareVersion: string; readonly schemaVersion: number }

export class MetricsEndpoint {
  readonly registry = new Registry();
  private sample: Sample | null = null;

  constructor(private readonly monitor: Monitor, info: MetricsInfo) {
    collectDefaultMetrics({ register: this.registry });
    // Gauges that prom-client names *_total, which promtool's lint refuses.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    const r = this.registry;
    const s = () => this.sample!;
    const one = (v: number): Values => [[{}, v]];
    const gauge = (name: string, help: string, labelNames: string[], values: () => Values) => {
      new Gauge({ name, help, labelNames, registers: [r], collect() { this.reset(); for (const [l, v] of values()) this.set(l, v); } });
    };
    const counter = (name: string, help: string, labelNames: string[], values: () => Values) => {
      new Counter({ name, help, labelNames, registers: [r], collect() { this.reset(); for (const [l, v] of values()) this.inc(l, v); } });
    };
    gauge('appliance_info', 'Software and schema version of the appliance (always 1)', ['version', 'schema_version'],
      () => [[{ version: info.softwareVersion, schema_version: String(info.schemaVersion) }, 1]]);
    gauge('appliance_uptime_seconds', 'Seconds since the management daemon started', [], () => one(s().plane.uptimeSeconds));
    counter('appliance_commits_total', 'Commits made', [], () => one(s().plane.commits));
    const histogram = new Histogram({ name: 'appliance_commit_duration_seconds', help: 'Commit latency, from prepare to durable', buckets: [...COMMIT_BUCKETS], registers: [r] });
    monitor.counters.onCommit = (seconds) => histogram.observe(seconds);
    counter('appliance_commit_failures_total', 'Commits refused, by reason (error code)', ['reason'],
      () => Object.entries(s().plane.commitFailures).map(([reason, n]) => [{ reason }, n]));
    counter('appliance_confirmed_commit_reverts_total', 'Confirmed commits rolled back for want of confirmation', [], () => one(s().plane.confirmedReverts));
    gauge('appliance_confirmed_commit_pending', 'Whether a confirmed commit waits for confirmation', [], () => one(s().plane.confirmedPending ? 1 : 0));
    gauge('appliance_sessions', 'Open management sessions, by source', ['source'], () => Object.entries(s().plane.sessions).map(([source, n]) => [{ source }, n]));
    gauge('appliance_netconf_sessions', 'Open NETCONF sessions', [], () => one(s().plane.sessions.netconf ?? 0));
    counter('appliance_sessions_opened_total', 'Management sessions opened, by source', ['source'],
      () => Object.entries(s().plane.sessionsOpened).map(([source, n]) => [{ source }, n]));
    counter('appliance_login_failures_total', 'Failed logins', [], () => one(s().plane.loginFailures));
    counter('appliance_login_throttled_total', 'Login attempts refused by the rate limiter', [], () => one(s().plane.loginThrottled));
    counter('appliance_rpcs_total', 'RPCs answered, by operation', ['operation'], () => Object.entries(s().plane.rpcs).map(([operation, c]) => [{ operation }, c.count]));
    counter('appliance_rpc_errors_total', 'RPCs answered with an error, by operation', ['operation'],
      () => Object.entries(s().plane.rpcs).map(([operation, c]) => [{ operation }, c.errors]));
    gauge('appliance_subscriber_lag', 'Changes a subscriber has not acknowledged', ['subscriber'], () => s().plane.subscribers.map((x) => [{ subscriber: x.name }, x.lag]));
    gauge('appliance_subscriber_connected', 'Whether a subscriber is connected', ['subscriber'], () => s().plane.subscribers.map((x) => [{ subscriber: x.name }, x.connected ? 1 : 0]));
    gauge('appliance_audit_backlog', 'Audit records not yet on disk', [], () => one(s().plane.auditBacklog));
    gauge('appliance_database_bytes', 'Size of the configuration database', [], () => one(s().plane.databaseBytes));
    gauge('appliance_database_wal_bytes', 'Size of the configuration database write-ahead log', [], () => one(s().plane.walBytes));
    gauge('appliance_event_loop_delay_max_seconds', "Worst delay of the daemon's event loop in the last interval", [], () => one(s().plane.eventLoopDelayMs.max / 1000));
    gauge('appliance_alarms_active', 'Standing, unshelved alarms by severity', ['severity'],
      () => Object.entries(monitor.alarms.activeBySeverity()).map(([severity, n]) => [{ severity }, n]));
    this.host(gauge, counter, s);
    gauge('appliance_daemon_up', 'Whether a supervised daemon is running', ['daemon'], () => s().daemons.map((d) => [{ daemon: d.name }, d.status === 'running' ? 1 : 0]));
    counter('appliance_daemon_restarts_total', 'Restarts of a supervised daemon', ['daemon'], () => s().daemons.map((d) => [{ daemon: d.name }, d.restarts]));
    gauge('appliance_daemon_resident_memory_bytes', 'Resident memory of a supervised daemon', ['daemon'], () => s().daemons.map((d) => [{ daemon: d.name }, d.rssBytes]));
    gauge('appliance_daemon_cpu_ratio', 'CPU share of a supervised daemon over the last interval (1 is one core)', ['daemon'],
      () => s().daemons.map((d) => [{ daemon: d.name }, d.cpuPercent / 100]));
  }

  private host(
    gauge: (n: string, h: string, l: string[], v: () => Values) => void, counter: (n: string, h: string, l: string[], v: () => Values) => void, s: () => Sample,
  ): void {
    const h = () => s().host;
    gauge('appliance_host_cpu_ratio', 'Share of CPU time over the last interval, by core and mode', ['cpu', 'mode'], () => {
      const out: Array<[Labels, number]> = [];
      for (const c of [h().cpu, ...h().cores]) {
        for (const mode of ['user', 'system', 'iowait', 'steal', 'idle'] as const) out.push([{ cpu: c.name === 'cpu' ? 'all' : c.name, mode }, c[mode] / 100]);
      }
      return out;
    });
    gauge('appliance_host_memory_total_bytes', 'Host memory', [], () => [[{}, h().memory.totalBytes]]);
    gauge('appliance_host_memory_available_bytes', 'Host memory available to programs', [], () => [[{}, h().memory.availableBytes]]);
    gauge('appliance_host_swap_total_bytes', 'Host swap', [], () => [[{}, h().memory.swapTotalBytes]]);
    gauge('appliance_host_swap_free_bytes', 'Host swap free', [], () => [[{}, h().memory.swapFreeBytes]]);
    gauge('appliance_host_load', 'Load average, by window (1m, 5m, 15m)', ['window'], () => [[{ window: '1m' }, h().load[0]], [{ window: '5m' }, h().load[1]], [{ window: '15m' }, h().load[2]]]);
    gauge('appliance_host_uptime_seconds', 'Seconds since the host booted', [], () => [[{}, h().uptimeSeconds]]);
    gauge('appliance_host_filesystem_size_bytes', "Size of the data directory's filesystem", [], () => [[{}, h().disk.totalBytes]]);
    gauge('appliance_host_filesystem_avail_bytes', "Space left on the data directory's filesystem", [], () => [[{}, h().disk.availableBytes]]);
    counter('appliance_host_disk_read_bytes_total', "Bytes read from the data directory's disk", [], () => (h().disk.readBytes === null ? [] : [[{}, h().disk.readBytes!]]));
    counter('appliance_host_disk_written_bytes_total', "Bytes written to the data directory's disk", [], () => (h().disk.writeBytes === null ? [] : [[{}, h().disk.writeBytes!]]));
    const perIf = (name: string, help: string, pick: (i: Sample['host']['interfaces'][number]) => number, kind: 'gauge' | 'counter' = 'counter') =>
      (kind === 'gauge' ? gauge : counter)(name, help, ['device'], () => h().interfaces.map((i) => [{ device: i.name }, pick(i)]));
    perIf('appliance_host_network_receive_bytes_total', 'Bytes received', (i) => i.inOctets);
    perIf('appliance_host_network_transmit_bytes_total', 'Bytes sent', (i) => i.outOctets);
    perIf('appliance_host_network_receive_packets_total', 'Packets received', (i) => i.inPackets);
    perIf('appliance_host_network_transmit_packets_total', 'Packets sent', (i) => i.outPackets);
    perIf('appliance_host_network_receive_errs_total', 'Receive errors', (i) => i.inErrors);
    perIf('appliance_host_network_transmit_errs_total', 'Transmit errors', (i) => i.outErrors);
    perIf('appliance_host_network_receive_drop_total', 'Received packets dropped', (i) => i.inDrops);
    perIf('appliance_host_network_transmit_drop_total', 'Packets dropped before sending', (i) => i.outDrops);
    perIf('appliance_host_network_carrier_changes_total', 'Times the link went up or down', (i) => i.carrierChanges);
    perIf('appliance_host_network_up', 'Operational status (1 up)', (i) => (i.oper === 'up' ? 1 : 0), 'gauge');
  }

  /** The text exposition of every metric, from the monitor's latest sample. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.sample = this.monitor.latest();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** The route of `/metrics`: users who may read /system/monitoring. */
export function metricsRoute(endpoint: MetricsEndpoint): Route {
  return {
    method: 'GET', path: '/metrics', reads: '/system/monitoring',
    handle: async () => {
      const m = await endpoint.render();
      return { status: 200, contentType: m.contentType, body: m.body };
    },
  };
}
