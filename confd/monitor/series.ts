/**
 * @module confd/monitor/series
 * One sample of the whole appliance, and the catalogue of its numeric series: the names
 * operators use in thresholds (`/system/monitoring/threshold NAME metric`) and in
 * `show system history METRIC`, each for a resource (an interface, a daemon, a core) or
 * for the appliance as a whole. Only the series marked for history are kept on disk. Pure.
 */
import type { DaemonSample } from './daemon-sampler.js';
import type { HostSample } from './host-sampler.js';
import type { PlaneSample } from './plane.js';

export interface Sample {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly host: HostSample;
  readonly plane: PlaneSample;
  readonly daemons: readonly DaemonSample[];
}

export interface Point { readonly metric: string; readonly resource: string; readonly value: number; readonly history: boolean }

export interface MetricInfo { readonly help: string; readonly unit: string; readonly per?: 'interface' | 'daemon' | 'core' | 'subscriber'; readonly history: boolean }

/** Every metric an operator can name, with its help text (docs/monitoring.md lists the same). */
export const METRICS: Readonly<Record<string, MetricInfo>> = {
  'cpu-busy-percent': { help: 'CPU busy (not idle or waiting for I/O), all cores', unit: '%', history: true },
  'cpu-user-percent': { help: 'CPU time in user space', unit: '%', history: true },
  'cpu-system-percent': { help: 'CPU time in the kernel (interrupts included)', unit: '%', history: true },
  'cpu-iowait-percent': { help: 'CPU time idle while waiting for I/O', unit: '%', history: true },
  'cpu-steal-percent': { help: 'CPU time taken by the hypervisor', unit: '%', history: true },
  'cpu-core-busy-percent': { help: 'CPU busy, one core', unit: '%', per: 'core', history: false },
  'memory-available-bytes': { help: 'Memory available to programs without swapping', unit: 'bytes', history: true },
  'memory-available-percent': { help: 'Memory available, as a share of the total', unit: '%', history: true },
  'swap-used-bytes': { help: 'Swap in use', unit: 'bytes', history: true },
  'load-1': { help: 'Load average over 1 minute', unit: '', history: true },
  'load-5': { help: 'Load average over 5 minutes', unit: '', history: false },
  'load-15': { help: 'Load average over 15 minutes', unit: '', history: false },
  'disk-used-percent': { help: "Usage of the data directory's filesystem", unit: '%', history: true },
  'disk-available-bytes': { help: "Space left on the data directory's filesystem", unit: 'bytes', history: false },
  'disk-read-bytes-per-second': { help: "Reads from the data directory's disk", unit: 'B/s', history: true },
  'disk-write-bytes-per-second': { help: "Writes to the data directory's disk", unit: 'B/s', history: true },
  'in-octets-per-second': { help: 'Bytes received per second', unit: 'B/s', per: 'interface', history: true },
  'out-octets-per-second': { help: 'Bytes sent per second', unit: 'B/s', per: 'interface', history: true },
  'in-packets-per-second': { help: 'Packets received per second', unit: 'pps', per: 'interface', history: false },
  'out-packets-per-second': { help: 'Packets sent per second', unit: 'pps', per: 'interface', history: false },
  'errors-per-second': { help: 'Receive and transmit errors per second', unit: '/s', per: 'interface', history: true },
  'drops-per-second': { help: 'Packets dropped per second, both directions', unit: '/s', per: 'interface', history: true },
  'in-errors': { help: 'Receive errors since boot (or the last clear)', unit: '', per: 'interface', history: false },
  'out-errors': { help: 'Transmit errors since boot (or the last clear)', unit: '', per: 'interface', history: false },
  'in-drops': { help: 'Received packets dropped', unit: '', per: 'interface', history: false },
  'out-drops': { help: 'Packets dropped before sending', unit: '', per: 'interface', history: false },
  'carrier-changes': { help: 'Times the link went up or down', unit: '', per: 'interface', history: false },
  'oper-up': { help: 'Operational status: 1 up, 0 down', unit: '', per: 'interface', history: true },
  'commits': { help: 'Commits made', unit: '', history: true },
  'commit-latency-ms': { help: 'Mean latency of the commits made in the interval, prepare to durable (none: no point)', unit: 'ms', history: true },
  'commit-failures': { help: 'Commits refused (validation, veto, I/O)', unit: '', history: false },
  'sessions': { help: 'Open management sessions', unit: '', history: true },
  'login-failures': { help: 'Failed logins since start', unit: '', history: false },
  'event-loop-delay-ms': { help: "Worst delay of the management daemon's event loop in the interval", unit: 'ms', history: true },
  'rss-bytes': { help: 'Resident memory of the management daemon', unit: 'bytes', history: true },
  'heap-used-bytes': { help: 'JavaScript heap in use by the management daemon', unit: 'bytes', history: false },
  'database-bytes': { help: 'Size of the configuration database', unit: 'bytes', history: true },
  'wal-bytes': { help: 'Size of the configuration database write-ahead log', unit: 'bytes', history: false },
  'audit-backlog': { help: 'Audit records not yet on disk', unit: '', history: false },
  'subscriber-lag': { help: 'Changes a subscriber has not acknowledged', unit: '', per: 'subscriber', history: false },
  'daemon-rss-bytes': { help: 'Resident memory of a supervised daemon', unit: 'bytes', per: 'daemon', history: true },
  'daemon-cpu-percent': { help: 'CPU share of a supervised daemon (of one core)', unit: '%', per: 'daemon', history: true },
  'daemon-restarts': { help: 'Times a supervised daemon was restarted', unit: '', per: 'daemon', history: false },
};

