/**
 * @module confd/monitor/thresholds
 * What raises and clears alarms after each sample: the built-in conditions (data-directory
 * disk usage, memory available below a floor, a supervised daemon down or crash-looping, a
 * mandatory subscriber away, a confirmed commit pending, and the conditions other parts
 * report: a slot under trial or a failed upgrade, remote syslog unreachable, the audit chain
 * failing verification) and the operator's thresholds from /system/monitoring/threshold,
 * with their hold time ("for D seconds") and clear value.
 */
import { isObject, type JsonObject } from '../core/tree.js';
import type { AlarmList, Severity } from './alarms.js';
import { seriesKey, type Point, type Sample } from './series.js';

export interface Threshold {
  readonly name: string;
  readonly metric: string;
  readonly resource?: string;
  readonly direction: 'above' | 'below';
  readonly value: number;
  readonly forSeconds: number;
  readonly clearValue?: number;
  readonly severity: Severity;
}

export interface MonitoringSettings {
  readonly intervalSeconds: number;
  readonly diskUsagePercent: number;
  readonly memoryAvailablePercent: number;
  readonly thresholds: readonly Threshold[];
}

export const DEFAULT_SETTINGS: MonitoringSettings = { intervalSeconds: 10, diskUsagePercent: 90, memoryAvailablePercent: 5, thresholds: [] };

/** The settings of /system/monitoring, from the running configuration's root body and its threshold entries. */
export function settingsOf(root: JsonObject | undefined, thresholdEntries: readonly JsonObject[] = []): MonitoringSettings {
  const system = root && isObject(root.system) ? root.system : {};
  const m = isObject(system.monitoring) ? system.monitoring : {};
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  const list = Array.isArray(m.threshold) ? m.threshold.filter(isObject) : thresholdEntries;
  return {
    intervalSeconds: num(m['interval-seconds'], DEFAULT_SETTINGS.intervalSeconds),
    diskUsagePercent: num(m['disk-usage-alarm-percent'], DEFAULT_SETTINGS.diskUsagePercent),
    memoryAvailablePercent: num(m['memory-available-alarm-percent'], DEFAULT_SETTINGS.memoryAvailablePercent),
    thresholds: list.map((t): Threshold => ({
      name: String(t.name), metric: String(t.metric), ...(typeof t.resource === 'string' ? { resource: t.resource } : {}),
      direction: t.direction === 'below' ? 'below' : 'above', value: num(t.value, 0), forSeconds: num(t['for-seconds'], 0),
      ...(typeof t['clear-value'] === 'number' ? { clearValue: t['clear-value'] } : {}),
      severity: (typeof t.severity === 'string' ? t.severity : 'minor') as Severity,
    })),
  };
}

/** Conditions other parts of the appliance know (the upgrade manager, the syslog and audit checks). */
export interface ReportedConditions {
  /** A slot booted on trial, or an upgrade that failed: the text, or null; null for both when not known yet (left as they are). */
  upgrade?(): { readonly trial: string | null; readonly failed: string | null } | null;
  /** Remote syslog collectors that cannot be reached. */
  syslogUnreachable?(): readonly string[];
  /** Why the audit chain fails verification, or null when it verifies. */
  auditChainFailure?(): string | null;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

export class ThresholdEvaluator {
  /** When each operator threshold's condition started to hold, by alarm resource. */
  private readonly holding = new Map<string, number>();

  constructor(private readonly alarms: AlarmList, private readonly conditions: ReportedConditions = {}) {}

