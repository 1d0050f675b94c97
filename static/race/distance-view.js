// The strips in Distance mode: the focused car's laps overlaid against lap distance (speed
// and RPM) and the delta of its laps against a reference lap, drawn with uPlot. The laps
// and the delta are computed by race.js (delta.js); this only draws what it is given.

/* global uPlot */

const AXIS = {
  stroke: '#8b95a5',
  font: '11px "Liberation Sans", "DejaVu Sans", system-ui, sans-serif',
  grid: { stroke: 'rgba(255,255,255,0.07)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1, size: 4 },
};
const fmtInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const STRIPS = [
  { key: 'speed', channel: 'speed_kph', range: (u, lo, hi) => [0, Math.max(100, Math.ceil((hi ?? 0) / 50) * 50)], format: (v) => fmtInt.format(v) },
  { key: 'rpm', channel: 'rpm', range: (u, lo, hi) => [0, Math.max(1000, Math.ceil((hi ?? 0) / 1000) * 1000)], format: (v) => (v >= 1000 ? `${v / 1000}k` : fmtInt.format(v)) },
  {
    key: 'delta', channel: null,
    // Symmetric about zero, so gained and lost read the same way.
    range: (u, lo, hi) => {
      const m = Math.max(0.5, Math.abs(lo ?? 0), Math.abs(hi ?? 0));
      const r = Math.ceil(m * 2) / 2;
      return [-r, r];
    },
    format: (v) => `${v > 0 ? '+' : ''}${v.toFixed(1)}`,
  },
];

export class DistanceView {
  /** @param {HTMLElement} root  holds `[data-dplot=KEY]` for speed, rpm and delta */
  constructor(root) {
    this.root = root;
    this.plots = new Map();
    this.key = '';
    this.frames = 0;
    this.resizer = new ResizeObserver((entries) => {
      for (const e of entries) {
        const plot = this.plots.get(e.target.dataset.dplot);
        const { width, height } = e.contentRect;
        if (plot && width > 0 && height > 0) plot.setSize({ width: Math.floor(width), height: Math.floor(height) });
      }
    });
  }

  /**
   * Draws `laps` ({label, color, dash, speed_kph: [], rpm: []} on `grid`) and `deltas`
   * ({label, color, values: [] in s}); the plots are rebuilt when the set of series changes.
   */
  draw(grid, laps, deltas) {
    const key = JSON.stringify([laps.map((l) => [l.label, l.color, l.dash]), deltas.map((d) => [d.label, d.color])]);
    if (key !== this.key) this.rebuild(key, laps, deltas);
    const x = grid;
    for (const strip of STRIPS) {
      const cols = strip.channel ? laps.map((l) => l[strip.channel]) : deltas.map((d) => d.values);
      this.plots.get(strip.key).setData([x, ...cols]);
    }
    this.frames++;
  }

  rebuild(key, laps, deltas) {
    this.key = key;
    for (const [k, plot] of this.plots) {
      this.resizer.unobserve(plot.root.parentElement);
      plot.destroy();
      this.plots.delete(k);
    }
    STRIPS.forEach((strip, n) => {
      const el = this.root.querySelector(`[data-dplot="${strip.key}"]`);
      const list = strip.channel ? laps : deltas;
      const series = list.map((l) => ({
        label: l.label, stroke: l.color, width: l.width ?? 1.5, dash: l.dash ? [6, 4] : undefined, points: { show: false },
      }));
      const last = n === STRIPS.length - 1;
      const opts = {
        width: Math.max(100, el.clientWidth),
        height: Math.max(60, el.clientHeight),
        legend: { show: false },
        cursor: { sync: { key: 'trackside-distance' }, y: false, drag: { x: false, y: false }, points: { size: 5, width: 1 } },
        scales: { x: { time: false }, y: { range: strip.range } },
        axes: [
          last
            ? { ...AXIS, size: 24, space: 80, values: (u, splits) => splits.map((d) => `${fmtInt.format(d)} m`) }
            : { ...AXIS, size: 4, space: 80, ticks: { show: false }, values: (u, splits) => splits.map(() => '') },
          { ...AXIS, size: 58, values: (u, splits) => splits.map(strip.format) },
        ],
        series: [{}, ...series],
        hooks: strip.key === 'delta' ? { drawAxes: [zeroLine] } : {},
      };
      this.plots.set(strip.key, new uPlot(opts, [[], ...series.map(() => [])], el));
      this.resizer.observe(el);
    });
  }
}

/** The delta strip's zero: the reference lap itself. */
function zeroLine(u) {
  const y = u.valToPos(0, 'y', true);
  const { ctx, bbox } = u;
  ctx.save();
  ctx.strokeStyle = 'rgba(230,233,239,.35)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(bbox.left, y);
  ctx.lineTo(bbox.left + bbox.width, y);
  ctx.stroke();
  ctx.restore();
}
