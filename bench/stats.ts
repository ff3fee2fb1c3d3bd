/**
 * @module bench/stats
 * Percentiles and timing helpers shared by the benchmarks.
 */
export interface Summary { n: number; p50_ms: number; p90_ms: number; p99_ms: number; mean_ms: number; min_ms: number; max_ms: number }

export function summarize(samplesMs: readonly number[]): Summary {
  const s = [...samplesMs].sort((a, b) => a - b);
  const pct = (p: number) => {
    if (s.length === 0) return NaN;
    const idx = (s.length - 1) * p;
    const lo = Math.floor(idx), hi = Math.ceil(idx);
    return s[lo]! + (s[hi]! - s[lo]!) * (idx - lo);
  };
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: s.length, p50_ms: round(pct(0.5)), p90_ms: round(pct(0.9)), p99_ms: round(pct(0.99)),
    mean_ms: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)), min_ms: round(s[0] ?? NaN), max_ms: round(s[s.length - 1] ?? NaN),
  };
}

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process of the machine (unlike performance.now()). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export async function timeIt(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = nowMs();
  await fn();
  return nowMs() - t;
}

export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}

/** One result line, as JSON on stdout. */
export function report(row: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(row) + '\n');
}
