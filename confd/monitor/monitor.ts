/**
 * @module confd/monitor/monitor
 * The monitoring subsystem of one daemon: samples the host, the management plane and the
 * daemons every /system/monitoring/interval-seconds, keeps the history, evaluates the alarm
 * thresholds, and tells its listeners of every alarm change (each raise, clear, acknowledgement
 * and shelving is audited and logged here; the daemon delivers them to NETCONF, the CLI and the
 * change bus). Reads the engine; never writes the configuration database per sample. Its
 * stable face for other parts is MonitorApi (confd/monitor/api).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { JsonObject } from '../core/tree.js';
import { MetricsDb } from '../store/metrics-db.js';
import { systemClock, type Clock, type TimerHandle } from '../txn/clock.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { Actor } from '../txn/session.js';
import { AlarmList, type Alarm, type AlarmEvent } from './alarms.js';
import { baselineOf, type Baseline, type MonitorApi, type MonitorSnapshot } from './api.js';
import { DaemonSampler } from './daemon-sampler.js';
import { HostSampler, type HostSources } from './host-sampler.js';
import { MetricsHistory, type HistoryPoint, type Level } from './history.js';
import { PlaneCounters, type SubscriberLag } from './plane.js';
import { pointsOf, seriesKey, type Sample } from './series.js';
import { settingsOf, ThresholdEvaluator, type MonitoringSettings, type ReportedConditions } from './thresholds.js';

export interface MonitorOptions {
  readonly engine: ConfigEngine;
  /** The monitoring file (history and alarms). */
  readonly file: string;
  /** The data directory (its filesystem is measured) and the configuration database (its size). */
  readonly dataDir: string;
  readonly databaseFile: string;
  readonly log: Logger;
  /** Roots of /proc, /sys/class/net and /run (fake trees in tests). */
  readonly sources?: Partial<Omit<HostSources, 'dataDir'>>;
  readonly clock?: Clock;
  readonly daemons?: () => readonly ({ name: string } & JsonObject)[];
  readonly subscribers?: () => readonly SubscriberLag[];
  readonly conditions?: ReportedConditions;
}

export type AlarmListener = (e: AlarmEvent) => void;

export class Monitor implements MonitorApi {
  readonly alarms: AlarmList;
  readonly history: MetricsHistory;
  readonly counters: PlaneCounters;
  private readonly db: MetricsDb;
  private readonly host: HostSampler;
  private readonly daemonSampler: DaemonSampler;
  private readonly evaluator: ThresholdEvaluator;
  private readonly clock: Clock;
  private readonly listeners = new Set<AlarmListener>();
  private timer: TimerHandle | null = null;
  private last: Sample | null = null;
  private closed = false;
  /** Who the next alarm events are audited as (an operator acknowledging), else the system. */
  private actor: Actor | null = null;

  constructor(private readonly o: MonitorOptions) {
    this.clock = o.clock ?? systemClock;
    this.db = new MetricsDb(o.file);
    if (this.db.setAside) o.log.warn({ file: o.file, setAside: this.db.setAside }, 'the monitoring file was unreadable; a new one was started');
    const now = () => this.clock.now();
    this.alarms = new AlarmList(this.db, now, (e) => this.delivered(e));
    this.history = new MetricsHistory(this.db);
    this.counters = new PlaneCounters({ engine: o.engine, databaseFile: o.databaseFile, ...(o.subscribers ? { subscribers: o.subscribers } : {}) }, now);
    const proc = o.sources?.proc ?? '/proc';
    this.host = new HostSampler({ proc, sysClassNet: o.sources?.sysClassNet ?? '/sys/class/net', dataDir: o.dataDir, ...(o.sources?.run ? { run: o.sources.run } : {}) });
    this.daemonSampler = new DaemonSampler(o.daemons ?? (() => []), proc);
    this.evaluator = new ThresholdEvaluator(this.alarms, o.conditions);
  }

  /** Takes a first sample and then one every interval-seconds (re-read from the configuration each time). */
  start(): void {
    this.tick();
  }

  private tick(): void {
    if (this.closed) return;
    try {
      this.sampleNow();
    } catch (e) {
      this.o.log.error({ err: e }, 'sampling failed');
    }
    this.timer = this.clock.setTimer(this.settings().intervalSeconds * 1000, () => this.tick());
  }

  settings(): MonitoringSettings {
    const { engine } = this.o;
    // Thresholds are list entries, stored apart from the root body.
    const list = engine.schema.lists.get('/system/monitoring/threshold');
    const thresholds = list ? engine.running.children('/', list).map((e) => e.body) : [];
    return settingsOf(engine.running.get('/')?.body, thresholds);
  }

  /** Samples everything now, records the history and evaluates the thresholds. */
  sampleNow(): Sample {
    const time = this.clock.now();
    const sample: Sample = {
      time, host: this.host.sample(time), plane: this.counters.sample(), daemons: this.daemonSampler.sample(time),
    };
    const points = pointsOf(sample);
    const kept = new Map<string, number>();
    for (const p of points) if (p.history) kept.set(seriesKey(p.metric, p.resource), p.value);
    this.history.record(time, kept);
    this.evaluator.evaluate(sample, points, this.settings(), this.o.dataDir);
    this.last = sample;
    return sample;
  }

  latest(): Sample {
    return this.last ?? this.sampleNow();
  }

  onAlarm(fn: AlarmListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private delivered(e: AlarmEvent): void {
    const a = e.alarm;
    const action = `alarm-${e.kind}`;
    this.o.engine.auditBestEffort(this.actor ?? this.o.engine.systemSession, action, a.id, 'ok', { severity: a.severity, text: a.text });
    const level = e.kind === 'raised' && (a.severity === 'critical' || a.severity === 'major') ? 'warn' : 'info';
    this.o.log[level]({ alarm: a.id, severity: a.severity, event: e.kind, ...(e.user ? { user: e.user } : {}) }, `alarm ${e.kind}: ${a.text}`);
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch (err) {
        this.o.log.error({ err }, 'delivering an alarm failed');
      }
    }
  }

  /** Runs an operator's alarm action, audited as that operator. */
  private as<T>(actor: Actor, fn: () => T): T {
    this.actor = actor;
    try {
      return fn();
    } finally {
      this.actor = null;
    }
  }

  acknowledge(ids: readonly string[] | 'all', actor: Actor): Alarm[] {
    return this.as(actor, () => this.alarms.acknowledge(ids, actor.user));
  }

  shelve(match: { type?: string; resource?: string }, actor: Actor, undo = false): Alarm[] {
    return this.as(actor, () => (undo ? this.alarms.unshelve(match, actor.user) : this.alarms.shelve(match, actor.user)));
  }

  clearInterfaceCounters(name?: string): string[] {
    return this.host.clearCounters(name);
  }

  /** A series' history over the last `rangeMs`. */
  historyOf(metric: string, resource: string, rangeMs: number): { level: Level; points: HistoryPoint[] } {
    const now = this.clock.now();
    return this.history.query(seriesKey(metric, resource), now - rangeMs, now);
  }

  snapshot(): MonitorSnapshot {
    const s = this.latest();
    return { time: new Date(s.time).toISOString(), sample: s, alarms: this.alarms.list(), activeAlarms: this.alarms.activeBySeverity() };
  }

  baseline(): Baseline {
    return baselineOf(this.snapshot());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    this.counters.close();
    this.history.flush();
    this.db.close();
  }
}

/** The monitoring file of a data directory. */
export function monitorFile(dataDir: string): string {
  return join(dataDir, 'monitor.db');
}