/** Every numeric series of a sample. */
export function pointsOf(s: Sample): Point[] {
  const out: Point[] = [];
  const add = (metric: string, value: number, resource = '') => {
    const info = METRICS[metric];
    if (info && Number.isFinite(value)) out.push({ metric, resource, value, history: info.history });
  };
  const { host, plane } = s;
  add('cpu-busy-percent', host.cpu.busy);
  add('cpu-user-percent', host.cpu.user);
  add('cpu-system-percent', host.cpu.system);
  add('cpu-iowait-percent', host.cpu.iowait);
  add('cpu-steal-percent', host.cpu.steal);
  for (const c of host.cores) add('cpu-core-busy-percent', c.busy, c.name);
  const mem = host.memory;
  add('memory-available-bytes', mem.availableBytes);
  add('memory-available-percent', mem.totalBytes > 0 ? Math.round((mem.availableBytes / mem.totalBytes) * 1000) / 10 : 0);
  add('swap-used-bytes', mem.swapTotalBytes - mem.swapFreeBytes);
  add('load-1', host.load[0]);
  add('load-5', host.load[1]);
  add('load-15', host.load[2]);
  add('disk-used-percent', host.disk.usedPercent);
  add('disk-available-bytes', host.disk.availableBytes);
  add('disk-read-bytes-per-second', host.disk.readRate);
  add('disk-write-bytes-per-second', host.disk.writeRate);
  for (const i of host.interfaces) {
    add('in-octets-per-second', i.inOctetsRate, i.name);
    add('out-octets-per-second', i.outOctetsRate, i.name);
    add('in-packets-per-second', i.inPacketsRate, i.name);
    add('out-packets-per-second', i.outPacketsRate, i.name);
    add('errors-per-second', i.errorsRate, i.name);
    add('drops-per-second', i.dropsRate, i.name);
    add('in-errors', i.inErrors, i.name);
    add('out-errors', i.outErrors, i.name);
    add('in-drops', i.inDrops, i.name);
    add('out-drops', i.outDrops, i.name);
    add('carrier-changes', i.carrierChanges, i.name);
    add('oper-up', i.oper === 'up' ? 1 : 0, i.name);
  }
  add('commits', plane.commits);
  if (plane.commitLatencyMs !== null) add('commit-latency-ms', plane.commitLatencyMs);
  add('commit-failures', Object.values(plane.commitFailures).reduce((a, b) => a + b, 0));
  add('sessions', Object.values(plane.sessions).reduce((a, b) => a + b, 0));
  add('login-failures', plane.loginFailures);
  add('event-loop-delay-ms', plane.eventLoopDelayMs.max);
  add('rss-bytes', plane.rssBytes);
  add('heap-used-bytes', plane.heapUsedBytes);
  add('database-bytes', plane.databaseBytes);
  add('wal-bytes', plane.walBytes);
  add('audit-backlog', plane.auditBacklog);
  for (const sub of plane.subscribers) add('subscriber-lag', sub.lag, sub.name);
  for (const d of s.daemons) {
    add('daemon-rss-bytes', d.rssBytes, d.name);
    add('daemon-cpu-percent', d.cpuPercent, d.name);
    add('daemon-restarts', d.restarts, d.name);
  }
  return out;
}

/** `metric` or `metric{resource}`: how a series is named on disk and in messages. */
export function seriesKey(metric: string, resource: string): string {
  return resource ? `${metric}{${resource}}` : metric;
}
