// XY decimation, pure: of thousands of points (20 cars × 3,000 samples), the ones worth
// drawing. A scatter drawn with dots a few pixels wide looks the same with one point per
// occupied cell of the plot per car, so each car keeps the first point that falls in each cell,
// and the extremes of each car (smallest and largest x and y) and its newest point always,
// each standing for its own cell. When that is still more than `maxPoints`, the cells grow
// (×2 each side) until it is not; the extremes and newest points are kept even then, so the
// bound is `maxPoints` plus five per car. Tests: tests/js/analysis/decimate.test.mjs.
//
// Kept indices come out in the order of the input (each car's oldest first), so the newest
// points are drawn last, on top.

/** Points kept at most (beside each car's extremes and newest point). */
export const MAX_POINTS = 12_000;

export class Decimator {
  constructor(maxPoints = MAX_POINTS) {
    this.maxPoints = maxPoints;
    /** The kept sample indices, `keep[0..n)`. */
    this.keep = new Int32Array(1024);
    this.n = 0;
    /** Per cell, the stamp of the car that last took it: cleared only when the stamps wrap. */
    this.cells = new Uint32Array(0);
    this.stamp = 0;
    /** The cell size (px) the last run settled on. */
    this.cell = 0;
  }

  /**
   * Decimates the points at pixel positions `X[j]`, `Y[j]` within `width` × `height` (CSS px).
   * `cars`: each car's samples `start` to `end - 1`.
   * @param {ArrayLike<number>} X  @param {ArrayLike<number>} Y
   * @param {{start: number, end: number}[]} cars
   * @param {number} cell  the starting cell size in px
   * @returns {number} how many were kept (`this.keep[0..n)`)
   */
  run(X, Y, cars, width, height, cell = 2) {
    let total = 0;
    for (const c of cars) total += c.end - c.start;
    if (this.keep.length < total) this.keep = new Int32Array(total);
    for (let size = Math.max(1, cell); ; size *= 2) {
      this.cell = size;
      this.n = 0;
      const cols = Math.max(1, Math.ceil(width / size));
      const rows = Math.max(1, Math.ceil(height / size));
      for (const c of cars) this.car(X, Y, c.start, c.end, cols, rows, size);
      if (this.n <= this.maxPoints + 5 * cars.length || (cols === 1 && rows === 1)) return this.n;
    }
  }

  /** Car samples [start, end): its extremes and newest first, then the first point of each other cell. */
  car(X, Y, start, end, cols, rows, size) {
    if (end <= start) return;
    if (this.cells.length < cols * rows) this.cells = new Uint32Array(cols * rows);
    const stamp = this.nextStamp();
    const cells = this.cells;
    const inv = 1 / size;
    const cellOf = (j) => {
      let c = Math.floor(X[j] * inv);
      let r = Math.floor(Y[j] * inv);
      if (c < 0) c = 0;
      else if (c >= cols) c = cols - 1;
      if (r < 0) r = 0;
      else if (r >= rows) r = rows - 1;
      return r * cols + c;
    };
    // The extremes and the newest point claim their cells before the others.
    let minX = start, maxX = start, minY = start, maxY = start;
    for (let j = start + 1; j < end; j++) {
      if (X[j] < X[minX]) minX = j;
      if (X[j] > X[maxX]) maxX = j;
      if (Y[j] < Y[minY]) minY = j;
      if (Y[j] > Y[maxY]) maxY = j;
    }
    const last = end - 1;
    cells[cellOf(minX)] = stamp;
    cells[cellOf(maxX)] = stamp;
    cells[cellOf(minY)] = stamp;
    cells[cellOf(maxY)] = stamp;
    cells[cellOf(last)] = stamp;
    const keep = this.keep;
    let n = this.n;
    for (let j = start; j < end; j++) {
      if (j === minX || j === maxX || j === minY || j === maxY || j === last) {
        keep[n++] = j;
        continue;
      }
      // cellOf, inlined: this loop runs over every sample.
      let c = Math.floor(X[j] * inv);
      let r = Math.floor(Y[j] * inv);
      if (c < 0) c = 0;
      else if (c >= cols) c = cols - 1;
      if (r < 0) r = 0;
      else if (r >= rows) r = rows - 1;
      const at = r * cols + c;
      if (cells[at] === stamp) continue;
      cells[at] = stamp;
      keep[n++] = j;
    }
    this.n = n;
  }

  nextStamp() {
    if (this.stamp === 0xffffffff) {
      this.cells.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}