  evaluate(sample: Sample, points: readonly Point[], settings: MonitoringSettings, dataDir: string): void {
    const { host, plane } = sample;
    const a = this.alarms;
    const disk = host.disk.usedPercent;
    if (host.disk.totalBytes > 0 && disk >= settings.diskUsagePercent) {
      a.raise('disk-usage', dataDir, disk >= 98 ? 'critical' : 'major',
        `data directory filesystem ${fmt(disk)}% full (alarm at ${settings.diskUsagePercent}%)`);
    } else a.clear('disk-usage', dataDir);

    const mem = host.memory;
    const availPct = mem.totalBytes > 0 ? (mem.availableBytes / mem.totalBytes) * 100 : 100;
    if (settings.memoryAvailablePercent > 0 && availPct < settings.memoryAvailablePercent) {
      a.raise('memory-low', 'memory', 'major', `memory available ${fmt(availPct)}% (alarm below ${settings.memoryAvailablePercent}%)`);
    } else a.clear('memory-low', 'memory');

    const down = new Set<string>(), looping = new Set<string>();
    for (const d of sample.daemons) {
      if (d.status === 'failed') {
        looping.add(d.name);
        a.raise('daemon-crash-looping', d.name, 'critical', `daemon ${d.name} keeps crashing (${d.restarts} restarts, last ${d.lastExit || 'exit'})`);
      } else if (d.status === 'backoff' || d.status === 'not-installed' || (d.status === 'stopped' && d.lastExit !== '')) {
        down.add(d.name);
        a.raise('daemon-down', d.name, 'major', `daemon ${d.name} is ${d.status}${d.lastExit ? ` (${d.lastExit})` : ''}`);
      }
    }
    a.clearAllBut('daemon-down', down);
    a.clearAllBut('daemon-crash-looping', looping);

    const away = new Set<string>();
    for (const s of plane.subscribers) {
      if (!s.mandatory || s.connected) continue;
      away.add(s.name);
      a.raise('subscriber-away', s.name, 'major', `mandatory subscriber ${s.name} is not connected: commits are refused`);
    }
    a.clearAllBut('subscriber-away', away);

    if (plane.confirmedPending) a.raise('confirmed-commit-pending', 'running', 'minor', 'a confirmed commit is pending: confirm it or it is rolled back');
    else a.clear('confirmed-commit-pending', 'running');

    this.reported();
    this.operator(points, settings.thresholds, sample.time);
  }

  private reported(): void {
    const a = this.alarms, c = this.conditions;
    const u = c.upgrade?.();
    if (u) {
      if (u.trial) a.raise('slot-under-trial', 'software', 'minor', u.trial); else a.clear('slot-under-trial', 'software');
      if (u.failed) a.raise('upgrade-failed', 'software', 'major', u.failed); else a.clear('upgrade-failed', 'software');
    }
    if (c.syslogUnreachable) {
      const hosts = new Set(c.syslogUnreachable());
      for (const h of hosts) a.raise('syslog-unreachable', h, 'minor', `remote syslog collector ${h} cannot be reached`);
      a.clearAllBut('syslog-unreachable', hosts);
    }
    if (c.auditChainFailure) {
      const why = c.auditChainFailure();
      if (why) a.raise('audit-chain-broken', 'audit', 'critical', why); else a.clear('audit-chain-broken', 'audit');
    }
  }

  private operator(points: readonly Point[], thresholds: readonly Threshold[], now: number): void {
    const standing = new Set<string>();
    for (const t of thresholds) {
      for (const p of points) {
        if (p.metric !== t.metric || (t.resource !== undefined && p.resource !== t.resource)) continue;
        const resource = `${t.name}:${seriesKey(p.metric, p.resource)}`;
        const id = `threshold:${resource}`;
        const raised = this.alarms.get(id)?.isCleared === false;
        const past = (v: number) => (t.direction === 'above' ? p.value > v : p.value < v);
        if (raised) {
          // Hysteresis: a raised alarm holds until the value is back past the clear value.
          if (past(t.clearValue ?? t.value)) standing.add(resource);
          continue;
        }
        if (!past(t.value)) { this.holding.delete(resource); continue; }
        const since = this.holding.get(resource) ?? now;
        this.holding.set(resource, since);
        if (now - since >= t.forSeconds * 1000) {
          standing.add(resource);
          this.alarms.raise('threshold', resource, t.severity,
            `${seriesKey(p.metric, p.resource)} ${fmt(p.value)} ${t.direction} ${fmt(t.value)}${t.forSeconds ? ` for ${t.forSeconds} s` : ''} (threshold ${t.name})`);
        }
      }
    }
    this.alarms.clearAllBut('threshold', standing);
  }
}
