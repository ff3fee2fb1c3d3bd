// @ts-check
/**
 * The status page's charts: one uPlot per chart (vendored from npm as /ui/uplot.js, the
 * global `uPlot`), sized to its box and redrawn with each answer of /ui/api/charts.
 */

/** @typedef {{ t: number[], avg: number[], max: number[] }} Series */

const COLORS = ['#1f6feb', '#d9480f', '#2b8a3e'];

/** @type {Record<string, { id: string, series: Array<{ key: string, label: string }>, range?: [number, number] }>} */
const CHARTS = {
  cpu: { id: 'chart-cpu', series: [{ key: 'cpu', label: 'busy %' }], range: [0, 100] },
  memory: { id: 'chart-memory', series: [{ key: 'memory', label: 'available %' }], range: [0, 100] },
  disk: { id: 'chart-disk', series: [{ key: 'disk', label: 'used %' }], range: [0, 100] },
  net: { id: 'chart-net', series: [{ key: 'rx', label: 'received' }, { key: 'tx', label: 'sent' }] },
  commit: { id: 'chart-commit', series: [{ key: 'commit', label: 'latency ms' }] },
};

/**
 * Joins series sampled at possibly different times onto one time axis (null where one has no point).
 * @param {Series[]} list
 * @returns {Array<Array<number | null>>}
 */
export function align(list) {
  const times = [...new Set(list.flatMap((s) => s.t))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = list.map((s) => {
    /** @type {Array<number | null>} */
    const col = new Array(times.length).fill(null);
    s.t.forEach((t, i) => { col[/** @type {number} */ (index.get(t))] = s.avg[i] ?? null; });
    return col;
  });
  return [times, ...columns];
}

export class Charts {
  constructor() {
    /** @type {Map<string, any>} */
    this.plots = new Map();
    this.observer = new ResizeObserver(() => this.resize());
    /** @type {[number, number]} the time axis: the whole range asked for, however few points there are */
    this.window = [0, 1];
  }

  /** @param {Element} el */
  width(el) {
    return Math.max(240, Math.floor(el.getBoundingClientRect().width));
  }

  /** @param {{ from: number, to: number, series: Record<string, Series> }} data */
  update(data) {
    this.window = [data.from, data.to];
    // @ts-ignore -- the global of the vendored uPlot script
    const U = window.uPlot;
    if (typeof U !== 'function') throw new Error('the chart library did not load');
    for (const [name, chart] of Object.entries(CHARTS)) {
      const el = document.getElementById(chart.id);
      if (!el) continue;
      const columns = align(chart.series.map((s) => data.series[s.key] ?? { t: [], avg: [], max: [] }));
      let plot = this.plots.get(name);
      if (!plot) {
        const range = chart.range;
        plot = new U({
          width: this.width(el), height: 200,
          scales: { x: { time: true, range: () => this.window }, y: range ? { range: () => range } : { auto: true, range: (/** @type {any} */ _u, /** @type {number} */ min, /** @type {number} */ max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
          series: [{}, ...chart.series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false, points: { size: 4 } }))],
          axes: [{}, { size: 60 }],
          legend: { live: true },
        }, columns, el);
        this.plots.set(name, plot);
        this.observer.observe(el);
      } else {
        plot.setData(columns);
      }
    }
  }

  resize() {
    for (const [name, plot] of this.plots) {
      const el = document.getElementById(CHARTS[name]?.id ?? '');
      if (el) {
        const w = this.width(el);
        if (w !== plot.width) plot.setSize({ width: w, height: 200 });
      }
    }
  }
}
