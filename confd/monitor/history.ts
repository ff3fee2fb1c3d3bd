/**
 * @module confd/monitor/history
 * The metrics history: every sample at full resolution for 6 hours, 1-minute roll-ups for
 * 7 days and 15-minute roll-ups for 90 days (min, avg and max per bucket). A sample is one
 * row whose values are a packed, compressed array in the order of a layout (the series it
 * holds); roll-ups are kept in memory until their bucket closes. Older rows are pruned as
 * buckets close, so the file stays bounded. Time comes from the samples (a simulated clock in
 * tests and benchmarks).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { MetricsDb } from '../store/metrics-db.js';

export interface Level { readonly level: number; readonly bucketMs: number; readonly keepMs: number }

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Level 0 is the samples themselves; bucketMs 0. */
export const LEVELS: readonly Level[] = [
  { level: 0, bucketMs: 0, keepMs: 6 * HOUR },
  { level: 1, bucketMs: 60_000, keepMs: 7 * DAY },
  { level: 2, bucketMs: 15 * 60_000, keepMs: 90 * DAY },
];

export interface HistoryPoint { readonly t: number; readonly min: number; readonly avg: number; readonly max: number }

interface Bucket { start: number; min: Float64Array; max: Float64Array; sum: Float64Array; n: Uint32Array; ids: Int32Array }

function pack(values: Float32Array): Buffer {
  return deflateRawSync(Buffer.from(values.buffer, values.byteOffset, values.byteLength), { level: 1 });
}

function unpack(data: Buffer): Float32Array {
  const raw = inflateRawSync(data);
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

export class MetricsHistory {
  private readonly seriesIds = new Map<string, number>();
  private readonly layoutIds = new Map<string, number>();
  private readonly layoutsById = new Map<number, Map<number, number>>();
  private readonly buckets: Array<Bucket | null> = LEVELS.map(() => null);

  constructor(private readonly db: MetricsDb) {
    for (const s of db.series()) this.seriesIds.set(s.key, s.id);
    for (const l of db.layouts()) this.remember(l.id, l.ids);
  }

  /** The series names kept, sorted. */
  keys(): string[] {
    return [...this.seriesIds.keys()].sort();
  }

  /** Records one sample's values (series key → value) at `time`. */
  record(time: number, values: ReadonlyMap<string, number>): void {
    const ids = new Int32Array(values.size);
    const data = new Float32Array(values.size);
    let i = 0;
    for (const [key, v] of values) {
      let id = this.seriesIds.get(key);
      if (id === undefined) { id = this.db.addSeries(key); this.seriesIds.set(key, id); }
      ids[i] = id;
      data[i++] = v;
    }
    this.db.putPoint(0, time, this.layoutOf(ids), pack(data));
    for (const lv of LEVELS) if (lv.bucketMs > 0) this.accumulate(lv, time, ids, data);
  }

  private accumulate(lv: Level, time: number, ids: Int32Array, data: Float32Array): void {
    const start = time - (time % lv.bucketMs);
    let b = this.buckets[lv.level];
    if (b && (b.start !== start || !sameIds(b.ids, ids))) {
      this.writeBucket(lv, b);
      if (b.start !== start) this.prune(time);
      b = null;
    }
    if (!b) {
      const n = ids.length;
      b = { start, ids, min: new Float64Array(n).fill(Infinity), max: new Float64Array(n).fill(-Infinity), sum: new Float64Array(n), n: new Uint32Array(n) };
      this.buckets[lv.level] = b;
    }
    for (let k = 0; k < data.length; k++) {
      const v = data[k]!;
      if (v < b.min[k]!) b.min[k] = v;
      if (v > b.max[k]!) b.max[k] = v;
      b.sum[k]! += v;
      b.n[k]!++;
    }
  }

  private writeBucket(lv: Level, b: Bucket): void {
    const out = new Float32Array(b.ids.length * 3);
    for (let k = 0; k < b.ids.length; k++) {
      const n = b.n[k]!;
      out[k * 3] = n ? b.min[k]! : NaN;
      out[k * 3 + 1] = n ? b.sum[k]! / n : NaN;
      out[k * 3 + 2] = n ? b.max[k]! : NaN;
    }
    this.db.putPoint(lv.level, b.start, this.layoutOf(b.ids), pack(out));
  }

  private prune(now: number): void {
    for (const lv of LEVELS) this.db.prune(lv.level, now - lv.keepMs);
  }

  /** Writes the buckets still open (on shutdown): a bucket that spans a restart keeps its later part. */
  flush(): void {
    for (const lv of LEVELS) {
      const b = this.buckets[lv.level];
      if (b) this.writeBucket(lv, b);
      this.buckets[lv.level] = null;
    }
  }

  /**
   * The points of one series from `from` to `to`, at the finest level that still covers `from`
   * (samples for the last 6 h, 1-minute buckets for 7 days, 15-minute buckets beyond).
   */
  query(key: string, from: number, to: number): { level: Level; points: HistoryPoint[] } {
    const span = to - from;
    const level = LEVELS.find((l) => l.keepMs >= span) ?? LEVELS[LEVELS.length - 1]!;
    const id = this.seriesIds.get(key);
    if (id === undefined) return { level, points: [] };
    const points: HistoryPoint[] = [];
    for (const row of this.db.points(level.level, from, to)) {
      const pos = this.layoutsById.get(row.layout)?.get(id);
      if (pos === undefined) continue;
      const v = unpack(row.data);
      if (level.level === 0) {
        const x = v[pos]!;
        points.push({ t: row.t, min: x, avg: x, max: x });
      } else if (!Number.isNaN(v[pos * 3]!)) {
        points.push({ t: row.t, min: v[pos * 3]!, avg: v[pos * 3 + 1]!, max: v[pos * 3 + 2]! });
      }
    }
    return { level, points };
  }

  private layoutOf(ids: Int32Array): number {
    const sig = ids.join(',');
    let id = this.layoutIds.get(sig);
    if (id === undefined) {
      id = this.db.addLayout(ids);
      this.remember(id, ids);
    }
    return id;
  }

  private remember(id: number, ids: Int32Array): void {
    this.layoutIds.set(ids.join(','), id);
    this.layoutsById.set(id, new Map([...ids].map((s, pos) => [s, pos])));
  }
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
