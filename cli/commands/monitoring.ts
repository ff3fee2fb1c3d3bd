/**
 * @module cli/commands/monitoring
 * Operational commands of monitoring: `show version`, `show system uptime|alarms|statistics|
 * storage|processes|history`, `show interfaces [NAME] [terse|extensive]`, `show log
 * [messages|audit]`, `monitor interface NAME`, `request system alarm acknowledge|shelve`,
 * `clear interfaces statistics`. Each show command also answers `| display json` and
 * `| display xml` with the data it shows. Reads what the appliance sampled; never samples.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandSpec } from '../command-table.js';
import type { CommandContext } from '../context.js';
import type { Pipes } from '../pipes.js';
import { problem } from '../problem.js';
import { renderTable, shortTime } from '../render/table.js';
import { chart, chartWidth } from '../render/chart.js';

type Spec = CommandSpec<CommandContext>;

interface Iface {
  name: string; oper: string; carrierChanges: number; inOctets: number; outOctets: number; inPackets: number; outPackets: number;
  inErrors: number; outErrors: number; inDrops: number; outDrops: number; speedMbps: number | null;
  inOctetsRate: number; outOctetsRate: number; inPacketsRate: number; outPacketsRate: number;
}
interface Alarm { id: string; type: string; resource: string; severity: string; text: string; raised: string; changed: string; isCleared: boolean; acknowledged: { user: string; time: string } | null; shelved: boolean }
interface Snapshot {
  time: string;
  version: { software: string; schema: number };
  uptimeSeconds: number;
  sample: {
    host: {
      uptimeSeconds: number; cpu: { busy: number; user: number; system: number; iowait: number; steal: number; idle: number };
      memory: { totalBytes: number; availableBytes: number; swapTotalBytes: number; swapFreeBytes: number };
      load: [number, number, number];
      disk: { path: string; totalBytes: number; availableBytes: number; usedPercent: number };
      interfaces: Iface[];
    };
    plane: {
      commits: number; commitDuration: { count: number; sum: number }; commitFailures: Record<string, number>; confirmedReverts: number;
      sessions: Record<string, number>; sessionsOpened: Record<string, number>; loginFailures: number; loginThrottled: number;
      rpcs: Record<string, { count: number; errors: number }>; auditBacklog: number; databaseBytes: number; walBytes: number;
      eventLoopDelayMs: { max: number }; rssBytes: number;
    };
    daemons: Array<{ name: string; status: string; pid: number | null; restarts: number; lastExit: string; rssBytes: number; cpuPercent: number }>;
  };
  alarms: Alarm[];
}

const SHOW_PIPES = ['display', 'match', 'except', 'count', 'no-more'] as const;

/** `monitor interface` refreshes every two seconds, as Junos does. */
const REFRESH_MS = 2000;

/** Waits `ms`; false when `signal` was aborted first (Ctrl-C). */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

const snapshot = (cx: CommandContext) => cx.backend.request<Snapshot>('monitor.snapshot');

