// The stacked strips drawn with uPlot, cursors synced: one strip per entry of the layout
// (layout.js), each with its channels for every car or the focused one. Two ways to fill
// them: following the playhead, each frame the cars' rings are binned onto one time grid
// (bins.js); zoomed out, an `overview` of the span is drawn as each series' minimum and
// maximum per bucket (zoom.js), the focused car's as a filled band. Dragging across a
// strip zooms into the dragged span. The strip boxes are strip-dom.js's; each goes into the
// body of its time panel on the workbench (strips.js), all of them one Charts, so the
// cursor and the time grid are shared.

/* global uPlot */

import { binTrack, timeGrid } from './bins.js';
import { bandColumns } from './zoom.js';
import { formatValue, scaleOf, stripSeries, yRange } from './layout.js';
import { stripBox, stripKeys } from './strip-dom.js';
import { cursorPlugin } from '../cursors/cursors.js';
import { Pace } from './pace.js';

const SYNC_KEY = 'trackside';

const AXIS = {
  stroke: '#8b95a5',
  font: '11px "Liberation Sans", "DejaVu Sans", system-ui, sans-serif',
  grid: { stroke: 'rgba(255,255,255,0.07)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1, size: 4 },
};
const Y_AXIS_SIZE = 58;

const pad2 = (n) => String(n).padStart(2, '0');
/** Local wall-clock time of a sample, to the second: the x axis of every strip. */
const clock = (secs) => {
  const d = new Date(secs * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
};

function sized(arr, n, fill) {
  if (arr.length !== n) arr.length = n;
  arr.fill(fill);
  return arr;
}

/** The last value a column holds (what its line ends on), or null. */
function lastValue(col) {
  for (let k = col.length - 1; k >= 0; k--) if (col[k] != null) return col[k];
  return null;
}

export class Charts {
  /**
   * @param {{onCursor: (idx: number|null) => void, onZoom: (fromMs: number, toMs: number) => void}} opts
   */
  constructor({ onCursor, onZoom }) {
    this.onCursor = onCursor;
    this.onZoom = onZoom;
    /** The strips shown (layout.js), their keys and boxes: none until the time panels are mounted. */
    this.layout = [];
    this.keys = [];
    this.boxes = [];
    /** A channel's unit as the server gave it (name → unit or null), for the strips' labels. */
    this.units = null;
    /** The `overview` drawn while zoomed out, or null while following the playhead. */
    this.bands = null;
    /** The playhead (ms), drawn as a line on zoomed-out strips. */
    this.playhead = null;
    /** The playhead's pixel when the strips were last redrawn for it. */
    this.playheadPx = null;
    /** Per strip: its uPlot, its series (layout.js stripSeries) and its last data. */
    this.plots = [];
    this.cars = [];
    this.focus = null;
    this.order = [];
    /** The x column of the last frame (seconds). */
    this.x = [];
    /** Binned columns by `car\u0000channel`, reused from frame to frame to spare the collector. */
    this.cols = new Map();
    this.xMin = 0;
    this.xMax = 1;
    /**
     * Per strip, whether its panel is on screen (strips.js): a strip out of sight keeps its
     * data current (the readouts and the test hook read it) but is not drawn until it is seen.
     */
    this.onScreen = [];
    /** Frames binned for the strips (each strip's setData follows within a few frames), for the test hook. */
    this.frames = 0;
    /** Which strips with new records draw on which frame (pace.js). */
    this.pace = new Pace();
    this.drawnVersion = -1;
    this.resizer = new ResizeObserver((entries) => {
      for (const e of entries) {
        const plot = this.plots.find((p) => p.el === e.target)?.plot;
        const { width, height } = e.contentRect;
        if (plot && width > 0 && height > 0) plot.setSize({ width: Math.floor(width), height: Math.floor(height) });
      }
    });
  }

  /**
   * Shows `strips` (layout.js), strip i in `bodies[i]` (its time panel's body): the boxes and
   * plots are made again.
   */
  setLayout(strips, units = this.units, bodies = []) {
    this.layout = strips;
    this.units = units;
    for (const box of this.boxes) box.remove();
    this.keys = stripKeys(strips);
    this.boxes = strips.map((s, i) => stripBox(s, i, this.keys[i], units));
    this.boxes.forEach((box, i) => bodies[i]?.append(box));
    this.rebuild();
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

  /** The channels of every strip shown, once each: what a zoomed-out overview is asked for. */
  channels() {
    return [...new Set(this.layout.flatMap((s) => s.channels))];
  }

  /** Moves the playhead line of the zoomed-out strips (redrawn only when it moves a pixel). */
  setPlayhead(ts) {
    this.playhead = ts;
    const plot = this.plots[0]?.plot;
    if (!this.bands || !plot) return;
    const px = Number.isFinite(ts) ? Math.round(plot.valToPos(ts / 1000, 'x')) : null;
    if (px === this.playheadPx) return;
    this.playheadPx = px;
    for (const p of this.plots) p.plot.redraw(false, false);
  }

  rebuild() {
    for (const p of this.plots) {
      this.resizer.unobserve(p.el);
      p.plot.destroy();
    }
    this.plots = [];
    // The focused car is drawn last, on top of the field.
    const order = this.cars.filter((c) => c !== this.focus);
    if (this.cars.includes(this.focus)) order.push(this.focus);
    this.order = order;
    this.layout.forEach((strip, n) => {
      const el = this.boxes[n].querySelector('.strip-plot');
      const series = stripSeries(strip, order, this.focus);
      const scale = scaleOf(strip);
      const drawn = this.bands ? bandSeries(series) : { list: series.map(lineSeries), bands: [] };
      const last = n === this.layout.length - 1;
      const opts = {
        width: Math.max(100, el.clientWidth),
        height: Math.max(40, el.clientHeight),
        legend: { show: false },
        pxAlign: 0,
        cursor: {
          sync: { key: SYNC_KEY },
          y: false, // a vertical cursor only, as in MoTeC and ATLAS: time is what is compared
          // Dragging selects a span to zoom into; the page asks the server for it.
          drag: { x: true, y: false, setScale: false },
          points: { size: 5, width: 1 },
        },
        bands: drawn.bands,
        scales: {
          x: { time: true, range: () => [this.xMin, this.xMax] },
          y: { range: (u, min, max) => yRange(scale, min, max) },
        },
        axes: [
          last
            ? { ...AXIS, size: 24, space: 80, values: (u, splits) => splits.map(clock) }
            : { ...AXIS, size: 4, space: 80, ticks: { show: false }, values: (u, splits) => splits.map(() => '') },
          { ...AXIS, size: Y_AXIS_SIZE, space: 24, values: (u, splits) => splits.map((v) => formatValue(scale, v, true)) },
        ],
        series: [{}, ...drawn.list],
        plugins: [cursorPlugin('time')], // the A/B cursors' lines, Alt-drag, a and b
        hooks: {
          ...(n === 0 ? { setCursor: [(u) => this.onCursor(u.cursor.idx ?? null)] } : {}),
          setSelect: [(u) => this.selected(u)],
          draw: [(u) => this.drawPlayhead(u)],
        },
      };
      const data = [[], ...drawn.list.map(() => [])];
      this.plots.push({ plot: new uPlot(opts, data, el), el, series, data, scale });
      this.resizer.observe(el);
    });
    this.drawnVersion = -1;
    if (this.bands) this.drawBands();
  }

  /** Hands the zoomed-out overview's columns to the strips: a max and a min per series. */
  drawBands() {
    const ov = this.bands;
    if (!ov || this.plots.length === 0) return;
    // The x range is read when the data is set.
    this.xMin = ov.from_ts / 1000;
    this.xMax = ov.to_ts / 1000;
    for (const [n, p] of this.plots.entries()) {
      const cols = [];
      for (const s of p.series) {
        const { x, pairs } = bandColumns(ov, [s.car], s.channel);
        if (cols.length === 0) cols.push(x);
        cols.push(pairs[0].max, pairs[0].min);
      }
      if (cols.length === 0) cols.push([]);
      this.x = cols[0];
      this.show(p, n, cols);
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

  /**
   * Bins the store into the strips if it changed since the last call, once per animation
   * frame: each car's channels are binned once, whichever strips show them. `paced`: the
   * strips draw their share of it on this frame and the rest on the next (`flush`); else all now.
   * @param {number} endTs  where the window ends (ms)
   */
  draw(store, windowMs, endTs, paced = false) {
    if (this.bands || this.plots.length === 0) return;
    if (store.version === this.drawnVersion) {
      this.flush();
      return;
    }
    this.drawnVersion = store.version;
    if (!Number.isFinite(endTs)) {
      this.plots.forEach((p, n) => this.show(p, n, [[], ...p.series.map(() => [])]));
      this.frames++;
      return;
    }
    const { firstSlot, slotMs, n } = timeGrid(endTs, windowMs, this.oldestDrawn(store), this.plotWidth);
    const x = sized(this.x, n, 0);
    for (let k = 0; k < n; k++) x[k] = ((firstSlot + k) * slotMs) / 1000;
    this.xMin = x[0];
    this.xMax = x[n - 1];

    // Which channels of which car the strips show, binned once each.
    const wanted = new Map();
    for (const p of this.plots) {
      for (const s of p.series) {
        let list = wanted.get(s.car);
        if (!list) wanted.set(s.car, (list = new Set()));
        list.add(s.channel);
      }
    }
    const fresh = new Map();
    for (const [car, channels] of wanted) {
      const names = [...channels];
      const outs = names.map((name) => sized(this.cols.get(`${car}\u0000${name}`) ?? [], n, undefined));
      const track = store.cars.get(car);
      if (track) binTrack(track, names, outs, firstSlot, slotMs, n);
      names.forEach((name, k) => fresh.set(`${car}\u0000${name}`, outs[k]));
    }
    this.cols = fresh;
    this.plots.forEach((p, n) => this.show(p, n, [x, ...p.series.map((s) => fresh.get(`${s.car}\u0000${s.channel}`))], paced));
    this.frames++;
    this.flush();
  }

  /**
   * Strip `n`'s data is `data`: drawn now when its panel is on screen, else once it is;
   * `paced`, new records: drawn with a share of the strips on this frame or the next (pace.js).
   */
  show(p, n, data, paced = false) {
    p.data = data;
    p.stale = this.onScreen[n] === false;
    p.due = paced && !p.stale;
    if (!p.stale && !paced) p.plot.setData(data);
  }

  /** Draws this frame's share of the strips waiting for theirs (`due`), the rest on the next frames. */
  flush() {
    for (const n of this.pace.take(this.plots.map((p) => p.due === true))) {
      this.plots[n].due = false;
      this.plots[n].plot.setData(this.plots[n].data);
    }
  }

  /** Strip `n`'s panel came on screen (true) or left it: one out of date is drawn as it comes. */
  setOnScreen(n, on) {
    this.onScreen[n] = on;
    const p = this.plots[n];
    if (on && p?.stale) {
      p.stale = false;
      p.plot.setData(p.data);
    } else if (!on && p?.due) {
      p.due = false; // drawn as it comes back on screen
      p.stale = true;
    }
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
    const p = this.plots[0]?.plot;
    return p ? p.bbox.width / (devicePixelRatio || 1) : 500;
  }

  /** Seconds of time the strips show (the window, or less while the data does not fill it). */
  get spanSecs() {
    return this.xMax - this.xMin;
  }

  /** Time (ms) of grid index `idx` in the last frame. */
  timeAt(idx) {
    const t = this.x[idx];
    return t === undefined ? undefined : t * 1000;
  }

  /**
   * Writes each strip's readout: the focused car's values of its channels, from
   * `valueOf(car, channel)` (the value at the cursor, or the newest), each in its line's
   * colour on a focused-car strip (so the corners need no separate key).
   */
  readouts(focus, valueOf) {
    this.layout.forEach((s, i) => {
      const el = this.boxes[i]?.querySelector('[data-readout]');
      if (!el) return;
      const scale = scaleOf(s);
      const values = focus === null ? [] : s.channels.map((c) => formatValue(scale, valueOf(focus, c)));
      const text = focus === null ? '' : `#${focus}  ${values.join(' · ')}`;
      if (el.textContent === text) return;
      const colors = s.cars === 'focus' && s.channels.length > 1 ? this.plots[i]?.series.map((x) => x.color) : null;
      if (!colors || focus === null) {
        el.textContent = text;
        return;
      }
      const parts = [`#${focus} `];
      values.forEach((v, k) => {
        const span = document.createElement('span');
        span.textContent = ` ${v}`;
        span.style.color = colors[k] ?? '';
        span.title = s.channels[k];
        parts.push(span);
      });
      el.replaceChildren(...parts);
    });
  }

  /**
   * What each strip shows, for the test hook: its key, channels and cars, and per series the
   * last value its line ends on (zoomed out: the last bucket's maximum).
   */
  describe() {
    return this.layout.map((s, i) => {
      const p = this.plots[i];
      const step = this.bands ? 2 : 1;
      return {
        key: this.keys[i], channels: [...s.channels], cars: s.cars,
        label: this.boxes[i]?.querySelector('.strip-name')?.textContent ?? '',
        unit: this.boxes[i]?.querySelector('.strip-unit')?.textContent ?? '',
        height: this.boxes[i]?.getBoundingClientRect().height ?? 0,
        series: (p?.series ?? []).map((ser, k) => ({ car: ser.car, channel: ser.channel, last: lastValue(p.data[1 + k * step] ?? []) })),
      };
    });
  }
}

/** A line of the strips following the playhead. */
function lineSeries(s) {
  return {
    label: `#${s.car} ${s.channel}`,
    // Others are dimmed so the focused car reads at once among twenty lines. Width 1
    // matters: canvas draws it as a hairline, where 1.1 takes the full stroker; without a
    // GPU, 20 cars at 20 Hz went from 20 to 55 frames a second with that change alone.
    stroke: s.strong ? s.color : `${s.color}80`,
    width: s.width,
    dash: s.dash ? [6, 4] : undefined,
    paths: s.step ? uPlot.paths.stepped({ align: 1 }) : undefined,
    points: { show: false },
  };
}

/**
 * Zoomed out: a max and a min series per series of the strip. The focused car's pairs are
 * filled as bands; the others are thin lines.
 */
function bandSeries(series) {
  const list = [];
  const bands = [];
  for (const s of series) {
    const line = { stroke: s.strong ? s.color : `${s.color}70`, width: s.strong ? 1.5 : 1, points: { show: false }, spanGaps: false };
    list.push({ ...line, label: `#${s.car} ${s.channel} max` }, { ...line, label: `#${s.car} ${s.channel} min` });
    if (s.strong) bands.push({ series: [list.length - 1, list.length], fill: `${s.color}40` });
  }
  return { list, bands };
}
