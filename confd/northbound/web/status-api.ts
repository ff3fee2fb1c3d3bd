/**
 * @module confd/northbound/web/status-api
 * What the status page shows, read through the socket protocol's method table with the web
 * session's confd session (so the same access checks and audit apply as for the CLI): the
 * overview (host name, versions, slots, uptime, alarms, sessions), the last commits and one
 * commit's diff, the charts' history over 1 h / 24 h / 7 d, and acknowledging alarms. Answers
 * are small JSON values shaped for the page; no configuration beyond the host name is read.
 */
import { ConfdError } from '../../core/errors.js';
import type { LeafChange } from '../../core/diff.js';
import type { JsonObject, JsonValue } from '../../core/tree.js';
import { isObject } from '../../core/tree.js';
import type { Alarm } from '../../monitor/alarms.js';
import type { HistoryPoint } from '../../monitor/history.js';
import type { Sample } from '../../monitor/series.js';
import type { Operations } from '../../rpc/operations.js';
import type { CommitHeader } from '../../store/store.js';
import { methodTable, type HostInfo } from '../socket/methods.js';
import type { WebSession } from './sessions.js';

export const RANGES: Readonly<Record<string, number>> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
/** Points per series at most: a chart is about a thousand pixels wide. */
export const MAX_POINTS = 720;

/** The charts and the series each draws (metric, and whether it is per interface). */
const CHART_SERIES: ReadonlyArray<{ name: string; metric: string; perInterface?: boolean }> = [
  { name: 'cpu', metric: 'cpu-busy-percent' },
  { name: 'memory', metric: 'memory-available-percent' },
  { name: 'disk', metric: 'disk-used-percent' },
  { name: 'rx', metric: 'in-octets-per-second', perInterface: true },
  { name: 'tx', metric: 'out-octets-per-second', perInterface: true },
  { name: 'commit', metric: 'commit-latency-ms' },
];

export interface StatusApiOptions {
  readonly ops: Operations;
  readonly host: HostInfo;
}

export class StatusApi {
  private readonly methods = methodTable();
  /** Names of the schema's sensitive leaves (password hashes): the page never shows their values, whoever asks. */
  private readonly secrets: ReadonlySet<string>;

  constructor(private readonly o: StatusApiOptions) {
    this.secrets = new Set([...o.ops.engine.schema.nodes.values()]
      .filter((n) => (n.kind === 'leaf' || n.kind === 'leaf-list') && n.sensitive).map((n) => n.schemaPath.slice(n.schemaPath.lastIndexOf('/') + 1)));
  }

  private call<T>(ws: WebSession, method: string, params: Record<string, unknown> = {}): Promise<T> {
    return Promise.resolve(this.methods.call({ ops: this.o.ops, session: ws.confd, host: this.o.host }, method, params) as T);
  }

  /** Whether the session's user may acknowledge alarms (the page shows the button only then). */
  canAcknowledge(ws: WebSession): boolean {
    return this.o.ops.accessFor(ws.confd).allowed('exec', '/operations/alarm-acknowledge');
  }

  role(ws: WebSession): string | null {
    return this.o.ops.accessFor(ws.confd).group;
  }

  async overview(ws: WebSession): Promise<JsonObject> {
    const snap = await this.call<{ sample: Sample; version: { software: string; schema: number }; uptimeSeconds: number; alarms: Alarm[] }>(ws, 'monitor.snapshot');
    const system = (await this.call<JsonObject>(ws, 'config.get', { path: '/system/hostname' })).system;
    const sessions = await this.call<JsonObject[]>(ws, 'sessions');
    return {
      hostname: isObject(system) && typeof system.hostname === 'string' ? system.hostname : '',
      version: snap.version, uptimeSeconds: snap.uptimeSeconds, hostUptimeSeconds: Math.floor(snap.sample.host.uptimeSeconds),
      time: new Date(snap.sample.time).toISOString(),
      software: await this.software(ws),
      alarms: snap.alarms.filter((a) => !a.isCleared).map((a) => ({
        id: a.id, type: a.type, resource: a.resource, severity: a.severity, text: a.text, raised: a.raised,
        acknowledged: a.acknowledged ? { ...a.acknowledged } : null, shelved: a.shelved,
      })),
      sessions,
      interfaces: snap.sample.host.interfaces.map((i) => i.name),
      canAcknowledge: this.canAcknowledge(ws),
    };
  }