function duration(seconds: number): string {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return `${d > 0 ? `${d}d ` : ''}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** XML of plain data: objects become elements, arrays repeat their element. */
function toXml(name: string, v: unknown, indent = ''): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (Array.isArray(v)) return v.map((x) => toXml(name, x, indent)).join('');
  if (v !== null && typeof v === 'object') {
    const inner = Object.entries(v).map(([k, x]) => toXml(k, x, indent + '  ')).join('');
    return `${indent}<${name}>\n${inner}${indent}</${name}>\n`;
  }
  return v === null || v === undefined ? `${indent}<${name}/>\n` : `${indent}<${name}>${esc(String(v))}</${name}>\n`;
}

/** Prints `data` as JSON or XML when the pipes ask for it, else `text()`. */
function show(cx: CommandContext, pipes: Pipes, root: string, data: unknown, text: () => string): number {
  if (pipes.display === 'set') return cx.problem(problem('bad-argument', 'display set is for configuration; use display json or display xml'));
  if (pipes.display === 'json') cx.out(JSON.stringify({ [root]: data }, null, 2) + '\n');
  else if (pipes.display === 'xml') cx.out(toXml(root, data));
  else cx.out(text());
  return 0;
}

function withSnapshot(run: (cx: CommandContext, s: Snapshot, pipes: Pipes, args: import('../command-table.js').Args) => number): Spec['run'] {
  return async (cx, args, pipes) => {
    try {
      return run(cx, await snapshot(cx), pipes, args);
    } catch (e) {
      return cx.fail(e, { action: 'other' });
    }
  };
}

function alarmRows(alarms: readonly Alarm[]): string {
  const standing = alarms.filter((a) => !a.isCleared);
  if (standing.length === 0) return 'No alarms currently active\n';
  return `${standing.length} alarm${standing.length === 1 ? '' : 's'} currently active\n` + renderTable(['TIME', 'SEVERITY', 'TYPE', 'RESOURCE', 'FLAGS', 'DESCRIPTION'],
    standing.map((a) => [shortTime(a.raised), a.severity, a.type, a.resource, [a.acknowledged ? 'ack' : '', a.shelved ? 'shelved' : ''].filter(Boolean).join(',') || '-', a.text]));
}

function ifaceLines(i: Iface, mode: 'terse' | 'brief' | 'extensive'): string[] {
  if (mode === 'terse') return [];
  const lines = [
    `Physical interface: ${i.name}, ${i.oper === 'up' ? 'Up' : 'Down'}`,
    `  Speed: ${i.speedMbps === null ? 'unknown' : `${i.speedMbps} Mbps`}, carrier changes: ${i.carrierChanges}`,
    `  Input rate  : ${Math.round(i.inOctetsRate * 8)} bps (${Math.round(i.inPacketsRate)} pps)`,
    `  Output rate : ${Math.round(i.outOctetsRate * 8)} bps (${Math.round(i.outPacketsRate)} pps)`,
  ];
  if (mode === 'extensive') {
    lines.push(
      `  Input bytes  : ${i.inOctets}`, `  Output bytes : ${i.outOctets}`,
      `  Input packets: ${i.inPackets}`, `  Output packets: ${i.outPackets}`,
      `  Input errors: ${i.inErrors}, drops: ${i.inDrops}`, `  Output errors: ${i.outErrors}, drops: ${i.outDrops}`,
    );
  }
  return lines;
}

const RANGES: Record<string, number> = { '1h': 3600, '24h': 86400, '7d': 7 * 86400, '90d': 90 * 86400 };

export const MONITORING_COMMANDS: Spec[] = [
  {
    words: ['show', 'version'], help: 'Show the software version', pipes: [...SHOW_PIPES],
    run: withSnapshot((cx, s, pipes) => show(cx, pipes, 'version', s.version,
      () => `Software version: ${s.version.software}\nSchema version: ${s.version.schema}\n`)),
  },
  {
    words: ['show', 'system', 'uptime'], help: 'Show how long the appliance has been up', pipes: [...SHOW_PIPES],
    run: withSnapshot((cx, s, pipes) => {
      const data = { 'current-time': s.time, 'system-uptime-seconds': Math.floor(s.sample.host.uptimeSeconds), 'appliance-uptime-seconds': s.uptimeSeconds, 'load-average': s.sample.host.load };
      return show(cx, pipes, 'uptime', data, () => [
        `Current time: ${shortTime(s.time)}`, `System booted: ${duration(s.sample.host.uptimeSeconds)} ago`,
        `Appliance started: ${duration(s.uptimeSeconds)} ago`, `Load averages: ${s.sample.host.load.map((x) => x.toFixed(2)).join(', ')}`, '',
      ].join('\n'));
    }),
  },
  {
    words: ['show', 'system', 'alarms'], help: 'Show the active alarms', pipes: [...SHOW_PIPES],
    run: withSnapshot((cx, s, pipes) => show(cx, pipes, 'alarms', s.alarms.filter((a) => !a.isCleared), () => alarmRows(s.alarms))),
  },
  {
    words: ['show', 'system', 'statistics'], help: 'Show management-plane statistics', pipes: [...SHOW_PIPES],
    run: withSnapshot((cx, s, pipes) => {
      const p = s.sample.plane;
      const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
      return show(cx, pipes, 'statistics', p, () => [
        `Commits: ${p.commits} (${sum(p.commitFailures)} failed, ${p.confirmedReverts} confirmed-commit reverts)`,
        `Commit latency (mean): ${p.commitDuration.count ? ((p.commitDuration.sum / p.commitDuration.count) * 1000).toFixed(1) : '-'} ms`,
        `Sessions: ${Object.entries(p.sessions).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
        `Logins failed: ${p.loginFailures}, throttled: ${p.loginThrottled}`,
        `RPCs: ${Object.values(p.rpcs).reduce((a, r) => a + r.count, 0)} (${Object.values(p.rpcs).reduce((a, r) => a + r.errors, 0)} errors)`,
        `Audit backlog: ${p.auditBacklog}`, `Database: ${bytes(p.databaseBytes)} (WAL ${bytes(p.walBytes)})`,
        `Event loop delay (max): ${p.eventLoopDelayMs.max} ms`, `Memory (RSS): ${bytes(p.rssBytes)}`, '',
      ].join('\n'));
    }),
  },
  {
    words: ['show', 'system', 'storage'], help: "Show the data directory's filesystem", pipes: [...SHOW_PIPES],
    run: withSnapshot((cx, s, pipes) => {
      const d = s.sample.host.disk;
      return show(cx, pipes, 'storage', d, () => renderTable(['FILESYSTEM', 'SIZE', 'AVAILABLE', 'USED'],
        [[d.path, bytes(d.totalBytes), bytes(d.availableBytes), `${d.usedPercent}%`]]));
    }),
  },
  {
    words: ['show', 'system', 'processes'], help: 'Show the supervised daemons', pipes: [...SHOW_PIPES],
    run: withSnapshot((cx, s, pipes) => show(cx, pipes, 'processes', s.sample.daemons, () => (s.sample.daemons.length === 0 ? 'No supervised daemons\n'
      : renderTable(['NAME', 'STATE', 'PID', 'RESTARTS', 'RSS', 'CPU', 'LAST-EXIT'], s.sample.daemons.map((d) =>
        [d.name, d.status, d.pid === null ? '-' : String(d.pid), String(d.restarts), bytes(d.rssBytes), `${d.cpuPercent}%`, d.lastExit || '-']))))),
  },
  {
    words: ['show', 'system', 'history'], help: 'Show the history of a metric as a chart', pipes: ['display', 'no-more'],
    args: [
      { kind: 'text', name: 'metric', help: 'Metric (cpu-busy-percent, in-octets-per-second…)' },
      { kind: 'options', options: [
        { word: 'resource', help: 'The interface or daemon of the metric', value: { kind: 'text', name: 'resource', help: 'Resource' } },
        { word: 'last', help: 'How far back: 1h, 24h, 7d or 90d (default 1h)', value: { kind: 'text', name: 'range', help: '1h, 24h, 7d or 90d' } },
      ] },
    ],
    run: async (cx, args, pipes) => {
      const range = args.text('last') ?? '1h';
      const seconds = RANGES[range];
      if (seconds === undefined) return cx.problem(problem('bad-argument', `expected 1h, 24h, 7d or 90d, not '${range}'`));
      const metric = args.text('metric')!, resource = args.text('resource') ?? '';
      try {
        const h = await cx.backend.request<{ points: Array<{ t: number; min: number; avg: number; max: number }> }>('monitor.history',
          { metric, ...(resource ? { resource } : {}), seconds });
        return show(cx, pipes, 'history', h.points, () => chart(`${metric}${resource ? ` ${resource}` : ''}, last ${range}`, h.points, chartWidth(cx.columns)));
      } catch (e) {
        return cx.fail(e, { action: 'other' });
      }
    },
  },
  {
    words: ['show', 'interfaces'], help: 'Show the interfaces as the kernel reports them', pipes: [...SHOW_PIPES],
    args: [
      { kind: 'text', name: 'name', help: 'Interface name', optional: true },
      { kind: 'options', options: [{ word: 'terse', help: 'One line per interface' }, { word: 'extensive', help: 'Every counter' }] },
    ],
    run: withSnapshot((cx, s, pipes, args) => {
      // `show interfaces terse`: the word fills the optional name; it is the mode.
      const word = args.text('name');
      const name = word === 'terse' || word === 'extensive' ? undefined : word;
      const list = s.sample.host.interfaces.filter((i) => name === undefined || i.name === name);
      if (name !== undefined && list.length === 0) return cx.problem(problem('bad-argument', `no interface '${name}' on this host`));
      const mode = args.has('terse') || word === 'terse' ? 'terse' : args.has('extensive') || word === 'extensive' ? 'extensive' : 'brief';
      return show(cx, pipes, 'interfaces', list, () => (mode === 'terse'
        ? renderTable(['INTERFACE', 'LINK', 'IN-BYTES', 'OUT-BYTES', 'ERRORS', 'DROPS'], list.map((i) =>
          [i.name, i.oper, String(i.inOctets), String(i.outOctets), String(i.inErrors + i.outErrors), String(i.inDrops + i.outDrops)]))
        : list.map((i) => ifaceLines(i, mode).join('\n') + '\n').join('\n')));
    }),
  },
  {
    words: ['show', 'log'], help: 'Show the log: messages of the appliance, or the audit log', pipes: [...SHOW_PIPES],
    args: [{ kind: 'choice', name: 'which', optional: true, choices: [
      { word: 'messages', help: "The management daemon's recent messages" }, { word: 'audit', help: 'The audit log' },
    ] }],
    run: async (cx, args, pipes) => {
      try {
        if (args.text('which') === 'audit') {
          const records = await cx.backend.request<Array<{ seq: number; time: string; user: string; action: string; target: string; result: string }>>('audit.show', { limit: 100 });
          const rows = [...records].reverse();
          return show(cx, pipes, 'audit', rows, () => rows.map((r) => `${shortTime(r.time)} ${r.user} ${r.action} ${r.target || '-'} ${r.result}\n`).join(''));
        }
        const lines = await cx.backend.request<Array<{ time?: number; level?: number; msg?: string; part?: string }>>('log.show', { limit: 100 });
        const level = (n: number | undefined) => ({ 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' } as Record<number, string>)[n ?? 30] ?? 'info';
        return show(cx, pipes, 'messages', lines, () => lines.map((l) =>
          `${shortTime(new Date(l.time ?? 0).toISOString())} ${level(l.level)} ${l.part ?? 'appliance'}: ${l.msg ?? ''}\n`).join(''));
      } catch (e) {
        return cx.fail(e, { action: 'other' });
      }
    },
  },
  { words: ['monitor'], help: 'Watch something change, live' },
  {
    words: ['monitor', 'interface'], help: 'Refresh the traffic of an interface until interrupted',
    args: [
      { kind: 'text', name: 'name', help: 'Interface name' },
      { kind: 'options', options: [{ word: 'count', help: 'Stop after N refreshes', value: { kind: 'number', name: 'count', help: 'Refreshes' } }] },
    ],
    run: async (cx, args) => {
      const name = args.text('name')!;
      const count = args.number('count') ?? (cx.interactive ? 1000 : 1);
      for (let n = 0; n < count && !cx.state.ended && !cx.interrupted.aborted; n++) {
        if (n > 0 && !(await pause(REFRESH_MS, cx.interrupted))) break;
        let s: Snapshot;
        try { s = await snapshot(cx); } catch (e) { return cx.fail(e, { action: 'other' }); }
        const i = s.sample.host.interfaces.find((x) => x.name === name);
        if (!i) return cx.problem(problem('bad-argument', `no interface '${name}' on this host`));
        if (n > 0) cx.clearScreen();
        cx.out(`Interface: ${i.name}, ${i.oper}  (${shortTime(s.time)})\n${ifaceLines(i, 'extensive').slice(1).join('\n')}\n`);
      }
      return 0;
    },
  },
  { words: ['request', 'system', 'alarm'], help: 'Acknowledge or shelve alarms' },
  {
    words: ['request', 'system', 'alarm', 'acknowledge'], help: 'Acknowledge an alarm (by id), or all',
    args: [{ kind: 'text', name: 'id', help: "Alarm id (type:resource) or 'all'" }],
    run: async (cx, args) => {
      const id = args.text('id')!;
      try {
        const done = await cx.backend.request<Alarm[]>('monitor.alarm.acknowledge', id === 'all' ? { all: true } : { ids: [id] });
        cx.out(`${done.length} alarm${done.length === 1 ? '' : 's'} acknowledged\n`);
        return 0;
      } catch (e) {
        return cx.fail(e, { action: 'other' });
      }
    },
  },
  {
    words: ['request', 'system', 'alarm', 'shelve'], help: 'Shelve alarms by type and/or resource (or undo)',
    args: [{ kind: 'options', options: [
      { word: 'type', help: 'Alarm type', value: { kind: 'text', name: 'type', help: 'Alarm type (disk-usage, threshold…)' } },
      { word: 'resource', help: 'Resource', value: { kind: 'text', name: 'resource', help: 'Resource of the alarm' } },
      { word: 'undo', help: 'Remove the shelf' },
    ] }],
    run: async (cx, args) => {
      try {
        const p = { ...(args.text('type') ? { type: args.text('type') } : {}), ...(args.text('resource') ? { resource: args.text('resource') } : {}), ...(args.has('undo') ? { undo: true } : {}) };
        const changed = await cx.backend.request<Alarm[]>('monitor.alarm.shelve', p);
        cx.out(`${changed.length} alarm${changed.length === 1 ? '' : 's'} ${args.has('undo') ? 'unshelved' : 'shelved'}\n`);
        return 0;
      } catch (e) {
        return cx.fail(e, { action: 'other' });
      }
    },
  },
  { words: ['clear'], help: 'Clear statistics' },
  { words: ['clear', 'interfaces'], help: 'Clear interface statistics' },
  {
    words: ['clear', 'interfaces', 'statistics'], help: 'Start the counters shown from zero (all interfaces, or one)',
    args: [{ kind: 'text', name: 'name', help: 'Interface name', optional: true }],
    run: async (cx, args) => {
      try {
        const r = await cx.backend.request<{ cleared: string[] }>('monitor.clear-interfaces', args.text('name') ? { name: args.text('name') } : {});
        cx.out(`Statistics cleared: ${r.cleared.join(', ') || 'none'}\n`);
        return 0;
      } catch (e) {
        return cx.fail(e, { action: 'other' });
      }
    },
  },
];
