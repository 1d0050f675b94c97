// The stacked strips (speed, RPM, tire temperatures) drawn with uPlot, cursors synced. Two
// ways to fill them: following the playhead, each frame the cars' rings are binned onto one
// time grid (bins.js); zoomed out, an `overview` of the span is drawn as each car's minimum
// and maximum per bucket (zoom.js), the focused car's as a filled band. Dragging across a
// strip zooms into the dragged span.

/* global uPlot */

import { binTrack, timeGrid } from './bins.js';
import { bandColumns } from './zoom.js';
import { CORNERS, CORNER_COLORS, carColor } from '../core/colors.js';

const SYNC_KEY = 'trackside';

const AXIS = {
  stroke: '#8b95a5',
  font: '11px "Liberation Sans", "DejaVu Sans", system-ui, sans-serif',
  grid: { stroke: 'rgba(255,255,255,0.07)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1, size: 4 },
};
const Y_AXIS_SIZE = 58;

const niceUp = (v, step) => Math.ceil(v / step) * step;
const pad2 = (n) => String(n).padStart(2, '0');
/** Local wall-clock time of a sample, to the second: the x axis of every strip. */
const clock = (secs) => {
  const d = new Date(secs * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
};
const fmtInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const STRIPS = [
  {
    key: 'speed', channel: 'speed_kph',
    range: (u, min, max) => [0, Math.max(100, niceUp(max ?? 0, 50))],
    format: (v) => fmtInt.format(v),
  },
  {
    key: 'rpm', channel: 'rpm',
    range: (u, min, max) => [0, Math.max(1000, niceUp(max ?? 0, 1000))],
    format: (v) => (v >= 1000 ? `${v / 1000}k` : fmtInt.format(v)),
  },
  {
    key: 'tires', channel: null,
    range: (u, min, max) => {
      if (min == null || max == null) return [40, 120];
      const lo = Math.floor(min / 10) * 10 - 5;
      const hi = Math.ceil(max / 10) * 10 + 5;
      return hi - lo < 30 ? [lo, lo + 30] : [lo, hi];
    },
    format: (v) => fmtInt.format(v),
  },
];

/** Aligned columns for one frame, reused from frame to frame to spare the collector. */
class Columns {
  constructor() {
    this.x = [];
    this.byCar = new Map(); // car id -> { speed_kph: [], rpm: [] }
    this.tires = { fl: [], fr: [], rl: [], rr: [] };
  }
}

function sized(arr, n, fill) {
  if (arr.length !== n) arr.length = n;
  arr.fill(fill);
  return arr;
}

export class Charts {
  /**
   * @param {HTMLElement} root  holds one `[data-plot=KEY]` element per strip
   * @param {{onCursor: (idx: number|null) => void, onZoom: (fromMs: number, toMs: number) => void}} opts
   */
  constructor(root, { onCursor, onZoom }) {
    this.root = root;
    this.onCursor = onCursor;
    this.onZoom = onZoom;
    /** The `overview` drawn while zoomed out, or null while following the playhead. */
    this.bands = null;
    /** The playhead (ms), drawn as a line on zoomed-out strips. */
    this.playhead = null;
    /** The playhead's pixel when the strips were last redrawn for it. */
    this.playheadPx = null;
    this.plots = new Map(); // strip key -> uPlot
    this.cars = [];
    this.focus = null;
    this.cols = new Columns();
    this.xMin = 0;
    this.xMax = 1;
    /** Frames drawn (setData calls on the strips), for the test hook. */
    this.frames = 0;
    this.drawnVersion = -1;
    this.resizer = new ResizeObserver((entries) => {
      for (const e of entries) {
        const plot = this.plots.get(e.target.dataset.plot);
        const { width, height } = e.contentRect;
        if (plot && width > 0 && height > 0) plot.setSize({ width: Math.floor(width), height: Math.floor(height) });
      }
    });
  }

  /** Chooses the drawn cars and the focused one; rebuilds the strips when either changes. */
  configure(cars, focus) {
    if (focus === this.focus && cars.length === this.cars.length && cars.every((c, i) => c === this.cars[i])) return;
    this.cars = cars.slice();
    this.focus = focus;
    this.rebuild();
  }

  /** Draws a `done` overview (zoomed out), or follows the rings again with null. */
  showBands(overview) {
    if (overview === this.bands) return;
    const rebuild = (overview === null) !== (this.bands === null);
    this.bands = overview;
    if (rebuild || overview === null) this.rebuild();
    else this.drawBands();
  }

  /** Moves the playhead line of the zoomed-out strips (redrawn only when it moves a pixel). */
  setPlayhead(ts) {
    this.playhead = ts;
    const plot = this.plots.get('speed');
    if (!this.bands || !plot) return;
    const px = Number.isFinite(ts) ? Math.round(plot.valToPos(ts / 1000, 'x')) : null;
    if (px === this.playheadPx) return;
    this.playheadPx = px;
    for (const p of this.plots.values()) p.redraw(false, false);
  }

  rebuild() {
    for (const [key, plot] of this.plots) {
      this.resizer.unobserve(plot.root.parentElement);
      plot.destroy();
      this.plots.delete(key);
    }
    // The focused car is drawn last, on top of the field.
    const order = this.cars.filter((c) => c !== this.focus);
    if (this.cars.includes(this.focus)) order.push(this.focus);
    this.order = order;
    STRIPS.forEach((strip, n) => {
      const el = this.root.querySelector(`[data-plot="${strip.key}"]`);
      const { series, bands } = this.bands ? this.bandSeries(strip) : { series: this.lineSeries(strip), bands: [] };
      const last = n === STRIPS.length - 1;
      const opts = {
        width: Math.max(100, el.clientWidth),
        height: Math.max(60, el.clientHeight),
        legend: { show: false },
        pxAlign: 0,
        cursor: {
          sync: { key: SYNC_KEY },
          y: false, // a vertical cursor only, as in MoTeC and ATLAS: time is what is compared
          // Dragging selects a span to zoom into; the page asks the server for it.
          drag: { x: true, y: false, setScale: false },
          points: { size: 5, width: 1 },
        },
        bands,
        scales: {
          x: { time: true, range: () => [this.xMin, this.xMax] },
          y: { range: strip.range },
        },
        axes: [
          last
            ? { ...AXIS, size: 24, space: 80, values: (u, splits) => splits.map(clock) }
            : { ...AXIS, size: 4, space: 80, ticks: { show: false }, values: (u, splits) => splits.map(() => '') },
          { ...AXIS, size: Y_AXIS_SIZE, values: (u, splits) => splits.map(strip.format) },
        ],
        series: [{}, ...series],
        hooks: {
          ...(n === 0 ? { setCursor: [(u) => this.onCursor(u.cursor.idx ?? null)] } : {}),
          setSelect: [(u) => this.selected(u)],
          draw: [(u) => this.drawPlayhead(u)],
        },
      };
      const plot = new uPlot(opts, this.emptyData(series.length), el);
      this.plots.set(strip.key, plot);
      this.resizer.observe(el);
    });
    this.drawnVersion = -1;
    if (this.bands) this.drawBands();
  }

  lineSeries(strip) {
    return strip.channel
      ? this.order.map((car) => this.carSeries(car))
      : CORNERS.map((c) => ({ label: c.toUpperCase(), stroke: CORNER_COLORS[c], width: 1.75, points: { show: false } }));
  }

  /**
   * Zoomed out: a max and a min series per car (the tires strip: per corner of the focused
   * car). The focused car's pair is filled as a band; the others are thin lines.
   */
  bandSeries(strip) {
    const series = [];
    const bands = [];
    const pair = (label, color, strong) => {
      const line = { stroke: strong ? color : `${color}70`, width: strong ? 1.5 : 1, points: { show: false }, spanGaps: false };
      series.push({ ...line, label: `${label} max` }, { ...line, label: `${label} min` });
      if (strong) bands.push({ series: [series.length - 1, series.length], fill: `${color}40` });
    };
    if (strip.channel) for (const car of this.order) pair(`#${car}`, carColor(car), car === this.focus);
    else for (const c of CORNERS) pair(c.toUpperCase(), CORNER_COLORS[c], true);
    return { series, bands };
  }

  /** Hands the zoomed-out overview's columns to the strips. */
  drawBands() {
    const ov = this.bands;
    if (!ov || this.plots.size === 0) return;
    // The x range is read when the data is set.
    this.xMin = ov.from_ts / 1000;
    this.xMax = ov.to_ts / 1000;
    for (const strip of STRIPS) {
      const cols = [];
      if (strip.channel) {
        const { x, pairs } = bandColumns(ov, this.order, strip.channel);
        cols.push(x);
        for (const p of pairs) cols.push(p.max, p.min);
      } else {
        for (const c of CORNERS) {
          const { x, pairs } = bandColumns(ov, [this.focus], `tire_temp_c.${c}`);
          if (cols.length === 0) cols.push(x);
          cols.push(pairs[0].max, pairs[0].min);
        }
      }
      this.cols.x = cols[0];
      this.plots.get(strip.key).setData(cols);
    }
    this.frames++;
  }

  /** A drag across a strip: the span to zoom into, then the selection is cleared. */
  selected(u) {
    const { left, width } = u.select;
    if (width < 3) return;
    const a = u.posToVal(left, 'x') * 1000;
    const b = u.posToVal(left + width, 'x') * 1000;
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.onZoom(a, b);
  }

  drawPlayhead(u) {
    if (!this.bands || !Number.isFinite(this.playhead)) return;
    const x = u.valToPos(this.playhead / 1000, 'x', true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
    const g = u.ctx;
    g.save();
    g.fillStyle = '#f59e0b';
    g.fillRect(Math.round(x) - 1, u.bbox.top, 2 * (devicePixelRatio || 1), u.bbox.height);
    g.restore();
  }

  carSeries(car) {
    const focused = car === this.focus;
    const color = carColor(car);
    return {
      label: `#${car}`,
      // Others are dimmed so the focused car reads at once among twenty lines. Width 1
      // matters: canvas draws it as a hairline, where 1.1 takes the full stroker; without a
      // GPU, 20 cars at 20 Hz went from 20 to 55 frames a second with that change alone.
      stroke: focused ? color : `${color}80`,
      width: focused ? 2.5 : 1,
      points: { show: false },
    };
  }

  emptyData(nSeries) {
    return [[], ...Array.from({ length: nSeries }, () => [])];
  }

  /**
   * Bins the store into the strips if it changed since the last call; returns whether it drew.
   * @param {number} endTs  where the window ends (ms)
   */
  draw(store, windowMs, endTs) {
    if (this.bands || store.version === this.drawnVersion || this.plots.size === 0) return false;
    this.drawnVersion = store.version;
    if (!Number.isFinite(endTs)) {
      for (const plot of this.plots.values()) plot.setData(this.emptyData(plot.series.length - 1));
      this.frames++;
      return true;
    }
    const width = this.plots.get('speed').bbox.width / (devicePixelRatio || 1);
    const { firstSlot, slotMs, n } = timeGrid(endTs, windowMs, this.oldestDrawn(store), width);
    const cols = this.cols;
    const x = sized(cols.x, n, 0);
    for (let k = 0; k < n; k++) x[k] = ((firstSlot + k) * slotMs) / 1000;
    this.xMin = x[0];
    this.xMax = x[n - 1];

    const speed = [x];
    const rpm = [x];
    for (const id of this.order) {
      let c = cols.byCar.get(id);
      if (!c) cols.byCar.set(id, (c = { speed_kph: [], rpm: [] }));
      sized(c.speed_kph, n, undefined);
      sized(c.rpm, n, undefined);
      const track = store.cars.get(id);
      if (track) binTrack(track, ['speed_kph', 'rpm'], [c.speed_kph, c.rpm], firstSlot, slotMs, n);
      speed.push(c.speed_kph);
      rpm.push(c.rpm);
    }
    for (const id of cols.byCar.keys()) if (!this.order.includes(id)) cols.byCar.delete(id);

    const tires = [x];
    const focusTrack = store.cars.get(this.focus);
    const tcols = CORNERS.map((k) => sized(cols.tires[k], n, undefined));
    if (focusTrack) binTrack(focusTrack, CORNERS, tcols, firstSlot, slotMs, n);
    tires.push(...tcols);

    this.plots.get('speed').setData(speed);
    this.plots.get('rpm').setData(rpm);
    this.plots.get('tires').setData(tires);
    this.frames++;
    return true;
  }

  /** The oldest sample time (ms) of the drawn cars. */
  oldestDrawn(store) {
    let oldest = Infinity;
    for (const id of this.order) {
      const track = store.cars.get(id);
      if (track && track.count > 0) oldest = Math.min(oldest, track.ts[track.indexFromNewest(track.count - 1)]);
    }
    return oldest;
  }

  /** The plots' width in CSS pixels: a zoomed-out overview asks for one bucket per pixel. */
  get plotWidth() {
    const p = this.plots.get('speed');
    return p ? p.bbox.width / (devicePixelRatio || 1) : this.root.clientWidth - 70;
  }

  /** Seconds of time the strips show (the window, or less while the data does not fill it). */
  get spanSecs() {
    return this.xMax - this.xMin;
  }

  /** The value of `car`'s channel at (or just before) grid index `idx`, from the last frame. */
  valueAt(idx, car, channel) {
    const col = this.cols.byCar.get(car)?.[channel] ?? (car === this.focus ? this.cols.tires[channel] : undefined);
    if (!col) return undefined;
    for (let k = idx; k >= 0 && k > idx - 20; k--) if (col[k] != null) return col[k];
    return undefined;
  }

  /** Time (ms) of grid index `idx` in the last frame. */
  timeAt(idx) {
    const t = this.cols.x[idx];
    return t === undefined ? undefined : t * 1000;
  }
}