  /** The boot loader's view of the slots, or why there is none (a daemon run without it). */
  private async software(ws: WebSession): Promise<JsonObject> {
    try {
      const st = await this.call<{ state: JsonObject; booted: string | null; job: JsonObject | null }>(ws, 'software.status');
      const job = st.job;
      return {
        available: true, booted: st.booted, state: st.state,
        job: job ? pick(job, ['kind', 'status', 'step', 'fromVersion', 'toVersion', 'started', 'finished', 'confirmDeadline', 'watchUntil', 'watch', 'reason']) : null,
      };
    } catch (e) {
      if (e instanceof ConfdError && (e.code === 'TXN_NOT_SUPPORTED' || e.code === 'ACCESS_DENIED')) return { available: false, reason: e.message };
      throw e;
    }
  }

  async commits(ws: WebSession, limit: number): Promise<JsonValue> {
    const history = await this.call<CommitHeader[]>(ws, 'history', { limit });
    return history.map((h) => ({ ...h }) as unknown as JsonObject);
  }

  /** What commit `txid` changed (leaves, old and new values; what the user may not read is left out). */
  async diff(ws: WebSession, txid: number): Promise<JsonValue> {
    const last = (await this.call<CommitHeader[]>(ws, 'history', { limit: 1 }))[0]?.txid ?? 0;
    if (txid < 1 || txid > last) throw new ConfdError('TXN_BAD_ARGUMENT', `there is no commit ${txid}`);
    const changes = await this.call<LeafChange[]>(ws, 'compare', { from: txid - 1, to: txid });
    const leaf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
    return changes.map((c) => {
      const out: JsonObject = { path: c.path, op: c.op };
      const secret = this.secrets.has(leaf(c.path));
      if (c.old !== undefined) out.old = secret ? HIDDEN : hideSecrets(c.old, this.secrets);
      if (c.new !== undefined) out.new = secret ? HIDDEN : hideSecrets(c.new, this.secrets);
      return out;
    });
  }

  /** Every chart's series over `range`, as parallel arrays (times in seconds, avg and max), at most MAX_POINTS each. */
  async charts(ws: WebSession, range: string, iface: string): Promise<JsonObject> {
    const ms = RANGES[range];
    if (ms === undefined) throw new ConfdError('TXN_BAD_ARGUMENT', `range is one of ${Object.keys(RANGES).join(', ')}`);
    const out: Record<string, JsonValue> = {};
    let bucketMs = 0;
    for (const s of CHART_SERIES) {
      if (s.perInterface && iface === '') { out[s.name] = { t: [], avg: [], max: [] }; continue; }
      const h = await this.call<{ level: { bucketMs: number }; points: HistoryPoint[] }>(ws, 'monitor.history',
        { metric: s.metric, seconds: ms / 1000, ...(s.perInterface ? { resource: iface } : {}) });
      bucketMs = h.level.bucketMs;
      out[s.name] = downsample(h.points, MAX_POINTS);
    }
    const to = Math.round(Date.now() / 1000);
    return { range, interface: iface, from: to - ms / 1000, to, bucketSeconds: bucketMs / 1000, series: out };
  }

  async acknowledge(ws: WebSession, ids: readonly string[]): Promise<JsonValue> {
    const acked = await this.call<Alarm[]>(ws, 'monitor.alarm.acknowledge', { ids: [...ids] });
    return { acknowledged: acked.map((a) => a.id) };
  }
}

const HIDDEN = '(hidden)';

/** `v` with the values of the named leaves (at any depth) replaced by HIDDEN. */
export function hideSecrets(v: JsonValue, names: ReadonlySet<string>): JsonValue {
  if (Array.isArray(v)) return v.map((x) => hideSecrets(x, names));
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) out[k] = names.has(k) ? HIDDEN : hideSecrets(x, names);
  return out;
}

function pick(o: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k]!;
  return out;
}

/** At most `max` points: consecutive points merged (mean of avg, max of max). */
export function downsample(points: readonly HistoryPoint[], max: number): { t: number[]; avg: number[]; max: number[] } {
  const per = Math.max(1, Math.ceil(points.length / max));
  const t: number[] = [], avg: number[] = [], mx: number[] = [];
  for (let i = 0; i < points.length; i += per) {
    const group = points.slice(i, i + per);
    t.push(Math.round(group[0]!.t / 1000));
    avg.push(round(group.reduce((a, p) => a + p.avg, 0) / group.length));
    mx.push(round(Math.max(...group.map((p) => p.max))));
  }
  return { t, avg, max: mx };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
