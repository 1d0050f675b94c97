// The track map: a canvas with the outline learned from the records (outline.js), a dot per
// car in its colour at the moment shown, the focused car larger with its last lap coloured
// by speed (0–320 km/h), or by any channel chosen with `setColor` (the layout's `color`: the
// colour scale spans that lap's values), with a legend of the scale. Drawn from the animation-frame loop only when something changed; the outline
// and the last lap go on a layer of their own, so a frame costs one image and the dots.
// Built by race.js, whose moment, focus and lap table it draws; a view (core/view.js).

import { carColor, rampColor, rampStep, RAMP_STEPS } from '../core/colors.js';
import { Outline, fit, nearestDot, speedColor } from './outline.js';
import { BoxSize } from '../core/box-size.js';

export class TrackMap {
  /**
   * @param {HTMLCanvasElement} canvas  @param {object} race  the coordinator (race.js): the
   *   store, the moment shown, the focus (`setFocus` when a dot is clicked), the lap table
   */
  constructor(canvas, race) {
    this.canvas = canvas;
    this.race = race;
    /** The canvas's size, read every frame without laying the page out (core/box-size.js). */
    this.size = new BoxSize(canvas);
    this.outline = new Outline();
    /**
     * CarTrack -> samples learned (its `pushed`), so each sample is learned once. Keyed by
     * the ring itself: a store cleared and refilled has new rings that start from zero.
     */
    this.learned = new WeakMap();
    this.layer = document.createElement('canvas');
    this.layerKey = '';
    this.drawnKey = '';
    /** The dots of the last frame, in CSS pixels: clicks and tests read them. */
    this.dots = [];
    this.frames = 0;
    /** The channel colouring the lap, null for speed on its fixed scale; and its unit. */
    this.color = null;
    this.unit = () => null;
    /** The colour scale the last lap was drawn with, for tests: {name, lo, hi, unit}, or null. */
    this.scale = null;
    canvas.addEventListener('click', (e) => {
      const r = canvas.getBoundingClientRect();
      const car = nearestDot(this.dots, e.clientX - r.left, e.clientY - r.top);
      if (car !== null) race.setFocus(car);
    });
  }

  frame() {
    const race = this.race;
    race.timed(() => this.draw(race.store, race.moment(), race.focus(), [0, ...(race.table.track?.sectors_m ?? [])]));
  }

  resize() {
    this.drawnKey = '';
  }

  /**
   * Colours the focused car's lap by channel `name` (null: speed, as by default), over the
   * range of that lap's values; `unit(name)` names its unit in the legend. Returns the map.
   */
  setColor(name, unit = () => null) {
    this.color = name ?? null;
    this.unit = unit;
    this.layerKey = '';
    this.drawnKey = '';
    return this;
  }

  /** Forget the outline (another selection: maybe another track). */
  clear() {
    this.outline = new Outline();
    this.learned = new WeakMap();
    this.layerKey = '';
  }

  /** Learns the samples that arrived since the last call. */
  learn(store) {
    for (const track of store.cars.values()) {
      const seen = this.learned.get(track) ?? 0;
      const fresh = Math.min(track.count, track.pushed - seen);
      const [xs, ys, dists] = ['x', 'y', 'lap_distance_m'].map((name) => track.series(name));
      for (let k = fresh - 1; k >= 0; k--) {
        const i = track.indexFromNewest(k);
        this.outline.add(xs[i], ys[i], dists[i]);
      }
      this.learned.set(track, track.pushed);
    }
  }

  /**
   * Draws the cars at time `t` (ms; null: each car's newest sample); `marks`: the lap
   * distances of the line and the sector boundaries, drawn as ticks.
   * @param {import('../core/state.js').TelemetryStore} store  @param {string|null} focus
   */
  draw(store, t, focus, marks = [0]) {
    const c = this.canvas;
    const dpr = devicePixelRatio || 1;
    const { width: w, height: h } = this.size;
    if (w === 0 || h === 0) return;
    const key = `${store.version}|${t}|${focus}|${w}x${h}|${this.outline.version}|${marks}`;
    if (key === this.drawnKey) return;
    this.drawnKey = key;
    this.learn(store);
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const o = this.outline;
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    this.dots = [];
    if (o.bins === 0) return;
    const at = fit(o, w, h);
    const focusTrack = focus === null ? undefined : store.cars.get(focus);
    const fi = focusTrack ? indexAt(focusTrack, t) : -1;
    const lastLap = fi < 0 ? NaN : focusTrack.series('lap')[fi] - 1;
    this.drawLayer(at, w, h, dpr, focusTrack, lastLap, marks);
    ctx.drawImage(this.layer, 0, 0, w, h);
    for (const [id, track] of store.cars) {
      if (id === focus) continue;
      this.dot(ctx, at, id, track, indexAt(track, t), 4);
    }
    if (focusTrack) this.dot(ctx, at, focus, focusTrack, fi, 7);
    this.frames++;
  }

