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
   * Decimates `n` points whose pixel positions are `px(j)`, `py(j)` within `width` × `height`
   * (CSS px). `cars`: each car's samples `start` to `end - 1`.
   * @param {(j: number) => number} px  @param {(j: number) => number} py
   * @param {{start: number, end: number}[]} cars
   * @param {number} cell  the starting cell size in px
   * @returns {number} how many were kept (`this.keep[0..n)`)
   */
  run(px, py, cars, width, height, cell = 2) {
    let total = 0;
    for (const c of cars) total += c.end - c.start;
    if (this.keep.length < total) this.keep = new Int32Array(total);
    for (let size = Math.max(1, cell); ; size *= 2) {
      this.cell = size;
      this.n = 0;
      const cols = Math.max(1, Math.ceil(width / size));
      const rows = Math.max(1, Math.ceil(height / size));
      for (const c of cars) this.car(px, py, c.start, c.end, cols, rows, size);
      if (this.n <= this.maxPoints + 5 * cars.length || (cols === 1 && rows === 1)) return this.n;
    }
  }

  /** Car samples [start, end): its extremes and newest first, then the first point of each other cell. */
  car(px, py, start, end, cols, rows, size) {
    if (end <= start) return;
    if (this.cells.length < cols * rows) this.cells = new Uint32Array(cols * rows);
    const stamp = this.nextStamp();
    const cells = this.cells;
    const cellOf = (j) => {
      const c = Math.min(cols - 1, Math.max(0, Math.floor(px(j) / size)));
      const r = Math.min(rows - 1, Math.max(0, Math.floor(py(j) / size)));
      return r * cols + c;
    };
    // The extremes and the newest point claim their cells before the others.
    let minX = start, maxX = start, minY = start, maxY = start;
    for (let j = start + 1; j < end; j++) {
      const x = px(j);
      const y = py(j);
      if (x < px(minX)) minX = j;
      if (x > px(maxX)) maxX = j;
      if (y < py(minY)) minY = j;
      if (y > py(maxY)) maxY = j;
    }
    const special = [minX, maxX, minY, maxY, end - 1];
    for (const j of special) cells[cellOf(j)] = stamp;
    for (let j = start; j < end; j++) {
      if (special.includes(j)) {
        this.keep[this.n++] = j;
        continue;
      }
      const at = cellOf(j);
      if (cells[at] === stamp) continue;
      cells[at] = stamp;
      this.keep[this.n++] = j;
    }
  }

  nextStamp() {
    if (this.stamp === 0xffffffff) {
      this.cells.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}
