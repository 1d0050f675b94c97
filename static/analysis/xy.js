// The `xy` panel (docs/layouts.md): any channel against any channel over the window, each
// car's lap in progress or the A–B range, points coloured by a third channel (a colour scale,
// its legend beside) or by car; with `circle`, a G-G plot: equal scales, the origin in the
// middle, and the friction circle (the 99th percentile of √(x² + y²)). Each car's newest point
// read is ringed, so it follows the playhead live and in replay. The tools row picks x, y and
// the colour through the channel picker. Redrawn at most every REDRAW_MS, and only when the
// store, the playhead, the cursors, the cars or the size changed.
//
// For tests, the panel's root (`[data-testid="xy-plot"]`) has `drawn`: {kind: "xy", x, y, color,
// over, cars (ids read), samples (read), points (drawn after decimation), xRange, yRange (of the
// samples read, unpadded; null without any), colorRange, radius (the circle's, or null),
// latest: [{car, x, y}], missing (names no car read carries)}.

import { carColor, rampColor, rampStep, RAMP_STEPS } from '../core/colors.js';
import { PICKED } from '../workbench/panel.js';
import { Decimator } from './decimate.js';
import { DOT, Dots } from './dots.js';
import {
  AXIS, MARGIN, Reader, TEXT, drawAxes, drawRampLegend, emptyNote, marginFor, prepare, skeleton, toolButton,
} from './plot.js';
import { extent } from './samples.js';
import { axisLabel, circleRadius, formatValue, padded } from './scale.js';

const LEGEND_W = 58;
let panels = 0;

/** The `xy` kind's factory (workbench/panel.js). */
export function xyPanel(body, spec, ctx) {
  return new XyPanel(body, spec, ctx);
}

class XyPanel {
  constructor(body, spec, ctx) {
    this.spec = { color: 'car', over: 'window', cars: 'all', circle: false, ...spec };
    this.ctx = ctx;
    this.id = `xy-${++panels}`;
    const { root, tools, canvas, note } = skeleton(body, 'xy', `XY plot of ${spec.y} against ${spec.x}`);
    this.root = root;
    this.canvas = canvas;
    this.note = note;
    const { x, y, color } = this.spec;
    this.reader = new Reader(color === 'car' ? [x, y] : [x, y, color]);
    this.data = this.reader.data;
    this.decimator = new Decimator();
    this.scratch = null;
    this.X = new Float32Array(0);
    this.Y = new Float32Array(0);
    this.dots = new Dots();
    const words = { x: 'for the XY plot\'s x', y: 'for the XY plot\'s y', color: 'to colour the XY plot\'s points' };
    const pick = (field) => () => ctx.pickChannel({ panel: this.id, field, where: words[field] });
    this.tools = {
      x: toolButton(tools, 'x', 'Choose the channel along x', pick('x')),
      y: toolButton(tools, 'y', 'Choose the channel along y', pick('y')),
      color: toolButton(tools, 'colour', 'Choose the channel that colours the points', pick('color')),
    };
    this.byCar = toolButton(tools, '', 'Colour the points by car', () => ctx.update({ ...spec, color: 'car' }));
    this.byCar.set('by car');
    this.onPicked = (e) => {
      const d = e.detail;
      if (d?.panel === this.id && typeof d.name === 'string') ctx.update({ ...spec, [d.field]: d.name });
    };
    document.addEventListener(PICKED, this.onPicked);
    this.tools.x.set(this.spec.x);
    this.tools.y.set(this.spec.y);
    this.tools.color.set(this.spec.color);
    this.byCar.button.hidden = this.spec.color === 'car';
  }

  frame(now) {
    if (this.reader.read(now, this.ctx, this.spec, this.canvas)) this.draw(this.ctx.focus());
  }

  resize() {
    this.reader.reset();
  }

  destroy() {
    document.removeEventListener(PICKED, this.onPicked);
    this.root.remove();
  }

  draw(focus) {
    const d = this.data;
    const { spec } = this;
    const xe = extent(d.v[0], d.n);
    const ye = extent(d.v[1], d.n);
    const byChannel = spec.color !== 'car';
    const ce = byChannel ? extent(d.v[2], d.n) : null;
    const drawn = {
      kind: 'xy', x: spec.x, y: spec.y, color: spec.color, over: spec.over, cars: d.cars.map((c) => c.id),
      samples: d.n, points: 0, xRange: xe, yRange: ye, colorRange: ce, radius: null, latest: [], missing: d.missing,
    };
    this.root.drawn = drawn;
    this.plot(drawn, xe, ye, ce, focus);
    this.writeNote(d, drawn);
  }

