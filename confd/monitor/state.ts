/**
 * @module confd/monitor/state
 * Read-only state the appliance reports about itself (NETCONF `get`, the CLI's show
 * commands): the management daemon's version, uptime, commits, sessions and resources, and
 * each configured interface's operational status and counters as the kernel reports them.
 * Shaped like the configuration tree (state nodes of the schema), so it merges into it.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { isObject, type JsonObject } from '../core/tree.js';
import { Overlay, type DataView } from '../txn/datastore.js';
import type { ConfigEngine } from '../txn/engine.js';
import { childPath } from '../core/path.js';
import type { Monitor } from './monitor.js';

export interface StateContext {
  readonly engine: ConfigEngine;
  readonly softwareVersion: string;
  /** Where the kernel's network interfaces are described (for tests: a fake tree). */
  readonly sysClassNet?: string;
  /** Health of a supervised daemon, by name. */
  readonly daemonState?: (name: string) => JsonObject | undefined;
  /** The monitor of the running daemon: the latest sample and the alarms. */
  readonly monitor?: Monitor;
}

export function systemState(ctx: StateContext): JsonObject {
  const st = ctx.engine.status();
  const last = st.lastCommit;
  return {
    'software-version': ctx.softwareVersion,
    'schema-version': ctx.engine.schema.version,
    'uptime-seconds': Math.floor(st.uptimeMs / 1000),
    'commit-count': st.commits,
    ...(last ? { 'last-commit': { txid: last.txid, time: last.time, user: last.user, source: last.source, comment: last.comment } } : {}),
    sessions: st.sessions,
    'memory-rss-bytes': process.memoryUsage.rss(),
    'load-average': loadavg().map((x) => x.toFixed(2)).join(' '),
    'config-nodes': st.nodes,
    ...(ctx.monitor ? sampledSystem(ctx.monitor) : {}),
  };
}

function sampledSystem(m: Monitor): JsonObject {
  const { host } = m.latest();
  const active = m.alarms.activeBySeverity();
  return {
    'cpu-busy-percent': host.cpu.busy, 'memory-total-bytes': host.memory.totalBytes, 'memory-available-bytes': host.memory.availableBytes,
    'disk-used-percent': host.disk.usedPercent, 'disk-available-bytes': host.disk.availableBytes,
    'host-uptime-seconds': Math.floor(host.uptimeSeconds),
    'active-alarms': active.critical + active.major + active.minor + active.warning,
  };
}

/** An alarm as state data (/system/alarms/alarm). */
export function alarmState(a: ReturnType<Monitor['alarms']['list']>[number]): JsonObject {
  return {
    id: a.id, resource: a.resource, 'alarm-type': a.type, severity: a.severity, text: a.text,
    'time-raised': a.raised, 'last-changed': a.changed, ...(a.cleared ? { 'time-cleared': a.cleared } : {}), 'is-cleared': a.isCleared,
    ...(a.acknowledged ? { 'acknowledged-by': a.acknowledged.user, 'acknowledged-at': a.acknowledged.time } : {}), shelved: a.shelved,
  };
}

function readSys(base: string, name: string, file: string): string | undefined {
  try {
    return readFileSync(`${base}/${name}/${file}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** State of one interface from the kernel; not-present when the host has no such interface. */
export function interfaceState(ctx: StateContext, name: string): JsonObject {
  const sampled = ctx.monitor?.latest().host.interfaces.find((i) => i.name === name);
  if (sampled) {
    return {
      'oper-status': sampled.oper, 'in-octets': sampled.inOctets, 'out-octets': sampled.outOctets,
      'in-packets': sampled.inPackets, 'out-packets': sampled.outPackets, 'in-errors': sampled.inErrors, 'out-errors': sampled.outErrors,
      'in-discards': sampled.inDrops, 'out-discards': sampled.outDrops, 'carrier-changes': sampled.carrierChanges,
      'in-octets-per-second': sampled.inOctetsRate, 'out-octets-per-second': sampled.outOctetsRate,
    };
  }
  const base = ctx.sysClassNet ?? '/sys/class/net';
  // A name with a path separator can never be a kernel interface (and must not walk the tree).
  const oper = name.includes('/') || name.startsWith('.') ? undefined : readSys(base, name, 'operstate');
  if (oper === undefined) return { 'oper-status': 'not-present' };
  const counter = (file: string) => Number(readSys(base, name, `statistics/${file}`) ?? 0);
  return {
    'oper-status': oper === 'up' || oper === 'unknown' ? 'up' : 'down',
    'in-octets': counter('rx_bytes'),
    'out-octets': counter('tx_bytes'),
  };
}

/**
 * Running with its read-only state laid over it: the root body gains /system/state and every
 * interface entry its state. Costs O(interfaces); nothing is written anywhere.
 */
export function runningWithState(ctx: StateContext): DataView {
  const { engine } = ctx;
  const view = new Overlay(engine.running);
  const root = engine.running.get('/')!;
  const system = isObject(root.body.system) ? root.body.system : {};
  view.put({ ...root, body: { ...root.body, system: { ...system, state: systemState(ctx) } } });
  const interfaces = engine.schema.lists.get('/interfaces/interface');
  if (interfaces) {
    for (const e of engine.running.children('/', interfaces)) {
      view.put({ ...e, body: { ...e.body, state: interfaceState(ctx, String(e.body.name)) } });
    }
  }
  const daemons = engine.schema.lists.get('/system/daemons/daemon');
  if (daemons) {
    for (const e of engine.running.children('/', daemons)) {
      const state = ctx.daemonState?.(String(e.body.name)) ?? { status: e.body.enabled === false ? 'stopped' : 'not-installed' };
      const d = ctx.monitor?.latest().daemons.find((x) => x.name === e.body.name);
      view.put({ ...e, body: { ...e.body, state: d ? { ...state, 'rss-bytes': d.rssBytes, 'cpu-percent': d.cpuPercent } : state } });
    }
  }
  const alarms = engine.schema.lists.get('/system/alarms/alarm');
  if (alarms && ctx.monitor) {
    for (const a of ctx.monitor.alarms.list({ all: true })) {
      view.put({ path: childPath('/system/alarms', { name: 'alarm', keys: [['id', a.id]] }), parent: '/', list: alarms, body: alarmState(a), txid: 0 });
    }
  }
  return view;
}
