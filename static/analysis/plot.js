// What the analysis panels (xy.js, histogram-panel.js) share on screen: the panel's skeleton
// (a row of tools, the canvas, a line of text), the canvas sized to the device's pixels, the
// pace of redraws, the axes with their ticks and labels, and the legend of a colour scale.

import { RAMP_STEPS, rampColor } from '../core/colors.js';
import { Gathered, chosenCars, gather, spanOf } from './samples.js';
import { formatValue, niceTicks } from './scale.js';

/** A panel that summarises a span redraws at most this often: the strips do the 60 fps work. */
export const REDRAW_MS = 200;

export const AXIS = '#8590a2';
export const GRID = '#1b222d';
export const TEXT = '#c3c9d4';
export const FONT = '11px "Liberation Sans", "DejaVu Sans", system-ui, sans-serif';

/** Space around the plot area (CSS px): the y ticks' labels left, the x axis' below. */
export const MARGIN = Object.freeze({ left: 46, right: 10, top: 8, bottom: 34 });

/**
 * The panel's skeleton in `body`: `.an-tools` (buttons), the canvas, `.an-note` (a line of
 * text). `root.drawn` is what the panel last drew, for tests (each panel's header says what).
 */
export function skeleton(body, kind, label) {
  const root = document.createElement('div');
  root.className = 'an-panel';
  root.dataset.testid = `${kind}-plot`;
  const tools = document.createElement('div');
  tools.className = 'an-tools';
  const wrap = document.createElement('div');
  wrap.className = 'an-canvas';
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  wrap.append(canvas);
  const note = document.createElement('div');
  note.className = 'an-note';
  note.setAttribute('aria-live', 'polite');
  root.append(tools, wrap, note);
  body.append(root);
  return { root, tools, canvas, note };
}

/** A button of the tools row: `label` then the value it shows, the person's way to change it. */
export function toolButton(tools, label, title, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'an-tool';
  b.title = title;
  const k = document.createElement('span');
  k.className = 'an-tool-key';
  k.textContent = label;
  const v = document.createElement('span');
  v.className = 'an-tool-value';
  b.append(k, v);
  b.addEventListener('click', onClick);
  tools.append(b);
  return { button: b, set: (text) => { if (v.textContent !== text) v.textContent = text; } };
}

/** What a panel says when it has nothing to draw (a channel no car carries, no samples), else null. */
export function emptyNote(d, over) {
  if (d.missing.length > 0) return `No data for ${d.missing.join(', ')}`;
  if (d.n === 0) return over === 'lap' ? 'No lap in progress' : 'No samples here';
  return null;
}

/**
 * A panel's reads, paced: at most every REDRAW_MS, and only when what it reads from changed
 * (the store, the playhead, the span, the cursors when it reads the range, the cars, the size).
 */
export class Reader {
  /** @param {string[]} names  the channels read (fixed for the panel's life: a new spec builds a new panel) */
  constructor(names) {
    this.names = names;
    this.data = new Gathered();
    this.at = -Infinity;
    this.key = '';
  }

  /** Gathers the samples into `this.data` when due; whether it did (the panel then draws). */
  read(now, ctx, spec, canvas) {
    if (now - this.at < REDRAW_MS) return false;
    const cars = chosenCars(spec.cars, ctx);
    const span = ctx.span();
    const cur = ctx.ui.cursors;
    const moment = ctx.moment();
    const range = spec.over === 'range' ? `${cur?.a}|${cur?.b}|${cur?.axis}` : '';
    const key = `${ctx.store.version}|${moment}|${span}|${range}|${cars}|${canvas.clientWidth}x${canvas.clientHeight}`;
    if (key === this.key) return false;
    this.at = now;
    this.key = key;
    gather(this.data, ctx.store, cars, this.names, spanOf(spec.over, span, cur), moment);
    return true;
  }