  dot(ctx, at, id, track, i, r) {
    if (i < 0) return;
    const x = track.series('x')[i];
    const y = track.series('y')[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const [px, py] = at(x, y);
    ctx.beginPath();
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    ctx.fillStyle = carColor(id);
    ctx.fill();
    ctx.lineWidth = r > 4 ? 2 : 1;
    ctx.strokeStyle = r > 4 ? '#ffffff' : '#0b0f15';
    ctx.stroke();
    this.dots.push({ car: id, px, py });
  }

  /** The outline and the focused car's last lap, redrawn only when either changes. */
  drawLayer(at, w, h, dpr, focusTrack, lastLap, marks) {
    const key = `${this.outline.version}|${w}x${h}|${focusTrack?.id}|${lastLap}|${marks}|${this.color}|${this.unit(this.color ?? 'speed_kph')}`;
    if (key === this.layerKey) return;
    this.layerKey = key;
    const l = this.layer;
    l.width = Math.round(w * dpr);
    l.height = Math.round(h * dpr);
    const ctx = l.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    ctx.strokeStyle = '#2c3544';
    ctx.lineWidth = 7;
    for (const run of this.outline.runs()) {
      ctx.beginPath();
      run.forEach(([x, y], n) => (n === 0 ? ctx.moveTo(...at(x, y)) : ctx.lineTo(...at(x, y))));
      ctx.stroke();
    }
    this.scale = null;
    if (focusTrack && Number.isFinite(lastLap)) this.drawLap(ctx, at, focusTrack, lastLap);
    if (this.scale) legend(ctx, this.scale, h);
    // The line (white) and the sector boundaries (grey), over the lap.
    marks.forEach((d, n) => {
      const p = this.outline.pointAt(d);
      if (!p) return;
      const [px, py] = at(...p);
      ctx.fillStyle = n === 0 ? '#e6e9ef' : '#8590a2';
      ctx.fillRect(px - 3, py - 3, 6, 6);
    });
  }

  /** The focused car's lap `lap`: one segment per pair of samples, in the colour of the newer one's value. */
  drawLap(ctx, at, focusTrack, lastLap) {
    const name = this.color ?? 'speed_kph';
    const values = focusTrack.series(name);
    if (values === null) return;
    const laps = focusTrack.series('lap');
    let lo = 0;
    let hi = SPEED_MAX;
    if (this.color !== null) {
      [lo, hi] = [Infinity, -Infinity];
      for (let k = 0; k < focusTrack.count; k++) {
        const i = focusTrack.indexFromNewest(k);
        if (laps[i] !== lastLap || Number.isNaN(values[i])) continue;
        if (values[i] < lo) lo = values[i];
        if (values[i] > hi) hi = values[i];
      }
      if (lo > hi) return;
    }
    this.scale = { name, lo, hi, unit: this.unit(name) ?? (this.color === null ? 'km/h' : null) };
    ctx.lineWidth = 3;
    let prev = null;
    const [xs, ys] = ['x', 'y'].map((n) => focusTrack.series(n));
    for (let k = focusTrack.count - 1; k >= 0; k--) {
      const i = focusTrack.indexFromNewest(k);
      if (laps[i] !== lastLap) {
        prev = null;
        continue;
      }
      const p = at(xs[i], ys[i]);
      if (prev && Number.isFinite(p[0]) && Number.isFinite(p[1]) && !Number.isNaN(values[i])) {
        ctx.beginPath();
        ctx.moveTo(...prev);
        ctx.lineTo(...p);
        ctx.strokeStyle = this.color === null ? speedColor(values[i], SPEED_MAX) : rampColor(rampStep(values[i], lo, hi));
        ctx.stroke();
      }
      prev = p;
    }
  }
}

/** The top of the default speed scale (km/h). */
const SPEED_MAX = 320;
const fmt = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

/** The colour scale of the lap, bottom left: a bar from low to high, its ends and the channel's name and unit. */
function legend(ctx, { name, lo, hi, unit }, h) {
  const x = 8;
  const y = h - 22;
  const width = 90;
  const label = unit ? `${name} (${unit})` : name;
  ctx.font = '10px "Liberation Sans", "DejaVu Sans", sans-serif';
  // Over the outline, readable.
  ctx.fillStyle = 'rgba(16, 21, 29, 0.85)';
  ctx.fillRect(x - 4, y - 16, Math.max(width, ctx.measureText(label).width) + 8, 36);
  for (let s = 0; s < RAMP_STEPS; s++) {
    ctx.fillStyle = rampColor(s);
    ctx.fillRect(x + (s * width) / RAMP_STEPS, y, Math.ceil(width / RAMP_STEPS), 6);
  }
  ctx.fillStyle = '#c3c9d4';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(fmt.format(lo), x, y + 8);
  ctx.textAlign = 'right';
  ctx.fillText(fmt.format(hi), x + width, y + 8);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  ctx.fillText(label, x, y - 2);
}

function indexAt(track, t) {
  if (track.count === 0) return -1;
  return t == null ? track.indexFromNewest(0) : track.indexAt(t);
}
