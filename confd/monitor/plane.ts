/**
 * @module confd/monitor/plane
 * The management plane measured: commits (count, latency histogram, failures by reason,
 * confirmed-commit reverts), sessions (current by source, opened, refused), RPCs by operation
 * with errors, login failures and throttled attempts, subscriber lag, the audit backlog, the
 * database and WAL sizes, and the daemon's event-loop delay and memory. Counts are kept in
 * memory from the engine's audit records and commit events (nothing is written per event).
 */
import { statSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { AuditInput } from '../store/audit-chain.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { CommitEvent, Participant } from '../txn/participant.js';

/** Upper bounds of the commit latency buckets, in seconds (Prometheus-style, cumulative). */
export const COMMIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface Histogram { readonly buckets: readonly number[]; readonly counts: readonly number[]; readonly sum: number; readonly count: number }

export interface SubscriberLag { readonly name: string; readonly lag: number; readonly connected: boolean; readonly mandatory: boolean }

export interface PlaneSample {
  readonly uptimeSeconds: number;
  readonly commits: number;
  readonly commitDuration: Histogram;
  /** Mean latency of the commits made since the previous sample, in ms (null: none was made). */
  readonly commitLatencyMs: number | null;
  readonly commitFailures: Readonly<Record<string, number>>;
  readonly confirmedReverts: number;
  readonly confirmedPending: boolean;
  readonly sessions: Readonly<Record<string, number>>;
  readonly sessionsOpened: Readonly<Record<string, number>>;
  readonly sessionsRefused: number;
  readonly loginFailures: number;
  readonly loginThrottled: number;
  readonly rpcs: Readonly<Record<string, { readonly count: number; readonly errors: number }>>;
  readonly subscribers: readonly SubscriberLag[];
  readonly auditBacklog: number;
  readonly databaseBytes: number;
  readonly walBytes: number;
  readonly eventLoopDelayMs: { readonly mean: number; readonly max: number; readonly p99: number };
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

/** Where the plane's other facts come from (the daemon wires them; tests give fakes). */
export interface PlaneSources {
  readonly engine: ConfigEngine;
  readonly databaseFile: string;
  readonly subscribers?: () => readonly SubscriberLag[];
}

const COMMIT_ACTIONS: ReadonlySet<string> = new Set(['commit', 'rollback', 'revert', 'restore', 'import', 'load']);

function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export class PlaneCounters implements Participant {
  readonly name = 'monitor';
  private readonly started = new Map<number, number>();
  private readonly durationCounts = COMMIT_BUCKETS.map(() => 0);
  private durationSum = 0;
  private durationCount = 0;
  /** Sum and count of durationSum/durationCount at the previous sample. */
  private sampled = { sum: 0, count: 0 };
  private readonly failures = new Map<string, number>();
  private reverts = 0;
  private readonly opened = new Map<string, number>();
  private refused = 0;
  private loginFailed = 0;
  private throttled = 0;
  private readonly rpcCounts = new Map<string, { count: number; errors: number }>();
  private readonly loop: IntervalHistogram;
  private readonly observer = (r: AuditInput) => this.audited(r);

  constructor(private readonly src: PlaneSources, private readonly now: () => number = Date.now) {
    this.loop = monitorEventLoopDelay({ resolution: 20 });
    this.loop.enable();
    src.engine.addParticipant(this);
    src.engine.auditObservers.push(this.observer);
  }

  close(): void {
    this.loop.disable();
    this.src.engine.removeParticipant(this);
    const i = this.src.engine.auditObservers.indexOf(this.observer);
    if (i >= 0) this.src.engine.auditObservers.splice(i, 1);
  }

  prepare(event: CommitEvent): Promise<void> {
    this.started.set(event.txid, this.now());
    return Promise.resolve();
  }

  abort(event: CommitEvent): void {
    this.started.delete(event.txid);
  }

  committed(event: CommitEvent): void {
    const t0 = this.started.get(event.txid);
    this.started.delete(event.txid);
    if (event.source === 'confirmed-revert') this.reverts++;
    if (t0 === undefined) return;
    this.observeCommit((this.now() - t0) / 1000);
  }

  /** Told of each commit's latency (the /metrics histogram). */
  onCommit: ((seconds: number) => void) | null = null;

  /** One commit's latency, in seconds. */
  observeCommit(seconds: number): void {
    this.onCommit?.(seconds);
    this.durationSum += seconds;
    this.durationCount++;
    COMMIT_BUCKETS.forEach((b, i) => { if (seconds <= b) this.durationCounts[i]!++; });
  }

  /** One RPC of a northbound protocol (NETCONF operation name, socket method). */
  rpc(operation: string, ok: boolean): void {
    const c = this.rpcCounts.get(operation) ?? { count: 0, errors: 0 };
    c.count++;
    if (!ok) c.errors++;
    this.rpcCounts.set(operation, c);
  }

  private audited(r: AuditInput): void {
    if (r.action === 'session-start' && r.result === 'ok') this.opened.set(r.source, (this.opened.get(r.source) ?? 0) + 1);
    else if (r.action === 'login-failed') this.loginFailed++;
    else if (r.action === 'login-rate-limited') this.throttled++;
    else if (r.action === 'session-start' || r.action === 'session-refused') this.refused++;
    if (COMMIT_ACTIONS.has(r.action) && r.result !== 'ok') {
      const reason = String(r.detail?.first ?? r.detail?.error ?? (r.result === 'denied' ? 'TXN_VETOED' : 'other'));
      this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
    }
  }

  sample(): PlaneSample {
    const { engine } = this.src;
    const st = engine.status();
    const sessions: Record<string, number> = {};
    for (const s of engine.listSessions()) sessions[s.source] = (sessions[s.source] ?? 0) + 1;
    const ns = (v: number) => (Number.isFinite(v) ? Math.round(v / 1e4) / 100 : 0);
    const loop = { mean: ns(this.loop.mean), max: ns(this.loop.max), p99: ns(this.loop.percentile(99)) };
    this.loop.reset();
    const mem = process.memoryUsage();
    const recent = this.durationCount - this.sampled.count;
    const commitLatencyMs = recent > 0 ? Math.round(((this.durationSum - this.sampled.sum) / recent) * 1e6) / 1000 : null;
    this.sampled = { sum: this.durationSum, count: this.durationCount };
    return {
      uptimeSeconds: Math.floor(st.uptimeMs / 1000),
      commits: st.commits,
      commitDuration: { buckets: COMMIT_BUCKETS, counts: [...this.durationCounts], sum: this.durationSum, count: this.durationCount },
      commitLatencyMs,
      commitFailures: Object.fromEntries(this.failures),
      confirmedReverts: this.reverts,
      confirmedPending: engine.pendingConfirmed() !== null,
      sessions, sessionsOpened: Object.fromEntries(this.opened), sessionsRefused: this.refused,
      loginFailures: this.loginFailed, loginThrottled: this.throttled,
      rpcs: Object.fromEntries([...this.rpcCounts].map(([k, v]) => [k, { ...v }])),
      subscribers: this.src.subscribers?.() ?? [],
      auditBacklog: engine.store.pendingAuditCount(),
      databaseBytes: size(this.src.databaseFile), walBytes: size(`${this.src.databaseFile}-wal`),
      eventLoopDelayMs: loop, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed,
    };
  }
}