  /** The next frame reads and draws whatever the key (the size changed). */
  reset() {
    this.key = '';
    this.at = -Infinity;
  }
}

/**
 * The canvas at the device's pixel ratio, cleared, its transform in CSS px; null while it has
 * no size (a panel being laid out).
 */
export function prepare(canvas) {
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (w === 0 || h === 0) return null;
  const dpr = globalThis.devicePixelRatio || 1;
  const pw = Math.round(w * dpr);
  const ph = Math.round(h * dpr);
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = FONT;
  return { g, w, h };
}

/** The y axis' ticks for a plot `height` px tall: one about every 40 px (whole numbers only with `whole`). */
const yTicks = (yr, height, whole) => niceTicks(yr[0], yr[1], Math.max(2, Math.floor(height / 40)), whole);

/** The left margin (px) that fits the y axis' name and its widest tick label. */
export function marginFor(g, yr, height, whole = false) {
  let widest = 0;
  for (const v of yTicks(yr, height, whole)) widest = Math.max(widest, g.measureText(formatValue(v)).width);
  return Math.max(30, Math.ceil(widest) + 26);
}

/**
 * Draws the grid, ticks and labels of a plot area `box` ({left, top, width, height}) showing
 * x in `xr` and y in `yr`, with the axes' names; `whole`: which axes tick whole numbers only.
 */
export function drawAxes(g, box, xr, yr, xLabel, yLabel, whole = { x: false, y: false }) {
  const { left, top, width, height } = box;
  const sx = (v) => left + ((v - xr[0]) / (xr[1] - xr[0])) * width;
  const sy = (v) => top + height - ((v - yr[0]) / (yr[1] - yr[0])) * height;
  g.lineWidth = 1;
  g.strokeStyle = GRID;
  g.fillStyle = AXIS;
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (const v of niceTicks(xr[0], xr[1], Math.max(2, Math.floor(width / 70)), whole.x)) {
    const x = Math.round(sx(v)) + 0.5;
    g.beginPath();
    g.moveTo(x, top);
    g.lineTo(x, top + height);
    g.stroke();
    g.fillText(formatValue(v), x, top + height + 3);
  }
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const v of yTicks(yr, height, whole.y)) {
    const y = Math.round(sy(v)) + 0.5;
    g.beginPath();
    g.moveTo(left, y);
    g.lineTo(left + width, y);
    g.stroke();
    g.fillText(formatValue(v), left - 4, y);
  }
  g.strokeStyle = AXIS;
  g.strokeRect(left + 0.5, top + 0.5, width - 1, height - 1);
  g.fillStyle = TEXT;
  g.textAlign = 'center';
  g.textBaseline = 'bottom';
  g.fillText(xLabel, left + width / 2, top + height + MARGIN.bottom - 1);
  g.save();
  g.translate(11, top + height / 2);
  g.rotate(-Math.PI / 2);
  g.textBaseline = 'middle';
  g.fillText(yLabel, 0, 0);
  g.restore();
}

/**
 * The colour scale's legend: its name (right-aligned at `right`) above a vertical bar at x,
 * from `top` down `height`, low at the bottom, with its range beside.
 */
export function drawRampLegend(g, x, top, height, lo, hi, label, right) {
  g.fillStyle = TEXT;
  g.textAlign = 'right';
  g.textBaseline = 'top';
  g.fillText(label, right, top);
  const barTop = top + 16;
  const barHeight = Math.max(10, height - 16);
  const step = barHeight / RAMP_STEPS;
  for (let i = 0; i < RAMP_STEPS; i++) {
    g.fillStyle = rampColor(i);
    g.fillRect(x, barTop + barHeight - (i + 1) * step, 10, Math.ceil(step));
  }
  g.fillStyle = TEXT;
  g.textAlign = 'left';
  g.fillText(formatValue(hi), x + 13, barTop);
  g.textBaseline = 'bottom';
  g.fillText(formatValue(lo), x + 13, barTop + barHeight);
}