  /** The axes, the circle, the points and the legend, into `drawn`'s counts. */
  plot(drawn, xe, ye, ce, focus) {
    const p = prepare(this.canvas);
    if (p === null) return;
    const { g, w, h } = p;
    const d = this.data;
    const { spec } = this;
    const byChannel = ce !== null;
    const unit = (name) => this.ctx.channels.unit(name);
    const top = MARGIN.top + (byChannel ? 12 : 0);
    const boxAt = (left) => ({ left, top, width: w - left - MARGIN.right - (byChannel ? LEGEND_W : 0), height: h - top - MARGIN.bottom });
    let box = boxAt(MARGIN.left);
    if (box.width < 20 || box.height < 20) return;
    if (spec.circle) {
      const c = d.n > 0 ? circleRadius(d.v[0], d.v[1], d.n, this.scratch) : { radius: NaN, scratch: this.scratch };
      this.scratch = c.scratch;
      drawn.radius = Number.isFinite(c.radius) ? c.radius : null;
    }
    let [xr, yr] = this.ranges(box, xe, ye, drawn.radius);
    // The y ticks' labels decide the left margin; the ranges follow the box (equal scales).
    const left = marginFor(g, yr, box.height);
    if (left !== box.left) {
      box = boxAt(left);
      [xr, yr] = this.ranges(box, xe, ye, drawn.radius);
    }
    drawAxes(g, box, xr, yr, axisLabel(spec.x, unit(spec.x)), axisLabel(spec.y, unit(spec.y)));
    const kx = box.width / (xr[1] - xr[0]);
    const ky = box.height / (yr[1] - yr[0]);
    // Every sample's pixel, once: the decimation and the drawing read them.
    if (this.X.length < d.n) {
      this.X = new Float32Array(d.ts.length);
      this.Y = new Float32Array(d.ts.length);
    }
    const { X, Y } = this;
    for (let j = 0; j < d.n; j++) {
      X[j] = (d.v[0][j] - xr[0]) * kx;
      Y[j] = box.height - (d.v[1][j] - yr[0]) * ky;
    }
    if (spec.circle && drawn.radius !== null) this.circle(g, box, xr, yr, kx, drawn.radius, unit(spec.x) ?? 'g');
    const n = this.decimator.run(X, Y, d.cars, box.width, box.height, DOT);
    drawn.points = n;
    this.dots.begin(box.width, box.height, globalThis.devicePixelRatio || 1);
    if (byChannel) this.pointsByValue(n, ce);
    else this.pointsByCar();
    this.dots.end(g, box.left, box.top);
    g.save();
    g.beginPath();
    g.rect(box.left, box.top, box.width, box.height);
    g.clip();
    g.translate(box.left, box.top);
    for (const c of d.cars) {
      const j = c.end - 1;
      drawn.latest.push({ car: c.id, x: d.v[0][j], y: d.v[1][j] });
      const fill = byChannel ? rampColor(rampStep(d.v[2][j], ce[0], ce[1])) : carColor(c.id);
      ring(g, X[j], Y[j], c.id === focus ? 6 : 4.5, fill);
    }
    g.restore();
    if (byChannel && ce) drawRampLegend(g, w - LEGEND_W + 8, MARGIN.top, box.height + 12, ce[0], ce[1], axisLabel(spec.color, unit(spec.color)), w - 2);
  }

  /**
   * The x and y ranges shown in `box`: the samples' (padded), or with `circle` equal scales
   * about the origin, the shorter side spanning ±R and the longer side more.
   */
  ranges(box, xe, ye, radius) {
    if (!this.spec.circle) return [padded(xe ?? [0, 1]), padded(ye ?? [0, 1])];
    const reach = Math.max((radius ?? 0) * 1.1, ...(xe ?? [1]).map(Math.abs), ...(ye ?? [1]).map(Math.abs)) * 1.05 || 1;
    const s = Math.min(box.width, box.height);
    return [[-reach * (box.width / s), reach * (box.width / s)], [-reach * (box.height / s), reach * (box.height / s)]];
  }

  /** The kept points of each car in its colour, oldest first. */
  pointsByCar() {
    const { keep, n } = this.decimator;
    const { X, Y, dots } = this;
    let at = 0;
    for (const c of this.data.cars) {
      const pixel = dots.pixel(carColor(c.id));
      while (at < n && keep[at] < c.end) {
        const j = keep[at++];
        dots.dot(X[j], Y[j], pixel);
      }
    }
  }

  /** The kept points in the colour of their value, oldest first. */
  pointsByValue(n, ce) {
    const { keep } = this.decimator;
    const { X, Y, dots } = this;
    const c = this.data.v[2];
    const ramp = Array.from({ length: RAMP_STEPS }, (_, s) => dots.pixel(rampColor(s)));
    for (let a = 0; a < n; a++) {
      const j = keep[a];
      dots.dot(X[j], Y[j], ramp[rampStep(c[j], ce[0], ce[1])]);
    }
  }

  /** The friction circle about the origin, its radius written on it. */
  circle(g, box, xr, yr, k, radius, unit) {
    const cx = box.left + (0 - xr[0]) * k;
    const cy = box.top + box.height - (0 - yr[0]) * k;
    g.save();
    g.strokeStyle = AXIS;
    g.setLineDash([4, 4]);
    g.beginPath();
    g.arc(cx, cy, radius * k, 0, 2 * Math.PI);
    g.stroke();
    g.setLineDash([]);
    g.beginPath();
    g.moveTo(box.left, cy + 0.5);
    g.lineTo(box.left + box.width, cy + 0.5);
    g.moveTo(cx + 0.5, box.top);
    g.lineTo(cx + 0.5, box.top + box.height);
    g.stroke();
    g.fillStyle = TEXT;
    g.textAlign = 'left';
    g.textBaseline = 'bottom';
    const a = -Math.PI / 4;
    g.fillText(`${formatValue(radius)} ${unit}`, cx + Math.cos(a) * radius * k + 3, cy + Math.sin(a) * radius * k - 2);
    g.restore();
  }

  writeNote(d, drawn) {
    const text = emptyNote(d, this.spec.over) ?? `${formatValue(d.n)} samples · ${d.cars.length} car${d.cars.length === 1 ? '' : 's'}${drawn.points < d.n ? ` · ${formatValue(drawn.points)} drawn` : ''}`;
    if (this.note.textContent !== text) this.note.textContent = text;
  }
}

/** A car's newest point: a dot ringed in white. */
function ring(g, x, y, r, fill) {
  g.beginPath();
  g.arc(x, y, r, 0, 2 * Math.PI);
  g.fillStyle = fill;
  g.fill();
  g.lineWidth = 1.5;
  g.strokeStyle = '#ffffff';
  g.stroke();
}
