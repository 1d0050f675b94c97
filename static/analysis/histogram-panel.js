// The `histogram` panel (docs/layouts.md): a channel's distribution over the window, each car's
// lap in progress or the A–B range; for the focused car as bars, or with `cars: "all"` one
// outline per car in its colour over the same bins. The count, mean, minimum and maximum of
// everything read are written beside the channel. The tools row picks the channel through the
// channel picker. Redrawn at most every REDRAW_MS, and only when the store, the playhead, the
// cursors, the cars or the size changed. Binning: histogram.js.
//
// For tests, the panel's root (`[data-testid="histogram-plot"]`) has `drawn`: {kind: "histogram",
// channel, over, cars (ids read), bins (how many), edges ([lo, hi]), counts (per bin, every car
// together), perCar ({id: counts}), count, mean, min, max, missing (names no car read carries)}.

import { carColor } from '../core/colors.js';
import { PICKED } from '../workbench/panel.js';
import { chooseBins, countInto, edgesOf, summary } from './histogram.js';
import { MARGIN, Reader, drawAxes, emptyNote, marginFor, prepare, skeleton, toolButton } from './plot.js';
import { axisLabel, formatValue } from './scale.js';

let panels = 0;

/** The `histogram` kind's factory (workbench/panel.js). */
export function histogramPanel(body, spec, ctx) {
  return new HistogramPanel(body, spec, ctx);
}

class HistogramPanel {
  constructor(body, spec, ctx) {
    this.spec = { over: 'window', cars: 'focus', ...spec };
    this.ctx = ctx;
    this.id = `histogram-${++panels}`;
    const { root, tools, canvas, note } = skeleton(body, 'histogram', `Histogram of ${spec.channel}`);
    this.root = root;
    this.canvas = canvas;
    this.note = note;
    this.reader = new Reader([this.spec.channel]);
    this.data = this.reader.data;
    this.scratch = new Float64Array(0);
    this.tool = toolButton(tools, 'channel', 'Choose the channel', () => ctx.pickChannel({ panel: this.id, field: 'channel', where: 'for the histogram' }));
    this.tool.set(this.spec.channel);
    this.stats = document.createElement('span');
    this.stats.className = 'an-stats';
    this.stats.dataset.testid = 'histogram-stats';
    tools.append(this.stats);
    this.onPicked = (e) => {
      const d = e.detail;
      if (d?.panel === this.id && typeof d.name === 'string') ctx.update({ ...spec, channel: d.name });
    };
    document.addEventListener(PICKED, this.onPicked);
  }

  frame(now) {
    if (this.reader.read(now, this.ctx, this.spec, this.canvas)) this.draw();
  }

  resize() {
    this.reader.reset();
  }

  destroy() {
    document.removeEventListener(PICKED, this.onPicked);
    this.root.remove();
  }

  draw() {
    const d = this.data;
    const v = d.v[0];
    const { spec } = this;
    if (this.scratch.length < d.n) this.scratch = new Float64Array(d.ts.length);
    const bins = chooseBins(v, d.n, spec.bins, this.scratch);
    const edges = bins ? edgesOf(bins) : null;
    const total = new Uint32Array(bins?.k ?? 0);
    const perCar = {};
    if (edges) {
      for (const c of d.cars) {
        const counts = new Uint32Array(bins.k);
        countInto(counts, edges, v, c.start, c.end);
        for (let i = 0; i < bins.k; i++) total[i] += counts[i];
        perCar[c.id] = counts;
      }
    }
    const s = summary(v, d.n);
    this.root.drawn = {
      kind: 'histogram', channel: spec.channel, over: spec.over, cars: d.cars.map((c) => c.id),
      bins: bins?.k ?? 0, edges: edges ? [edges[0], edges[bins.k]] : null, counts: Array.from(total),
      perCar: Object.fromEntries(Object.entries(perCar).map(([id, c]) => [id, Array.from(c)])),
      ...s, missing: d.missing,
    };
    this.writeStats(s, d);
    this.plot(edges, total, perCar);
  }

  plot(edges, total, perCar) {
    const p = prepare(this.canvas);
    if (p === null) return;
    const { g, w, h } = p;
    const { spec } = this;
    const height = h - MARGIN.top - MARGIN.bottom;
    const outlines = spec.cars === 'all';
    let peak = 0;
    for (const counts of outlines ? Object.values(perCar) : [total]) for (const c of counts) if (c > peak) peak = c;
    const xr = edges ? [edges[0], edges[edges.length - 1]] : [0, 1];
    const yr = [0, Math.max(1, peak) * 1.08];
    const left = marginFor(g, yr, height, true);
    const box = { left, top: MARGIN.top, width: w - left - MARGIN.right, height };
    if (box.width < 20 || box.height < 20) return;
    const unit = this.ctx.channels.unit(spec.channel);
    // Bins of one whole number each (a gear) are ticked at whole numbers; counts always are.
    const wholeBins = edges !== null && edges[1] - edges[0] === 1 && Number.isInteger(edges[0] + 0.5);
    drawAxes(g, box, xr, yr, axisLabel(spec.channel, unit), 'samples', { x: wholeBins, y: true });
    if (!edges) return;
    const sx = (x) => box.left + ((x - xr[0]) / (xr[1] - xr[0])) * box.width;
    const sy = (c) => box.top + box.height - (c / yr[1]) * box.height;
    if (!outlines) {
      const focus = this.ctx.focus();
      g.fillStyle = focus === null ? '#7aa2ff' : carColor(focus);
      g.globalAlpha = 0.8;
      for (let i = 0; i < total.length; i++) {
        if (total[i] === 0) continue;
        const x0 = sx(edges[i]);
        const x1 = sx(edges[i + 1]);
        g.fillRect(x0 + 0.5, sy(total[i]), Math.max(1, x1 - x0 - 1), sy(0) - sy(total[i]));
      }
      g.globalAlpha = 1;
      return;
    }
    // One step outline per car: bars of several cars overlaid stay readable.
    g.lineWidth = 1.5;
    for (const [id, counts] of Object.entries(perCar)) {
      g.strokeStyle = carColor(id);
      g.beginPath();
      g.moveTo(sx(edges[0]), sy(0));
      for (let i = 0; i < counts.length; i++) {
        g.lineTo(sx(edges[i]), sy(counts[i]));
        g.lineTo(sx(edges[i + 1]), sy(counts[i]));
      }
      g.lineTo(sx(edges[counts.length]), sy(0));
      g.stroke();
    }
  }

  writeStats(s, d) {
    const unit = this.ctx.channels.unit(this.spec.channel);
    const u = unit && unit !== this.spec.channel ? ` ${unit}` : '';
    const stats = s.count === 0 ? '' : `n ${formatValue(s.count)} · mean ${formatValue(s.mean)}${u} · min ${formatValue(s.min)} · max ${formatValue(s.max)}${u}`;
    if (this.stats.textContent !== stats) this.stats.textContent = stats;
    let note = emptyNote(d, this.spec.over) ?? '';
    if (note === '' && this.spec.cars === 'all') note = `${d.cars.length} car${d.cars.length === 1 ? '' : 's'}, one outline each`;
    if (this.note.textContent !== note) this.note.textContent = note;
  }
}
