// The distance strips: the focused car's laps overlaid against lap distance, one strip per
// `distance` panel of the workbench (any channels), each in its panel's body, and the delta
// of its laps against a reference lap (the `delta` panel), drawn with uPlot. The laps and the delta are computed by
// distance-panel.js (delta.js); this only draws what it is given.

/* global uPlot */

import { formatValue, labelOf, scaleOf, stripSeries, stripUnit, yRange } from '../strips/layout.js';
import { cursorPlugin } from '../cursors/cursors.js';

const AXIS = {
  stroke: '#8b95a5',
  font: '11px "Liberation Sans", "DejaVu Sans", system-ui, sans-serif',
  grid: { stroke: 'rgba(255,255,255,0.07)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1, size: 4 },
};
const fmtInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The delta strip: symmetric about zero, so gained and lost read the same way. */
const DELTA = {
  range: (u, lo, hi) => {
    const m = Math.max(0.5, Math.abs(lo ?? 0), Math.abs(hi ?? 0));
    const r = Math.ceil(m * 2) / 2;
    return [-r, r];
  },
  format: (v) => `${v > 0 ? '+' : ''}${v.toFixed(1)}`,
};

export class DistanceView {
  /**
   * @param {HTMLElement} root  the delta's box: its `[data-dplot="delta"]` strip stays, the distance strips are made here
   * @param {() => void} onCompare  "Compare with…" in a strip's head
   */
  constructor(root, onCompare = () => {}) {
    this.root = root;
    this.onCompare = onCompare;
    this.deltaBox = root.querySelector('[data-dplot="delta"]').closest('.strip');
    /** Per strip of the layout: its box, plot and series; the delta strip last. */
    this.plots = [];
    this.boxes = [];
    this.key = '';
    this.layoutKey = '';
    this.frames = 0;
    this.resizer = new ResizeObserver((entries) => {
      for (const e of entries) {
        const plot = this.plots.find((p) => p.el === e.target)?.plot;
        const { width, height } = e.contentRect;
        if (plot && width > 0 && height > 0) plot.setSize({ width: Math.floor(width), height: Math.floor(height) });
      }
    });
  }

  /**
   * Draws `laps` ({label, color, dash, width, values: {channel: [] on `grid`}}) in a strip per
   * strip of `strips` (layout.js), strip i in `bodies[i]`, and `deltas` ({label, color, values:
   * [] in s}); the plots are rebuilt when the strips or the set of series change.
   * `units(name)`: a channel's unit as the server said it, or null.
   */
  draw(strips, bodies, focus, grid, laps, deltas, units = null) {
    const layoutKey = JSON.stringify(strips);
    if (layoutKey !== this.layoutKey || bodies.some((b, i) => this.boxes[i]?.parentNode !== b)) this.makeBoxes(strips, layoutKey, units, bodies);
    const key = JSON.stringify([focus, laps.map((l) => [l.label, l.color, l.dash]), deltas.map((d) => [d.label, d.color])]);
    if (key !== this.key || this.plots.length === 0) this.rebuild(key, strips, focus, laps, deltas);
    for (const p of this.plots) {
      p.data = [grid, ...p.series.map((s) => (s.delta ? s.delta.values : s.lap.values[s.channel] ?? []))];
      p.plot.setData(p.data);
    }
    this.frames++;
  }

  /** A box per strip, in its panel's body. */
  makeBoxes(strips, layoutKey, units, bodies) {
    this.layoutKey = layoutKey;
    this.key = '';
    for (const box of this.boxes) box.remove();
    this.boxes = strips.map((s, i) => {
      const head = document.createElement('div');
      head.className = 'strip-head';
      const name = Object.assign(document.createElement('span'), { className: 'strip-name', textContent: labelOf(s), title: s.channels.join(', ') });
      const unit = Object.assign(document.createElement('span'), { className: 'strip-unit', textContent: `${stripUnit(s, units)} by lap distance`.trim() });
      const compare = Object.assign(document.createElement('button'), { type: 'button', className: 'compare-open', textContent: 'Compare with…', title: 'Pin a lap of any topic as a reference' });
      compare.dataset.testid = 'compare-open';
      compare.addEventListener('click', () => this.onCompare());
      head.append(name, unit, compare);
      const plot = Object.assign(document.createElement('div'), { className: 'strip-plot' });
      plot.dataset.dplot = `s${i}`;
      const box = Object.assign(document.createElement('div'), { className: 'strip' });
      box.append(head, plot);
      bodies[i]?.append(box);
      return box;
    });
  }

  rebuild(key, strips, focus, laps, deltas) {
    this.key = key;
    for (const p of this.plots) {
      this.resizer.unobserve(p.el);
      p.plot.destroy();
    }
    this.plots = [];
    const all = [...strips.map((s, i) => ({ s, el: this.boxes[i].querySelector('.strip-plot') })), { s: null, el: this.deltaBox.querySelector('.strip-plot') }];
    all.forEach(({ s, el }, n) => {
      const series = s ? lapSeries(s, focus, laps) : deltas.map((d) => ({ delta: d, label: d.label, color: d.color, width: 1.5 }));
      const scale = s ? scaleOf(s) : null;
      // The delta is a panel of its own: it and the last distance strip each carry the axis.
      const last = n >= all.length - 2;
      const opts = {
        width: Math.max(100, el.clientWidth),
        height: Math.max(40, el.clientHeight),
        legend: { show: false },
        cursor: { sync: { key: 'trackside-distance' }, y: false, drag: { x: false, y: false }, points: { size: 5, width: 1 } },
        scales: { x: { time: false }, y: { range: s ? (u, lo, hi) => yRange(scale, lo, hi) : DELTA.range } },
        axes: [
          last
            ? { ...AXIS, size: 24, space: 80, values: (u, splits) => splits.map((d) => `${fmtInt.format(d)} m`) }
            : { ...AXIS, size: 4, space: 80, ticks: { show: false }, values: (u, splits) => splits.map(() => '') },
          { ...AXIS, size: 58, space: 24, values: (u, splits) => splits.map(s ? (v) => formatValue(scale, v, true) : DELTA.format) },
        ],
        series: [{}, ...series.map((x) => ({
          label: x.label, channel: x.channel, lap: x.lap?.label, stroke: x.color, width: x.width ?? 1.5, dash: Array.isArray(x.dash) ? x.dash : x.dash ? [6, 4] : undefined, points: { show: false },
          paths: x.step ? uPlot.paths.stepped({ align: 1 }) : undefined,
        }))],
        plugins: [cursorPlugin('distance')], // the A/B cursors, in metres into the lap
        hooks: s ? {} : { drawAxes: [zeroLine] },
      };
      const data = [[], ...series.map(() => [])];
      this.plots.push({ plot: new uPlot(opts, data, el), el, series, data, strip: s });
      this.resizer.observe(el);
    });
  }

  /** What each strip of the layout draws, for the test hook: per series its lap, channel and last value. */
  describe() {
    return this.plots.filter((p) => p.strip).map((p) => ({
      channels: [...p.strip.channels],
      series: p.series.map((x, k) => ({ lap: x.lap.label, channel: x.channel, last: lastValue(p.data[1 + k] ?? []) })),
    }));
  }
}

/**
 * A layout strip's lines: each lap in its colour when the strip has one channel; with
 * several, each channel in its colour (layout.js) and the laps told apart by their line,
 * the lap in progress solid, the others dashed.
 */
function lapSeries(s, focus, laps) {
  const colors = focus === null ? [] : stripSeries({ ...s, cars: 'focus' }, [], focus).map((x) => x.color);
  const out = [];
  laps.forEach((lap, n) => {
    const now = n === laps.length - 1;
    s.channels.forEach((channel, k) => {
      const one = s.channels.length === 1;
      out.push({
        lap, channel, label: `${lap.label} ${channel}`,
        color: one ? lap.color : colors[k] ?? lap.color,
        width: one ? lap.width : now ? 2 : 1.25,
        dash: one ? lap.dash : !now,
        step: channel === 'gear',
      });
    });
  });
  return out;
}

/** The last value a column holds (what its line ends on), or null. */
function lastValue(col) {
  for (let k = col.length - 1; k >= 0; k--) if (col[k] != null) return col[k];
  return null;
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
