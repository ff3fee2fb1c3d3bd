/**
 * @module cli/render/chart
 * A metric's history as a text chart: one column per point, or per time slot when there are
 * more points than `width` columns (averaged), eight block heights from min to max, with the
 * range and the scale. Pure.
 */
const BLOCKS = ' ▁▂▃▄▅▆▇█';

export interface ChartPoint { readonly t: number; readonly min: number; readonly avg: number; readonly max: number }

const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(2));

/** The columns left of the bars: the scale (8) and the axis (` │`). */
const MARGIN = 10;

/** Bars for a terminal `columns` wide: all of it but the margin and the last column (a full line would wrap). */
export function chartWidth(columns: number): number {
  return Math.max(10, columns - MARGIN - 1);
}

export function chart(title: string, points: readonly ChartPoint[], width: number): string {
  if (points.length === 0) return `${title}: no samples yet\n`;
  const slots = Math.max(1, Math.min(width, points.length));
  const t0 = points[0]!.t, t1 = points[points.length - 1]!.t;
  const sums = new Array<number>(slots).fill(0), counts = new Array<number>(slots).fill(0);
  for (const p of points) {
    const i = t1 === t0 ? 0 : Math.min(slots - 1, Math.floor(((p.t - t0) / (t1 - t0)) * slots));
    sums[i]! += p.avg;
    counts[i]!++;
  }
  // Fewer points than columns: one column each, in order; more: averaged into time slots (a gap shows no data).
  const values = points.length <= width ? points.map((p) => p.avg) : sums.map((s, i) => (counts[i] ? s / counts[i]! : NaN));
  const lo = Math.min(...points.map((p) => p.min)), hi = Math.max(...points.map((p) => p.max));
  const bar = values.map((v) => (Number.isNaN(v) ? ' ' : BLOCKS[hi === lo ? 4 : Math.max(1, Math.round(((v - lo) / (hi - lo)) * 8))]!)).join('');
  const iso = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  return `${title} (min ${fmt(lo)}, max ${fmt(hi)}, ${points.length} points)\n${fmt(hi).padStart(8)} ┤\n${''.padStart(MARGIN - 2)} │${bar}\n${fmt(lo).padStart(8)} ┤\n${''.padStart(10)}${iso(t0)} … ${iso(t1)} UTC\n`;
}
