// The track's outline learned from the records, pure: no track file. Positions are averaged
// in bins of lap distance, so every car's laps draw one line; records without x/y or a lap
// distance add nothing. Also the fit of the outline into a canvas.

/** Metres of lap per bin. */
export const BIN_M = 10;
/** Bins kept: a track of up to 30 km; positions further round are not learned. */
export const MAX_BINS = 3000;

export class Outline {
  constructor() {
    this.sx = new Float64Array(MAX_BINS);
    this.sy = new Float64Array(MAX_BINS);
    this.n = new Uint32Array(MAX_BINS);
    /** The highest bin learned, +1. */
    this.bins = 0;
    /** Bumped when the outline changed enough to draw again (a bin seen for the first time). */
    this.version = 0;
    this.minX = Infinity;
    this.maxX = -Infinity;
    this.minY = Infinity;
    this.maxY = -Infinity;
  }

  /** Learns one position. Each bin's mean stops moving after a few hundred samples. */
  add(x, y, dist) {
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(dist) || dist < 0) return;
    const b = Math.floor(dist / BIN_M);
    if (b >= MAX_BINS || this.n[b] >= 1000) return;
    if (this.n[b] === 0) {
      this.version++;
      if (b + 1 > this.bins) this.bins = b + 1;
    }
    this.sx[b] += x;
    this.sy[b] += y;
    this.n[b]++;
    if (x < this.minX) this.minX = x;
    if (x > this.maxX) this.maxX = x;
    if (y < this.minY) this.minY = y;
    if (y > this.maxY) this.maxY = y;
  }

  /** The learned position at lap distance `dist`, or null where nothing was learned. */
  pointAt(dist) {
    const b = Math.floor(dist / BIN_M);
    if (!(b >= 0 && b < this.bins) || this.n[b] === 0) return null;
    return [this.sx[b] / this.n[b], this.sy[b] / this.n[b]];
  }

  /**
   * The outline as runs of points in lap order, [[x, y], …] per run: an empty bin ends a
   * run, and the last run joins the first when both reach the line (a closed lap).
   */
  runs() {
    const runs = [];
    let run = null;
    for (let b = 0; b < this.bins; b++) {
      if (this.n[b] === 0) {
        run = null;
        continue;
      }
      if (!run) runs.push((run = []));
      run.push([this.sx[b] / this.n[b], this.sy[b] / this.n[b]]);
    }
    if (runs.length > 1 && this.n[0] > 0 && this.n[this.bins - 1] > 0) runs[0] = [...runs.pop(), ...runs[0]];
    else if (runs.length === 1 && this.n[0] > 0 && run && run.length > 2) run.push(run[0]);
    return runs;
  }
}

/**
 * Fits the box [minX, maxX] × [minY, maxY] into `width` × `height` pixels with `pad`, the
 * same scale on both axes, y up (north up, as a map).
 * @returns {(x: number, y: number) => [number, number]}
 */
export function fit(box, width, height, pad = 12) {
  const w = Math.max(1e-9, box.maxX - box.minX);
  const h = Math.max(1e-9, box.maxY - box.minY);
  const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h);
  const ox = (width - w * scale) / 2;
  const oy = (height - h * scale) / 2;
  return (x, y) => [ox + (x - box.minX) * scale, height - oy - (y - box.minY) * scale];
}

/** A colour for a speed: blue slow, through green and yellow, to red at `max`. */
export function speedColor(kph, max = 320) {
  const f = Math.min(1, Math.max(0, kph / max));
  return `hsl(${Math.round(240 - 240 * f)} 90% 55%)`;
}

/** The car whose dot is nearest (px, py), within `radius` pixels, or null. */
export function nearestDot(dots, px, py, radius = 14) {
  let best = null;
  let bestD = radius * radius;
  for (const d of dots) {
    const dd = (d.px - px) ** 2 + (d.py - py) ** 2;
    if (dd <= bestD) {
      bestD = dd;
      best = d.car;
    }
  }
  return best;
}
